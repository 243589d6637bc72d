-- Breakout rooms for the test meeting: the component a moderator panel talks to,
-- behaving as Jitsi's breakout-rooms protocol is documented (see testbed/README.md).
--
-- Loaded on the client VirtualHost. Options:
--   main_muc            the main MUC component (required)
--   breakout_rooms_muc  the breakout MUC component (default breakout.<host>)
--   focus_jid           the focus account, whose occupants are never listed
--
-- Commands are <message to='<breakout MUC>'><breakout_rooms type='features/breakout-rooms/…' …/></message>.
-- State is a full snapshot sent as <json-message xmlns='http://jitsi.org/jitmeet'> to every
-- occupant of the meeting, at most once per BROADCAST_INTERVAL.

local jid = require "util.jid";
local json = require "util.json";
local st = require "util.stanza";
local new_uuid = require "util.uuid".generate;

local main_muc_host = module:get_option_string("main_muc");
if not main_muc_host then
	module:log("error", "main_muc is not set: breakout rooms are disabled");
	return;
end
local breakout_muc_host = module:get_option_string("breakout_rooms_muc", "breakout." .. module.host);
local focus_account = module:get_option_string("focus_jid");
-- "moderators": updates go to moderators only (a testbed option for very large
-- meetings; Jitsi sends them to every occupant).
local moderators_only = module:get_option_string("breakout_updates_to", "everyone") == "moderators";

local NS_JITMEET = "http://jitsi.org/jitmeet";
local FEATURE_RENAME = "http://jitsi.org/protocol/breakout_rooms#rename";
local TYPE_ADD = "features/breakout-rooms/add";
local TYPE_REMOVE = "features/breakout-rooms/remove";
local TYPE_RENAME = "features/breakout-rooms/rename";
local TYPE_MOVE = "features/breakout-rooms/move-to-room";
local EVENT_UPDATE = "features/breakout-rooms/update";
local BROADCAST_INTERVAL = 0.3;
local ROOMS_TTL_IF_ALL_LEFT = 5;
local REASON_REMOVED = "Breakout room removed.";
local REASON_ALL_LEFT = "All occupants left.";

module:add_identity("component", "breakout_rooms", breakout_muc_host);

local main_muc, breakout_muc; -- the two mod_muc instances, once loaded
local main_of = {};           -- breakout room JID -> main room JID

local function is_focus_jid(real_jid)
	local node = jid.node(real_jid);
	return node == "focus" or (focus_account ~= nil and jid.bare(real_jid) == focus_account);
end

local function main_room_of_session(session)
	local name = session.meeting_room;
	if not name then return nil; end
	local prefix = session.meeting_prefix or "";
	local node = prefix ~= "" and ("[" .. prefix .. "]" .. name) or name;
	return main_muc.get_room_from_jid(jid.join(node, main_muc_host));
end

local function breakout_list(main)
	local rooms = main._data.breakout_rooms;
	if not rooms then
		rooms = {};
		main._data.breakout_rooms = rooms;
	end
	return rooms;
end

local function each_breakout_room(main)
	local out = {};
	for room_jid in pairs(breakout_list(main)) do
		local room = breakout_muc.get_room_from_jid(room_jid);
		if room then out[#out + 1] = room; end
	end
	return ipairs(out);
end

local function count_people(room)
	local n = 0;
	for _, occupant in room:each_occupant() do
		if not is_focus_jid(occupant.bare_jid) then n = n + 1; end
	end
	return n;
end

local function display_name(occupant)
	local presence = occupant:get_presence();
	return presence and presence:get_child_text("nick", "http://jabber.org/protocol/nick") or nil;
end

local function participants_of(room)
	local out = {};
	if not room then return out; end
	for _, occupant in room:each_occupant() do
		if not is_focus_jid(occupant.bare_jid) then
			out[occupant.nick] = {
				jid = occupant.jid;
				role = occupant.role;
				displayName = display_name(occupant);
			};
		end
	end
	return out;
end

local function snapshot(main)
	local node = jid.node(main.jid);
	local _, subject = main:get_subject();
	local rooms = {
		[node] = {
			isMainRoom = true;
			id = node;
			jid = main.jid;
			name = (subject ~= nil and subject ~= "") and subject or nil;
			participants = participants_of(main);
		};
	};
	for room_jid, name in pairs(breakout_list(main)) do
		local breakout_node = jid.node(room_jid);
		rooms[breakout_node] = {
			id = breakout_node;
			jid = room_jid;
			name = name;
			participants = participants_of(breakout_muc.get_room_from_jid(room_jid));
		};
	end
	return {
		type = "breakout_rooms";
		event = EVENT_UPDATE;
		roomCounter = main._data.breakout_rooms_counter or 0;
		rooms = rooms;
	};
end

local function send_json(to, payload)
	local message = st.message({ from = breakout_muc_host; to = to })
		:tag("json-message", { xmlns = NS_JITMEET }):text(json.encode(payload)):up();
	module:send(message);
end

local function broadcast(main)
	local payload = snapshot(main);
	local function send_to_occupants(room)
		for _, occupant in room:each_occupant() do
			if not is_focus_jid(occupant.bare_jid)
				and (not moderators_only or occupant.role == "moderator") then
				send_json(occupant.jid, payload);
			end
		end
	end
	send_to_occupants(main);
	for _, room in each_breakout_room(main) do
		send_to_occupants(room);
	end
end

-- The first trigger starts the timer; later ones inside the window are merged, and the
-- snapshot is taken when the timer fires.
local function schedule_broadcast(main)
	if main._breakout_broadcast_pending then return; end
	main._breakout_broadcast_pending = true;
	module:add_timer(BROADCAST_INTERVAL, function ()
		main._breakout_broadcast_pending = nil;
		if main.destroying or main_muc.get_room_from_jid(main.jid) ~= main then return; end
		broadcast(main);
	end);
end

local function people_in_meeting(main)
	local n = count_people(main);
	for _, room in each_breakout_room(main) do
		n = n + count_people(room);
	end
	return n;
end

local function cancel_all_left_timer(main)
	main._breakout_all_left = nil;
end

local function check_all_left(main)
	if not main._data.breakout_rooms_active or main._breakout_all_left then return; end
	if people_in_meeting(main) > 0 then return; end
	local token = {};
	main._breakout_all_left = token;
	module:add_timer(ROOMS_TTL_IF_ALL_LEFT, function ()
		if main._breakout_all_left ~= token then return; end
		main._breakout_all_left = nil;
		if main.destroying or main_muc.get_room_from_jid(main.jid) ~= main then return; end
		if people_in_meeting(main) > 0 then return; end
		module:context(main_muc_host):fire_event("maybe-destroy-room", { room = main; reason = REASON_ALL_LEFT });
	end);
end

local function on_occupant_change(main, joined)
	if not main or not main._data.breakout_rooms_active then return; end
	schedule_broadcast(main);
	if joined then
		cancel_all_left_timer(main);
	else
		check_all_left(main);
	end
end

local function occupant_in_meeting(main, real_jid)
	local occupant = main:get_occupant_by_real_jid(real_jid);
	if occupant then return occupant; end
	for _, room in each_breakout_room(main) do
		occupant = room:get_occupant_by_real_jid(real_jid);
		if occupant then return occupant; end
	end
	return nil;
end

-- Command handlers return true when the stanza is handled (even if nothing happened)
-- and false when the sender should get service-unavailable.
local commands = {};

commands[TYPE_ADD] = function (main, command)
	local subject = command.attr.subject;
	main._data.breakout_rooms_counter = (main._data.breakout_rooms_counter or 0) + 1;
	main._data.breakout_rooms_active = true;
	main:set_persistent(true);
	if subject then
		local room_jid = jid.join(new_uuid(), breakout_muc_host);
		breakout_list(main)[room_jid] = subject;
		main_of[room_jid] = main.jid;
	end
	schedule_broadcast(main);
	return true;
end

commands[TYPE_REMOVE] = function (main, command)
	local room_jid = command.attr.breakoutRoomJid;
	if not room_jid or main_of[room_jid] ~= main.jid then
		module:log("warn", "Invalid remove request for %s in %s", tostring(room_jid), main.jid);
		return true;
	end
	local room = breakout_muc.get_room_from_jid(room_jid);
	if room then
		room:destroy(main.jid, REASON_REMOVED);
	end
	breakout_list(main)[room_jid] = nil;
	main_of[room_jid] = nil;
	schedule_broadcast(main);
	return true;
end

commands[TYPE_RENAME] = function (main, command)
	local room_jid, subject = command.attr.breakoutRoomJid, command.attr.subject;
	if not room_jid or main_of[room_jid] ~= main.jid or subject == nil then
		module:log("warn", "Invalid rename request for %s in %s", tostring(room_jid), main.jid);
		return true;
	end
	breakout_list(main)[room_jid] = subject;
	local room = breakout_muc.get_room_from_jid(room_jid);
	if room then
		room:set_subject(room.jid, subject);
	end
	schedule_broadcast(main);
	return true;
end

commands[TYPE_MOVE] = function (main, command)
	local participant, target = command.attr.participantJid, command.attr.roomJid;
	if not target or (target ~= main.jid and main_of[target] ~= main.jid) then
		module:log("warn", "Invalid move-to-room request to %s in %s", tostring(target), main.jid);
		return false;
	end
	if not participant or not jid.resource(participant) then
		return true; -- a bare JID reaches nobody
	end
	send_json(participant, { type = "breakout_rooms"; event = TYPE_MOVE; roomJid = target });
	return true;
end

local function on_message(event)
	local origin, stanza = event.origin, event.stanza;
	if stanza.attr.type == "error" then return true; end

	local function refuse(...)
		if select("#", ...) > 0 then module:log("warn", ...); end
		origin.send(st.error_reply(stanza, "cancel", "service-unavailable"));
		return true;
	end

	if not origin.meeting_room then return refuse(); end
	local command = stanza:get_child("breakout_rooms");
	if not command then return refuse(); end
	local main = main_room_of_session(origin);
	if not main then return refuse("No room found for %s", origin.meeting_room); end
	local occupant = occupant_in_meeting(main, stanza.attr.from);
	if not occupant then return refuse("No occupant %s in %s", stanza.attr.from, main.jid); end
	if occupant.role ~= "moderator" then
		return refuse("%s is not moderator in %s", stanza.attr.from, main.jid);
	end
	local handler = commands[command.attr.type];
	if not handler then return refuse("Unknown breakout command %s", tostring(command.attr.type)); end
	if not handler(main, command) then return refuse(); end
	return true;
end

local function on_disco_node(event)
	local origin, stanza = event.origin, event.stanza;
	local query = stanza.tags[1];
	if not query or query.attr.node ~= "breakout_rooms" then return; end
	local reply = st.reply(stanza):tag("query", { xmlns = "http://jabber.org/protocol/disco#info"; node = "breakout_rooms" });
	if origin.meeting_room then
		reply:tag("feature", { var = FEATURE_RENAME }):up();
	end
	origin.send(reply);
	return true;
end

local function setup_main_muc(muc)
	main_muc = muc;
	local host_module = module:context(main_muc_host);
	host_module:hook("muc-occupant-joined", function (event) on_occupant_change(event.room, true); end);
	host_module:hook("muc-occupant-left", function (event) on_occupant_change(event.room, false); end);

	-- The meeting may not end while people are in its breakout rooms.
	host_module:hook("maybe-destroy-room", function (event)
		for _, room in each_breakout_room(event.room) do
			if count_people(room) > 0 then return true; end
		end
	end, 10);
	host_module:hook("maybe-destroy-room", function (event)
		local room = event.room;
		room:set_persistent(false);
		room:destroy(nil, event.reason);
		return true;
	end, -10);

	-- A meeting's breakout rooms end with it.
	host_module:hook("muc-room-destroyed", function (event)
		local main = event.room;
		local list = main._data.breakout_rooms;
		if not list then return; end
		for room_jid in pairs(list) do
			main_of[room_jid] = nil;
			local room = breakout_muc and breakout_muc.get_room_from_jid(room_jid);
			if room then room:destroy(main.jid, event.reason); end
		end
		main._data.breakout_rooms = nil;
	end, 1);
end

local function setup_breakout_muc(muc)
	breakout_muc = muc;
	local host_module = module:context(breakout_muc_host);
	host_module:hook("message/host", on_message, 10);
	host_module:hook("iq-get/host/http://jabber.org/protocol/disco#info:query", on_disco_node, 10);

	-- A breakout MUC exists only for a registered breakout JID of a live meeting.
	host_module:hook("muc-room-pre-create", function (event)
		local room = event.room;
		local main = main_of[room.jid] and main_muc.get_room_from_jid(main_of[room.jid]);
		if not main then
			module:log("warn", "Breakout room is invalid: %s", room.jid);
			event.origin.send(st.error_reply(event.stanza, "cancel", "not-allowed", "Breakout room is invalid."));
			return true;
		end
		-- Affiliations and members-only come from the main room.
		room.get_affiliation = function (_, who) return main:get_affiliation(who); end
		room.get_members_only = function () return main:get_members_only(); end
		room:set_persistent(false);
	end, 100);

	host_module:hook("muc-room-created", function (event)
		local room = event.room;
		local main_jid = main_of[room.jid];
		local main = main_jid and main_muc.get_room_from_jid(main_jid);
		if main then
			room:set_subject(room.jid, breakout_list(main)[room.jid]);
		end
	end);

	host_module:hook("muc-disco#info", function (event)
		local main_jid = main_of[event.room.jid];
		if not main_jid then return; end
		table.insert(event.form, { name = "muc#roominfo_isbreakout"; label = "Is this a breakout room?"; type = "boolean" });
		event.formdata["muc#roominfo_isbreakout"] = true;
		table.insert(event.form, { name = "muc#roominfo_breakout_main_room"; label = "The main room of this breakout room" });
		event.formdata["muc#roominfo_breakout_main_room"] = main_jid;
	end);

	local function breakout_change(event, joined)
		local main_jid = main_of[event.room.jid];
		on_occupant_change(main_jid and main_muc.get_room_from_jid(main_jid), joined);
	end
	host_module:hook("muc-occupant-joined", function (event) breakout_change(event, true); end);
	host_module:hook("muc-occupant-left", function (event) breakout_change(event, false); end);
end

local function when_muc_loaded(host, setup)
	local function try()
		local h = prosody.hosts[host];
		local muc = h and h.modules.muc;
		if muc then setup(muc); return true; end
		return false;
	end
	if try() then return; end
	module:hook_global("server-started", function ()
		if not try() then module:log("error", "no MUC component at %s: breakout rooms are disabled", host); end
	end);
end

when_muc_loaded(main_muc_host, setup_main_muc);
when_muc_loaded(breakout_muc_host, setup_breakout_muc);

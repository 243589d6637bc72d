-- Holds every join to a room of this MUC until the focus is in it, as Jitsi's
-- "jicofo lock" does: a client that joins before the focus waits, and its join
-- goes through as soon as the focus arrives. The focus is the occupant whose
-- nick is `focus` and whose account is `focus_jid`.

local jid = require "util.jid";
local st = require "util.stanza";

local focus_account = module:get_option_string("focus_jid");
local FOCUS_NICK = "focus";

local function is_focus(occupant)
	return jid.resource(occupant.nick) == FOCUS_NICK and occupant.bare_jid == focus_account;
end

local function focus_is_in(room)
	for _, occupant in room:each_occupant() do
		if is_focus(occupant) then return true; end
	end
	return false;
end

module:hook("muc-occupant-pre-join", function (event)
	local room, occupant = event.room, event.occupant;
	if occupant.bare_jid == focus_account or focus_is_in(room) then return; end
	local held = room._held_joins or {};
	room._held_joins = held;
	held[#held + 1] = { origin = event.origin, stanza = st.clone(event.stanza) };
	module:log("debug", "holding the join of %s to %s until the focus is in", event.stanza.attr.from, room.jid);
	return true;
end, 10);

module:hook("muc-occupant-joined", function (event)
	local room = event.room;
	if not is_focus(event.occupant) then return; end
	local held = room._held_joins;
	room._held_joins = nil;
	if not held then return; end
	module:add_timer(0, function ()
		for _, join in ipairs(held) do
			if prosody.full_sessions[join.stanza.attr.from] and not room.destroying then
				room:handle_normal_presence(join.origin, join.stanza);
			end
		end
	end);
end);

module:hook("muc-room-destroyed", function (event)
	event.room._held_joins = nil;
end);

-- On the conference MUC: a session that logged in with a token joins only the
-- meeting its `room` claim names (`*`: any), in its `sub`'s tenant (the
-- domain or `*`: any). Any other join is refused as Jitsi refuses it:
-- `not-allowed`, "Room and token mismatched". Sessions without a token (the
-- focus, accounts, anonymous logins where tokens are optional) are not checked.

local jid = require "util.jid";
local st = require "util.stanza";

local token_host = module:get_option_string("token_host");
if not token_host then
	error("mod_meeting_token_rooms needs token_host");
end

module:hook("muc-occupant-pre-join", function (event)
	local origin = event.origin;
	local claims = origin and origin.host == token_host and origin.meeting_claims;
	if not claims then return; end
	local node = jid.node(event.room.jid) or "";
	local prefix = origin.meeting_prefix or "";
	local sub = type(claims.sub) == "string" and claims.sub or nil;
	local room_ok = claims.room == "*" or claims.room:lower() == node:gsub("^%[[^%]]*%]", "");
	local sub_ok = sub == nil or sub == "*" or sub == token_host or (prefix ~= "" and sub:lower() == prefix:lower());
	if room_ok and sub_ok then return; end
	module:log("info", "refusing %s: room and token mismatched", event.stanza.attr.from);
	origin.send(st.error_reply(event.stanza, "cancel", "not-allowed", "Room and token mismatched"));
	return true;
end, 20);

-- Records the meeting named in the XMPP-over-WebSocket URL on the session, as
-- Jitsi deployments do: `?room=<room node>`, `?prefix=<tenant>` and `?token=<JWT>`.
-- Breakout-room commands are accepted only from sessions that carry `room`.
-- Load it globally (modules_enabled at the top of the configuration).

local formdecode = require "util.http".formdecode;

-- mod_websocket is a global module, so its event fires on the global event bus.
module:set_global();

module:hook("websocket-session", function (event)
	local session, request = event.session, event.request;
	local query = request.url and request.url.query;
	if not query or query == "" then return; end
	local params = formdecode(query);
	if type(params) ~= "table" then return; end
	if type(params.room) == "string" and params.room ~= "" then
		session.meeting_room = params.room;
	end
	session.meeting_prefix = type(params.prefix) == "string" and params.prefix or "";
	if type(params.token) == "string" and params.token ~= "" then
		session.meeting_token = params.token;
	end
	session.log("debug", "meeting parameters: room=%s prefix=%s token=%s",
		tostring(session.meeting_room), session.meeting_prefix, session.meeting_token and "yes" or "no");
end);

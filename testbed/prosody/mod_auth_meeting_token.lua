-- Token authentication for the test meeting, as §12 of the breakout protocol
-- document records Jitsi's: the client connects with `?token=<JWT>` (read by
-- mod_meeting_session) and logs in with SASL ANONYMOUS; the token is checked
-- then, and a bad one is refused with the texts Jitsi's clients get. The
-- token's claims stay on the session: mod_meeting_token_rooms checks `room`
-- and `sub` at the join, and every presence the session sends carries the
-- token's `context.user` as an `<identity/>` the server writes.
--
-- Options on the VirtualHost: app_id, app_secret (HS256), allow_empty_token.

local new_sasl = require "util.sasl".new;
local jwt = require "util.jwt";

local app_id = module:get_option_string("app_id");
local app_secret = module:get_option_string("app_secret");
local allow_empty = module:get_option_boolean("allow_empty_token", false);
if not app_id or not app_secret then
	error("mod_auth_meeting_token needs app_id and app_secret");
end

-- A token without a `room` claim: Jitsi's plugin gives no answer at all.
local NO_ROOM = "room claim required";

-- Why `session`'s token does not log in, in Jitsi's words; nil when it does.
local function refusal(session)
	local token = session.meeting_token;
	if not token then
		if allow_empty then return nil; end
		return "token required";
	end
	local ok, claims = jwt.verify(app_secret, token);
	if not ok or type(claims) ~= "table" then return "Invalid signature"; end
	if claims.iss ~= app_id then return "invalid 'iss' claim"; end
	local now = os.time();
	if type(claims.exp) ~= "number" or claims.exp < now then return "Not acceptable by exp"; end
	if type(claims.nbf) == "number" and claims.nbf > now then return "Not acceptable by nbf"; end
	if type(claims.room) ~= "string" then return NO_ROOM; end
	session.meeting_claims = claims;
	return nil;
end

-- A SASL handler whose ANONYMOUS checks the token first; its clean clones
-- (a new attempt after a failure) do the same.
local function guarded(handler, session)
	local process, clean_clone = handler.process, handler.clean_clone;
	handler.process = function (self, message)
		if self.selected == "ANONYMOUS" then
			local text = refusal(session);
			if text then return "failure", "not-allowed", text; end
		end
		return process(self, message);
	end
	handler.clean_clone = function (self)
		return guarded(clean_clone(self), session);
	end
	return handler;
end

local provider = {};

function provider.test_password() return nil, "Password based auth not supported."; end
function provider.get_password() return nil, "Password not available."; end
function provider.set_password() return nil, "Password based auth not supported."; end
function provider.user_exists() return nil, "Only anonymous users are supported."; end
function provider.create_user() return nil, "Account creation/modification not supported."; end
function provider.users() return next, prosody.hosts[module.host].sessions, nil; end

function provider.get_sasl_handler(session)
	return guarded(new_sasl(module.host, { anonymous = function () return true; end }), session);
end

module:provides("auth", provider);

-- A login whose token has no `room` claim is left unanswered, as Jitsi's
-- plugin leaves it (§12): the client must time out.
module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:auth", function (event)
	if event.stanza.attr.mechanism == "ANONYMOUS" and refusal(event.origin) == NO_ROOM then
		module:log("info", "a token without a room claim: no answer");
		return true;
	end
end, 10);

-- The server writes who the token says the occupant is into every presence;
-- an identity the client wrote itself is removed.
local function identity(event)
	local session, stanza = event.origin, event.stanza;
	local claims = session.meeting_claims;
	stanza:maptags(function (tag)
		if tag.name == "identity" and (tag.attr.xmlns == nil or tag.attr.xmlns == "jabber:client") then
			return nil;
		end
		return tag;
	end);
	local user = claims and type(claims.context) == "table" and claims.context.user;
	if type(user) ~= "table" then return; end
	stanza:tag("identity"):tag("user");
	for _, field in ipairs({ "id", "name", "email", "avatar", "moderator" }) do
		local value = user[field];
		if value ~= nil and type(value) ~= "table" then
			stanza:text_tag(field, tostring(value));
		end
	end
	stanza:up():up();
end

module:hook("pre-presence/full", identity, 10);
module:hook("pre-presence/bare", identity, 10);

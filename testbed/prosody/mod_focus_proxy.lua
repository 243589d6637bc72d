-- The focus address (`focus.<domain>`): clients send conference requests here and
-- this component relays them to the focus account, like Jitsi's client proxy.
--
-- * The focus announces itself with an available <presence/> to this component;
--   the most recent announcement wins, an unavailable presence withdraws it.
-- * A stanza from anyone else to this component goes to the focus, with `from`
--   rewritten to `<component>/<sender's full JID>`.
-- * A stanza from the focus to `<component>/<full JID>` goes to that full JID,
--   with `from` set to the component.

local jid = require "util.jid";
local st = require "util.stanza";

local focus_account = module:get_option_string("focus_jid");
if not focus_account then
	module:log("error", "focus_jid is not set: the focus proxy is disabled");
	return;
end

local current_focus = nil;

local function relay(event)
	local stanza = event.stanza;
	local from, to = stanza.attr.from, stanza.attr.to;
	local _, _, to_resource = jid.split(to);

	if from and jid.bare(from) == focus_account then
		if not to_resource then
			if stanza.name == "presence" then
				if stanza.attr.type == nil then
					current_focus = from;
					module:log("info", "focus is %s", from);
				elseif stanza.attr.type == "unavailable" and current_focus == from then
					current_focus = nil;
					module:log("info", "focus %s withdrew", from);
				end
			end
			return true;
		end
		local out = st.clone(stanza);
		out.attr.from = module.host;
		out.attr.to = to_resource;
		module:send(out);
		return true;
	end

	if stanza.name == "presence" then return true; end
	if current_focus and not to_resource and from then
		local out = st.clone(stanza);
		out.attr.from = module.host .. "/" .. from;
		out.attr.to = current_focus;
		module:send(out);
		return true;
	end
	if stanza.attr.type ~= "error" and stanza.attr.type ~= "result" then
		module:send(st.error_reply(stanza, "wait", "service-unavailable", "No focus is available", module.host));
	end
	return true;
end

for _, kind in ipairs { "iq", "message", "presence" } do
	module:hook(kind .. "/host", relay, 10);
	module:hook(kind .. "/bare", relay, 10);
	module:hook(kind .. "/full", relay, 10);
end

//! XML namespaces, each with the specification that defines it.

/// RFC 6120: client stanzas.
pub const CLIENT: &str = "jabber:client";
/// RFC 7395: XMPP over WebSocket framing.
pub const FRAMING: &str = "urn:ietf:params:xml:ns:xmpp-framing";
/// RFC 6120: stream features.
pub const STREAMS: &str = "http://etherx.jabber.org/streams";
/// RFC 6120: SASL.
pub const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// RFC 6120: resource binding.
pub const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// RFC 6120: stanza error conditions.
pub const STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// XEP-0030: service discovery.
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
/// XEP-0045: multi-user chat, join.
pub const MUC: &str = "http://jabber.org/protocol/muc";
/// XEP-0045: multi-user chat, occupant information.
pub const MUC_USER: &str = "http://jabber.org/protocol/muc#user";
/// XEP-0045: multi-user chat, administration.
pub const MUC_ADMIN: &str = "http://jabber.org/protocol/muc#admin";
/// XEP-0172: user nickname (Jitsi's display name).
pub const NICK: &str = "http://jabber.org/protocol/nick";
/// XEP-0199: ping.
pub const PING: &str = "urn:xmpp:ping";
/// XEP-0166: Jingle.
pub const JINGLE: &str = "urn:xmpp:jingle:1";
/// Jitsi: conference requests to the focus.
pub const FOCUS: &str = "http://jitsi.org/protocol/focus";
/// Jitsi: `json-message` payloads.
pub const JITMEET: &str = "http://jitsi.org/jitmeet";
/// Jitsi's user information in presence; `robot='true'` marks a recorder, a
/// gateway or the panel's account, which the focus never makes owner.
pub const USERINFO: &str = "http://jitsi.org/jitmeet/userinfo";

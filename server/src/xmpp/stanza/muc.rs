//! XEP-0045 multi-user chat: presences in a room and the panel's own joins.

use super::{StanzaError, attr};
use crate::xmpp::ns;
use crate::xmpp::xml::Element;

/// An occupant's role in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Role {
    Moderator,
    Participant,
    Visitor,
    None,
}

impl Role {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "moderator" => Self::Moderator,
            "participant" => Self::Participant,
            "visitor" => Self::Visitor,
            "none" => Self::None,
            _ => return None,
        })
    }
}

/// An occupant's long-lived affiliation with a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Affiliation {
    Owner,
    Admin,
    Member,
    Outcast,
    None,
}

impl Affiliation {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            "member" => Self::Member,
            "outcast" => Self::Outcast,
            "none" => Self::None,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Outcast => "outcast",
            Self::None => "none",
        }
    }
}

/// `<destroy/>` in an unavailable presence: the room is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destroy {
    /// Where occupants may go instead (Jitsi: the main room).
    pub jid: Option<String>,
    pub reason: Option<String>,
}

/// A presence from a room occupant (it carries `<x xmlns='…muc#user'/>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MucPresence {
    /// The occupant JID, `room@service/nick`.
    pub from: String,
    pub available: bool,
    /// The occupant's real JID, when the room shows it.
    pub real_jid: Option<String>,
    pub affiliation: Option<Affiliation>,
    pub role: Option<Role>,
    /// XEP-0045 status codes (110: this presence is about the receiver).
    pub codes: Vec<u16>,
    pub destroy: Option<Destroy>,
    /// The `<nick xmlns='http://jabber.org/protocol/nick'/>` text: Jitsi's display name.
    pub display_name: Option<String>,
    /// The `<status/>` text: `switch_room` when a participant moves to another room.
    pub status: Option<String>,
    /// From the `<identity><user>` a token deployment's server writes into
    /// every presence: the user's id, else their e-mail.
    pub identity: Option<String>,
}

const WHAT: &str = "MUC presence";

impl MucPresence {
    /// Reads a MUC presence. Presences without `muc#user` data and error presences
    /// are a [`StanzaError::Mismatch`].
    pub fn parse(element: &Element) -> Result<Self, StanzaError> {
        if !element.is("presence", ns::CLIENT) || element.get_attr("type") == Some("error") {
            return Err(StanzaError::Mismatch(WHAT));
        }
        let x = element
            .get_child("x", ns::MUC_USER)
            .ok_or(StanzaError::Mismatch(WHAT))?;
        let from = attr(element, WHAT, "from")?.to_owned();
        let available = match element.get_attr("type") {
            None => true,
            Some("unavailable") => false,
            Some(other) => {
                return Err(StanzaError::InvalidAttr {
                    what: WHAT,
                    attr: "type",
                    value: other.to_owned(),
                });
            }
        };
        let item = x.get_child("item", ns::MUC_USER);
        let role = match item.and_then(|i| i.get_attr("role")) {
            Some(value) => Some(Role::parse(value).ok_or_else(|| StanzaError::InvalidAttr {
                what: WHAT,
                attr: "role",
                value: value.to_owned(),
            })?),
            None => None,
        };
        let affiliation = match item.and_then(|i| i.get_attr("affiliation")) {
            Some(value) => {
                Some(
                    Affiliation::parse(value).ok_or_else(|| StanzaError::InvalidAttr {
                        what: WHAT,
                        attr: "affiliation",
                        value: value.to_owned(),
                    })?,
                )
            }
            None => None,
        };
        let mut codes = Vec::new();
        for status in x.children().filter(|c| c.is("status", ns::MUC_USER)) {
            let value = attr(status, WHAT, "code")?;
            let code = value.parse().map_err(|_| StanzaError::InvalidAttr {
                what: WHAT,
                attr: "code",
                value: value.to_owned(),
            })?;
            codes.push(code);
        }
        Ok(Self {
            from,
            available,
            real_jid: item.and_then(|i| i.get_attr("jid")).map(str::to_owned),
            affiliation,
            role,
            codes,
            destroy: x.get_child("destroy", ns::MUC_USER).map(|d| Destroy {
                jid: d.get_attr("jid").map(str::to_owned),
                reason: d
                    .get_child("reason", ns::MUC_USER)
                    .map(Element::text_content),
            }),
            display_name: element
                .get_child("nick", ns::NICK)
                .map(Element::text_content),
            status: element
                .get_child("status", ns::CLIENT)
                .map(Element::text_content),
            identity: identity(element),
        })
    }

    /// True when the presence is about the receiver itself (status 110).
    pub fn is_self(&self) -> bool {
        self.codes.contains(&110)
    }

    /// The occupant's nick (the resource of `from`).
    pub fn nick(&self) -> &str {
        crate::xmpp::jid::resource(&self.from).unwrap_or_default()
    }
}

/// The user's id, else e-mail, from `<identity><user>`.
fn identity(element: &Element) -> Option<String> {
    let user = element
        .get_child("identity", ns::CLIENT)?
        .get_child("user", ns::CLIENT)?;
    ["id", "email"].iter().find_map(|field| {
        let text = user.get_child(field, ns::CLIENT)?.text_content();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    })
}

/// Join presence to `occupant` (`room/nick`), with a display name.
pub fn join(occupant: &str, display_name: Option<&str>) -> Element {
    let presence = Element::new("presence", ns::CLIENT)
        .attr("to", occupant)
        .child(Element::new("x", ns::MUC));
    match display_name {
        Some(name) => presence.child(Element::new("nick", ns::NICK).text(name)),
        None => presence,
    }
}

/// Marks a join presence as a robot's (`<userinfo robot='true'/>`): the focus
/// then never counts the occupant as the room's owner, nor makes it one.
pub fn as_robot(presence: Element) -> Element {
    presence.child(Element::new("userinfo", ns::USERINFO).attr("robot", "true"))
}

/// A chat message to everyone in `room` (XEP-0045 groupchat), sent as the
/// occupant named `display_name`.
pub fn groupchat(room: &str, id: &str, body: &str, display_name: &str) -> Element {
    Element::new("message", ns::CLIENT)
        .attr("type", "groupchat")
        .attr("to", room)
        .attr("id", id)
        .child(Element::new("body", ns::CLIENT).text(body))
        .child(Element::new("nick", ns::NICK).text(display_name))
}

/// Unavailable presence to `occupant`, with an optional `<status/>` text.
pub fn leave(occupant: &str, status: Option<&str>) -> Element {
    let presence = Element::new("presence", ns::CLIENT)
        .attr("type", "unavailable")
        .attr("to", occupant);
    match status {
        Some(text) => presence.child(Element::new("status", ns::CLIENT).text(text)),
        None => presence,
    }
}

/// A `muc#admin` request setting `bare_jid`'s affiliation in `room`.
pub fn set_affiliation(id: &str, room: &str, bare_jid: &str, affiliation: Affiliation) -> Element {
    Element::new("iq", ns::CLIENT)
        .attr("type", "set")
        .attr("to", room)
        .attr("id", id)
        .child(
            Element::new("query", ns::MUC_ADMIN).child(
                Element::new("item", ns::MUC_ADMIN)
                    .attr("affiliation", affiliation.as_str())
                    .attr("jid", bare_jid),
            ),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::stanza::tests::fixture;

    #[test]
    fn a_robot_says_so_in_its_join() {
        let join = as_robot(join("demo@conference.meet.test/abcd1234", Some("Panel")));
        assert_eq!(
            join.to_xml(),
            "<presence xmlns=\"jabber:client\" to=\"demo@conference.meet.test/abcd1234\">\
             <x xmlns=\"http://jabber.org/protocol/muc\"/><nick xmlns=\"http://jabber.org/protocol/nick\">Panel</nick>\
             <userinfo xmlns=\"http://jitsi.org/jitmeet/userinfo\" robot=\"true\"/></presence>"
        );
    }

    #[test]
    fn a_chat_message_escapes_its_text() {
        let message = groupchat("r@breakout.meet.test", "say1", "<b>2 min</b> & go", "Panel");
        assert_eq!(
            message.to_xml(),
            "<message xmlns=\"jabber:client\" type=\"groupchat\" to=\"r@breakout.meet.test\" id=\"say1\">\
             <body>&lt;b&gt;2 min&lt;/b&gt; &amp; go</body>\
             <nick xmlns=\"http://jabber.org/protocol/nick\">Panel</nick></message>"
        );
    }

    #[test]
    fn reads_recorded_presences() {
        let me = MucPresence::parse(&fixture("in_presence_self_moderator.xml")).unwrap();
        assert!(me.is_self() && me.available);
        assert_eq!(me.role, Some(Role::Moderator));
        assert_eq!(me.affiliation, Some(Affiliation::Owner));
        assert_eq!(me.display_name.as_deref(), Some("Moderator Panel"));
        assert_eq!(me.nick(), "31b355df");
        assert_eq!(
            me.real_jid.as_deref(),
            Some("da597bd6-04dd-4bb1-a076-b12fc480fbdb@meet.test/m-850fb5")
        );

        let switch = MucPresence::parse(&fixture("in_presence_switch_room.xml")).unwrap();
        assert!(!switch.available);
        assert_eq!(switch.status.as_deref(), Some("switch_room"));
        assert_eq!(switch.role, Some(Role::None));

        let removed = MucPresence::parse(&fixture("in_presence_breakout_destroyed.xml")).unwrap();
        assert_eq!(
            removed.destroy,
            Some(Destroy {
                jid: Some("smoke1df115@conference.meet.test".into()),
                reason: Some("Breakout room removed.".into())
            })
        );
        let ended = MucPresence::parse(&fixture("in_presence_meeting_destroyed.xml")).unwrap();
        assert_eq!(
            ended.destroy,
            Some(Destroy {
                jid: None,
                reason: Some("All occupants left.".into())
            })
        );
    }

    #[test]
    fn malformed_twins_fail_with_their_reason() {
        let text = crate::xmpp::stanza::tests::fixture_text("in_presence_self_moderator.xml");
        let twin = |from: &str, to: &str| Element::parse(&text.replace(from, to)).unwrap();
        assert_eq!(
            MucPresence::parse(&twin(
                "from='smoke1df115@conference.meet.test/31b355df' ",
                ""
            )),
            Err(StanzaError::MissingAttr {
                what: "MUC presence",
                attr: "from"
            })
        );
        assert_eq!(
            MucPresence::parse(&twin("role='moderator'", "role='king'")),
            Err(StanzaError::InvalidAttr {
                what: "MUC presence",
                attr: "role",
                value: "king".into()
            })
        );
        assert_eq!(
            MucPresence::parse(&twin("affiliation='owner'", "affiliation='boss'")),
            Err(StanzaError::InvalidAttr {
                what: "MUC presence",
                attr: "affiliation",
                value: "boss".into()
            })
        );
        assert_eq!(
            MucPresence::parse(&twin("code='110'", "code='x'")),
            Err(StanzaError::InvalidAttr {
                what: "MUC presence",
                attr: "code",
                value: "x".into()
            })
        );
        assert_eq!(
            MucPresence::parse(&twin("<presence ", "<presence type='probe' ")),
            Err(StanzaError::InvalidAttr {
                what: "MUC presence",
                attr: "type",
                value: "probe".into()
            })
        );
        assert_eq!(
            MucPresence::parse(&twin("http://jabber.org/protocol/muc#user", "urn:x")),
            Err(StanzaError::Mismatch("MUC presence"))
        );
    }

    #[test]
    fn join_matches_the_recorded_one() {
        let recorded = fixture("out_muc_join.xml");
        assert_eq!(
            join(recorded.get_attr("to").unwrap(), Some("Moderator Panel")),
            recorded
        );
    }
}

//! The stanzas the test meeting's clients send and read, built as typed elements.

use server::xmpp::stanza::focus;
use server::xmpp::stanza::iq::Iq;

use crate::xml::Element;
use crate::{jid, ns};

pub use server::xmpp::stanza::muc::{join as muc_join, leave as muc_leave};

/// A `<conference/>` request to the focus for `room`.
pub fn conference_request(id: &str, focus_domain: &str, room: &str, machine_uid: &str) -> Element {
    Iq::request(
        "set",
        id,
        Some(focus_domain),
        focus::conference_request(room, machine_uid),
    )
}

/// An empty IQ result for `request`.
pub fn iq_result(request: &Element) -> Element {
    Element::new("iq", ns::CLIENT)
        .attr("type", "result")
        .attr_opt("to", request.get_attr("from"))
        .attr_opt("id", request.get_attr("id"))
}

/// An IQ error of type `cancel` with `condition` for `request`.
pub fn iq_error(request: &Element, condition: &str) -> Element {
    Element::new("iq", ns::CLIENT)
        .attr("type", "error")
        .attr_opt("to", request.get_attr("from"))
        .attr_opt("id", request.get_attr("id"))
        .child(
            Element::new("error", ns::CLIENT)
                .attr("type", "cancel")
                .child(Element::new(condition, ns::STANZAS)),
        )
}

/// A disco#info query to `to`, optionally for `node`.
pub fn disco_info(id: &str, to: &str, node: Option<&str>) -> Element {
    Element::new("iq", ns::CLIENT)
        .attr("type", "get")
        .attr("to", to)
        .attr("id", id)
        .child(Element::new("query", ns::DISCO_INFO).attr_opt("node", node))
}

/// A breakout-rooms command, as a moderator sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakoutCommand {
    Add {
        subject: Option<String>,
    },
    Remove {
        room: String,
    },
    Rename {
        room: String,
        subject: Option<String>,
    },
    MoveToRoom {
        participant: String,
        room: String,
    },
    /// Any other `type` value, for refusal tests.
    Other {
        kind: String,
    },
}

impl BreakoutCommand {
    /// The `<message/>` to the breakout component. `<breakout_rooms/>` is in the
    /// stanza's own namespace, as Jitsi clients send it.
    pub fn to_message(&self, component: &str) -> Element {
        let command = Element::new("breakout_rooms", ns::CLIENT);
        let command = match self {
            Self::Add { subject } => command
                .attr("type", "features/breakout-rooms/add")
                .attr_opt("subject", subject.clone()),
            Self::Remove { room } => command
                .attr("type", "features/breakout-rooms/remove")
                .attr("breakoutRoomJid", room.clone()),
            Self::Rename { room, subject } => command
                .attr("type", "features/breakout-rooms/rename")
                .attr("breakoutRoomJid", room.clone())
                .attr_opt("subject", subject.clone()),
            Self::MoveToRoom { participant, room } => command
                .attr("type", "features/breakout-rooms/move-to-room")
                .attr("participantJid", participant.clone())
                .attr("roomJid", room.clone()),
            Self::Other { kind } => command.attr("type", kind.clone()),
        };
        Element::new("message", ns::CLIENT)
            .attr("to", component)
            .child(command)
    }
}

/// The parts of a MUC presence the meeting's clients act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MucPresence {
    /// The occupant JID (`room/nick`).
    pub from: String,
    pub available: bool,
    /// The real JID, when the room shows it.
    pub real_jid: Option<String>,
    pub affiliation: Option<String>,
    pub role: Option<String>,
    /// XEP-0045 status codes.
    pub codes: Vec<u16>,
    /// `<destroy/>`: the room is gone; `jid` is where to go, `reason` why.
    pub destroy: Option<(Option<String>, Option<String>)>,
    pub display_name: Option<String>,
    /// The `<status/>` text (`switch_room` for a participant who moves).
    pub status: Option<String>,
    /// `<userinfo robot='true'/>`: a recorder, gateway or moderator panel.
    pub robot: bool,
    /// The `<identity/>` the server wrote from the occupant's token says
    /// `moderator` is `true`.
    pub token_moderator: bool,
}

impl MucPresence {
    /// Reads a presence carrying `<x xmlns='…muc#user'/>`; other elements give `None`.
    pub fn parse(element: &Element) -> Option<Self> {
        if !element.is("presence", ns::CLIENT) || element.get_attr("type") == Some("error") {
            return None;
        }
        let x = element.get_child("x", ns::MUC_USER)?;
        let item = x.get_child("item", ns::MUC_USER);
        Some(Self {
            from: element.get_attr("from")?.to_owned(),
            available: element.get_attr("type") != Some("unavailable"),
            real_jid: item.and_then(|i| i.get_attr("jid")).map(str::to_owned),
            affiliation: item
                .and_then(|i| i.get_attr("affiliation"))
                .map(str::to_owned),
            role: item.and_then(|i| i.get_attr("role")).map(str::to_owned),
            codes: x
                .children()
                .filter(|c| c.is("status", ns::MUC_USER))
                .filter_map(|c| c.get_attr("code")?.parse().ok())
                .collect(),
            destroy: x.get_child("destroy", ns::MUC_USER).map(|d| {
                (
                    d.get_attr("jid").map(str::to_owned),
                    d.get_child("reason", ns::MUC_USER)
                        .map(Element::text_content),
                )
            }),
            display_name: element
                .get_child("nick", ns::NICK)
                .map(Element::text_content),
            status: element
                .get_child("status", ns::CLIENT)
                .map(Element::text_content),
            robot: element
                .get_child("userinfo", ns::USERINFO)
                .and_then(|u| u.get_attr("robot"))
                == Some("true"),
            token_moderator: element
                .get_child("identity", ns::CLIENT)
                .and_then(|i| i.get_child("user", ns::CLIENT))
                .and_then(|u| u.get_child("moderator", ns::CLIENT))
                .is_some_and(|m| m.text_content() == "true"),
        })
    }

    /// True for the presence about the receiver itself (status 110).
    pub fn is_self(&self) -> bool {
        self.codes.contains(&110)
    }
}

/// The JSON body of a `<json-message/>` and the sender, if `element` is one.
pub fn json_message(element: &Element) -> Option<(String, serde_json::Value)> {
    if !element.is("message", ns::CLIENT) || element.get_attr("type") == Some("error") {
        return None;
    }
    let body = element
        .get_child("json-message", ns::JITMEET)?
        .text_content();
    let value = serde_json::from_str(&body).ok()?;
    Some((element.get_attr("from")?.to_owned(), value))
}

/// A groupchat message with a body, from an occupant (not the room itself,
/// nor a delayed copy from the room's history).
pub fn chat_message(element: &Element) -> Option<crate::participant::ChatMessage> {
    if !element.is("message", ns::CLIENT) || element.get_attr("type") != Some("groupchat") {
        return None;
    }
    if element.get_child("delay", "urn:xmpp:delay").is_some() {
        return None;
    }
    let from = element.get_attr("from")?;
    let body = element.get_child("body", ns::CLIENT)?.text_content();
    Some(crate::participant::ChatMessage {
        room: jid::bare(from).to_owned(),
        from: jid::resource(from)?.to_owned(),
        body,
        at_ms: 0,
    })
}

/// The identities of category `component` in a disco#info result: `(type, name)`.
pub fn component_identities(result: &Element) -> Vec<(String, String)> {
    result
        .get_child("query", ns::DISCO_INFO)
        .map(|q| {
            q.children()
                .filter(|c| {
                    c.is("identity", ns::DISCO_INFO) && c.get_attr("category") == Some("component")
                })
                .filter_map(|c| {
                    Some((
                        c.get_attr("type")?.to_owned(),
                        c.get_attr("name")?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

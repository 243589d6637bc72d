//! Jitsi's breakout-rooms protocol: the commands a moderator sends to the breakout
//! component and the `json-message` events it sends back.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{StanzaError, attr};
use crate::xmpp::ns;
use crate::xmpp::xml::Element;

/// A `<json-message xmlns='http://jitsi.org/jitmeet'/>` and its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonMessage {
    pub from: String,
    pub body: String,
}

const JSON_WHAT: &str = "json-message";

impl JsonMessage {
    pub fn parse(element: &Element) -> Result<Self, StanzaError> {
        if !element.is("message", ns::CLIENT) || element.get_attr("type") == Some("error") {
            return Err(StanzaError::Mismatch(JSON_WHAT));
        }
        let body = element
            .get_child("json-message", ns::JITMEET)
            .ok_or(StanzaError::Mismatch(JSON_WHAT))?;
        Ok(Self {
            from: attr(element, JSON_WHAT, "from")?.to_owned(),
            body: body.text_content(),
        })
    }

    /// Reads the body as a breakout-rooms event. Other Jitsi events (room metadata,
    /// speaker stats, …) give `Ok(None)`.
    pub fn breakout_event(&self) -> Result<Option<BreakoutEvent>, StanzaError> {
        let value =
            super::strict_json::parse(&self.body).map_err(|e| StanzaError::Json(e.to_string()))?;
        if value.get("type").and_then(|t| t.as_str()) != Some("breakout_rooms") {
            return Ok(None);
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| StanzaError::Json(e.to_string()))
    }
}

/// What the breakout component sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "event")]
pub enum BreakoutEvent {
    /// The full state of the meeting's rooms.
    #[serde(rename = "features/breakout-rooms/update")]
    Update(BreakoutUpdate),
    /// A moderator asked us to move to `room_jid`.
    #[serde(rename = "features/breakout-rooms/move-to-room")]
    MoveToRoom {
        #[serde(rename = "roomJid")]
        room_jid: String,
    },
}

/// `features/breakout-rooms/update`: a snapshot, never a delta.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BreakoutUpdate {
    #[serde(rename = "roomCounter", default)]
    pub room_counter: u64,
    /// Keyed by room node.
    pub rooms: BTreeMap<String, RoomPayload>,
}

/// One room of an update.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RoomPayload {
    pub id: String,
    pub jid: String,
    /// Breakout rooms: their name; the main room: its subject, absent when unset.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "isMainRoom", default)]
    pub is_main_room: bool,
    /// Keyed by occupant JID (`room/nick`).
    #[serde(default, deserialize_with = "participants")]
    pub participants: BTreeMap<String, ParticipantPayload>,
}

/// One participant of a room in an update.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ParticipantPayload {
    /// The real (connection) JID: what move commands address.
    pub jid: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
}

/// An empty Lua table may be encoded as `[]`; anything else must be an object.
fn participants<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, ParticipantPayload>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Table {
        Map(BTreeMap<String, ParticipantPayload>),
        Empty([(); 0]),
    }
    Ok(match Table::deserialize(d)? {
        Table::Map(map) => map,
        Table::Empty(_) => BTreeMap::new(),
    })
}

/// A command to the breakout component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakoutCommand {
    Add { subject: String },
    Remove { room: String },
    Rename { room: String, subject: String },
    MoveToRoom { participant: String, room: String },
}

impl BreakoutCommand {
    /// The `<message/>` to `component`. `<breakout_rooms/>` is in the stanza's own
    /// namespace: the component looks it up without a namespace.
    pub fn to_message(&self, component: &str) -> Element {
        let command = Element::new("breakout_rooms", ns::CLIENT);
        let command = match self {
            Self::Add { subject } => command
                .attr("type", "features/breakout-rooms/add")
                .attr("subject", subject),
            Self::Remove { room } => command
                .attr("type", "features/breakout-rooms/remove")
                .attr("breakoutRoomJid", room),
            Self::Rename { room, subject } => command
                .attr("type", "features/breakout-rooms/rename")
                .attr("breakoutRoomJid", room)
                .attr("subject", subject),
            Self::MoveToRoom { participant, room } => command
                .attr("type", "features/breakout-rooms/move-to-room")
                .attr("participantJid", participant)
                .attr("roomJid", room),
        };
        Element::new("message", ns::CLIENT)
            .attr("to", component)
            .child(command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::stanza::tests::{fixture, fixture_text};

    #[test]
    fn reads_the_recorded_update() {
        let message = JsonMessage::parse(&fixture("in_breakout_update_two_rooms.xml")).unwrap();
        assert_eq!(message.from, "breakout.meet.test");
        let Some(BreakoutEvent::Update(update)) = message.breakout_event().unwrap() else {
            panic!("an update")
        };
        assert_eq!(update.room_counter, 2);
        assert_eq!(update.rooms.len(), 3);
        let main = &update.rooms["smoke1df115"];
        assert!(main.is_main_room);
        assert_eq!(main.name, None);
        assert_eq!(main.jid, "smoke1df115@conference.meet.test");
        let me = &main.participants["smoke1df115@conference.meet.test/31b355df"];
        assert_eq!(me.display_name.as_deref(), Some("Moderator Panel"));
        assert_eq!(me.role.as_deref(), Some("moderator"));
        assert_eq!(
            me.jid,
            "da597bd6-04dd-4bb1-a076-b12fc480fbdb@meet.test/m-850fb5"
        );
        let b = &update.rooms["b6a7ada5-5508-499b-95e4-8e8d567a1621"];
        assert_eq!(b.name.as_deref(), Some("Room B"));
        assert!(!b.is_main_room && b.participants.is_empty());
    }

    #[test]
    fn reads_the_recorded_move_and_ignores_other_events() {
        let message = JsonMessage::parse(&fixture("in_move_to_room.xml")).unwrap();
        assert_eq!(
            message.breakout_event().unwrap(),
            Some(BreakoutEvent::MoveToRoom {
                room_jid: "b6a7ada5-5508-499b-95e4-8e8d567a1621@breakout.meet.test".into()
            })
        );
        let metadata = JsonMessage {
            from: "metadata.meet.test".into(),
            body: r#"{"metadata":{},"type":"room_metadata"}"#.into(),
        };
        assert_eq!(metadata.breakout_event(), Ok(None));
        let empty_list = JsonMessage {
            from: "b".into(),
            body: r#"{"type":"breakout_rooms","event":"features/breakout-rooms/update","roomCounter":0,"rooms":{"r":{"id":"r","jid":"r@c","participants":[]}}}"#.into(),
        };
        let Some(BreakoutEvent::Update(u)) = empty_list.breakout_event().unwrap() else {
            panic!()
        };
        assert!(u.rooms["r"].participants.is_empty());
    }

    #[test]
    fn malformed_twins_fail_with_their_reason() {
        let text = fixture_text("in_breakout_update_two_rooms.xml");
        let twin = |from: &str, to: &str| {
            JsonMessage::parse(&Element::parse(&text.replace(from, to)).unwrap())
        };
        assert_eq!(
            twin("from='breakout.meet.test' ", ""),
            Err(StanzaError::MissingAttr {
                what: "json-message",
                attr: "from"
            })
        );
        assert_eq!(
            twin("http://jitsi.org/jitmeet", "urn:x"),
            Err(StanzaError::Mismatch("json-message"))
        );
        let bad = twin("{&quot;rooms&quot;", "{&quot;rooms&quot;&quot;").unwrap();
        assert_eq!(
            bad.breakout_event(),
            Err(StanzaError::Json("expected `:` at line 1 column 9".into()))
        );
        let no_rooms = twin("&quot;rooms&quot;", "&quot;salar&quot;").unwrap();
        assert_eq!(
            no_rooms.breakout_event(),
            Err(StanzaError::Json("missing field `rooms`".into()))
        );
        // A key given twice (JSA-2023-0001): refused, not read one way or the other.
        let twice = twin(
            "{&quot;rooms&quot;",
            "{&quot;rooms&quot;:{},&quot;rooms&quot;",
        )
        .unwrap();
        assert!(
            matches!(twice.breakout_event(), Err(StanzaError::Json(m)) if m.contains("duplicate key `rooms`")),
            "{:?}",
            twice.breakout_event()
        );
        let bad_event = twin("breakout-rooms\\/update", "breakout-rooms\\/explode").unwrap();
        assert!(
            matches!(bad_event.breakout_event(), Err(StanzaError::Json(m)) if m.contains("unknown variant `features/breakout-rooms/explode`"))
        );
        let error = fixture("in_error_service_unavailable.xml");
        assert_eq!(
            JsonMessage::parse(&error),
            Err(StanzaError::Mismatch("json-message"))
        );
    }

    #[test]
    fn commands_match_the_recorded_ones() {
        let recorded = [
            (
                "out_breakout_add.xml",
                BreakoutCommand::Add {
                    subject: "Room A".into(),
                },
            ),
            (
                "out_breakout_rename.xml",
                BreakoutCommand::Rename {
                    room: "b6a7ada5-5508-499b-95e4-8e8d567a1621@breakout.meet.test".into(),
                    subject: "Renamed B".into(),
                },
            ),
            (
                "out_breakout_move.xml",
                BreakoutCommand::MoveToRoom {
                    participant: "94877a45-5768-40ce-9b31-f8c3179793aa@meet.test/p1-529fe0".into(),
                    room: "b6a7ada5-5508-499b-95e4-8e8d567a1621@breakout.meet.test".into(),
                },
            ),
            (
                "out_breakout_remove.xml",
                BreakoutCommand::Remove {
                    room: "a4e42ba2-71f1-4e5e-819a-0b75f58916d7@breakout.meet.test".into(),
                },
            ),
        ];
        for (name, command) in recorded {
            assert_eq!(
                command.to_message("breakout.meet.test"),
                fixture(name),
                "{name}"
            );
        }
    }
}

//! What the panel shows and asks for: a meeting's rooms and people, the link's
//! status, and the moderator's commands with their outcomes. Plain data, shared
//! by the server and the browser.

use serde::{Deserialize, Serialize};

/// Which meeting, on which tenant, as whom.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MeetingRef {
    /// The room name, as in the meeting's address.
    pub room: String,
    /// The tenant (`https://host/<tenant>/<room>`), if any.
    pub tenant: Option<String>,
}

impl MeetingRef {
    /// The board's path: `/<room>` or `/<tenant>/<room>`.
    pub fn path(&self) -> String {
        let encode = |s: &str| {
            s.replace('%', "%25")
                .replace('/', "%2F")
                .replace('?', "%3F")
                .replace('#', "%23")
        };
        match &self.tenant {
            Some(tenant) => format!("/{}/{}", encode(tenant), encode(&self.room)),
            None => format!("/{}", encode(&self.room)),
        }
    }

    /// Reads what a moderator typed: a room name, or a meeting address such as
    /// `https://meet.example/tenant/Room?x#y`.
    pub fn from_input(input: &str) -> Option<Self> {
        let input = input.trim();
        let path = match input.split_once("://") {
            Some((_, rest)) => rest.split_once('/').map(|(_, p)| p).unwrap_or(""),
            None => input,
        };
        let path = path.split(['?', '#']).next().unwrap_or("");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [room] => Some(Self {
                room: (*room).to_owned(),
                tenant: None,
            }),
            [tenant, room] => Some(Self {
                room: (*room).to_owned(),
                tenant: Some((*tenant).to_owned()),
            }),
            _ => None,
        }
    }
}

/// The state of the panel's link to the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkStatus {
    Connecting,
    Online,
    /// The link was lost; trying again.
    Reconnecting {
        attempt: u32,
        reason: String,
    },
    /// Back after a loss: the state was rebuilt from scratch.
    Resynced,
    /// Given up, for a reason reconnecting cannot fix.
    Failed {
        reason: String,
    },
    /// Left the meeting on purpose.
    Closed,
}

/// An occupant's MUC role, as the panel shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoleView {
    Moderator,
    Participant,
    Visitor,
}

/// One person in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantView {
    /// Stable across rooms: the occupant nick (Jitsi's endpoint id).
    pub id: String,
    /// As the participant set it: untrusted text.
    pub display_name: Option<String>,
    pub role: Option<RoleView>,
    /// The panel itself.
    pub is_me: bool,
}

/// A room and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomView {
    pub jid: String,
    /// Breakout rooms: their name; the main room: its subject, if set.
    pub name: Option<String>,
    pub is_main: bool,
    pub participants: Vec<ParticipantView>,
}

/// What the panel itself is in the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfView {
    pub id: String,
    pub display_name: String,
    pub role: Option<RoleView>,
    pub is_moderator: bool,
}

/// How a command (or one item of a bulk command) went.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutcomeState {
    /// Sent or queued; not yet confirmed by the meeting.
    Pending,
    Done,
    Failed {
        reason: String,
    },
    /// The participant got the move but did not follow it.
    NotMoved,
}

/// One tracked outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub id: u64,
    /// What it was, in plain words ("Move Erik to Grupprum 2").
    pub label: String,
    /// What it acts on: a participant's id, a room's JID, or a new room's name.
    pub subject: Option<String>,
    pub state: OutcomeState,
}

/// Everything the board shows, always the latest state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingView {
    pub meeting: MeetingRef,
    pub status: LinkStatus,
    pub me: Option<SelfView>,
    /// The deployment supports renaming rooms.
    pub can_rename: bool,
    pub main: RoomView,
    /// Breakout rooms, by name.
    pub rooms: Vec<RoomView>,
    /// Recent outcomes, oldest first.
    pub outcomes: Vec<Outcome>,
}

impl MeetingView {
    /// A meeting not joined yet: nobody in it, connecting.
    pub fn placeholder(meeting: MeetingRef) -> Self {
        Self {
            meeting,
            status: LinkStatus::Connecting,
            me: None,
            can_rename: false,
            main: RoomView {
                jid: String::new(),
                name: None,
                is_main: true,
                participants: Vec::new(),
            },
            rooms: Vec::new(),
            outcomes: Vec::new(),
        }
    }

    /// Every participant in every room.
    pub fn participant_count(&self) -> usize {
        self.main.participants.len()
            + self
                .rooms
                .iter()
                .map(|r| r.participants.len())
                .sum::<usize>()
    }

    /// The room a participant is in.
    pub fn room_of(&self, participant: &str) -> Option<&RoomView> {
        std::iter::once(&self.main)
            .chain(self.rooms.iter())
            .find(|r| r.participants.iter().any(|p| p.id == participant))
    }
}

/// Default room names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Language {
    #[default]
    Swedish,
    English,
}

/// A moderator's command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    CreateRoom {
        name: String,
    },
    /// `count` rooms named from `names`, or "Grupprum 1…N" / "Room 1…N".
    CreateRooms {
        count: usize,
        names: Vec<String>,
        language: Language,
    },
    RenameRoom {
        room: String,
        name: String,
    },
    /// Move everyone to the main room, then remove the room.
    CloseRoom {
        room: String,
    },
    /// Remove an empty room.
    RemoveRoom {
        room: String,
    },
    /// Move participants (by id) to a room (by JID; the main room's JID sends them back).
    Move {
        participants: Vec<String>,
        to: String,
    },
    /// Close every breakout room.
    SendEveryoneBack,
    /// Spread the main room's participants evenly over `rooms` (all rooms when empty).
    AutoAssign {
        rooms: Vec<String>,
        include_moderators: bool,
    },
}

/// Why a command was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    NotModerator,
    NotConnected,
    NoSuchRoom(String),
    NoSuchParticipant(String),
    BadName { name: String, reason: String },
    RoomOccupied(String),
    RenameUnsupported,
    Nothing(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotModerator => f.write_str("the panel is not a moderator in this meeting"),
            Self::NotConnected => f.write_str("the panel is not connected to the meeting"),
            Self::NoSuchRoom(room) => write!(f, "there is no room {room} in this meeting"),
            Self::NoSuchParticipant(id) => {
                write!(f, "there is no participant {id} in this meeting")
            }
            Self::BadName { name, reason } => write!(f, "the name {name:?} {reason}"),
            Self::RoomOccupied(room) => write!(f, "room {room} has people in it: close it instead"),
            Self::RenameUnsupported => f.write_str("this deployment cannot rename rooms"),
            Self::Nothing(what) => write!(f, "nothing to do: {what}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The outcome ids a command was given, one per item.
pub type Receipt = Vec<u64>;

/// Text-direction embeddings, overrides and isolates (not the plain LRM/RLM
/// marks): refused in names the panel sends, since they can disguise them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_input_and_paths() {
        let plain = MeetingRef::from_input(" Veckomöte ").unwrap();
        assert_eq!(
            plain,
            MeetingRef {
                room: "Veckomöte".into(),
                tenant: None
            }
        );
        assert_eq!(plain.path(), "/Veckomöte");
        let url = MeetingRef::from_input("https://meet.example/agency/Demo?jwt=x#config").unwrap();
        assert_eq!(
            url,
            MeetingRef {
                room: "Demo".into(),
                tenant: Some("agency".into())
            }
        );
        assert_eq!(url.path(), "/agency/Demo");
        assert_eq!(
            MeetingRef::from_input("https://meet.example/Demo")
                .unwrap()
                .tenant,
            None
        );
        assert_eq!(MeetingRef::from_input("a/b/c"), None);
        assert_eq!(MeetingRef::from_input("   "), None);
        assert_eq!(
            MeetingRef {
                room: "a/b?c".into(),
                tenant: None
            }
            .path(),
            "/a%2Fb%3Fc"
        );
    }
}

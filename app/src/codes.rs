//! How the board's enums travel: short text codes rather than serde's tagged
//! objects. A view reaches the browser many times a second, and each derived
//! enum costs the board's WebAssembly its own parser; a string and a `match`
//! cost little. Typed at both ends all the same.
//!
//! Fields of [`OutcomeKind`] follow its kind, each after a U+001F (which XML,
//! and so no name from the meeting, can carry); a room is empty for the main
//! room and `=<name>` for a breakout room, as is an optional room.

use crate::meeting::{
    FailReason, LinkReason, LinkStatus, OutcomeKind, OutcomeState, RoleView, RoomName,
};

const SEP: char = '\u{1f}';

impl From<LinkStatus> for String {
    fn from(status: LinkStatus) -> Self {
        match status {
            LinkStatus::NotJoined => "not-joined".into(),
            LinkStatus::Connecting => "connecting".into(),
            LinkStatus::Online => "online".into(),
            LinkStatus::Resynced => "resynced".into(),
            LinkStatus::Closed => "closed".into(),
            LinkStatus::Reconnecting { attempt, reason } => {
                format!("reconnecting:{attempt}:{}", String::from(reason))
            }
            LinkStatus::Failed { reason } => format!("failed:{}", String::from(reason)),
        }
    }
}

impl TryFrom<String> for LinkStatus {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let (code, rest) = text.split_once(':').unwrap_or((&text, ""));
        Ok(match code {
            "not-joined" => Self::NotJoined,
            "connecting" => Self::Connecting,
            "online" => Self::Online,
            "resynced" => Self::Resynced,
            "closed" => Self::Closed,
            "reconnecting" => {
                let (attempt, reason) = rest.split_once(':').ok_or_else(|| text.clone())?;
                Self::Reconnecting {
                    attempt: attempt.parse().map_err(|_| text.clone())?,
                    reason: LinkReason::try_from(reason.to_owned())?,
                }
            }
            "failed" => Self::Failed {
                reason: LinkReason::try_from(rest.to_owned())?,
            },
            _ => return Err(text),
        })
    }
}

impl From<RoleView> for String {
    fn from(role: RoleView) -> Self {
        match role {
            RoleView::Moderator => "moderator",
            RoleView::Participant => "participant",
            RoleView::Visitor => "visitor",
        }
        .into()
    }
}

impl TryFrom<String> for RoleView {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "moderator" => Ok(Self::Moderator),
            "participant" => Ok(Self::Participant),
            "visitor" => Ok(Self::Visitor),
            _ => Err(text),
        }
    }
}

impl From<OutcomeState> for String {
    fn from(state: OutcomeState) -> Self {
        match state {
            OutcomeState::Pending => "pending".into(),
            OutcomeState::Done => "done".into(),
            OutcomeState::NotMoved => "not-moved".into(),
            OutcomeState::Failed { reason } => format!("failed:{}", String::from(reason)),
        }
    }
}

impl TryFrom<String> for OutcomeState {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "pending" => Ok(Self::Pending),
            "done" => Ok(Self::Done),
            "not-moved" => Ok(Self::NotMoved),
            _ => match text.strip_prefix("failed:") {
                Some(reason) => Ok(Self::Failed {
                    reason: FailReason::try_from(reason.to_owned())?,
                }),
                None => Err(text),
            },
        }
    }
}

fn room(room: &RoomName) -> String {
    match room {
        RoomName::Main => String::new(),
        RoomName::Named(name) => format!("={name}"),
    }
}

fn maybe(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!("={n}")).unwrap_or_default()
}

fn room_of(field: &str) -> RoomName {
    match field.strip_prefix('=') {
        Some(name) => RoomName::Named(name.to_owned()),
        None => RoomName::Main,
    }
}

fn maybe_of(field: &str) -> Option<String> {
    field.strip_prefix('=').map(str::to_owned)
}

impl From<OutcomeKind> for String {
    fn from(kind: OutcomeKind) -> Self {
        let fields: Vec<String> = match kind {
            OutcomeKind::Create(name) => vec!["create".into(), name],
            OutcomeKind::Rename(r, name) => vec!["rename".into(), room(&r), name],
            OutcomeKind::Remove(r) => vec!["remove".into(), room(&r)],
            OutcomeKind::Move(who, to) => vec!["move".into(), who, room(&to)],
            OutcomeKind::Message(r) => vec!["message".into(), room(&r)],
            OutcomeKind::Timer(r, minutes) => vec!["timer".into(), maybe(&r), minutes.to_string()],
            OutcomeKind::TimerStopped(r) => vec!["timer-stop".into(), maybe(&r)],
        };
        fields.join(&SEP.to_string())
    }
}

impl TryFrom<String> for OutcomeKind {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        let fields: Vec<&str> = text.split(SEP).collect();
        Ok(match fields.as_slice() {
            ["create", name] => Self::Create((*name).to_owned()),
            ["rename", r, name] => Self::Rename(room_of(r), (*name).to_owned()),
            ["remove", r] => Self::Remove(room_of(r)),
            ["move", who, to] => Self::Move((*who).to_owned(), room_of(to)),
            ["message", r] => Self::Message(room_of(r)),
            ["timer", r, minutes] => {
                Self::Timer(maybe_of(r), minutes.parse().map_err(|_| text.clone())?)
            }
            ["timer-stop", r] => Self::TimerStopped(maybe_of(r)),
            _ => return Err(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T>(value: T)
    where
        T: Clone + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        let json = serde_json::to_string(&value).unwrap();
        assert!(json.starts_with('"'), "a string on the wire: {json}");
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
    }

    #[test]
    fn every_code_comes_back_as_it_went() {
        for status in [
            LinkStatus::NotJoined,
            LinkStatus::Connecting,
            LinkStatus::Online,
            LinkStatus::Resynced,
            LinkStatus::Closed,
            LinkStatus::Reconnecting {
                attempt: 3,
                reason: LinkReason::Network("reset: by peer".into()),
            },
            LinkStatus::Failed {
                reason: LinkReason::TokenRoom,
            },
        ] {
            round_trip(status);
        }
        for role in [
            RoleView::Moderator,
            RoleView::Participant,
            RoleView::Visitor,
        ] {
            round_trip(role);
        }
        for state in [
            OutcomeState::Pending,
            OutcomeState::Done,
            OutcomeState::NotMoved,
            OutcomeState::Failed {
                reason: FailReason::Refused("not-allowed".into()),
            },
        ] {
            round_trip(state);
        }
        for kind in [
            OutcomeKind::Create("Röd: 1, = 2".into()),
            OutcomeKind::Rename(RoomName::Named(String::new()), "=x".into()),
            OutcomeKind::Remove(RoomName::Named("Blå".into())),
            OutcomeKind::Move("Anna <b>".into(), RoomName::Main),
            OutcomeKind::Message(RoomName::Named("Grön".into())),
            OutcomeKind::Timer(None, 10),
            OutcomeKind::Timer(Some("Röd".into()), 5),
            OutcomeKind::TimerStopped(Some(String::new())),
            OutcomeKind::TimerStopped(None),
        ] {
            round_trip(kind);
        }
    }

    #[test]
    fn unknown_or_broken_codes_are_refused() {
        for bad in [
            "",
            "nope",
            "timer\u{1f}=a\u{1f}many",
            "move\u{1f}Anna",
            "failed:what",
        ] {
            let json = serde_json::to_string(bad).unwrap();
            assert!(serde_json::from_str::<OutcomeKind>(&json).is_err(), "{bad}");
            assert!(
                serde_json::from_str::<OutcomeState>(&json).is_err(),
                "{bad}"
            );
        }
        assert!(serde_json::from_str::<LinkStatus>("\"reconnecting:x:network\"").is_err());
        assert!(serde_json::from_str::<RoleView>("\"owner\"").is_err());
    }
}

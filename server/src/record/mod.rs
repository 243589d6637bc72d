//! The record of a meeting: who was in which room from when to when, and
//! the activity feed (who did what, including changes made in Jitsi), plus
//! the meeting's timers. Sessions write it through the [`Journal`] port;
//! the board exports it ([`export`], [`routes`]). How long it is kept is the
//! operator's choice ([`Retention`]).

pub mod export;
pub mod routes;

use app::meeting::MeetingRef;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

pub use app::plans::StorageError;

use crate::jitsi::timer::Timer;

/// One stay of one person in one room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stay {
    /// The participant's nick (Jitsi's endpoint id), stable across rooms.
    pub person: String,
    /// Their display name when they came.
    pub name: String,
    /// The identity a token deployment wrote into their presence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The room's name ("" for the main room without a subject).
    pub room: String,
    pub main_room: bool,
    /// Milliseconds since the Unix epoch.
    pub since_ms: u64,
    /// `None` while they are still there.
    pub until_ms: Option<u64>,
}

/// One settled item of the activity feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub at_ms: u64,
    /// `app::meeting::By` as it travels: `by:<name>`, `jitsi`, `here`, `elsewhere`.
    pub by: String,
    /// `app::meeting::OutcomeKind`, as JSON.
    pub what: String,
    /// `app::meeting::OutcomeState`, as JSON.
    pub state: String,
}

/// Everything kept of one meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub stays: Vec<Stay>,
    pub activity: Vec<Activity>,
}

/// Who a stored timer's session belongs to, so that it can be opened again
/// after a restart (never with a token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub id: String,
    pub display_name: Option<String>,
    pub signed_in: bool,
}

/// A meeting's stored timers and whose session keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTimers {
    pub meeting: MeetingRef,
    pub owner: Owner,
    pub timers: Vec<Timer>,
}

/// What a session writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Enter {
        meeting: String,
        stay: Stay,
    },
    Leave {
        meeting: String,
        person: String,
        at_ms: u64,
    },
    Activity {
        meeting: String,
        activity: Activity,
    },
    /// The meeting's timers now (none: forget them).
    Timers {
        meeting: MeetingRef,
        owner: Owner,
        timers: Vec<Timer>,
    },
    /// The panel left the meeting: open stays end; with `forget`, the whole
    /// record of the meeting goes.
    Left {
        meeting: String,
        at_ms: u64,
        forget: bool,
    },
}

/// Where the record is kept.
pub trait Journal: Send + Sync + 'static {
    /// Writes entries, in order.
    fn write<'a>(&'a self, entries: &'a [Entry]) -> BoxFuture<'a, Result<(), StorageError>>;

    /// The record of `meeting` (a board path, [`MeetingRef::path`]).
    fn record<'a>(&'a self, meeting: &'a str) -> BoxFuture<'a, Result<Record, StorageError>>;

    /// Every meeting's stored timers.
    fn timers(&self) -> BoxFuture<'_, Result<Vec<StoredTimers>, StorageError>>;

    /// Deletes what ended before `before_ms`; with `all`, every record
    /// (stays, activity) whatever its age, timers kept. With `close_open_at`
    /// (at start, when no session runs), stays still open end then. How many
    /// rows went.
    fn purge(
        &self,
        before_ms: u64,
        all: bool,
        close_open_at: Option<u64>,
    ) -> BoxFuture<'_, Result<u64, StorageError>>;
}

/// How long the record is kept after a meeting (`GRUPPRUM_RECORD_DAYS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention {
    /// 0: nothing is kept once the panel leaves the meeting.
    pub days: u32,
}

impl Retention {
    /// Most days a record may be kept.
    pub const MAX_DAYS: u32 = 3650;

    /// Reads `GRUPPRUM_RECORD_DAYS`: a whole number of days, 0 by default.
    pub fn from_setting(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("") => Ok(Self::default()),
            Some(text) => match text.parse::<u32>() {
                Ok(days) if days <= Self::MAX_DAYS => Ok(Self { days }),
                _ => Err(format!(
                    "GRUPPRUM_RECORD_DAYS must be a whole number of days from 0 to {}, not {text:?}",
                    Self::MAX_DAYS
                )),
            },
        }
    }

    /// What ended before this is deleted.
    pub fn cutoff(self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(u64::from(self.days) * 86_400_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_a_number_of_days_from_zero() {
        assert_eq!(Retention::from_setting(None), Ok(Retention { days: 0 }));
        assert_eq!(
            Retention::from_setting(Some(" 30 ")),
            Ok(Retention { days: 30 })
        );
        assert!(Retention::from_setting(Some("-1")).is_err());
        assert!(Retention::from_setting(Some("a week")).is_err());
        assert!(Retention::from_setting(Some("99999")).is_err());
        assert_eq!(
            Retention { days: 1 }.cutoff(100_000_000),
            100_000_000 - 86_400_000
        );
        assert_eq!(Retention { days: 0 }.cutoff(5), 5);
    }
}

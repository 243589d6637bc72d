//! Timers for one room or every room, kept by the meeting's session (stored,
//! so a restart keeps them): the minutes left after each room's name, a chat
//! warning before the end, and at zero the rooms close. Plain logic on the
//! clock it is given; the session sends what it asks for.

use std::collections::BTreeMap;

use app::i18n::Lang;
use app::meeting::{By, Language, MAX_TIMER_MINUTES, Refusal, RoomView};
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::plan::MAX_NAME_GRAPHEMES;

/// A minute, in milliseconds.
pub const MINUTE_MS: u64 = 60_000;
/// A rename of a room's suffix not seen in the meeting within this long is sent again.
const RESEND_MS: u64 = 10_000;
/// Between a room's name and its minutes left.
const SEPARATOR: &str = " · ";

/// One timer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// The breakout room's JID; `None`: every breakout room.
    pub room: Option<String>,
    /// When it ends, in milliseconds since the Unix epoch.
    pub ends_ms: u64,
    /// Minutes before the end to send the warning.
    #[serde(default)]
    pub warn: Option<u32>,
    #[serde(default)]
    pub warned: bool,
    /// The minutes left follow the rooms' names.
    #[serde(default)]
    pub suffix: bool,
    #[serde(default)]
    pub language: Language,
    /// Who set it: its closing is theirs.
    pub by: By,
}

/// What a timer asks the session to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Rename a room (by JID) to show the minutes left, or to its own name again.
    Rename { room: String, name: String },
    /// Send the warning to these rooms (JIDs; empty: every breakout room).
    Warn {
        rooms: Vec<String>,
        text: String,
        by: By,
    },
    /// Close this room (a JID), or every room (`None`).
    Close { room: Option<String>, by: By },
}

/// The meeting's timers.
#[derive(Debug)]
pub struct Timers {
    list: Vec<Timer>,
    /// A minute, in milliseconds ([`MINUTE_MS`]; shorter in tests).
    minute_ms: u64,
    /// Renames sent for the suffix, by room: the name and when.
    sent: BTreeMap<String, (String, u64)>,
    /// Rooms whose names a timer gave the minutes left.
    named: std::collections::BTreeSet<String>,
}

impl Default for Timers {
    fn default() -> Self {
        Self::from_stored(Vec::new(), MINUTE_MS)
    }
}

impl Timers {
    pub fn from_stored(list: Vec<Timer>, minute_ms: u64) -> Self {
        Self {
            list,
            minute_ms: minute_ms.max(1),
            sent: BTreeMap::new(),
            named: std::collections::BTreeSet::new(),
        }
    }

    pub fn list(&self) -> &[Timer] {
        &self.list
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Nothing to do: no timer, and no room left with a timer's minutes.
    pub fn is_idle(&self) -> bool {
        self.list.is_empty() && self.named.is_empty()
    }

    /// Checks and sets a timer for each room of `rooms` (JIDs, none: every
    /// room), replacing any it had.
    #[allow(clippy::too_many_arguments)]
    pub fn set(
        &mut self,
        rooms: &[String],
        minutes: u32,
        warn: Option<u32>,
        suffix: bool,
        language: Language,
        by: By,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        let bad = Refusal::BadTimer {
            max: MAX_TIMER_MINUTES,
        };
        if !(1..=MAX_TIMER_MINUTES).contains(&minutes) {
            return Err(bad);
        }
        if warn.is_some_and(|w| w == 0 || w >= minutes) {
            return Err(bad);
        }
        let targets: Vec<Option<String>> = if rooms.is_empty() {
            vec![None]
        } else {
            rooms.iter().cloned().map(Some).collect()
        };
        for room in targets {
            self.list.retain(|t| t.room != room);
            self.list.push(Timer {
                room,
                ends_ms: now_ms + u64::from(minutes) * self.minute_ms,
                warn,
                warned: false,
                suffix,
                language,
                by: by.clone(),
            });
        }
        Ok(())
    }

    /// Stops the timers of `rooms` (none: the one for every room); the rooms
    /// get their own names back. The timers stopped, as the rooms they were for.
    pub fn stop(&mut self, rooms: &[String]) -> Result<Vec<Option<String>>, Refusal> {
        let targets: Vec<Option<String>> = if rooms.is_empty() {
            vec![None]
        } else {
            rooms.iter().cloned().map(Some).collect()
        };
        let before = self.list.len();
        self.list.retain(|t| !targets.contains(&t.room));
        if self.list.len() == before {
            return Err(Refusal::NoTimer);
        }
        Ok(targets)
    }

    /// Drops the timers of rooms that are gone. True when any went.
    pub fn forget_missing(&mut self, rooms: &[(String, String)]) -> bool {
        let before = self.list.len();
        self.list.retain(|t| {
            t.room
                .as_deref()
                .is_none_or(|r| rooms.iter().any(|(j, _)| j == r))
        });
        self.list.len() != before
    }

    /// When the timer covering `room` ends: its own, or the one for every room,
    /// whichever comes first.
    pub fn ends_for(&self, room: &str) -> Option<u64> {
        self.list
            .iter()
            .filter(|t| t.room.as_deref().is_none_or(|r| r == room))
            .map(|t| t.ends_ms)
            .min()
    }

    /// When the timer for every room ends.
    pub fn ends_for_all(&self) -> Option<u64> {
        self.list
            .iter()
            .find(|t| t.room.is_none())
            .map(|t| t.ends_ms)
    }

    /// Puts the end of each room's timer into the view's rooms.
    pub fn show(&self, rooms: &mut [RoomView]) {
        for room in rooms {
            room.ends = self.ends_for(&room.jid);
        }
    }

    /// What is due at `now_ms`, given the breakout rooms (JID, name). Timers
    /// that end are dropped; `changed` says whether what is stored changed.
    pub fn due(&mut self, rooms: &[(String, String)], now_ms: u64) -> (Vec<Due>, bool) {
        let mut due = Vec::new();
        let mut changed = false;
        let mut kept = Vec::with_capacity(self.list.len());
        for mut timer in std::mem::take(&mut self.list) {
            if now_ms >= timer.ends_ms {
                due.push(Due::Close {
                    room: timer.room.clone(),
                    by: timer.by.clone(),
                });
                changed = true;
                continue;
            }
            if let Some(warn) = timer.warn
                && !timer.warned
                && now_ms + u64::from(warn) * self.minute_ms >= timer.ends_ms
            {
                timer.warned = true;
                changed = true;
                due.push(Due::Warn {
                    rooms: timer.room.iter().cloned().collect(),
                    text: warning(
                        timer.language,
                        minutes_left(timer.ends_ms, now_ms, self.minute_ms),
                    ),
                    by: timer.by.clone(),
                });
            }
            kept.push(timer);
        }
        self.list = kept;
        due.extend(self.renames(rooms, now_ms));
        (due, changed)
    }

    /// The renames that put each room's name in line with its timer: the
    /// minutes left with a suffix timer, its own name without.
    fn renames(&mut self, rooms: &[(String, String)], now_ms: u64) -> Vec<Due> {
        let mut due = Vec::new();
        for (jid, name) in rooms {
            let suffixed = self
                .list
                .iter()
                .filter(|t| t.suffix && t.room.as_deref().is_none_or(|r| r == jid))
                .map(|t| t.ends_ms)
                .min();
            let wanted = match suffixed {
                Some(ends) => {
                    with_minutes(base_name(name), minutes_left(ends, now_ms, self.minute_ms))
                }
                // A room no timer named keeps its name, whatever it looks like.
                None if self.named.contains(jid) => base_name(name).to_owned(),
                None => continue,
            };
            if &wanted == name {
                self.sent.remove(jid);
                if suffixed.is_none() {
                    self.named.remove(jid);
                }
                continue;
            }
            if suffixed.is_some() {
                self.named.insert(jid.clone());
            }
            let fresh = self
                .sent
                .get(jid)
                .is_some_and(|(n, at)| *n == wanted && now_ms < at + RESEND_MS);
            if !fresh {
                self.sent.insert(jid.clone(), (wanted.clone(), now_ms));
                due.push(Due::Rename {
                    room: jid.clone(),
                    name: wanted,
                });
            }
        }
        self.sent
            .retain(|jid, _| rooms.iter().any(|(j, _)| j == jid));
        self.named.retain(|jid| rooms.iter().any(|(j, _)| j == jid));
        due
    }
}

/// Whole minutes left, rounded up: "5 min" from 5:00 down to 4:01.
pub fn minutes_left(ends_ms: u64, now_ms: u64, minute_ms: u64) -> u64 {
    ends_ms.saturating_sub(now_ms).div_ceil(minute_ms)
}

/// A room's name without a timer's minutes: "Grupprum 1 · 5 min" is "Grupprum 1".
pub fn base_name(name: &str) -> &str {
    match name.rsplit_once(SEPARATOR) {
        Some((base, tail))
            if tail
                .strip_suffix(" min")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            base
        }
        _ => name,
    }
}

/// "Grupprum 1 · 5 min", the name cut so that the whole stays a valid name.
pub fn with_minutes(base: &str, minutes: u64) -> String {
    let suffix = format!("{SEPARATOR}{minutes} min");
    let room = MAX_NAME_GRAPHEMES.saturating_sub(suffix.graphemes(true).count());
    let cut: String = base.graphemes(true).take(room).collect();
    format!("{}{suffix}", cut.trim_end())
}

/// The warning's words in the timer's language.
pub fn warning(language: Language, minutes: u64) -> String {
    match language {
        Language::Swedish => Lang::Sv,
        Language::English => Lang::En,
    }
    .timer_warning(minutes)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_000_000_000;

    fn rooms(names: &[(&str, &str)]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|(j, n)| ((*j).to_owned(), (*n).to_owned()))
            .collect()
    }

    fn set_all(timers: &mut Timers, minutes: u32, warn: Option<u32>, suffix: bool) {
        timers
            .set(
                &[],
                minutes,
                warn,
                suffix,
                Language::English,
                By::Moderator("Kim".into()),
                T0,
            )
            .unwrap();
    }

    #[test]
    fn names_carry_the_minutes_left_and_lose_them_again() {
        assert_eq!(base_name("Grupprum 1 · 5 min"), "Grupprum 1");
        assert_eq!(base_name("Grupprum 1 · fem min"), "Grupprum 1 · fem min");
        assert_eq!(base_name("Grupprum 1"), "Grupprum 1");
        assert_eq!(with_minutes("Grupprum 1", 5), "Grupprum 1 · 5 min");
        let long = "x".repeat(80);
        let named = with_minutes(&long, 120);
        assert_eq!(named.graphemes(true).count(), MAX_NAME_GRAPHEMES);
        assert!(named.ends_with(" · 120 min"));
        assert_eq!(minutes_left(T0 + 5 * MINUTE_MS, T0, MINUTE_MS), 5);
        assert_eq!(minutes_left(T0 + 5 * MINUTE_MS, T0 + 1, MINUTE_MS), 5);
        assert_eq!(
            minutes_left(T0 + 5 * MINUTE_MS, T0 + MINUTE_MS, MINUTE_MS),
            4
        );
        assert_eq!(minutes_left(T0, T0 + 1, MINUTE_MS), 0);
    }

    #[test]
    fn refuses_timers_out_of_range_and_warnings_after_the_end() {
        let mut timers = Timers::default();
        let by = By::Here;
        let set = |t: &mut Timers, m, w| t.set(&[], m, w, false, Language::Swedish, by.clone(), T0);
        assert!(set(&mut timers, 0, None).is_err());
        assert!(set(&mut timers, MAX_TIMER_MINUTES + 1, None).is_err());
        assert!(set(&mut timers, 5, Some(5)).is_err());
        assert!(set(&mut timers, 5, Some(0)).is_err());
        assert!(timers.is_empty());
        assert!(set(&mut timers, 5, Some(2)).is_ok());
        assert_eq!(timers.stop(&["r1".into()]), Err(Refusal::NoTimer));
        assert_eq!(timers.stop(&[]), Ok(vec![None]));
        assert!(timers.is_empty());
    }

    #[test]
    fn a_timer_renames_warns_once_and_closes_at_zero() {
        let mut timers = Timers::default();
        set_all(&mut timers, 5, Some(2), true);
        let list = rooms(&[("r1", "Room 1"), ("r2", "Room 2")]);
        let (due, changed) = timers.due(&list, T0);
        assert!(!changed);
        assert_eq!(
            due,
            vec![
                Due::Rename {
                    room: "r1".into(),
                    name: "Room 1 · 5 min".into()
                },
                Due::Rename {
                    room: "r2".into(),
                    name: "Room 2 · 5 min".into()
                },
            ]
        );
        // Sent once, not on every tick.
        assert!(timers.due(&list, T0 + 200).0.is_empty());
        let renamed = rooms(&[("r1", "Room 1 · 5 min"), ("r2", "Room 2 · 5 min")]);
        assert!(timers.due(&renamed, T0 + 30_000).0.is_empty());
        // A minute on, the next number.
        let (due, _) = timers.due(&renamed, T0 + MINUTE_MS + 1);
        assert!(due.contains(&Due::Rename {
            room: "r1".into(),
            name: "Room 1 · 4 min".into()
        }));
        // Two minutes before the end, the warning, once.
        let (due, changed) = timers.due(&renamed, T0 + 3 * MINUTE_MS);
        assert!(changed);
        assert!(due.contains(&Due::Warn {
            rooms: vec![],
            text: "2 minutes left".into(),
            by: By::Moderator("Kim".into())
        }));
        let (due, _) = timers.due(&renamed, T0 + 3 * MINUTE_MS + 100);
        assert!(!due.iter().any(|d| matches!(d, Due::Warn { .. })));
        // At zero, every room closes and the timer is gone.
        let (due, changed) = timers.due(&renamed, T0 + 5 * MINUTE_MS);
        assert!(changed);
        assert!(due.contains(&Due::Close {
            room: None,
            by: By::Moderator("Kim".into())
        }));
        assert!(timers.is_empty());
    }

    #[test]
    fn a_stopped_timer_gives_the_rooms_their_names_back() {
        let mut timers = Timers::default();
        timers
            .set(
                &["r1".into()],
                10,
                None,
                true,
                Language::Swedish,
                By::Here,
                T0,
            )
            .unwrap();
        let before = rooms(&[("r1", "Room 1"), ("r2", "Café · 3 min")]);
        assert_eq!(timers.ends_for("r1"), Some(T0 + 10 * MINUTE_MS));
        assert_eq!(timers.ends_for("r2"), None);
        assert_eq!(timers.due(&before, T0).0.len(), 1);
        let list = rooms(&[("r1", "Room 1 · 10 min"), ("r2", "Café · 3 min")]);
        assert_eq!(timers.due(&list, T0).0, vec![]);
        timers.stop(&["r1".into()]).unwrap();
        let (due, _) = timers.due(&list, T0 + 1000);
        // The room the timer named gets its name back; a room whose own name
        // looks like a suffix, and that no timer renamed, keeps it.
        assert_eq!(
            due,
            vec![Due::Rename {
                room: "r1".into(),
                name: "Room 1".into()
            }]
        );
    }

    #[test]
    fn the_earliest_timer_covers_a_room_and_stored_timers_come_back() {
        let mut timers = Timers::default();
        set_all(&mut timers, 30, None, false);
        timers
            .set(
                &["r1".into()],
                10,
                None,
                false,
                Language::English,
                By::Here,
                T0,
            )
            .unwrap();
        assert_eq!(timers.ends_for("r1"), Some(T0 + 10 * MINUTE_MS));
        assert_eq!(timers.ends_for("r2"), Some(T0 + 30 * MINUTE_MS));
        assert_eq!(timers.ends_for_all(), Some(T0 + 30 * MINUTE_MS));
        let stored = serde_json::to_string(timers.list()).unwrap();
        let back = Timers::from_stored(serde_json::from_str(&stored).unwrap(), MINUTE_MS);
        assert_eq!(back.list(), timers.list());
        assert_eq!(warning(Language::Swedish, 1), "1 minut kvar");
        assert_eq!(warning(Language::Swedish, 2), "2 minuter kvar");
    }
}

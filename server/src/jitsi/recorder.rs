//! Writes the record of a meeting as the session sees it: each person's
//! stays in rooms (from the meeting's state, while the panel is in it), and
//! each item of the activity feed once it has settled.

use std::collections::{BTreeMap, BTreeSet};

use app::meeting::{MeetingView, OutcomeState};
use tokio::sync::mpsc;

use super::model::Model;
use crate::record::{Activity, Entry, Stay};

/// Where the session's record goes, and what it has written.
pub struct Recorder {
    meeting: String,
    journal: Option<mpsc::UnboundedSender<Entry>>,
    /// Where each person was last written to be: nick → room JID.
    placed: BTreeMap<String, String>,
    /// Feed items written.
    written: BTreeSet<u64>,
}

impl Recorder {
    pub fn new(meeting: String, journal: Option<mpsc::UnboundedSender<Entry>>) -> Self {
        Self {
            meeting,
            journal,
            placed: BTreeMap::new(),
            written: BTreeSet::new(),
        }
    }

    fn send(&self, entry: Entry) {
        if let Some(journal) = &self.journal
            && journal.send(entry).is_err()
        {
            tracing::warn!(meeting = %self.meeting, "the record's writer has stopped");
        }
    }

    /// Writes who moved where since the last look, and the feed items that
    /// have settled. Call only while the panel is in the meeting: a lost link
    /// is not everyone leaving.
    pub fn observe(&mut self, model: &Model, view: &MeetingView, now_ms: u64) {
        if self.journal.is_none() {
            return;
        }
        let rooms: BTreeMap<String, String> = model.breakout_rooms().into_iter().collect();
        let main = model.main_jid().to_owned();
        let now: BTreeMap<String, (String, Option<String>)> = model
            .everyone()
            .into_iter()
            .map(|(nick, w)| (nick, (w.room, w.display_name)))
            .collect();
        for (nick, room) in &self.placed {
            if now.get(nick).is_none_or(|(r, _)| r != room) {
                self.send(Entry::Leave {
                    meeting: self.meeting.clone(),
                    person: nick.clone(),
                    at_ms: now_ms,
                });
            }
        }
        for (nick, (room, name)) in &now {
            if self.placed.get(nick) == Some(room) {
                continue;
            }
            let main_room = *room == main;
            let room_name = if main_room {
                view.main.name.clone().unwrap_or_default()
            } else {
                rooms.get(room).cloned().unwrap_or_default()
            };
            self.send(Entry::Enter {
                meeting: self.meeting.clone(),
                stay: Stay {
                    person: nick.clone(),
                    name: name.clone().unwrap_or_default(),
                    identity: model.identity_of(nick).map(str::to_owned),
                    room: room_name,
                    main_room,
                    since_ms: now_ms,
                    until_ms: None,
                },
            });
        }
        self.placed = now.into_iter().map(|(n, (r, _))| (n, r)).collect();

        for outcome in &view.outcomes {
            if outcome.state == OutcomeState::Pending || self.written.contains(&outcome.id) {
                continue;
            }
            self.written.insert(outcome.id);
            self.send(Entry::Activity {
                meeting: self.meeting.clone(),
                activity: Activity {
                    at_ms: now_ms,
                    by: String::from(outcome.by.clone()),
                    what: serde_json::to_string(&outcome.kind).unwrap_or_default(),
                    state: serde_json::to_string(&outcome.state).unwrap_or_default(),
                },
            });
        }
        // Only what the view still holds can come again.
        if let Some(oldest) = view.outcomes.iter().map(|o| o.id).min() {
            self.written.retain(|id| *id >= oldest);
        }
    }

    /// The panel leaves the meeting: every open stay ends, and with `forget`
    /// the record goes.
    pub fn leave(&mut self, now_ms: u64, forget: bool) {
        self.placed.clear();
        self.send(Entry::Left {
            meeting: self.meeting.clone(),
            at_ms: now_ms,
            forget,
        });
    }
}

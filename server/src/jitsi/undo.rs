//! Undo: before a move, an auto-assign, a close or "send everyone back", the
//! session notes where the people it touches are and which rooms it closes.
//! Undoing brings them back there, the closed rooms under their names, for
//! [`UNDO_SECONDS`] after the command.

use std::time::Duration;

use tokio::time::Instant;

use app::meeting::{By, Command, RoomName, UNDO_SECONDS, UndoView, Undoable};

use super::model::Model;

/// What undoing a command restores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undo {
    pub what: Undoable,
    pub by: By,
    pub at: Instant,
    /// Rooms the command closes, by name.
    pub rooms: Vec<String>,
    /// Where each person it moves was, by id.
    pub moves: Vec<(String, RoomName)>,
    /// The command's outcomes: those not sent yet are dropped by the undo.
    pub receipt: Vec<u64>,
}

/// How long a command can be undone.
pub const WINDOW: Duration = Duration::from_secs(UNDO_SECONDS);

fn room_of(model: &Model, nick: &str) -> Option<RoomName> {
    let w = model.find(nick)?;
    if w.room == model.main_jid() {
        return Some(RoomName::Main);
    }
    model
        .breakout_rooms()
        .into_iter()
        .find(|(j, _)| *j == w.room)
        .map(|(_, n)| RoomName::Named(n))
}

fn everyone_in(model: &Model, jid: &str, name: &str) -> Vec<(String, RoomName)> {
    model
        .people_in(jid)
        .into_iter()
        .map(|nick| (nick, RoomName::Named(name.to_owned())))
        .collect()
}

impl Undo {
    /// What undoing `command` would take, noted before it is carried out;
    /// `None` for commands that cannot be undone.
    pub fn before(model: &Model, command: &Command, by: &By, at: Instant) -> Option<Self> {
        let (what, rooms, moves) = match command {
            Command::Move { participants, .. } => (
                Undoable::Move,
                Vec::new(),
                participants
                    .iter()
                    .filter_map(|p| Some((p.clone(), room_of(model, p)?)))
                    .collect(),
            ),
            Command::AutoAssign { .. } => (
                Undoable::AutoAssign,
                Vec::new(),
                model
                    .people_in(model.main_jid())
                    .into_iter()
                    .map(|nick| (nick, RoomName::Main))
                    .collect(),
            ),
            Command::CloseRoom { room } => {
                let name = model
                    .breakout_rooms()
                    .into_iter()
                    .find(|(j, _)| j == room)?
                    .1;
                (
                    Undoable::Close,
                    vec![name.clone()],
                    everyone_in(model, room, &name),
                )
            }
            Command::SendEveryoneBack => {
                let rooms = model.breakout_rooms();
                (
                    Undoable::SendEveryoneBack,
                    rooms.iter().map(|(_, n)| n.clone()).collect(),
                    rooms
                        .iter()
                        .flat_map(|(j, n)| everyone_in(model, j, n))
                        .collect(),
                )
            }
            _ => return None,
        };
        Some(Self {
            what,
            by: by.clone(),
            at,
            rooms,
            moves,
            receipt: Vec::new(),
        })
    }

    /// Still within its minute at `now`.
    pub fn is_fresh(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.at) < WINDOW
    }

    pub fn view(&self) -> UndoView {
        UndoView {
            what: self.what,
            by: self.by.clone(),
        }
    }
}

//! Late joiners: people who join while the breakout rooms are open. They stay
//! in the main room (and the board counts them), the opened plan places those
//! it names, or each goes to the room with fewest people.

use std::collections::BTreeSet;

use app::meeting::{By, LateJoiners, RoomName};
use app::plans::PlannedPerson;

use super::model::Model;
use super::model::Whereabouts;
use crate::plans::matching::{Found, Index};
use crate::xmpp::stanza::muc::Role;

/// Who has arrived, and what to do with them.
#[derive(Debug, Clone, Default)]
pub struct Arrivals {
    pub policy: LateJoiners,
    /// The opened plan's people who are not here yet, and their rooms.
    planned: Vec<(PlannedPerson, String)>,
    /// Everyone seen since the policy or plan took effect, by nick.
    known: BTreeSet<String>,
    /// `known` holds the meeting as it was when watching began.
    started: bool,
    /// Who chose the policy or opened the plan: the placements are theirs.
    pub by: By,
}

impl Arrivals {
    /// From now on, with the people `planned` (the opened plan's people not
    /// here yet) and everyone here now known.
    pub fn watch(&mut self, model: &Model, planned: Vec<(PlannedPerson, String)>, by: By) {
        self.planned = planned;
        self.by = by;
        self.known = model.everyone().into_iter().map(|(n, _)| n).collect();
        self.started = true;
    }

    /// A new policy, everyone here now known.
    pub fn set_policy(&mut self, model: &Model, policy: LateJoiners, by: By) {
        self.policy = policy;
        self.by = by;
        self.known = model.everyone().into_iter().map(|(n, _)| n).collect();
        self.started = true;
    }

    /// The opened plan's people still expected.
    pub fn expected(&self) -> usize {
        self.planned.len()
    }

    /// People in the main room, the panel aside, while breakout rooms are open.
    pub fn waiting(model: &Model) -> usize {
        if model.breakout_rooms().is_empty() {
            return 0;
        }
        model
            .everyone()
            .iter()
            .filter(|(_, w)| w.room == model.main_jid() && w.role != Some(Role::Moderator))
            .count()
    }

    /// The newcomers since the last call, and where each goes.
    pub fn due(&mut self, model: &Model) -> Vec<(String, RoomName)> {
        let everyone = model.everyone();
        if !self.started {
            self.known = everyone.into_iter().map(|(n, _)| n).collect();
            self.started = true;
            return Vec::new();
        }
        let new: Vec<_> = everyone
            .iter()
            .filter(|(n, _)| !self.known.contains(n))
            .collect();
        if new.is_empty() {
            return Vec::new();
        }
        for (n, _) in &new {
            self.known.insert(n.clone());
        }
        let main = model.main_jid();
        let newcomers: Vec<(String, Whereabouts)> = new
            .into_iter()
            .filter(|(_, w)| w.room == main)
            .cloned()
            .collect();
        match self.policy {
            LateJoiners::Stay => Vec::new(),
            LateJoiners::ByPlan => {
                // Matched among everyone here, so that a newcomer who shares a
                // name with someone present, or a name the plan has twice, is
                // not placed by a guess.
                let everyone = model.everyone();
                let present = super::draft::present(model, &everyone);
                let index = Index::new(&present);
                let fresh: BTreeSet<&str> = newcomers.iter().map(|(n, _)| n.as_str()).collect();
                let mut names: std::collections::HashMap<String, usize> = Default::default();
                for (person, _) in &self.planned {
                    *names
                        .entry(crate::plans::matching::key(&person.name))
                        .or_default() += 1;
                }
                let twice = |person: &PlannedPerson| {
                    person.identity.is_none()
                        && names.get(&crate::plans::matching::key(&person.name)) > Some(&1)
                };
                let mut placed = Vec::new();
                let mut taken = BTreeSet::new();
                self.planned.retain(|(person, room)| {
                    match index.find(person, |id| !taken.contains(id)) {
                        Found::One(nick) if fresh.contains(nick.as_str()) && !twice(person) => {
                            taken.insert(nick.clone());
                            placed.push((nick, RoomName::Named(room.clone())));
                            false
                        }
                        _ => true,
                    }
                });
                placed
            }
            LateJoiners::Smallest => {
                let mut rooms: Vec<(usize, String)> = model
                    .breakout_rooms()
                    .into_iter()
                    .map(|(j, n)| (model.people_in(&j).len() + model.arriving(&j).len(), n))
                    .collect();
                if rooms.is_empty() {
                    return Vec::new();
                }
                newcomers
                    .into_iter()
                    .filter(|(_, w)| w.role != Some(Role::Moderator))
                    .filter_map(|(n, _)| {
                        let smallest = rooms.iter_mut().min_by_key(|(count, _)| *count)?;
                        smallest.0 += 1;
                        Some((n.clone(), RoomName::Named(smallest.1.clone())))
                    })
                    .collect()
            }
        }
    }
}

//! The meeting as the panel knows it: a pure fold of MUC presences and breakout
//! updates into one view, plus the outcome of every command. No I/O, no tokio:
//! time comes in as an argument.
//!
//! Presences keep the main room fresh (updates do not follow role or name changes);
//! updates give the breakout rooms. A command's outcome is confirmed only by what
//! the meeting later shows, or times out.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use app::meeting::{
    By, FailReason, LinkStatus, MeetingRef, MeetingView, Outcome, OutcomeKind, OutcomeState,
    ParticipantView, Progress, RoleView, RoomName, RoomView, SelfView,
};

use crate::xmpp::jid;
use crate::xmpp::stanza::jitsi::BreakoutUpdate;
use crate::xmpp::stanza::muc::{Affiliation, MucPresence, Role};

/// Settled outcomes kept for the view; pending ones are always kept.
const MAX_OUTCOMES: usize = 200;
/// Commands given up on that are still recognised when the meeting shows them late.
const MAX_LATE: usize = 200;
/// Longest display name shown, in grapheme clusters; longer ones are cut.
pub const MAX_SHOWN_NAME: usize = 128;
/// The focus's nick; it is never shown.
const FOCUS_NICK: &str = "focus";

/// The panel's own occupant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me {
    pub nick: String,
    pub real_jid: String,
    pub display_name: String,
    pub role: Option<Role>,
    pub affiliation: Option<Affiliation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Occupant {
    real_jid: Option<String>,
    display_name: Option<String>,
    role: Option<Role>,
    affiliation: Option<Affiliation>,
}

/// What confirms a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A room with this name appears that was not there before.
    RoomAdded {
        name: String,
        before: BTreeSet<String>,
    },
    RoomRenamed {
        room: String,
        name: String,
    },
    RoomRemoved {
        room: String,
    },
    /// Participant (by nick) shows up in room `to`.
    Moved {
        participant: String,
        to: String,
    },
}

#[derive(Debug, Clone)]
struct Pending {
    id: u64,
    expect: Expect,
    timeout: Duration,
    /// Set when the command has been sent.
    deadline: Option<Instant>,
}

/// Where a participant is and how to address it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whereabouts {
    pub real_jid: String,
    pub room: String,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// Known from presences in the main room only.
    pub affiliation: Option<Affiliation>,
}

/// The meeting.
#[derive(Debug, Clone)]
pub struct Model {
    meeting: MeetingRef,
    main_jid: String,
    status: LinkStatus,
    me: Option<Me>,
    occupants: BTreeMap<String, Occupant>,
    update: Option<BreakoutUpdate>,
    can_rename: bool,
    /// The last real JID and name seen for each nick, also for people between rooms.
    last_seen: BTreeMap<String, (String, Option<String>)>,
    /// The room each participant was last seen in, by nick: a change that
    /// no command of ours expects was made in Jitsi.
    last_room: BTreeMap<String, String>,
    pending: Vec<Pending>,
    /// Commands given up on (timed out), most recent last: the meeting may
    /// still show them, late.
    late: VecDeque<(u64, Expect)>,
    /// Who a change no command of ours expects is put down to: Jitsi, when
    /// this session is the meeting's only panel; else someone elsewhere.
    outsider: By,
    outcomes: VecDeque<Outcome>,
    next_id: u64,
    /// The identity the server wrote into each participant's presence, by nick.
    identities: BTreeMap<String, String>,
    /// The outcomes of one large command (an opened plan), counted as they settle.
    batch: Progress,
    batch_ids: BTreeSet<u64>,
    /// Outcomes kept off the board and the record: a timer's renames.
    quiet: BTreeSet<u64>,
}

impl Model {
    pub fn new(meeting: MeetingRef, main_jid: &str) -> Self {
        Self {
            meeting,
            main_jid: main_jid.to_owned(),
            status: LinkStatus::Connecting,
            me: None,
            occupants: BTreeMap::new(),
            update: None,
            can_rename: false,
            last_seen: BTreeMap::new(),
            last_room: BTreeMap::new(),
            pending: Vec::new(),
            late: VecDeque::new(),
            outsider: By::Elsewhere,
            outcomes: VecDeque::new(),
            next_id: 0,
            identities: BTreeMap::new(),
            batch: Progress::default(),
            batch_ids: BTreeSet::new(),
            quiet: BTreeSet::new(),
        }
    }

    pub fn main_jid(&self) -> &str {
        &self.main_jid
    }

    pub fn status(&self) -> &LinkStatus {
        &self.status
    }

    pub fn set_status(&mut self, status: LinkStatus) {
        self.status = status;
    }

    /// Whether this session is the meeting's one panel (the shared session):
    /// then changes none of its commands expect were made in Jitsi itself.
    pub fn set_only_panel(&mut self, only: bool) {
        self.outsider = if only { By::Jitsi } else { By::Elsewhere };
    }

    pub fn set_can_rename(&mut self, can: bool) {
        self.can_rename = can;
    }

    pub fn can_rename(&self) -> bool {
        self.can_rename
    }

    pub fn me(&self) -> Option<&Me> {
        self.me.as_ref()
    }

    /// True when the panel may send moderator commands.
    pub fn is_moderator(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|m| m.role == Some(Role::Moderator))
    }

    /// Forgets everything the meeting told us (the link was lost); commands still
    /// waiting for confirmation fail.
    pub fn reset(&mut self) {
        self.me = None;
        self.occupants.clear();
        self.update = None;
        self.last_seen.clear();
        self.identities.clear();
        // What changes while the link is down cannot be told apart from our
        // own commands: the meeting as found again is news to nobody.
        self.last_room.clear();
        self.late.clear();
        let lost: Vec<u64> = self.pending.drain(..).map(|p| p.id).collect();
        for id in lost {
            self.set_outcome(
                id,
                OutcomeState::Failed {
                    reason: FailReason::LinkLost,
                },
            );
        }
    }

    /// We are in the main room as `me`.
    pub fn joined(&mut self, me: Me) {
        self.me = Some(me);
    }

    /// Folds in a presence from the main room (others are ignored).
    pub fn apply_presence(&mut self, presence: &MucPresence) {
        if jid::bare(&presence.from) != self.main_jid {
            return;
        }
        let nick = presence.nick().to_owned();
        if nick == FOCUS_NICK {
            return;
        }
        if let Some(me) = self.me.as_mut().filter(|m| m.nick == nick) {
            if presence.available {
                me.role = presence.role.or(me.role);
                me.affiliation = presence.affiliation.or(me.affiliation);
            } else {
                me.role = None;
            }
            return;
        }
        if presence.available {
            let entry = self.occupants.entry(nick.clone()).or_insert(Occupant {
                real_jid: None,
                display_name: None,
                role: None,
                affiliation: None,
            });
            if presence.real_jid.is_some() {
                entry.real_jid = presence.real_jid.clone();
            }
            if presence.display_name.is_some() {
                entry.display_name = presence.display_name.clone();
            }
            if let Some(identity) = &presence.identity {
                self.identities.insert(nick.clone(), identity.clone());
            }
            entry.role = presence.role.or(entry.role);
            entry.affiliation = presence.affiliation.or(entry.affiliation);
            let name = entry.display_name.clone();
            if let Some(real) = &entry.real_jid {
                self.last_seen
                    .insert(nick.clone(), (real.clone(), name.clone()));
            }
            let main = self.main_jid.clone();
            self.arrived(&nick, &main, RoomName::Main, name.as_deref());
        } else {
            self.occupants.remove(&nick);
        }
    }

    /// Folds in a breakout update (the full state of the breakout rooms).
    pub fn apply_update(&mut self, update: BreakoutUpdate) {
        let mut arrivals = Vec::new();
        let me = self.me.as_ref().map(|m| m.nick.clone());
        for room in update.rooms.values() {
            for (occupant, p) in &room.participants {
                if let Some(nick) = jid::resource(occupant)
                    && Some(nick) != me.as_deref()
                {
                    self.last_seen
                        .insert(nick.to_owned(), (p.jid.clone(), p.display_name.clone()));
                    if !room.is_main_room && nick != FOCUS_NICK {
                        arrivals.push((
                            nick.to_owned(),
                            room.jid.clone(),
                            room.name.clone(),
                            p.display_name.clone(),
                        ));
                    }
                }
            }
        }
        let before = self.breakout_rooms();
        let had_update = self.update.is_some();
        self.update = Some(update);
        if had_update {
            self.note_room_changes(&before);
        }
        for (nick, room, room_name, name) in arrivals {
            // A room without a name is named by its address, never taken for the main room.
            let room_name = RoomName::Named(room_name.unwrap_or_else(|| room.clone()));
            self.arrived(&nick, &room, room_name, name.as_deref());
        }
    }

    /// Records, as made in Jitsi, the rooms that came, went or were renamed
    /// since `before` without a command of ours expecting it.
    fn note_room_changes(&mut self, before: &[(String, String)]) {
        let now = self.breakout_rooms();
        for (jid, name) in &now {
            match before.iter().find(|(j, _)| j == jid) {
                None if !self.ours(|e| matches!(e, Expect::RoomAdded { name: n, .. } if n == name)) => {
                    self.seen_in_jitsi(OutcomeKind::Create(name.clone()), jid);
                }
                Some((_, old))
                    if old != name
                        && !self.ours(|e| {
                            matches!(e, Expect::RoomRenamed { room, name: n } if room == jid && n == name)
                        }) =>
                {
                    let kind = OutcomeKind::Rename(RoomName::Named(old.clone()), name.clone());
                    self.seen_in_jitsi(kind, jid);
                }
                _ => {}
            }
        }
        for (jid, name) in before {
            if !now.iter().any(|(j, _)| j == jid)
                && !self.ours(|e| matches!(e, Expect::RoomRemoved { room } if room == jid))
            {
                self.seen_in_jitsi(OutcomeKind::Remove(RoomName::Named(name.clone())), jid);
            }
        }
    }

    /// Participant `nick` is in `room`: a move nobody here asked for is
    /// recorded as made in Jitsi.
    fn arrived(&mut self, nick: &str, room: &str, room_name: RoomName, name: Option<&str>) {
        let before = self.last_room.insert(nick.to_owned(), room.to_owned());
        if before.is_none_or(|b| b == room) {
            return;
        }
        let ours = self.ours(
            |e| matches!(e, Expect::Moved { participant, to } if participant == nick && to == room),
        );
        if !ours {
            let who = shown_name(name).unwrap_or_else(|| nick.to_owned());
            self.seen_in_jitsi(OutcomeKind::Move(who, room_name), nick);
        }
    }

    /// True when a command of ours expects the change `test` matches: still
    /// pending, or given up on lately, which is then done after all.
    fn ours(&mut self, test: impl Fn(&Expect) -> bool) -> bool {
        if self.pending.iter().any(|p| test(&p.expect)) {
            return true;
        }
        let Some(i) = self.late.iter().position(|(_, e)| test(e)) else {
            return false;
        };
        if let Some((id, _)) = self.late.remove(i) {
            self.set_outcome(id, OutcomeState::Done);
        }
        true
    }

    fn seen_in_jitsi(&mut self, kind: OutcomeKind, subject: &str) {
        let by = self.outsider.clone();
        self.push_outcome(kind, Some(subject.to_owned()), OutcomeState::Done, by);
    }

    /// How to address `nick`, even between rooms: real JID and display name.
    pub fn address_of(&self, nick: &str) -> Option<(String, Option<String>)> {
        match self.find(nick) {
            Some(w) => Some((w.real_jid, w.display_name)),
            None => self.last_seen.get(nick).cloned(),
        }
    }

    /// True once the meeting's breakout rooms are known.
    pub fn has_update(&self) -> bool {
        self.update.is_some()
    }

    /// The breakout rooms' JIDs and names.
    pub fn breakout_rooms(&self) -> Vec<(String, String)> {
        self.update
            .iter()
            .flat_map(|u| u.rooms.values())
            .filter(|r| !r.is_main_room)
            .map(|r| (r.jid.clone(), r.name.clone().unwrap_or_default()))
            .collect()
    }

    /// A room by JID: the main room or a breakout room.
    pub fn has_room(&self, room: &str) -> bool {
        room == self.main_jid || self.breakout_rooms().iter().any(|(j, _)| j == room)
    }

    /// The participants in a room, by nick.
    pub fn people_in(&self, room: &str) -> Vec<String> {
        if room == self.main_jid {
            return self.occupants.keys().cloned().collect();
        }
        self.update
            .iter()
            .flat_map(|u| u.rooms.values())
            .filter(|r| r.jid == room)
            .flat_map(|r| r.participants.keys())
            .filter_map(|occupant| jid::resource(occupant).map(str::to_owned))
            .collect()
    }

    /// Where participant `nick` is, if anywhere.
    pub fn find(&self, nick: &str) -> Option<Whereabouts> {
        if let Some(o) = self.occupants.get(nick) {
            let real_jid = o.real_jid.clone().or_else(|| self.update_jid_of(nick))?;
            return Some(Whereabouts {
                real_jid,
                room: self.main_jid.clone(),
                display_name: o.display_name.clone(),
                role: o.role,
                affiliation: o.affiliation,
            });
        }
        let update = self.update.as_ref()?;
        update
            .rooms
            .values()
            .filter(|r| !r.is_main_room)
            .find_map(|room| {
                room.participants
                    .iter()
                    .find(|(occupant, _)| jid::resource(occupant) == Some(nick))
                    .map(|(_, p)| Whereabouts {
                        real_jid: p.jid.clone(),
                        room: room.jid.clone(),
                        display_name: p.display_name.clone(),
                        role: p.role.as_deref().and_then(Role::parse),
                        affiliation: None,
                    })
            })
    }

    fn update_jid_of(&self, nick: &str) -> Option<String> {
        self.update.as_ref()?.rooms.values().find_map(|room| {
            room.participants
                .iter()
                .find(|(occupant, _)| jid::resource(occupant) == Some(nick))
                .map(|(_, p)| p.jid.clone())
        })
    }

    /// Everyone in the meeting but the panel and the focus: their nick and
    /// where they are, the main room first.
    pub fn everyone(&self) -> Vec<(String, Whereabouts)> {
        let me = self.me.as_ref().map(|m| m.nick.as_str());
        let mut nicks: Vec<String> = self.occupants.keys().cloned().collect();
        for (jid, _) in self.breakout_rooms() {
            nicks.extend(self.people_in(&jid));
        }
        let mut seen = BTreeSet::new();
        nicks
            .into_iter()
            .filter(|n| Some(n.as_str()) != me && n != FOCUS_NICK && seen.insert(n.clone()))
            .filter_map(|n| {
                let w = self.find(&n)?;
                Some((n, w))
            })
            .collect()
    }

    /// The identity (a token's user id or e-mail) the server wrote into
    /// `nick`'s presence.
    pub fn identity_of(&self, nick: &str) -> Option<&str> {
        self.identities.get(nick).map(String::as_str)
    }

    /// Points a pending move, sent once its room exists, at that room.
    pub fn retarget(&mut self, id: u64, room: &str) {
        for p in &mut self.pending {
            if p.id == id
                && let Expect::Moved { to, .. } = &mut p.expect
            {
                room.clone_into(to);
            }
        }
    }

    /// Counts the outcomes `ids` as they settle, in place of those counted before.
    pub fn track(&mut self, ids: &[u64]) {
        self.batch = Progress {
            total: ids.len(),
            ..Progress::default()
        };
        self.batch_ids = ids.iter().copied().collect();
        for id in ids {
            if let Some(state) = self.outcome(*id).cloned() {
                self.tally(*id, &state);
            }
        }
    }

    /// How the tracked outcomes went so far.
    pub fn progress(&self) -> Progress {
        self.batch
    }

    fn tally(&mut self, id: u64, state: &OutcomeState) {
        if *state == OutcomeState::Pending || !self.batch_ids.remove(&id) {
            return;
        }
        if *state == OutcomeState::Done {
            self.batch.done += 1;
        } else {
            self.batch.failed += 1;
        }
    }

    /// Starts tracking a command; it stays pending until [`Model::sent`] and then
    /// until confirmed or `timeout` passes.
    pub fn expect(&mut self, kind: OutcomeKind, expect: Expect, timeout: Duration, by: By) -> u64 {
        let subject = match &expect {
            Expect::RoomAdded { name, .. } => name.clone(),
            Expect::RoomRenamed { room, .. } | Expect::RoomRemoved { room } => room.clone(),
            Expect::Moved { participant, .. } => participant.clone(),
        };
        let id = self.push_outcome(kind, Some(subject), OutcomeState::Pending, by);
        self.pending.push(Pending {
            id,
            expect,
            timeout,
            deadline: None,
        });
        id
    }

    /// Keeps outcome `id` off the board (it is still confirmed like any other).
    pub fn hide(&mut self, id: u64) {
        self.quiet.insert(id);
    }

    /// Settles an outcome the session confirms itself (a message delivered).
    pub fn conclude(&mut self, id: u64, state: OutcomeState) {
        self.set_outcome(id, state);
    }

    /// Records an outcome that needs no confirmation (a refusal, a step that failed).
    pub fn record(&mut self, kind: OutcomeKind, state: OutcomeState, by: By) -> u64 {
        self.push_outcome(kind, None, state, by)
    }

    /// The command for outcome `id` has been sent at `now`.
    pub fn sent(&mut self, id: u64, now: Instant) {
        if let Some(p) = self.pending.iter_mut().find(|p| p.id == id) {
            p.deadline = Some(now + p.timeout);
        }
    }

    /// Marks a pending outcome failed.
    pub fn fail(&mut self, id: u64, reason: FailReason) {
        self.pending.retain(|p| p.id != id);
        self.set_outcome(id, OutcomeState::Failed { reason });
    }

    /// The state of outcome `id`.
    pub fn outcome(&self, id: u64) -> Option<&OutcomeState> {
        self.outcomes.iter().find(|o| o.id == id).map(|o| &o.state)
    }

    /// Confirms what the latest state shows and times out what is overdue.
    pub fn settle(&mut self, now: Instant) {
        let pending = std::mem::take(&mut self.pending);
        for p in pending {
            if self.confirmed(&p.expect) {
                self.set_outcome(p.id, OutcomeState::Done);
            } else if p.deadline.is_some_and(|d| now >= d) {
                let state = match &p.expect {
                    Expect::Moved { participant, .. } if self.find(participant).is_some() => {
                        OutcomeState::NotMoved
                    }
                    Expect::Moved { .. } => OutcomeState::Failed {
                        reason: FailReason::Left,
                    },
                    _ => OutcomeState::Failed {
                        reason: FailReason::NotConfirmed(p.timeout.as_secs()),
                    },
                };
                self.set_outcome(p.id, state);
                if self.late.len() >= MAX_LATE {
                    self.late.pop_front();
                }
                self.late.push_back((p.id, p.expect));
            } else {
                self.pending.push(p);
            }
        }
    }

    /// Participants on their way into `room`: moved there, not yet confirmed.
    pub fn arriving(&self, room: &str) -> Vec<String> {
        self.pending
            .iter()
            .filter_map(|p| match &p.expect {
                Expect::Moved { participant, to } if to == room => Some(participant.clone()),
                _ => None,
            })
            .collect()
    }

    /// A move of `nick` is on its way.
    pub fn is_moving(&self, nick: &str) -> bool {
        self.pending
            .iter()
            .any(|p| matches!(&p.expect, Expect::Moved { participant, .. } if participant == nick))
    }

    /// Commands still waiting for confirmation.
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    fn confirmed(&self, expect: &Expect) -> bool {
        match expect {
            Expect::RoomAdded { name, before } => self
                .breakout_rooms()
                .iter()
                .any(|(j, n)| n == name && !before.contains(j)),
            Expect::RoomRenamed { room, name } => self
                .breakout_rooms()
                .iter()
                .any(|(j, n)| j == room && n == name),
            Expect::RoomRemoved { room } => {
                self.update.is_some() && !self.breakout_rooms().iter().any(|(j, _)| j == room)
            }
            Expect::Moved { participant, to } => {
                self.find(participant).is_some_and(|w| &w.room == to)
            }
        }
    }

    fn push_outcome(
        &mut self,
        kind: OutcomeKind,
        subject: Option<String>,
        state: OutcomeState,
        by: By,
    ) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.outcomes.push_back(Outcome {
            id,
            kind,
            subject,
            state,
            by,
        });
        // The oldest settled outcomes go first; one that is still pending stays
        // until it settles, however many a command has.
        while self.outcomes.len() > MAX_OUTCOMES {
            let Some(oldest_settled) = self
                .outcomes
                .iter()
                .position(|o| o.state != OutcomeState::Pending)
            else {
                break;
            };
            if let Some(gone) = self.outcomes.remove(oldest_settled) {
                self.quiet.remove(&gone.id);
            }
        }
        id
    }

    fn set_outcome(&mut self, id: u64, state: OutcomeState) {
        if let Some(o) = self.outcomes.iter_mut().find(|o| o.id == id) {
            if o.state == OutcomeState::Pending && state != OutcomeState::Pending {
                // Counted once, as it settles (a no-op without a recorder).
                let outcome = match &state {
                    OutcomeState::Done => "done",
                    OutcomeState::NotMoved => "not_moved",
                    _ => "failed",
                };
                metrics::counter!("grupprum_commands_total", "outcome" => outcome).increment(1);
            }
            o.state = state.clone();
        }
        self.tally(id, &state);
    }

    /// The view the board shows.
    pub fn view(&self) -> MeetingView {
        let my_jid = self.me.as_ref().map(|m| m.real_jid.as_str());
        let mut main_people: Vec<ParticipantView> = self
            .occupants
            .iter()
            .map(|(nick, o)| ParticipantView {
                id: nick.clone(),
                display_name: shown_name(o.display_name.as_deref()),
                role: o.role.and_then(role_view),
                is_me: false,
                absent: false,
            })
            .collect();
        if let Some(me) = self.me.as_ref().filter(|m| m.role.is_some()) {
            main_people.push(ParticipantView {
                id: me.nick.clone(),
                display_name: Some(me.display_name.clone()),
                role: me.role.and_then(role_view),
                is_me: true,
                absent: false,
            });
        }
        sort_people(&mut main_people);
        let main_name = self
            .update
            .as_ref()
            .and_then(|u| u.rooms.values().find(|r| r.is_main_room))
            .and_then(|r| r.name.clone());
        let mut rooms: Vec<RoomView> = self
            .update
            .iter()
            .flat_map(|u| u.rooms.values())
            .filter(|r| !r.is_main_room)
            .map(|r| {
                // The panel itself, visiting a room to say a message, is not shown.
                let mut participants: Vec<ParticipantView> = r
                    .participants
                    .iter()
                    .filter(|(_, p)| Some(p.jid.as_str()) != my_jid)
                    .map(|(occupant, p)| ParticipantView {
                        id: jid::resource(occupant).unwrap_or(occupant).to_owned(),
                        display_name: shown_name(p.display_name.as_deref()),
                        role: p.role.as_deref().and_then(Role::parse).and_then(role_view),
                        is_me: Some(p.jid.as_str()) == my_jid,
                        absent: false,
                    })
                    .collect();
                sort_people(&mut participants);
                RoomView {
                    jid: r.jid.clone(),
                    name: r.name.clone(),
                    is_main: false,
                    participants,
                    ends: None,
                }
            })
            .collect();
        rooms.sort_by(|a, b| {
            natural_key(a.name.as_deref())
                .cmp(&natural_key(b.name.as_deref()))
                .then_with(|| a.jid.cmp(&b.jid))
        });
        MeetingView {
            meeting: self.meeting.clone(),
            status: self.status.clone(),
            me: self.me.as_ref().map(|m| SelfView {
                id: m.nick.clone(),
                display_name: m.display_name.clone(),
                role: m.role.and_then(role_view),
                is_moderator: m.role == Some(Role::Moderator),
            }),
            can_rename: self.can_rename,
            main: RoomView {
                jid: self.main_jid.clone(),
                name: main_name,
                is_main: true,
                participants: main_people,
                ends: None,
            },
            rooms,
            outcomes: self
                .outcomes
                .iter()
                .filter(|o| !self.quiet.contains(&o.id))
                .cloned()
                .collect(),
            also_here: Vec::new(),
            draft: None,
            late: Default::default(),
            waiting: 0,
            undo: None,
            progress: None,
            ends: None,
        }
    }
}

/// A participant's name as the board shows it: at most [`MAX_SHOWN_NAME`]
/// grapheme clusters, a longer one cut with an ellipsis.
fn shown_name(name: Option<&str>) -> Option<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let name = name?;
    if name.len() <= MAX_SHOWN_NAME {
        return Some(name.to_owned());
    }
    let mut graphemes = name.grapheme_indices(true);
    match graphemes.nth(MAX_SHOWN_NAME) {
        Some((cut, _)) => Some(format!("{}…", &name[..cut])),
        None => Some(name.to_owned()),
    }
}

fn role_view(role: Role) -> Option<RoleView> {
    match role {
        Role::Moderator => Some(RoleView::Moderator),
        Role::Participant => Some(RoleView::Participant),
        Role::Visitor => Some(RoleView::Visitor),
        Role::None => None,
    }
}

fn sort_people(people: &mut [ParticipantView]) {
    people.sort_by(|a, b| {
        let key =
            |p: &ParticipantView| p.display_name.as_deref().unwrap_or_default().to_lowercase();
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
}

/// Sorts "Grupprum 2" before "Grupprum 10".
fn natural_key(name: Option<&str>) -> (String, u64, String) {
    let name = name.unwrap_or_default();
    let digits_at = name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = name.split_at(digits_at);
    match tail.parse::<u64>() {
        Ok(n) => (head.to_lowercase(), n, String::new()),
        Err(_) => (name.to_lowercase(), 0, name.to_owned()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::xmpp::xml::Element;

    pub const MAIN: &str = "demo@conference.meet.test";

    pub fn presence(nick: &str, name: &str, role: &str, available: bool) -> MucPresence {
        let kind = if available { "" } else { " type='unavailable'" };
        let xml = format!(
            "<presence xmlns='jabber:client' from='{MAIN}/{nick}'{kind}><nick xmlns='http://jabber.org/protocol/nick'>{name}</nick><x xmlns='http://jabber.org/protocol/muc#user'><item jid='{nick}@meet.test/r' affiliation='none' role='{role}'/></x></presence>"
        );
        MucPresence::parse(&Element::parse(&xml).unwrap()).unwrap()
    }

    /// A breakout room for [`update`]: node, name, and `(nick, display name)` pairs.
    pub type TestRoom<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    /// An update with these breakout rooms.
    pub fn update(rooms: &[TestRoom<'_>]) -> BreakoutUpdate {
        let mut map = serde_json::Map::new();
        map.insert(
            "demo".into(),
            serde_json::json!({"id": "demo", "jid": MAIN, "isMainRoom": true, "participants": {}}),
        );
        for (node, name, people) in rooms {
            let room_jid = format!("{node}@breakout.meet.test");
            let participants: serde_json::Map<String, serde_json::Value> = people
                .iter()
                .map(|(nick, display)| {
                    (format!("{room_jid}/{nick}"), serde_json::json!({"jid": format!("{nick}@meet.test/r"), "role": "participant", "displayName": display}))
                })
                .collect();
            map.insert((*node).into(), serde_json::json!({"id": node, "jid": room_jid, "name": name, "participants": participants}));
        }
        serde_json::from_value(serde_json::json!({"roomCounter": rooms.len(), "rooms": map}))
            .unwrap()
    }

    /// A command item for tests that care only that there is one.
    pub fn label(text: &str) -> OutcomeKind {
        OutcomeKind::Create(text.into())
    }

    pub fn moderator_model() -> Model {
        let mut model = Model::new(
            MeetingRef {
                room: "demo".into(),
                tenant: None,
            },
            MAIN,
        );
        model.joined(Me {
            nick: "me000001".into(),
            real_jid: "panel@meet.test/g".into(),
            display_name: "Grupprum".into(),
            role: Some(Role::Moderator),
            affiliation: Some(Affiliation::Owner),
        });
        model.set_can_rename(true);
        model
    }

    #[test]
    fn presences_keep_the_main_room_and_hide_the_focus() {
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_presence(&presence("bbbb", "Björn", "moderator", true));
        model.apply_presence(&presence("focus", "", "moderator", true));
        let view = model.view();
        let names: Vec<_> = view
            .main
            .participants
            .iter()
            .map(|p| p.display_name.clone().unwrap())
            .collect();
        assert_eq!(names, ["Anna", "Björn", "Grupprum"]);
        assert_eq!(view.main.participants[1].role, Some(RoleView::Moderator));
        assert_eq!(
            model.find("aaaa").unwrap().affiliation,
            Some(Affiliation::None)
        );
        assert_eq!(model.find("aaaa").unwrap().real_jid, "aaaa@meet.test/r");
        // A renamed participant and one who leaves.
        model.apply_presence(&presence("aaaa", "Anna L", "participant", true));
        model.apply_presence(&presence("bbbb", "Björn", "none", false));
        let view = model.view();
        assert_eq!(view.main.participants.len(), 2);
        assert_eq!(
            view.main.participants[0].display_name.as_deref(),
            Some("Anna L")
        );
        // Presences from other rooms do not count.
        let other = MucPresence {
            from: "x@conference.meet.test/zz".into(),
            ..presence("zz", "Z", "participant", true)
        };
        model.apply_presence(&other);
        assert_eq!(model.view().main.participants.len(), 2);
    }

    /// Expects, given `by`, the move of Anna (`aaaa`) into room One (`r1`).
    fn expect_anna_in_one(model: &mut Model, by: By) -> u64 {
        model.expect(
            OutcomeKind::Move("Anna".into(), RoomName::Named("One".into())),
            Expect::Moved {
                participant: "aaaa".into(),
                to: "r1@breakout.meet.test".into(),
            },
            Duration::from_secs(5),
            by,
        )
    }

    #[test]
    fn changes_made_in_jitsi_are_recorded_as_such_and_ours_carry_their_moderator() {
        let t0 = Instant::now();
        let mut model = moderator_model();
        model.set_only_panel(true);
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_presence(&presence("bbbb", "Björn", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        model.apply_update(update(&[("r1", "One", &[])]));
        assert!(
            model.view().outcomes.is_empty(),
            "the meeting as first found is news to nobody"
        );
        let kim = By::Moderator("Kim".into());
        let anna = expect_anna_in_one(&mut model, kim.clone());
        model.sent(anna, t0);
        // Kim's move of Anna; in Jitsi, Björn follows her, One becomes Uno and Two is added.
        model.apply_presence(&presence("aaaa", "Anna", "none", false));
        model.apply_presence(&presence("bbbb", "Björn", "none", false));
        model.apply_update(update(&[
            ("r1", "Uno", &[("aaaa", "Anna"), ("bbbb", "Björn")]),
            ("r2", "Two", &[]),
        ]));
        model.settle(t0 + Duration::from_secs(1));
        let in_jitsi = |model: &Model| -> Vec<OutcomeKind> {
            let mut kinds: Vec<OutcomeKind> = model
                .view()
                .outcomes
                .iter()
                .filter(|o| o.by == By::Jitsi)
                .inspect(|o| assert_eq!(o.state, OutcomeState::Done))
                .map(|o| o.kind.clone())
                .collect();
            kinds.sort_by_key(|k| format!("{k:?}"));
            kinds
        };
        assert_eq!(
            in_jitsi(&model),
            [
                OutcomeKind::Create("Two".into()),
                OutcomeKind::Move("Björn".into(), RoomName::Named("Uno".into())),
                OutcomeKind::Rename(RoomName::Named("One".into()), "Uno".into()),
            ]
        );
        let ours = model.view().outcomes.into_iter().find(|o| o.id == anna);
        assert_eq!(
            ours.map(|o| (o.by, o.state)),
            Some((kim, OutcomeState::Done))
        );
        // Uno is closed in Jitsi; Björn is back in the main room.
        model.apply_update(update(&[("r2", "Two", &[])]));
        model.apply_presence(&presence("bbbb", "Björn", "participant", true));
        let kinds = in_jitsi(&model);
        assert!(kinds.contains(&OutcomeKind::Remove(RoomName::Named("Uno".into()))));
        assert!(kinds.contains(&OutcomeKind::Move("Björn".into(), RoomName::Main)));
        assert_eq!(kinds.len(), 5);
        // After a lost link, the meeting as found again is not news either.
        model.reset();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_update(update(&[("r3", "Three", &[("bbbb", "Björn")])]));
        model.apply_update(update(&[("r3", "Three", &[("bbbb", "Björn")])]));
        assert_eq!(in_jitsi(&model).len(), 5);
    }

    #[test]
    fn a_move_that_lands_after_its_timeout_is_ours_and_a_personal_panel_says_elsewhere() {
        let t0 = Instant::now();
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_presence(&presence("bbbb", "Björn", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        let anna = expect_anna_in_one(&mut model, By::Here);
        model.sent(anna, t0);
        model.settle(t0 + Duration::from_secs(6));
        assert_eq!(model.outcome(anna), Some(&OutcomeState::NotMoved));
        // Anna's client was slow: she arrives after all, and Björn moves by himself.
        model.apply_presence(&presence("aaaa", "Anna", "none", false));
        model.apply_presence(&presence("bbbb", "Björn", "none", false));
        model.apply_update(update(&[(
            "r1",
            "One",
            &[("aaaa", "Anna"), ("bbbb", "Björn")],
        )]));
        model.settle(t0 + Duration::from_secs(7));
        assert_eq!(model.outcome(anna), Some(&OutcomeState::Done));
        let others: Vec<(By, OutcomeKind)> = model
            .view()
            .outcomes
            .into_iter()
            .filter(|o| o.id != anna)
            .map(|o| (o.by, o.kind))
            .collect();
        // Without the meeting to itself, the panel cannot tell Jitsi from another panel.
        assert_eq!(
            others,
            [(
                By::Elsewhere,
                OutcomeKind::Move("Björn".into(), RoomName::Named("One".into()))
            )]
        );
    }

    #[test]
    fn updates_give_the_breakout_rooms_sorted_naturally() {
        let mut model = moderator_model();
        model.apply_update(update(&[
            ("r10", "Grupprum 10", &[]),
            ("r2", "Grupprum 2", &[("cccc", "Cecilia")]),
            ("rb", "Bibliotek", &[]),
        ]));
        let view = model.view();
        let names: Vec<_> = view.rooms.iter().map(|r| r.name.clone().unwrap()).collect();
        assert_eq!(names, ["Bibliotek", "Grupprum 2", "Grupprum 10"]);
        assert_eq!(view.rooms[1].participants[0].id, "cccc");
        assert_eq!(model.find("cccc").unwrap().room, "r2@breakout.meet.test");
        assert_eq!(model.find("cccc").unwrap().real_jid, "cccc@meet.test/r");
        assert_eq!(view.participant_count(), 2);
    }

    #[test]
    fn outcomes_are_confirmed_by_the_meeting_or_time_out() {
        let t0 = Instant::now();
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_presence(&presence("bbbb", "Björn", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        let before = model.breakout_rooms().into_iter().map(|(j, _)| j).collect();
        let add = model.expect(
            label("Create Two"),
            Expect::RoomAdded {
                name: "Two".into(),
                before,
            },
            Duration::from_secs(2),
            By::Here,
        );
        let anna = model.expect(
            label("Move Anna"),
            Expect::Moved {
                participant: "aaaa".into(),
                to: "r1@breakout.meet.test".into(),
            },
            Duration::from_secs(5),
            By::Here,
        );
        let bjorn = model.expect(
            label("Move Björn"),
            Expect::Moved {
                participant: "bbbb".into(),
                to: "r1@breakout.meet.test".into(),
            },
            Duration::from_secs(5),
            By::Here,
        );
        for id in [add, anna, bjorn] {
            model.sent(id, t0);
        }
        // Anna moves: she leaves the main room, then the update shows her in r1 and the new room.
        model.apply_presence(&presence("aaaa", "Anna", "none", false));
        model.apply_update(update(&[
            ("r1", "One", &[("aaaa", "Anna")]),
            ("r2", "Two", &[]),
        ]));
        model.settle(t0 + Duration::from_secs(1));
        assert_eq!(model.outcome(add), Some(&OutcomeState::Done));
        assert_eq!(model.outcome(anna), Some(&OutcomeState::Done));
        assert_eq!(model.outcome(bjorn), Some(&OutcomeState::Pending));
        // Björn never moves.
        model.settle(t0 + Duration::from_secs(5));
        assert_eq!(model.outcome(bjorn), Some(&OutcomeState::NotMoved));

        // A command still queued (not sent) never times out; a lost link fails it.
        let queued = model.expect(
            label("Remove One"),
            Expect::RoomRemoved {
                room: "r1@breakout.meet.test".into(),
            },
            Duration::from_secs(2),
            By::Here,
        );
        model.settle(t0 + Duration::from_secs(60));
        assert_eq!(model.outcome(queued), Some(&OutcomeState::Pending));
        model.reset();
        assert_eq!(
            model.outcome(queued),
            Some(&OutcomeState::Failed {
                reason: FailReason::LinkLost
            })
        );
        assert!(model.view().rooms.is_empty() && model.me().is_none());
    }

    #[test]
    fn a_move_of_someone_who_left_fails_and_a_rename_is_confirmed() {
        let t0 = Instant::now();
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        let gone = model.expect(
            label("Move Anna"),
            Expect::Moved {
                participant: "aaaa".into(),
                to: "r1@breakout.meet.test".into(),
            },
            Duration::from_secs(5),
            By::Here,
        );
        let rename = model.expect(
            label("Rename"),
            Expect::RoomRenamed {
                room: "r1@breakout.meet.test".into(),
                name: "Ett".into(),
            },
            Duration::from_secs(2),
            By::Here,
        );
        model.sent(gone, t0);
        model.sent(rename, t0);
        model.apply_presence(&presence("aaaa", "Anna", "none", false));
        model.apply_update(update(&[("r1", "Ett", &[])]));
        model.settle(t0 + Duration::from_secs(6));
        assert_eq!(model.outcome(rename), Some(&OutcomeState::Done));
        assert_eq!(
            model.outcome(gone),
            Some(&OutcomeState::Failed {
                reason: FailReason::Left
            })
        );
    }

    #[test]
    fn losing_the_moderator_role_shows() {
        let mut model = moderator_model();
        assert!(model.is_moderator());
        let mut me = presence("me000001", "Grupprum", "participant", true);
        me.codes.push(110);
        model.apply_presence(&me);
        assert!(!model.is_moderator());
        assert_eq!(model.view().me.unwrap().role, Some(RoleView::Participant));
    }

    #[test]
    fn outcomes_are_counted_once_as_they_settle() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            let mut model = moderator_model();
            let id = model.expect(
                label("x"),
                Expect::RoomRemoved {
                    room: "r@breakout.meet.test".into(),
                },
                Duration::from_secs(2),
                By::Here,
            );
            model.fail(id, FailReason::LinkLost);
            model.fail(id, FailReason::Left);
        });
        let text = handle.render();
        assert!(
            text.contains("grupprum_commands_total{outcome=\"failed\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn pending_outcomes_are_never_dropped_before_they_settle() {
        let mut model = moderator_model();
        let ids: Vec<u64> = (0..300)
            .map(|i| {
                model.expect(
                    label(&format!("move {i}")),
                    Expect::RoomRemoved {
                        room: format!("r{i}@breakout.meet.test"),
                    },
                    Duration::from_secs(5),
                    By::Here,
                )
            })
            .collect();
        let view = model.view();
        assert_eq!(view.outcomes.len(), 300, "every pending outcome is kept");
        for id in &ids[..150] {
            model.fail(*id, FailReason::LinkLost);
        }
        model.record(label("one more"), OutcomeState::Done, By::Here);
        let view = model.view();
        assert_eq!(view.outcomes.len(), MAX_OUTCOMES);
        assert!(
            ids[150..]
                .iter()
                .all(|id| view.outcomes.iter().any(|o| o.id == *id)),
            "the settled ones went first"
        );
    }

    #[test]
    fn a_huge_display_name_is_shown_cut() {
        let mut model = moderator_model();
        let huge = "å".repeat(250_000);
        model.apply_presence(&presence("aaaa", &huge, "participant", true));
        let view = model.view();
        let anna = view.main.participants.iter().find(|p| p.id == "aaaa");
        let shown = anna.and_then(|p| p.display_name.clone()).unwrap();
        assert_eq!(shown.chars().count(), MAX_SHOWN_NAME + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(shown_name(Some("Anna")).as_deref(), Some("Anna"));
    }

    #[test]
    fn keeps_a_bounded_history_of_outcomes() {
        let mut model = moderator_model();
        for i in 0..(MAX_OUTCOMES + 50) {
            model.record(label(&format!("step {i}")), OutcomeState::Done, By::Here);
        }
        let view = model.view();
        assert_eq!(view.outcomes.len(), MAX_OUTCOMES);
        assert_eq!(view.outcomes[0].kind, label("step 50"));
    }
}

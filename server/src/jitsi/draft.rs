//! The plan being prepared: rooms and who goes where, changed with the
//! board's usual commands while nothing is sent. People are kept by name and
//! identity (and by nick once known), so a plan can name people who have not
//! joined yet; who they are is worked out against the meeting each time.

use std::collections::{BTreeSet, HashMap};

use app::meeting::{
    Command, DraftView, MeetingView, NameProblem, ParticipantView, Refusal, ReviewItem, RoomView,
};
use app::plans::{PlannedPerson, PlannedRoom};

use super::assign::{self, Candidate};
use super::model::{Model, Whereabouts};
use super::plan::{default_names, room_name};
use crate::plans::matching::{Found, Index, Present};
use crate::plans::{MAX_FIELD_CHARS, MAX_PEOPLE};

/// Most rooms a draft holds.
pub const MAX_ROOMS: usize = 500;
/// Most names asked about at once: the rest are asked about as these are settled.
pub const MAX_REVIEW: usize = 50;
/// How the draft's rooms' addresses start.
const ROOM_PREFIX: &str = "draft:";
/// How the ids of people not here yet start.
const PLANNED_PREFIX: &str = "planned:";

#[derive(Debug, Clone)]
struct Room {
    key: u32,
    name: String,
}

#[derive(Debug, Clone)]
struct Entry {
    key: u32,
    person: PlannedPerson,
    /// Who it is in the meeting, once known.
    nick: Option<String>,
    room: Option<u32>,
    /// A host has looked at it (or it never needed looking at).
    reviewed: bool,
}

/// What opening the draft means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The breakout rooms, by name.
    pub rooms: Vec<String>,
    /// Who is here and goes where (`None`: the main room).
    pub moves: Vec<(String, Option<String>)>,
    /// Who is not here yet, and their room.
    pub absent: Vec<(PlannedPerson, String)>,
}

/// A draft plan.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    rooms: Vec<Room>,
    entries: Vec<Entry>,
    next: u32,
}

/// Who each entry is: its index and the nick, where known.
struct Resolved {
    nicks: Vec<Option<String>>,
    /// For entries no one is found for: the ids their name fits, when several.
    several: Vec<Vec<String>>,
}

fn planned_name(raw: &str) -> Result<String, Refusal> {
    let name = raw.trim();
    let bad = |problem| Refusal::BadName {
        name: raw.to_owned(),
        problem,
    };
    if name.is_empty() {
        return Err(bad(NameProblem::Empty));
    }
    if name.chars().count() > MAX_FIELD_CHARS {
        return Err(bad(NameProblem::TooLong {
            max: MAX_FIELD_CHARS,
        }));
    }
    if name.chars().any(char::is_control) {
        return Err(bad(NameProblem::Control));
    }
    Ok(name.to_owned())
}

impl Draft {
    /// A draft of the meeting as it is: its breakout rooms and who is in them.
    pub fn from_meeting(model: &Model) -> Self {
        let mut draft = Self::default();
        for (jid, name) in model.breakout_rooms() {
            let key = draft.add_room(name);
            for nick in model.people_in(&jid) {
                let Some(w) = model.find(&nick) else { continue };
                draft.add_entry(person_of(model, &nick, &w), Some(nick), Some(key), true);
            }
        }
        draft
    }

    /// A draft of a saved or imported plan; its people are to be reviewed.
    pub fn from_plan(rooms: &[PlannedRoom]) -> Result<Self, Refusal> {
        if rooms.len() > MAX_ROOMS {
            return Err(Refusal::PlanTooLarge { max: MAX_ROOMS });
        }
        if rooms.iter().map(|r| r.people.len()).sum::<usize>() > MAX_PEOPLE {
            return Err(Refusal::PlanTooLarge { max: MAX_PEOPLE });
        }
        let mut draft = Self::default();
        for room in rooms {
            // A room without a name is the main room: its people are placed nowhere.
            let key = if room.name.trim().is_empty() {
                None
            } else {
                let name = room_name(&room.name)?;
                Some(match draft.rooms.iter().find(|r| r.name == name) {
                    Some(r) => r.key,
                    None => draft.add_room(name),
                })
            };
            for person in &room.people {
                let person = PlannedPerson {
                    name: planned_name(&person.name)?,
                    identity: person.identity.clone(),
                };
                draft.add_entry(person, None, key, false);
            }
        }
        Ok(draft)
    }

    fn add_room(&mut self, name: String) -> u32 {
        self.next += 1;
        self.rooms.push(Room {
            key: self.next,
            name,
        });
        self.next
    }

    fn add_entry(
        &mut self,
        person: PlannedPerson,
        nick: Option<String>,
        room: Option<u32>,
        reviewed: bool,
    ) {
        self.next += 1;
        self.entries.push(Entry {
            key: self.next,
            person,
            nick,
            room,
            reviewed,
        });
    }

    fn room_key(&self, jid: &str) -> Result<u32, Refusal> {
        jid.strip_prefix(ROOM_PREFIX)
            .and_then(|k| k.parse().ok())
            .filter(|k| self.rooms.iter().any(|r| r.key == *k))
            .ok_or_else(|| Refusal::NoSuchRoom(jid.to_owned()))
    }

    fn names(&self) -> Vec<String> {
        self.rooms.iter().map(|r| r.name.clone()).collect()
    }

    fn new_room_name(&self, raw: &str, except: Option<u32>) -> Result<String, Refusal> {
        let name = room_name(raw)?;
        if self
            .rooms
            .iter()
            .any(|r| r.name == name && Some(r.key) != except)
        {
            return Err(Refusal::BadName {
                name: raw.to_owned(),
                problem: NameProblem::Taken,
            });
        }
        Ok(name)
    }

    fn room_space(&self, more: usize) -> Result<(), Refusal> {
        if self.rooms.len() + more > MAX_ROOMS {
            return Err(Refusal::PlanTooLarge { max: MAX_ROOMS });
        }
        Ok(())
    }

    /// The entry for board id `id`: a planned person, or someone here (an
    /// entry is made for them).
    fn entry_for(
        &mut self,
        model: &Model,
        resolved: &Resolved,
        id: &str,
    ) -> Result<usize, Refusal> {
        if let Some(key) = id.strip_prefix(PLANNED_PREFIX) {
            return key
                .parse::<u32>()
                .ok()
                .and_then(|k| self.entries.iter().position(|e| e.key == k))
                .ok_or_else(|| Refusal::NoSuchParticipant(id.to_owned()));
        }
        if let Some(i) = resolved.nicks.iter().position(|n| n.as_deref() == Some(id)) {
            // Placed by hand: this person, whoever else of that name joins.
            self.entries[i].nick = Some(id.to_owned());
            return Ok(i);
        }
        let w = model
            .find(id)
            .filter(|_| model.me().is_none_or(|m| m.nick != id))
            .ok_or_else(|| Refusal::NoSuchParticipant(id.to_owned()))?;
        if self.entries.len() >= MAX_PEOPLE {
            return Err(Refusal::PlanTooLarge { max: MAX_PEOPLE });
        }
        self.add_entry(person_of(model, id, &w), Some(id.to_owned()), None, true);
        Ok(self.entries.len() - 1)
    }

    /// Applies a board command to the draft.
    pub fn apply(&mut self, model: &Model, command: &Command) -> Result<(), Refusal> {
        match command {
            Command::CreateRoom { name } => {
                self.room_space(1)?;
                let name = self.new_room_name(name, None)?;
                self.add_room(name);
            }
            Command::CreateRooms {
                count,
                names,
                language,
            } => {
                if *count == 0 || *count > super::plan::MAX_ROOMS_AT_ONCE {
                    return Err(Refusal::Nothing(app::meeting::Nothing::RoomCount {
                        max: super::plan::MAX_ROOMS_AT_ONCE,
                        asked: *count,
                    }));
                }
                self.room_space(*count)?;
                let mut chosen: Vec<String> = Vec::new();
                for raw in names.iter().take(*count) {
                    let name = self.new_room_name(raw, None)?;
                    if chosen.contains(&name) {
                        return Err(Refusal::BadName {
                            name: raw.clone(),
                            problem: NameProblem::Taken,
                        });
                    }
                    chosen.push(name);
                }
                let taken: Vec<String> = self.names().into_iter().chain(chosen.clone()).collect();
                chosen.extend(default_names(*language, count - chosen.len(), &taken));
                for name in chosen {
                    self.add_room(name);
                }
            }
            Command::RenameRoom { room, name } => {
                let key = self.room_key(room)?;
                let name = self.new_room_name(name, Some(key))?;
                if let Some(r) = self.rooms.iter_mut().find(|r| r.key == key) {
                    r.name = name;
                }
            }
            Command::RemoveRoom { room } | Command::CloseRoom { room } => {
                let key = self.room_key(room)?;
                self.rooms.retain(|r| r.key != key);
                for e in &mut self.entries {
                    if e.room == Some(key) {
                        e.room = None;
                    }
                }
            }
            Command::SendEveryoneBack => {
                if self.rooms.is_empty() {
                    return Err(Refusal::Nothing(app::meeting::Nothing::NoRooms));
                }
                self.rooms.clear();
                for e in &mut self.entries {
                    e.room = None;
                }
            }
            Command::Move { participants, to } => {
                if participants.is_empty() {
                    return Err(Refusal::Nothing(app::meeting::Nothing::NoParticipants));
                }
                let room = if to == model.main_jid() {
                    None
                } else {
                    Some(self.room_key(to)?)
                };
                let resolved = self.resolve(model);
                let mut picked = Vec::new();
                let mut seen = BTreeSet::new();
                for id in participants.iter().filter(|id| seen.insert(id.as_str())) {
                    picked.push(self.entry_for(model, &resolved, id)?);
                }
                for i in picked {
                    self.entries[i].room = room;
                }
            }
            Command::AutoAssign {
                rooms,
                include_moderators,
                grouping,
            } => self.auto_assign(model, rooms, *include_moderators, grouping)?,
            Command::AddPeople { names } => {
                if names.is_empty() {
                    return Err(Refusal::Nothing(app::meeting::Nothing::NoParticipants));
                }
                if self.entries.len() + names.len() > MAX_PEOPLE {
                    return Err(Refusal::PlanTooLarge { max: MAX_PEOPLE });
                }
                let names: Vec<String> = names
                    .iter()
                    .map(|n| planned_name(n))
                    .collect::<Result<_, _>>()?;
                for name in names {
                    let person = PlannedPerson {
                        name,
                        identity: None,
                    };
                    self.add_entry(person, None, None, true);
                }
            }
            Command::Match {
                planned,
                participant,
            } => {
                let Some(i) = planned
                    .strip_prefix(PLANNED_PREFIX)
                    .and_then(|k| k.parse::<u32>().ok())
                    .and_then(|k| self.entries.iter().position(|e| e.key == k))
                else {
                    return Err(Refusal::NoSuchParticipant(planned.clone()));
                };
                if let Some(nick) = participant {
                    if model.find(nick).is_none() {
                        return Err(Refusal::NoSuchParticipant(nick.clone()));
                    }
                    // Whoever had them before no longer does.
                    for e in &mut self.entries {
                        if e.nick.as_deref() == Some(nick) {
                            e.nick = None;
                        }
                    }
                    self.entries[i].nick = Some(nick.clone());
                }
                self.entries[i].reviewed = true;
            }
            _ => return Err(Refusal::NoDraft),
        }
        Ok(())
    }

    fn auto_assign(
        &mut self,
        model: &Model,
        rooms: &[String],
        include_moderators: bool,
        grouping: &app::meeting::Grouping,
    ) -> Result<(), Refusal> {
        let targets: Vec<u32> = if rooms.is_empty() {
            self.rooms.iter().map(|r| r.key).collect()
        } else {
            rooms
                .iter()
                .map(|r| self.room_key(r))
                .collect::<Result<_, _>>()?
        };
        if targets.is_empty() && grouping.size.is_none() {
            return Err(Refusal::Nothing(app::meeting::Nothing::NoRooms));
        }
        // Everyone in the draft's main room: people here and people planned.
        let view = self.view(model, &model.view());
        let people: Vec<Candidate> = view
            .main()
            .participants
            .iter()
            .filter(|p| !p.is_me)
            .filter(|p| {
                let moderator = p.role == Some(app::meeting::RoleView::Moderator);
                !moderator || include_moderators || grouping.moderator_per_room
            })
            .map(|p| Candidate {
                id: p.id.clone(),
                name: p.display_name.clone(),
                moderator: p.role == Some(app::meeting::RoleView::Moderator),
            })
            .collect();
        if people.is_empty() {
            return Err(Refusal::Nothing(app::meeting::Nothing::NobodyToAssign));
        }
        let load: Vec<usize> = targets
            .iter()
            .map(|k| {
                view.rooms()
                    .iter()
                    .find(|r| r.jid == room_jid(*k))
                    .map_or(0, |r| r.participants.len())
            })
            .collect();
        let assignment = assign::assign(&people, &load, grouping, include_moderators)?;
        self.room_space(assignment.new_rooms)?;
        let mut keys = targets;
        for name in default_names(grouping.language, assignment.new_rooms, &self.names()) {
            keys.push(self.add_room(name));
        }
        let resolved = self.resolve(model);
        for (id, room) in assignment.placed {
            let i = self.entry_for(model, &resolved, &id)?;
            self.entries[i].room = Some(keys[room]);
        }
        Ok(())
    }

    /// Who each entry is in the meeting: by nick where known, then by identity
    /// or name among those no entry has claimed.
    fn resolve(&self, model: &Model) -> Resolved {
        let everyone = model.everyone();
        let here: BTreeSet<&str> = everyone.iter().map(|(n, _)| n.as_str()).collect();
        let mut claimed: BTreeSet<String> = BTreeSet::new();
        let mut nicks: Vec<Option<String>> = self
            .entries
            .iter()
            .map(|e| {
                let nick = e.nick.as_deref().filter(|n| here.contains(n))?;
                claimed.insert(nick.to_owned());
                Some(nick.to_owned())
            })
            .collect();
        let mut several = vec![Vec::new(); self.entries.len()];
        let present = present(model, &everyone);
        let index = Index::new(&present);
        // Identities first, for every entry, so that a name cannot take
        // someone an identity names; then names.
        for (i, e) in self.entries.iter().enumerate() {
            if nicks[i].is_some() {
                continue;
            }
            if let Found::One(nick) = index.find_by_identity(&e.person, |id| !claimed.contains(id))
            {
                claimed.insert(nick.clone());
                nicks[i] = Some(nick);
            }
        }
        for (i, e) in self.entries.iter().enumerate() {
            // An entry that knew its person, now gone, waits for them by name.
            if nicks[i].is_some() {
                continue;
            }
            match index.find(&e.person, |id| !claimed.contains(id)) {
                Found::One(nick) => {
                    claimed.insert(nick.clone());
                    nicks[i] = Some(nick);
                }
                Found::Several(ids) => several[i] = ids,
                Found::Nobody => {}
            }
        }
        Resolved { nicks, several }
    }

    /// The draft as the board shows it, beside `live`, the meeting's view.
    pub fn view(&self, model: &Model, live: &MeetingView) -> DraftView {
        let everyone = model.everyone();
        let resolved = self.resolve(model);
        let by_id: HashMap<&str, &ParticipantView> = std::iter::once(&live.main)
            .chain(live.rooms.iter())
            .flat_map(|r| r.participants.iter())
            .map(|p| (p.id.as_str(), p))
            .collect();
        let shown =
            |nick: &str| -> Option<ParticipantView> { by_id.get(nick).map(|p| (*p).clone()) };
        let planned = |e: &Entry| ParticipantView {
            id: format!("{PLANNED_PREFIX}{}", e.key),
            display_name: Some(e.person.name.clone()),
            role: None,
            is_me: false,
            absent: true,
        };
        let person = |i: usize| match &resolved.nicks[i] {
            Some(nick) => shown(nick),
            None => Some(planned(&self.entries[i])),
        };
        let in_room = |key: Option<u32>| -> Vec<ParticipantView> {
            (0..self.entries.len())
                .filter(|&i| self.entries[i].room == key && key.is_some())
                .filter_map(person)
                .collect()
        };
        let rooms = self
            .rooms
            .iter()
            .map(|r| RoomView {
                jid: room_jid(r.key),
                name: Some(r.name.clone()),
                is_main: false,
                participants: in_room(Some(r.key)),
                ends: None,
            })
            .collect();
        // The main room: everyone here the draft places nowhere, and the
        // planned people it places nowhere.
        let placed: BTreeSet<&str> = (0..self.entries.len())
            .filter(|&i| self.entries[i].room.is_some())
            .filter_map(|i| resolved.nicks[i].as_deref())
            .collect();
        let mut main: Vec<ParticipantView> = everyone
            .iter()
            .filter(|(n, _)| !placed.contains(n.as_str()))
            .filter_map(|(n, _)| shown(n))
            .collect();
        main.extend(
            (0..self.entries.len())
                .filter(|&i| self.entries[i].room.is_none() && resolved.nicks[i].is_none())
                .map(|i| planned(&self.entries[i])),
        );
        DraftView(
            RoomView {
                jid: live.main.jid.clone(),
                name: live.main.name.clone(),
                is_main: true,
                participants: main,
                ends: None,
            },
            rooms,
        )
    }

    /// Imported people no one is found for, to match by hand: with everyone
    /// their name fits, or when it fits nobody, everyone here the plan does
    /// not place.
    pub fn review(&self, model: &Model) -> Vec<ReviewItem> {
        let live = model.view();
        let resolved = self.resolve(model);
        let by_id: HashMap<&str, &ParticipantView> = std::iter::once(&live.main)
            .chain(live.rooms.iter())
            .flat_map(|r| r.participants.iter())
            .filter(|p| !p.is_me)
            .map(|p| (p.id.as_str(), p))
            .collect();
        let shown = |nick: &str| by_id.get(nick).map(|p| (*p).clone());
        let claimed: BTreeSet<&str> = resolved
            .nicks
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let unclaimed: Vec<ParticipantView> = model
            .everyone()
            .iter()
            .filter(|(n, _)| !claimed.contains(n.as_str()))
            .filter_map(|(n, _)| shown(n))
            .collect();
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, e)| !e.reviewed && resolved.nicks[*i].is_none())
            .take(MAX_REVIEW)
            .filter_map(|(i, e)| {
                let ambiguous = !resolved.several[i].is_empty();
                let candidates: Vec<ParticipantView> = if ambiguous {
                    resolved.several[i]
                        .iter()
                        .filter_map(|n| shown(n))
                        .collect()
                } else {
                    unclaimed.clone()
                };
                (!candidates.is_empty()).then(|| ReviewItem {
                    id: format!("{PLANNED_PREFIX}{}", e.key),
                    name: e.person.name.clone(),
                    candidates,
                    ambiguous,
                })
            })
            .collect()
    }

    /// What opening the draft does.
    pub fn target(&self, model: &Model) -> Target {
        let resolved = self.resolve(model);
        let name_of = |key: Option<u32>| {
            key.and_then(|k| self.rooms.iter().find(|r| r.key == k))
                .map(|r| r.name.clone())
        };
        let mut target = Target {
            rooms: self.names(),
            ..Target::default()
        };
        let mut placed = BTreeSet::new();
        for (i, e) in self.entries.iter().enumerate() {
            match &resolved.nicks[i] {
                Some(nick) => {
                    placed.insert(nick.clone());
                    target.moves.push((nick.clone(), name_of(e.room)));
                }
                None => {
                    if let Some(room) = name_of(e.room) {
                        target.absent.push((e.person.clone(), room));
                    }
                }
            }
        }
        // Everyone else here belongs in the main room.
        for (nick, _) in model.everyone() {
            if !placed.contains(&nick) {
                target.moves.push((nick, None));
            }
        }
        target
    }

    /// The draft as a plan to keep.
    pub fn rooms(&self, model: &Model) -> Vec<PlannedRoom> {
        let resolved = self.resolve(model);
        self.rooms
            .iter()
            .map(|r| PlannedRoom {
                name: r.name.clone(),
                people: self
                    .entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.room == Some(r.key))
                    .map(|(i, e)| match &resolved.nicks[i] {
                        // Someone here is kept under the name they use now.
                        Some(nick) => model
                            .find(nick)
                            .map_or(e.person.clone(), |w| person_of(model, nick, &w)),
                        None => e.person.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// People in the meeting as matching sees them.
pub(super) fn present<'a>(
    model: &'a Model,
    people: &'a [(String, Whereabouts)],
) -> Vec<Present<'a>> {
    people
        .iter()
        .map(|(n, w)| Present {
            id: n,
            name: w.display_name.as_deref(),
            identity: model.identity_of(n),
        })
        .collect()
}

fn room_jid(key: u32) -> String {
    format!("{ROOM_PREFIX}{key}")
}

/// Someone here, as a plan names them.
fn person_of(model: &Model, nick: &str, w: &Whereabouts) -> PlannedPerson {
    PlannedPerson {
        name: w
            .display_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| nick.to_owned()),
        identity: model.identity_of(nick).map(str::to_owned),
    }
}

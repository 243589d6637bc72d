//! Commands checked against the latest state and turned into breakout-component
//! messages, before anything is sent. A refusal names the reason.

use std::collections::BTreeSet;
use std::time::Duration;

use app::meeting::{
    Command, Grouping, Language, NameProblem, Nothing, OutcomeKind, Refusal, RoomName,
    is_bidi_control, is_noncharacter,
};
use unicode_segmentation::UnicodeSegmentation;

use super::assign::{self, Candidate};
use super::model::{Expect, Model};
use crate::xmpp::stanza::jitsi::BreakoutCommand;
use crate::xmpp::stanza::muc::Role;

/// Longest room name, in grapheme clusters.
pub const MAX_NAME_GRAPHEMES: usize = 64;
/// Most rooms created by one command.
pub const MAX_ROOMS_AT_ONCE: usize = 100;

/// How long the meeting has to confirm a change.
#[derive(Debug, Clone, Copy)]
pub struct Confirmation {
    pub change: Duration,
    pub moves: Duration,
}

impl Default for Confirmation {
    fn default() -> Self {
        Self {
            change: Duration::from_secs(2),
            moves: Duration::from_secs(5),
        }
    }
}

/// One message to send, with what will confirm it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: OutcomeKind,
    pub command: BreakoutCommand,
    pub expect: Expect,
    pub timeout: Duration,
    /// Held back until something is so.
    pub wait: Option<Wait>,
}

/// What an item waits for before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    /// The room (by JID) is empty: closing a room.
    Empty(String),
    /// A room of this name exists: a move into a room being created, sent to
    /// that room's JID once it is known.
    Room(String),
}

/// A command's messages, in order.
pub type Plan = Vec<Item>;

/// Trims and checks a room name.
pub fn room_name(raw: &str) -> Result<String, Refusal> {
    let name = raw.trim();
    let bad = |problem: NameProblem| Refusal::BadName {
        name: raw.to_owned(),
        problem,
    };
    if name.is_empty() {
        return Err(bad(NameProblem::Empty));
    }
    if name.graphemes(true).count() > MAX_NAME_GRAPHEMES {
        return Err(bad(NameProblem::TooLong {
            max: MAX_NAME_GRAPHEMES,
        }));
    }
    if name.chars().any(char::is_control) {
        return Err(bad(NameProblem::Control));
    }
    if name.chars().any(is_bidi_control) {
        return Err(bad(NameProblem::TextDirection));
    }
    if name.chars().any(is_noncharacter) {
        return Err(bad(NameProblem::Noncharacter));
    }
    Ok(name.to_owned())
}

/// "Grupprum 1…N" or "Room 1…N", skipping names already in use.
pub fn default_names(language: Language, count: usize, taken: &[String]) -> Vec<String> {
    let word = match language {
        Language::Swedish => "Grupprum",
        Language::English => "Room",
    };
    (1..)
        .map(|n| format!("{word} {n}"))
        .filter(|n| !taken.contains(n))
        .take(count)
        .collect()
}

fn named_room(model: &Model, room: &str) -> RoomName {
    if room == model.main_jid() {
        return RoomName::Main;
    }
    RoomName::Named(
        model
            .breakout_rooms()
            .into_iter()
            .find(|(j, _)| j == room)
            .map(|(_, n)| n)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| room.to_owned()),
    )
}

fn room_label(model: &Model, room: &str) -> String {
    match named_room(model, room) {
        RoomName::Main => model.main_jid().to_owned(),
        RoomName::Named(name) => name,
    }
}

fn person_label(model: &Model, id: &str) -> String {
    model
        .address_of(id)
        .and_then(|(_, name)| name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_owned())
}

fn check_room(model: &Model, room: &str) -> Result<(), Refusal> {
    if model.has_room(room) {
        Ok(())
    } else {
        Err(Refusal::NoSuchRoom(room.to_owned()))
    }
}

fn move_item(
    model: &Model,
    id: &str,
    real_jid: String,
    to: &str,
    timeout: Duration,
    wait: Option<Wait>,
) -> Item {
    Item {
        kind: OutcomeKind::Move(person_label(model, id), named_room(model, to)),
        command: BreakoutCommand::MoveToRoom {
            participant: real_jid,
            room: to.to_owned(),
        },
        expect: Expect::Moved {
            participant: id.to_owned(),
            to: to.to_owned(),
        },
        timeout,
        wait,
    }
}

/// A move into the room named `room`, which does not exist yet.
fn move_into_new(model: &Model, id: &str, real_jid: String, room: &str, timeout: Duration) -> Item {
    Item {
        kind: OutcomeKind::Move(person_label(model, id), RoomName::Named(room.to_owned())),
        command: BreakoutCommand::MoveToRoom {
            participant: real_jid,
            room: String::new(),
        },
        expect: Expect::Moved {
            participant: id.to_owned(),
            to: String::new(),
        },
        timeout,
        wait: Some(Wait::Room(room.to_owned())),
    }
}

fn remove_item(model: &Model, room: &str, timeout: Duration, after_empty: bool) -> Item {
    Item {
        kind: OutcomeKind::Remove(named_room(model, room)),
        command: BreakoutCommand::Remove {
            room: room.to_owned(),
        },
        expect: Expect::RoomRemoved {
            room: room.to_owned(),
        },
        timeout,
        wait: after_empty.then(|| Wait::Empty(room.to_owned())),
    }
}

/// Moves everyone out of `room`, then removes it once it is empty.
fn close_items(model: &Model, room: &str, timing: Confirmation) -> Plan {
    close_except(model, room, &BTreeSet::new(), timing)
}

/// [`close_items`], but those in `going` are moved elsewhere by others.
fn close_except(model: &Model, room: &str, going: &BTreeSet<String>, timing: Confirmation) -> Plan {
    let me = model.me().map(|m| m.nick.clone());
    // Those on their way in are moved back too: they would arrive in a closing room.
    let mut people = model.people_in(room);
    for id in model.arriving(room) {
        if !people.contains(&id) {
            people.push(id);
        }
    }
    let mut plan: Plan = people
        .into_iter()
        .filter(|id| Some(id) != me.as_ref() && !going.contains(id))
        .filter_map(|id| {
            let (real, _) = model.address_of(&id)?;
            Some(move_item(
                model,
                &id,
                real,
                model.main_jid(),
                timing.moves,
                None,
            ))
        })
        .collect();
    let occupied = !plan.is_empty() || !model.people_in(room).is_empty();
    plan.push(remove_item(model, room, timing.change, occupied));
    plan
}

/// Nothing is planned without moderator rights in the meeting.
pub fn may_act(model: &Model) -> Result<(), Refusal> {
    match (model.is_moderator(), model.me()) {
        (true, _) => Ok(()),
        (false, Some(_)) => Err(Refusal::NotModerator),
        (false, None) => Err(Refusal::NotConnected),
    }
}

/// The create items for rooms named `names`.
fn create_items(model: &Model, names: Vec<String>, timing: Confirmation) -> Plan {
    let before: BTreeSet<String> = model.breakout_rooms().into_iter().map(|(j, _)| j).collect();
    names
        .into_iter()
        .map(|name| Item {
            kind: OutcomeKind::Create(name.clone()),
            command: BreakoutCommand::Add {
                subject: name.clone(),
            },
            expect: Expect::RoomAdded {
                name,
                before: before.clone(),
            },
            timeout: timing.change,
            wait: None,
        })
        .collect()
}

/// The room named `name`: the main room, or a breakout room by its name.
fn room_named(model: &Model, name: &RoomName) -> Option<String> {
    match name {
        RoomName::Main => Some(model.main_jid().to_owned()),
        RoomName::Named(name) => model
            .breakout_rooms()
            .into_iter()
            .find(|(_, n)| n == name)
            .map(|(j, _)| j),
    }
}

/// Brings the meeting to an arrangement: the rooms in `rooms` that do not
/// exist are created, everyone in `moves` (by id) goes to their room (by
/// name; into a new room once it is there), and with `close_others` every
/// other breakout room is closed. Those who are where they should be, or
/// have left, are skipped. Opening a plan and undoing both come to this.
pub fn arrange(
    model: &Model,
    rooms: &[String],
    moves: &[(String, RoomName)],
    close_others: bool,
    timing: Confirmation,
) -> Result<Plan, Refusal> {
    may_act(model)?;
    let existing: Vec<String> = model.breakout_rooms().into_iter().map(|(_, n)| n).collect();
    let mut new: Vec<String> = Vec::new();
    for name in rooms {
        // A room that is there is taken as it is named.
        if existing.contains(name) {
            continue;
        }
        let name = room_name(name)?;
        if !existing.contains(&name) && !new.contains(&name) {
            new.push(name);
        }
    }
    let mut plan = create_items(model, new, timing);
    let mut going = BTreeSet::new();
    for (id, to) in moves {
        // Someone between rooms is addressed as last seen.
        let (room, real_jid) = match model.find(id) {
            Some(w) => (Some(w.room), w.real_jid),
            None => match model.address_of(id) {
                Some((real_jid, _)) => (None, real_jid),
                None => continue,
            },
        };
        going.insert(id.clone());
        match room_named(model, to) {
            // There already, and not on the way elsewhere.
            Some(jid) if Some(&jid) == room.as_ref() && !model.is_moving(id) => {}
            Some(jid) => plan.push(move_item(model, id, real_jid, &jid, timing.moves, None)),
            None => match to {
                RoomName::Named(name) => {
                    plan.push(move_into_new(model, id, real_jid, name, timing.moves));
                }
                RoomName::Main => {}
            },
        }
    }
    if close_others {
        for (jid, name) in model.breakout_rooms() {
            if !rooms.contains(&name) {
                plan.extend(close_except(model, &jid, &going, timing));
            }
        }
    }
    Ok(plan)
}

/// Checks `command` against the latest state and plans its messages.
pub fn plan(model: &Model, command: &Command, timing: Confirmation) -> Result<Plan, Refusal> {
    may_act(model)?;
    let existing: Vec<String> = model.breakout_rooms().into_iter().map(|(_, n)| n).collect();
    match command {
        Command::CreateRoom { name } => Ok(create_items(model, vec![room_name(name)?], timing)),
        Command::CreateRooms {
            count,
            names,
            language,
        } => {
            if *count == 0 || *count > MAX_ROOMS_AT_ONCE {
                return Err(Refusal::Nothing(Nothing::RoomCount {
                    max: MAX_ROOMS_AT_ONCE,
                    asked: *count,
                }));
            }
            let mut chosen: Vec<String> = names
                .iter()
                .map(|n| room_name(n))
                .collect::<Result<_, _>>()?;
            chosen.truncate(*count);
            let taken: Vec<String> = existing.iter().chain(chosen.iter()).cloned().collect();
            chosen.extend(default_names(*language, count - chosen.len(), &taken));
            Ok(create_items(model, chosen, timing))
        }
        Command::RenameRoom { room, name } => {
            if !model.can_rename() {
                return Err(Refusal::RenameUnsupported);
            }
            if room == model.main_jid() || !model.has_room(room) {
                return Err(Refusal::NoSuchRoom(room.clone()));
            }
            let name = room_name(name)?;
            Ok(vec![Item {
                kind: OutcomeKind::Rename(named_room(model, room), name.clone()),
                command: BreakoutCommand::Rename {
                    room: room.clone(),
                    subject: name.clone(),
                },
                expect: Expect::RoomRenamed {
                    room: room.clone(),
                    name,
                },
                timeout: timing.change,
                wait: None,
            }])
        }
        Command::RemoveRoom { room } => {
            if room == model.main_jid() || !model.has_room(room) {
                return Err(Refusal::NoSuchRoom(room.clone()));
            }
            if !model.people_in(room).is_empty() {
                return Err(Refusal::RoomOccupied(room_label(model, room)));
            }
            Ok(vec![remove_item(model, room, timing.change, false)])
        }
        Command::CloseRoom { room } => {
            if room == model.main_jid() || !model.has_room(room) {
                return Err(Refusal::NoSuchRoom(room.clone()));
            }
            Ok(close_items(model, room, timing))
        }
        Command::SendEveryoneBack => {
            let rooms = model.breakout_rooms();
            if rooms.is_empty() {
                return Err(Refusal::Nothing(Nothing::NoRooms));
            }
            Ok(rooms
                .iter()
                .flat_map(|(room, _)| close_items(model, room, timing))
                .collect())
        }
        Command::Move { participants, to } => {
            check_room(model, to)?;
            if participants.is_empty() {
                return Err(Refusal::Nothing(Nothing::NoParticipants));
            }
            // Each person once, however often the command names them.
            let mut seen = BTreeSet::new();
            participants
                .iter()
                .filter(|id| seen.insert(id.as_str()))
                .map(|id| {
                    let w = model
                        .find(id)
                        .ok_or_else(|| Refusal::NoSuchParticipant(id.clone()))?;
                    Ok(move_item(model, id, w.real_jid, to, timing.moves, None))
                })
                .collect()
        }
        Command::AutoAssign {
            rooms,
            include_moderators,
            grouping,
        } => auto_assign(model, rooms, *include_moderators, grouping, timing),
        _ => Err(Refusal::NoDraft),
    }
}

/// Spreads the main room's people over `rooms` (every breakout room when
/// empty), creating the rooms a room size needs.
fn auto_assign(
    model: &Model,
    rooms: &[String],
    include_moderators: bool,
    grouping: &Grouping,
    timing: Confirmation,
) -> Result<Plan, Refusal> {
    let targets: Vec<String> = if rooms.is_empty() {
        model.breakout_rooms().into_iter().map(|(j, _)| j).collect()
    } else {
        for room in rooms {
            if room == model.main_jid() || !model.has_room(room) {
                return Err(Refusal::NoSuchRoom(room.clone()));
            }
        }
        rooms.to_vec()
    };
    if targets.is_empty() && grouping.size.is_none() {
        return Err(Refusal::Nothing(Nothing::NoRooms));
    }
    let me = model.me().map(|m| m.nick.clone());
    let mut people: Vec<(Candidate, String)> = model
        .people_in(model.main_jid())
        .into_iter()
        .filter(|id| Some(id) != me.as_ref())
        .filter_map(|id| {
            let w = model.find(&id)?;
            let moderator = w.role == Some(Role::Moderator);
            if moderator && !include_moderators && !grouping.moderator_per_room {
                return None;
            }
            Some((
                Candidate {
                    id,
                    name: w.display_name,
                    moderator,
                },
                w.real_jid,
            ))
        })
        .collect();
    if people.is_empty() {
        return Err(Refusal::Nothing(Nothing::NobodyToAssign));
    }
    people.sort_by_key(|(c, _)| {
        (
            c.name.clone().unwrap_or_default().to_lowercase(),
            c.id.clone(),
        )
    });
    let candidates: Vec<Candidate> = people.iter().map(|(c, _)| c.clone()).collect();
    let load: Vec<usize> = targets.iter().map(|r| model.people_in(r).len()).collect();
    let assignment = assign::assign(&candidates, &load, grouping, include_moderators)?;
    let taken: Vec<String> = model.breakout_rooms().into_iter().map(|(_, n)| n).collect();
    let new_names = default_names(grouping.language, assignment.new_rooms, &taken);
    let mut plan = create_items(model, new_names.clone(), timing);
    for (id, room) in assignment.placed {
        let Some((_, real)) = people.iter().find(|(c, _)| c.id == id) else {
            continue;
        };
        match targets.get(room) {
            Some(jid) => plan.push(move_item(model, &id, real.clone(), jid, timing.moves, None)),
            None => plan.push(move_into_new(
                model,
                &id,
                real.clone(),
                &new_names[room - targets.len()],
                timing.moves,
            )),
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jitsi::model::tests::{MAIN, moderator_model, presence, update};
    use app::meeting::By;

    fn timing() -> Confirmation {
        Confirmation::default()
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(room_name("  Grupp A  "), Ok("Grupp A".into()));
        assert_eq!(
            room_name(&"ü".repeat(64)).map(|n| n.chars().count()),
            Ok(64)
        );
        // 64 family emoji are 64 graphemes but many more chars: still fine.
        assert!(room_name(&"👨‍👩‍👧".repeat(64)).is_ok());
        let refusal = |raw: &str, problem: NameProblem| {
            Err(Refusal::BadName {
                name: raw.into(),
                problem,
            })
        };
        assert_eq!(room_name("   "), refusal("   ", NameProblem::Empty));
        assert_eq!(
            room_name(&"a".repeat(65)),
            refusal(&"a".repeat(65), NameProblem::TooLong { max: 64 })
        );
        assert_eq!(
            room_name("a\u{0007}b"),
            refusal("a\u{0007}b", NameProblem::Control)
        );
        assert_eq!(room_name("a\nb"), refusal("a\nb", NameProblem::Control));
        assert_eq!(
            room_name("\u{202E}abc"),
            refusal("\u{202E}abc", NameProblem::TextDirection)
        );
        assert_eq!(
            room_name("a\u{2066}b"),
            refusal("a\u{2066}b", NameProblem::TextDirection)
        );
        assert_eq!(
            room_name("مرحبا"),
            Ok("مرحبا".into()),
            "right-to-left text itself is fine"
        );
        for nonchar in ["a\u{FFFE}", "\u{FFFF}b", "c\u{FDD0}", "\u{10FFFF}"] {
            assert_eq!(
                room_name(nonchar),
                refusal(nonchar, NameProblem::Noncharacter)
            );
        }
    }

    #[test]
    fn a_move_naming_someone_twice_sends_one_move() {
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_presence(&presence("bbbb", "Björn", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        let items = plan(
            &model,
            &Command::Move {
                participants: vec!["aaaa".into(), "bbbb".into(), "aaaa".into(), "aaaa".into()],
                to: "r1@breakout.meet.test".into(),
            },
            timing(),
        )
        .unwrap();
        let moved: Vec<&Expect> = items.iter().map(|i| &i.expect).collect();
        assert_eq!(items.len(), 2, "{moved:?}");
    }

    #[test]
    fn default_names_skip_taken_ones() {
        assert_eq!(
            default_names(Language::Swedish, 3, &[]),
            ["Grupprum 1", "Grupprum 2", "Grupprum 3"]
        );
        assert_eq!(
            default_names(Language::English, 2, &["Room 1".into()]),
            ["Room 2", "Room 3"]
        );
    }

    #[test]
    fn nothing_is_planned_without_moderator_rights() {
        let mut model = moderator_model();
        let mut me = presence("me000001", "Grupprum", "participant", true);
        me.codes.push(110);
        model.apply_presence(&me);
        assert_eq!(
            plan(&model, &Command::CreateRoom { name: "A".into() }, timing()),
            Err(Refusal::NotModerator)
        );
        model.reset();
        assert_eq!(
            plan(&model, &Command::CreateRoom { name: "A".into() }, timing()),
            Err(Refusal::NotConnected)
        );
    }

    #[test]
    fn every_room_and_person_must_exist() {
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        let r1 = "r1@breakout.meet.test".to_owned();
        assert_eq!(
            plan(
                &model,
                &Command::Move {
                    participants: vec!["zzzz".into()],
                    to: r1.clone()
                },
                timing()
            ),
            Err(Refusal::NoSuchParticipant("zzzz".into()))
        );
        assert_eq!(
            plan(
                &model,
                &Command::Move {
                    participants: vec!["aaaa".into()],
                    to: "r9@breakout.meet.test".into()
                },
                timing()
            ),
            Err(Refusal::NoSuchRoom("r9@breakout.meet.test".into()))
        );
        assert_eq!(
            plan(
                &model,
                &Command::RenameRoom {
                    room: MAIN.into(),
                    name: "x".into()
                },
                timing()
            ),
            Err(Refusal::NoSuchRoom(MAIN.into()))
        );
        assert_eq!(
            plan(&model, &Command::CloseRoom { room: MAIN.into() }, timing()),
            Err(Refusal::NoSuchRoom(MAIN.into()))
        );
        model.set_can_rename(false);
        assert_eq!(
            plan(
                &model,
                &Command::RenameRoom {
                    room: r1,
                    name: "x".into()
                },
                timing()
            ),
            Err(Refusal::RenameUnsupported)
        );
        assert!(matches!(
            plan(
                &model,
                &Command::CreateRooms {
                    count: 0,
                    names: vec![],
                    language: Language::Swedish
                },
                timing()
            ),
            Err(Refusal::Nothing(_))
        ));
    }

    #[test]
    fn closing_moves_everyone_out_before_removing() {
        let mut model = moderator_model();
        model.apply_update(update(&[
            ("r1", "One", &[("aaaa", "Anna"), ("bbbb", "Björn")]),
            ("r2", "Two", &[]),
        ]));
        let r1 = "r1@breakout.meet.test";
        assert_eq!(
            plan(&model, &Command::RemoveRoom { room: r1.into() }, timing()),
            Err(Refusal::RoomOccupied("One".into()))
        );
        let items = plan(&model, &Command::CloseRoom { room: r1.into() }, timing()).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[0].kind,
            OutcomeKind::Move("Anna".into(), RoomName::Main)
        );
        assert_eq!(
            items[0].command,
            BreakoutCommand::MoveToRoom {
                participant: "aaaa@meet.test/r".into(),
                room: MAIN.into()
            }
        );
        assert_eq!(
            items[2].command,
            BreakoutCommand::Remove { room: r1.into() }
        );
        assert_eq!(items[2].wait, Some(Wait::Empty(r1.into())));
        // An empty room is removed at once; send-everyone-back covers every room.
        let items = plan(
            &model,
            &Command::CloseRoom {
                room: "r2@breakout.meet.test".into(),
            },
            timing(),
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].wait, None);
        assert_eq!(
            plan(&model, &Command::SendEveryoneBack, timing())
                .unwrap()
                .len(),
            4
        );
    }

    #[test]
    fn closing_also_sends_back_those_on_their_way_in() {
        let mut model = moderator_model();
        model.apply_presence(&presence("aaaa", "Anna", "participant", true));
        model.apply_update(update(&[("r1", "One", &[])]));
        let r1 = "r1@breakout.meet.test";
        model.expect(
            OutcomeKind::Move("Anna".into(), RoomName::Named("One".into())),
            Expect::Moved {
                participant: "aaaa".into(),
                to: r1.into(),
            },
            Duration::from_secs(5),
            By::Here,
        );
        // Anna left the main room and the update does not show her in One yet.
        model.apply_presence(&presence("aaaa", "Anna", "none", false));
        let items = plan(&model, &Command::CloseRoom { room: r1.into() }, timing()).unwrap();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(
            items[0].kind,
            OutcomeKind::Move("Anna".into(), RoomName::Main)
        );
        assert_eq!(items[1].wait, Some(Wait::Empty(r1.into())));
    }

    #[test]
    fn auto_assign_balances_and_respects_moderators() {
        let mut model = moderator_model();
        for (nick, name) in [
            ("a1", "Anna"),
            ("b1", "Björn"),
            ("c1", "Cecilia"),
            ("d1", "David"),
        ] {
            model.apply_presence(&presence(nick, name, "participant", true));
        }
        model.apply_presence(&presence("m1", "Maria (mod)", "moderator", true));
        model.apply_update(update(&[
            ("r1", "One", &[("x1", "Xena")]),
            ("r2", "Two", &[]),
        ]));
        let items = plan(
            &model,
            &Command::AutoAssign {
                rooms: vec![],
                include_moderators: false,
                grouping: Grouping::default(),
            },
            timing(),
        )
        .unwrap();
        assert_eq!(items.len(), 4, "moderators and the panel stay");
        let to_r1 = items.iter().filter(|i| matches!(&i.command, BreakoutCommand::MoveToRoom { room, .. } if room.starts_with("r1@"))).count();
        assert_eq!(
            to_r1, 2,
            "One already has Xena, so it gets one fewer: {items:?}"
        );
        let with_mods = plan(
            &model,
            &Command::AutoAssign {
                rooms: vec!["r2@breakout.meet.test".into()],
                include_moderators: true,
                grouping: Grouping::default(),
            },
            timing(),
        )
        .unwrap();
        assert_eq!(with_mods.len(), 5);
        assert!(with_mods.iter().all(|i| matches!(&i.command, BreakoutCommand::MoveToRoom { room, .. } if room.starts_with("r2@"))));
    }
}

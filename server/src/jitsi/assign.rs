//! Auto-assign as arithmetic: who goes to which room, given the rooms' sizes
//! and the host's wishes (rooms of a given size, people kept together or
//! apart, one moderator per room). Nothing here knows of XMPP.

use app::meeting::{Grouping, Refusal};

use crate::plans::matching;

/// Someone to place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: Option<String>,
    pub moderator: bool,
}

/// Where everyone goes: room indices count the existing rooms first, then
/// `new_rooms` rooms to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub new_rooms: usize,
    pub placed: Vec<(String, usize)>,
}

/// Most rooms one auto-assign creates.
pub const MAX_NEW_ROOMS: usize = 100;

/// A set of people who go to one room.
struct Block {
    members: Vec<usize>,
    /// Sorting key: the first member's name, compared as names are.
    key: String,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// The candidates `name` stands for: everyone whose name fits it.
fn named(people: &[Candidate], name: &str) -> Result<Vec<usize>, Refusal> {
    let wanted = matching::key(name);
    let found: Vec<usize> = people
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.name
                .as_deref()
                .is_some_and(|n| matching::key(n) == wanted)
        })
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() && !wanted.is_empty() {
        return Err(Refusal::UnknownName(name.trim().to_owned()));
    }
    Ok(found)
}

/// Places `people` in `rooms` (each room's current head count), spreading
/// them evenly. With a size, creates as many rooms as that size needs. With
/// one moderator a room but not `all_moderators`, the moderators beyond one a
/// room stay where they are.
pub fn assign(
    people: &[Candidate],
    rooms: &[usize],
    grouping: &Grouping,
    all_moderators: bool,
) -> Result<Assignment, Refusal> {
    let size = match grouping.size {
        Some(0) => return Err(Refusal::GroupsImpossible),
        other => other,
    };
    // The rooms there are take what room they have left; the rest need new rooms.
    let new_rooms = match size {
        Some(size) => {
            let free: usize = rooms.iter().map(|&load| size.saturating_sub(load)).sum();
            people.len().saturating_sub(free).div_ceil(size)
        }
        None => 0,
    };
    if new_rooms > MAX_NEW_ROOMS {
        return Err(Refusal::Nothing(app::meeting::Nothing::RoomCount {
            max: MAX_NEW_ROOMS,
            asked: new_rooms,
        }));
    }
    let room_count = rooms.len() + new_rooms;
    if room_count == 0 {
        return Err(Refusal::Nothing(app::meeting::Nothing::NoRooms));
    }
    // Keep-together groups join people into blocks.
    let mut parent: Vec<usize> = (0..people.len()).collect();
    for group in &grouping.together {
        let mut members = Vec::new();
        for name in group {
            members.extend(named(people, name)?);
        }
        for pair in members.windows(2) {
            let (a, b) = (find(&mut parent, pair[0]), find(&mut parent, pair[1]));
            parent[a] = b;
        }
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut by_root: std::collections::BTreeMap<usize, usize> = Default::default();
    let block_of: Vec<usize> = (0..people.len())
        .map(|i| {
            let root = find(&mut parent, i);
            let b = *by_root.entry(root).or_insert_with(|| {
                blocks.push(Block {
                    members: Vec::new(),
                    key: String::new(),
                });
                blocks.len() - 1
            });
            blocks[b].members.push(i);
            b
        })
        .collect();
    for block in &mut blocks {
        block.key = block
            .members
            .iter()
            .map(|&i| matching::key(people[i].name.as_deref().unwrap_or(&people[i].id)))
            .min()
            .unwrap_or_default();
    }
    // Keep-apart groups: blocks that may not share a room.
    let mut apart: Vec<Vec<usize>> = vec![Vec::new(); blocks.len()];
    for group in &grouping.apart {
        let mut members = Vec::new();
        for name in group {
            members.extend(named(people, name)?);
        }
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                let (ba, bb) = (block_of[a], block_of[b]);
                if ba == bb {
                    return Err(Refusal::GroupsImpossible);
                }
                apart[ba].push(bb);
                apart[bb].push(ba);
            }
        }
    }
    if let Some(size) = size
        && blocks.iter().any(|b| b.members.len() > size)
    {
        return Err(Refusal::GroupsImpossible);
    }
    // Moderators go first, one to each room; then the largest blocks, so that
    // the small ones even out the rooms.
    let leads =
        |b: &Block| grouping.moderator_per_room && b.members.iter().any(|&i| people[i].moderator);
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&blocks[a], &blocks[b]);
        leads(y)
            .cmp(&leads(x))
            .then(y.members.len().cmp(&x.members.len()))
            .then_with(|| x.key.cmp(&y.key))
    });
    let mut load: Vec<usize> = rooms
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0, new_rooms))
        .collect();
    let mut leaders = vec![0usize; room_count];
    let mut room_of: Vec<Option<usize>> = vec![None; blocks.len()];
    let mut leads_placed = 0;
    for b in order {
        let block = &blocks[b];
        let only_moderators = block.members.iter().all(|&i| people[i].moderator);
        if leads(block) && only_moderators && !all_moderators {
            if leads_placed == room_count {
                continue;
            }
            leads_placed += 1;
        }
        let fits = |r: usize| apart[b].iter().all(|&other| room_of[other] != Some(r));
        let within =
            |r: usize, load: &[usize]| size.is_none_or(|s| load[r] + block.members.len() <= s);
        let lead = leads(block);
        let best = (0..room_count)
            .filter(|&r| fits(r))
            .min_by_key(|&r| {
                (
                    !within(r, &load),
                    if lead { leaders[r] } else { 0 },
                    load[r],
                )
            })
            .ok_or(Refusal::GroupsImpossible)?;
        load[best] += block.members.len();
        if lead {
            leaders[best] += 1;
        }
        room_of[b] = Some(best);
    }
    let placed = people
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.id.clone(), room_of[block_of[i]]?)))
        .collect();
    Ok(Assignment { new_rooms, placed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(names: &[&str]) -> Vec<Candidate> {
        names
            .iter()
            .map(|n| Candidate {
                id: format!("id-{n}"),
                name: Some((*n).to_owned()),
                moderator: n.starts_with("Mod"),
            })
            .collect()
    }

    fn rooms_of(a: &Assignment, people: &[Candidate]) -> Vec<usize> {
        people
            .iter()
            .map(|p| a.placed.iter().find(|(id, _)| *id == p.id).unwrap().1)
            .collect()
    }

    #[test]
    fn spreads_evenly_over_the_rooms_there_are() {
        let p = people(&["Anna", "Bo", "Cia", "Dan", "Eva"]);
        let a = assign(&p, &[0, 0], &Grouping::default(), false).unwrap();
        assert_eq!(a.new_rooms, 0);
        let mut counts = [0; 2];
        for r in rooms_of(&a, &p) {
            counts[r] += 1;
        }
        assert_eq!(counts, [3, 2]);
        // Rooms with people already get fewer.
        let a = assign(&p, &[3, 0], &Grouping::default(), false).unwrap();
        assert_eq!(rooms_of(&a, &p).iter().filter(|&&r| r == 1).count(), 4);
    }

    #[test]
    fn a_room_size_creates_the_rooms_it_needs() {
        let names: Vec<String> = (0..10).map(|i| format!("P{i:02}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let p = people(&refs);
        let grouping = Grouping {
            size: Some(4),
            ..Grouping::default()
        };
        let a = assign(&p, &[], &grouping, false).unwrap();
        assert_eq!(a.new_rooms, 3, "ten people in rooms of four");
        let mut counts = [0; 3];
        for r in rooms_of(&a, &p) {
            counts[r] += 1;
        }
        assert!(counts.iter().all(|c| (3..=4).contains(c)), "{counts:?}");
        // Rooms that exist count towards the rooms needed, with what room they have left.
        assert_eq!(assign(&p, &[0, 0], &grouping, false).unwrap().new_rooms, 1);
        let a = assign(&p, &[4, 4], &grouping, false).unwrap();
        assert_eq!(a.new_rooms, 3, "two full rooms take nobody");
        assert!(a.placed.iter().all(|(_, r)| *r >= 2));
        assert_eq!(
            assign(
                &p,
                &[],
                &Grouping {
                    size: Some(0),
                    ..Grouping::default()
                },
                false
            ),
            Err(Refusal::GroupsImpossible)
        );
    }

    #[test]
    fn keeps_together_and_apart_by_name_whatever_the_case_or_accents() {
        let p = people(&["Anna", "Bo", "Cia", "Dan", "Eva", "Åsa"]);
        let grouping = Grouping {
            together: vec![
                vec!["anna".into(), "  DAN ".into()],
                vec!["Bo".into(), "Eva".into()],
            ],
            apart: vec![
                vec!["Anna".into(), "Bo".into()],
                vec!["asa".into(), "Cia".into()],
            ],
            ..Grouping::default()
        };
        for rooms in [[0, 0], [5, 0], [0, 5]] {
            let a = assign(&p, &rooms, &grouping, false).unwrap();
            let r = rooms_of(&a, &p);
            assert_eq!(r[0], r[3], "Anna with Dan");
            assert_eq!(r[1], r[4], "Bo with Eva");
            assert_ne!(r[0], r[1], "Anna apart from Bo");
            assert_ne!(r[5], r[2], "Åsa apart from Cia");
        }
        let unknown = Grouping {
            together: vec![vec!["Anna".into(), "Zed".into()]],
            ..Grouping::default()
        };
        assert_eq!(
            assign(&p, &[0, 0], &unknown, false),
            Err(Refusal::UnknownName("Zed".into()))
        );
        let both = Grouping {
            together: vec![vec!["Anna".into(), "Bo".into()]],
            apart: vec![vec!["Anna".into(), "Bo".into()]],
            ..Grouping::default()
        };
        assert_eq!(
            assign(&p, &[0, 0], &both, false),
            Err(Refusal::GroupsImpossible)
        );
        let three_apart = Grouping {
            apart: vec![vec!["Anna".into(), "Bo".into(), "Cia".into()]],
            ..Grouping::default()
        };
        assert_eq!(
            assign(&p, &[0, 0], &three_apart, false),
            Err(Refusal::GroupsImpossible)
        );
    }

    #[test]
    fn one_moderator_to_each_room_before_anyone_else() {
        let p = people(&["Anna", "Bo", "ModA", "ModB", "ModC", "Cia", "Dan"]);
        let grouping = Grouping {
            moderator_per_room: true,
            ..Grouping::default()
        };
        let a = assign(&p, &[0, 0, 0], &grouping, false).unwrap();
        let r = rooms_of(&a, &p);
        let mut moderator_rooms = vec![r[2], r[3], r[4]];
        moderator_rooms.sort();
        assert_eq!(moderator_rooms, vec![0, 1, 2]);
        // Two rooms for three moderators: the third stays where they are.
        let a = assign(&p, &[0, 0], &grouping, false).unwrap();
        let placed = |id: &str| a.placed.iter().any(|(p, _)| p == id);
        assert_eq!(
            ["id-ModA", "id-ModB", "id-ModC"]
                .iter()
                .filter(|m| placed(m))
                .count(),
            2
        );
        assert!(placed("id-Anna") && placed("id-Dan"));
        // Asked to include every moderator, all three go.
        let a = assign(&p, &[0, 0], &grouping, true).unwrap();
        assert_eq!(a.placed.len(), p.len());
    }
}

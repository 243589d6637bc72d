//! Room plans, undo and late joiners end to end against the test meeting on
//! real Prosody: a draft sends nothing until it is opened, opening creates
//! its rooms and moves everyone, people not there yet are placed as they
//! join, and undo puts people back where they were.

use std::time::Duration;

use app::meeting::{
    Command, Grouping, Language, LateJoiners, MeetingView, OutcomeState, Progress, Refusal,
};

mod support;

use support::meeting::{Find, id_of, settled, start, until, until_within};

/// Long enough for a few dozen paced moves (three a second).
const PACED: Duration = Duration::from_secs(40);

fn draft_room(view: &MeetingView, name: &str) -> String {
    let draft = view.draft.as_ref().expect("a draft");
    draft
        .rooms()
        .iter()
        .find(|r| r.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("the draft has {name}"))
        .jid
        .clone()
}

fn draft_id(view: &MeetingView, name: &str) -> String {
    let draft = view.draft.as_ref().expect("a draft");
    std::iter::once(draft.main())
        .chain(draft.rooms())
        .flat_map(|r| &r.participants)
        .find(|p| p.display_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} is in the draft"))
        .id
        .clone()
}

fn people_in(view: &MeetingView, room: &str) -> Vec<String> {
    let mut names: Vec<String> = view
        .room_named(room)
        .map(|r| {
            r.participants
                .iter()
                .filter_map(|p| p.display_name.clone())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn a_plan_sends_nothing_until_opened_then_moves_everyone_and_places_a_late_joiner() {
    let (mut meeting, panel) = start(
        "liveplan",
        &[("Anna", false), ("Bo", false), ("Cia", false)],
    )
    .await;
    panel
        .command(Command::Prepare { plan: None })
        .await
        .unwrap();
    let draft = |command| Command::Draft(Box::new(command));
    panel
        .command(draft(Command::CreateRooms {
            count: 2,
            names: vec!["Röd".into(), "Blå".into()],
            language: Language::Swedish,
        }))
        .await
        .unwrap();
    panel
        .command(draft(Command::AddPeople {
            names: vec!["Dora Ek".into()],
        }))
        .await
        .unwrap();
    let view = until(&panel, |v| {
        v.draft.as_ref().is_some_and(|d| d.rooms().len() == 2)
    })
    .await;
    let (red, blue) = (draft_room(&view, "Röd"), draft_room(&view, "Blå"));
    let ids = |names: &[&str]| names.iter().map(|n| draft_id(&view, n)).collect::<Vec<_>>();
    panel
        .command(draft(Command::Move {
            participants: ids(&["Anna", "Bo"]),
            to: red.clone(),
        }))
        .await
        .unwrap();
    panel
        .command(draft(Command::Move {
            participants: ids(&["Cia", "Dora Ek"]),
            to: blue.clone(),
        }))
        .await
        .unwrap();
    let view = until(&panel, |v| {
        v.draft
            .as_ref()
            .is_some_and(|d| d.rooms().iter().all(|r| r.participants.len() == 2))
    })
    .await;
    let dora = view
        .draft
        .as_ref()
        .unwrap()
        .rooms()
        .iter()
        .flat_map(|r| &r.participants)
        .find(|p| p.absent);
    assert_eq!(
        dora.and_then(|p| p.display_name.as_deref()),
        Some("Dora Ek")
    );
    assert!(
        view.rooms.is_empty(),
        "a draft sends nothing: {:?}",
        view.rooms
    );

    let receipt = panel.command(Command::OpenRooms).await.unwrap();
    assert_eq!(receipt.len(), 5, "two rooms, three moves");
    let view = settled(&panel, &receipt).await;
    assert!(view.draft.is_none(), "the draft is the meeting now");
    assert_eq!(people_in(&view, "Röd"), ["Anna", "Bo"]);
    assert_eq!(people_in(&view, "Blå"), ["Cia"]);
    assert_eq!(
        view.progress,
        Some(Progress {
            total: 5,
            done: 5,
            failed: 0,
            absent: 1
        })
    );

    // Dora joins, her name written her own way, and goes where the plan says.
    meeting.join_people(&[("  dora EK", false)]).await;
    let view = until(&panel, |v| people_in(v, "Blå").len() == 2).await;
    assert_eq!(view.progress.unwrap().absent, 0);
    assert!(
        view.main.participants.iter().all(|p| p.is_me),
        "nobody waits"
    );
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn undo_of_an_auto_assign_of_thirty_puts_each_one_back() {
    let names: Vec<String> = (1..=30).map(|i| format!("Deltagare {i:02}")).collect();
    let people: Vec<(&str, bool)> = names.iter().map(|n| (n.as_str(), false)).collect();
    let (meeting, panel) = start("liveundo", &people).await;
    let ids = panel
        .command(Command::CreateRooms {
            count: 3,
            names: vec![],
            language: Language::English,
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    // Two were in a room before the assign: undo leaves them there.
    let early = vec![id_of(&view, "Deltagare 01"), id_of(&view, "Deltagare 02")];
    let room1 = view.room_named("Room 1").unwrap().jid.clone();
    let ids = panel
        .command(Command::Move {
            participants: early.clone(),
            to: room1,
        })
        .await
        .unwrap();
    settled(&panel, &ids).await;
    let before = panel.view();

    let ids = panel
        .command(Command::AutoAssign {
            rooms: vec![],
            include_moderators: false,
            grouping: Grouping::default(),
        })
        .await
        .unwrap();
    assert_eq!(ids.len(), 28);
    until_within(&panel, PACED, |v| settled_all(v, &ids) && v.undo.is_some()).await;

    let ids = panel.command(Command::Undo).await.unwrap();
    assert_eq!(ids.len(), 28, "one move back for each person assigned");
    let view = until_within(&panel, PACED, |v| all_done(v, &ids)).await;
    for name in &names {
        let was = before.room_of(&id_of(&before, name)).unwrap().jid.clone();
        let is = view.room_of(&id_of(&view, name)).unwrap().jid.clone();
        assert_eq!(is, was, "{name} is back where they were");
    }
    assert!(view.undo.is_none(), "an undo is not undone");
    assert_eq!(
        panel.command(Command::Undo).await,
        Err(Refusal::NothingToUndo)
    );
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn undo_brings_a_closed_room_back_under_its_name_with_its_people() {
    let (meeting, panel) = start("liveundoclose", &[("Anna", false), ("Bo", false)]).await;
    let ids = panel
        .command(Command::CreateRoom {
            name: "Verkstad".into(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    let room = view.room_named("Verkstad").unwrap().jid.clone();
    let ids = panel
        .command(Command::Move {
            participants: vec![id_of(&view, "Anna"), id_of(&view, "Bo")],
            to: room.clone(),
        })
        .await
        .unwrap();
    settled(&panel, &ids).await;
    let ids = panel.command(Command::CloseRoom { room }).await.unwrap();
    until(&panel, |v| v.rooms.is_empty() && settled_all(v, &ids)).await;

    let ids = panel.command(Command::Undo).await.unwrap();
    assert_eq!(
        ids.len(),
        3,
        "the room, then two moves into it once it is there"
    );
    let view = until(&panel, |v| settled_all(v, &ids)).await;
    assert!(all_done(&view, &ids));
    assert_eq!(people_in(&view, "Verkstad"), ["Anna", "Bo"]);
    panel.stop().await;
    meeting.stop().await;
}

fn all_done(view: &MeetingView, ids: &[u64]) -> bool {
    ids.iter().all(|id| {
        view.outcomes
            .iter()
            .any(|o| o.id == *id && o.state == OutcomeState::Done)
    })
}

fn settled_all(view: &MeetingView, ids: &[u64]) -> bool {
    ids.iter().all(|id| {
        view.outcomes
            .iter()
            .any(|o| o.id == *id && o.state != OutcomeState::Pending)
    })
}

#[tokio::test]
async fn auto_assign_by_room_size_creates_the_rooms_and_keeps_groups() {
    let names = [
        "Anna", "Bo", "Cia", "Dan", "Eva", "Filip", "Gun", "Hugo", "Ida", "Jon",
    ];
    let people: Vec<(&str, bool)> = names.iter().map(|n| (*n, false)).collect();
    let (meeting, panel) = start("livesize", &people).await;
    let ids = panel
        .command(Command::AutoAssign {
            rooms: vec![],
            include_moderators: false,
            grouping: Grouping {
                size: Some(4),
                together: vec![vec!["anna".into(), "Jon".into()]],
                apart: vec![vec!["Bo".into(), "Cia".into()]],
                moderator_per_room: false,
                language: Language::English,
            },
        })
        .await
        .unwrap();
    assert_eq!(ids.len(), 13, "three rooms, ten moves");
    let view = until_within(&panel, PACED, |v| settled_all(v, &ids)).await;
    assert!(all_done(&view, &ids));
    assert_eq!(view.rooms.len(), 3);
    assert!(
        view.rooms
            .iter()
            .all(|r| (3..=4).contains(&r.participants.len()))
    );
    let room = |name: &str| view.room_of(&id_of(&view, name)).unwrap().jid.clone();
    assert_eq!(room("Anna"), room("Jon"));
    assert_ne!(room("Bo"), room("Cia"));
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn late_joiners_stay_and_are_counted_or_go_to_the_smallest_room() {
    let (mut meeting, panel) = start("livelate", &[("Anna", false)]).await;
    let ids = panel
        .command(Command::CreateRooms {
            count: 2,
            names: vec!["Ett".into(), "Två".into()],
            language: Language::Swedish,
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    let one = view.room_named("Ett").unwrap().jid.clone();
    let ids = panel
        .command(Command::Move {
            participants: vec![id_of(&view, "Anna")],
            to: one,
        })
        .await
        .unwrap();
    settled(&panel, &ids).await;

    panel
        .command(Command::SetLateJoiners(LateJoiners::Stay))
        .await
        .unwrap();
    meeting.join_people(&[("Bertil", false)]).await;
    let view = until(&panel, |v| v.waiting == 1).await;
    assert_eq!(view.late, LateJoiners::Stay);
    assert!(
        view.main
            .participants
            .iter()
            .any(|p| p.display_name.as_deref() == Some("Bertil"))
    );

    panel
        .command(Command::SetLateJoiners(LateJoiners::Smallest))
        .await
        .unwrap();
    meeting.join_people(&[("Cecilia", false)]).await;
    let view = until(&panel, |v| people_in(v, "Två") == ["Cecilia"]).await;
    // Who waited before the change is not moved by it.
    assert_eq!(view.waiting, 1);
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn on_a_token_deployment_a_late_joiner_is_found_by_the_identity_in_their_presence() {
    use std::sync::Arc;

    use app::plans::{PlannedPerson, PlannedRoom};
    use server::jitsi::session;
    use server::xmpp::transport::WebSocketConnector;
    use support::meeting::{config, meeting_ref};

    let meeting = testbed::harness::TestMeeting::start_with("liveidentity", 0, |o| {
        o.tokens = Some(testbed::prosody::TokenAuth::random("grupprum-test", true));
        o.open_room = true;
    })
    .await;
    let connector = || Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let panel = session::spawn(
        Arc::new(config(&meeting)),
        meeting_ref(&meeting),
        connector(),
    )
    .unwrap();
    until(&panel, |v| v.me.as_ref().is_some_and(|m| m.is_moderator)).await;
    // The plan knows her by her token's user id; her name in the meeting is another.
    let plan = vec![PlannedRoom {
        name: "Röd".into(),
        people: vec![PlannedPerson {
            name: "Gunilla Planerad".into(),
            identity: Some("gösta".into()),
        }],
    }];
    panel
        .command(Command::Prepare { plan: Some(plan) })
        .await
        .unwrap();
    let ids = panel.command(Command::OpenRooms).await.unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(view.progress.unwrap().absent, 1);
    // She joins with her token (Prosody writes `context.user.id` = "gösta"
    // into her presence) under the name "Gösta": not the plan's name.
    let mut her = config(&meeting);
    her.display_name = "Someone Else".into();
    her.token = meeting
        .m()
        .env
        .token("*", "Gösta", false, serde_json::json!({}));
    let guest = session::spawn(Arc::new(her), meeting_ref(&meeting), connector()).unwrap();
    let nick = until(&guest, |v| v.me.is_some())
        .await
        .me
        .clone()
        .unwrap()
        .id;
    let view = until(&panel, |v| {
        v.outcomes.iter().any(|o| {
            o.subject.as_deref() == Some(nick.as_str())
                && o.kind
                    == app::meeting::OutcomeKind::Move(
                        "Someone Else".into(),
                        app::meeting::RoomName::Named("Röd".into()),
                    )
        })
    })
    .await;
    assert_eq!(view.progress.unwrap().absent, 0, "she was the one expected");
    guest.stop().await;
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn undo_while_the_command_is_still_being_sent_drops_the_rest_and_puts_everyone_back() {
    let names: Vec<String> = (1..=8).map(|i| format!("Person {i}")).collect();
    let people: Vec<(&str, bool)> = names.iter().map(|n| (n.as_str(), false)).collect();
    let (meeting, panel) = start("liveundosending", &people).await;
    let ids = panel
        .command(Command::CreateRooms {
            count: 2,
            names: vec![],
            language: Language::English,
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    let ids = panel
        .command(Command::AutoAssign {
            rooms: vec![],
            include_moderators: false,
            grouping: Grouping::default(),
        })
        .await
        .unwrap();
    let before = until_within(&panel, PACED, |v| settled_all(v, &ids)).await;
    drop(view);
    // Everyone back: eight moves and two removes, three a second. Undone at once.
    let back = panel.command(Command::SendEveryoneBack).await.unwrap();
    let undo = panel.command(Command::Undo).await.unwrap();
    let view = until_within(&panel, PACED, |v| {
        settled_all(v, &back) && settled_all(v, &undo)
    })
    .await;
    let undone = back
        .iter()
        .filter(|id| {
            view.outcomes.iter().any(|o| {
                o.id == **id
                    && o.state
                        == OutcomeState::Failed {
                            reason: app::meeting::FailReason::Undone,
                        }
            })
        })
        .count();
    assert!(
        undone >= 2,
        "the rest was dropped, the removes with it ({undone})"
    );
    let view = until_within(&panel, PACED, |v| {
        names.iter().all(|n| {
            v.room_of(&id_of(v, n)).map(|r| r.jid.clone())
                == before.room_of(&id_of(&before, n)).map(|r| r.jid.clone())
        })
    })
    .await;
    assert_eq!(view.rooms.len(), 2, "both rooms are still there");
    panel.stop().await;
    meeting.stop().await;
}

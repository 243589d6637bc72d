//! The breakout component's commands, end to end on real Prosody: add, rename,
//! remove, move, and the update broadcast that follows each.

mod common;

use std::time::{Duration, Instant};

use common::*;
use testbed::harness::eventually;
use testbed::stanza::BreakoutCommand;
use testbed::{jid, ns, stanza};

const UPDATE_WAIT: Duration = Duration::from_secs(3);

#[tokio::test]
async fn discovery_advertises_the_component_and_rename() {
    let meeting = TestMeeting::start("disco", 0).await;
    let mut with_room = meeting.client().await;
    let id = with_room.id();
    let reply = with_room
        .iq(stanza::disco_info(&id, "meet.test", None))
        .await;
    let identities = stanza::component_identities(&reply);
    assert!(
        identities.contains(&("breakout_rooms".into(), "breakout.meet.test".into())),
        "{identities:?}"
    );

    let id = with_room.id();
    let reply = with_room
        .iq(stanza::disco_info(
            &id,
            "breakout.meet.test",
            Some("breakout_rooms"),
        ))
        .await;
    let features: Vec<String> = reply
        .get_child("query", ns::DISCO_INFO)
        .expect("query")
        .children()
        .filter_map(|f| f.get_attr("var").map(str::to_owned))
        .collect();
    assert!(
        features
            .iter()
            .any(|f| f == "http://jitsi.org/protocol/breakout_rooms#rename"),
        "{reply}"
    );

    // Without ?room= the feature is not offered.
    let mut without = Probe::connect(&meeting, None).await;
    let id = without.id();
    let reply = without
        .iq(stanza::disco_info(
            &id,
            "breakout.meet.test",
            Some("breakout_rooms"),
        ))
        .await;
    assert!(!reply.to_xml().contains("#rename"), "{reply}");
    meeting.stop().await;
}

#[tokio::test]
async fn first_participant_becomes_owner_and_is_offered_jingle() {
    let meeting = TestMeeting::start("owner", 0).await;
    let room = meeting.room();
    let mut m = meeting.client().await;
    m.join(&room, "Moderator Panel").await;
    let me = m.wait_moderator(&room).await;
    assert_eq!(me.affiliation.as_deref(), Some("owner"));
    let focus_occupant = format!("{room}/focus");
    let offer = m
        .wait_for(Duration::from_secs(3), |e| {
            e.get_attr("from") == Some(focus_occupant.as_str())
                && e.get_child("jingle", ns::JINGLE)
                    .and_then(|j| j.get_attr("action"))
                    == Some("session-initiate")
        })
        .await;
    assert!(
        offer.is_some(),
        "the focus sends session-initiate to a new occupant"
    );

    // The second one stays a participant.
    let mut p = meeting.client().await;
    let second = p.join(&room, "Second").await;
    assert_eq!(second.role.as_deref(), Some("participant"));
    meeting.stop().await;
}

#[tokio::test]
async fn with_grant_panels_every_other_occupant_becomes_moderator() {
    let mut meeting = TestMeeting::start_with("panels", 0, |o| o.grant_panels = true).await;
    let room = meeting.room();
    meeting
        .join_people(&[("Anna", false), ("Erik", false)])
        .await;
    // Anna joined first and is owner; Erik, a simulated participant, is not.
    let roles: Vec<Option<String>> = meeting
        .m()
        .participants
        .iter()
        .map(|p| p.state().role)
        .collect();
    assert_eq!(roles[1].as_deref(), Some("participant"), "{roles:?}");
    // A panel (any other client) is made moderator as it joins.
    let mut panel = meeting.client().await;
    let first = panel.join(&room, "Moderator panel").await;
    assert_eq!(first.role.as_deref(), Some("participant"));
    let me = panel.wait_moderator(&room).await;
    assert_eq!(me.affiliation.as_deref(), Some("owner"));
    meeting.stop().await;
}

#[tokio::test]
async fn updates_can_go_to_moderators_only() {
    let meeting = TestMeeting::start_with("quiet", 0, |o| {
        o.update_recipients = testbed::prosody::UpdateRecipients::Moderators
    })
    .await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    let mut p = meeting.client().await;
    p.join(&room, "Deltagare").await;
    m.add_room("Tyst").await;
    assert!(
        p.update(Duration::from_millis(800)).await.is_none(),
        "a participant gets no update"
    );
    meeting.stop().await;
}

#[tokio::test]
async fn add_broadcasts_one_coalesced_update_with_the_documented_shape() {
    let mut meeting = TestMeeting::start("shape", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Åsa <b>Öberg</b>", false)]).await;
    let mut listener = meeting.client().await;
    listener.join(&room, "Listener").await;
    m.clear();

    let sent = Instant::now();
    m.command(add("Room A")).await;
    m.command(add("Room B")).await;
    let (arrived, update) = m.update(UPDATE_WAIT).await.expect("an update");
    let delay = arrived - sent;
    assert!(
        delay >= Duration::from_millis(250) && delay < Duration::from_millis(900),
        "first update after {delay:?}"
    );
    assert_eq!(update["type"], "breakout_rooms");
    assert_eq!(update["roomCounter"], 2);
    let rooms = breakout_rooms(&update);
    assert_eq!(
        rooms.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ["Room A", "Room B"],
        "both adds in one update"
    );
    for (room_jid, _, count) in &rooms {
        assert!(room_jid.ends_with("@breakout.meet.test"));
        let node = jid::node(room_jid).expect("node");
        assert_eq!(node.len(), 36, "a UUID: {node}");
        assert_eq!(update["rooms"][node]["id"], node);
        assert_eq!(*count, 0);
        assert!(update["rooms"][node].get("isMainRoom").is_none());
    }
    let main = main_room(&update);
    assert_eq!(main["id"], "shape");
    assert_eq!(main["jid"], room);
    assert!(main.get("name").is_none(), "no subject, no name key");
    let participants = main["participants"].as_object().expect("participants");
    assert_eq!(
        participants.len(),
        3,
        "focus filtered out: {participants:?}"
    );
    for (key, value) in participants {
        assert!(
            key.starts_with(&format!("{room}/")),
            "keyed by occupant JID: {key}"
        );
        assert!(
            value["jid"].as_str().is_some_and(|j| j.contains('/')),
            "real full JID"
        );
        assert!(value["role"].is_string());
    }
    let mine = participants
        .values()
        .find(|v| v["jid"] == m.jid.as_str())
        .expect("the moderator is listed");
    assert_eq!(mine["role"], "moderator");
    assert_eq!(mine["displayName"], "Moderator Panel");
    assert!(
        participants
            .values()
            .any(|v| v["displayName"] == "Åsa <b>Öberg</b>")
    );

    // Everyone in the meeting gets the same snapshot.
    let (_, heard) = listener
        .update(UPDATE_WAIT)
        .await
        .expect("the listener gets it too");
    assert_eq!(heard, update);

    // No second update for the merged triggers.
    assert!(m.update(Duration::from_millis(700)).await.is_none());
    meeting.stop().await;
}

#[tokio::test]
async fn rename_changes_the_name_and_the_room_subject() {
    let mut meeting = TestMeeting::start("rename", 0).await;
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Per", false)]).await;
    let room_jid = m.add_room("Old").await;

    m.command(BreakoutCommand::Rename {
        room: room_jid.clone(),
        subject: Some("Ny grupp".into()),
    })
    .await;
    let update = m
        .update_where(UPDATE_WAIT, |u| {
            breakout_rooms(u).first().is_some_and(|r| r.1 == "Ny grupp")
        })
        .await;
    assert_eq!(update["roomCounter"], 1, "rename does not count as an add");

    // The breakout MUC, once created, carries the name as its subject.
    let per = meeting.m().participants[0].jid();
    m.command(BreakoutCommand::MoveToRoom {
        participant: per,
        room: room_jid.clone(),
    })
    .await;
    m.update_where(UPDATE_WAIT, |u| breakout_rooms(u)[0].2 == 1)
        .await;
    let mut visitor = meeting.client().await;
    visitor.join(&room_jid, "Visitor").await;
    let subject = visitor
        .wait_for(Duration::from_secs(3), |e| {
            e.get_attr("from") == Some(room_jid.as_str())
                && e.get_child("subject", ns::CLIENT).is_some()
        })
        .await
        .expect("a subject message");
    assert_eq!(
        subject
            .1
            .get_child("subject", ns::CLIENT)
            .unwrap()
            .text_content(),
        "Ny grupp"
    );
    meeting.stop().await;
}

#[tokio::test]
async fn move_sends_the_participant_who_follows_and_comes_back() {
    let meeting = TestMeeting::start("moves", 0).await;
    let mut meeting = meeting;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Erik", false)]).await;
    let target = m.add_room("Grupprum 1").await;
    let erik = &meeting.m().participants[0];
    let erik_jid = erik.jid();

    let sent = Instant::now();
    m.command(BreakoutCommand::MoveToRoom {
        participant: erik_jid.clone(),
        room: target.clone(),
    })
    .await;
    let update = m
        .update_where(UPDATE_WAIT, |u| {
            real_jids(&u["rooms"][jid::node(&target).unwrap()]).contains(&erik_jid)
        })
        .await;
    let took = sent.elapsed();
    assert!(
        !real_jids(main_room(&update)).contains(&erik_jid),
        "gone from the main room"
    );
    let state = erik.state();
    assert_eq!(state.room.as_deref(), Some(target.as_str()));
    assert_eq!(state.moves_received, 1);
    assert!(took < Duration::from_secs(2), "move took {took:?}");

    // Same nick in the breakout room.
    let key = format!("{target}/{}", state.nick);
    assert!(
        update["rooms"][jid::node(&target).unwrap()]["participants"]
            .get(&key)
            .is_some(),
        "{update}"
    );

    // Back to the main room by its JID.
    m.command(BreakoutCommand::MoveToRoom {
        participant: erik_jid.clone(),
        room: room.clone(),
    })
    .await;
    m.update_where(UPDATE_WAIT, |u| real_jids(main_room(u)).contains(&erik_jid))
        .await;
    assert!(
        eventually(Duration::from_secs(2), || erik.state().room.as_deref()
            == Some(room.as_str()))
        .await
    );

    // The emptied breakout room stays listed and can be entered again.
    m.command(BreakoutCommand::MoveToRoom {
        participant: erik_jid.clone(),
        room: target.clone(),
    })
    .await;
    m.update_where(UPDATE_WAIT, |u| {
        real_jids(&u["rooms"][jid::node(&target).unwrap()]).contains(&erik_jid)
    })
    .await;
    assert_eq!(erik.state().moves_received, 3);
    meeting.stop().await;
}

#[tokio::test]
async fn a_participant_can_go_to_a_breakout_room_on_their_own() {
    let mut meeting = TestMeeting::start("selfmove", 0).await;
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Ada", true)]).await;
    let target = m.add_room("Eget val").await;
    let ada = &meeting.m().participants[0];
    // Even one that ignores the moderators' moves can pick a room itself.
    assert!(ada.go_to(&target));
    let update = m
        .update_where(UPDATE_WAIT, |u| {
            real_jids(&u["rooms"][jid::node(&target).unwrap()]).contains(&ada.jid())
        })
        .await;
    assert!(!real_jids(main_room(&update)).contains(&ada.jid()));
    assert_eq!(ada.state().room.as_deref(), Some(target.as_str()));
    assert_eq!(ada.state().moves_received, 0);
    meeting.stop().await;
}

#[tokio::test]
async fn a_participant_who_ignores_moves_stays_put() {
    let mut meeting = TestMeeting::start("stubborn", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Stubborn", true)]).await;
    let target = m.add_room("Elsewhere").await;
    let p = &meeting.m().participants[0];
    m.command(BreakoutCommand::MoveToRoom {
        participant: p.jid(),
        room: target,
    })
    .await;
    assert!(
        eventually(Duration::from_secs(2), || p.state().moves_received == 1).await,
        "the move is delivered"
    );
    assert!(
        m.update(Duration::from_millis(800)).await.is_none(),
        "nobody moved, nothing to broadcast"
    );
    assert_eq!(p.state().room.as_deref(), Some(room.as_str()));
    meeting.stop().await;
}

#[tokio::test]
async fn remove_destroys_the_room_and_its_occupants_hang_up() {
    let mut meeting = TestMeeting::start("remove", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Inside", false)]).await;
    let target = m.add_room("Doomed").await;
    let inside = &meeting.m().participants[0];
    m.command(BreakoutCommand::MoveToRoom {
        participant: inside.jid(),
        room: target.clone(),
    })
    .await;
    assert!(
        eventually(Duration::from_secs(3), || inside.state().room.as_deref()
            == Some(target.as_str()))
        .await
    );

    let mut watcher = meeting.client().await;
    watcher.join(&target, "Watcher").await;
    m.command(BreakoutCommand::Remove {
        room: target.clone(),
    })
    .await;
    let destroyed = watcher
        .wait_for(Duration::from_secs(3), |e| {
            testbed::stanza::MucPresence::parse(e)
                .is_some_and(|p| p.is_self() && !p.available && p.destroy.is_some())
        })
        .await
        .expect("a destroy presence");
    let p = testbed::stanza::MucPresence::parse(&destroyed.1).unwrap();
    assert_eq!(
        p.destroy,
        Some((Some(room.clone()), Some("Breakout room removed.".into())))
    );
    let update = m
        .update_where(UPDATE_WAIT, |u| breakout_rooms(u).is_empty())
        .await;
    assert_eq!(update["roomCounter"], 1, "the counter never goes down");
    assert!(
        eventually(Duration::from_secs(3), || inside.state().gone).await,
        "a stock client hangs up"
    );
    meeting.stop().await;
}

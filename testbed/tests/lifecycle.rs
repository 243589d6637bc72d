//! Room lifecycle, update triggers and the focus's gatekeeping.

mod common;

use std::time::{Duration, Instant};

use common::*;
use testbed::ns;
use testbed::stanza::{self, MucPresence};
use testbed::xml::Element;

const WAIT: Duration = Duration::from_secs(3);

/// Whether the MUC room exists, asked with disco#info.
async fn room_exists(probe: &mut Probe, room: &str) -> bool {
    let id = probe.id();
    let reply = probe.iq(stanza::disco_info(&id, room, None)).await;
    reply.get_attr("type") == Some("result")
}

#[tokio::test]
async fn joins_and_leaves_are_broadcast_only_once_breakout_rooms_are_active() {
    let meeting = TestMeeting::start("triggers", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    let mut early = meeting.client().await;
    early.join(&room, "Early").await;
    assert!(
        m.update(Duration::from_millis(800)).await.is_none(),
        "no update before the first add"
    );

    m.command(add("Active")).await;
    m.update(WAIT).await.expect("the add");
    let mut late = meeting.client().await;
    late.join(&room, "Late").await;
    let update = m
        .update_where(WAIT, |u| real_jids(main_room(u)).contains(&late.jid))
        .await;
    assert_eq!(
        main_room(&update)["participants"]
            .as_object()
            .unwrap()
            .len(),
        3
    );

    // A presence update (a new display name) is not a trigger.
    let occupant = format!("{room}/{}", late.nick);
    late.send(stanza::muc_join(&occupant, Some("Renamed Late")))
        .await;
    assert!(
        m.update(Duration::from_millis(800)).await.is_none(),
        "no update for a presence change"
    );

    late.leave().await;
    let update = m
        .update_where(WAIT, |u| !real_jids(main_room(u)).contains(&late.jid))
        .await;
    assert_eq!(
        main_room(&update)["participants"]
            .as_object()
            .unwrap()
            .len(),
        2
    );
    meeting.stop().await;
}

#[tokio::test]
async fn the_meeting_ends_five_seconds_after_everyone_left() {
    let meeting = TestMeeting::start("ttl", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    m.command(add("Keep")).await;
    m.update(WAIT).await.expect("the add");
    let mut outside = Probe::connect(&meeting, None).await;

    // A join inside the window cancels the timer.
    m.leave().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut back = meeting.client().await;
    back.join(&room, "Back again").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(
        room_exists(&mut outside, &room).await,
        "the join cancelled the timer"
    );

    back.leave().await;
    let left = Instant::now();
    assert!(
        room_exists(&mut outside, &room).await,
        "kept while breakout rooms are active"
    );
    let mut gone_after = None;
    while left.elapsed() < Duration::from_secs(9) {
        if !room_exists(&mut outside, &room).await {
            gone_after = Some(left.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gone_after = gone_after.expect("the room is destroyed");
    assert!(
        gone_after >= Duration::from_millis(4500) && gone_after < Duration::from_millis(6500),
        "destroyed after {gone_after:?}"
    );
    meeting.stop().await;
}

#[tokio::test]
async fn breakout_rooms_end_with_their_meeting_and_inherit_its_moderators() {
    let meeting = TestMeeting::start("ending", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    m.command(add("Inner")).await;
    let update = m.update(WAIT).await.expect("the add").1;
    let inner = breakout_rooms(&update)[0].0.clone();

    // The moderator goes into the breakout room itself and stays moderator there.
    m.leave().await;
    m.clear();
    let me = m.join(&inner, "Moderator Panel").await;
    assert_eq!(
        me.role.as_deref(),
        Some("moderator"),
        "main-room owners are moderators in breakout rooms"
    );
    assert_eq!(me.affiliation.as_deref(), Some("owner"));
    let mut guest = meeting.client().await;
    let guest_me = guest.join(&inner, "Guest").await;
    assert_eq!(guest_me.role.as_deref(), Some("participant"));

    // A moderator inside a breakout room may still send commands.
    m.command(add("From inside")).await;
    m.update_where(WAIT, |u| breakout_rooms(u).len() == 2).await;

    // The meeting may not end by timer while people are in breakout rooms.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let mut outside = Probe::connect(&meeting, None).await;
    assert!(
        room_exists(&mut outside, &room).await,
        "kept: its breakout rooms are occupied"
    );

    // Ended by an admin: every breakout room goes with it, same reason.
    let mut admin = Probe::connect_focus(&meeting).await;
    let id = admin.id();
    let destroy = Element::new("iq", ns::CLIENT)
        .attr("type", "set")
        .attr("to", room.clone())
        .attr("id", id)
        .child(
            Element::new("query", "http://jabber.org/protocol/muc#owner").child(
                Element::new("destroy", "http://jabber.org/protocol/muc#owner").child(
                    Element::new("reason", "http://jabber.org/protocol/muc#owner")
                        .text("Meeting ended."),
                ),
            ),
        );
    let reply = admin.iq(destroy).await;
    assert_eq!(reply.get_attr("type"), Some("result"), "{reply}");
    let (_, presence) = guest
        .wait_for(WAIT, |e| {
            MucPresence::parse(e).is_some_and(|p| p.is_self() && p.destroy.is_some())
        })
        .await
        .expect("the breakout room is destroyed");
    let p = MucPresence::parse(&presence).unwrap();
    assert_eq!(
        p.destroy,
        Some((Some(room.clone()), Some("Meeting ended.".into())))
    );
    assert!(!room_exists(&mut outside, &inner).await);
    meeting.stop().await;
}

#[tokio::test]
async fn joins_wait_for_the_focus_and_only_the_focus_creates_rooms() {
    let meeting = TestMeeting::start_with("held", 0, |o| o.prosody_only = true).await;
    let room = meeting.room();
    let mut focus = Probe::connect_focus(&meeting).await;
    focus.nick = "focus".into();

    // Nobody but the focus may create the meeting.
    let mut early = meeting.client().await;
    let occupant = format!("{room}/{}", early.nick);
    early
        .send(stanza::muc_join(&occupant, Some("Too early")))
        .await;
    let (_, refusal) = early
        .wait_for(WAIT, |e| {
            e.is("presence", ns::CLIENT) && e.get_attr("type") == Some("error")
        })
        .await
        .expect("an error presence");
    assert!(refusal.to_xml().contains("not-allowed"), "{refusal}");

    focus
        .join_direct(&room, "")
        .await
        .expect("the focus creates the room");
    let mut first = meeting.client().await;
    first
        .join_direct(&room, "First")
        .await
        .expect("joins with the focus in");

    // The focus leaves: the room lives on (someone is in it), but new joins wait.
    focus.leave().await;
    let mut second = meeting.client().await;
    assert!(
        second.join_direct(&room, "Second").await.is_none(),
        "held while the focus is away"
    );
    focus
        .join_direct(&room, "")
        .await
        .expect("the focus comes back");
    assert!(
        second.self_presence(&room, WAIT).await.is_some(),
        "the held join goes through"
    );

    // A breakout MUC exists only for a registered JID, and only through the focus.
    let unregistered = format!("{:032x}@breakout.meet.test", rand::random::<u128>());
    let occupant = format!("{unregistered}/focus");
    focus.send(stanza::muc_join(&occupant, None)).await;
    let (_, refusal) = focus
        .wait_for(WAIT, |e| {
            e.get_attr("from") == Some(occupant.as_str()) && e.get_attr("type") == Some("error")
        })
        .await
        .expect("an unregistered breakout room is refused");
    assert!(
        refusal.to_xml().contains("Breakout room is invalid."),
        "{refusal}"
    );
    meeting.stop().await;
}

//! What the breakout component refuses (with `service-unavailable`) and what it
//! silently ignores.

mod common;

use std::time::Duration;

use common::*;
use testbed::ns;
use testbed::stanza::BreakoutCommand;
use testbed::xml::Element;

const QUIET: Duration = Duration::from_millis(800);
const WAIT: Duration = Duration::from_secs(3);

fn assert_service_unavailable(error: Option<Element>) {
    let error = error.expect("an error reply from the component");
    let condition = error.get_child("error", ns::CLIENT).expect("<error/>");
    assert_eq!(condition.get_attr("type"), Some("cancel"));
    assert!(
        condition
            .get_child("service-unavailable", ns::STANZAS)
            .is_some(),
        "{error}"
    );
}

#[tokio::test]
async fn a_non_moderator_is_refused_and_nothing_is_broadcast() {
    let meeting = TestMeeting::start("nonmod", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    m.command(add("First")).await;
    m.update(WAIT).await.expect("the moderator's add works");
    let mut p = meeting.client().await;
    p.join(&room, "Participant").await;
    m.update(WAIT).await.expect("the join is broadcast");
    p.clear();
    m.clear();

    p.command(add("should not exist")).await;
    assert_service_unavailable(p.component_error(WAIT).await);
    assert!(m.update(QUIET).await.is_none(), "nothing was broadcast");
    meeting.stop().await;
}

#[tokio::test]
async fn a_session_without_room_parameter_is_refused() {
    let meeting = TestMeeting::start("noroom", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    // A moderator in the room, but connected without ?room=.
    let mut bare = Probe::connect(&meeting, None).await;
    bare.join(&room, "No room param").await;
    let grant = Element::new("iq", ns::CLIENT)
        .attr("type", "set")
        .attr("to", room.clone())
        .attr("id", "g1")
        .child(
            Element::new("query", ns::MUC_ADMIN).child(
                Element::new("item", ns::MUC_ADMIN)
                    .attr("affiliation", "owner")
                    .attr("jid", testbed::jid::bare(&bare.jid).to_owned()),
            ),
        );
    let reply = m.iq(grant).await;
    assert_eq!(reply.get_attr("type"), Some("result"), "{reply}");
    bare.wait_moderator(&room).await;
    m.clear();

    bare.command(add("x")).await;
    assert_service_unavailable(bare.component_error(WAIT).await);
    assert!(m.update(QUIET).await.is_none());
    meeting.stop().await;
}

#[tokio::test]
async fn unknown_types_and_missing_or_foreign_elements_are_refused() {
    let meeting = TestMeeting::start("unknown", 0).await;
    let mut m = moderator(&meeting).await;
    m.command(BreakoutCommand::Other {
        kind: "features/breakout-rooms/explode".into(),
    })
    .await;
    assert_service_unavailable(m.component_error(WAIT).await);

    // No <breakout_rooms/> child at all.
    m.send(
        Element::new("message", ns::CLIENT)
            .attr("to", "breakout.meet.test")
            .child(Element::new("body", ns::CLIENT).text("hi")),
    )
    .await;
    assert_service_unavailable(m.component_error(WAIT).await);

    // <breakout_rooms/> in another namespace is not the command.
    m.send(
        Element::new("message", ns::CLIENT)
            .attr("to", "breakout.meet.test")
            .child(
                Element::new("breakout_rooms", "urn:example:other")
                    .attr("type", "features/breakout-rooms/add")
                    .attr("subject", "x"),
            ),
    )
    .await;
    assert_service_unavailable(m.component_error(WAIT).await);
    assert!(m.update(QUIET).await.is_none());

    // An error stanza is never answered.
    m.send(
        Element::new("message", ns::CLIENT)
            .attr("to", "breakout.meet.test")
            .attr("type", "error"),
    )
    .await;
    assert!(m.component_error(QUIET).await.is_none());
    meeting.stop().await;
}

#[tokio::test]
async fn commands_for_another_meeting_do_nothing() {
    let meeting = TestMeeting::start("alpha", 0).await;
    let mut a = moderator(&meeting).await;
    // A second meeting on the same deployment, with its own moderator.
    let mut b = {
        let mut probe = Probe::connect(&meeting, Some("beta")).await;
        probe.join("beta@conference.meet.test", "B moderator").await;
        probe.wait_moderator("beta@conference.meet.test").await;
        probe
    };
    b.command(add("B's room")).await;
    let update = b.update(WAIT).await.expect("b's update").1;
    let b_room = breakout_rooms(&update)[0].0.clone();
    a.command(add("A's room")).await;
    let update = a.update(WAIT).await.expect("a's update").1;
    let a_room = breakout_rooms(&update)[0].0.clone();
    a.clear();
    b.clear();

    // Remove and rename of another meeting's room: no error, nothing happens.
    a.command(BreakoutCommand::Remove {
        room: b_room.clone(),
    })
    .await;
    a.command(BreakoutCommand::Rename {
        room: b_room.clone(),
        subject: Some("hijacked".into()),
    })
    .await;
    assert!(a.component_error(QUIET).await.is_none());
    assert!(b.update(QUIET).await.is_none(), "b's meeting is untouched");

    // A move to another meeting's room is refused.
    a.command(BreakoutCommand::MoveToRoom {
        participant: a.jid.clone(),
        room: b_room.clone(),
    })
    .await;
    assert_service_unavailable(a.component_error(WAIT).await);
    // And so is a move to a room that does not exist.
    a.command(BreakoutCommand::MoveToRoom {
        participant: a.jid.clone(),
        room: "notaroom@breakout.meet.test".into(),
    })
    .await;
    assert_service_unavailable(a.component_error(WAIT).await);

    // A still owns its room.
    a.command(BreakoutCommand::Rename {
        room: a_room,
        subject: Some("Still mine".into()),
    })
    .await;
    let update = a.update(WAIT).await.expect("rename works").1;
    assert_eq!(breakout_rooms(&update)[0].1, "Still mine");
    meeting.stop().await;
}

#[tokio::test]
async fn silent_cases_change_nothing_and_answer_nothing() {
    let mut meeting = TestMeeting::start("silent", 0).await;
    let room = meeting.room();
    let mut m = moderator(&meeting).await;
    meeting.join_people(&[("Bob", false)]).await;
    let room_a = m.add_room("Room A").await;
    m.clear();

    // A move with a bare participant JID reaches nobody.
    let bob = &meeting.m().participants[0];
    let bare = testbed::jid::bare(&bob.jid()).to_owned();
    m.command(BreakoutCommand::MoveToRoom {
        participant: bare,
        room: room_a.clone(),
    })
    .await;
    assert!(m.component_error(QUIET).await.is_none());
    assert_eq!(bob.state().moves_received, 0);

    // Rename and remove with the main room's JID are ignored.
    m.command(BreakoutCommand::Rename {
        room: room.clone(),
        subject: Some("Main?".into()),
    })
    .await;
    m.command(BreakoutCommand::Remove { room: room.clone() })
        .await;
    assert!(m.component_error(QUIET).await.is_none());
    assert!(m.update(QUIET).await.is_none());

    // An add without subject counts but creates nothing.
    m.command(BreakoutCommand::Add { subject: None }).await;
    let update = m.update(WAIT).await.expect("an update").1;
    assert_eq!(update["roomCounter"], 2);
    assert_eq!(breakout_rooms(&update).len(), 1);
    assert!(main_room(&update).get("name").is_none());

    // An empty name is accepted as it is.
    m.command(BreakoutCommand::Rename {
        room: room_a.clone(),
        subject: Some(String::new()),
    })
    .await;
    let update = m.update(WAIT).await.expect("an update").1;
    assert_eq!(breakout_rooms(&update)[0].1, "");
    meeting.stop().await;
}

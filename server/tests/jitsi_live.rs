//! The Jitsi client end to end against the test meeting on real Prosody: joining,
//! every moderator command, participants coming and going, not-moved, losing and
//! regaining moderator.

use std::sync::Arc;
use std::time::Duration;

use app::meeting::{
    Command, Language, LinkStatus, MeetingRef, MeetingView, OutcomeState, Refusal, RoleView,
};
use server::jitsi::session::{self, SessionHandle};
use server::xmpp::transport::WebSocketConnector;
use testbed::harness::TestMeeting;

mod support;

use support::meeting::{
    Find, WAIT, account_config, account_panel, config, id_of, meeting_ref, opened, outcome,
    settled, start, until,
};

#[tokio::test]
async fn joins_as_moderator_and_sees_everyone() {
    let (meeting, panel) = start(
        "livejoin",
        &[("Anna Lindqvist", false), ("<b>Erik</b>", false)],
    )
    .await;
    let view = panel.view();
    assert_eq!(view.status, LinkStatus::Online);
    assert!(view.can_rename);
    let me = view.me.as_ref().unwrap();
    assert_eq!(me.display_name, "Grupprum");
    assert_eq!(me.role, Some(RoleView::Moderator));
    let names: Vec<_> = view
        .main
        .participants
        .iter()
        .map(|p| p.display_name.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        ["<b>Erik</b>", "Anna Lindqvist", "Grupprum"],
        "sorted by name; the focus is not listed"
    );
    assert!(view.main.participants.iter().any(|p| p.is_me));
    assert!(view.rooms.is_empty());
    panel.stop().await;
    assert_eq!(panel.view().status, LinkStatus::Closed);
    meeting.stop().await;
}

#[tokio::test]
async fn creates_renames_and_removes_rooms() {
    let (meeting, panel) = start("liverooms", &[]).await;
    let one = panel
        .command(Command::CreateRoom {
            name: "  Planering  ".into(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &one).await;
    assert_eq!(outcome(&view, one[0]), &OutcomeState::Done);
    assert!(view.room_named("Planering").is_some(), "trimmed name");

    let three = panel
        .command(Command::CreateRooms {
            count: 3,
            names: vec![],
            language: Language::Swedish,
        })
        .await
        .unwrap();
    let view = settled(&panel, &three).await;
    let names: Vec<_> = view.rooms.iter().map(|r| r.name.clone().unwrap()).collect();
    assert_eq!(
        names,
        ["Grupprum 1", "Grupprum 2", "Grupprum 3", "Planering"]
    );

    let room = view.room_named("Grupprum 2").unwrap().jid.clone();
    let renamed = panel
        .command(Command::RenameRoom {
            room: room.clone(),
            name: "Ekonomi".into(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &renamed).await;
    assert_eq!(outcome(&view, renamed[0]), &OutcomeState::Done);
    assert_eq!(
        view.rooms
            .iter()
            .find(|r| r.jid == room)
            .unwrap()
            .name
            .as_deref(),
        Some("Ekonomi")
    );

    let removed = panel
        .command(Command::RemoveRoom { room: room.clone() })
        .await
        .unwrap();
    let view = settled(&panel, &removed).await;
    assert_eq!(outcome(&view, removed[0]), &OutcomeState::Done);
    assert!(view.rooms.iter().all(|r| r.jid != room));

    // Bad names and unknown rooms are refused before anything is sent.
    let refusal = panel
        .command(Command::CreateRoom {
            name: "\u{202e}evil".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(refusal, Refusal::BadName { .. }), "{refusal:?}");
    assert_eq!(
        panel
            .command(Command::CreateRoom {
                name: "x".repeat(65)
            })
            .await
            .unwrap_err(),
        Refusal::BadName {
            name: "x".repeat(65),
            problem: app::meeting::NameProblem::TooLong { max: 64 }
        }
    );
    assert_eq!(
        panel
            .command(Command::RenameRoom {
                room: room.clone(),
                name: "Gone".into()
            })
            .await,
        Err(Refusal::NoSuchRoom(room))
    );
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn moves_people_and_reports_who_did_not_move() {
    let (meeting, panel) = start(
        "livemoves",
        &[
            ("Anna", false),
            ("Björn", false),
            ("Cecilia", false),
            ("Stubborn", true),
        ],
    )
    .await;
    let created = panel
        .command(Command::CreateRooms {
            count: 2,
            names: vec![],
            language: Language::English,
        })
        .await
        .unwrap();
    let view = settled(&panel, &created).await;
    let room1 = view.room_named("Room 1").unwrap().jid.clone();
    let room2 = view.room_named("Room 2").unwrap().jid.clone();
    let (anna, bjorn, cecilia, stubborn) = (
        id_of(&view, "Anna"),
        id_of(&view, "Björn"),
        id_of(&view, "Cecilia"),
        id_of(&view, "Stubborn"),
    );

    // One.
    let ids = panel
        .command(Command::Move {
            participants: vec![anna.clone()],
            to: room1.clone(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(outcome(&view, ids[0]), &OutcomeState::Done);
    assert_eq!(view.room_of(&anna).unwrap().jid, room1);
    assert_eq!(
        view.outcomes.iter().find(|o| o.id == ids[0]).unwrap().kind,
        app::meeting::OutcomeKind::Move(
            "Anna".into(),
            app::meeting::RoomName::Named("Room 1".into())
        )
    );

    // Several, one of whom ignores moves.
    let ids = panel
        .command(Command::Move {
            participants: vec![bjorn.clone(), cecilia.clone(), stubborn.clone()],
            to: room2.clone(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(outcome(&view, ids[0]), &OutcomeState::Done);
    assert_eq!(outcome(&view, ids[1]), &OutcomeState::Done);
    assert_eq!(outcome(&view, ids[2]), &OutcomeState::NotMoved);
    assert_eq!(view.room_of(&stubborn).unwrap().jid, view.main.jid);
    assert_eq!(view.room_named("Room 2").unwrap().participants.len(), 2);

    // Back to the main room.
    let ids = panel
        .command(Command::Move {
            participants: vec![anna.clone()],
            to: view.main.jid.clone(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(outcome(&view, ids[0]), &OutcomeState::Done);
    assert_eq!(view.room_of(&anna).unwrap().jid, view.main.jid);

    // Unknown people are refused.
    assert_eq!(
        panel
            .command(Command::Move {
                participants: vec!["nobody".into()],
                to: room1
            })
            .await,
        Err(Refusal::NoSuchParticipant("nobody".into()))
    );
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn closes_rooms_only_once_they_are_empty() {
    let (meeting, panel) = start(
        "liveclose",
        &[("Anna", false), ("Björn", false), ("Cecilia", false)],
    )
    .await;
    let created = panel
        .command(Command::CreateRooms {
            count: 2,
            names: vec![],
            language: Language::Swedish,
        })
        .await
        .unwrap();
    let view = settled(&panel, &created).await;
    let room1 = view.room_named("Grupprum 1").unwrap().jid.clone();
    let ids = panel
        .command(Command::Move {
            participants: vec![id_of(&view, "Anna"), id_of(&view, "Björn")],
            to: room1.clone(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(view.room_named("Grupprum 1").unwrap().participants.len(), 2);

    // An occupied room cannot be removed: stock clients would hang up.
    assert_eq!(
        panel
            .command(Command::RemoveRoom {
                room: room1.clone()
            })
            .await,
        Err(Refusal::RoomOccupied("Grupprum 1".into()))
    );
    let ids = panel
        .command(Command::CloseRoom {
            room: room1.clone(),
        })
        .await
        .unwrap();
    assert_eq!(ids.len(), 3, "two moves and the removal");
    let view = settled(&panel, &ids).await;
    for id in &ids {
        assert_eq!(
            outcome(&view, *id),
            &OutcomeState::Done,
            "{:?}",
            view.outcomes
        );
    }
    assert!(view.room_named("Grupprum 1").is_none());
    assert_eq!(view.main.participants.len(), 4);
    assert_eq!(
        meeting
            .m()
            .participants
            .iter()
            .filter(|p| p.state().gone)
            .count(),
        0,
        "nobody hung up"
    );

    // Send everyone back: every room closes.
    let room2 = view.room_named("Grupprum 2").unwrap().jid.clone();
    let ids = panel
        .command(Command::Move {
            participants: vec![id_of(&view, "Cecilia")],
            to: room2,
        })
        .await
        .unwrap();
    settled(&panel, &ids).await;
    let ids = panel.command(Command::SendEveryoneBack).await.unwrap();
    let view = settled(&panel, &ids).await;
    assert!(view.rooms.is_empty(), "{:?}", view.outcomes);
    assert_eq!(view.main.participants.len(), 4);
    assert_eq!(
        panel.command(Command::SendEveryoneBack).await,
        Err(Refusal::Nothing(app::meeting::Nothing::NoRooms))
    );
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn auto_assign_balances_and_leaves_moderators_out() {
    let people = [
        ("P1", false),
        ("P2", false),
        ("P3", false),
        ("P4", false),
        ("P5", false),
    ];
    let (meeting, panel) = start("liveassign", &people).await;
    let created = panel
        .command(Command::CreateRooms {
            count: 2,
            names: vec![],
            language: Language::Swedish,
        })
        .await
        .unwrap();
    settled(&panel, &created).await;
    let ids = panel
        .command(Command::AutoAssign {
            rooms: vec![],
            include_moderators: false,
            grouping: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(ids.len(), 5, "everyone but the panel");
    let view = settled(&panel, &ids).await;
    let mut sizes: Vec<usize> = view.rooms.iter().map(|r| r.participants.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [2, 3]);
    assert_eq!(view.main.participants.len(), 1);
    assert!(view.main.participants[0].is_me);
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn follows_people_joining_and_leaving() {
    let (mut meeting, panel) = start("livechurn", &[("Anna", false)]).await;
    meeting.join_people(&[("Late Larsson", false)]).await;
    let view = until(&panel, |v| {
        v.main
            .participants
            .iter()
            .any(|p| p.display_name.as_deref() == Some("Late Larsson"))
    })
    .await;
    assert_eq!(view.main.participants.len(), 3);
    let late = meeting.m_mut().participants.pop().unwrap();
    late.leave().await;
    until(&panel, |v| v.main.participants.len() == 2).await;
    panel.stop().await;
    meeting.stop().await;
}

/// Sets `affiliation` for the panel's account in the main room, as the focus account
/// (an admin of the MUC) can.
async fn set_affiliation(meeting: &TestMeeting, who_real_jid: &str, affiliation: &str) {
    use testbed::stream::{Auth, connect};
    use testbed::xml::Element;
    let env = &meeting.m().env;
    let auth = Auth::Plain {
        user: "focus".into(),
        password: env.focus_password.clone(),
    };
    let mut admin = connect(&env.ws_url, &env.domains.auth, &auth, "admin-test")
        .await
        .unwrap();
    let iq = Element::new("iq", testbed::ns::CLIENT)
        .attr("type", "set")
        .attr("to", meeting.room())
        .attr("id", "aff1")
        .child(
            Element::new("query", testbed::ns::MUC_ADMIN).child(
                Element::new("item", testbed::ns::MUC_ADMIN)
                    .attr("affiliation", affiliation)
                    .attr("jid", testbed::jid::bare(who_real_jid).to_owned()),
            ),
        );
    admin.tx.send(iq).await.unwrap();
    loop {
        let reply = tokio::time::timeout(WAIT, admin.rx.recv())
            .await
            .unwrap()
            .unwrap();
        if reply.get_attr("id") == Some("aff1") {
            assert_eq!(reply.get_attr("type"), Some("result"), "{reply}");
            return;
        }
    }
}

#[tokio::test]
async fn loses_and_regains_moderator() {
    let (meeting, panel) = start("livemod", &[("Anna", false)]).await;
    let anna_jid = meeting.m().participants[0].jid();
    // Another owner first, so that the focus does not elect the panel again at once.
    set_affiliation(&meeting, &anna_jid, "owner").await;
    let panel_jid = panel_real_jid(&meeting, &panel).await;
    set_affiliation(&meeting, &panel_jid, "member").await;
    let view = until(&panel, |v| v.me.as_ref().is_some_and(|m| !m.is_moderator)).await;
    assert_eq!(view.me.as_ref().unwrap().role, Some(RoleView::Participant));
    assert_eq!(
        panel
            .command(Command::CreateRoom {
                name: "Nope".into()
            })
            .await,
        Err(Refusal::NotModerator)
    );

    set_affiliation(&meeting, &panel_jid, "owner").await;
    until(&panel, |v| v.me.as_ref().is_some_and(|m| m.is_moderator)).await;
    let ids = panel
        .command(Command::CreateRoom { name: "Yes".into() })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(outcome(&view, ids[0]), &OutcomeState::Done);
    panel.stop().await;
    meeting.stop().await;
}

/// The panel's real JID, as the meeting's participants see it in updates.
async fn panel_real_jid(meeting: &TestMeeting, panel: &SessionHandle) -> String {
    let me = panel.view().me.clone().unwrap().id;
    // Any participant's view of the room lists the panel's real JID; ask Prosody directly.
    use testbed::stream::{Auth, connect};
    let env = &meeting.m().env;
    let mut probe = connect(
        &format!("{}?room=x", env.ws_url),
        &env.domains.xmpp,
        &Auth::Anonymous,
        "probe",
    )
    .await
    .unwrap();
    let _ = probe
        .tx
        .send(testbed::stanza::conference_request(
            "c1",
            &env.domains.focus,
            &meeting.room(),
            "00",
        ))
        .await;
    loop {
        let e = tokio::time::timeout(WAIT, probe.rx.recv())
            .await
            .unwrap()
            .unwrap();
        if e.get_attr("id") == Some("c1") {
            break;
        }
    }
    let _ = probe
        .tx
        .send(testbed::stanza::muc_join(
            &format!("{}/probe0001", meeting.room()),
            Some("Probe"),
        ))
        .await;
    loop {
        let e = tokio::time::timeout(WAIT, probe.rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let Some(p) = testbed::stanza::MucPresence::parse(&e)
            && p.from.ends_with(&format!("/{me}"))
        {
            return p.real_jid.expect("public JIDs");
        }
    }
}

#[tokio::test]
async fn recovers_from_a_prosody_restart() {
    let (mut meeting, panel) = start("liverestart", &[("Anna", false), ("Björn", false)]).await;
    let ids = panel
        .command(Command::CreateRoom {
            name: "Före".into(),
        })
        .await
        .unwrap();
    settled(&panel, &ids).await;

    let restarted = std::time::Instant::now();
    meeting
        .m_mut()
        .restart_prosody()
        .await
        .expect("prosody restarts");
    until(&panel, |v| {
        matches!(
            v.status,
            LinkStatus::Reconnecting { .. } | LinkStatus::Resynced
        )
    })
    .await;
    let view = until(&panel, |v| {
        v.status == LinkStatus::Resynced && v.me.as_ref().is_some_and(|m| m.is_moderator)
    })
    .await;
    // Everything was in Prosody's memory: the meeting is new and empty but for the panel.
    assert!(view.rooms.is_empty());
    assert_eq!(view.main.participants.len(), 1);
    meeting.join_people(&[("Cecilia", false)]).await;
    let view = until(&panel, |v| v.main.participants.len() == 2).await;
    let took = restarted.elapsed();
    eprintln!("state matched the meeting {took:?} after the restart began");
    assert!(took < Duration::from_secs(10), "resynced after {took:?}");
    assert!(
        view.main
            .participants
            .iter()
            .any(|p| p.display_name.as_deref() == Some("Cecilia"))
    );
    let ids = panel
        .command(Command::CreateRoom {
            name: "Efter".into(),
        })
        .await
        .unwrap();
    let view = settled(&panel, &ids).await;
    assert_eq!(outcome(&view, ids[0]), &OutcomeState::Done);
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn logs_in_with_an_account_over_scram_and_refuses_a_wrong_password() {
    use server::xmpp::sasl::Credentials;
    use server::xmpp::transport::{self, Connector};
    let meeting = TestMeeting::start_with("livelogin", 0, |o| o.prosody_only = true).await;
    let env = meeting.m().env.clone();
    let connector = WebSocketConnector::new(Vec::new()).unwrap();
    let url = url::Url::parse(&env.ws_url).unwrap();
    let step = Duration::from_secs(5);

    let mut t = connector.connect(url.clone()).await.unwrap();
    let good = Credentials::Password {
        user: "focus".into(),
        password: env.focus_password.clone(),
    };
    let bound = transport::negotiate(&mut t, &env.domains.auth, &good, "scram-test", step)
        .await
        .unwrap();
    assert_eq!(bound.jid, "focus@auth.meet.test/scram-test");

    let mut t = connector.connect(url.clone()).await.unwrap();
    let bad = Credentials::Password {
        user: "focus".into(),
        password: "wrong".into(),
    };
    let error = transport::negotiate(&mut t, &env.domains.auth, &bad, "scram-test", step)
        .await
        .unwrap_err();
    assert!(
        matches!(error, transport::TransportError::AuthFailed { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("login refused: not-authorized"),
        "{error}"
    );

    // Anonymous login where only accounts are allowed.
    let mut t = connector.connect(url.clone()).await.unwrap();
    let error = transport::negotiate(
        &mut t,
        &env.domains.auth,
        &Credentials::Anonymous,
        "x",
        step,
    )
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("the server offers none of ANONYMOUS (it offers "),
        "{text}"
    );
    assert!(
        text.contains("SCRAM-SHA-1") && text.contains("PLAIN"),
        "{text}"
    );

    // wss:// speaks TLS (rustls): a peer that answers in plain text fails the handshake.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = plain.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut socket, _)) = plain.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let tls_url = url::Url::parse(&format!(
        "wss://127.0.0.1:{port}/xmpp-websocket?room=x&token=secret"
    ))
    .unwrap();
    let error = connector
        .connect(tls_url)
        .await
        .err()
        .expect("no TLS there");
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot connect: wss://127.0.0.1:{port}/xmpp-websocket: "
        )),
        "{text}"
    );
    assert!(
        !text.contains("secret"),
        "the query (a token) is never shown: {text}"
    );
    meeting.stop().await;
}

#[tokio::test]
async fn the_meeting_service_streams_views_and_runs_commands() {
    use app::service::MeetingService;
    use futures::StreamExt;
    use server::jitsi::service::Sessions;
    let mut meeting = opened("liveservice").await;
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let sessions = Sessions::new(config(&meeting), connector);
    let service: Arc<dyn MeetingService> = sessions.clone();
    let key = meeting_ref(&meeting);
    let anna = moderator("a1", Some("Anna (panel)"));
    let mut views = service.watch(&anna, &key).unwrap();
    let first = views.next().await.unwrap();
    assert_eq!(first.status, LinkStatus::Connecting);
    let mut second = service.watch(&anna, &key).unwrap();
    loop {
        let view = tokio::time::timeout(WAIT, views.next())
            .await
            .unwrap()
            .unwrap();
        if view.me.as_ref().is_some_and(|m| m.is_moderator) {
            break;
        }
    }
    meeting.join_people(&[("Anna", false)]).await;
    let ids = service
        .command(
            &anna,
            &key,
            Command::CreateRoom {
                name: "Via tjänsten".into(),
            },
        )
        .await
        .unwrap();
    // The second watcher, which read nothing so far, gets the latest state at once.
    let latest = loop {
        let view = tokio::time::timeout(WAIT, second.next())
            .await
            .unwrap()
            .unwrap();
        if view
            .outcomes
            .iter()
            .any(|o| o.id == ids[0] && o.state == OutcomeState::Done)
        {
            break view;
        }
    };
    assert_eq!(latest.main.participants.len(), 2);
    assert!(latest.room_named("Via tjänsten").is_some());
    assert_eq!(sessions.len(), 1, "one moderator, one session");
    assert!(matches!(
        service.watch(
            &anna,
            &MeetingRef {
                room: " ".into(),
                tenant: None
            }
        ),
        Err(app::service::ServiceError::BadMeeting(_))
    ));
    sessions.stop_all().await;
    meeting.stop().await;
}

fn moderator(id: &str, name: Option<&str>) -> app::service::Moderator {
    app::service::Moderator {
        id: id.into(),
        display_name: name.map(Into::into),
        token: None,
        signed_in: false,
    }
}

#[tokio::test]
async fn each_moderator_is_an_occupant_of_their_own_and_idle_ones_leave() {
    use app::service::MeetingService;
    use futures::StreamExt;
    use server::jitsi::service::{Limits, Sessions};
    let meeting = opened("liveidentity").await;
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let sessions = Sessions::with_limits(
        config(&meeting),
        connector,
        Limits {
            idle: Duration::from_millis(500),
            max_sessions: 2,
        },
    );
    let service: Arc<dyn MeetingService> = sessions.clone();
    let key = meeting_ref(&meeting);
    let anna = moderator("a1", Some("Anna (panel)"));
    let kim = moderator("k2", Some("Kim <panel>"));
    let mut annas = service.watch(&anna, &key).unwrap();
    // Anna's panel joined first: the focus made it moderator.
    loop {
        let view = tokio::time::timeout(WAIT, annas.next())
            .await
            .unwrap()
            .unwrap();
        if view.me.as_ref().is_some_and(|m| m.is_moderator) {
            assert_eq!(view.me.unwrap().display_name, "Anna (panel)");
            break;
        }
    }
    let mut kims = service.watch(&kim, &key).unwrap();
    kims.next().await;
    // Anna's board lists Kim's panel by the name Kim gave, as a participant: Kim
    // needs a grant of their own.
    let seen = loop {
        let view = tokio::time::timeout(WAIT, annas.next())
            .await
            .unwrap()
            .unwrap();
        if let Some(p) = view
            .main
            .participants
            .iter()
            .find(|p| p.display_name.as_deref() == Some("Kim <panel>"))
        {
            break p.clone();
        }
    };
    assert_eq!(seen.role, Some(app::meeting::RoleView::Participant));
    assert!(!seen.is_me);
    assert_eq!(sessions.len(), 2);
    // A third moderator is over the limit and is told so.
    let third = moderator("t3", None);
    assert!(matches!(
        service.watch(&third, &key),
        Err(app::service::ServiceError::Busy(2))
    ));
    // Kim closes the board: after the grace period Kim's panel leaves the meeting.
    drop(kims);
    let left = loop {
        let view = tokio::time::timeout(WAIT, annas.next())
            .await
            .unwrap()
            .unwrap();
        if view
            .main
            .participants
            .iter()
            .all(|p| p.display_name.as_deref() != Some("Kim <panel>"))
        {
            break view;
        }
    };
    assert_eq!(left.main.participants.len(), 1, "only Anna's panel is left");
    assert_eq!(sessions.len(), 1);
    // Anna, still watching, stays.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sessions.len(), 1);
    sessions.stop_all().await;
    meeting.stop().await;
}

#[tokio::test]
async fn a_meeting_nobody_started_is_refused_and_not_created() {
    // The test meeting's room is never opened: nobody is in it.
    let meeting = TestMeeting::start("livenobody", 0).await;
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let config = Arc::new(config(&meeting));
    let panel = session::spawn(config.clone(), meeting_ref(&meeting), connector.clone()).unwrap();
    let view = until(&panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: app::meeting::LinkReason::NoMeeting
        }
    );
    panel.stop().await;
    // Had the panel asked the focus, the room would exist now; a second look
    // still finds nobody.
    let again = session::spawn(config, meeting_ref(&meeting), connector).unwrap();
    let view = until(&again, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: app::meeting::LinkReason::NoMeeting
        }
    );
    again.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn readiness_is_a_probe_login() {
    use server::health::Readiness;
    use server::jitsi::service::Sessions;
    let meeting = TestMeeting::start("liveready", 0).await;
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let sessions = Sessions::new(config(&meeting), connector.clone());
    assert_eq!(sessions.probe().await, Ok(()));
    assert!(sessions.is_empty(), "a probe joins no meeting");
    meeting.stop().await;
    let gone = sessions.probe().await;
    assert!(gone.is_err(), "{gone:?}");
}

#[tokio::test]
async fn a_panel_account_on_the_hidden_domain_is_owner_at_once_and_a_robot() {
    // A host opened the meeting (the focus made them owner) and a guest came.
    let mut meeting = TestMeeting::start("livehidden", 0).await;
    meeting.join_people(&[("Host Hedvig", false)]).await;
    meeting.join_people(&[("Guest Gustav", false)]).await;
    let panel = account_panel(&meeting);
    // Owner from its very first presence in the room: no grant, no wait.
    let joined = until(&panel, |v| v.me.is_some()).await;
    assert!(joined.me.as_ref().unwrap().is_moderator, "{:?}", joined.me);
    // Others see it on the hidden domain, which Jitsi's clients hide.
    let real = panel_real_jid(&meeting, &panel).await;
    assert!(
        real.starts_with(&format!("{}/", meeting.m().env.domains.panel_jid())),
        "{real}"
    );
    let view = until(&panel, |v| v.main.participants.len() >= 3).await;
    let host = id_of(&view, "Host Hedvig");
    let guest = id_of(&view, "Guest Gustav");
    let role = |v: &MeetingView, id: &str| {
        v.main
            .participants
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.role)
    };
    assert_eq!(role(&view, &host), Some(RoleView::Moderator));
    assert_eq!(role(&view, &guest), Some(RoleView::Participant));
    // The host leaves: the focus makes the guest moderator, since the panel's
    // account (an owner, but a robot) does not count as the meeting's owner.
    let hedvig = meeting.m_mut().participants.remove(0);
    hedvig.leave().await;
    let view = until(&panel, |v| role(v, &guest) == Some(RoleView::Moderator)).await;
    assert!(view.me.as_ref().unwrap().is_moderator);
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn a_panel_account_stays_moderator_across_a_prosody_restart() {
    let mut meeting = TestMeeting::start("livehiddenrestart", 0).await;
    meeting.join_people(&[("Anna", false)]).await;
    let panel = account_panel(&meeting);
    until(&panel, |v| v.me.as_ref().is_some_and(|m| m.is_moderator)).await;
    meeting
        .m_mut()
        .restart_prosody()
        .await
        .expect("prosody restarts");
    meeting.join_people(&[("Björn", false)]).await;
    let view = until(&panel, |v| {
        v.status == LinkStatus::Resynced && v.me.as_ref().is_some_and(|m| m.is_moderator)
    })
    .await;
    assert!(
        view.me.as_ref().unwrap().is_moderator,
        "no grant needed after the restart"
    );
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn moderators_share_the_panel_accounts_one_session_and_see_each_other_in_the_feed() {
    use app::meeting::{By, OutcomeKind, RoomName};
    use app::service::MeetingService;
    use futures::StreamExt;
    use server::jitsi::service::Sessions;
    let mut meeting = TestMeeting::start("liveshared", 0).await;
    meeting
        .join_people(&[("Host Hedvig", false), ("Erik", false)])
        .await;
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let sessions = Sessions::new(account_config(&meeting), connector);
    let service: Arc<dyn MeetingService> = sessions.clone();
    let key = meeting_ref(&meeting);
    let signed_in = |id: &str, name: &str| app::service::Moderator {
        signed_in: true,
        ..moderator(id, Some(name))
    };
    let (kim, ali) = (signed_in("kim", "Kim"), signed_in("ali", "Ali"));
    let mut kims = service.watch(&kim, &key).unwrap();
    let mut alis = service.watch(&ali, &key).unwrap();
    async fn next_where(
        views: &mut futures::stream::BoxStream<'static, MeetingView>,
        mut pred: impl FnMut(&MeetingView) -> bool,
    ) -> MeetingView {
        loop {
            let view = tokio::time::timeout(WAIT, views.next())
                .await
                .expect("a view in time")
                .expect("the stream goes on");
            if pred(&view) {
                return view;
            }
        }
    }
    let moderator_with = |n: usize| {
        move |v: &MeetingView| {
            v.me.as_ref().is_some_and(|m| m.is_moderator) && v.main.participants.len() == n
        }
    };
    // Each board lists the other once both are reading (as a live connection
    // reads at once).
    next_where(&mut kims, |_| true).await;
    next_where(&mut alis, |_| true).await;
    let view = next_where(&mut alis, |v| {
        moderator_with(3)(v) && !v.also_here.is_empty()
    })
    .await;
    assert_eq!(view.also_here, ["Kim"]);
    let kims_view = next_where(&mut kims, |v| {
        moderator_with(3)(v) && !v.also_here.is_empty()
    })
    .await;
    assert_eq!(kims_view.also_here, ["Ali"]);
    assert_eq!(sessions.len(), 1, "one XMPP session for the meeting");
    assert_eq!(
        view.main.participants.iter().filter(|p| p.is_me).count(),
        1,
        "one panel occupant in the meeting"
    );
    // Kim opens a room and Ali moves Erik into it; both boards show both, by name.
    let created = service
        .command(
            &kim,
            &key,
            Command::CreateRoom {
                name: "Två".into()
            },
        )
        .await
        .unwrap();
    let view = next_where(&mut alis, |v| v.room_named("Två").is_some()).await;
    let room = view.room_named("Två").unwrap().jid.clone();
    let erik = id_of(&view, "Erik");
    let moved = service
        .command(
            &ali,
            &key,
            Command::Move {
                participants: vec![erik],
                to: room,
            },
        )
        .await
        .unwrap();
    let settled_by = |v: &MeetingView, id: u64| {
        v.outcomes
            .iter()
            .find(|o| o.id == id && o.state == OutcomeState::Done)
            .map(|o| o.by.clone())
    };
    let view = next_where(&mut kims, |v| settled_by(v, moved[0]).is_some()).await;
    assert_eq!(
        settled_by(&view, created[0]),
        Some(By::Moderator("Kim".into()))
    );
    assert_eq!(
        settled_by(&view, moved[0]),
        Some(By::Moderator("Ali".into()))
    );
    assert!(
        !view.outcomes.iter().any(|o| o.by == By::Jitsi),
        "the panel's own changes are not Jitsi's: {:?}",
        view.outcomes
    );
    // Erik goes back on his own, in Jitsi: the feed says so.
    let main_room = meeting.room();
    assert!(meeting.m().participants[1].go_to(&main_room));
    let view = next_where(&mut alis, |v| v.outcomes.iter().any(|o| o.by == By::Jitsi)).await;
    let jitsi: Vec<&OutcomeKind> = view
        .outcomes
        .iter()
        .filter(|o| o.by == By::Jitsi)
        .map(|o| &o.kind)
        .collect();
    assert_eq!(jitsi, [&OutcomeKind::Move("Erik".into(), RoomName::Main)]);
    // Ali closes the board: Kim's board no longer lists Ali.
    drop(alis);
    let view = next_where(&mut kims, |v| v.also_here.is_empty()).await;
    assert_eq!(view.main.participants.len(), 3);
    sessions.stop_all().await;
    meeting.stop().await;
}

/// Counts the connections made through it.
struct Counting(WebSocketConnector, std::sync::atomic::AtomicUsize);

impl server::xmpp::transport::Connector for Counting {
    fn connect(
        &self,
        url: url::Url,
    ) -> futures::future::BoxFuture<
        'static,
        Result<server::xmpp::transport::Transport, server::xmpp::transport::TransportError>,
    > {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.connect(url)
    }
}

#[tokio::test]
async fn token_refusals_of_a_token_deployment_are_final_and_a_moderators_token_is_owner_at_once() {
    use app::meeting::LinkReason;
    use serde_json::json;
    let meeting = TestMeeting::start_with("livetokens", 0, |o| {
        o.tokens = Some(testbed::prosody::TokenAuth::random("grupprum-test", true));
        o.open_room = true;
    })
    .await;
    let env = &meeting.m().env;
    let room = meeting_ref(&meeting).room;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let token = |room: &str, claims| env.token(room, "Panel Person", true, claims).unwrap();
    let cases = [
        (
            token(&room, json!({"nbf": now - 600, "exp": now - 120})),
            LinkReason::TokenExpired,
        ),
        (
            token(&room, json!({"nbf": now + 600})),
            LinkReason::TokenNotYetValid,
        ),
        (
            format!("{}x", token(&room, json!({}))),
            LinkReason::TokenSignature,
        ),
        (
            token(&room, json!({"iss": "someone-else"})),
            LinkReason::TokenIssuer,
        ),
        (token("elsewhere", json!({})), LinkReason::TokenRoom),
    ];
    for (bad, reason) in cases {
        let connector = Arc::new(Counting(
            WebSocketConnector::new(Vec::new()).unwrap(),
            Default::default(),
        ));
        let mut config = config(&meeting);
        config.token = Some(bad);
        let panel =
            session::spawn(Arc::new(config), meeting_ref(&meeting), connector.clone()).unwrap();
        let view = until(&panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
        assert_eq!(
            view.status,
            LinkStatus::Failed {
                reason: reason.clone()
            }
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            connector.1.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "{reason:?}: one login, never retried"
        );
        panel.stop().await;
    }
    // A moderator's own token: Prosody writes who they are into presence and
    // the focus makes them owner as they join, with no grant.
    let mut config = config(&meeting);
    config.token = Some(token(&room, json!({})));
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let panel = session::spawn(Arc::new(config), meeting_ref(&meeting), connector).unwrap();
    let view = until(&panel, |v| v.me.as_ref().is_some_and(|m| m.is_moderator)).await;
    assert_eq!(view.status, LinkStatus::Online);
    panel.stop().await;
    meeting.stop().await;
}

#[tokio::test]
async fn a_hundred_cookie_less_page_loads_log_nobody_into_the_meeting() {
    use tower::ServiceExt;
    let meeting = opened("livegets").await;
    let connector = Arc::new(Counting(
        WebSocketConnector::new(Vec::new()).unwrap(),
        Default::default(),
    ));
    let sessions = server::jitsi::service::Sessions::new(config(&meeting), connector.clone());
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    let router = server::http::router(server::http::Site {
        meetings: Some(sessions.clone()),
        ..server::http::Site::new(options)
    });
    let path = format!("/{}", meeting_ref(&meeting).room);
    for _ in 0..100 {
        let response = router
            .clone()
            .oneshot(
                axum::http::Request::get(&path)
                    .header("accept", "text/html")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::OK);
    }
    assert_eq!(
        connector.1.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no login to the deployment"
    );
    assert!(sessions.is_empty());
    sessions.stop_all().await;
    meeting.stop().await;
}

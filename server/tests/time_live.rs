//! Timers, messages to rooms and the record of the meeting, end to end
//! against the test meeting on real Prosody with simulated participants: a
//! message reaches someone in every room and the panel leaves each room
//! again; a timer runs with every board closed and across a restart of the
//! panel, shows its minutes in the rooms' names, warns in the rooms' chat and
//! closes the rooms at zero; the record says who was where.

use std::sync::Arc;
use std::time::Duration;

use app::i18n::Lang;
use app::meeting::{
    Command, Language, MeetingRef, MeetingView, OutcomeKind, OutcomeState, Refusal, RoomName,
};
use app::service::{MeetingService, Moderator};
use futures::StreamExt;
use server::jitsi::config::ClientConfig;
use server::jitsi::service::{Limits, Sessions};
use server::record::{Journal, Retention};
use server::storage::sql::{Database, SqlStore};
use server::xmpp::transport::WebSocketConnector;
use testbed::harness::{TestMeeting, eventually};

mod support;

use support::meeting::{Find, account_config, meeting_ref, settled, start, until, until_within};

/// A timer's minute in these tests.
const MINUTE: Duration = Duration::from_secs(2);

/// Creates `names` and puts the people of each group in its room.
async fn rooms_with_people(
    panel: &server::jitsi::session::SessionHandle,
    rooms: &[(&str, &[&str])],
) -> MeetingView {
    let receipt = panel
        .command(Command::CreateRooms {
            count: rooms.len(),
            names: rooms.iter().map(|(n, _)| (*n).to_owned()).collect(),
            language: Language::English,
        })
        .await
        .unwrap();
    let view = settled(panel, &receipt).await;
    for (room, people) in rooms {
        let to = view.room_named(room).unwrap().jid.clone();
        let participants = people.iter().map(|p| view.room_of_named(p)).collect();
        let receipt = panel
            .command(Command::Move { participants, to })
            .await
            .unwrap();
        settled(panel, &receipt).await;
    }
    panel.view().as_ref().clone()
}

/// The participant called `name`.
fn person<'a>(meeting: &'a TestMeeting, name: &str) -> &'a testbed::participant::Participant {
    meeting
        .m()
        .participants
        .iter()
        .find(|p| p.config.display_name == name)
        .unwrap_or_else(|| panic!("{name} is a participant"))
}

#[tokio::test]
async fn a_message_reaches_someone_in_each_of_three_rooms_and_the_panel_leaves_each_room() {
    let (meeting, panel) = start(
        "livesay",
        &[
            ("Anna", false),
            ("Bo", false),
            ("Cia", false),
            ("Dan", false),
        ],
    )
    .await;
    let view = rooms_with_people(
        &panel,
        &[("Röd", &["Anna"]), ("Blå", &["Bo"]), ("Grön", &["Cia"])],
    )
    .await;
    let me = view.me.as_ref().unwrap().id.clone();

    // Refused in words before anything is sent.
    assert!(matches!(
        panel
            .command(Command::SendMessage {
                rooms: vec![],
                text: "  ".into()
            })
            .await,
        Err(Refusal::BadMessage(_))
    ));
    let text = "Fem minuter kvar <b>&</b> välj en talare";
    let receipt = panel
        .command(Command::SendMessage {
            rooms: vec![],
            text: text.into(),
        })
        .await
        .unwrap();
    assert_eq!(receipt.len(), 3, "one message a room");
    let done = until_within(&panel, Duration::from_secs(20), |v| {
        receipt.iter().all(|id| {
            v.outcomes
                .iter()
                .any(|o| o.id == *id && o.state != OutcomeState::Pending)
        })
    })
    .await;
    for id in &receipt {
        let o = done.outcomes.iter().find(|o| o.id == *id).unwrap();
        assert_eq!(o.state, OutcomeState::Done, "{o:?}");
        assert!(matches!(o.kind, OutcomeKind::Message(RoomName::Named(_))));
    }
    // Delivered is the room sending it back to the panel; each participant's
    // copy travels on its own connection and may come a moment later.
    let arrived = eventually(Duration::from_secs(5), || {
        ["Anna", "Bo", "Cia"].iter().all(|n| {
            person(&meeting, n)
                .state()
                .messages
                .iter()
                .any(|m| m.body == text)
        })
    })
    .await;
    assert!(arrived, "everyone in a room got the message");
    for name in ["Anna", "Bo", "Cia"] {
        let state = person(&meeting, name).state();
        let got: Vec<_> = state.messages.iter().filter(|m| m.body == text).collect();
        assert_eq!(
            got.len(),
            1,
            "{name} got the message once: {:?}",
            state.messages
        );
        assert_eq!(got[0].from, me, "from the panel");
        assert_eq!(Some(&got[0].room), state.room.as_ref(), "in their room");
    }
    // Dan, in the main room, got nothing.
    assert!(person(&meeting, "Dan").state().messages.is_empty());
    // The panel left every room again (the focus stays).
    assert!(
        eventually(Duration::from_secs(5), || {
            ["Anna", "Bo", "Cia"]
                .iter()
                .all(|n| !person(&meeting, n).state().others.contains(&me))
        })
        .await,
        "the panel is still in a room"
    );
    // Nobody on the board ever saw the panel in a room.
    assert!(panel.view().rooms.iter().all(|r| r.participants.len() == 1));
    meeting.stop().await;
}

fn kim() -> Moderator {
    Moderator {
        id: "kim@example.org".into(),
        display_name: Some("Kim".into()),
        token: None,
        signed_in: true,
    }
}

/// The panel's sessions as the server runs them: with its account, the
/// record and the timers in `store`.
fn sessions(config: &ClientConfig, store: &Arc<SqlStore>) -> Arc<Sessions> {
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    Sessions::keeping(
        config.clone(),
        connector,
        Limits {
            // Boards closed for longer than this leave, unless a timer runs.
            idle: Duration::from_millis(500),
            ..Limits::default()
        },
        store.clone() as Arc<dyn Journal>,
        Retention { days: 1 },
    )
}

/// The latest view of the shared session, without watching it.
async fn look(sessions: &Sessions, meeting: &MeetingRef) -> MeetingView {
    let mut views = sessions
        .existing(&kim(), meeting)
        .expect("the panel is in the meeting");
    views.next().await.unwrap()
}

async fn look_until(
    sessions: &Sessions,
    meeting: &MeetingRef,
    within: Duration,
    mut pred: impl FnMut(&MeetingView) -> bool,
) -> MeetingView {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let view = look(sessions, meeting).await;
        if pred(&view) {
            return view;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out; last view: {view:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_timer_runs_with_every_board_closed_and_across_a_restart_then_closes_the_rooms() {
    let mut meeting = support::meeting::opened("livetimer").await;
    meeting
        .join_people(&[
            ("Anna", false),
            ("Bo", false),
            ("Cia", false),
            ("Dan", false),
        ])
        .await;
    let dir = testbed::harness::TempDir::new("grupprum-timer");
    let database = Database::Sqlite(dir.path().join("grupprum.db"));
    let store = Arc::new(SqlStore::open(&database).await.unwrap());
    let mut config = account_config(&meeting);
    config.timing.minute = MINUTE;
    let m = meeting_ref(&meeting);

    // A moderator opens the board, makes two rooms, sets a timer, and closes the board.
    let first = sessions(&config, &store);
    {
        let mut board = first.watch(&kim(), &m).unwrap();
        while let Some(view) = board.next().await {
            if view.me.as_ref().is_some_and(|me| me.is_moderator)
                && view.main.participants.len() == 5
            {
                break;
            }
        }
        let panel = first.session(&kim(), &m).unwrap();
        let view = rooms_with_people(
            &panel,
            &[("Röd", &["Anna", "Bo"]), ("Blå", &["Cia", "Dan"])],
        )
        .await;
        let red = view.room_named("Röd").unwrap().jid.clone();
        // A timer's warning must come before its end.
        assert!(matches!(
            first
                .command(
                    &kim(),
                    &m,
                    Command::SetTimer {
                        rooms: vec![red.clone()],
                        minutes: 2,
                        warn: Some(2),
                        suffix: false,
                        language: Language::English,
                    }
                )
                .await,
            Err(app::service::ServiceError::Refused(
                Refusal::BadTimer { .. }
            ))
        ));
        first
            .command(
                &kim(),
                &m,
                Command::SetTimer {
                    rooms: vec![],
                    minutes: 4,
                    warn: Some(2),
                    suffix: true,
                    language: Language::English,
                },
            )
            .await
            .unwrap();
    }
    // Every board is closed, longer than the panel stays for nobody: the timer keeps it in.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let view = look_until(&first, &m, Duration::from_secs(5), |v| {
        v.room_named("Röd · 4 min").is_some() && v.room_named("Blå · 4 min").is_some()
    })
    .await;
    assert!(view.ends.is_some() && view.rooms.iter().all(|r| r.ends == view.ends));

    // The panel restarts in the middle.
    first.stop_all().await;
    first.close_journal(Duration::from_secs(5)).await;
    drop(first);
    let second = sessions(&config, &store);
    assert_eq!(
        second.resume().await,
        Ok(1),
        "back in the meeting with the timer"
    );
    look_until(&second, &m, Duration::from_secs(10), |v| {
        v.me.as_ref().is_some_and(|me| me.is_moderator) && v.room_named("Röd · 3 min").is_some()
    })
    .await;

    // Two minutes before the end, the warning in each room's chat.
    let warned = eventually(Duration::from_secs(10), || {
        ["Anna", "Bo", "Cia", "Dan"].iter().all(|n| {
            person(&meeting, n)
                .state()
                .messages
                .iter()
                .any(|msg| msg.body == Lang::En.timer_warning(2))
        })
    })
    .await;
    assert!(warned, "everyone in a room got the warning");

    // At zero the rooms close: everyone back in the main room, nobody hung up.
    let view = look_until(&second, &m, Duration::from_secs(20), |v| {
        v.rooms.is_empty() && v.main.participants.len() == 5
    })
    .await;
    assert_eq!(view.ends, None, "the timer is gone");
    for p in &meeting.m().participants {
        let state = p.state();
        assert!(!state.gone, "{} hung up", p.config.display_name);
        assert_eq!(state.room.as_deref(), Some(meeting.room().as_str()));
    }

    // The record says who was where, and what the timer did.
    second.stop_all().await;
    second.close_journal(Duration::from_secs(5)).await;
    let record = store.record(&m.path()).await.unwrap();
    for (name, room) in [
        ("Anna", "Röd"),
        ("Bo", "Röd"),
        ("Cia", "Blå"),
        ("Dan", "Blå"),
    ] {
        let stays: Vec<_> = record.stays.iter().filter(|s| s.name == name).collect();
        let rooms: Vec<&str> = stays
            .iter()
            .map(|s| if s.main_room { "main" } else { s.room.as_str() })
            .collect();
        // Before the restart and after it; a room's name may carry the minutes.
        assert_eq!(rooms.first(), Some(&"main"), "{name}: {rooms:?}");
        assert_eq!(rooms.last(), Some(&"main"), "{name}: {rooms:?}");
        assert!(
            rooms[1..rooms.len() - 1]
                .iter()
                .all(|r| server::jitsi::timer::base_name(r) == room),
            "{name}: {rooms:?}"
        );
        assert!(rooms.len() >= 3, "{name}: {rooms:?}");
        assert!(
            stays.iter().all(|s| s.until_ms.is_some()),
            "every stay ended"
        );
        assert!(stays.windows(2).all(|w| w[0].since_ms <= w[1].since_ms));
    }
    let kinds: Vec<(String, OutcomeKind)> = record
        .activity
        .iter()
        .map(|a| (a.by.clone(), serde_json::from_str(&a.what).unwrap()))
        .collect();
    let timers = kinds
        .iter()
        .filter(|(_, k)| matches!(k, OutcomeKind::Timer(None, 4)))
        .count();
    assert_eq!(timers, 1, "the timer set, in the feed");
    assert!(
        kinds
            .iter()
            .any(|(by, k)| by == "by:Kim" && matches!(k, OutcomeKind::Remove(_))),
        "the rooms closed in the name of whoever set the timer"
    );
    meeting.stop().await;
}

#[tokio::test]
async fn a_stopped_timer_gives_the_room_its_name_back_and_nothing_closes() {
    let (meeting, panel) = start("livestop", &[("Anna", false)]).await;
    let view = rooms_with_people(&panel, &[("Röd", &["Anna"])]).await;
    let red = view.room_named("Röd").unwrap().jid.clone();
    panel
        .command(Command::SetTimer {
            rooms: vec![red.clone()],
            minutes: 30,
            warn: None,
            suffix: true,
            language: Language::Swedish,
        })
        .await
        .unwrap();
    until(&panel, |v| v.room_named("Röd · 30 min").is_some()).await;
    assert_eq!(
        panel.command(Command::StopTimer { rooms: vec![] }).await,
        Err(Refusal::NoTimer),
        "no timer for every room"
    );
    panel
        .command(Command::StopTimer { rooms: vec![red] })
        .await
        .unwrap();
    let view = until(&panel, |v| v.room_named("Röd").is_some()).await;
    assert_eq!(view.rooms[0].ends, None);
    assert_eq!(view.rooms[0].participants.len(), 1);
    meeting.stop().await;
}

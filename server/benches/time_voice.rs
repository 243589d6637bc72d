//! Timers and messages against the test meeting on real Prosody, with
//! simulated participants: from a timer's zero to the last person back in the
//! main room (10 rooms of 5 people), and a message to 20 rooms until the last
//! room has it. Each is run several times; the harness prints every run and
//! the median.
//!
//! `cargo bench -p server --bench time_voice` prints the figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::meeting::{Command, Grouping, Language, MeetingRef, MeetingView, OutcomeState};
use server::jitsi::config::{ClientConfig, Timing};
use server::jitsi::session::{self, SessionHandle};
use server::jitsi::timer::now_ms;
use server::xmpp::transport::WebSocketConnector;
use testbed::harness::TestMeeting;

const RUNS_TIMER: usize = 3;
const RUNS_MESSAGE: usize = 5;

fn config(meeting: &TestMeeting) -> ClientConfig {
    let env = &meeting.m().env;
    let mut config = ClientConfig::new(url::Url::parse(&env.ws_url).unwrap(), &env.domains.xmpp);
    config.timing = Timing {
        // A timer's minute is a second here: the timer below ends a second after it is set.
        minute: Duration::from_secs(1),
        ..Timing::default()
    };
    config
}

async fn until(
    panel: &SessionHandle,
    within: Duration,
    mut pred: impl FnMut(&MeetingView) -> bool,
) -> Arc<MeetingView> {
    let mut watch = panel.watch();
    tokio::time::timeout(within, async {
        loop {
            let view = watch.borrow_and_update().clone();
            if pred(&view) {
                return view;
            }
            watch.changed().await.expect("the session runs");
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out; last view: {:#?}", panel.view()))
}

async fn settled(panel: &SessionHandle, receipt: &[u64], within: Duration) {
    until(panel, within, |v| {
        receipt.iter().all(|id| {
            v.outcomes
                .iter()
                .any(|o| o.id == *id && o.state != OutcomeState::Pending)
        })
    })
    .await;
}

/// A meeting with the panel in it as moderator and `people` in the main room.
async fn meeting_with(room: &str, people: usize) -> (TestMeeting, SessionHandle) {
    let mut meeting = TestMeeting::start(room, 0).await;
    assert!(meeting.m().open_room().await);
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let m = MeetingRef {
        room: room.to_owned(),
        tenant: None,
    };
    let panel = session::spawn(Arc::new(config(&meeting)), m, connector).unwrap();
    until(&panel, Duration::from_secs(15), |v| {
        v.me.as_ref().is_some_and(|m| m.is_moderator)
    })
    .await;
    let names: Vec<String> = (1..=people).map(|i| format!("Deltagare {i}")).collect();
    let people_list: Vec<(&str, bool)> = names.iter().map(|n| (n.as_str(), false)).collect();
    meeting.join_people(&people_list).await;
    until(&panel, Duration::from_secs(30), |v| {
        v.main.participants.len() == people + 1
    })
    .await;
    (meeting, panel)
}

/// Creates `rooms` rooms and spreads everyone over them.
async fn fill_rooms(panel: &SessionHandle, rooms: usize, people: usize) {
    let receipt = panel
        .command(Command::CreateRooms {
            count: rooms,
            names: Vec::new(),
            language: Language::English,
        })
        .await
        .unwrap();
    settled(panel, &receipt, Duration::from_secs(30)).await;
    let receipt = panel
        .command(Command::AutoAssign {
            rooms: Vec::new(),
            include_moderators: false,
            grouping: Grouping::default(),
        })
        .await
        .unwrap();
    settled(panel, &receipt, Duration::from_secs(120)).await;
    let view = panel.view();
    assert_eq!(view.rooms.len(), rooms);
    assert_eq!(
        view.rooms
            .iter()
            .map(|r| r.participants.len())
            .sum::<usize>(),
        people
    );
}

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

async fn timer_to_everyone_back() {
    let (rooms, per_room) = (10, 5);
    let people = rooms * per_room;
    let (meeting, panel) = meeting_with("benchtimer", people).await;
    let mut figures = Vec::new();
    for run in 1..=RUNS_TIMER {
        fill_rooms(&panel, rooms, people).await;
        panel
            .command(Command::SetTimer {
                rooms: Vec::new(),
                minutes: 1,
                warn: None,
                suffix: false,
                language: Language::English,
            })
            .await
            .unwrap();
        let zero = until(&panel, Duration::from_secs(5), |v| v.ends.is_some())
            .await
            .ends
            .expect("the timer runs");
        until(&panel, Duration::from_secs(120), |v| {
            v.main.participants.len() == people + 1
        })
        .await;
        let back = now_ms();
        // The rooms are removed once empty; wait for that before the next run.
        until(&panel, Duration::from_secs(30), |v| v.rooms.is_empty()).await;
        let seconds = back.saturating_sub(zero) as f64 / 1000.0;
        let gone = meeting
            .m()
            .participants
            .iter()
            .filter(|p| p.state().gone)
            .count();
        assert_eq!(gone, 0, "nobody hung up");
        println!(
            "timer, run {run}: zero to the last of {people} back in the main room: {seconds:.1} s ({:.0} ms a person)",
            seconds * 1000.0 / people as f64
        );
        figures.push(seconds);
    }
    println!(
        "timer with {rooms} rooms of {per_room}: median {:.1} s from zero to the last person back ({RUNS_TIMER} runs)",
        median(figures)
    );
    meeting.stop().await;
}

async fn message_to_rooms() {
    let rooms = 20;
    let (meeting, panel) = meeting_with("benchsay", rooms).await;
    fill_rooms(&panel, rooms, rooms).await;
    let mut figures = Vec::new();
    for run in 1..=RUNS_MESSAGE {
        let text = format!("Fem minuter kvar ({run})");
        let sent = now_ms();
        let started = Instant::now();
        let receipt = panel
            .command(Command::SendMessage {
                rooms: Vec::new(),
                text: text.clone(),
            })
            .await
            .unwrap();
        assert_eq!(receipt.len(), rooms);
        let deadline = Instant::now() + Duration::from_secs(60);
        let last = loop {
            let arrivals: Vec<u64> = meeting
                .m()
                .participants
                .iter()
                .filter_map(|p| {
                    p.state()
                        .messages
                        .iter()
                        .find(|m| m.body == text)
                        .map(|m| m.at_ms)
                })
                .collect();
            if arrivals.len() == rooms {
                break arrivals.into_iter().max().unwrap_or(sent);
            }
            assert!(Instant::now() < deadline, "not every room got the message");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        settled(&panel, &receipt, Duration::from_secs(30)).await;
        let all_done = started.elapsed().as_secs_f64();
        let seconds = last.saturating_sub(sent) as f64 / 1000.0;
        println!(
            "message, run {run}: the last of {rooms} rooms had it after {seconds:.2} s ({:.0} ms a room); every delivery confirmed after {all_done:.2} s",
            seconds * 1000.0 / rooms as f64
        );
        figures.push(seconds);
    }
    println!(
        "message to {rooms} rooms: median {:.2} s until the last room had it ({RUNS_MESSAGE} runs)",
        median(figures)
    );
    meeting.stop().await;
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async {
        message_to_rooms().await;
        timer_to_everyone_back().await;
    });
}

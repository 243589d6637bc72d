//! Memory of the Jitsi client, counted by a global allocator that tracks live heap
//! bytes: an idle session in a real meeting (test meeting on Prosody, with the focus
//! stand-in in a separate process so that only the client is counted), and the
//! state a session keeps for 500 participants in 50 rooms.
//!
//! `cargo bench -p server --bench memory` prints the figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::meeting::{LinkStatus, MeetingRef};
use server::jitsi::config::ClientConfig;
use server::jitsi::model::Model;
use server::jitsi::session;
use server::xmpp::stanza::jitsi::{BreakoutEvent, JsonMessage};
use server::xmpp::transport::WebSocketConnector;
use server::xmpp::xml::Element;

mod support;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same layout, same contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the pointer came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as for `dealloc` and `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

const IDLE_SESSIONS: usize = 20;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--focus") {
        run_focus(&args[2], &args[3]);
        return;
    }
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` asks for a list; there is nothing to test here.
    }
    state_for_500_in_50();
    idle_sessions();
}

/// The model and the published view for 500 participants in 50 rooms.
fn state_for_500_in_50() {
    let frame = support::update_frame(50, 500);
    let before = live();
    let mut model = Model::new(
        MeetingRef {
            room: "bench".into(),
            tenant: None,
        },
        support::MAIN,
    );
    let element = Element::parse(&frame).expect("xml");
    let message = JsonMessage::parse(&element).expect("json");
    let Some(BreakoutEvent::Update(update)) = message.breakout_event().expect("event") else {
        panic!()
    };
    drop(element);
    drop(message);
    model.apply_update(update);
    let view = Arc::new(model.view());
    let held = live() - before;
    println!(
        "memory: state for 500 participants in 50 rooms (model + published view): {:.1} KiB",
        kib(held)
    );
    drop(view);
    drop(model);
}

/// Real sessions, each alone in its own meeting, joined and idle.
fn idle_sessions() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let meeting = testbed::harness::TestMeeting::start_with("memory", 0, |o| o.prosody_only = true).await;
        let env = meeting.m().env.clone();
        let mut focus = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--focus", &env.ws_url, &env.focus_password])
            .spawn()
            .expect("focus process");
        tokio::time::sleep(Duration::from_millis(500)).await;

        let mut config = ClientConfig::new(url::Url::parse(&env.ws_url).unwrap(), &env.domains.xmpp);
        config.display_name = "Grupprum".into();
        let config = Arc::new(config);
        let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
        let before = live();
        let mut handles = Vec::new();
        for i in 0..IDLE_SESSIONS {
            let meeting = MeetingRef { room: format!("idle{i}"), tenant: None };
            handles.push(session::spawn(config.clone(), meeting, connector.clone()).unwrap());
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while handles.iter().any(|h| h.view().status != LinkStatus::Online) {
            assert!(Instant::now() < deadline, "sessions did not join");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let held = live() - before;
        println!(
            "memory: idle session in a meeting (joined, moderator, {IDLE_SESSIONS} sessions): {:.1} KiB each",
            kib(held / IDLE_SESSIONS)
        );
        for h in &handles {
            h.stop().await;
        }
        let _ = focus.kill();
        let _ = focus.wait();
        meeting.stop().await;
    });
}

fn run_focus(ws_url: &str, password: &str) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let domains = testbed::domains::Domains::new("meet.test");
        let _focus = testbed::focus::Focus::start(ws_url, &domains, password, false)
            .await
            .expect("focus logs in");
        std::future::pending::<()>().await;
    });
}

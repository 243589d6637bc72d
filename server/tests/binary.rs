//! The server binary in a meeting on real Prosody: its metrics count the
//! session, the meeting, the commands and the time from event to push; and
//! stopped with SIGTERM, it leaves the meeting (the people in it see the
//! panel go at once) and exits within its deadline.

use std::process::Stdio;
use std::time::{Duration, Instant};

use sha2::Digest;
use testbed::harness::{TempDir, eventually};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

mod support;

/// An integration's API token, and its hash as the setting lists it.
const TOKEN: &str = "5e0d1c2b3a49586776a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0a9";

fn token_setting() -> String {
    let hash: String = sha2::Sha256::digest(TOKEN.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("ops:{hash}")
}

/// `method path` with the API token and a JSON `body`; the answer's status
/// code and body.
async fn call(base: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut socket = tokio::net::TcpStream::connect(base).await.unwrap();
    let head = [
        format!("{method} {path} HTTP/1.1"),
        format!("Host: {base}"),
        format!("Authorization: Bearer {TOKEN}"),
        "Content-Type: application/json".into(),
        format!("Content-Length: {}", body.len()),
        "Connection: close".into(),
        String::new(),
        String::new(),
    ]
    .join("\r\n");
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(body.as_bytes()).await.unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).await.unwrap();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {answer}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    (status, body)
}

/// The value of the sample `name` (with its labels) in Prometheus text.
fn sample(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let (key, value) = line.rsplit_once(' ')?;
        (key == name).then(|| value.parse().ok())?
    })
}

#[tokio::test]
async fn in_a_meeting_the_metrics_count_and_a_stopped_server_leaves_within_its_deadline() {
    let mut meeting = support::meeting::opened("shutdown").await;
    meeting.join_people(&[("Anna", false)]).await;
    let anna = &meeting.m().participants[0];
    let before = anna.state().others;
    let dir = TempDir::new("grupprum-shutdown");
    let env = &meeting.m().env;
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_grupprum"));
    // It ends with the test, however the test ends.
    testbed::child::ends_with_us(&mut command);
    let mut server = command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_OUTPUT_NAME", "grupprum")
        .env("GRUPPRUM_AUTH", "open")
        .env("GRUPPRUM_API_TOKENS", token_setting())
        .env("GRUPPRUM_DATABASE", dir.path().join("panel.db"))
        .env("XMPP_WS_URL", &env.ws_url)
        .env("XMPP_DOMAIN", &env.domains.xmpp)
        // The panel account: owner in every room at once.
        .env("XMPP_USER", env.domains.panel_jid())
        .env("XMPP_PASSWORD", &env.panel_password)
        // Its warnings and errors, if any, show with the test's output.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the server says where it listens")
            .unwrap()
            .expect("a line");
        if let Some(rest) = line.strip_prefix("Grupprum is listening on http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    // Whatever else it prints is read, so that it never waits on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let room = support::meeting::meeting_ref(&meeting).room;
    let meeting_path = format!("/api/v1/meetings/{room}");
    let (status, _) = call(&base, "POST", &format!("{meeting_path}/join"), "").await;
    assert_eq!(status, 200);
    assert!(
        eventually(Duration::from_secs(10), || anna.state().others.len()
            > before.len())
        .await,
        "Anna sees the panel come in"
    );
    let (status, body) = call(
        &base,
        "POST",
        &format!("{meeting_path}/rooms"),
        r#"{"names":["Mätning"]}"#,
    )
    .await;
    assert_eq!(status, 202, "{body}");
    // The metrics, as Prometheus reads them, once the command is done.
    let done = "grupprum_commands_total{outcome=\"done\"}";
    let give_up = Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let (status, body) = call(&base, "GET", "/metrics", "").await;
        assert_eq!(status, 200);
        if sample(&body, done).is_some_and(|n| n >= 1.0) {
            break body;
        }
        assert!(
            Instant::now() < give_up,
            "the command is counted as done: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(sample(&seen, "grupprum_sessions"), Some(1.0), "{seen}");
    assert_eq!(sample(&seen, "grupprum_meetings"), Some(1.0), "{seen}");
    assert!(
        sample(&seen, "grupprum_event_to_push_seconds_count").is_some_and(|n| n >= 1.0),
        "events pushed are timed: {seen}"
    );
    assert!(
        seen.contains("grupprum_event_to_push_seconds_bucket{le=\"0.1\"}"),
        "with the histogram's buckets: {seen}"
    );

    let panel: Vec<String> = anna
        .state()
        .others
        .into_iter()
        .filter(|nick| !before.contains(nick))
        .collect();

    let pid = server.id().expect("running").to_string();
    let stopped = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    // With no connection open (none is here) nothing waits before leaving.
    assert!(
        eventually(Duration::from_secs(2), || {
            let others = anna.state().others;
            panel.iter().all(|nick| !others.contains(nick))
        })
        .await,
        "the panel leaves the meeting within 2 s of SIGTERM"
    );
    let left = stopped.elapsed();
    let status = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("the server exits within its deadline")
        .unwrap();
    assert!(status.success(), "{status}");
    println!(
        "left the meeting {} ms after SIGTERM; exited after {} ms",
        left.as_millis(),
        stopped.elapsed().as_millis()
    );
    meeting.stop().await;
}

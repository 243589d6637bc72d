//! The `testbed` command: start prints the variables and the env file, stop stops
//! only what start started, and a failed start says why and leaves nothing running.

use std::path::Path;
use std::process::Command;

use testbed::harness::{TempDir, wait_gone};

const BIN: &str = env!("CARGO_BIN_EXE_testbed");

fn testbed(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("testbed runs")
}

fn pid_alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[test]
fn start_prints_the_variables_and_stop_ends_everything() {
    let dir = TempDir::new("testbed-cli");
    let out = testbed(
        &["start", "--room", "clitest", "--participants", "2"],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for var in [
        "XMPP_WS_URL=ws://127.0.0.1:",
        "XMPP_DOMAIN=meet.test",
        "MUC_DOMAIN=conference.meet.test",
        "BREAKOUT_DOMAIN=breakout.meet.test",
        "FOCUS_DOMAIN=focus.meet.test",
        "FOCUS_JID=focus@auth.meet.test",
        "FOCUS_PASSWORD=",
    ] {
        assert!(stdout.contains(var), "{var} in {stdout}");
    }
    let env_file = dir.path().join("meeting.env");
    assert!(stdout.contains(&format!("# env file: {}", env_file.display())));
    let env = std::fs::read_to_string(&env_file).expect("env file");
    assert!(env.contains("XMPP_WS_URL=ws://127.0.0.1:"));
    // The control API: people join and leave on request.
    let control = env
        .lines()
        .find_map(|l| l.strip_prefix("TESTBED_CONTROL_URL="))
        .expect("control URL")
        .to_owned();
    let (status, body) = http("GET", &control, "/participants", "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.matches("\"nick\"").count(), 2, "{body}");
    let (status, body) = http(
        "POST",
        &control,
        "/participants",
        r#"{"name":"Via API","ignore_moves":true}"#,
    );
    assert_eq!(status, 201, "{body}");
    assert!(
        body.contains("\"ignore_moves\":true") && body.contains("clitest@conference.meet.test"),
        "{body}"
    );
    let nick = body
        .split("\"nick\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        http("DELETE", &control, &format!("/participants/{nick}"), "").0,
        204
    );
    assert_eq!(
        http("DELETE", &control, &format!("/participants/{nick}"), "").0,
        404
    );
    assert_eq!(http("POST", &control, "/participants", "{bad json").0, 400);
    let (status, body) = http(
        "POST",
        &control,
        "/participants/many",
        r#"{"names":["Many 1","Many 2","Many 3"]}"#,
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(body.matches("\"nick\"").count(), 3, "{body}");
    assert!(body.contains("Many 3"), "{body}");
    assert_eq!(
        http("GET", &control, "/participants", "")
            .1
            .matches("\"nick\"")
            .count(),
        5
    );
    assert_eq!(
        http("POST", &control, "/participants/many", r#"{"names":[]}"#).0,
        400
    );
    assert_eq!(
        http(
            "POST",
            &control,
            "/participants/nobody/room",
            r#"{"room":"r@breakout.meet.test"}"#
        )
        .0,
        404
    );

    let runner: i32 = std::fs::read_to_string(dir.path().join("testbed.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let prosody: i32 = std::fs::read_to_string(dir.path().join("prosody.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pid_alive(runner) && pid_alive(prosody));

    let out = Command::new(BIN)
        .args(["stop", "--env"])
        .arg(&env_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!pid_alive(runner), "the runner stopped");
    assert!(wait_gone(prosody), "prosody stopped");

    // A second stop finds nothing to stop and says so.
    let out = testbed(&["stop"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no meeting is running"));
}

#[test]
fn a_taken_port_is_reported_and_nothing_is_left_running() {
    let dir = TempDir::new("testbed-cli");
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = testbed(
        &["start", "--port", &port, "--participants", "0"],
        dir.path(),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {port} on 127.0.0.1 is taken")),
        "{stderr}"
    );
    assert!(!dir.path().join("testbed.pid").exists());
    assert!(
        !dir.path().join("prosody.pid").exists(),
        "prosody never started"
    );
}

#[test]
fn a_missing_prosody_is_reported() {
    let dir = TempDir::new("testbed-cli");
    let out = Command::new(BIN)
        .args(["start", "--participants", "0", "--dir"])
        .arg(dir.path())
        .env("TESTBED_PROSODY", "/nonexistent/prosody")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("prosody is not installed: no /nonexistent/prosody"),
        "{stderr}"
    );
}

#[test]
fn a_configuration_error_is_reported_with_prosodys_words() {
    let dir = TempDir::new("testbed-cli");
    let plugins = TempDir::new("testbed-bad-plugins");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("prosody");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), plugins.path().join(entry.file_name())).unwrap();
    }
    std::fs::write(
        plugins.path().join("mod_breakout_rooms.lua"),
        "this is not lua(",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["start", "--participants", "0", "--dir"])
        .arg(dir.path())
        .env("TESTBED_PLUGINS", plugins.path())
        .output()
        .unwrap();
    // Prosody keeps running without a broken module, so the start fails when the
    // meeting cannot work: no breakout component is advertised.
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("breakout component (breakout.meet.test) is not advertised"),
        "{stderr}"
    );
    assert!(
        stderr.contains("breakout_rooms"),
        "the log tail names the broken module: {stderr}"
    );
    assert!(!dir.path().join("testbed.pid").exists());
}

#[test]
fn bad_options_are_refused() {
    let dir = TempDir::new("testbed-cli");
    for (args, message) in [
        (
            vec!["start", "--participants", "many"],
            "--participants needs a number",
        ),
        (
            vec!["start", "--room", "bad room!"],
            "the meeting name must be",
        ),
        (
            vec!["start", "--participants", "2", "--ignore-moves", "3"],
            "--ignore-moves cannot exceed",
        ),
        (vec!["start", "--frobnicate"], "unknown option"),
    ] {
        let out = testbed(&args, dir.path());
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

/// A minimal HTTP/1.1 exchange with the control API.
fn http(method: &str, base: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let addr = base.strip_prefix("http://").expect("http URL");
    let mut stream = std::net::TcpStream::connect(addr).expect("control API reachable");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn a_meeting_with_a_lifetime_stops_by_itself() {
    let dir = TempDir::new("testbed-cli");
    let out = testbed(
        &["start", "--participants", "0", "--lifetime", "1"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runner: i32 = std::fs::read_to_string(dir.path().join("testbed.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let prosody: i32 = std::fs::read_to_string(dir.path().join("prosody.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(wait_gone(runner), "the runner stopped after its lifetime");
    assert!(wait_gone(prosody), "and so did prosody");
    assert!(!dir.path().join("testbed.pid").exists());
}

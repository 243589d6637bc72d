//! `testbed`: starts and stops the local test meeting.
//!
//! ```text
//! testbed start [--room NAME] [--participants N] [--hostile] [--ignore-moves K] [--grant-panels] [--open]
//!               [--updates-to-moderators] [--prosody-only] [--port PORT] [--dir DIR]
//! testbed stop  (--dir DIR | --env FILE)
//! testbed run   …same options as start, in the foreground
//! ```
//! `start` runs the meeting in the background, prints its variables and the path
//! of the env file that holds them, and returns; `stop` stops what that start started.

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use testbed::control::Control;
use testbed::meeting::{Meeting, MeetingOptions};
use testbed::names::NameStyle;

const USAGE: &str = "usage:
  testbed start [--room NAME] [--participants N] [--hostile] [--ignore-moves K] [--grant-panels] [--open]
                [--tokens] [--updates-to-moderators] [--prosody-only] [--port PORT] [--lifetime SECONDS]
                [--dir DIR]
  testbed run   (same options; stays in the foreground)
  testbed stop  (--dir DIR | --env FILE)";

/// The issuer of the test meeting's tokens (`--tokens`: JWT authentication with
/// a random secret; tokens are optional for the simulated participants).
const TOKEN_APP_ID: &str = "grupprum-test";

/// How long `start` waits for the meeting to come up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("start") => parse(&args[1..]).and_then(|a| start(&a)),
        Some("run") => parse(&args[1..]).and_then(|a| run(&a)),
        Some("stop") => stop(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("testbed: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What the command line asks for.
struct Args {
    options: MeetingOptions,
    /// Stop by itself after this many seconds.
    lifetime: Option<u64>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut options = MeetingOptions::new(Path::new(""), "demo", 12);
    let mut dir: Option<PathBuf> = None;
    let mut lifetime: Option<u64> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--room" => options.room = value("--room")?,
            "--participants" => {
                options.participants = number(&value("--participants")?, "--participants")?
            }
            "--ignore-moves" => {
                options.ignore_moves = number(&value("--ignore-moves")?, "--ignore-moves")?
            }
            "--port" => options.port = Some(number(&value("--port")?, "--port")?),
            "--dir" => dir = Some(PathBuf::from(value("--dir")?)),
            "--lifetime" => lifetime = Some(number(&value("--lifetime")?, "--lifetime")?),
            "--hostile" => options.names = NameStyle::Hostile,
            "--prosody-only" => options.prosody_only = true,
            "--grant-panels" => options.grant_panels = true,
            "--open" => options.open_room = true,
            "--tokens" => {
                options.tokens = Some(testbed::prosody::TokenAuth::random(TOKEN_APP_ID, true))
            }
            "--updates-to-moderators" => {
                options.update_recipients = testbed::prosody::UpdateRecipients::Moderators
            }
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    if options.participants > 1000 {
        return Err("--participants must be at most 1000".into());
    }
    if options.ignore_moves > options.participants {
        return Err("--ignore-moves cannot exceed --participants".into());
    }
    options.dir = match dir {
        Some(d) => d,
        None => std::env::temp_dir().join(format!(
            "grupprum-testbed-{}-{:08x}",
            options.room,
            rand::random::<u32>()
        )),
    };
    Ok(Args { options, lifetime })
}

fn number<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name} needs a number, not {text:?}"))
}

fn option_args(args: &Args) -> Vec<String> {
    let o = &args.options;
    let mut list: Vec<String> = vec![
        "--room".into(),
        o.room.clone(),
        "--participants".into(),
        o.participants.to_string(),
        "--ignore-moves".into(),
        o.ignore_moves.to_string(),
        "--dir".into(),
        o.dir.display().to_string(),
    ];
    if let Some(port) = o.port {
        list.extend(["--port".into(), port.to_string()]);
    }
    if o.names == NameStyle::Hostile {
        list.push("--hostile".into());
    }
    if o.prosody_only {
        list.push("--prosody-only".into());
    }
    if o.grant_panels {
        list.push("--grant-panels".into());
    }
    if o.open_room {
        list.push("--open".into());
    }
    if o.tokens.is_some() {
        list.push("--tokens".into());
    }
    if o.update_recipients == testbed::prosody::UpdateRecipients::Moderators {
        list.push("--updates-to-moderators".into());
    }
    if let Some(seconds) = args.lifetime {
        list.extend(["--lifetime".into(), seconds.to_string()]);
    }
    list
}

fn start(args: &Args) -> Result<(), String> {
    let o = &args.options;
    std::fs::create_dir_all(&o.dir)
        .map_err(|e| format!("cannot create {}: {e}", o.dir.display()))?;
    for stale in ["meeting.env", "failed", "testbed.pid"] {
        let _ = std::fs::remove_file(o.dir.join(stale));
    }
    let log_path = o.dir.join("testbed.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let log_err = log.try_clone().map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut command = std::process::Command::new(exe);
    command
        .arg("run")
        .args(option_args(args))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // SAFETY: setsid is async-signal-safe; the meeting gets its own session so it
    // outlives this command and is not hit by the terminal's signals.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start the meeting: {e}"))?;
    let env_path = o.dir.join("meeting.env");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(text) = std::fs::read_to_string(o.dir.join("failed")) {
            let _ = child.wait();
            return Err(text.trim().to_owned());
        }
        if let Ok(text) = std::fs::read_to_string(&env_path)
            && text.ends_with('\n')
            && o.dir.join("testbed.pid").exists()
        {
            print!("{text}");
            println!("# env file: {}", env_path.display());
            println!("# stop with: testbed stop --dir {}", o.dir.display());
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            return Err(format!(
                "the meeting exited during start-up ({status}):\n{log}"
            ));
        }
        if Instant::now() > deadline {
            // SAFETY: signalling the child we just started.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let _ = child.wait();
            return Err(format!(
                "the meeting did not start within {} s; see {}",
                START_TIMEOUT.as_secs(),
                log_path.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn run(args: &Args) -> Result<(), String> {
    let o = &args.options;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let runtime =
        tokio::runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        std::fs::create_dir_all(&o.dir)
            .map_err(|e| format!("cannot create {}: {e}", o.dir.display()))?;
        let meeting = match Meeting::start(o).await {
            Ok(m) => m,
            Err(e) => {
                let _ = std::fs::write(o.dir.join("failed"), format!("{e}\n"));
                return Err(e.to_string());
            }
        };
        let room_jid = meeting.room_jid.clone();
        let count = meeting.participants.len();
        let env_text = meeting.env.to_env_file();
        let control = match Control::start(meeting).await {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::write(
                    o.dir.join("failed"),
                    format!("cannot start the control API: {e}\n"),
                );
                return Err(e.to_string());
            }
        };
        let env_path = o.dir.join("meeting.env");
        let mut text = env_text;
        text.push_str(&format!(
            "TESTBED_CONTROL_URL={}\nTESTBED_DIR={}\nTESTBED_ROOM={}\n",
            control.url,
            o.dir.display(),
            o.room
        ));
        write_atomically(&env_path, &text)
            .map_err(|e| format!("cannot write {}: {e}", env_path.display()))?;
        let pid_path = o.dir.join("testbed.pid");
        write_atomically(&pid_path, &format!("{}\n", std::process::id()))
            .map_err(|e| format!("cannot write {}: {e}", pid_path.display()))?;
        print!("{text}");
        println!("# env file: {}", env_path.display());
        let _ = std::io::stdout().flush();
        tracing::info!(participants = count, room = %room_jid, "the test meeting is up");

        match args.lifetime {
            Some(seconds) => {
                let lifetime = Duration::from_secs(seconds);
                if tokio::time::timeout(lifetime, wait_for_signal())
                    .await
                    .is_err()
                {
                    tracing::info!("the meeting's lifetime of {seconds} s is over");
                }
            }
            None => wait_for_signal().await,
        }
        tracing::info!("stopping the test meeting");
        if let Some(meeting) = control.stop().await {
            meeting.stop().await;
        }
        let _ = std::fs::remove_file(&pid_path);
        Ok(())
    })
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
}

fn stop(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [flag, dir] if flag == "--dir" => PathBuf::from(dir),
        [flag, env] if flag == "--env" => Path::new(env)
            .parent()
            .map(Path::to_owned)
            .ok_or_else(|| format!("{env} is not in a meeting directory"))?,
        _ => return Err(USAGE.to_owned()),
    };
    let pid_path = dir.join("testbed.pid");
    let text = std::fs::read_to_string(&pid_path).map_err(|_| {
        format!(
            "no meeting is running from {} (no {})",
            dir.display(),
            pid_path.display()
        )
    })?;
    let pid: i32 = text
        .trim()
        .parse()
        .map_err(|_| format!("{} is corrupt", pid_path.display()))?;
    // Only stop the process that start started: our own program, running this directory.
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
    if !cmdline.contains(" run ") || !cmdline.contains(&dir.display().to_string()) {
        let _ = std::fs::remove_file(&pid_path);
        return Err(format!(
            "process {pid} is not this meeting (already stopped?); removed the stale pid file"
        ));
    }
    // SAFETY: signalling a process we verified is the meeting's runner.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while Path::new(&format!("/proc/{pid}")).exists() {
        if Instant::now() > deadline {
            // SAFETY: as above.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_file(&pid_path);
    println!("stopped the meeting in {}", dir.display());
    Ok(())
}

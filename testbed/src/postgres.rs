//! Debian's PostgreSQL for tests: a fresh cluster in a directory of the test's,
//! listening on 127.0.0.1 on a port chosen at run time, with trust
//! authentication for the one user `grupprum`. It is stopped when dropped, and
//! also when this process dies. As root, the cluster runs as the `postgres`
//! account, since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error(
        "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin (on Debian: apt-get install postgresql)"
    )]
    Missing,
    #[error("cannot prepare {path}: {source}")]
    Prepare {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("initdb failed: {0}")]
    Init(String),
    #[error("cannot run {what}: {source}")]
    Spawn {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("PostgreSQL did not accept connections within {0} s; its log says:\n{1}")]
    NotListening(u64, String),
}

/// A running PostgreSQL.
pub struct Postgres {
    child: Child,
    dir: PathBuf,
    pub port: u16,
}

/// The newest `/usr/lib/postgresql/<version>/bin`, or `TESTBED_PG_BIN`.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TESTBED_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("postgres").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// The `postgres` account's uid and gid, when this process is root.
fn run_as() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = std::ffi::CString::new("postgres").ok()?;
    // SAFETY: getpwnam returns a pointer into static storage or null; it is
    // read at once, before any other call could reuse it.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return None;
    }
    // SAFETY: not null, as checked.
    let entry = unsafe { &*entry };
    Some((entry.pw_uid, entry.pw_gid))
}

fn command(program: PathBuf, account: Option<(u32, u32)>) -> Command {
    let mut command = Command::new(program);
    if let Some((uid, gid)) = account {
        command.uid(uid).gid(gid);
    }
    command
}

impl Postgres {
    /// Creates a cluster in `dir` and starts it.
    pub async fn start(dir: &Path) -> Result<Self, PostgresError> {
        let bin = bin_dir().ok_or(PostgresError::Missing)?;
        let account = run_as();
        let data = dir.join("pgdata");
        let prepare = |path: &Path, source| PostgresError::Prepare {
            path: path.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| prepare(dir, e))?;
        if let Some((uid, gid)) = account {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|e| prepare(dir, e))?;
        }
        let init = command(bin.join("initdb"), account)
            .args([
                "--username",
                "grupprum",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
            ])
            .args(["--locale", "C", "--no-sync", "-D"])
            .arg(&data)
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(|source| PostgresError::Spawn {
                what: "initdb",
                source,
            })?;
        if !init.status.success() {
            return Err(PostgresError::Init(
                String::from_utf8_lossy(&init.stderr).into_owned(),
            ));
        }
        let port = crate::prosody::free_port().map_err(|e| PostgresError::Spawn {
            what: "a free port",
            source: std::io::Error::other(e.to_string()),
        })?;
        let log = std::fs::File::create(dir.join("postgres.log")).map_err(|e| prepare(dir, e))?;
        let mut server = command(bin.join("postgres"), account);
        server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "full_page_writes=off", "-c", "synchronous_commit=off"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        crate::child::ends_with_us(&mut server);
        let child = server.spawn().map_err(|source| PostgresError::Spawn {
            what: "postgres",
            source,
        })?;
        let postgres = Self {
            child,
            dir: dir.to_owned(),
            port,
        };
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            let ready = command(bin.join("pg_isready"), None)
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "grupprum"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .await
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(postgres);
            }
            if tokio::time::Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default();
                return Err(PostgresError::NotListening(START_TIMEOUT.as_secs(), log));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The database's URL.
    pub fn url(&self) -> String {
        format!("postgres://grupprum@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its files.
    pub async fn stop(mut self) {
        crate::child::terminate(&mut self.child, Duration::from_secs(5)).await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

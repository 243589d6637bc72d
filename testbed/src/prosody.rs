//! Debian's Prosody, run with a generated configuration: loopback only, one HTTP
//! port with the XMPP-over-WebSocket endpoint, no c2s, s2s or component ports.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::domains::Domains;

/// How long Prosody may take to open its port.
const START_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum ProsodyError {
    #[error("prosody is not installed: no {0} (on Debian: apt-get install prosody)")]
    Missing(PathBuf),
    #[error("port {0} on 127.0.0.1 is taken")]
    PortTaken(u16),
    #[error("cannot pick a free port: {0}")]
    NoPort(std::io::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot run {what}: {source}")]
    Spawn {
        what: String,
        source: std::io::Error,
    },
    #[error("registering the focus or panel account failed: {0}")]
    Register(String),
    #[error("prosody exited during start-up ({status}); its log says:\n{log}")]
    Exited { status: String, log: String },
    #[error("prosody did not open port {port} within {secs} s; its log says:\n{log}")]
    NotListening { port: u16, secs: u64, log: String },
}

/// Where Prosody's programs and Grupprum's plugins are.
#[derive(Debug, Clone)]
pub struct Install {
    pub prosody: PathBuf,
    pub prosodyctl: PathBuf,
    pub plugins: PathBuf,
}

impl Default for Install {
    /// Debian's paths, unless `TESTBED_PROSODY`, `TESTBED_PROSODYCTL` or
    /// `TESTBED_PLUGINS` say otherwise.
    fn default() -> Self {
        let path = |var: &str, default: PathBuf| {
            std::env::var_os(var).map(PathBuf::from).unwrap_or(default)
        };
        Self {
            prosody: path("TESTBED_PROSODY", PathBuf::from("/usr/bin/prosody")),
            prosodyctl: path("TESTBED_PROSODYCTL", PathBuf::from("/usr/bin/prosodyctl")),
            plugins: path(
                "TESTBED_PLUGINS",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("prosody"),
            ),
        }
    }
}

/// A running Prosody. It is stopped when dropped, and also when this process dies.
pub struct Prosody {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

/// Picks a free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16, ProsodyError> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(ProsodyError::NoPort)?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(ProsodyError::NoPort)
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

impl Prosody {
    /// Writes the configuration into `dir`, registers the focus's and the panel's
    /// accounts and starts
    /// Prosody on `port` (or a free one).
    pub async fn start(
        install: &Install,
        dir: &Path,
        port: Option<u16>,
        domains: &Domains,
        focus_password: &str,
        panel_password: &str,
        setup: &Setup,
    ) -> Result<Self, ProsodyError> {
        for program in [&install.prosody, &install.prosodyctl] {
            if !program.exists() {
                return Err(ProsodyError::Missing(program.clone()));
            }
        }
        let port = match port {
            Some(p) if !port_is_free(p) => return Err(ProsodyError::PortTaken(p)),
            Some(p) => p,
            None => free_port()?,
        };
        for sub in ["data", "certs"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).map_err(|source| ProsodyError::Write {
                path: path.clone(),
                source,
            })?;
        }
        let config_path = dir.join("prosody.cfg.lua");
        let config = config(dir, &install.plugins, port, domains, setup);
        std::fs::write(&config_path, config).map_err(|source| ProsodyError::Write {
            path: config_path.clone(),
            source,
        })?;

        // The focus's account, and the panel's on the hidden domain.
        for (user, host, password) in [
            ("focus", &domains.auth, focus_password),
            (crate::domains::PANEL_USER, &domains.hidden, panel_password),
        ] {
            let register = Command::new(&install.prosodyctl)
                .arg("--config")
                .arg(&config_path)
                .args(["register", user, host, password])
                .stdin(Stdio::null())
                .output()
                .await
                .map_err(|source| ProsodyError::Spawn {
                    what: "prosodyctl".into(),
                    source,
                })?;
            if !register.status.success() {
                let mut text = String::from_utf8_lossy(&register.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&register.stderr));
                return Err(ProsodyError::Register(text.trim().to_owned()));
            }
        }

        let console = dir.join("prosody.console.log");
        let out = std::fs::File::create(&console).map_err(|source| ProsodyError::Write {
            path: console.clone(),
            source,
        })?;
        let err = out.try_clone().map_err(|source| ProsodyError::Write {
            path: console.clone(),
            source,
        })?;
        let mut command = Command::new(&install.prosody);
        command
            .arg("--config")
            .arg(&config_path)
            .arg("-F")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        // Nothing outlives the test meeting.
        crate::child::ends_with_us(&mut command);
        let child = command.spawn().map_err(|source| ProsodyError::Spawn {
            what: "prosody".into(),
            source,
        })?;
        if let Some(pid) = child.id() {
            let path = dir.join("prosody.pid");
            std::fs::write(&path, format!("{pid}\n"))
                .map_err(|source| ProsodyError::Write { path, source })?;
        }
        let mut prosody = Self {
            child,
            port,
            dir: dir.to_owned(),
        };
        prosody.wait_listening().await?;
        Ok(prosody)
    }

    async fn wait_listening(&mut self) -> Result<(), ProsodyError> {
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(ProsodyError::Exited {
                    status: status.to_string(),
                    log: self.log_tail(),
                });
            }
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(ProsodyError::NotListening {
                    port: self.port,
                    secs: START_TIMEOUT.as_secs(),
                    log: self.log_tail(),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The last lines Prosody wrote, for error messages.
    pub fn log_tail(&self) -> String {
        let mut text = String::new();
        for name in ["prosody.console.log", "prosody.log"] {
            if let Ok(content) = std::fs::read_to_string(self.dir.join(name)) {
                let lines: Vec<&str> = content.lines().collect();
                for line in &lines[lines.len().saturating_sub(15)..] {
                    let _ = writeln!(text, "  {line}");
                }
            }
        }
        text
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops Prosody: SIGTERM, then SIGKILL after 5 s.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    /// Stops Prosody in place (see [`Prosody::stop`]).
    pub async fn shutdown(&mut self) {
        let _ = std::fs::remove_file(self.dir.join("prosody.pid"));
        crate::child::terminate(&mut self.child, Duration::from_secs(5)).await;
    }
}

/// Quotes a string as a Lua literal.
fn lua_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Who gets the breakout component's updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpdateRecipients {
    /// Every occupant of the meeting's rooms, as in Jitsi.
    #[default]
    Everyone,
    /// Moderators only: the same updates for a panel, without sending each full
    /// state to hundreds of simulated participants (for very large test meetings).
    Moderators,
}

/// Jitsi-style token authentication on the meeting's domain (§12 of the
/// protocol document): HS256 tokens from `app_id`, signed with `secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenAuth {
    pub app_id: String,
    pub secret: String,
    /// Logins without a token are let in anonymously (Jitsi's
    /// `allow_empty_token`), so that simulated participants need none.
    pub allow_empty: bool,
}

impl TokenAuth {
    /// A fresh random secret for `app_id`.
    pub fn random(app_id: &str, allow_empty: bool) -> Self {
        Self {
            app_id: app_id.to_owned(),
            secret: format!("{:032x}", rand::random::<u128>()),
            allow_empty,
        }
    }
}

/// How the test meeting's deployment is set up, beyond its domains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Setup {
    pub recipients: UpdateRecipients,
    /// Token authentication; anonymous login when `None`.
    pub tokens: Option<TokenAuth>,
}

/// The Prosody configuration for the test meeting.
pub fn config(dir: &Path, plugins: &Path, port: u16, d: &Domains, setup: &Setup) -> String {
    let dir_s = dir.display().to_string();
    let q = |s: &str| lua_str(s);
    let focus = d.focus_jid();
    let mut c = String::new();
    let _ = writeln!(
        c,
        "-- The test meeting's Prosody, generated by `testbed`. Loopback only."
    );
    let _ = writeln!(c, "data_path = {}", q(&format!("{dir_s}/data")));
    let _ = writeln!(c, "certificates = {}", q(&format!("{dir_s}/certs")));
    let _ = writeln!(
        c,
        "plugin_paths = {{ {} }}",
        q(&plugins.display().to_string())
    );
    let _ = writeln!(c, "run_as_root = true");
    let _ = writeln!(c, "interfaces = {{ \"127.0.0.1\" }}");
    let _ = writeln!(c, "local_interfaces = {{ \"127.0.0.1\" }}");
    let _ = writeln!(
        c,
        "c2s_ports = {{}}\nc2s_direct_tls_ports = {{}}\ns2s_ports = {{}}\ns2s_direct_tls_ports = {{}}"
    );
    let _ = writeln!(
        c,
        "component_ports = {{}}\nhttps_ports = {{}}\nproxy65_ports = {{}}"
    );
    let _ = writeln!(
        c,
        "http_ports = {{ {port} }}\nhttp_interfaces = {{ \"127.0.0.1\" }}"
    );
    let _ = writeln!(c, "http_default_host = {}", q(&d.xmpp));
    let _ = writeln!(
        c,
        "consider_websocket_secure = true\nc2s_require_encryption = false"
    );
    let _ = writeln!(
        c,
        "allow_unencrypted_plain_auth = true\nstorage = \"internal\""
    );
    let _ = writeln!(c, "focus_jid = {}", q(&focus));
    let _ = writeln!(
        c,
        "log = {{ {{ levels = {{ min = {} }}, to = \"file\", filename = {} }} }}",
        q(&std::env::var("TESTBED_PROSODY_LOG").unwrap_or_else(|_| "info".into())),
        q(&format!("{dir_s}/prosody.log"))
    );
    let _ = writeln!(
        c,
        "modules_enabled = {{ \"disco\", \"ping\", \"saslauth\", \"websocket\", \"meeting_session\" }}"
    );
    let _ = writeln!(c, "modules_disabled = {{ \"s2s\", \"offline\", \"tls\" }}");
    let _ = writeln!(c);
    let _ = writeln!(c, "VirtualHost {}", q(&d.xmpp));
    match &setup.tokens {
        None => {
            let _ = writeln!(c, "  authentication = \"anonymous\"");
        }
        Some(tokens) => {
            let _ = writeln!(c, "  authentication = \"meeting_token\"");
            let _ = writeln!(c, "  app_id = {}", q(&tokens.app_id));
            let _ = writeln!(c, "  app_secret = {}", q(&tokens.secret));
            let _ = writeln!(c, "  allow_empty_token = {}", tokens.allow_empty);
        }
    }
    let _ = writeln!(c, "  modules_enabled = {{ \"breakout_rooms\" }}");
    let _ = writeln!(c, "  main_muc = {}", q(&d.muc));
    let _ = writeln!(c, "  breakout_rooms_muc = {}", q(&d.breakout));
    if setup.recipients == UpdateRecipients::Moderators {
        let _ = writeln!(c, "  breakout_updates_to = \"moderators\"");
    }
    let _ = writeln!(c);
    let _ = writeln!(c, "VirtualHost {}", q(&d.auth));
    let _ = writeln!(c, "  authentication = \"internal_hashed\"");
    let _ = writeln!(c);
    // The hidden domain, as Jitsi's recorder uses it: accounts only.
    let _ = writeln!(c, "VirtualHost {}", q(&d.hidden));
    let _ = writeln!(c, "  authentication = \"internal_hashed\"");
    for muc in [&d.muc, &d.breakout] {
        let _ = writeln!(c);
        let _ = writeln!(c, "Component {} \"muc\"", q(muc));
        // Tokens are checked against the room on the conference MUC only, as
        // Jitsi's `token_verification` is.
        if setup.tokens.is_some() && muc == &d.muc {
            let _ = writeln!(
                c,
                "  modules_enabled = {{ \"focus_lock\", \"meeting_token_rooms\" }}"
            );
            let _ = writeln!(c, "  token_host = {}", q(&d.xmpp));
        } else {
            let _ = writeln!(c, "  modules_enabled = {{ \"focus_lock\" }}");
        }
        let _ = writeln!(c, "  admins = {{ {}, {} }}", q(&focus), q(&d.panel_jid()));
        let _ = writeln!(c, "  restrict_room_creation = true");
        let _ = writeln!(c, "  muc_room_locking = false");
        let _ = writeln!(c, "  muc_room_default_public_jids = true");
        let _ = writeln!(c, "  muc_tombstones = false");
        let _ = writeln!(c, "  muc_room_cache_size = 1000");
        let _ = writeln!(c, "  storage = \"memory\"");
    }
    let _ = writeln!(c);
    let _ = writeln!(c, "Component {} \"focus_proxy\"", q(&d.focus));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_loopback_only_and_quotes_paths() {
        let d = Domains::new("meet.test");
        let c = config(
            Path::new("/tmp/a \"b"),
            Path::new("/p"),
            5555,
            &d,
            &Setup::default(),
        );
        assert!(!c.contains("breakout_updates_to"));
        assert!(c.contains("http_ports = { 5555 }"));
        assert!(c.contains("http_interfaces = { \"127.0.0.1\" }"));
        assert!(c.contains("c2s_ports = {}"));
        assert!(c.contains("s2s_ports = {}"));
        assert!(c.contains("data_path = \"/tmp/a \\\"b/data\""));
        assert!(c.contains("Component \"breakout.meet.test\" \"muc\""));
        assert!(c.contains("admins = { \"focus@auth.meet.test\", \"panel@recorder.meet.test\" }"));
        assert!(c.contains("VirtualHost \"recorder.meet.test\""));
        assert!(c.contains("authentication = \"anonymous\""));
        assert!(!c.contains("meeting_token"));
    }

    #[test]
    fn tokens_authenticate_the_meeting_domain_and_are_checked_on_the_conference_muc() {
        let d = Domains::new("meet.test");
        let setup = Setup {
            tokens: Some(TokenAuth {
                app_id: "app".into(),
                secret: "s\"ecret".into(),
                allow_empty: false,
            }),
            ..Setup::default()
        };
        let c = config(Path::new("/d"), Path::new("/p"), 5555, &d, &setup);
        assert!(c.contains("authentication = \"meeting_token\"\n  app_id = \"app\"\n  app_secret = \"s\\\"ecret\"\n  allow_empty_token = false"));
        let conference = c.find("Component \"conference.meet.test\"").unwrap();
        let breakout = c.find("Component \"breakout.meet.test\"").unwrap();
        assert!(c[conference..breakout].contains("\"meeting_token_rooms\""));
        assert!(!c[breakout..].contains("meeting_token_rooms"));
    }
}

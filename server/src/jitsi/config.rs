//! The Jitsi client's settings: where the deployment is, how to log in, and timing.

use std::time::Duration;

use app::meeting::MeetingRef;
use url::Url;

use super::plan::Confirmation;
use crate::xmpp::sasl::Credentials;

/// Timing of the session; tests shorten it.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Each step of connecting (handshake, login, discovery, focus).
    pub step: Duration,
    /// From join presence to our own presence in the room.
    pub join: Duration,
    /// Silence after which the client pings the server.
    pub ping_after: Duration,
    /// How long a ping may go unanswered before the link counts as dead.
    pub ping_timeout: Duration,
    /// Reconnect backoff: first delay and cap (each with jitter).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Least time between two commands (Prosody deployments allow 3 messages a second).
    pub command_interval: Duration,
    pub confirm: Confirmation,
    /// How often outcomes are checked for timeouts.
    pub tick: Duration,
    /// A timer's minute (a minute; shorter in tests).
    pub minute: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            step: Duration::from_secs(10),
            join: Duration::from_secs(15),
            ping_after: Duration::from_secs(10),
            ping_timeout: Duration::from_secs(10),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            command_interval: Duration::from_millis(334),
            confirm: Confirmation::default(),
            tick: Duration::from_millis(200),
            minute: Duration::from_secs(60),
        }
    }
}

/// How to reach a Jitsi deployment.
#[derive(Clone)]
pub struct ClientConfig {
    /// `wss://host/xmpp-websocket` (no query: the client adds `room`, `prefix`, `token`).
    pub service_url: Url,
    /// The XMPP domain (`meet.jitsi` on docker, the host name on Debian).
    pub domain: String,
    /// The main MUC (`conference.<domain>` or `muc.<domain>`).
    pub muc_domain: String,
    /// Where conference requests go (`focus.<domain>`).
    pub focus_domain: String,
    pub credentials: Credentials,
    /// Where the account logs in, when not on `domain`: the hidden domain of a
    /// panel account (`panel@recorder.meet.example`).
    pub account_domain: Option<String>,
    /// The presence says `robot='true'`, so that the focus does not count the
    /// panel's account as the room's owner.
    pub robot: bool,
    /// The session is the meeting's one panel, shared by its moderators: a
    /// change none of its commands expect was made in Jitsi itself.
    pub only_panel: bool,
    /// The name the panel has in the meeting.
    pub display_name: String,
    /// A Jitsi JWT for token deployments.
    pub token: Option<String>,
    pub timing: Timing,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field(
                "service_url",
                &crate::xmpp::transport::redact(&self.service_url),
            )
            .field("domain", &self.domain)
            .field("muc_domain", &self.muc_domain)
            .field("focus_domain", &self.focus_domain)
            .field("credentials", &self.credentials)
            .field("account_domain", &self.account_domain)
            .field("robot", &self.robot)
            .field("display_name", &self.display_name)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timing", &self.timing)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("the meeting name {0:?} is not valid")]
    BadRoom(String),
}

/// The default display name in the meeting.
pub const DEFAULT_DISPLAY_NAME: &str = "Moderator panel";

impl ClientConfig {
    /// Minimal settings for `domain`, with Jitsi's usual component names.
    pub fn new(service_url: Url, domain: &str) -> Self {
        Self {
            service_url,
            domain: domain.to_owned(),
            muc_domain: format!("conference.{domain}"),
            focus_domain: format!("focus.{domain}"),
            credentials: Credentials::Anonymous,
            account_domain: None,
            robot: false,
            only_panel: false,
            display_name: DEFAULT_DISPLAY_NAME.to_owned(),
            token: None,
            timing: Timing::default(),
        }
    }

    /// Reads the settings from `var` (the process environment in production).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let url_text = var("XMPP_WS_URL").ok_or(ConfigError::Missing("XMPP_WS_URL"))?;
        let url = Url::parse(&url_text).map_err(|e| ConfigError::Invalid {
            name: "XMPP_WS_URL",
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "ws" | "wss") || url.query().is_some() {
            return Err(ConfigError::Invalid {
                name: "XMPP_WS_URL",
                reason: "it must be a ws:// or wss:// address without a query".into(),
            });
        }
        let domain = var("XMPP_DOMAIN").ok_or(ConfigError::Missing("XMPP_DOMAIN"))?;
        if domain.is_empty() || domain.contains(['@', '/', ' ']) {
            return Err(ConfigError::Invalid {
                name: "XMPP_DOMAIN",
                reason: "it must be a domain name".into(),
            });
        }
        let mut config = Self::new(url, &domain);
        if let Some(muc) = var("MUC_DOMAIN") {
            config.muc_domain = muc;
        }
        if let Some(focus) = var("FOCUS_DOMAIN") {
            config.focus_domain = focus;
        }
        if let Some(name) = var("GRUPPRUM_DISPLAY_NAME").filter(|n| !n.trim().is_empty()) {
            config.display_name = name.trim().to_owned();
        }
        config.token = var("JITSI_TOKEN").filter(|t| !t.is_empty());
        config.credentials = match (var("XMPP_USER"), var("XMPP_PASSWORD")) {
            (None, None) => Credentials::Anonymous,
            // A full JID: an account on another domain (the hidden one): the
            // stream goes there, SASL takes the localpart, and the account is a
            // robot to the focus.
            (Some(user), Some(password)) if user.contains('@') => {
                let (local, host) = user.split_once('@').unwrap_or_default();
                if local.is_empty() || host.is_empty() || host.contains(['@', '/', ' ']) {
                    return Err(ConfigError::Invalid {
                        name: "XMPP_USER",
                        reason: "it must be a name, or a JID such as panel@recorder.meet.example"
                            .into(),
                    });
                }
                config.account_domain = Some(host.to_owned());
                config.robot = true;
                Credentials::Password {
                    user: local.to_owned(),
                    password,
                }
            }
            (Some(user), Some(password)) => Credentials::Password { user, password },
            (Some(_), None) => return Err(ConfigError::Missing("XMPP_PASSWORD")),
            (None, Some(_)) => return Err(ConfigError::Missing("XMPP_USER")),
        };
        Ok(config)
    }

    /// The domain the stream opens to and the login happens on.
    pub fn login_domain(&self) -> &str {
        self.account_domain.as_deref().unwrap_or(&self.domain)
    }

    /// The WebSocket address for `meeting`, with Jitsi's `room`, `prefix` and `token`.
    pub fn meeting_url(&self, meeting: &MeetingRef) -> Result<Url, ConfigError> {
        // The node is already URI-encoded and goes in as it is, as lib-jitsi-meet sends it.
        let mut query = format!("room={}", room_node(&meeting.room)?);
        let encode = |value: &str| {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        };
        if let Some(tenant) = &meeting.tenant {
            query.push_str(&format!("&prefix={}", encode(tenant)));
        }
        if let Some(token) = &self.token {
            query.push_str(&format!("&token={}", encode(token)));
        }
        let mut url = self.service_url.clone();
        url.set_query(Some(&query));
        Ok(url)
    }

    /// The main room's JID; a tenant's rooms are on `<muc prefix>.<tenant>.<rest>`.
    pub fn main_room_jid(&self, meeting: &MeetingRef) -> Result<String, ConfigError> {
        let node = room_node(&meeting.room)?;
        let muc = match &meeting.tenant {
            None => self.muc_domain.clone(),
            Some(tenant) => {
                let tenant = tenant.to_lowercase();
                if tenant.is_empty()
                    || !tenant
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(ConfigError::BadRoom(format!("{tenant}/{}", meeting.room)));
                }
                match self.muc_domain.split_once('.') {
                    Some((prefix, rest)) => format!("{prefix}.{tenant}.{rest}"),
                    None => format!("{}.{tenant}", self.muc_domain),
                }
            }
        };
        Ok(format!("{node}@{muc}"))
    }
}

/// Jitsi's room node: lower-cased and URI-component-encoded, as the web client does.
pub fn room_node(room: &str) -> Result<String, ConfigError> {
    let room = room.trim();
    if room.is_empty() || room.chars().count() > 200 || room.chars().any(char::is_control) {
        return Err(ConfigError::BadRoom(room.to_owned()));
    }
    let lower = room.to_lowercase();
    let mut node = String::with_capacity(lower.len());
    for byte in lower.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            node.push(byte as char);
        } else {
            node.push_str(&format!("%{byte:02x}"));
        }
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_settings_and_refuses_bad_ones() {
        let c = ClientConfig::from_vars(vars(&[
            ("XMPP_WS_URL", "wss://meet.example/xmpp-websocket"),
            ("XMPP_DOMAIN", "meet.jitsi"),
        ]))
        .unwrap();
        assert_eq!(c.muc_domain, "conference.meet.jitsi");
        assert_eq!(c.focus_domain, "focus.meet.jitsi");
        assert_eq!(c.display_name, DEFAULT_DISPLAY_NAME);
        assert_eq!(c.credentials, Credentials::Anonymous);
        assert_eq!(
            ClientConfig::from_vars(vars(&[])).unwrap_err(),
            ConfigError::Missing("XMPP_WS_URL")
        );
        assert!(matches!(
            ClientConfig::from_vars(vars(&[("XMPP_WS_URL", "https://x/"), ("XMPP_DOMAIN", "d")])),
            Err(ConfigError::Invalid {
                name: "XMPP_WS_URL",
                ..
            })
        ));
        assert_eq!(
            ClientConfig::from_vars(vars(&[
                ("XMPP_WS_URL", "ws://x/"),
                ("XMPP_DOMAIN", "d"),
                ("XMPP_USER", "u")
            ]))
            .unwrap_err(),
            ConfigError::Missing("XMPP_PASSWORD")
        );
        // A panel account on the hidden domain.
        let hidden = ClientConfig::from_vars(vars(&[
            ("XMPP_WS_URL", "wss://meet.example/xmpp-websocket"),
            ("XMPP_DOMAIN", "meet.example"),
            ("XMPP_USER", "panel@recorder.meet.example"),
            ("XMPP_PASSWORD", "pw"),
        ]))
        .unwrap();
        assert_eq!(hidden.login_domain(), "recorder.meet.example");
        assert_eq!(hidden.domain, "meet.example", "components are found here");
        assert!(hidden.robot);
        assert_eq!(
            hidden.credentials,
            Credentials::Password {
                user: "panel".into(),
                password: "pw".into()
            }
        );
        assert!(matches!(
            ClientConfig::from_vars(vars(&[
                ("XMPP_WS_URL", "ws://x/"),
                ("XMPP_DOMAIN", "d"),
                ("XMPP_USER", "@recorder.d"),
                ("XMPP_PASSWORD", "pw"),
            ])),
            Err(ConfigError::Invalid {
                name: "XMPP_USER",
                ..
            })
        ));
    }

    #[test]
    fn no_token_or_password_in_debug_output() {
        let mut c = ClientConfig::from_vars(vars(&[
            ("XMPP_WS_URL", "wss://meet.example/xmpp-websocket"),
            ("XMPP_DOMAIN", "meet.example"),
            ("XMPP_USER", "panel"),
            ("XMPP_PASSWORD", "hunter2-password"),
            ("JITSI_TOKEN", "eyJsecret.token.value"),
        ]))
        .unwrap();
        c.service_url = Url::parse("wss://meet.example/xmpp-websocket?token=eyJinurl").unwrap();
        let printed = format!("{c:?}");
        for secret in ["hunter2", "eyJsecret", "eyJinurl"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("panel"), "{printed}");
    }

    #[test]
    fn meeting_addresses_follow_jitsi() {
        let mut c = ClientConfig::new(
            Url::parse("wss://meet.example/xmpp-websocket").unwrap(),
            "meet.example",
        );
        c.token = Some("a.b+c".into());
        let plain = MeetingRef {
            room: "Veckomöte".into(),
            tenant: None,
        };
        assert_eq!(room_node("Veckomöte").unwrap(), "veckom%c3%b6te");
        assert_eq!(
            c.main_room_jid(&plain).unwrap(),
            "veckom%c3%b6te@conference.meet.example"
        );
        assert_eq!(
            c.meeting_url(&plain).unwrap().as_str(),
            "wss://meet.example/xmpp-websocket?room=veckom%c3%b6te&token=a.b%2Bc"
        );
        let tenant = MeetingRef {
            room: "Demo".into(),
            tenant: Some("Agency".into()),
        };
        assert_eq!(
            c.main_room_jid(&tenant).unwrap(),
            "demo@conference.agency.meet.example"
        );
        assert!(
            c.meeting_url(&tenant)
                .unwrap()
                .as_str()
                .contains("prefix=Agency")
        );
        assert!(room_node(" ").is_err());
        assert!(
            c.main_room_jid(&MeetingRef {
                room: "a".into(),
                tenant: Some("x/y".into())
            })
            .is_err()
        );
    }
}

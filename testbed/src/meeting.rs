//! The whole test meeting: Prosody, the focus stand-in and N participants.

use std::path::{Path, PathBuf};

use futures::future::join_all;

use crate::domains::Domains;
use crate::focus::Focus;
use crate::names::{NameStyle, display_name};
use crate::participant::{Participant, ParticipantConfig};
use crate::prosody::{Install, Prosody, ProsodyError, Setup, TokenAuth, UpdateRecipients};
use crate::stream::{Link, StreamError};

/// What to start.
#[derive(Debug, Clone)]
pub struct MeetingOptions {
    /// Working directory for Prosody's configuration, data and logs.
    pub dir: PathBuf,
    /// HTTP port; a free one when `None`.
    pub port: Option<u16>,
    pub base_domain: String,
    /// The meeting (main room) name.
    pub room: String,
    pub participants: usize,
    pub names: NameStyle,
    /// How many of the participants ignore moves (the last ones).
    pub ignore_moves: usize,
    /// Prosody alone: no focus, no participants.
    pub prosody_only: bool,
    /// The focus makes every other occupant of the main room (a moderator
    /// panel, say) moderator as it joins, as a host would grant it in Jitsi.
    pub grant_panels: bool,
    /// The focus opens the main room at start, before anyone is in it, so that
    /// a panel can join (and be made owner) first.
    pub open_room: bool,
    /// Who gets the breakout component's updates.
    pub update_recipients: UpdateRecipients,
    /// Jitsi-style token authentication on the meeting's domain.
    pub tokens: Option<TokenAuth>,
    pub install: Install,
}

impl MeetingOptions {
    fn setup(&self) -> Setup {
        Setup {
            recipients: self.update_recipients,
            tokens: self.tokens.clone(),
        }
    }

    /// A meeting named `room` with `participants` people, in `dir`.
    pub fn new(dir: &Path, room: &str, participants: usize) -> Self {
        Self {
            dir: dir.to_owned(),
            port: None,
            base_domain: "meet.test".into(),
            room: room.to_owned(),
            participants,
            names: NameStyle::Realistic,
            ignore_moves: 0,
            prosody_only: false,
            grant_panels: false,
            open_room: false,
            update_recipients: UpdateRecipients::Everyone,
            tokens: None,
            install: Install::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MeetingError {
    #[error(transparent)]
    Prosody(#[from] ProsodyError),
    #[error("the focus could not log in: {0}")]
    Focus(StreamError),
    #[error("participant {index} ({name}) could not join: {source}")]
    Participant {
        index: usize,
        name: String,
        source: StreamError,
    },
    #[error("Prosody started but {0}; its log says:\n{1}")]
    Incomplete(String, String),
    #[error("the meeting name must be 1 to 64 letters, digits, '-' or '_', not {0:?}")]
    BadRoomName(String),
}

/// The variables a client needs to reach the test meeting.
#[derive(Debug, Clone)]
pub struct MeetingEnv {
    pub ws_url: String,
    pub domains: Domains,
    pub focus_password: String,
    /// The panel's account on the hidden domain (admin of the MUC components).
    pub panel_password: String,
    /// Token authentication, when the meeting's domain has it.
    pub tokens: Option<TokenAuth>,
}

impl MeetingEnv {
    /// `NAME=value` pairs, in a fixed order.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        let mut vars = vec![
            ("XMPP_WS_URL", self.ws_url.clone()),
            ("XMPP_DOMAIN", self.domains.xmpp.clone()),
            ("MUC_DOMAIN", self.domains.muc.clone()),
            ("BREAKOUT_DOMAIN", self.domains.breakout.clone()),
            ("FOCUS_DOMAIN", self.domains.focus.clone()),
            ("FOCUS_JID", self.domains.focus_jid()),
            ("FOCUS_PASSWORD", self.focus_password.clone()),
            ("PANEL_JID", self.domains.panel_jid()),
            ("PANEL_PASSWORD", self.panel_password.clone()),
        ];
        if let Some(tokens) = &self.tokens {
            vars.push(("JWT_APP_ID", tokens.app_id.clone()));
            vars.push(("JWT_APP_SECRET", tokens.secret.clone()));
        }
        vars
    }

    /// A token the meeting accepts, for `room` (`*`: any), naming `name`, a
    /// moderator or not; `claims` are added last and win. `None` without
    /// token authentication.
    pub fn token(
        &self,
        room: &str,
        name: &str,
        moderator: bool,
        claims: serde_json::Value,
    ) -> Option<String> {
        let tokens = self.tokens.as_ref()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut body = serde_json::json!({
            "iss": tokens.app_id,
            "aud": "jitsi",
            "sub": self.domains.xmpp,
            "room": room,
            "nbf": now - 10,
            "exp": now + 3600,
            "context": {"user": {"name": name, "moderator": moderator, "id": name.to_lowercase()}},
        });
        if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), claims) {
            body.extend(extra);
        }
        let key = jsonwebtoken::EncodingKey::from_secret(tokens.secret.as_bytes()).ok()?;
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &body,
            &key,
        )
        .ok()
    }

    /// The variables as an env file (`NAME=value` lines).
    pub fn to_env_file(&self) -> String {
        self.vars()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }
}

/// Checks that the deployment advertises its breakout component, as clients
/// expect. Logs in with the panel's account, which needs no token.
async fn check_components(env: &MeetingEnv) -> Result<(), String> {
    let auth = crate::stream::Auth::Plain {
        user: crate::domains::PANEL_USER.to_owned(),
        password: env.panel_password.clone(),
    };
    let link = crate::stream::connect(&env.ws_url, &env.domains.hidden, &auth, "check")
        .await
        .map_err(|e| format!("a client cannot log in ({e})"))?;
    let Link { tx, mut rx, .. } = link;
    tx.send(crate::stanza::disco_info("check1", &env.domains.xmpp, None))
        .await
        .map_err(|_| "the link closed")?;
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(e) = rx.recv().await {
            if e.get_attr("id") == Some("check1") {
                return Some(e);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .ok_or("disco#info got no answer")?;
    let breakout = crate::stanza::component_identities(&reply)
        .into_iter()
        .any(|(kind, name)| kind == "breakout_rooms" && name == env.domains.breakout);
    if breakout {
        Ok(())
    } else {
        Err(format!(
            "the breakout component ({}) is not advertised",
            env.domains.breakout
        ))
    }
}

/// A running test meeting.
pub struct Meeting {
    pub env: MeetingEnv,
    /// The main room's JID.
    pub room_jid: String,
    options: MeetingOptions,
    prosody: Prosody,
    focus: Option<Focus>,
    pub participants: Vec<Participant>,
}

fn valid_room_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Meeting {
    /// Starts everything; on failure, stops whatever it had started.
    pub async fn start(options: &MeetingOptions) -> Result<Self, MeetingError> {
        if !valid_room_name(&options.room) {
            return Err(MeetingError::BadRoomName(options.room.clone()));
        }
        let domains = Domains::new(&options.base_domain);
        let focus_password = format!("{:032x}", rand::random::<u128>());
        let panel_password = format!("{:032x}", rand::random::<u128>());
        let prosody = Prosody::start(
            &options.install,
            &options.dir,
            options.port,
            &domains,
            &focus_password,
            &panel_password,
            &options.setup(),
        )
        .await?;
        let env = MeetingEnv {
            ws_url: format!("ws://127.0.0.1:{}/xmpp-websocket", prosody.port),
            domains: domains.clone(),
            focus_password,
            panel_password,
            tokens: options.tokens.clone(),
        };
        let room_jid = domains.room_jid(&options.room);
        let mut meeting = Self {
            env,
            room_jid,
            options: options.clone(),
            prosody,
            focus: None,
            participants: Vec::new(),
        };
        if let Err(problem) = check_components(&meeting.env).await {
            let log = meeting.prosody.log_tail();
            meeting.stop().await;
            return Err(MeetingError::Incomplete(problem, log));
        }
        if options.prosody_only {
            return Ok(meeting);
        }
        match Focus::start(
            &meeting.env.ws_url,
            &domains,
            &meeting.env.focus_password,
            options.grant_panels,
        )
        .await
        {
            Ok(focus) => meeting.focus = Some(focus),
            Err(e) => {
                meeting.stop().await;
                return Err(MeetingError::Focus(e));
            }
        }
        if options.open_room && !meeting.open_room().await {
            meeting.stop().await;
            return Err(MeetingError::Incomplete(
                "the focus did not open the room".into(),
                String::new(),
            ));
        }
        let first_ignoring = options.participants.saturating_sub(options.ignore_moves);
        let configs: Vec<ParticipantConfig> = (0..options.participants)
            .map(|i| ParticipantConfig {
                display_name: display_name(options.names, i),
                ignore_moves: i >= first_ignoring,
            })
            .collect();
        if let Err(e) = meeting.add_participants(configs).await {
            meeting.stop().await;
            return Err(e);
        }
        Ok(meeting)
    }

    /// Joins more participants to the main room, a few at a time.
    pub async fn add_participants(
        &mut self,
        configs: Vec<ParticipantConfig>,
    ) -> Result<(), MeetingError> {
        let offset = self.participants.len();
        for (chunk_index, chunk) in configs.chunks(16).enumerate() {
            let joins = chunk.iter().cloned().map(|config| {
                Participant::join(&self.env.ws_url, &self.env.domains, &self.room_jid, config)
            });
            for (i, result) in join_all(joins).await.into_iter().enumerate() {
                let index = offset + chunk_index * 16 + i;
                match result {
                    Ok(p) => self.participants.push(p),
                    Err(source) => {
                        let name = chunk[i].display_name.clone();
                        return Err(MeetingError::Participant {
                            index,
                            name,
                            source,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Restarts Prosody on the same port, as an operator would: every connection
    /// drops and all in-memory state (rooms, breakout rooms) is lost. The focus logs in
    /// again; participants are gone (join more with [`Meeting::add_participants`]).
    pub async fn restart_prosody(&mut self) -> Result<(), MeetingError> {
        if let Some(focus) = self.focus.take() {
            focus.stop().await;
        }
        self.participants.clear();
        let port = self.prosody.port;
        let dir = self.prosody.dir.clone();
        self.prosody.shutdown().await;
        self.prosody = Prosody::start(
            &self.options.install,
            &dir,
            Some(port),
            &self.env.domains,
            &self.env.focus_password,
            &self.env.panel_password,
            &self.options.setup(),
        )
        .await?;
        if !self.options.prosody_only {
            let focus = Focus::start(
                &self.env.ws_url,
                &self.env.domains,
                &self.env.focus_password,
                self.options.grant_panels,
            )
            .await
            .map_err(MeetingError::Focus)?;
            self.focus = Some(focus);
        }
        Ok(())
    }

    /// Opens the main room with nobody in it yet (the focus creates it, as on a
    /// host's first conference request), so that a panel can be the first to
    /// join; false without a focus.
    pub async fn open_room(&self) -> bool {
        match &self.focus {
            Some(focus) => focus.open_room(&self.room_jid).await,
            None => false,
        }
    }

    /// Makes occupant `nick` of the main room owner (moderator), as a moderator
    /// granting moderator in Jitsi would; false when there is no such occupant.
    pub async fn grant_moderator(&self, nick: &str) -> bool {
        match &self.focus {
            Some(focus) => focus.grant_owner(&self.room_jid, nick).await,
            None => false,
        }
    }

    /// Prosody's process id.
    pub fn prosody_pid(&self) -> Option<u32> {
        self.prosody.pid()
    }

    /// Participants leave, the focus leaves, Prosody stops.
    pub async fn stop(self) {
        join_all(self.participants.into_iter().map(Participant::leave)).await;
        if let Some(focus) = self.focus {
            focus.stop().await;
        }
        self.prosody.stop().await;
    }
}

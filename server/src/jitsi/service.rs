//! The app's [`MeetingService`]: one session per moderator and meeting. Each
//! browser is its own occupant in the meeting, under the display name and token
//! its moderator gave, so a Jitsi moderator grants moderator to each panel user
//! separately. A session nobody watches leaves the meeting after a grace period.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::time::Instant;

use app::meeting::{Command, LinkStatus, MeetingRef, MeetingView, Receipt};
use app::service::{MeetingService, Moderator, ServiceError};
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::config::ClientConfig;
use super::session::{self, SessionHandle};
use crate::xmpp::transport::Connector;

/// How many sessions the server keeps, and for how long without a watcher.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A session with no watcher and no command for this long leaves the meeting.
    /// Long enough to survive a page reload or a dropped phone connection.
    pub idle: Duration,
    /// Most sessions at once; more are refused with [`ServiceError::Busy`].
    pub max_sessions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(120),
            max_sessions: 200,
        }
    }
}

type Key = (MeetingRef, Moderator);

/// A running session and who uses it.
#[derive(Clone)]
struct Entry {
    handle: SessionHandle,
    /// Streams reading the session now.
    watchers: Arc<AtomicUsize>,
    /// When the last watcher left or the last command came.
    last_used: Arc<Mutex<Instant>>,
}

impl Entry {
    /// Running, and not given up: a session that failed for good is not
    /// handed back, so opening the board again tries again.
    fn is_usable(&self) -> bool {
        self.handle.is_running() && !matches!(self.handle.view().status, LinkStatus::Failed { .. })
    }

    fn touch(&self) {
        *self
            .last_used
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
    }

    fn idle_for(&self) -> Option<Duration> {
        (self.watchers.load(Ordering::SeqCst) == 0).then(|| {
            self.last_used
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .elapsed()
        })
    }
}

/// Counts a watcher while its stream lives.
struct Watching(Entry);

impl Drop for Watching {
    fn drop(&mut self) {
        self.0.touch();
        self.0.watchers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Keeps one session per moderator and meeting.
pub struct Sessions {
    config: Arc<ClientConfig>,
    connector: Arc<dyn Connector>,
    limits: Limits,
    // A std mutex: it is only held to look up or insert, never across an await.
    sessions: Mutex<HashMap<Key, Entry>>,
}

impl Sessions {
    /// Sessions with the default [`Limits`]. Call within a Tokio runtime: idle
    /// sessions are ended by a task of its own.
    pub fn new(config: ClientConfig, connector: Arc<dyn Connector>) -> Arc<Self> {
        Self::with_limits(config, connector, Limits::default())
    }

    pub fn with_limits(
        config: ClientConfig,
        connector: Arc<dyn Connector>,
        limits: Limits,
    ) -> Arc<Self> {
        let sessions = Arc::new(Self {
            config: Arc::new(config),
            connector,
            limits,
            sessions: Mutex::new(HashMap::new()),
        });
        tokio::spawn(end_idle(Arc::downgrade(&sessions), limits.idle));
        sessions
    }

    /// The running session of `who` in `meeting`, started on first use.
    pub fn session(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Result<SessionHandle, ServiceError> {
        self.entry(who, meeting).map(|e| e.handle)
    }

    /// How many sessions run now.
    pub fn len(&self) -> usize {
        self.lock()
            .values()
            .filter(|e| e.handle.is_running())
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Leaves every meeting.
    pub async fn stop_all(&self) {
        let handles: Vec<SessionHandle> = self.lock().drain().map(|(_, e)| e.handle).collect();
        futures::future::join_all(handles.iter().map(SessionHandle::stop)).await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the gauges from the sessions now held.
    fn count(sessions: &HashMap<Key, Entry>) {
        let meetings: std::collections::HashSet<&MeetingRef> =
            sessions.keys().map(|(meeting, _)| meeting).collect();
        metrics::gauge!("grupprum_sessions").set(sessions.len() as f64);
        metrics::gauge!("grupprum_meetings").set(meetings.len() as f64);
    }

    fn entry(&self, who: &Moderator, meeting: &MeetingRef) -> Result<Entry, ServiceError> {
        let key = (meeting.clone(), who.clone());
        let mut sessions = self.lock();
        if let Some(entry) = sessions.get(&key).filter(|e| e.is_usable()) {
            entry.touch();
            return Ok(entry.clone());
        }
        let mut ended = Vec::new();
        sessions.retain(|_, e| {
            let usable = e.is_usable();
            if !usable && e.handle.is_running() {
                ended.push(e.handle.clone());
            }
            usable
        });
        for handle in ended {
            tokio::spawn(async move { handle.stop().await });
        }
        if sessions.len() >= self.limits.max_sessions {
            tracing::warn!(
                sessions = sessions.len(),
                "refusing a new session: at the limit"
            );
            return Err(ServiceError::Busy(self.limits.max_sessions));
        }
        let mut config = (*self.config).clone();
        if let Some(name) = &who.display_name {
            config.display_name.clone_from(name);
        }
        // A user with a token of their own (and any open panel's visitor) joins
        // as themselves; the operator's token and account serve only signed-in
        // users who bring none.
        if who.token.is_some() || !who.signed_in {
            config.token.clone_from(&who.token);
            config.credentials = crate::xmpp::sasl::Credentials::Anonymous;
            config.account_domain = None;
            config.robot = false;
        }
        let handle = session::spawn(Arc::new(config), meeting.clone(), self.connector.clone())
            .map_err(|e| ServiceError::BadMeeting(e.to_string()))?;
        let entry = Entry {
            handle,
            watchers: Arc::new(AtomicUsize::new(0)),
            last_used: Arc::new(Mutex::new(Instant::now())),
        };
        sessions.insert(key, entry.clone());
        Self::count(&sessions);
        Ok(entry)
    }
}

/// Ends sessions that nobody has watched or commanded for `idle`, until the
/// sessions themselves are gone.
async fn end_idle(sessions: Weak<Sessions>, idle: Duration) {
    let tick = (idle / 4).clamp(Duration::from_millis(20), Duration::from_secs(5));
    loop {
        tokio::time::sleep(tick).await;
        let Some(sessions) = sessions.upgrade() else {
            return;
        };
        let ended: Vec<SessionHandle> = {
            let mut all = sessions.lock();
            let idle_keys: Vec<Key> = all
                .iter()
                .filter(|(_, e)| !e.handle.is_running() || e.idle_for().is_some_and(|t| t >= idle))
                .map(|(k, _)| k.clone())
                .collect();
            let ended = idle_keys
                .iter()
                .filter_map(|k| all.remove(k))
                .map(|e| e.handle)
                .collect();
            Sessions::count(&all);
            ended
        };
        for handle in ended {
            tracing::info!("leaving a meeting nobody watches");
            tokio::spawn(async move { handle.stop().await });
        }
    }
}

impl crate::health::Readiness for Sessions {
    fn probe(&self) -> BoxFuture<'static, Result<(), String>> {
        let config = self.config.clone();
        let connector = self.connector.clone();
        Box::pin(async move { session::probe(&config, connector.as_ref()).await })
    }
}

impl MeetingService for Sessions {
    fn watch(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Result<BoxStream<'static, MeetingView>, ServiceError> {
        Ok(views(self.entry(who, meeting)?))
    }

    fn existing(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Option<BoxStream<'static, MeetingView>> {
        let key = (meeting.clone(), who.clone());
        let entry = self.lock().get(&key).filter(|e| e.is_usable()).cloned()?;
        entry.touch();
        Some(views(entry))
    }
    fn command(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
        command: Command,
    ) -> BoxFuture<'static, Result<Receipt, ServiceError>> {
        let session = self.session(who, meeting);
        Box::pin(async move {
            session?
                .command(command)
                .await
                .map_err(ServiceError::Refused)
        })
    }
}

/// Every view of a session, the latest first; counts as a watcher while it lives.
fn views(entry: Entry) -> BoxStream<'static, MeetingView> {
    entry.watchers.fetch_add(1, Ordering::SeqCst);
    let receiver = entry.handle.watch();
    let watching = Watching(entry);
    let stream = futures::stream::unfold(
        (receiver, true, watching),
        |(mut receiver, first, watching)| async move {
            if !first {
                receiver.changed().await.ok()?;
            }
            let view = (**receiver.borrow_and_update()).clone();
            Some((view, (receiver, false, watching)))
        },
    );
    Box::pin(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::transport::{Transport, TransportError};

    /// Records the address of every connection attempt and refuses it: as a
    /// network failure (worth retrying), or as a login refusal (final).
    struct Recorder(Mutex<Vec<String>>, bool);

    impl Connector for Recorder {
        fn connect(&self, url: url::Url) -> BoxFuture<'static, Result<Transport, TransportError>> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(url.to_string());
            let final_refusal = self.1;
            Box::pin(async move {
                Err(if final_refusal {
                    TransportError::AuthFailed {
                        condition: "not-allowed".into(),
                        text: Some("Not acceptable by exp".into()),
                    }
                } else {
                    TransportError::Connect("refused".into())
                })
            })
        }
    }

    fn who(id: &str, token: Option<&str>) -> Moderator {
        Moderator {
            id: id.into(),
            display_name: None,
            token: token.map(Into::into),
            signed_in: true,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn each_moderator_connects_with_their_own_token() {
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new()), false));
        let mut config = ClientConfig::new(
            url::Url::parse("wss://meet.example/xmpp-websocket").unwrap(),
            "meet.example",
        );
        config.token = Some("deployment.wide.token".into());
        let sessions = Sessions::new(config, recorder.clone());
        let meeting = MeetingRef {
            room: "demo".into(),
            tenant: None,
        };
        let _a = sessions
            .watch(&who("a", Some("aaa.bbb.ccc")), &meeting)
            .unwrap();
        let _a2 = sessions
            .watch(&who("a", Some("aaa.bbb.ccc")), &meeting)
            .unwrap();
        let _b = sessions.watch(&who("b", None), &meeting).unwrap();
        // An open panel's visitor never gets the operator's token.
        let visitor = Moderator {
            signed_in: false,
            ..who("c", None)
        };
        let _c = sessions.watch(&visitor, &meeting).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(sessions.len(), 3);
        let urls = recorder.0.lock().unwrap().clone();
        let first_try = |token: &str| {
            urls.iter()
                .filter(|u| u.ends_with(&format!("?room=demo&token={token}")))
                .count()
        };
        assert_eq!(first_try("aaa.bbb.ccc"), 1, "{urls:?}");
        assert_eq!(first_try("deployment.wide.token"), 1, "{urls:?}");
        assert_eq!(
            urls.iter().filter(|u| u.ends_with("?room=demo")).count(),
            1,
            "{urls:?}"
        );
        assert_eq!(urls.len(), 3, "{urls:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn sessions_nobody_uses_end_after_the_grace_period() {
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new()), false));
        let config = ClientConfig::new(
            url::Url::parse("wss://meet.example/xmpp-websocket").unwrap(),
            "meet.example",
        );
        let sessions = Sessions::with_limits(
            config,
            recorder,
            Limits {
                idle: Duration::from_secs(60),
                max_sessions: 10,
            },
        );
        let meeting = MeetingRef {
            room: "demo".into(),
            tenant: None,
        };
        let watching = sessions.watch(&who("a", None), &meeting).unwrap();
        sessions.session(&who("b", None), &meeting).unwrap();
        tokio::time::sleep(Duration::from_secs(59)).await;
        assert_eq!(sessions.len(), 2);
        tokio::time::sleep(Duration::from_secs(20)).await;
        assert_eq!(sessions.len(), 1, "b, never watched, has left");
        tokio::time::sleep(Duration::from_secs(600)).await;
        assert_eq!(sessions.len(), 1, "a is watched and stays");
        drop(watching);
        tokio::time::sleep(Duration::from_secs(50)).await;
        assert_eq!(
            sessions.len(),
            1,
            "a's grace period runs from the moment it was left"
        );
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(sessions.is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_session_that_failed_for_good_is_not_handed_back() {
        use futures::StreamExt;
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new()), true));
        let config = ClientConfig::new(
            url::Url::parse("wss://meet.example/xmpp-websocket").unwrap(),
            "meet.example",
        );
        let sessions = Sessions::new(config, recorder.clone());
        let meeting = MeetingRef {
            room: "demo".into(),
            tenant: None,
        };
        let anna = who("a", None);
        let mut first = sessions.watch(&anna, &meeting).unwrap();
        loop {
            let view = first.next().await.expect("views");
            if matches!(view.status, LinkStatus::Failed { .. }) {
                break;
            }
        }
        drop(first);
        assert!(
            sessions.existing(&anna, &meeting).is_none(),
            "a page load does not show a failed session"
        );
        let connections = || recorder.0.lock().unwrap().len();
        let before = connections();
        let _again = sessions.watch(&anna, &meeting).unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            connections(),
            before + 1,
            "opening the board again tries again"
        );
    }
}

//! The app's [`MeetingService`]: the sessions that put the panel in meetings.
//!
//! With a panel account (`XMPP_USER`), every signed-in moderator acts through
//! it: they share ONE session per meeting, its owner, and each command in its
//! feed carries the name of the moderator who gave it. So do signed-in
//! moderators without a token of their own when the operator gives one
//! (`JITSI_TOKEN`). Everyone else (a moderator whose own token is their way
//! into Prosody, an open panel's visitor) has a personal session: their own
//! occupant in the meeting, under their own name and token, which a Jitsi
//! moderator grants moderator separately.
//!
//! Every board shows who else is watching its session. A session nobody
//! watches leaves the meeting after a grace period, unless it has a timer
//! running. With a [`Journal`], the first session in a meeting writes its
//! record, and every session stores its timers, which [`Sessions::resume`]
//! brings back after a restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use tokio::time::Instant;

use app::meeting::{By, Command, LinkStatus, MeetingRef, MeetingView, Receipt};
use app::plans::DraftPlan;
use app::service::{MeetingService, Moderator, ServiceError};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use tokio::sync::{mpsc, watch};

use super::config::ClientConfig;
use super::session::{self, Keeping, SessionHandle};
use super::timer::{self, Timer};
use crate::record::{self, Journal, Owner, Retention};
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

/// The most sessions `GRUPPRUM_MAX_SESSIONS` may allow.
pub const MOST_SESSIONS: usize = 10_000;

impl Limits {
    /// The limits with `GRUPPRUM_MAX_SESSIONS` (1 to [`MOST_SESSIONS`];
    /// unset: 200).
    pub fn from_setting(max_sessions: Option<&str>) -> Result<Self, String> {
        let Some(value) = max_sessions else {
            return Ok(Self::default());
        };
        match value.trim().parse::<usize>() {
            Ok(n) if (1..=MOST_SESSIONS).contains(&n) => Ok(Self {
                max_sessions: n,
                ..Self::default()
            }),
            _ => Err(format!(
                "bad configuration: GRUPPRUM_MAX_SESSIONS is {value:?}, not a whole number from 1 to {MOST_SESSIONS}"
            )),
        }
    }
}

/// Whose session it is.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Seat {
    /// The meeting's owner: the operator's identity, shared by every
    /// signed-in moderator without a token of their own.
    Shared,
    /// One moderator's own occupant.
    Personal(Moderator),
}

type Key = (MeetingRef, Seat);

/// The streams reading a session: who is watching.
struct Watchers {
    /// Each stream's number, its moderator's id and name.
    list: Mutex<Vec<(u64, String, Option<String>)>>,
    next: AtomicU64,
    /// Bumped when someone comes or goes.
    changed: watch::Sender<()>,
}

impl Watchers {
    fn new() -> Self {
        Self {
            list: Mutex::new(Vec::new()),
            next: AtomicU64::new(0),
            changed: watch::Sender::new(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(u64, String, Option<String>)>> {
        self.list.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, who: &Moderator) -> u64 {
        let number = self.next.fetch_add(1, Ordering::SeqCst);
        self.lock()
            .push((number, who.id.clone(), who.display_name.clone()));
        self.changed.send_replace(());
        number
    }

    fn remove(&self, number: u64) {
        self.lock().retain(|(n, _, _)| *n != number);
        self.changed.send_replace(());
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The names of everyone watching but moderator `id`, each once, sorted.
    fn others(&self, id: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .lock()
            .iter()
            .filter(|(_, who, _)| who != id)
            .filter_map(|(_, _, name)| name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// A running session and who uses it.
#[derive(Clone)]
struct Entry {
    handle: SessionHandle,
    /// Streams reading the session now.
    watchers: Arc<Watchers>,
    /// When the last watcher left or the last command came.
    last_used: Arc<Mutex<Instant>>,
    /// This session writes the meeting's record.
    recording: bool,
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
        (self.watchers.is_empty() && !self.handle.keeps_time()).then(|| {
            self.last_used
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .elapsed()
        })
    }
}

/// Counts a watcher while its stream lives.
struct Watching {
    entry: Entry,
    number: u64,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.entry.touch();
        self.entry.watchers.remove(self.number);
    }
}

/// Keeps one session per moderator and meeting.
pub struct Sessions {
    config: Arc<ClientConfig>,
    connector: Arc<dyn Connector>,
    limits: Limits,
    // A std mutex: it is only held to look up or insert, never across an await.
    sessions: Mutex<HashMap<Key, Entry>>,
    keep: Option<Keep>,
}

/// Where the record and the timers go.
struct Keep {
    journal: Arc<dyn Journal>,
    /// To the writer task; taken when the server stops, so that it ends.
    to_writer: Mutex<Option<mpsc::UnboundedSender<record::Entry>>>,
    writer: Mutex<Option<tokio::task::JoinHandle<()>>>,
    retention: Retention,
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
        Self::build(config, connector, limits, None)
    }

    /// Sessions that write the record of their meetings and keep their timers
    /// in `journal`; call [`Sessions::resume`] next.
    pub fn keeping(
        config: ClientConfig,
        connector: Arc<dyn Connector>,
        limits: Limits,
        journal: Arc<dyn Journal>,
        retention: Retention,
    ) -> Arc<Self> {
        let (to_writer, entries) = mpsc::unbounded_channel();
        let writer = tokio::spawn(write_journal(journal.clone(), entries));
        Self::build(
            config,
            connector,
            limits,
            Some(Keep {
                journal,
                to_writer: Mutex::new(Some(to_writer)),
                writer: Mutex::new(Some(writer)),
                retention,
            }),
        )
    }

    fn build(
        config: ClientConfig,
        connector: Arc<dyn Connector>,
        limits: Limits,
        keep: Option<Keep>,
    ) -> Arc<Self> {
        let purging = keep.as_ref().map(|k| (k.journal.clone(), k.retention));
        let sessions = Arc::new(Self {
            config: Arc::new(config),
            connector,
            limits,
            sessions: Mutex::new(HashMap::new()),
            keep,
        });
        tokio::spawn(end_idle(Arc::downgrade(&sessions), limits.idle));
        if let Some((journal, retention)) = purging
            && retention.days > 0
        {
            tokio::spawn(purge_daily(Arc::downgrade(&journal), retention));
        }
        sessions
    }

    /// At start: applies the retention to what an earlier run left, and goes
    /// back into every meeting that has a stored timer. How many it went back to.
    pub async fn resume(&self) -> Result<usize, String> {
        let Some(keep) = &self.keep else {
            return Ok(0);
        };
        let now = timer::now_ms();
        let (cutoff, all) = (keep.retention.cutoff(now), keep.retention.days == 0);
        let gone = keep
            .journal
            .purge(cutoff, all, Some(now))
            .await
            .map_err(|e| format!("cannot apply the record's retention: {e}"))?;
        tracing::info!(
            rows = gone,
            days = keep.retention.days,
            "the record's retention applied"
        );
        let stored = keep
            .journal
            .timers()
            .await
            .map_err(|e| format!("cannot read the stored timers: {e}"))?;
        let mut resumed = 0;
        for stored in stored {
            let who = Moderator {
                id: stored.owner.id,
                display_name: stored.owner.display_name,
                token: None,
                signed_in: stored.owner.signed_in,
            };
            match self.entry_with(&who, &stored.meeting, stored.timers) {
                Ok(_) => resumed += 1,
                Err(e) => {
                    tracing::warn!(meeting = ?stored.meeting, "a stored timer's meeting was not opened: {e:?}")
                }
            }
        }
        Ok(resumed)
    }

    /// The record of `meeting`, if records are kept.
    pub fn journal(&self) -> Option<Arc<dyn Journal>> {
        self.keep.as_ref().map(|k| k.journal.clone())
    }

    /// How long records are kept.
    pub fn retention(&self) -> Option<Retention> {
        self.keep.as_ref().map(|k| k.retention)
    }

    /// Waits (at most `within`) until everything the sessions wrote is in the
    /// journal. Call after [`Sessions::stop_all`].
    pub async fn close_journal(&self, within: Duration) {
        let Some(keep) = &self.keep else {
            return;
        };
        keep.to_writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let writer = keep
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(writer) = writer
            && tokio::time::timeout(within, writer).await.is_err()
        {
            tracing::warn!(
                "the record was not all written within {} s",
                within.as_secs()
            );
        }
    }

    /// Whose session `who` uses: the shared one when they act through the
    /// operator's identity. Only signed-in users ever do.
    fn seat(&self, who: &Moderator) -> Seat {
        let account = !matches!(
            self.config.credentials,
            crate::xmpp::sasl::Credentials::Anonymous
        );
        let operator_token = who.token.is_none() && self.config.token.is_some();
        if who.signed_in && (account || operator_token) {
            Seat::Shared
        } else {
            Seat::Personal(who.clone())
        }
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
        self.entry_with(who, meeting, Vec::new())
    }

    /// [`Sessions::entry`]; a new session starts with `timers`.
    fn entry_with(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
        timers: Vec<Timer>,
    ) -> Result<Entry, ServiceError> {
        let seat = self.seat(who);
        let key = (meeting.clone(), seat.clone());
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
        // A personal session joins as its user: their name, their own token if
        // any, never the operator's token or account.
        config.only_panel = seat == Seat::Shared;
        if let Seat::Personal(who) = &seat {
            if let Some(name) = &who.display_name {
                config.display_name.clone_from(name);
            }
            config.token.clone_from(&who.token);
            config.credentials = crate::xmpp::sasl::Credentials::Anonymous;
            config.account_domain = None;
            config.robot = false;
        }
        // One session a meeting writes its record: the first one in it.
        let recording = self.keep.is_some()
            && !sessions
                .iter()
                .any(|((m, _), e)| m == meeting && e.recording && e.handle.is_running());
        let keeping = match &self.keep {
            Some(keep) => Keeping {
                journal: keep
                    .to_writer
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
                record: recording,
                forget_on_leave: keep.retention.days == 0,
                owner: Some(Owner {
                    id: who.id.clone(),
                    display_name: who.display_name.clone(),
                    signed_in: who.signed_in,
                }),
                timers,
            },
            None => Keeping::default(),
        };
        let handle = session::spawn_keeping(
            Arc::new(config),
            meeting.clone(),
            self.connector.clone(),
            keeping,
        )
        .map_err(|e| ServiceError::BadMeeting(e.to_string()))?;
        let entry = Entry {
            handle,
            watchers: Arc::new(Watchers::new()),
            last_used: Arc::new(Mutex::new(Instant::now())),
            recording,
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

/// Writes what the sessions send, in batches, until every sender is gone.
/// A batch the journal refuses is tried again a few times before it is
/// logged as lost.
async fn write_journal(
    journal: Arc<dyn Journal>,
    mut entries: mpsc::UnboundedReceiver<record::Entry>,
) {
    const MOST: usize = 500;
    const TRIES: u32 = 5;
    while let Some(first) = entries.recv().await {
        let mut batch = vec![first];
        while batch.len() < MOST {
            match entries.try_recv() {
                Ok(entry) => batch.push(entry),
                Err(_) => break,
            }
        }
        for attempt in 1..=TRIES {
            match journal.write(&batch).await {
                Ok(()) => break,
                Err(e) if attempt < TRIES => {
                    tracing::warn!(attempt, "writing the record failed, trying again: {e}");
                    tokio::time::sleep(Duration::from_millis(500) * attempt).await;
                }
                Err(e) => {
                    tracing::error!(
                        entries = batch.len(),
                        "the record could not be written: {e}"
                    );
                }
            }
        }
    }
}

/// Deletes, once an hour, the records older than the retention allows.
async fn purge_daily(journal: Weak<dyn Journal>, retention: Retention) {
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let Some(journal) = journal.upgrade() else {
            return;
        };
        let cutoff = retention.cutoff(timer::now_ms());
        match journal.purge(cutoff, false, None).await {
            Ok(rows) => tracing::info!(rows, "old records deleted"),
            Err(e) => tracing::warn!("deleting old records failed: {e}"),
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
        Ok(views(self.entry(who, meeting)?, who, true))
    }

    fn existing(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Option<BoxStream<'static, MeetingView>> {
        let key = (meeting.clone(), self.seat(who));
        let entry = self.lock().get(&key).filter(|e| e.is_usable()).cloned()?;
        entry.touch();
        // A page load shows the board once: it is nobody watching.
        Some(views(entry, who, false))
    }

    fn command(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
        command: Command,
    ) -> BoxFuture<'static, Result<Receipt, ServiceError>> {
        let session = self.session(who, meeting);
        let by = match self.seat(who) {
            Seat::Shared => {
                By::Moderator(who.display_name.clone().unwrap_or_else(|| who.id.clone()))
            }
            Seat::Personal(_) => By::Here,
        };
        Box::pin(async move {
            session?
                .command_by(command, by)
                .await
                .map_err(ServiceError::Refused)
        })
    }

    fn draft(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> BoxFuture<'static, Result<Option<DraftPlan>, ServiceError>> {
        let key = (meeting.clone(), self.seat(who));
        let entry = self.lock().get(&key).filter(|e| e.is_usable()).cloned();
        Box::pin(async move {
            match entry {
                Some(entry) => Ok(entry.handle.draft().await),
                None => Ok(None),
            }
        })
    }
}

/// Every view of a session for `who`, the latest first, with the others
/// watching it. With `register`, the stream counts as `who` watching from
/// the moment it is first read until it is dropped (a stream made and dropped
/// unread, as a join makes, is nobody watching).
fn views(entry: Entry, who: &Moderator, register: bool) -> BoxStream<'static, MeetingView> {
    let session = entry.handle.watch();
    let others = entry.watchers.changed.subscribe();
    let start = (session, others, true, None::<Watching>, entry, who.clone());
    let stream = futures::stream::unfold(
        start,
        move |(mut session, mut others, first, mut watching, entry, who)| async move {
            if first {
                if register {
                    let number = entry.watchers.add(&who);
                    watching = Some(Watching {
                        entry: entry.clone(),
                        number,
                    });
                }
            } else {
                tokio::select! {
                    changed = session.changed() => changed.ok()?,
                    // The sender lives as long as `entry` does.
                    _ = others.changed() => {}
                }
            }
            others.borrow_and_update();
            let mut view = (**session.borrow_and_update()).clone();
            view.also_here = entry.watchers.others(&who.id);
            Some((view, (session, others, false, watching, entry, who)))
        },
    );
    Box::pin(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::transport::{Transport, TransportError};

    #[test]
    fn the_session_cap_is_a_setting() {
        assert_eq!(Limits::from_setting(None).unwrap().max_sessions, 200);
        assert_eq!(Limits::from_setting(Some(" 5 ")).unwrap().max_sessions, 5);
        for bad in ["0", "-1", "many", "10001", ""] {
            let error = Limits::from_setting(Some(bad)).unwrap_err();
            assert!(error.contains("GRUPPRUM_MAX_SESSIONS"), "{error}");
        }
    }

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

    /// Reads `views` until one's `also_here` is `names`.
    async fn until_also_here(views: &mut BoxStream<'static, MeetingView>, names: &[&str]) {
        use futures::StreamExt;
        loop {
            let view = views.next().await.expect("views go on");
            if view.also_here == names {
                return;
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn with_a_panel_account_signed_in_moderators_share_one_session_and_see_each_other() {
        use futures::StreamExt;
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new()), false));
        let mut config = ClientConfig::new(
            url::Url::parse("wss://meet.example/xmpp-websocket").unwrap(),
            "meet.example",
        );
        config.credentials = crate::xmpp::sasl::Credentials::Password {
            user: "panel".into(),
            password: "secret".into(),
        };
        let sessions = Sessions::new(config, recorder.clone());
        let meeting = MeetingRef {
            room: "demo".into(),
            tenant: None,
        };
        let named = |id: &str, name: &str, token: Option<&str>| Moderator {
            display_name: Some(name.into()),
            ..who(id, token)
        };
        let kim = named("kim", "Kim", None);
        let ali = named("ali", "Ali", Some("alis.own.token"));
        let mut kims = sessions.watch(&kim, &meeting).unwrap();
        until_also_here(&mut kims, &[]).await;
        let mut alis = sessions.watch(&ali, &meeting).unwrap();
        until_also_here(&mut alis, &["Kim"]).await;
        until_also_here(&mut kims, &["Ali"]).await;
        // Kim's second tab is Kim: not named twice, not named to Kim.
        let mut kims_tab = sessions.watch(&kim, &meeting).unwrap();
        kims_tab.next().await;
        until_also_here(&mut alis, &["Kim"]).await;
        // An open panel's visitor never acts through the account.
        let visitor = Moderator {
            signed_in: false,
            ..named("v", "Visitor", None)
        };
        let _visitor = sessions.watch(&visitor, &meeting).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(sessions.len(), 2, "one shared session and the visitor's");
        assert_eq!(recorder.0.lock().unwrap().len(), 2);
        // Ola only loads the page: that is not watching.
        let ola = named("ola", "Ola", None);
        let mut page_load = sessions
            .existing(&ola, &meeting)
            .expect("the shared session");
        page_load.next().await;
        drop(alis);
        until_also_here(&mut kims, &[]).await;
        drop(page_load);
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
        use futures::StreamExt;
        let mut watching = sessions.watch(&who("a", None), &meeting).unwrap();
        watching.next().await;
        // A stream made and dropped unread (as a join makes) is nobody watching.
        drop(sessions.watch(&who("b", None), &meeting).unwrap());
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

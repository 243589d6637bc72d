//! One meeting's XMPP session, as an actor: it owns the connection and the model,
//! takes commands through a [`SessionHandle`], and publishes every new view on a
//! `watch` channel, so a slow watcher skips states and never holds anyone up.
//!
//! Life of a connection: WebSocket, login, discovery (the breakout component and
//! its `#rename` feature), conference request to the focus, MUC join with a fresh
//! nick, then serving: presences and breakout updates fold into the model,
//! commands leave paced, pings keep the link honest. When the link is lost the
//! state is dropped, and after a jittered backoff everything is rebuilt from
//! scratch ("resynced").

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use app::meeting::{
    By, Command, FailReason, LinkReason, LinkStatus, MeetingRef, MeetingView, Nothing, OutcomeKind,
    OutcomeState, Progress, Receipt, Refusal, RoomName,
};
use app::plans::DraftPlan;
use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use url::Url;

use super::arrivals::Arrivals;
use super::config::{ClientConfig, ConfigError};
use super::draft::Draft;
use super::link_reason::{self, Verdict};
use super::model::{Me, Model};
use super::plan::{self, Item, Wait};
use super::recorder::Recorder;
use super::timer::{self, Due, Timer, Timers};
use super::undo::Undo;
use super::visit::{self, Act, Visitor, Visits};
use crate::record::{Entry, Owner};
use crate::xmpp::stanza::disco::{self, DiscoInfo};
use crate::xmpp::stanza::focus::{self, ConferenceReply};
use crate::xmpp::stanza::iq::{Iq, IqKind};
use crate::xmpp::stanza::jingle::{self, Jingle};
use crate::xmpp::stanza::jitsi::{BreakoutCommand, BreakoutEvent, JsonMessage};
use crate::xmpp::stanza::muc::{self, MucPresence};
use crate::xmpp::transport::{self, Connector, Transport, TransportError};
use crate::xmpp::xml::Element;
use crate::xmpp::{jid, ns};

/// Commands waiting for the actor.
const REQUEST_QUEUE: usize = 64;
/// Most messages waiting to be sent (at three a second, some eleven minutes).
pub const MAX_QUEUED: usize = 2000;

/// Talks to a running session.
#[derive(Clone)]
pub struct SessionHandle {
    requests: mpsc::Sender<Request>,
    state: watch::Receiver<Arc<MeetingView>>,
    /// The session has timers running: it stays in the meeting unwatched.
    keeps_time: Arc<AtomicBool>,
}

enum Request {
    Command {
        command: Command,
        by: By,
        reply: oneshot::Sender<Result<Receipt, Refusal>>,
    },
    Stop {
        done: oneshot::Sender<()>,
    },
    /// The draft as a plan to keep.
    Draft {
        reply: oneshot::Sender<Option<DraftPlan>>,
    },
}

impl SessionHandle {
    /// The latest view.
    pub fn view(&self) -> Arc<MeetingView> {
        self.state.borrow().clone()
    }

    /// A receiver that always holds the latest view.
    pub fn watch(&self) -> watch::Receiver<Arc<MeetingView>> {
        self.state.clone()
    }

    /// Checks and queues a command; the receipt's ids appear in the view's outcomes.
    pub async fn command(&self, command: Command) -> Result<Receipt, Refusal> {
        self.command_by(command, By::Here).await
    }

    /// [`SessionHandle::command`], given `by` a moderator of a shared session:
    /// the outcomes carry their name.
    pub async fn command_by(&self, command: Command, by: By) -> Result<Receipt, Refusal> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Command { command, by, reply })
            .await
            .map_err(|_| Refusal::NotConnected)?;
        answer.await.unwrap_or(Err(Refusal::NotConnected))
    }

    /// The plan being prepared, as a plan to keep; `None` without one (or
    /// while the session is not in the meeting).
    pub async fn draft(&self) -> Option<DraftPlan> {
        let (reply, answer) = oneshot::channel();
        self.requests.send(Request::Draft { reply }).await.ok()?;
        answer.await.ok().flatten()
    }

    /// Leaves the meeting and ends the session.
    pub async fn stop(&self) {
        let (done, finished) = oneshot::channel();
        if self.requests.send(Request::Stop { done }).await.is_ok() {
            let _ = finished.await;
        }
    }

    /// True while the session runs.
    pub fn is_running(&self) -> bool {
        !self.requests.is_closed()
    }

    /// True while the session has a timer running.
    pub fn keeps_time(&self) -> bool {
        self.keeps_time.load(Ordering::Relaxed)
    }
}

/// What a session keeps beyond the meeting's state: its record, its timers.
#[derive(Default)]
pub struct Keeping {
    /// Where the record and the timers are written.
    pub journal: Option<mpsc::UnboundedSender<Entry>>,
    /// The session writes the meeting's record (one session a meeting does).
    pub record: bool,
    /// The record goes when the panel leaves the meeting.
    pub forget_on_leave: bool,
    /// Whose session it is, stored with its timers.
    pub owner: Option<Owner>,
    /// Timers stored before a restart.
    pub timers: Vec<Timer>,
}

/// Starts a session for `meeting`.
pub fn spawn(
    config: Arc<ClientConfig>,
    meeting: MeetingRef,
    connector: Arc<dyn Connector>,
) -> Result<SessionHandle, ConfigError> {
    spawn_keeping(config, meeting, connector, Keeping::default())
}

/// [`spawn`], with a record and timers.
pub fn spawn_keeping(
    config: Arc<ClientConfig>,
    meeting: MeetingRef,
    connector: Arc<dyn Connector>,
    keeping: Keeping,
) -> Result<SessionHandle, ConfigError> {
    let url = config.meeting_url(&meeting)?;
    let main_jid = config.main_room_jid(&meeting)?;
    let mut model = Model::new(meeting.clone(), &main_jid);
    model.set_only_panel(config.only_panel);
    let (state_tx, state_rx) = watch::channel(Arc::new(model.view()));
    let (requests_tx, requests_rx) = mpsc::channel(REQUEST_QUEUE);
    let keeps_time = Arc::new(AtomicBool::new(!keeping.timers.is_empty()));
    let record_to = keeping.journal.clone().filter(|_| keeping.record);
    let actor = Actor {
        recorder: Recorder::new(meeting.path(), record_to),
        timers: Timers::from_stored(
            keeping.timers,
            u64::try_from(config.timing.minute.as_millis()).unwrap_or(timer::MINUTE_MS),
        ),
        timers_to: keeping.journal.zip(keeping.owner),
        forget_on_leave: keeping.forget_on_leave,
        keeps_time: keeps_time.clone(),
        visits: Visits::default(),
        meeting: meeting.clone(),
        config,
        url,
        main_jid,
        connector,
        model,
        state: state_tx,
        requests: requests_rx,
        queue: VecDeque::new(),
        deferred: Vec::new(),
        next_send: Instant::now(),
        next_id: 0,
        draft: None,
        arrivals: Arrivals::default(),
        undo: None,
        opened: false,
    };
    tokio::spawn(actor.run());
    Ok(SessionHandle {
        requests: requests_tx,
        state: state_rx,
        keeps_time,
    })
}

/// A command message waiting for its turn.
struct Queued {
    outcome: u64,
    command: BreakoutCommand,
}

/// A message held until a room is empty, or until a room exists.
struct Deferred {
    wait: Wait,
    deadline: Instant,
    item: Queued,
}

/// A connection that has joined (or is joining) the meeting.
struct Connection {
    transport: Transport,
    nick: String,
    breakout: String,
}

/// How serving a connection ended.
enum Ended {
    Stopped(Option<oneshot::Sender<()>>),
    /// Reconnecting may help.
    Lost(LinkReason),
    /// Reconnecting will not help.
    Failed(LinkReason),
}

impl From<Verdict> for Ended {
    fn from(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Retry(reason) => Self::Lost(reason),
            Verdict::Final(reason) => Self::Failed(reason),
        }
    }
}

impl From<TransportError> for Ended {
    fn from(e: TransportError) -> Self {
        link_reason::from_transport(&e).into()
    }
}

fn network(detail: impl Into<String>) -> LinkReason {
    LinkReason::Network(detail.into())
}

struct Actor {
    config: Arc<ClientConfig>,
    url: Url,
    main_jid: String,
    connector: Arc<dyn Connector>,
    model: Model,
    state: watch::Sender<Arc<MeetingView>>,
    requests: mpsc::Receiver<Request>,
    queue: VecDeque<Queued>,
    deferred: Vec<Deferred>,
    next_send: Instant,
    next_id: u64,
    /// The plan being prepared.
    draft: Option<Draft>,
    /// Late joiners, and the opened plan's people not here yet.
    arrivals: Arrivals,
    /// The last command that can be undone.
    undo: Option<Undo>,
    /// A plan has been opened: its progress is shown.
    opened: bool,
    meeting: MeetingRef,
    /// The meeting's timers, and where to store them with whose session it is.
    timers: Timers,
    timers_to: Option<(mpsc::UnboundedSender<Entry>, Owner)>,
    keeps_time: Arc<AtomicBool>,
    /// Messages on their way into the rooms.
    visits: Visits,
    recorder: Recorder,
    forget_on_leave: bool,
}

impl Actor {
    async fn run(mut self) {
        let mut attempt = 0u32;
        let mut resync = false;
        // Until the panel has been in the meeting once, every attempt checks
        // first that the meeting exists.
        let mut ever_joined = false;
        loop {
            let ended = match self.connect(!ever_joined).await {
                Ok(connection) => {
                    let (ended, joined) = self.serve(connection, resync).await;
                    // Only a join that worked resets the backoff: a login that
                    // works followed by a refused join must not retry at once.
                    if joined {
                        attempt = 0;
                        ever_joined = true;
                    }
                    ended
                }
                Err(ended) => ended,
            };
            let reason = match ended {
                Ended::Stopped(done) => {
                    self.finish(LinkStatus::Closed, done);
                    return;
                }
                Ended::Failed(reason) => {
                    if let LinkReason::TooLarge(bytes) = reason {
                        tracing::error!(
                            meeting = %self.main_jid,
                            bytes,
                            limit = crate::xmpp::transport::MAX_STANZA_BYTES,
                            "the server sent a stanza over the limit; giving up"
                        );
                    } else {
                        tracing::warn!(meeting = %self.main_jid, ?reason, "giving up");
                    }
                    if reason == LinkReason::MeetingEnded && !self.timers.is_empty() {
                        self.timers = Timers::default();
                        self.save_timers();
                    }
                    self.recorder.leave(timer::now_ms(), self.forget_on_leave);
                    self.lose_state();
                    self.model.set_status(LinkStatus::Failed { reason });
                    self.publish();
                    let done = self.refuse_until_stopped().await;
                    self.finish(self.model.status().clone(), done);
                    return;
                }
                Ended::Lost(reason) => reason,
            };
            attempt += 1;
            resync = true;
            metrics::counter!("grupprum_reconnects_total").increment(1);
            tracing::info!(meeting = %self.main_jid, attempt, ?reason, "link lost");
            self.lose_state();
            self.model
                .set_status(LinkStatus::Reconnecting { attempt, reason });
            self.publish();
            let delay = backoff(
                attempt,
                self.config.timing.backoff_min,
                self.config.timing.backoff_max,
            );
            if let Some(done) = self.refuse_for(delay).await {
                self.finish(LinkStatus::Closed, done);
                return;
            }
        }
    }

    fn finish(&mut self, status: LinkStatus, done: Option<oneshot::Sender<()>>) {
        self.recorder.leave(timer::now_ms(), self.forget_on_leave);
        self.lose_state();
        self.model.set_status(status);
        self.publish();
        if let Some(done) = done {
            let _ = done.send(());
        }
    }

    /// Drops what the meeting told us and every command still in flight.
    fn lose_state(&mut self) {
        for q in self
            .queue
            .drain(..)
            .chain(self.deferred.drain(..).map(|d| d.item))
        {
            self.model.fail(q.outcome, FailReason::LinkLost);
        }
        for outcome in self.visits.drop_all() {
            self.model.fail(outcome, FailReason::LinkLost);
        }
        self.model.reset();
    }

    /// Stores the timers, with whose session it is; notes whether any run.
    fn save_timers(&self) {
        self.keeps_time
            .store(!self.timers.is_empty(), Ordering::Relaxed);
        if let Some((journal, owner)) = &self.timers_to {
            let _ = journal.send(Entry::Timers {
                meeting: self.meeting.clone(),
                owner: owner.clone(),
                timers: self.timers.list().to_vec(),
            });
        }
    }

    fn publish(&mut self) {
        let mut view = self.model.view();
        view.draft = self.draft.as_ref().map(|d| d.view(&self.model, &view));
        view.late = self.arrivals.policy;
        view.waiting = Arrivals::waiting(&self.model);
        view.undo = self
            .undo
            .as_ref()
            .filter(|u| u.is_fresh(Instant::now()))
            .map(Undo::view);
        view.progress = self.opened.then(|| Progress {
            absent: self.arrivals.expected(),
            ..self.model.progress()
        });
        self.timers.show(&mut view.rooms);
        view.ends = self.timers.ends_for_all();
        if matches!(view.status, LinkStatus::Online | LinkStatus::Resynced) && view.me.is_some() {
            self.recorder.observe(&self.model, &view, timer::now_ms());
        }
        self.state.send_replace(Arc::new(view));
    }

    /// Answers requests with "not connected" for `delay`; `Some` when asked to stop.
    async fn refuse_for(&mut self, delay: Duration) -> Option<Option<oneshot::Sender<()>>> {
        let until = Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(until) => return None,
                request = self.requests.recv() => match request {
                    Some(Request::Command { reply, .. }) => { let _ = reply.send(Err(Refusal::NotConnected)); }
                    Some(Request::Draft { reply }) => { let _ = reply.send(None); }
                    Some(Request::Stop { done }) => return Some(Some(done)),
                    None => return Some(None),
                },
            }
        }
    }

    async fn refuse_until_stopped(&mut self) -> Option<oneshot::Sender<()>> {
        loop {
            match self.requests.recv().await {
                Some(Request::Command { reply, .. }) => {
                    let _ = reply.send(Err(Refusal::NotConnected));
                }
                Some(Request::Draft { reply }) => {
                    let _ = reply.send(None);
                }
                Some(Request::Stop { done }) => return Some(done),
                None => return None,
            }
        }
    }

    /// Connects and asks to join, answering requests meanwhile.
    async fn connect(&mut self, first_join: bool) -> Result<Connection, Ended> {
        let nick = format!("{:08x}", rand::random::<u32>());
        let establish = establish(
            self.config.clone(),
            self.connector.clone(),
            self.url.clone(),
            self.main_jid.clone(),
            nick,
            first_join,
        );
        tokio::pin!(establish);
        loop {
            tokio::select! {
                result = &mut establish => {
                    return match result {
                        Ok((connection, can_rename)) => {
                            self.model.set_can_rename(can_rename);
                            Ok(connection)
                        }
                        Err(setup) => Err(setup.into()),
                    };
                }
                request = self.requests.recv() => match request {
                    Some(Request::Command { reply, .. }) => { let _ = reply.send(Err(Refusal::NotConnected)); }
                    Some(Request::Draft { reply }) => { let _ = reply.send(None); }
                    Some(Request::Stop { done }) => return Err(Ended::Stopped(Some(done))),
                    None => return Err(Ended::Stopped(None)),
                },
            }
        }
    }

    /// Serves a connection until it ends; also says whether the panel got in.
    async fn serve(&mut self, c: Connection, resync: bool) -> (Ended, bool) {
        let mut joined = false;
        let ended = self.serve_joined(c, resync, &mut joined).await;
        (ended, joined)
    }

    async fn serve_joined(&mut self, mut c: Connection, resync: bool, joined: &mut bool) -> Ended {
        let timing = self.config.timing;
        let join_deadline = Instant::now() + timing.join;
        let mut last_heard = Instant::now();
        let mut ping: Option<(String, Instant)> = None;
        let mut ticker = tokio::time::interval(timing.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let send_ready = *joined && !self.queue.is_empty();
            tokio::select! {
                request = self.requests.recv() => match request {
                    Some(Request::Command { command, by, reply }) => {
                        let accepted = self.accept(&command, &by);
                        if accepted.is_err() {
                            metrics::counter!("grupprum_commands_total", "outcome" => "refused").increment(1);
                        }
                        let _ = reply.send(accepted);
                        self.publish();
                    }
                    Some(Request::Draft { reply }) => {
                        let _ = reply.send(self.draft.as_ref().map(|d| DraftPlan {
                            rooms: d.rooms(&self.model),
                            review: d.review(&self.model),
                        }));
                    }
                    Some(Request::Stop { done }) => {
                        leave(&mut c, &self.main_jid).await;
                        return Ended::Stopped(Some(done));
                    }
                    None => {
                        leave(&mut c, &self.main_jid).await;
                        return Ended::Stopped(None);
                    }
                },
                frame = c.transport.stream.next() => {
                    let element = match frame {
                        None => return Ended::Lost(network("the server closed the connection")),
                        Some(Err(e)) => {
                            tracing::warn!(meeting = %self.main_jid, "the link failed: {e}");
                            return e.into();
                        }
                        Some(Ok(element)) => match transport::check_stream_end(element) {
                            Ok(element) => element,
                            Err(e) => return e.into(),
                        },
                    };
                    last_heard = Instant::now();
                    ping = None;
                    let arrived = std::time::Instant::now();
                    if let Some(ended) = self.handle(&mut c, element, joined, resync).await {
                        return ended;
                    }
                    metrics::histogram!("grupprum_event_to_push_seconds")
                        .record(arrived.elapsed().as_secs_f64());
                }
                () = tokio::time::sleep_until(self.next_send), if send_ready => {
                    if let Err(e) = self.send_next(&mut c).await {
                        return e.into();
                    }
                }
                _ = ticker.tick() => {
                    let now = Instant::now();
                    if !*joined && now >= join_deadline {
                        return Ended::Lost(LinkReason::NotLetIn);
                    }
                    match &ping {
                        Some((_, sent)) if now >= *sent + timing.ping_timeout => {
                            return Ended::Lost(network(format!(
                                "no answer from the server for {} s",
                                (now - last_heard).as_secs()
                            )));
                        }
                        None if now >= last_heard + timing.ping_after => {
                            self.next_id += 1;
                            let id = format!("ping{}", self.next_id);
                            let request = Iq::request("get", &id, Some(&self.config.domain), Element::new("ping", ns::PING));
                            if let Err(e) = c.transport.sink.send(request).await {
                                return e.into();
                            }
                            ping = Some((id, now));
                        }
                        _ => {}
                    }
                    self.keep_time();
                    if self.settle() {
                        self.publish();
                    }
                    if *joined && let Err(e) = self.drive_visits(&mut c).await {
                        return e.into();
                    }
                }
            }
        }
    }

    /// Checks a command and carries it out: a draft changes at once, anything
    /// for the meeting is planned and its messages queued.
    fn accept(&mut self, command: &Command, by: &By) -> Result<Receipt, Refusal> {
        let timing = self.config.timing.confirm;
        let now = Instant::now();
        match command {
            Command::Prepare { plan } => {
                self.draft = Some(match plan {
                    Some(rooms) => Draft::from_plan(rooms)?,
                    None => Draft::from_meeting(&self.model),
                });
                Ok(Vec::new())
            }
            Command::Draft(inner) => {
                let draft = self.draft.as_mut().ok_or(Refusal::NoDraft)?;
                draft.apply(&self.model, inner)?;
                Ok(Vec::new())
            }
            Command::Discard => {
                self.draft.take().ok_or(Refusal::NoDraft)?;
                Ok(Vec::new())
            }
            Command::AddPeople { .. } | Command::Match { .. } => Err(Refusal::NoDraft),
            Command::OpenRooms => {
                let target = self
                    .draft
                    .as_ref()
                    .ok_or(Refusal::NoDraft)?
                    .target(&self.model);
                let moves: Vec<(String, RoomName)> = target
                    .moves
                    .into_iter()
                    .map(|(nick, room)| (nick, RoomName::from(room)))
                    .collect();
                let items = plan::arrange(&self.model, &target.rooms, &moves, true, timing)?;
                let receipt = self.queue_items(items, by)?;
                self.model.track(&receipt);
                self.arrivals.watch(&self.model, target.absent, by.clone());
                self.draft = None;
                self.opened = true;
                // What came before the plan is not the plan's to undo.
                self.undo = None;
                Ok(receipt)
            }
            Command::SetLateJoiners(policy) => {
                self.arrivals.set_policy(&self.model, *policy, by.clone());
                Ok(Vec::new())
            }
            Command::Undo => {
                let undo = self
                    .undo
                    .take()
                    .filter(|u| u.is_fresh(now))
                    .ok_or(Refusal::NothingToUndo)?;
                self.cancel(&undo.receipt);
                let items = plan::arrange(&self.model, &undo.rooms, &undo.moves, false, timing);
                match items.and_then(|items| self.queue_items(items, by)) {
                    Ok(receipt) => Ok(receipt),
                    Err(refusal) => {
                        self.undo = Some(undo);
                        Err(refusal)
                    }
                }
            }
            Command::SetTimer {
                rooms,
                minutes,
                warn,
                suffix,
                language,
            } => {
                plan::may_act(&self.model)?;
                if *suffix && !self.model.can_rename() {
                    return Err(Refusal::RenameUnsupported);
                }
                let names = self.room_names(rooms)?;
                let (minutes, warn) = (*minutes, *warn);
                self.timers.set(
                    rooms,
                    minutes,
                    warn,
                    *suffix,
                    *language,
                    by.clone(),
                    timer::now_ms(),
                )?;
                self.save_timers();
                Ok(names
                    .into_iter()
                    .map(|name| {
                        let kind = OutcomeKind::Timer(name, minutes);
                        self.model.record(kind, OutcomeState::Done, by.clone())
                    })
                    .collect())
            }
            Command::StopTimer { rooms } => {
                let names = self.room_names(rooms)?;
                self.timers.stop(rooms)?;
                self.save_timers();
                Ok(names
                    .into_iter()
                    .map(|name| {
                        let kind = OutcomeKind::TimerStopped(name);
                        self.model.record(kind, OutcomeState::Done, by.clone())
                    })
                    .collect())
            }
            Command::SendMessage { rooms, text } => {
                plan::may_act(&self.model)?;
                let text = visit::message_text(text)?;
                let all = self.model.breakout_rooms();
                let targets: Vec<(String, String)> = if rooms.is_empty() {
                    all
                } else {
                    rooms
                        .iter()
                        .map(|room| {
                            all.iter()
                                .find(|(j, _)| j == room)
                                .cloned()
                                .ok_or_else(|| Refusal::NoSuchRoom(room.clone()))
                        })
                        .collect::<Result<_, _>>()?
                };
                if targets.is_empty() {
                    return Err(Refusal::Nothing(Nothing::NoRooms));
                }
                if self.visits.len() + targets.len() > MAX_QUEUED {
                    return Err(Refusal::Queued { max: MAX_QUEUED });
                }
                Ok(self.say(targets, &text, by))
            }
            _ => {
                let undo = Undo::before(&self.model, command, by, now);
                let items = plan::plan(&self.model, command, timing)?;
                let receipt = self.queue_items(items, by)?;
                if let Some(mut undo) = undo {
                    undo.receipt.clone_from(&receipt);
                    self.undo = Some(undo);
                }
                Ok(receipt)
            }
        }
    }

    /// The names of breakout rooms given by JID (none: every room, `None`).
    fn room_names(&self, rooms: &[String]) -> Result<Vec<Option<String>>, Refusal> {
        if rooms.is_empty() {
            return Ok(vec![None]);
        }
        let all = self.model.breakout_rooms();
        rooms
            .iter()
            .map(|room| {
                all.iter()
                    .find(|(j, _)| j == room)
                    .map(|(_, name)| Some(timer::base_name(name).to_owned()))
                    .ok_or_else(|| Refusal::NoSuchRoom(room.clone()))
            })
            .collect()
    }

    /// Queues a chat message for each room of `targets` (JID, name).
    fn say(&mut self, targets: Vec<(String, String)>, text: &str, by: &By) -> Receipt {
        targets
            .into_iter()
            .map(|(jid, name)| {
                let kind =
                    OutcomeKind::Message(RoomName::Named(timer::base_name(&name).to_owned()));
                let id = self.model.record(kind, OutcomeState::Pending, by.clone());
                self.visits.push(id, jid, text.to_owned());
                id
            })
            .collect()
    }

    /// Does what the timers ask now: renames for the minutes left, warnings,
    /// and at zero, the close. Only while the panel may act in the meeting.
    fn keep_time(&mut self) {
        if self.timers.is_idle() || !self.model.is_moderator() || !self.model.has_update() {
            return;
        }
        let rooms = self.model.breakout_rooms();
        let mut changed = self.timers.forget_missing(&rooms);
        let (due, more) = self.timers.due(&rooms, timer::now_ms());
        changed |= more;
        if changed {
            self.save_timers();
        }
        let timing = self.config.timing.confirm;
        for due in due {
            match due {
                Due::Rename { room, name } => {
                    let planned =
                        plan::plan(&self.model, &Command::RenameRoom { room, name }, timing)
                            .and_then(|items| self.queue_items(items, &By::Here));
                    match planned {
                        Ok(ids) => ids.into_iter().for_each(|id| self.model.hide(id)),
                        Err(refusal) => {
                            tracing::debug!(meeting = %self.main_jid, ?refusal, "a timer's rename was not sent");
                        }
                    }
                }
                Due::Warn { rooms, text, by } => {
                    let targets = self
                        .model
                        .breakout_rooms()
                        .into_iter()
                        .filter(|(j, _)| rooms.is_empty() || rooms.contains(j))
                        .collect();
                    self.say(targets, &text, &by);
                }
                Due::Close { room, by } => {
                    let command = match room {
                        Some(room) => Command::CloseRoom { room },
                        None => Command::SendEveryoneBack,
                    };
                    let closed = plan::plan(&self.model, &command, timing)
                        .and_then(|items| self.queue_items(items, &by));
                    match closed {
                        Ok(_) => tracing::info!(meeting = %self.main_jid, "a timer ended: closing"),
                        Err(refusal) => {
                            tracing::info!(meeting = %self.main_jid, ?refusal, "a timer ended with nothing to close");
                        }
                    }
                }
            }
        }
    }

    /// Who the panel is when it visits a room.
    fn visitor(&self, c: &Connection) -> Visitor {
        Visitor {
            nick: c.nick.clone(),
            display_name: self.config.display_name.clone(),
            robot: self.config.robot,
            focus: self.config.focus_domain.clone(),
        }
    }

    /// Gives up on a visit that took too long and starts the next one.
    async fn drive_visits(&mut self, c: &mut Connection) -> Result<(), TransportError> {
        let visitor = self.visitor(c);
        let now = Instant::now();
        let mut acts = Vec::new();
        self.visits.expire(&visitor, now, &mut acts);
        if self.model.is_moderator() {
            let model = &self.model;
            let me = visitor.nick.as_str();
            acts.extend(self.visits.next(
                &visitor,
                |room| model.people_in(room).iter().any(|p| p != me),
                now,
            ));
        }
        self.act(c, acts).await
    }

    /// Sends what a visit asks and settles what it says.
    async fn act(&mut self, c: &mut Connection, acts: Vec<Act>) -> Result<(), TransportError> {
        let mut settled = false;
        for act in acts {
            match act {
                Act::Send(element) => c.transport.sink.send(element).await?,
                Act::Settle(id, state) => {
                    self.model.conclude(id, state);
                    settled = true;
                }
            }
        }
        if settled {
            self.publish();
        }
        Ok(())
    }

    /// Drops the messages of `outcomes` not sent yet: they fail as undone.
    fn cancel(&mut self, outcomes: &[u64]) {
        let cancelled = |outcome: &u64| outcomes.contains(outcome);
        let mut dropped = Vec::new();
        self.queue.retain(|q| {
            let keep = !cancelled(&q.outcome);
            if !keep {
                dropped.push(q.outcome);
            }
            keep
        });
        self.deferred.retain(|d| {
            let keep = !cancelled(&d.item.outcome);
            if !keep {
                dropped.push(d.item.outcome);
            }
            keep
        });
        for outcome in dropped {
            self.model.fail(outcome, FailReason::Undone);
        }
    }

    /// Queues planned messages, each tracked as an outcome given `by`.
    fn queue_items(&mut self, items: Vec<Item>, by: &By) -> Result<Receipt, Refusal> {
        if self.queue.len() + self.deferred.len() + items.len() > MAX_QUEUED {
            return Err(Refusal::Queued { max: MAX_QUEUED });
        }
        let timing = self.config.timing;
        let interval = timing.command_interval;
        let mut receipt = Vec::with_capacity(items.len());
        for Item {
            kind,
            command,
            expect,
            timeout,
            wait,
        } in items
        {
            let outcome = self.model.expect(kind, expect, timeout, by.clone());
            receipt.push(outcome);
            let queued = Queued { outcome, command };
            // Everything before it, held back or queued, is sent first.
            let ahead = interval * ((self.queue.len() + self.deferred.len()) as u32 + 1);
            match wait {
                Some(wait) => {
                    let wait_for = match wait {
                        Wait::Empty(_) => timing.confirm.moves,
                        Wait::Room(_) => timing.confirm.change,
                    };
                    self.deferred.push(Deferred {
                        wait,
                        deadline: Instant::now() + wait_for + ahead,
                        item: queued,
                    });
                }
                None => self.queue.push_back(queued),
            }
        }
        Ok(receipt)
    }

    async fn send_next(&mut self, c: &mut Connection) -> Result<(), TransportError> {
        let Some(next) = self.queue.pop_front() else {
            return Ok(());
        };
        if !self.model.is_moderator() {
            self.model.fail(next.outcome, FailReason::NotModerator);
            self.publish();
            return Ok(());
        }
        let message = next
            .command
            .to_message(&c.breakout)
            .attr("id", format!("cmd{}", next.outcome));
        c.transport.sink.send(message).await?;
        let now = Instant::now();
        self.model.sent(next.outcome, now.into_std());
        self.next_send = now + self.config.timing.command_interval;
        self.publish();
        Ok(())
    }

    /// Confirms outcomes, times them out, and releases messages waiting for an
    /// empty room. True when anything changed.
    fn settle(&mut self) -> bool {
        let now = Instant::now();
        let mut changed = false;
        let before = (
            self.model.pending_count(),
            self.deferred.len(),
            self.queue.len(),
        );
        self.model.settle(now.into_std());
        let me = self.model.me().map(|m| m.nick.clone());
        let deferred = std::mem::take(&mut self.deferred);
        for mut d in deferred {
            match &d.wait {
                Wait::Empty(room) => {
                    let people = self.model.people_in(room);
                    let empty = people.iter().all(|p| Some(p) == me.as_ref())
                        && self.model.arriving(room).is_empty();
                    if empty {
                        self.queue.push_back(d.item);
                    } else if now >= d.deadline {
                        self.model
                            .fail(d.item.outcome, FailReason::StillOccupied(people.len()));
                    } else {
                        self.deferred.push(d);
                    }
                }
                Wait::Room(name) => {
                    let room = self
                        .model
                        .breakout_rooms()
                        .into_iter()
                        .find(|(_, n)| n == name)
                        .map(|(j, _)| j);
                    match room {
                        Some(jid) => {
                            if let BreakoutCommand::MoveToRoom { room, .. } = &mut d.item.command {
                                room.clone_from(&jid);
                            }
                            self.model.retarget(d.item.outcome, &jid);
                            self.queue.push_back(d.item);
                        }
                        None if now >= d.deadline => {
                            self.model.fail(d.item.outcome, FailReason::NoRoom);
                        }
                        None => self.deferred.push(d),
                    }
                }
            }
        }
        if self.undo.as_ref().is_some_and(|u| !u.is_fresh(now)) {
            self.undo = None;
            changed = true;
        }
        self.place_newcomers();
        changed
            || before
                != (
                    self.model.pending_count(),
                    self.deferred.len(),
                    self.queue.len(),
                )
    }

    /// Moves the people who joined since the last look where the late-joiner
    /// policy says.
    fn place_newcomers(&mut self) {
        if !self.model.is_moderator() {
            return;
        }
        let due = self.arrivals.due(&self.model);
        if due.is_empty() {
            return;
        }
        let by = self.arrivals.by.clone();
        let placed = plan::arrange(&self.model, &[], &due, false, self.config.timing.confirm)
            .and_then(|items| self.queue_items(items, &by));
        if let Err(refusal) = placed {
            tracing::warn!(meeting = %self.main_jid, ?refusal, "late joiners not placed");
        }
    }

    /// Handles one stanza; `Some` ends the connection.
    async fn handle(
        &mut self,
        c: &mut Connection,
        element: Element,
        joined: &mut bool,
        resync: bool,
    ) -> Option<Ended> {
        let visitor = self.visitor(c);
        let mut acts = Vec::new();
        let ended = match element.name() {
            "presence"
                if self
                    .visits
                    .is_visiting(jid::bare(element.get_attr("from").unwrap_or_default())) =>
            {
                self.visits.on_presence(&visitor, &element, &mut acts);
                None
            }
            "presence" => self.handle_presence(c, &element, joined, resync),
            "message" => {
                if !self.visits.on_message(&visitor, &element, &mut acts) {
                    self.handle_message(c, &element);
                }
                None
            }
            "iq" if self.visits.on_iq(&visitor, &element, &mut acts) => None,
            "iq" => answer_iq(c, &element).await.err().map(Ended::from),
            _ => None,
        };
        if ended.is_some() {
            return ended;
        }
        if !acts.is_empty() {
            if let Err(e) = self.act(c, acts).await {
                return Some(e.into());
            }
            // The next room's visit starts at once.
            if let Err(e) = self.drive_visits(c).await {
                return Some(e.into());
            }
        }
        None
    }

    fn handle_presence(
        &mut self,
        c: &Connection,
        element: &Element,
        joined: &mut bool,
        resync: bool,
    ) -> Option<Ended> {
        let from = element.get_attr("from").unwrap_or_default();
        let mine = jid::bare(from) == self.main_jid && jid::resource(from) == Some(c.nick.as_str());
        if element.get_attr("type") == Some("error") && mine {
            return Some(link_reason::from_join_error(element).into());
        }
        let presence = match MucPresence::parse(element) {
            Ok(p) => p,
            Err(e) => {
                if jid::bare(from) == self.main_jid {
                    tracing::debug!(meeting = %self.main_jid, "ignoring a presence: {e}");
                }
                return None;
            }
        };
        if mine && presence.is_self() {
            if !presence.available {
                return Some(match presence.destroy {
                    Some(_) => Ended::Failed(LinkReason::MeetingEnded),
                    None => Ended::Lost(LinkReason::Removed),
                });
            }
            if !*joined {
                *joined = true;
                self.model.joined(Me {
                    nick: c.nick.clone(),
                    real_jid: presence.real_jid.clone().unwrap_or_default(),
                    display_name: self.config.display_name.clone(),
                    role: presence.role,
                    affiliation: presence.affiliation,
                });
                self.model.set_status(if resync {
                    LinkStatus::Resynced
                } else {
                    LinkStatus::Online
                });
                tracing::info!(meeting = %self.main_jid, role = ?presence.role, "joined");
            }
        }
        let was_moderator = self.model.is_moderator();
        self.model.apply_presence(&presence);
        if was_moderator && !self.model.is_moderator() {
            tracing::warn!(meeting = %self.main_jid, "the panel lost moderator rights");
            for q in self
                .queue
                .drain(..)
                .chain(self.deferred.drain(..).map(|d| d.item))
            {
                self.model.fail(q.outcome, FailReason::NotModerator);
            }
        }
        self.settle();
        self.publish();
        None
    }

    fn handle_message(&mut self, c: &Connection, element: &Element) {
        let from = element.get_attr("from").unwrap_or_default();
        if element.get_attr("type") == Some("error") {
            // Our commands carry id cmd<outcome>; the component's refusal echoes it.
            if from == c.breakout
                && let Some(outcome) = element
                    .get_attr("id")
                    .and_then(|id| id.strip_prefix("cmd"))
                    .and_then(|n| n.parse().ok())
            {
                let condition = crate::xmpp::stanza::error_condition(element);
                self.model.fail(outcome, FailReason::Refused(condition));
                self.publish();
            }
            return;
        }
        let Ok(message) = JsonMessage::parse(element) else {
            return;
        };
        if message.from != c.breakout {
            return; // Only the discovered component speaks for breakout rooms.
        }
        match message.breakout_event() {
            Ok(Some(BreakoutEvent::Update(update))) => {
                self.model.apply_update(update);
                self.settle();
                self.publish();
            }
            Ok(Some(BreakoutEvent::MoveToRoom { room_jid })) => {
                tracing::info!(meeting = %self.main_jid, "ignoring a request to move the panel to {room_jid}");
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(meeting = %self.main_jid, "ignoring a bad breakout message: {e}")
            }
        }
    }
}

/// Answers what the server or other clients ask of us: disco about ourselves, pings,
/// Jingle offers (declined: the panel has no media). Anything else gets
/// `service-unavailable`; results and errors are never answered.
async fn answer_iq(c: &mut Connection, element: &Element) -> Result<(), TransportError> {
    let iq = match Iq::parse(element) {
        Ok(iq) => iq,
        Err(_) => {
            // A request we cannot read still deserves an answer; anything else does not.
            if let Some(reply) = Iq::bad_request_for(element) {
                c.transport.sink.send(reply).await?;
            }
            return Ok(());
        }
    };
    let reply = match &iq.kind {
        IqKind::Get(payload) if payload.is("query", ns::DISCO_INFO) => {
            iq.result(Some(disco::self_info(payload.get_attr("node"))))
        }
        IqKind::Get(payload) if payload.is("ping", ns::PING) => iq.result(None),
        IqKind::Set(payload) if payload.is("jingle", ns::JINGLE) => {
            c.transport.sink.send(iq.result(None)).await?;
            if let (Ok(offer), Some(from)) = (Jingle::parse(payload), iq.from.as_deref())
                && offer.action == "session-initiate"
            {
                let id = format!("decline-{}", offer.sid);
                c.transport
                    .sink
                    .send(Iq::request(
                        "set",
                        &id,
                        Some(from),
                        jingle::decline(&offer.sid),
                    ))
                    .await?;
            }
            return Ok(());
        }
        IqKind::Get(_) | IqKind::Set(_) => iq.error("service-unavailable"),
        IqKind::Result(_) | IqKind::Error(_) => return Ok(()),
    };
    c.transport.sink.send(reply).await
}

async fn leave(c: &mut Connection, main_jid: &str) {
    let _ = c
        .transport
        .sink
        .send(muc::leave(&format!("{main_jid}/{}", c.nick), None))
        .await;
    let _ = c
        .transport
        .sink
        .send(Element::new("close", ns::FRAMING))
        .await;
    let _ = c.transport.sink.close().await;
}

/// Why connecting stopped short of the join.
enum Setup {
    Failed(Verdict),
    /// An IQ was answered with an error: its condition.
    Answered {
        what: &'static str,
        condition: String,
    },
}

impl From<TransportError> for Setup {
    fn from(e: TransportError) -> Self {
        Self::Failed(link_reason::from_transport(&e))
    }
}

impl From<Setup> for Ended {
    fn from(setup: Setup) -> Self {
        match setup {
            Setup::Failed(verdict) => verdict.into(),
            Setup::Answered { what, condition } => Self::Lost(network(format!(
                "{what} answered with an error ({condition})"
            ))),
        }
    }
}

fn transient(detail: impl Into<String>) -> Setup {
    Setup::Failed(Verdict::Retry(network(detail)))
}

/// Connects, logs in, discovers the breakout component and asks the focus for the
/// room; then sends the join. Returns the connection and whether rename works.
async fn establish(
    config: Arc<ClientConfig>,
    connector: Arc<dyn Connector>,
    url: Url,
    main_jid: String,
    nick: String,
    first_join: bool,
) -> Result<(Connection, bool), Setup> {
    let step = config.timing.step;
    let mut transport = connector.connect(url).await?;
    let resource = format!("grupprum-{nick}");
    transport::negotiate(
        &mut transport,
        config.login_domain(),
        &config.credentials,
        &resource,
        step,
    )
    .await?;

    let info = query(
        &mut transport,
        "disco1",
        &config.domain,
        disco::info_query(None),
        step,
        "discovery",
    )
    .await?;
    let info = DiscoInfo::parse(&info).map_err(|e| transient(e.to_string()))?;
    let breakout = info
        .component("breakout_rooms")
        .ok_or_else(|| {
            Setup::Failed(Verdict::Final(LinkReason::Unsupported(format!(
                "{} has no breakout-rooms component",
                config.domain
            ))))
        })?
        .to_owned();
    let can_rename = match query(
        &mut transport,
        "disco2",
        &breakout,
        disco::info_query(Some("breakout_rooms")),
        step,
        "discovery",
    )
    .await
    {
        Ok(node) => DiscoInfo::parse(&node).is_ok_and(|n| n.has_feature_ending("#rename")),
        Err(_) => false,
    };

    // The panel never starts a meeting: asking the focus for a room that does
    // not exist would create it. A room that exists answers disco#info. (After
    // a lost link the panel goes back to a meeting it was in, as everyone does.)
    let check = if first_join {
        query(
            &mut transport,
            "room1",
            &main_jid,
            disco::info_query(None),
            step,
            "the meeting",
        )
        .await
    } else {
        Ok(Element::new("query", ns::DISCO_INFO))
    };
    match check {
        Ok(_) => {}
        Err(Setup::Answered { condition, .. }) => {
            return Err(Setup::Failed(link_reason::from_room_check(&condition)));
        }
        Err(other) => return Err(other),
    }

    let uid = format!("{:032x}", rand::random::<u128>());
    let reply = query(
        &mut transport,
        "focus1",
        &config.focus_domain,
        focus::conference_request(&main_jid, &uid),
        config.timing.join,
        "the focus",
    )
    .await?;
    let reply = ConferenceReply::parse(&reply).map_err(|e| transient(e.to_string()))?;
    if !reply.ready {
        return Err(transient("the focus is not ready"));
    }
    let occupant = format!("{main_jid}/{nick}");
    transport
        .sink
        .send({
            let join = muc::join(&occupant, Some(&config.display_name));
            if config.robot {
                muc::as_robot(join)
            } else {
                join
            }
        })
        .await?;
    Ok((
        Connection {
            transport,
            nick,
            breakout,
        },
        can_rename,
    ))
}

/// Sends an IQ get/set and waits for its result payload.
async fn query(
    transport: &mut Transport,
    id: &str,
    to: &str,
    payload: Element,
    within: Duration,
    what: &'static str,
) -> Result<Element, Setup> {
    let kind = if payload.is("conference", ns::FOCUS) {
        "set"
    } else {
        "get"
    };
    transport
        .sink
        .send(Iq::request(kind, id, Some(to), payload))
        .await?;
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let element = transport::recv(transport, what, left).await?;
        let Ok(iq) = Iq::parse(&element) else {
            continue;
        };
        if iq.id != id {
            continue;
        }
        return match iq.kind {
            IqKind::Result(Some(payload)) => Ok(payload),
            IqKind::Result(None) => Err(transient(format!("{what} sent an empty answer"))),
            IqKind::Error(_) => Err(Setup::Answered {
                what,
                condition: iq
                    .error_condition()
                    .unwrap_or_else(|| "no condition".into()),
            }),
            _ => continue,
        };
    }
}

/// A probe login to the deployment, for readiness: the WebSocket, the stream
/// and SASL, then a clean close. A deployment that wants a token from every
/// user (`token required`) is reachable all the same.
pub async fn probe(config: &ClientConfig, connector: &dyn Connector) -> Result<(), String> {
    let mut url = config.service_url.clone();
    if let Some(token) = &config.token {
        url.query_pairs_mut().append_pair("token", token);
    }
    let step = config.timing.step;
    let mut transport = connector.connect(url).await.map_err(|e| e.to_string())?;
    let resource = format!("grupprum-probe-{:08x}", rand::random::<u32>());
    let login = transport::negotiate(
        &mut transport,
        config.login_domain(),
        &config.credentials,
        &resource,
        step,
    )
    .await;
    let _ = transport
        .sink
        .send(Element::new("close", ns::FRAMING))
        .await;
    let _ = transport.sink.close().await;
    match login {
        Ok(_) => Ok(()),
        Err(TransportError::AuthFailed {
            text: Some(text), ..
        }) if text.eq_ignore_ascii_case("token required") => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// Exponential backoff from `min` to `max`, with jitter (50–100 % of the step).
pub fn backoff(attempt: u32, min: Duration, max: Duration) -> Duration {
    let step = min
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(max);
    let jitter = 0.5 + rand::random::<f64>() * 0.5;
    step.mul_f64(jitter)
}

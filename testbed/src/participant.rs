//! Simulated participants that behave like Jitsi web clients, for anything a
//! moderator panel can see:
//!
//! * discover the breakout component, send a conference request, then join with an
//!   8-hex nick and a `<nick>` display name;
//! * follow move-to-room: leave with `switch_room`, conference request, rejoin with
//!   the same nick (unless told to ignore moves);
//! * hang up when their room is destroyed;
//! * accept the focus's Jingle offer;
//! * keep the chat messages their room sends them.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::domains::Domains;
use crate::stanza::{self, MucPresence};
use crate::stream::{self, Auth, StreamError};
use crate::{jid, ns, xml::Element};

/// Simulated participants bind resources that start with this; the focus tells
/// them from other occupants by it.
pub const PARTICIPANT_RESOURCE_PREFIX: &str = "p-";

/// How long a conference request may take.
const FOCUS_TIMEOUT: Duration = Duration::from_secs(10);

/// What a participant is told to be.
#[derive(Debug, Clone)]
pub struct ParticipantConfig {
    pub display_name: String,
    /// Moves are received but not followed.
    pub ignore_moves: bool,
}

/// Where a participant is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantState {
    /// The room it is in, once joined.
    pub room: Option<String>,
    /// Its nick (the same in every room).
    pub nick: String,
    /// Its real (connection) JID: what moves address.
    pub jid: String,
    /// Its MUC role in the current room.
    pub role: Option<String>,
    /// Moves received, followed or not.
    pub moves_received: u32,
    /// When the join presence for the main room left, in milliseconds since the
    /// Unix epoch (the clock a browser's `Date.now()` reads on the same machine).
    pub join_sent_ms: Option<u64>,
    /// It left the meeting (hung up or told to leave).
    pub gone: bool,
    /// Chat messages received from others, oldest first (at most [`MAX_KEPT_MESSAGES`]).
    pub messages: Vec<ChatMessage>,
    /// The nicks of the others in its room now (the focus included).
    pub others: Vec<String>,
}

/// Most chat messages a participant keeps.
pub const MAX_KEPT_MESSAGES: usize = 200;

/// A chat message as a participant received it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChatMessage {
    /// The room (bare JID) it came in.
    pub room: String,
    /// The sender's nick in that room.
    pub from: String,
    pub body: String,
    /// When it arrived, in milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// A running simulated participant.
pub struct Participant {
    pub config: ParticipantConfig,
    state: watch::Receiver<ParticipantState>,
    leave: Option<oneshot::Sender<()>>,
    go_to: mpsc::UnboundedSender<String>,
    task: JoinHandle<()>,
}

impl Participant {
    /// Connects with `?room=<node>` and joins `room` (a main room JID).
    pub async fn join(
        ws_url: &str,
        domains: &Domains,
        room: &str,
        config: ParticipantConfig,
    ) -> Result<Self, StreamError> {
        let node = jid::node(room).unwrap_or(room);
        let url = format!("{ws_url}?room={node}");
        let resource = format!("{PARTICIPANT_RESOURCE_PREFIX}{:08x}", rand::random::<u32>());
        let link = stream::connect(&url, &domains.xmpp, &Auth::Anonymous, &resource).await?;
        let nick = format!("{:08x}", rand::random::<u32>());
        let initial = ParticipantState {
            room: None,
            nick: nick.clone(),
            jid: link.jid.clone(),
            role: None,
            moves_received: 0,
            join_sent_ms: None,
            gone: false,
            messages: Vec::new(),
            others: Vec::new(),
        };
        let (state_tx, state_rx) = watch::channel(initial);
        let (leave_tx, leave_rx) = oneshot::channel();
        let (go_to_tx, go_to_rx) = mpsc::unbounded_channel();
        let mut client = Client {
            domains: domains.clone(),
            config: config.clone(),
            tx: link.tx,
            rx: link.rx,
            state: state_tx,
            nick,
            next_id: 0,
            breakout_component: None,
            moving: false,
            next_move: None,
        };
        client.discover().await?;
        client.enter(room).await?;
        client
            .state
            .send_modify(|s| s.join_sent_ms = Some(unix_ms()));
        client.wait_joined().await?;
        let task = tokio::spawn(client.run(leave_rx, go_to_rx));
        Ok(Self {
            config,
            state: state_rx,
            leave: Some(leave_tx),
            go_to: go_to_tx,
            task,
        })
    }

    /// Goes to a breakout room (by JID) on its own, as a Jitsi user does who
    /// picks "Join" in the list of breakout rooms. False once it has left.
    pub fn go_to(&self, room: &str) -> bool {
        self.go_to.send(room.to_owned()).is_ok()
    }

    /// The latest state.
    pub fn state(&self) -> ParticipantState {
        self.state.borrow().clone()
    }

    /// The real (connection) JID.
    pub fn jid(&self) -> String {
        self.state.borrow().jid.clone()
    }

    /// A receiver that sees every change of state.
    pub fn watch(&self) -> watch::Receiver<ParticipantState> {
        self.state.clone()
    }

    /// Leaves the room and disconnects.
    pub async fn leave(mut self) {
        if let Some(leave) = self.leave.take() {
            let _ = leave.send(());
        }
        let _ = (&mut self.task).await;
    }
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Drop for Participant {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Client {
    domains: Domains,
    config: ParticipantConfig,
    tx: mpsc::Sender<Element>,
    rx: mpsc::Receiver<Element>,
    state: watch::Sender<ParticipantState>,
    nick: String,
    next_id: u64,
    breakout_component: Option<String>,
    /// Set while a move is under way; a move that arrives meanwhile waits here
    /// and is followed next, so the latest move wins.
    moving: bool,
    next_move: Option<String>,
}

impl Client {
    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("p{}", self.next_id)
    }

    async fn send(&self, element: Element) -> Result<(), StreamError> {
        self.tx.send(element).await.map_err(|_| StreamError::Closed)
    }

    /// Sends an IQ and waits for its reply, handling anything else that arrives meanwhile.
    async fn request(&mut self, iq: Element, what: &'static str) -> Result<Element, StreamError> {
        let id = iq.get_attr("id").unwrap_or_default().to_owned();
        self.send(iq).await?;
        let deadline = tokio::time::Instant::now() + FOCUS_TIMEOUT;
        loop {
            let stanza = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .map_err(|_| StreamError::Timeout(what))?
                .ok_or(StreamError::Closed)?;
            if stanza.is("iq", ns::CLIENT)
                && stanza.get_attr("id") == Some(id.as_str())
                && matches!(stanza.get_attr("type"), Some("result" | "error"))
            {
                return Ok(stanza);
            }
            self.handle(stanza).await;
        }
    }

    async fn discover(&mut self) -> Result<(), StreamError> {
        let id = self.id();
        let reply = self
            .request(
                stanza::disco_info(&id, &self.domains.xmpp, None),
                "disco#info",
            )
            .await?;
        self.breakout_component = stanza::component_identities(&reply)
            .into_iter()
            .find(|(kind, _)| kind == "breakout_rooms")
            .map(|(_, name)| name);
        Ok(())
    }

    /// Conference request, then MUC join with our nick and display name.
    async fn enter(&mut self, room: &str) -> Result<(), StreamError> {
        let id = self.id();
        let uid = format!("{:032x}", rand::random::<u128>());
        let request = stanza::conference_request(&id, &self.domains.focus, room, &uid);
        let reply = self.request(request, "the focus").await?;
        let ready = reply
            .get_child("conference", ns::FOCUS)
            .and_then(|c| c.get_attr("ready"))
            == Some("true");
        if !ready {
            return Err(StreamError::Unexpected {
                got: reply.to_xml(),
                waiting: "a ready conference",
            });
        }
        let occupant = format!("{room}/{}", self.nick);
        self.send(stanza::muc_join(&occupant, Some(&self.config.display_name)))
            .await
    }

    /// Handles stanzas until our own presence in a room arrives.
    async fn wait_joined(&mut self) -> Result<(), StreamError> {
        let deadline = tokio::time::Instant::now() + FOCUS_TIMEOUT;
        while self.state.borrow().room.is_none() {
            let stanza = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .map_err(|_| StreamError::Timeout("the room join"))?
                .ok_or(StreamError::Closed)?;
            if !self.handle(stanza).await {
                return Err(StreamError::Closed);
            }
        }
        Ok(())
    }

    async fn run(
        mut self,
        mut leave: oneshot::Receiver<()>,
        mut go_to: mpsc::UnboundedReceiver<String>,
    ) {
        loop {
            tokio::select! {
                Some(room) = go_to.recv() => {
                    if !self.follow_moves(room).await {
                        break;
                    }
                }
                _ = &mut leave => {
                    let room = self.state.borrow().room.clone();
                    if let Some(room) = room {
                        let _ = self.send(stanza::muc_leave(&format!("{room}/{}", self.nick), None)).await;
                    }
                    break;
                }
                stanza = self.rx.recv() => match stanza {
                    Some(stanza) => {
                        if !self.handle(stanza).await {
                            break;
                        }
                    }
                    None => break,
                },
            }
        }
        self.state.send_modify(|s| {
            s.gone = true;
            s.room = None;
        });
    }

    /// Handles one stanza; false when the participant hangs up.
    async fn handle(&mut self, stanza: Element) -> bool {
        if let Some((from, body)) = stanza::json_message(&stanza) {
            if Some(from.as_str()) == self.breakout_component.as_deref()
                && body["type"] == "breakout_rooms"
                && body["event"] == "features/breakout-rooms/move-to-room"
                && let Some(target) = body["roomJid"].as_str()
            {
                let target = target.to_owned();
                self.state.send_modify(|s| s.moves_received += 1);
                if self.config.ignore_moves {
                    return true;
                }
                if self.moving {
                    self.next_move = Some(target);
                    return true;
                }
                return self.follow_moves(target).await;
            }
            return true;
        }
        if let Some(presence) = MucPresence::parse(&stanza) {
            return self.handle_presence(presence);
        }
        if let Some(message) = stanza::chat_message(&stanza) {
            if message.from != self.nick {
                self.state.send_modify(|s| {
                    if s.messages.len() >= MAX_KEPT_MESSAGES {
                        s.messages.remove(0);
                    }
                    s.messages.push(ChatMessage {
                        at_ms: unix_ms(),
                        ..message
                    });
                });
            }
            return true;
        }
        if stanza.is("iq", ns::CLIENT) {
            self.handle_iq(stanza).await;
        }
        true
    }

    fn handle_presence(&mut self, p: MucPresence) -> bool {
        if jid::resource(&p.from) != Some(self.nick.as_str()) || !p.is_self() {
            // Someone else in its room comes or goes.
            if let Some(nick) = jid::resource(&p.from) {
                let room = jid::bare(&p.from).to_owned();
                self.state.send_modify(|s| {
                    if s.room.as_deref() == Some(room.as_str()) || s.room.is_none() {
                        s.others.retain(|n| n != nick);
                        if p.available {
                            s.others.push(nick.to_owned());
                        }
                    }
                });
            }
            return true;
        }
        let room = jid::bare(&p.from).to_owned();
        if p.available {
            self.state.send_modify(|s| {
                s.room = Some(room);
                s.role = p.role.clone();
            });
            return true;
        }
        if p.destroy.is_some() {
            // Stock Jitsi clients hang up when their conference is destroyed.
            return false;
        }
        self.state.send_modify(|s| {
            if s.room.as_deref() == Some(room.as_str()) {
                s.room = None;
                s.role = None;
            }
        });
        true
    }

    /// Moves to `target`, then to any move that arrived on the way.
    async fn follow_moves(&mut self, target: String) -> bool {
        self.moving = true;
        let mut next = Some(target);
        let mut ok = true;
        while let Some(target) = next.take() {
            ok = Box::pin(self.move_to(&target)).await;
            if !ok {
                break;
            }
            next = self.next_move.take();
        }
        self.moving = false;
        ok
    }

    async fn move_to(&mut self, target: &str) -> bool {
        let current = self.state.borrow().room.clone();
        if let Some(room) = current {
            if self
                .send(stanza::muc_leave(
                    &format!("{room}/{}", self.nick),
                    Some("switch_room"),
                ))
                .await
                .is_err()
            {
                return false;
            }
            self.state.send_modify(|s| {
                s.room = None;
                s.role = None;
                s.others.clear();
            });
        }
        // Wait until we are in: a move that arrives meanwhile must leave this room.
        let result = match self.enter(target).await {
            Ok(()) => self.wait_joined().await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(nick = %self.nick, "could not move to {target}: {e}");
                !matches!(e, StreamError::Closed)
            }
        }
    }

    async fn handle_iq(&mut self, iq: Element) {
        match iq.get_attr("type") {
            Some("get" | "set") => {}
            _ => return,
        }
        if let Some(jingle) = iq.get_child("jingle", ns::JINGLE) {
            let _ = self.send(stanza::iq_result(&iq)).await;
            if jingle.get_attr("action") == Some("session-initiate") {
                let id = self.id();
                let responder = self.state.borrow().jid.clone();
                let accept = Element::new("iq", ns::CLIENT)
                    .attr("type", "set")
                    .attr_opt("to", iq.get_attr("from"))
                    .attr("id", id)
                    .child(
                        Element::new("jingle", ns::JINGLE)
                            .attr("action", "session-accept")
                            .attr_opt("sid", jingle.get_attr("sid"))
                            .attr("responder", responder),
                    );
                let _ = self.send(accept).await;
            }
            return;
        }
        let reply = if iq.get_child("ping", ns::PING).is_some() {
            stanza::iq_result(&iq)
        } else {
            stanza::iq_error(&iq, "service-unavailable")
        };
        let _ = self.send(reply).await;
    }
}

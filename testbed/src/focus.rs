//! A focus stand-in: what jicofo does that a moderator panel can see.
//!
//! * Logs in as the focus account and announces itself to the focus address.
//! * Answers conference requests: joins (and so creates) the room as `focus`,
//!   then replies `ready='true'`.
//! * In main rooms, makes the first participant owner (AutoOwner), and elects
//!   another when the owner leaves. Breakout rooms have no auto-owner.
//! * With `grant_panels`, makes every main-room occupant that is not one of the
//!   test meeting's simulated participants owner as it joins.
//! * Makes owner, as it joins the main room, whoever's token says they are a
//!   moderator (the `<identity/>` the server writes into presence), as
//!   deployments with `mod_token_affiliation` do.
//! * Sends each new occupant a Jingle `session-initiate`.
//! * Leaves a room when nobody else is in it.
//! * On request, opens a room before anyone is in it, as jicofo does on a
//!   host's first conference request.

use std::collections::{BTreeMap, HashMap};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use server::xmpp::stanza::muc::{self, Affiliation};

use crate::domains::Domains;
use crate::stanza::{self, MucPresence};
use crate::stream::{self, Auth, StreamError};
use crate::{jid, ns, xml::Element};

const FOCUS_NICK: &str = "focus";

/// A running focus.
pub struct Focus {
    pub jid: String,
    stop: Option<oneshot::Sender<()>>,
    grants: mpsc::Sender<Order>,
    task: JoinHandle<()>,
}

/// What the test meeting asks of the focus besides what it hears in the rooms.
enum Order {
    Grant(Grant),
    /// Create `room` (join it) and say when it is in.
    Open {
        room: String,
        reply: oneshot::Sender<()>,
    },
}

/// A request to make an occupant owner (moderator), as a moderator would in Jitsi.
struct Grant {
    room: String,
    nick: String,
    reply: oneshot::Sender<bool>,
}

impl Focus {
    /// Logs in and starts serving conference requests.
    pub async fn start(
        ws_url: &str,
        domains: &Domains,
        password: &str,
        grant_panels: bool,
    ) -> Result<Self, StreamError> {
        let auth = Auth::Plain {
            user: "focus".into(),
            password: password.to_owned(),
        };
        let resource = format!("focus-{:06x}", rand::random::<u32>() & 0xff_ffff);
        let link = stream::connect(ws_url, &domains.auth, &auth, &resource).await?;
        let jid = link.jid.clone();
        link.tx
            .send(Element::new("presence", ns::CLIENT).attr("to", domains.focus.clone()))
            .await
            .map_err(|_| StreamError::Closed)?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let (grants, grants_rx) = mpsc::channel(8);
        let state = State {
            domains: domains.clone(),
            tx: link.tx.clone(),
            rooms: HashMap::new(),
            next_id: 0,
            grant_panels,
        };
        let task = tokio::spawn(state.run(link.rx, stop_rx, grants_rx));
        Ok(Self {
            jid,
            stop: Some(stop_tx),
            grants,
            task,
        })
    }

    /// Makes occupant `nick` of `room` owner; false when there is no such occupant.
    pub async fn grant_owner(&self, room: &str, nick: &str) -> bool {
        let (reply, answer) = oneshot::channel();
        let grant = Grant {
            room: room.to_owned(),
            nick: nick.to_owned(),
            reply,
        };
        if self.grants.send(Order::Grant(grant)).await.is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    /// Creates `room` with only the focus in it, as a host's conference request
    /// would; returns once the focus is in. False when the focus is gone.
    pub async fn open_room(&self, room: &str) -> bool {
        let (reply, answer) = oneshot::channel();
        let order = Order::Open {
            room: room.to_owned(),
            reply,
        };
        self.grants.send(order).await.is_ok() && answer.await.is_ok()
    }

    /// Leaves every room and logs out.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Focus {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug, Default)]
struct Room {
    joined: bool,
    /// Conference requests waiting for the focus to be in the room.
    waiting: Vec<Element>,
    /// Orders to open the room, waiting likewise.
    opening: Vec<oneshot::Sender<()>>,
    /// Occupants by nick, in join order.
    occupants: BTreeMap<u64, Occupant>,
    order: u64,
}

#[derive(Debug, Clone)]
struct Occupant {
    nick: String,
    real_jid: Option<String>,
    affiliation: String,
    /// Marked `<userinfo robot='true'/>`: never counted or elected as the owner.
    robot: bool,
}

struct State {
    domains: Domains,
    tx: mpsc::Sender<Element>,
    rooms: HashMap<String, Room>,
    next_id: u64,
    grant_panels: bool,
}

impl State {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Element>,
        mut stop: oneshot::Receiver<()>,
        mut grants: mpsc::Receiver<Order>,
    ) {
        loop {
            tokio::select! {
                _ = &mut stop => break,
                Some(order) = grants.recv() => match order {
                    Order::Grant(grant) => {
                        let done = self.grant(&grant.room, &grant.nick).await;
                        let _ = grant.reply.send(done);
                    }
                    Order::Open { room, reply } => self.open(room, reply).await,
                },
                stanza = rx.recv() => match stanza {
                    Some(stanza) => self.handle(stanza).await,
                    None => {
                        tracing::warn!("the focus lost its connection");
                        return;
                    }
                },
            }
        }
        let rooms: Vec<String> = self.rooms.keys().cloned().collect();
        for room in rooms {
            self.send(stanza::muc_leave(&format!("{room}/{FOCUS_NICK}"), None))
                .await;
        }
    }

    async fn send(&self, element: Element) {
        let _ = self.tx.send(element).await;
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("focus{}", self.next_id)
    }

    async fn handle(&mut self, stanza: Element) {
        match stanza.name() {
            "iq" => self.handle_iq(stanza).await,
            "presence" => {
                if let Some(presence) = MucPresence::parse(&stanza) {
                    self.handle_presence(presence).await;
                } else if stanza.get_attr("type") == Some("error") {
                    self.handle_join_error(&stanza).await;
                }
            }
            _ => {}
        }
    }

    async fn handle_iq(&mut self, iq: Element) {
        let kind = iq.get_attr("type").unwrap_or_default();
        if kind != "get" && kind != "set" {
            return;
        }
        if let Some(conference) = iq
            .get_child("conference", ns::FOCUS)
            .filter(|_| kind == "set")
        {
            let Some(room) = conference.get_attr("room").map(str::to_owned) else {
                self.send(stanza::iq_error(&iq, "bad-request")).await;
                return;
            };
            let entry = self.rooms.entry(room.clone()).or_default();
            if entry.joined {
                let reply = self.conference_result(&iq, &room);
                self.send(reply).await;
                return;
            }
            let first = entry.waiting.is_empty() && entry.opening.is_empty();
            entry.waiting.push(iq);
            if first {
                self.send(stanza::muc_join(&format!("{room}/{FOCUS_NICK}"), None))
                    .await;
            }
            return;
        }
        let is_jingle = iq.get_child("jingle", ns::JINGLE).is_some();
        let reply = if is_jingle || iq.get_child("ping", ns::PING).is_some() {
            stanza::iq_result(&iq)
        } else {
            stanza::iq_error(&iq, "service-unavailable")
        };
        self.send(reply).await;
    }

    fn conference_result(&self, request: &Element, room: &str) -> Element {
        stanza::iq_result(request).child(
            Element::new("conference", ns::FOCUS)
                .attr("room", room)
                .attr("ready", "true")
                .attr("focusjid", self.domains.focus_jid())
                .child(
                    Element::new("property", ns::FOCUS)
                        .attr("name", "authentication")
                        .attr("value", "false"),
                ),
        )
    }

    async fn handle_join_error(&mut self, presence: &Element) {
        let Some(from) = presence.get_attr("from") else {
            return;
        };
        let room = jid::bare(from).to_owned();
        if let Some(entry) = self.rooms.remove(&room) {
            tracing::warn!(%room, "the focus could not join");
            for request in entry.waiting {
                self.send(stanza::iq_error(&request, "item-not-found"))
                    .await;
            }
        }
    }

    async fn handle_presence(&mut self, p: MucPresence) {
        let room = jid::bare(&p.from).to_owned();
        let nick = jid::resource(&p.from).unwrap_or_default().to_owned();
        let is_main = jid::domain(&room) == self.domains.muc;
        if nick == FOCUS_NICK {
            if !p.available {
                self.rooms.remove(&room);
                return;
            }
            if p.is_self() {
                let waiting = match self.rooms.get_mut(&room) {
                    Some(entry) if !entry.joined => {
                        entry.joined = true;
                        for opened in entry.opening.drain(..) {
                            let _ = opened.send(());
                        }
                        std::mem::take(&mut entry.waiting)
                    }
                    _ => return,
                };
                for request in waiting {
                    let reply = self.conference_result(&request, &room);
                    self.send(reply).await;
                }
            }
            return;
        }
        let Some(entry) = self.rooms.get_mut(&room) else {
            return;
        };
        let existing = entry
            .occupants
            .iter()
            .find(|(_, o)| o.nick == nick)
            .map(|(k, _)| *k);
        if !p.available {
            if let Some(key) = existing {
                entry.occupants.remove(&key);
            }
            if entry.occupants.is_empty() {
                self.rooms.remove(&room);
                self.send(stanza::muc_leave(&format!("{room}/{FOCUS_NICK}"), None))
                    .await;
                return;
            }
            if is_main {
                self.elect_owner(&room).await;
            }
            return;
        }
        let affiliation = p.affiliation.clone().unwrap_or_else(|| "none".into());
        match existing {
            Some(key) => {
                if let Some(o) = entry.occupants.get_mut(&key) {
                    o.affiliation = affiliation;
                    o.robot = p.robot;
                }
            }
            None => {
                entry.order += 1;
                let key = entry.order;
                let panel = self.grant_panels
                    && p.real_jid.as_deref().is_some_and(|real| {
                        !jid::resource(real)
                            .unwrap_or_default()
                            .starts_with(crate::participant::PARTICIPANT_RESOURCE_PREFIX)
                    });
                let grant = is_main && affiliation != "owner" && (panel || p.token_moderator);
                entry.occupants.insert(
                    key,
                    Occupant {
                        nick: nick.clone(),
                        real_jid: p.real_jid.clone(),
                        affiliation,
                        robot: p.robot,
                    },
                );
                let offer = self.session_initiate(&p.from);
                self.send(offer).await;
                if grant {
                    self.grant(&room, &nick).await;
                }
            }
        }
        if is_main {
            self.elect_owner(&room).await;
        }
    }

    async fn open(&mut self, room: String, reply: oneshot::Sender<()>) {
        let entry = self.rooms.entry(room.clone()).or_default();
        if entry.joined {
            let _ = reply.send(());
            return;
        }
        let first = entry.waiting.is_empty() && entry.opening.is_empty();
        entry.opening.push(reply);
        if first {
            self.send(stanza::muc_join(&format!("{room}/{FOCUS_NICK}"), None))
                .await;
        }
    }

    async fn grant(&mut self, room: &str, nick: &str) -> bool {
        let real = self
            .rooms
            .get(room)
            .and_then(|r| r.occupants.values().find(|o| o.nick == nick))
            .and_then(|o| o.real_jid.clone());
        let Some(real) = real else { return false };
        let id = self.id();
        self.send(muc::set_affiliation(
            &id,
            room,
            jid::bare(&real),
            Affiliation::Owner,
        ))
        .await;
        true
    }

    /// AutoOwner, as jicofo's: when no occupant that is not a robot is owner,
    /// the earliest such occupant becomes owner. An owner that is a robot (a
    /// recorder, the panel's account) does not count.
    async fn elect_owner(&mut self, room: &str) {
        let Some(entry) = self.rooms.get_mut(room) else {
            return;
        };
        if entry
            .occupants
            .values()
            .any(|o| o.affiliation == "owner" && !o.robot)
        {
            return;
        }
        let Some(first) = entry
            .occupants
            .values_mut()
            .find(|o| o.real_jid.is_some() && !o.robot)
        else {
            return;
        };
        first.affiliation = "owner".into();
        let bare = jid::bare(first.real_jid.as_deref().unwrap_or_default()).to_owned();
        let id = self.id();
        self.send(muc::set_affiliation(&id, room, &bare, Affiliation::Owner))
            .await;
    }

    fn session_initiate(&mut self, occupant: &str) -> Element {
        let id = self.id();
        let sid = format!("{:016x}", rand::random::<u64>());
        let content = |media: &str| {
            Element::new("content", ns::JINGLE)
                .attr("creator", "initiator")
                .attr("name", media)
                .attr("senders", "both")
                .child(
                    Element::new("description", "urn:xmpp:jingle:apps:rtp:1").attr("media", media),
                )
                .child(Element::new(
                    "transport",
                    "urn:xmpp:jingle:transports:ice-udp:1",
                ))
        };
        Element::new("iq", ns::CLIENT)
            .attr("type", "set")
            .attr("to", occupant)
            .attr("id", id)
            .child(
                Element::new("jingle", ns::JINGLE)
                    .attr("action", "session-initiate")
                    .attr("initiator", self.domains.focus_jid())
                    .attr("sid", sid)
                    .child(content("audio"))
                    .child(content("video")),
            )
    }
}

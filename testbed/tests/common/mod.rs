//! Test clients that speak the protocol as documented, against a running test meeting.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::Value;
use testbed::stanza::{self, BreakoutCommand, MucPresence};
use testbed::stream::{self, Auth, Link};
use testbed::xml::Element;
use testbed::{jid, ns};

pub use testbed::harness::TestMeeting;

/// Clients of a test meeting.
pub trait ClientExt {
    /// A client connected with `?room=<this meeting>`.
    fn client(&self) -> impl std::future::Future<Output = Probe>;
}

impl ClientExt for TestMeeting {
    async fn client(&self) -> Probe {
        let node = jid::node(&self.m().room_jid).unwrap_or_default().to_owned();
        Probe::connect(self, Some(&node)).await
    }
}

/// A protocol client: sends stanzas and waits for what the document says comes back.
pub struct Probe {
    pub link: Link,
    pub jid: String,
    pub nick: String,
    pub room: Option<String>,
    pub breakout: String,
    pub focus_domain: String,
    next: u64,
    /// Stanzas read while waiting for something else.
    pub backlog: Vec<(Instant, Element)>,
}

impl Probe {
    pub async fn connect(meeting: &TestMeeting, room_param: Option<&str>) -> Self {
        let env = &meeting.m().env;
        let url = match room_param {
            Some(r) => format!("{}?room={r}", env.ws_url),
            None => env.ws_url.clone(),
        };
        let resource = format!("probe-{:06x}", rand::random::<u32>() & 0xff_ffff);
        let link = stream::connect(&url, &env.domains.xmpp, &Auth::Anonymous, &resource)
            .await
            .expect("connects");
        Self::from_link(link, &env.domains.breakout, &env.domains.focus)
    }

    /// Logs in as the focus account (a second resource).
    pub async fn connect_focus(meeting: &TestMeeting) -> Self {
        let env = &meeting.m().env;
        let auth = Auth::Plain {
            user: "focus".into(),
            password: env.focus_password.clone(),
        };
        let resource = format!("focus-probe-{:06x}", rand::random::<u32>() & 0xff_ffff);
        let link = stream::connect(&env.ws_url, &env.domains.auth, &auth, &resource)
            .await
            .expect("focus logs in");
        Self::from_link(link, &env.domains.breakout, &env.domains.focus)
    }

    pub fn from_link(link: Link, breakout: &str, focus: &str) -> Self {
        let jid = link.jid.clone();
        Self {
            link,
            jid,
            nick: format!("{:08x}", rand::random::<u32>()),
            room: None,
            breakout: breakout.to_owned(),
            focus_domain: focus.to_owned(),
            next: 0,
            backlog: Vec::new(),
        }
    }

    pub fn id(&mut self) -> String {
        self.next += 1;
        format!("t{}", self.next)
    }

    pub async fn send(&self, element: Element) {
        self.link.tx.send(element).await.expect("link open");
    }

    pub async fn command(&self, command: BreakoutCommand) {
        self.send(command.to_message(&self.breakout)).await;
    }

    /// The next stanza matching `pred` within `within`, keeping the others in the backlog.
    pub async fn wait_for(
        &mut self,
        within: Duration,
        mut pred: impl FnMut(&Element) -> bool,
    ) -> Option<(Instant, Element)> {
        if let Some(i) = self.backlog.iter().position(|(_, e)| pred(e)) {
            return Some(self.backlog.remove(i));
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.link.rx.recv()).await {
                Ok(Some(e)) => {
                    let now = Instant::now();
                    if e.is("iq", ns::CLIENT) && matches!(e.get_attr("type"), Some("get" | "set")) {
                        // Be a good client: answer the focus's offers and anything else.
                        let reply = if e.get_child("jingle", ns::JINGLE).is_some() {
                            stanza::iq_result(&e)
                        } else {
                            stanza::iq_error(&e, "service-unavailable")
                        };
                        let _ = self.link.tx.send(reply).await;
                    }
                    if pred(&e) {
                        return Some((now, e));
                    }
                    self.backlog.push((now, e));
                }
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Sends an IQ and waits for its result or error.
    pub async fn iq(&mut self, iq: Element) -> Element {
        let id = iq.get_attr("id").expect("iq id").to_owned();
        self.send(iq).await;
        self.wait_for(Duration::from_secs(10), |e| {
            e.is("iq", ns::CLIENT)
                && e.get_attr("id") == Some(id.as_str())
                && matches!(e.get_attr("type"), Some("result" | "error"))
        })
        .await
        .expect("an IQ reply")
        .1
    }

    /// Conference request, then join `room` with our nick; returns our own presence.
    pub async fn join(&mut self, room: &str, display_name: &str) -> MucPresence {
        let id = self.id();
        let request =
            stanza::conference_request(&id, &self.focus_domain.clone(), room, "0123456789abcdef");
        let reply = self.iq(request).await;
        assert_eq!(
            reply.get_attr("type"),
            Some("result"),
            "conference request: {reply}"
        );
        self.join_direct(room, display_name).await.expect("joined")
    }

    /// MUC join without asking the focus; `None` if no self-presence comes within 3 s.
    pub async fn join_direct(&mut self, room: &str, display_name: &str) -> Option<MucPresence> {
        let occupant = format!("{room}/{}", self.nick);
        self.send(stanza::muc_join(&occupant, Some(display_name)))
            .await;
        self.room = Some(room.to_owned());
        self.self_presence(room, Duration::from_secs(3)).await
    }

    /// Our own available presence in `room`.
    pub async fn self_presence(&mut self, room: &str, within: Duration) -> Option<MucPresence> {
        let occupant = format!("{room}/{}", self.nick);
        let (_, e) = self
            .wait_for(within, |e| {
                MucPresence::parse(e)
                    .is_some_and(|p| p.from == occupant && p.is_self() && p.available)
            })
            .await?;
        MucPresence::parse(&e)
    }

    /// Waits until we are moderator in `room` (the focus grants it).
    pub async fn wait_moderator(&mut self, room: &str) -> MucPresence {
        let occupant = format!("{room}/{}", self.nick);
        let (_, e) = self
            .wait_for(Duration::from_secs(5), |e| {
                MucPresence::parse(e).is_some_and(|p| {
                    p.from == occupant && p.available && p.role.as_deref() == Some("moderator")
                })
            })
            .await
            .expect("moderator granted");
        MucPresence::parse(&e).expect("presence")
    }

    pub async fn leave(&mut self) {
        if let Some(room) = self.room.take() {
            self.send(stanza::muc_leave(&format!("{room}/{}", self.nick), None))
                .await;
        }
    }

    /// The next breakout update (time of arrival and JSON).
    pub async fn update(&mut self, within: Duration) -> Option<(Instant, Value)> {
        let breakout = self.breakout.clone();
        let (t, e) = self
            .wait_for(within, |e| is_update_from(e, &breakout))
            .await?;
        let (_, v) = stanza::json_message(&e)?;
        Some((t, v))
    }

    /// Waits for the first update for which `pred` holds.
    pub async fn update_where(
        &mut self,
        within: Duration,
        mut pred: impl FnMut(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (_, v) = self
                .update(left)
                .await
                .expect("a matching update before the deadline");
            if pred(&v) {
                return v;
            }
        }
    }

    /// A `service-unavailable` error from the breakout component.
    pub async fn component_error(&mut self, within: Duration) -> Option<Element> {
        let breakout = self.breakout.clone();
        self.wait_for(within, |e| {
            e.is("message", ns::CLIENT)
                && e.get_attr("type") == Some("error")
                && e.get_attr("from") == Some(breakout.as_str())
        })
        .await
        .map(|(_, e)| e)
    }

    /// Drops everything read so far.
    pub fn clear(&mut self) {
        self.backlog.clear();
    }
}

pub fn is_update_from(e: &Element, breakout: &str) -> bool {
    stanza::json_message(e)
        .is_some_and(|(from, v)| from == breakout && v["event"] == "features/breakout-rooms/update")
}

/// The breakout rooms of an update: `(jid, name, participant count)`, sorted by name.
pub fn breakout_rooms(update: &Value) -> Vec<(String, String, usize)> {
    let mut out: Vec<_> = update["rooms"]
        .as_object()
        .expect("rooms")
        .values()
        .filter(|r| r.get("isMainRoom").is_none())
        .map(|r| {
            (
                r["jid"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
                r["participants"].as_object().map_or(0, |p| p.len()),
            )
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The main room entry of an update.
pub fn main_room(update: &Value) -> &Value {
    update["rooms"]
        .as_object()
        .expect("rooms")
        .values()
        .find(|r| r["isMainRoom"] == true)
        .expect("main room")
}

/// The real JIDs listed in a room entry.
pub fn real_jids(room: &Value) -> Vec<String> {
    let mut out: Vec<String> = room["participants"]
        .as_object()
        .map(|p| {
            p.values()
                .filter_map(|v| v["jid"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// An `add` command with a name.
pub fn add(subject: &str) -> BreakoutCommand {
    BreakoutCommand::Add {
        subject: Some(subject.into()),
    }
}

impl Probe {
    /// Adds a breakout room and returns its JID once an update lists it.
    pub async fn add_room(&mut self, subject: &str) -> String {
        self.command(add(subject)).await;
        let update = self
            .update_where(Duration::from_secs(3), |u| {
                breakout_rooms(u).iter().any(|r| r.1 == subject)
            })
            .await;
        breakout_rooms(&update)
            .into_iter()
            .find(|r| r.1 == subject)
            .expect("listed")
            .0
    }
}

/// A moderator: the first client in a meeting started without participants.
pub async fn moderator(meeting: &TestMeeting) -> Probe {
    let mut m = meeting.client().await;
    let room = meeting.room();
    m.join(&room, "Moderator Panel").await;
    m.wait_moderator(&room).await;
    m
}

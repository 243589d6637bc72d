//! The session against a scripted peer, in process and on paused time: login
//! sequence, keepalive and dead-link detection, backoff, confirmation timeouts,
//! pacing, and how it answers what others ask of it.

use std::sync::Arc;
use std::time::Duration;

use app::meeting::{Command, LinkReason, LinkStatus, MeetingRef, MeetingView, OutcomeState};
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use server::jitsi::config::ClientConfig;
use server::jitsi::session::{self, SessionHandle};
use server::xmpp::ns;
use server::xmpp::transport::{Connector, Transport, TransportError};
use server::xmpp::xml::Element;
use tokio::time::Instant;

const ROOM: &str = "demo@conference.meet.test";
const BREAKOUT: &str = "breakout.meet.test";
const ME: &str = "panel@meet.test/grupprum";

/// The server side of one connection.
struct Peer {
    to_client: mpsc::Sender<Result<Element, TransportError>>,
    from_client: mpsc::Receiver<Element>,
    nick: String,
}

/// Hands each connection attempt to the test, or fails it.
struct Script {
    peers: tokio::sync::mpsc::UnboundedSender<Peer>,
    fail: std::sync::atomic::AtomicU32,
    attempts: tokio::sync::mpsc::UnboundedSender<Instant>,
}

impl Connector for Script {
    fn connect(
        &self,
        _url: url::Url,
    ) -> futures::future::BoxFuture<'static, Result<Transport, TransportError>> {
        let _ = self.attempts.send(Instant::now());
        let failing = self.fail.load(std::sync::atomic::Ordering::SeqCst);
        if failing > 0 {
            self.fail
                .store(failing - 1, std::sync::atomic::Ordering::SeqCst);
            return Box::pin(async { Err(TransportError::Connect("connection refused".into())) });
        }
        let (client_tx, from_client) = mpsc::channel::<Element>(64);
        let (to_client, client_rx) = mpsc::channel::<Result<Element, TransportError>>(64);
        let _ = self.peers.send(Peer {
            to_client,
            from_client,
            nick: String::new(),
        });
        Box::pin(async move {
            Ok(Transport {
                sink: Box::pin(
                    client_tx.sink_map_err(|e| TransportError::WebSocket(e.to_string())),
                ),
                stream: Box::pin(client_rx),
            })
        })
    }
}

struct Harness {
    panel: SessionHandle,
    peers: tokio::sync::mpsc::UnboundedReceiver<Peer>,
    attempts: tokio::sync::mpsc::UnboundedReceiver<Instant>,
}

fn harness(failures: u32) -> Harness {
    let (peers_tx, peers) = tokio::sync::mpsc::unbounded_channel();
    let (attempts_tx, attempts) = tokio::sync::mpsc::unbounded_channel();
    let script = Arc::new(Script {
        peers: peers_tx,
        fail: failures.into(),
        attempts: attempts_tx,
    });
    let config = ClientConfig::new(
        url::Url::parse("ws://example.invalid/xmpp-websocket").unwrap(),
        "meet.test",
    );
    let panel = session::spawn(
        Arc::new(config),
        MeetingRef {
            room: "demo".into(),
            tenant: None,
        },
        script,
    )
    .unwrap();
    Harness {
        panel,
        peers,
        attempts,
    }
}

fn el(xml: &str) -> Element {
    Element::parse(xml).unwrap()
}

impl Peer {
    async fn expect(&mut self, what: &str) -> Element {
        match tokio::time::timeout(Duration::from_secs(60), self.from_client.next()).await {
            Ok(Some(e)) => e,
            other => panic!("expected {what}, got {other:?}"),
        }
    }

    async fn send(&mut self, xml: &str) {
        self.to_client.send(Ok(el(xml))).await.unwrap();
    }

    async fn reply(&mut self, request: &Element, payload: &str) {
        let id = request.get_attr("id").unwrap();
        self.send(&format!(
            "<iq xmlns='jabber:client' type='result' id='{id}'>{payload}</iq>"
        ))
        .await;
    }

    /// Plays a Jitsi deployment up to the panel's join; returns the join presence.
    async fn welcome(&mut self) -> Element {
        let next = self.welcome_to_login().await;
        // Before its first join the panel asks whether the meeting exists.
        let conference = if next.get_attr("to") == Some(ROOM) {
            self.reply(&next, "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text' name='demo'/><feature var='http://jabber.org/protocol/muc'/></query>").await;
            self.expect("conference request").await
        } else {
            next
        };
        assert_eq!(conference.get_attr("to"), Some("focus.meet.test"));
        self.reply(&conference, "<conference xmlns='http://jitsi.org/protocol/focus' ready='true' focusjid='focus@auth.meet.test'/>").await;
        let join = self.expect("join").await;
        self.nick = join
            .get_attr("to")
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        join
    }

    /// Login and discovery; returns what the panel sends next: its disco#info
    /// to the meeting's room before the first join, else the conference request.
    async fn welcome_to_login(&mut self) -> Element {
        let open =
            "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='meet.test' version='1.0'/>";
        assert!(self.expect("open").await.is("open", ns::FRAMING));
        self.send(open).await;
        self.send("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>").await;
        let auth = self.expect("auth").await;
        assert_eq!(auth.get_attr("mechanism"), Some("ANONYMOUS"));
        self.send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
            .await;
        self.expect("open").await;
        self.send(open).await;
        self.send("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>").await;
        let bind = self.expect("bind").await;
        self.reply(
            &bind,
            &format!("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>{ME}</jid></bind>"),
        )
        .await;
        let disco = self.expect("disco").await;
        self.reply(&disco, "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='component' type='breakout_rooms' name='breakout.meet.test'/></query>").await;
        let node = self.expect("disco node").await;
        self.reply(&node, "<query xmlns='http://jabber.org/protocol/disco#info' node='breakout_rooms'><feature var='http://jitsi.org/protocol/breakout_rooms#rename'/></query>").await;
        self.expect("the meeting's disco#info or the conference request")
            .await
    }

    /// The panel's own presence as moderator.
    async fn admit(&mut self, role: &str) {
        let nick = self.nick.clone();
        self.send(&format!("<presence xmlns='jabber:client' from='{ROOM}/{nick}'><x xmlns='http://jabber.org/protocol/muc#user'><item jid='{ME}' affiliation='owner' role='{role}'/><status code='110'/></x></presence>")).await;
    }

    async fn occupant(&mut self, nick: &str, name: &str) {
        self.send(&format!("<presence xmlns='jabber:client' from='{ROOM}/{nick}'><nick xmlns='http://jabber.org/protocol/nick'>{name}</nick><x xmlns='http://jabber.org/protocol/muc#user'><item jid='{nick}@meet.test/r' affiliation='none' role='participant'/></x></presence>")).await;
    }

    async fn update(&mut self, from: &str, rooms: &str) {
        let json = format!(
            r#"{{"type":"breakout_rooms","event":"features/breakout-rooms/update","roomCounter":1,"rooms":{{"demo":{{"id":"demo","jid":"{ROOM}","isMainRoom":true,"participants":{{}}}}{rooms}}}}}"#
        );
        let escaped = json.replace('&', "&amp;").replace('<', "&lt;");
        self.send(&format!("<message xmlns='jabber:client' from='{from}'><json-message xmlns='http://jitsi.org/jitmeet'>{escaped}</json-message></message>")).await;
    }
}

async fn until(
    panel: &SessionHandle,
    mut pred: impl FnMut(&MeetingView) -> bool,
) -> Arc<MeetingView> {
    let mut watch = panel.watch();
    tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            let view = watch.borrow_and_update().clone();
            if pred(&view) {
                return view;
            }
            watch.changed().await.expect("session alive");
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out: {:#?}", panel.view()))
}

async fn online(h: &mut Harness) -> Peer {
    let mut peer = h.peers.recv().await.unwrap();
    let join = peer.welcome().await;
    assert_eq!(
        join.get_child("nick", ns::NICK).unwrap().text_content(),
        "Moderator panel"
    );
    assert!(join.get_child("x", ns::MUC).is_some());
    peer.admit("moderator").await;
    until(&h.panel, |v| v.me.as_ref().is_some_and(|m| m.is_moderator)).await;
    peer
}

#[tokio::test(start_paused = true)]
async fn joins_and_pings_a_silent_server_and_gives_up_within_25_s() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    assert_eq!(h.panel.view().status, LinkStatus::Online);
    let quiet_since = Instant::now();
    let ping = peer.expect("ping").await;
    let waited = quiet_since.elapsed();
    assert!(ping.get_child("ping", ns::PING).is_some(), "{ping}");
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(11),
        "pinged after {waited:?}"
    );
    // No answer: the link is dead.
    until(&h.panel, |v| {
        matches!(v.status, LinkStatus::Reconnecting { .. })
    })
    .await;
    let dead_after = quiet_since.elapsed();
    assert!(
        dead_after <= Duration::from_secs(25),
        "declared dead after {dead_after:?}"
    );
    let view = h.panel.view();
    assert!(
        view.me.is_none() && view.main.participants.is_empty(),
        "state dropped"
    );

    // It comes back and says it resynced.
    let mut peer = h.peers.recv().await.unwrap();
    peer.welcome().await;
    peer.admit("moderator").await;
    until(&h.panel, |v| v.status == LinkStatus::Resynced).await;
}

#[tokio::test(start_paused = true)]
async fn an_answered_ping_keeps_the_link() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    for _ in 0..3 {
        let ping = peer.expect("ping").await;
        peer.reply(&ping, "").await;
    }
    assert_eq!(h.panel.view().status, LinkStatus::Online);
}

#[tokio::test(start_paused = true)]
async fn reconnects_with_growing_jittered_backoff() {
    let mut h = harness(6);
    let mut times = Vec::new();
    for _ in 0..7 {
        times.push(h.attempts.recv().await.unwrap());
    }
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let steps = [1u64, 2, 4, 8, 16, 30];
    for (gap, step) in gaps.iter().zip(steps) {
        let step = Duration::from_secs(step);
        assert!(
            *gap >= step / 2 && *gap <= step + Duration::from_millis(50),
            "gap {gap:?} for step {step:?}: {gaps:?}"
        );
    }
    match &h.panel.view().status {
        LinkStatus::Reconnecting { attempt, reason } => {
            assert_eq!(*attempt, 6);
            assert!(
                matches!(reason, LinkReason::Network(detail) if detail.contains("connection refused")),
                "{reason:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The seventh attempt gets through.
    let mut peer = h.peers.recv().await.unwrap();
    peer.welcome().await;
    peer.admit("moderator").await;
    until(&h.panel, |v| v.status == LinkStatus::Resynced).await;
}

#[tokio::test(start_paused = true)]
async fn unconfirmed_commands_time_out_and_unfollowed_moves_are_not_moved() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    peer.occupant("aaaa1111", "Anna").await;
    let room = format!(
        r#","r1":{{"id":"r1","jid":"r1@{BREAKOUT}","name":"Grupprum 1","participants":{{}}}}"#
    );
    peer.update(BREAKOUT, &room).await;
    until(&h.panel, |v| {
        v.rooms.len() == 1 && v.main.participants.len() == 2
    })
    .await;

    let create = h
        .panel
        .command(Command::CreateRoom { name: "Ny".into() })
        .await
        .unwrap();
    let sent_at = Instant::now();
    let message = peer.expect("add").await;
    assert_eq!(message.get_attr("to"), Some(BREAKOUT));
    let view = until(&h.panel, |v| {
        v.outcomes
            .iter()
            .any(|o| o.id == create[0] && o.state != OutcomeState::Pending)
    })
    .await;
    assert_eq!(
        view.outcomes
            .iter()
            .find(|o| o.id == create[0])
            .unwrap()
            .state,
        OutcomeState::Failed {
            reason: app::meeting::FailReason::NotConfirmed(2)
        }
    );
    let waited = sent_at.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2500),
        "{waited:?}"
    );

    let moved = h
        .panel
        .command(Command::Move {
            participants: vec!["aaaa1111".into()],
            to: format!("r1@{BREAKOUT}"),
        })
        .await
        .unwrap();
    let message = peer.expect("move").await;
    let command = message.get_child("breakout_rooms", ns::CLIENT).unwrap();
    assert_eq!(
        command.get_attr("participantJid"),
        Some("aaaa1111@meet.test/r")
    );
    let view = until(&h.panel, |v| {
        v.outcomes
            .iter()
            .any(|o| o.id == moved[0] && o.state != OutcomeState::Pending)
    })
    .await;
    assert_eq!(
        view.outcomes
            .iter()
            .find(|o| o.id == moved[0])
            .unwrap()
            .state,
        OutcomeState::NotMoved
    );
}

#[tokio::test(start_paused = true)]
async fn commands_are_paced_at_three_a_second() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    h.panel
        .command(Command::CreateRooms {
            count: 6,
            names: vec![],
            language: app::meeting::Language::English,
        })
        .await
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..6 {
        peer.expect("add").await;
        times.push(Instant::now());
    }
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(333),
            "{:?}",
            pair[1] - pair[0]
        );
    }
    assert!(times[5] - times[0] < Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn answers_what_others_ask_and_trusts_only_the_component() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    let nick = peer.nick.clone();

    peer.send(&format!("<iq xmlns='jabber:client' type='get' id='d1' from='{ROOM}/focus' to='{ME}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")).await;
    let reply = peer.expect("disco reply").await;
    assert_eq!(reply.get_attr("type"), Some("result"));
    assert_eq!(reply.get_attr("to"), Some(format!("{ROOM}/focus").as_str()));
    assert!(
        reply
            .get_child("query", ns::DISCO_INFO)
            .unwrap()
            .get_child("identity", ns::DISCO_INFO)
            .is_some()
    );

    peer.send(&format!("<iq xmlns='jabber:client' type='set' id='j1' from='{ROOM}/focus'><jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s9'/></iq>")).await;
    let ack = peer.expect("jingle ack").await;
    assert_eq!(
        (ack.get_attr("type"), ack.get_attr("id")),
        (Some("result"), Some("j1"))
    );
    let terminate = peer.expect("session-terminate").await;
    let jingle = terminate.get_child("jingle", ns::JINGLE).unwrap();
    assert_eq!(
        (jingle.get_attr("action"), jingle.get_attr("sid")),
        (Some("session-terminate"), Some("s9"))
    );
    assert!(
        jingle
            .get_child("reason", ns::JINGLE)
            .unwrap()
            .get_child("decline", ns::JINGLE)
            .is_some()
    );
    assert_eq!(
        terminate.get_attr("to"),
        Some(format!("{ROOM}/focus").as_str())
    );

    peer.send("<iq xmlns='jabber:client' type='get' id='v1' from='x@y/z'><query xmlns='jabber:iq:version'/></iq>").await;
    let refused = peer.expect("error").await;
    assert_eq!(refused.get_attr("type"), Some("error"));
    assert!(refused.to_xml().contains("service-unavailable"));

    peer.send("<iq xmlns='jabber:client' type='set' id='b1' from='x@y/z'/>")
        .await;
    let bad = peer.expect("bad-request").await;
    assert!(bad.to_xml().contains("bad-request"), "{bad}");

    // Errors and results are never answered; an update from a stranger is ignored.
    peer.send("<iq xmlns='jabber:client' type='error' id='e1' from='x@y/z'/>")
        .await;
    peer.update(
        "evil.example",
        &format!(r#","r9":{{"id":"r9","jid":"r9@{BREAKOUT}","name":"Fake","participants":{{}}}}"#),
    )
    .await;
    peer.send("<iq xmlns='jabber:client' type='get' id='p1' from='meet.test'><ping xmlns='urn:xmpp:ping'/></iq>").await;
    let pong = peer.expect("pong").await;
    assert_eq!(
        (pong.get_attr("type"), pong.get_attr("id")),
        (Some("result"), Some("p1")),
        "nothing was sent for the error"
    );
    assert!(
        h.panel.view().rooms.is_empty(),
        "the stranger's update was ignored"
    );

    // A clean stop leaves the room and closes the stream.
    let stop = {
        let panel = h.panel.clone();
        tokio::spawn(async move { panel.stop().await })
    };
    let leave = peer.expect("leave").await;
    assert_eq!(leave.get_attr("type"), Some("unavailable"));
    assert_eq!(
        leave.get_attr("to"),
        Some(format!("{ROOM}/{nick}").as_str())
    );
    assert!(peer.expect("close").await.is("close", ns::FRAMING));
    stop.await.unwrap();
    assert_eq!(h.panel.view().status, LinkStatus::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_destroyed_meeting_or_a_wrong_password_is_final() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    let nick = peer.nick.clone();
    peer.send(&format!("<presence xmlns='jabber:client' type='unavailable' from='{ROOM}/{nick}'><x xmlns='http://jabber.org/protocol/muc#user'><destroy><reason>All occupants left.</reason></destroy><item role='none'/><status code='110'/></x></presence>")).await;
    let view = until(&h.panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: LinkReason::MeetingEnded
        }
    );
    assert_eq!(
        h.panel.command(Command::SendEveryoneBack).await,
        Err(app::meeting::Refusal::NotConnected)
    );

    let mut h = harness(0);
    let mut peer = h.peers.recv().await.unwrap();
    peer.welcome().await;
    let nick = peer.nick.clone();
    peer.send(&format!("<presence xmlns='jabber:client' type='error' from='{ROOM}/{nick}'><error type='auth'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")).await;
    let view = until(&h.panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: LinkReason::Password
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_token_for_another_room_is_final_and_never_retried() {
    let mut h = harness(0);
    let mut peer = h.peers.recv().await.unwrap();
    peer.welcome().await;
    let nick = peer.nick.clone();
    peer.send(&format!("<presence xmlns='jabber:client' type='error' from='{ROOM}/{nick}'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room and token mismatched</text></error></presence>")).await;
    let view = until(&h.panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: LinkReason::TokenRoom
        }
    );
    // One login, and no other for as long as the board stays open.
    assert!(h.attempts.recv().await.is_some());
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(h.attempts.try_recv().is_err(), "no second login");
}

/// A stanza over the frame limit ends the link for good, with its reason on
/// the board: trying again would only meet the same stanza.
#[tokio::test(start_paused = true)]
async fn a_stanza_over_the_limit_is_final_and_never_retried() {
    let mut h = harness(0);
    let mut peer = online(&mut h).await;
    let size = server::xmpp::transport::MAX_STANZA_BYTES + 1;
    peer.to_client
        .send(Err(TransportError::TooLarge(size)))
        .await
        .unwrap();
    let view = until(&h.panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: LinkReason::TooLarge(size)
        }
    );
    assert!(h.attempts.recv().await.is_some());
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(h.attempts.try_recv().is_err(), "no second login");
    drop(peer);
}

#[tokio::test(start_paused = true)]
async fn the_login_refusals_of_a_token_deployment_reach_the_view_and_are_final() {
    for (text, reason) in [
        ("token required", LinkReason::TokenRequired),
        (
            "Not acceptable by exp (1764000000)",
            LinkReason::TokenExpired,
        ),
        ("Invalid signature", LinkReason::TokenSignature),
    ] {
        let mut h = harness(0);
        let mut peer = h.peers.recv().await.unwrap();
        peer.expect("open").await;
        peer.send(
            "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='meet.test' version='1.0'/>",
        )
        .await;
        peer.send("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>").await;
        peer.expect("auth").await;
        peer.send(&format!("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-allowed/><text>{text}</text></failure>")).await;
        let view = until(&h.panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
        assert_eq!(view.status, LinkStatus::Failed { reason }, "{text}");
        tokio::time::sleep(Duration::from_secs(300)).await;
        assert_eq!(h.attempts.len(), 1, "{text}: no retry");
    }
}

#[tokio::test(start_paused = true)]
async fn refused_joins_back_off_like_lost_links() {
    let mut h = harness(0);
    let mut times = Vec::new();
    for _ in 0..4 {
        let mut peer = h.peers.recv().await.unwrap();
        times.push(Instant::now());
        peer.welcome().await;
        let nick = peer.nick.clone();
        peer.send(&format!("<presence xmlns='jabber:client' type='error' from='{ROOM}/{nick}'><error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")).await;
    }
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, step) in gaps.iter().zip([1u64, 2, 4]) {
        let step = Duration::from_secs(step);
        assert!(
            *gap >= step / 2 && *gap <= step + Duration::from_millis(50),
            "gap {gap:?} for step {step:?}: {gaps:?}"
        );
    }
    until(&h.panel, |v| {
        matches!(v.status, LinkStatus::Reconnecting { attempt: 4, .. })
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_meeting_nobody_started_is_not_created() {
    let mut h = harness(0);
    let mut peer = h.peers.recv().await.unwrap();
    let room = peer.welcome_to_login().await;
    assert_eq!(room.get_attr("to"), Some(ROOM));
    assert!(room.get_child("query", ns::DISCO_INFO).is_some(), "{room}");
    let id = room.get_attr("id").unwrap();
    peer.send(&format!("<iq xmlns='jabber:client' type='error' id='{id}' from='{ROOM}'><query xmlns='http://jabber.org/protocol/disco#info'/><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")).await;
    let view = until(&h.panel, |v| matches!(v.status, LinkStatus::Failed { .. })).await;
    assert_eq!(
        view.status,
        LinkStatus::Failed {
            reason: LinkReason::NoMeeting
        }
    );
    // No conference request (which would make the focus create the room).
    tokio::time::sleep(Duration::from_secs(5)).await;
    while let Ok(sent) = peer.from_client.try_recv() {
        assert!(sent.get_child("conference", ns::FOCUS).is_none(), "{sent}");
    }
}

#[tokio::test(start_paused = true)]
async fn every_try_before_the_first_join_checks_that_the_meeting_exists() {
    // The first try fails before the panel is ever in: the second still asks.
    let mut h = harness(1);
    let mut peer = h.peers.recv().await.unwrap();
    let next = peer.welcome_to_login().await;
    assert_eq!(next.get_attr("to"), Some(ROOM), "{next}");
    assert!(next.get_child("query", ns::DISCO_INFO).is_some(), "{next}");
}

#[tokio::test(start_paused = true)]
async fn commands_beyond_the_queue_are_refused_not_kept() {
    let mut h = harness(0);
    let _peer = online(&mut h).await;
    let many = || Command::CreateRooms {
        count: 100,
        names: vec![],
        language: app::meeting::Language::English,
    };
    let max = server::jitsi::session::MAX_QUEUED;
    for _ in 0..max / 100 {
        h.panel.command(many()).await.unwrap();
    }
    assert_eq!(
        h.panel.command(many()).await,
        Err(app::meeting::Refusal::Queued { max })
    );
    let pending = h
        .panel
        .view()
        .outcomes
        .iter()
        .filter(|o| o.state == OutcomeState::Pending)
        .count();
    assert!(pending <= max, "{pending} kept");
}

//! The test meeting on real Prosody and one panel session in it: what the
//! live tests share.

use std::sync::Arc;
use std::time::Duration;

use app::meeting::{MeetingRef, MeetingView, OutcomeState};
use server::jitsi::config::{ClientConfig, Timing};
use server::jitsi::session::{self, SessionHandle};
use server::xmpp::transport::WebSocketConnector;
use testbed::harness::TestMeeting;

pub const WAIT: Duration = Duration::from_secs(8);

pub fn config(meeting: &TestMeeting) -> ClientConfig {
    let env = &meeting.m().env;
    let mut config = ClientConfig::new(url::Url::parse(&env.ws_url).unwrap(), &env.domains.xmpp);
    config.display_name = "Grupprum".into();
    config.timing = Timing {
        backoff_min: Duration::from_millis(200),
        backoff_max: Duration::from_secs(2),
        ..Timing::default()
    };
    config
}

pub fn meeting_ref(meeting: &TestMeeting) -> MeetingRef {
    MeetingRef {
        room: testbed::jid::node(&meeting.room()).unwrap().to_owned(),
        tenant: None,
    }
}

/// An opened meeting with nobody in it yet.
pub async fn opened(room: &str) -> TestMeeting {
    let meeting = TestMeeting::start(room, 0).await;
    assert!(meeting.m().open_room().await, "the focus opens the room");
    meeting
}

/// The panel joins first (so the focus makes it owner), then `people` join.
pub async fn start(room: &str, people: &[(&str, bool)]) -> (TestMeeting, SessionHandle) {
    let mut meeting = opened(room).await;
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    let panel =
        session::spawn(Arc::new(config(&meeting)), meeting_ref(&meeting), connector).unwrap();
    until(&panel, |v| v.me.as_ref().is_some_and(|m| m.is_moderator)).await;
    if !people.is_empty() {
        meeting.join_people(people).await;
        let n = people.len() + 1;
        until(&panel, |v| v.main.participants.len() == n).await;
    }
    (meeting, panel)
}

/// Waits for a view for which `pred` holds.
pub async fn until(
    panel: &SessionHandle,
    pred: impl FnMut(&MeetingView) -> bool,
) -> Arc<MeetingView> {
    until_within(panel, WAIT, pred).await
}

/// [`until`], for up to `wait`: large commands are paced.
pub async fn until_within(
    panel: &SessionHandle,
    wait: Duration,
    mut pred: impl FnMut(&MeetingView) -> bool,
) -> Arc<MeetingView> {
    let mut watch = panel.watch();
    let found = tokio::time::timeout(wait, async {
        loop {
            let view = watch.borrow_and_update().clone();
            if pred(&view) {
                return view;
            }
            if watch.changed().await.is_err() {
                panic!("the session ended");
            }
        }
    })
    .await;
    match found {
        Ok(view) => view,
        Err(_) => panic!("timed out; last view: {:#?}", panel.view()),
    }
}

pub fn outcome(view: &MeetingView, id: u64) -> &OutcomeState {
    &view
        .outcomes
        .iter()
        .find(|o| o.id == id)
        .expect("outcome listed")
        .state
}

pub async fn settled(panel: &SessionHandle, ids: &[u64]) -> Arc<MeetingView> {
    until(panel, |v| {
        ids.iter().all(|id| {
            v.outcomes
                .iter()
                .any(|o| o.id == *id && o.state != OutcomeState::Pending)
        })
    })
    .await
}

pub fn id_of(view: &MeetingView, name: &str) -> String {
    view.room_of_named(name)
}

pub trait Find {
    fn room_of_named(&self, name: &str) -> String;
    fn room_named(&self, name: &str) -> Option<&app::meeting::RoomView>;
}

impl Find for MeetingView {
    fn room_of_named(&self, name: &str) -> String {
        std::iter::once(&self.main)
            .chain(&self.rooms)
            .flat_map(|r| &r.participants)
            .find(|p| p.display_name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} is in the meeting"))
            .id
            .clone()
    }

    fn room_named(&self, name: &str) -> Option<&app::meeting::RoomView> {
        self.rooms.iter().find(|r| r.name.as_deref() == Some(name))
    }
}

/// The panel's account on the test meeting's hidden domain, as an operator
/// configures it (`XMPP_USER=panel@recorder.meet.test`).
pub fn account_config(meeting: &TestMeeting) -> ClientConfig {
    let env = &meeting.m().env;
    config_from(&[
        ("XMPP_WS_URL", env.ws_url.clone()),
        ("XMPP_DOMAIN", env.domains.xmpp.clone()),
        ("XMPP_USER", env.domains.panel_jid()),
        ("XMPP_PASSWORD", env.panel_password.clone()),
    ])
}

/// The panel, logged in with its account, in `meeting`.
pub fn account_panel(meeting: &TestMeeting) -> SessionHandle {
    let connector = Arc::new(WebSocketConnector::new(Vec::new()).unwrap());
    session::spawn(
        Arc::new(account_config(meeting)),
        meeting_ref(meeting),
        connector,
    )
    .unwrap()
}

pub fn config_from(pairs: &[(&str, String)]) -> ClientConfig {
    let mut config = ClientConfig::from_vars(|name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap();
    config.timing = Timing {
        backoff_min: Duration::from_millis(200),
        backoff_max: Duration::from_secs(2),
        ..Timing::default()
    };
    config
}

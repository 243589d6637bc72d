//! Token authentication on the test meeting, as §12 of the protocol document
//! records Jitsi's: refusals at login with their texts, a token for another
//! room refused at the join, the token's identity written into presence by the
//! server, and a token's moderator made owner by the focus.

mod common;

use std::time::Duration;

use common::{ClientExt, Probe, TestMeeting};
use serde_json::json;
use testbed::prosody::TokenAuth;
use testbed::stanza::{self, MucPresence};
use testbed::stream::{self, Auth, Link, StreamError};
use testbed::xml::Element;
use testbed::{jid, ns};

async fn token_meeting(room: &str, allow_empty: bool) -> TestMeeting {
    TestMeeting::start_with(room, 0, |o| {
        o.tokens = Some(TokenAuth::random("grupprum-test", allow_empty));
    })
    .await
}

fn node(meeting: &TestMeeting) -> String {
    jid::node(&meeting.room()).unwrap_or_default().to_owned()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Logs in anonymously with `?room=<meeting>` and the token, as Jitsi's web client does.
async fn login(meeting: &TestMeeting, token: Option<&str>) -> Result<Link, StreamError> {
    let env = &meeting.m().env;
    let mut url = format!("{}?room={}", env.ws_url, node(meeting));
    if let Some(token) = token {
        url.push_str("&token=");
        url.push_str(token);
    }
    stream::connect(&url, &env.domains.xmpp, &Auth::Anonymous, "probe").await
}

/// The text of a `not-allowed` SASL refusal.
fn refusal(result: Result<Link, StreamError>) -> String {
    match result {
        Err(StreamError::AuthFailed { condition, text }) if condition == "not-allowed" => {
            text.unwrap_or_default()
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("logged in"),
    }
}

#[tokio::test]
async fn bad_tokens_are_refused_at_login_with_jitsis_words() {
    let meeting = token_meeting("tokenlogin", false).await;
    let env = &meeting.m().env;
    let room = node(&meeting);
    let token = |claims| env.token(&room, "Anna", false, claims).unwrap();
    assert_eq!(refusal(login(&meeting, None).await), "token required");
    let expired = token(json!({"nbf": now() - 600, "exp": now() - 120}));
    assert_eq!(
        refusal(login(&meeting, Some(&expired)).await),
        "Not acceptable by exp"
    );
    let early = token(json!({"nbf": now() + 600}));
    assert_eq!(
        refusal(login(&meeting, Some(&early)).await),
        "Not acceptable by nbf"
    );
    let issuer = token(json!({"iss": "someone-else"}));
    assert_eq!(
        refusal(login(&meeting, Some(&issuer)).await),
        "invalid 'iss' claim"
    );
    let forged = format!("{}x", token(json!({})));
    assert_eq!(
        refusal(login(&meeting, Some(&forged)).await),
        "Invalid signature"
    );
    let good = token(json!({}));
    assert!(login(&meeting, Some(&good)).await.is_ok());
    meeting.stop().await;
}

/// A token without a `room` claim gets no answer at all at login (an
/// upstream bug §12 records): the client times out.
#[tokio::test]
async fn a_token_without_a_room_claim_gets_no_answer() {
    let meeting = token_meeting("tokennoroom", false).await;
    let env = &meeting.m().env;
    let no_room = env
        .token(&node(&meeting), "Anna", false, json!({"room": null}))
        .unwrap();
    match login(&meeting, Some(&no_room)).await {
        Err(StreamError::Timeout(waiting)) => assert!(waiting.contains("SASL"), "{waiting}"),
        Err(other) => panic!("an answer: {other}"),
        Ok(_) => panic!("logged in"),
    }
    meeting.stop().await;
}

/// A probe logged in with `token`.
async fn probe_with(meeting: &TestMeeting, token: &str) -> Probe {
    let env = &meeting.m().env;
    let link = login(meeting, Some(token)).await.expect("logs in");
    Probe::from_link(link, &env.domains.breakout, &env.domains.focus)
}

#[tokio::test]
async fn a_token_for_another_room_logs_in_but_cannot_join() {
    let meeting = token_meeting("tokenroom", true).await;
    assert!(meeting.m().open_room().await);
    let env = &meeting.m().env;
    let room = meeting.room();
    let elsewhere = env.token("elsewhere", "Eve", false, json!({})).unwrap();
    let mut eve = probe_with(&meeting, &elsewhere).await;
    eve.send(stanza::muc_join(
        &format!("{room}/{}", eve.nick),
        Some("Eve"),
    ))
    .await;
    let (_, error) = eve
        .wait_for(Duration::from_secs(5), |e| {
            e.is("presence", ns::CLIENT) && e.get_attr("type") == Some("error")
        })
        .await
        .expect("the join is refused");
    let error = error.get_child("error", ns::CLIENT).expect("an error");
    assert_eq!(error.get_attr("type"), Some("cancel"));
    assert!(
        error.get_child("not-allowed", ns::STANZAS).is_some(),
        "{error}"
    );
    assert_eq!(
        error
            .get_child("text", ns::STANZAS)
            .map(Element::text_content),
        Some("Room and token mismatched".into())
    );
    // The room's own name (in any case) and `*` let the holder in.
    for claim in [node(&meeting).to_uppercase(), "*".to_owned()] {
        let token = env.token(&claim, "Rita", false, json!({})).unwrap();
        let mut rita = probe_with(&meeting, &token).await;
        assert!(rita.join_direct(&room, "Rita").await.is_some(), "{claim}");
        rita.leave().await;
    }
    // Another tenant's token is for another meeting too.
    let tenant = env
        .token("*", "Tove", false, json!({"sub": "other-tenant"}))
        .unwrap();
    let mut tove = probe_with(&meeting, &tenant).await;
    assert!(tove.join_direct(&room, "Tove").await.is_none());
    meeting.stop().await;
}

/// The `<identity><user>` fields of `presence`.
fn identity(presence: &Element) -> Vec<(String, String)> {
    presence
        .get_child("identity", ns::CLIENT)
        .and_then(|i| i.get_child("user", ns::CLIENT))
        .map(|user| {
            user.children()
                .map(|f| (f.name().to_owned(), f.text_content()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_server_writes_the_tokens_identity_and_the_focus_makes_its_moderator_owner() {
    let meeting = token_meeting("tokenidentity", true).await;
    assert!(meeting.m().open_room().await);
    let env = &meeting.m().env;
    let room = meeting.room();
    // An anonymous watcher (tokens are optional here) is in first: the focus makes it owner.
    let mut watcher = meeting.client().await;
    watcher.join_direct(&room, "Watcher").await.expect("joined");
    // Gustav's token says he is no moderator; he claims otherwise in his own presence.
    let gustav_token = env.token("*", "Gustav", false, json!({})).unwrap();
    let mut gustav = probe_with(&meeting, &gustav_token).await;
    let forged = stanza::muc_join(&format!("{room}/{}", gustav.nick), Some("Gustav")).child(
        Element::new("identity", ns::CLIENT).child(
            Element::new("user", ns::CLIENT)
                .child(Element::new("name", ns::CLIENT).text("Forged"))
                .child(Element::new("moderator", ns::CLIENT).text("true")),
        ),
    );
    gustav.send(forged).await;
    let gustav_occupant = format!("{room}/{}", gustav.nick);
    let (_, seen) = watcher
        .wait_for(Duration::from_secs(5), |e| {
            e.get_attr("from") == Some(gustav_occupant.as_str())
        })
        .await
        .expect("Gustav's presence");
    let fields = identity(&seen);
    assert!(
        fields.contains(&("name".into(), "Gustav".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("moderator".into(), "false".into())),
        "{fields:?}"
    );
    assert!(!fields.iter().any(|(_, v)| v == "Forged"), "{fields:?}");
    // Hedda's token makes her a moderator: the focus makes her owner as she joins.
    let hedda_token = env.token("*", "Hedda", true, json!({})).unwrap();
    let mut hedda = probe_with(&meeting, &hedda_token).await;
    hedda.join_direct(&room, "Hedda").await.expect("joined");
    let owner = hedda.wait_moderator(&room).await;
    assert_eq!(owner.affiliation.as_deref(), Some("owner"));
    // Gustav's forged claim made nothing of him.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = gustav
        .self_presence(&room, Duration::from_millis(200))
        .await;
    assert!(
        later
            .as_ref()
            .is_none_or(|p: &MucPresence| p.role.as_deref() != Some("moderator")),
        "{later:?}"
    );
    meeting.stop().await;
}

//! Sign-in with Jitsi JWTs, in process: who may call what, the token taken off
//! the address, the encrypted cookie, and every refusal in the board's words.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use leptos::prelude::LeptosOptions;
use serde_json::json;
use tower::ServiceExt;

mod support;

use support::tokens::{SECRET, jwt_auth, kim, now};
use support::{ONE_AT_A_TIME, Recorder};

const COOKIE_KEY: [u8; 32] = *b"a cookie key of 32 bytes, sealed";

fn token(room: &str, moderator: bool, exp: u64) -> String {
    kim(room, moderator, exp, SECRET)
}

/// The words of a refusal's code on a Swedish page.
fn swedish(code: &str) -> &'static str {
    app::i18n::Lang::Sv.auth_refusal(app::auth::AuthRefusal::from_code(code).expect("a refusal"))
}

fn valid(room: &str) -> String {
    token(room, true, now() + 3600)
}

fn router(service: Arc<Recorder>) -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    server::http::router(server::http::Site {
        meetings: Some(service),
        auth: jwt_auth(&COOKIE_KEY, Some("x-jitsi-token")),
        ..server::http::Site::new(options)
    })
}

async fn send(service: &Arc<Recorder>, request: Request<Body>) -> axum::response::Response {
    router(service.clone()).oneshot(request).await.unwrap()
}

async fn text(response: axum::response::Response) -> String {
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

fn form(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

fn page(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header("accept", "text/html");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// The sign-in cookie a response sets, as a `Cookie` header would carry it.
fn sign_in_cookie(response: &axum::response::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("grupprum_signin=") && !v.starts_with("grupprum_signin=;"))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// Signs in through a board address carrying `?jwt=`.
async fn signed_in(service: &Arc<Recorder>, token: &str) -> String {
    let response = send(service, page(&format!("/demo?lang=en&jwt={token}"), None)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/demo?lang=en",
        "the token is off the address"
    );
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains(token), "the cookie is encrypted: {set}");
    sign_in_cookie(&response).expect("a sign-in cookie")
}

#[tokio::test]
async fn without_a_sign_in_nothing_reaches_a_meeting() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    for (path, body) in [
        ("/api/action", "room=demo&action=create&name=X"),
        ("/api/action", "room=demo&action=join"),
        ("/api/command", "{}"),
        ("/api/meeting", "meeting[room]=demo"),
    ] {
        let response = send(&service, form(path, body, None)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // The live connection's upgrade too.
    let upgrade = Request::get(server::live::path())
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send(&service, upgrade).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A board asks the same path plainly when its socket cannot open: the
    // answer says why, in the page's language.
    let plain = Request::get(format!("{}?lang=sv", server::live::path()))
        .body(Body::empty())
        .unwrap();
    let response = send(&service, plain).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key(app::api::SIGN_IN_REFUSED));
    assert_eq!(text(response).await, swedish("auth-needed"));
    // A cookie from another key is no sign-in.
    let forged = "grupprum_signin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let response = send(
        &service,
        form("/api/action", "room=demo&action=join", Some(forged)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // 100 page loads of a board: nobody joins.
    for _ in 0..100 {
        let response = send(&service, page("/demo", None)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(service.joins.load(Ordering::SeqCst), 0);
    assert!(service.calls.lock().unwrap().is_empty());
    // The board says to sign in, in words, with the way there.
    let html = text(send(&service, page("/demo?lang=en", None)).await).await;
    assert!(html.contains("Sign in first."), "{html}");
    assert!(html.contains("href=\"/?meeting=demo\""), "{html}");
}

#[tokio::test]
async fn a_token_on_the_address_signs_in_and_the_user_moderates_as_themselves() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let cookie = signed_in(&service, &valid("demo")).await;
    let response = send(
        &service,
        form(
            "/api/action",
            "room=demo&action=create&name=Planering",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/demo");
    let commands = service.calls.lock().unwrap().clone();
    assert_eq!(commands.len(), 1);
    let (who, _, _) = &commands[0];
    assert_eq!(who.id, "jwt:meet-test:kim");
    assert_eq!(who.display_name.as_deref(), Some("Kim Lind"));
    assert!(who.token.is_some(), "the user's own token goes to Prosody");
    // The start page says who is signed in, with a way out.
    let html = text(send(&service, page("/?lang=en", Some(&cookie))).await).await;
    assert!(html.contains("Signed in as Kim Lind"), "{html}");
    let response = send(&service, form("/api/signout", "", Some(&cookie))).await;
    let cleared: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("grupprum_signin=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
}

#[tokio::test]
async fn each_bad_token_is_refused_in_words_and_signs_nobody_in() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let expired = token("demo", true, now() - 600);
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &json!({"iss": "meet-test", "room": "demo", "exp": now() + 600}),
        &EncodingKey::from_secret(b"not the secret").unwrap(),
    )
    .unwrap();
    for (bad, code, words) in [
        (expired, "auth-expired", "The token has expired."),
        (forged, "auth-signature", "The token has a wrong signature"),
        (
            "x.y.z".to_owned(),
            "auth-malformed",
            "This is not a valid Jitsi token.",
        ),
    ] {
        let response = send(&service, page(&format!("/demo?jwt={bad}"), None)).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"],
            format!("/?problem={code}").as_str()
        );
        assert!(sign_in_cookie(&response).is_none());
        let html =
            text(send(&service, page(&format!("/?problem={code}&lang=en"), None)).await).await;
        assert!(html.contains(words), "{code}: {html}");
        let html =
            text(send(&service, page(&format!("/?problem={code}&lang=sv"), None)).await).await;
        assert!(html.contains(swedish(code)), "{code}: {html}");
    }
    assert_eq!(service.joins.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_token_for_another_room_opens_nothing_and_logs_in_nowhere() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let cookie = signed_in(&service, &valid("demo")).await;
    let html = text(send(&service, page("/other?lang=en", Some(&cookie))).await).await;
    assert!(
        html.contains("Your token is for another meeting."),
        "{html}"
    );
    let html = text(send(&service, page("/other?lang=sv", Some(&cookie))).await).await;
    assert!(html.contains(swedish("auth-other-room")), "{html}");
    let response = send(
        &service,
        form("/api/action", "room=other&action=join", Some(&cookie)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let response = send(&service, form("/api/open", "meeting=other", Some(&cookie))).await;
    assert_eq!(
        response.headers()["location"],
        "/?meeting=other&name=&problem=auth-other-room"
    );
    assert_eq!(service.joins.load(Ordering::SeqCst), 0, "no login for it");
}

#[tokio::test]
async fn a_user_who_is_not_a_moderator_sees_the_board_but_gives_no_commands() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let cookie = signed_in(&service, &token("demo", false, now() + 3600)).await;
    let response = send(
        &service,
        form("/api/action", "room=demo&action=send_back", Some(&cookie)),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        "/demo?problem=auth-not-moderator"
    );
    assert!(service.calls.lock().unwrap().is_empty());
    let html = text(
        send(
            &service,
            page("/demo?lang=en&problem=auth-not-moderator", Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(
        html.contains("Your token does not make you a moderator"),
        "{html}"
    );
    let html = text(
        send(
            &service,
            page("/demo?lang=sv&problem=auth-not-moderator", Some(&cookie)),
        )
        .await,
    )
    .await;
    assert!(html.contains(swedish("auth-not-moderator")), "{html}");
}

/// No secret of the deployment, and not the user's token, is in any page.
#[tokio::test]
async fn no_secret_or_token_reaches_a_page() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let user_token = valid("demo");
    let cookie = signed_in(&service, &user_token).await;
    let secret = String::from_utf8(SECRET.to_vec()).unwrap();
    let key = String::from_utf8(COOKIE_KEY.to_vec()).unwrap();
    let key_hex: String = COOKIE_KEY.iter().map(|b| format!("{b:02x}")).collect();
    let key_base64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(COOKIE_KEY)
    };
    let secret_base64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(SECRET)
    };
    let signature = user_token.rsplit('.').next().unwrap().to_owned();
    for path in [
        "/?lang=en",
        "/demo?lang=en",
        "/demo?plan&lang=sv",
        "/other?lang=en",
        "/?problem=auth-expired",
    ] {
        for cookie in [None, Some(cookie.as_str())] {
            let html = text(send(&service, page(path, cookie)).await).await;
            for (what, needle) in [
                ("the app secret", secret.as_str()),
                ("the cookie key", key.as_str()),
                ("the cookie key in hexadecimal", key_hex.as_str()),
                ("the cookie key in base64", key_base64.as_str()),
                ("the app secret in base64", secret_base64.as_str()),
                ("the user's token", user_token.as_str()),
                ("the token's signature", signature.as_str()),
            ] {
                assert!(!html.contains(needle), "{what} in {path}");
            }
        }
    }
}

#[tokio::test]
async fn the_start_page_signs_in_with_a_token_and_opens_the_board() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let html = text(send(&service, page("/?lang=en", None)).await).await;
    assert!(html.contains("Jitsi token"), "{html}");
    assert!(!html.contains("data-testid=\"open-notice\""), "{html}");
    let response = send(
        &service,
        form(
            "/api/open",
            &format!("meeting=Demo&token={}", valid("demo")),
            None,
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/Demo");
    assert!(sign_in_cookie(&response).is_some());
    let joined = service.joined.lock().unwrap().clone();
    assert_eq!(joined.len(), 1);
    assert_eq!(joined[0].display_name.as_deref(), Some("Kim Lind"));
    // A refused token goes back with its reason, and nothing typed but the token.
    let response = send(
        &service,
        form(
            "/api/open",
            &format!("meeting=Demo&token={}", token("demo", true, now() - 600)),
            None,
        ),
    )
    .await;
    assert_eq!(
        response.headers()["location"],
        "/?meeting=Demo&name=&problem=auth-expired"
    );
}

#[tokio::test]
async fn a_board_link_asks_for_a_sign_in_first_and_goes_to_the_board_once_signed_in() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    // The board's "sign in" link: the start page, with the meeting kept.
    let response = send(&service, page("/?meeting=demo&lang=en", None)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "no redirect back to the board"
    );
    let html = text(response).await;
    assert!(html.contains("value=\"demo\""), "{html}");
    let cookie = signed_in(&service, &valid("demo")).await;
    let response = send(&service, page("/?meeting=demo&lang=en", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/demo");
}

#[tokio::test]
async fn a_reverse_proxy_may_pass_the_token_in_a_header() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Recorder::default());
    let mut request = form("/api/action", "room=demo&action=join", None);
    request
        .headers_mut()
        .insert("x-jitsi-token", valid("demo").parse().unwrap());
    let response = send(&service, request).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(service.joins.load(Ordering::SeqCst), 1);
    let mut request = form("/api/action", "room=demo&action=join", None);
    request.headers_mut().insert(
        "x-jitsi-token",
        token("demo", true, now() - 600).parse().unwrap(),
    );
    assert_eq!(
        send(&service, request).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

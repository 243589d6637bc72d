//! The HTTP surface, in process: the router answers without a listening socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

mod support;

use support::{ONE_AT_A_TIME, Recorder};

fn router() -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    server::http::router(server::http::Site::new(options))
}

async fn get(path: &str) -> (StatusCode, String) {
    let response = router()
        .oneshot(
            Request::get(path)
                .header("accept", "text/html")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8(body.to_vec()).expect("utf-8"))
}

#[tokio::test]
async fn the_start_page_is_rendered_on_the_server() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (status, html) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Grupprum</h1>"), "{html}");
    assert!(
        html.contains("<form method=\"post\" action=\"/api/open\""),
        "a plain form, working without scripts: {html}"
    );
    assert!(
        html.contains("/pkg/grupprum.js") && html.contains("/pkg/grupprum_bg.wasm"),
        "hydration scripts"
    );
    assert!(html.contains("<html lang=\"sv\""));
    // The panel is open (this router's sign-in): the page says so.
    assert!(
        html.contains(app::i18n::Lang::Sv.page().open_notice),
        "anyone can use it: {html}"
    );
}

#[tokio::test]
async fn an_unknown_page_is_a_404() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (status, html) = get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Sidan finns inte"), "{html}");
}

#[test]
fn bad_jitsi_settings_stop_the_server_with_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_grupprum"))
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_OUTPUT_NAME", "grupprum")
        .env("XMPP_WS_URL", "https://meet.example/http-bind")
        .env("XMPP_DOMAIN", "meet.example")
        .output()
        .expect("the server runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad Jitsi settings: XMPP_WS_URL is not valid: it must be a ws:// or wss:// address without a query"),
        "{stderr}"
    );
}

fn router_with(service: std::sync::Arc<Recorder>) -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    server::http::router(server::http::Site {
        meetings: Some(service),
        policy: server::web_security::Policy::frame_ancestors("https://meet.example").unwrap(),
        ..server::http::Site::new(options)
    })
}

async fn post_form(
    router: axum::Router,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> axum::response::Response {
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html");
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    router
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn board_forms_without_scripts_become_commands_and_go_back_to_the_board() {
    let _turn = ONE_AT_A_TIME.lock().await;
    use app::meeting::Command;
    let service = std::sync::Arc::new(Recorder::default());
    let cookie = ("cookie", "grupprum_id=0123456789abcdef0123456789abcdef");
    let response = post_form(
        router_with(service.clone()),
        "/api/action",
        "room=demo&tenant=agency&action=move&picked%5Bp0a1b2c3d%5D=0a1b2c3d&picked%5Bp12345678%5D=12345678&target=r%40breakout.meet.test",
        &[cookie, ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/agency/demo");
    let response = post_form(
        router_with(service.clone()),
        "/api/action",
        "room=demo&action=create&name=Planering",
        &[cookie],
    )
    .await;
    assert_eq!(response.headers()["location"], "/demo");
    let calls = service.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    let (who, meeting, command) = &calls[0];
    assert_eq!(who.id, "0123456789abcdef0123456789abcdef");
    assert_eq!(meeting.tenant.as_deref(), Some("agency"));
    let Command::Move { participants, to } = command else {
        panic!("{command:?}")
    };
    let mut participants = participants.clone();
    participants.sort();
    assert_eq!(participants, ["0a1b2c3d", "12345678"]);
    assert_eq!(to, "r@breakout.meet.test");
    assert_eq!(
        calls[1].2,
        Command::CreateRoom {
            name: "Planering".into()
        }
    );
}

#[tokio::test]
async fn an_incomplete_form_goes_back_with_the_reason() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = std::sync::Arc::new(Recorder::default());
    let response = post_form(
        router_with(service.clone()),
        "/api/action",
        "room=demo&action=move&target=r%40b",
        &[],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location == "/demo?problem=incomplete", "{location}");
    assert!(service.calls.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn cross_site_calls_are_refused_before_they_reach_a_meeting() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = std::sync::Arc::new(Recorder::default());
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.test"), ("host", "panel.example")],
    ] {
        // A board form, and a plan file (which replaces the meeting's draft).
        for path in ["/api/action", app::library::IMPORT_PATH] {
            let response = post_form(
                router_with(service.clone()),
                path,
                "room=demo&action=send_back",
                &headers,
            )
            .await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} {headers:?}"
            );
        }
    }
    assert!(service.calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_a_script_nonce() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = std::sync::Arc::new(Recorder::default());
    let response = router_with(service)
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let policies: Vec<String> = response
        .headers()
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        policies.contains(&"frame-ancestors https://meet.example".to_owned()),
        "{policies:?}"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(body.to_vec()).unwrap();
    let nonce = html
        .split("<script type=\"module\" nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the hydration script has a nonce");
    assert!(
        policies
            .iter()
            .any(|p| p.contains(&format!("script-src 'nonce-{nonce}'"))),
        "{policies:?}"
    );
}

#[tokio::test]
async fn the_start_page_keeps_the_name_and_token_in_httponly_cookies() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = std::sync::Arc::new(Recorder::default());
    let response = post_form(
        router_with(service.clone()),
        "/api/open",
        "meeting=https%3A%2F%2Fmeet.example%2Fagency%2FDemo&display_name=Kim+%3Cpanel%3E&token=aaa.bbb.ccc",
        &[("x-forwarded-proto", "https")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/agency/Demo");
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let find = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {cookies:?}"))
            .clone()
    };
    for name in ["grupprum_id", "grupprum_name", "grupprum_token"] {
        let cookie = find(name);
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Secure"),
            "{cookie}"
        );
    }
    assert!(find("grupprum_name").starts_with("grupprum_name=Kim%20%3Cpanel%3E;"));
    assert!(find("grupprum_token").starts_with("grupprum_token=aaa.bbb.ccc;"));
    assert!(
        !find("grupprum_token").contains("Max-Age"),
        "gone with the browser"
    );

    // A bad token: back to the start page with what was typed, but never the token.
    let response = post_form(
        router_with(service.clone()),
        "/api/open",
        "meeting=Demo&display_name=Kim&token=not+a+token",
        &[],
    )
    .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/?meeting=Demo&name=Kim&problem=token");
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn the_start_page_offers_the_name_given_before() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let response = router()
        .oneshot(
            Request::get("/")
                .header("cookie", "grupprum_name=Kim%20%3Cpanel%3E")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(html.contains("value=\"Kim &lt;panel&gt;\""), "{html}");
}

/// Views that a fake session shows: the first at once, the others after a second each.
struct Scripted(Vec<app::meeting::MeetingView>);

impl app::service::MeetingService for Scripted {
    fn watch(
        &self,
        _who: &app::service::Moderator,
        _meeting: &app::meeting::MeetingRef,
    ) -> Result<
        futures::stream::BoxStream<'static, app::meeting::MeetingView>,
        app::service::ServiceError,
    > {
        use futures::StreamExt;
        let views = self.0.clone();
        Ok(futures::stream::iter(views.into_iter().enumerate())
            .then(|(i, view)| async move {
                if i > 0 {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
                view
            })
            .chain(futures::stream::pending())
            .boxed())
    }

    fn existing(
        &self,
        who: &app::service::Moderator,
        meeting: &app::meeting::MeetingRef,
    ) -> Option<futures::stream::BoxStream<'static, app::meeting::MeetingView>> {
        self.watch(who, meeting).ok()
    }

    fn command(
        &self,
        _who: &app::service::Moderator,
        _meeting: &app::meeting::MeetingRef,
        _command: app::meeting::Command,
    ) -> futures::future::BoxFuture<
        'static,
        Result<app::meeting::Receipt, app::service::ServiceError>,
    > {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn draft(
        &self,
        _who: &app::service::Moderator,
        _meeting: &app::meeting::MeetingRef,
    ) -> futures::future::BoxFuture<
        'static,
        Result<Option<app::plans::DraftPlan>, app::service::ServiceError>,
    > {
        Box::pin(async { Ok(None) })
    }
}

fn view(status: app::meeting::LinkStatus, moderator: bool) -> app::meeting::MeetingView {
    let meeting = app::meeting::MeetingRef {
        room: "demo".into(),
        tenant: None,
    };
    let mut view = app::meeting::MeetingView::placeholder(meeting);
    view.status = status;
    view.main.jid = "demo@conference.meet.test".into();
    view.me = Some(app::meeting::SelfView {
        id: "abcd1234".into(),
        display_name: "Kim (panel)".into(),
        role: None,
        is_moderator: moderator,
    });
    view
}

async fn board_html(views: Vec<app::meeting::MeetingView>) -> String {
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    let router = server::http::router(server::http::Site {
        meetings: Some(std::sync::Arc::new(Scripted(views))),
        ..server::http::Site::new(options)
    });
    let response = router
        .oneshot(Request::get("/demo").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_fresh_session_gets_a_moment_to_become_moderator_and_an_existing_one_answers_at_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    use app::meeting::LinkStatus::{Connecting, Online};
    // Fresh: connecting, then joined and made moderator by the focus a second later.
    let html = board_html(vec![view(Connecting, false), view(Online, true)]).await;
    assert!(html.contains("data-testid=\"board\""), "{html}");
    assert!(!html.contains("data-testid=\"not-moderator\""), "{html}");
    // Already in the meeting and waiting for a grant: shown as it is, not held up.
    let html = board_html(vec![view(Online, false), view(Online, true)]).await;
    assert!(html.contains("data-testid=\"not-moderator\""), "{html}");
}

#[tokio::test]
async fn the_start_page_never_sends_the_browser_to_another_site() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for query in [
        "meeting=%5Cevil.example",
        "meeting=%2F%2Fevil.example",
        "meeting=https%3A%2F%2Fmeet.example%2F%5Cevil.example",
    ] {
        let response = router()
            .oneshot(
                Request::get(format!("/?{query}"))
                    .header("accept", "text/html")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        if let Some(location) = response.headers().get("location") {
            let location = location.to_str().unwrap();
            assert!(
                location.starts_with('/')
                    && !location.starts_with("//")
                    && !location.contains('\\'),
                "{query}: {location}"
            );
        }
    }
    // A name with a backslash is refused on the page, not redirected.
    let (status, html) = get("/?meeting=%5Cevil.example").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-testid=\"start-problem\""), "{html}");
}

#[tokio::test]
async fn a_control_character_in_the_meeting_is_a_clear_refusal_not_a_crash() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for query in ["meeting=%01", "meeting=a%0Db", "meeting=%EF%BF%BE"] {
        let (status, html) = get(&format!("/?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(
            html.contains("data-testid=\"start-problem\""),
            "{query}: {html}"
        );
    }
    // A room name with odd characters still gets a board address that works.
    let response = router()
        .oneshot(
            Request::get("/?meeting=Veckom%C3%B6te%20%C3%A5r%20")
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/Veckom%C3%B6te%20%C3%A5r");
}

#[tokio::test]
async fn page_loads_never_put_the_panel_into_a_meeting() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = std::sync::Arc::new(Recorder::default());
    for _ in 0..100 {
        let response = router_with(service.clone())
            .oneshot(
                Request::get("/demo")
                    .header("accept", "text/html")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(
        service.joins.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no GET joins"
    );
    // The board says the panel is not in the meeting, with a button that joins.
    let (_, html) = {
        let response = router_with(service.clone())
            .oneshot(Request::get("/demo").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        ((), String::from_utf8(body.to_vec()).unwrap())
    };
    assert!(html.contains("Panelen är inte med i mötet än"), "{html}");
    assert!(html.contains("name=\"action\" value=\"join\""), "{html}");

    // The button (a POST) joins and goes back to the board.
    let response = post_form(
        router_with(service.clone()),
        "/api/action",
        "room=demo&action=join",
        &[("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["location"], "/demo");
    assert_eq!(service.joins.load(std::sync::atomic::Ordering::SeqCst), 1);
    // So does opening the meeting from the start page, as the moderator the
    // browser keeps: the name just given, and the one id in the cookie.
    let response = post_form(
        router_with(service.clone()),
        "/api/open",
        "meeting=demo&display_name=Kim",
        &[("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(service.joins.load(std::sync::atomic::Ordering::SeqCst), 2);
    let joined = service.joined.lock().unwrap().last().cloned().unwrap();
    assert_eq!(joined.display_name.as_deref(), Some("Kim"));
    let ids: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| {
            v.to_str()
                .ok()?
                .strip_prefix("grupprum_id=")
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(ids[0].starts_with(&format!("{};", joined.id)), "{ids:?}");
}

/// Runs the server binary with `vars` until it stops by itself; its stderr.
fn refused_start(vars: &[(&str, &str)]) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_grupprum"));
    command
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_OUTPUT_NAME", "grupprum")
        .env_remove("XMPP_WS_URL")
        .env_remove("GRUPPRUM_AUTH")
        .env_remove("GRUPPRUM_CONFIG");
    for (k, v) in vars {
        command.env(k, v);
    }
    let out = command.output().expect("the server runs");
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_open_panel_off_loopback_or_a_bad_configuration_file_stops_the_server() {
    let stderr = refused_start(&[("LEPTOS_SITE_ADDR", "0.0.0.0:0")]);
    assert!(
        stderr.contains("GRUPPRUM_AUTH=open lets anyone who reaches the panel use it"),
        "{stderr}"
    );
    let dir = std::env::temp_dir().join(format!("grupprum-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("grupprum.toml");
    std::fs::write(
        &file,
        "[jitsi]\nws_ulr = \"wss://meet.example/xmpp-websocket\"\n",
    )
    .unwrap();
    let stderr = refused_start(&[("GRUPPRUM_CONFIG", file.to_str().unwrap())]);
    assert!(
        stderr.contains("bad configuration") && stderr.contains("unknown setting \"jitsi.ws_ulr\""),
        "{stderr}"
    );
    std::fs::write(&file, "[auth]\nmode = \"jwt\"\n").unwrap();
    let stderr = refused_start(&[("GRUPPRUM_CONFIG", file.to_str().unwrap())]);
    assert!(
        stderr.contains(
            "bad sign-in settings: JWT_APP_SECRET, JWT_PUBLIC_KEY_FILE or JWT_ASAP_KEY_SERVER is not set"
        ),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_browser_that_sends_too_many_commands_is_held_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = std::sync::Arc::new(Recorder::default());
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    let router = server::http::router(server::http::Site {
        meetings: Some(service.clone()),
        rate: server::rate_limit::Limiter::new(server::rate_limit::Limits {
            commands_burst: 5,
            commands_per_minute: 1,
            ..server::rate_limit::Limits::default()
        }),
        ..server::http::Site::new(options)
    });
    let cookie = ("cookie", "grupprum_id=0123456789abcdef0123456789abcdef");
    let mut refused = 0;
    for _ in 0..20 {
        let response = post_form(
            router.clone(),
            "/api/action",
            "room=demo&action=create&name=X",
            &[cookie],
        )
        .await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(response.headers().contains_key("retry-after"));
            let body = response.into_body().collect().await.unwrap().to_bytes();
            let words = String::from_utf8(body.to_vec()).unwrap();
            assert_eq!(
                words,
                app::i18n::Lang::Sv.page().rate,
                "a plain form gets words, in the page's language"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 15);
    // The board's scripts get it in words, in the page's language, as a
    // server function's error.
    let response = router
        .clone()
        .oneshot(
            Request::post("/api/command")
                .header("content-type", "application/json")
                .header("accept-language", "sv")
                .header("cookie", cookie.1)
                .body(Body::from(
                    r#"{"meeting":{"room":"demo","tenant":null},"command":"SendEveryoneBack"}"#,
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let error =
        <leptos::prelude::ServerFnError as leptos::server_fn::error::FromServerFnError>::de(body)
            .to_string();
    assert!(error.ends_with(app::i18n::Lang::Sv.page().rate), "{error}");
    assert_eq!(
        service.calls.lock().unwrap().len(),
        5,
        "only the allowed ones reached the meeting"
    );
}

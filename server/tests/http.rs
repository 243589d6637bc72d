//! The HTTP surface, in process: the router answers without a listening socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

fn router() -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    server::http::router(options, None)
}

async fn get(path: &str) -> (StatusCode, String) {
    let response = router()
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
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
    let (status, html) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Grupprum</h1>"), "{html}");
    assert!(
        html.contains("server-rendered"),
        "not yet hydrated in the HTML"
    );
    assert!(
        html.contains("/pkg/grupprum.js") && html.contains("/pkg/grupprum_bg.wasm"),
        "hydration scripts"
    );
    assert!(html.contains("<html lang=\"sv\""));
}

#[tokio::test]
async fn an_unknown_page_is_a_404() {
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

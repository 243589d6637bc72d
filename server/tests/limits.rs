//! What keeps one client from holding the server: the deadline for request
//! headers, the cap on connections, the body limit, and panics turned into 500s.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use server::serve::{Limits, serve};
use server::web_security::Policy;

fn app() -> Router {
    server::http::harden(
        Router::new()
            .route("/", get(|| async { "hello" }))
            .route("/boom", get(boom))
            .route("/ws", get(hold_socket))
            .route(
                "/echo",
                post(|body: String| async move { body.len().to_string() }),
            )
            .route(
                app::library::IMPORT_PATH,
                post(|body: String| async move { body.len().to_string() }),
            ),
        Policy::default(),
    )
}

/// A WebSocket that stays open until the client closes it.
async fn hold_socket(upgrade: axum::extract::ws::WebSocketUpgrade) -> axum::response::Response {
    upgrade.on_upgrade(|mut socket| async move { while socket.recv().await.is_some() {} })
}

async fn boom() -> &'static str {
    panic!("boom")
}

/// Serves [`app`] with `limits` on a free loopback port until the test ends.
async fn start(limits: Limits) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, app(), limits, async move {
        let _ = stop_rx.await;
    }));
    (addr, stop_tx)
}

/// A whole GET, on a connection of its own; the status line.
async fn fetch(addr: std::net::SocketAddr) -> String {
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A connection that sends the start of a request and then nothing.
async fn trickle(addr: std::net::SocketAddr) -> TcpStream {
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: te")
        .await
        .unwrap();
    socket
}

/// True once the server has closed `socket`.
async fn closed_within(socket: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, socket.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A 408 before the close is fine.
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn slow_headers_do_not_stop_the_server_answering_and_are_cut_off() {
    let (addr, _stop) = start(Limits {
        header_read: Duration::from_secs(2),
        max_connections: 1024,
        drain: Duration::from_secs(1),
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        slow.push(trickle(addr).await);
    }
    let asked = Instant::now();
    assert_eq!(fetch(addr).await, "HTTP/1.1 200 OK");
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(1), "answered after {took:?}");
    // Every trickling connection is closed once its headers are late.
    for socket in &mut slow {
        assert!(
            closed_within(socket, Duration::from_secs(5)).await,
            "a slow socket was kept open"
        );
    }
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_place() {
    let (addr, _stop) = start(Limits {
        header_read: Duration::from_secs(2),
        max_connections: 2,
        drain: Duration::from_secs(1),
    })
    .await;
    let _a = trickle(addr).await;
    let _b = trickle(addr).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The third waits until the first two are cut off, then gets its answer.
    let asked = Instant::now();
    assert_eq!(fetch(addr).await, "HTTP/1.1 200 OK");
    let waited = asked.elapsed();
    assert!(
        waited >= Duration::from_millis(1500),
        "answered after {waited:?}, though both places were taken"
    );
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500() {
    let response = app()
        .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    // The server goes on.
    let response = app()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let big = "x".repeat(server::http::MAX_BODY_BYTES + 1);
    let response = app()
        .oneshot(Request::post("/echo").body(Body::from(big)).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let response = app()
        .oneshot(
            Request::post("/echo")
                .body(Body::from("room=demo"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn plan_files_may_be_larger_than_forms_but_not_without_limit() {
    let file = "x".repeat(server::http::MAX_BODY_BYTES * 4);
    let response = app()
        .oneshot(
            Request::post(app::library::IMPORT_PATH)
                .body(Body::from(file))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // The route reads a file no further than a file may be; past that the
    // request is refused all the same (axum's 2 MB).
    let huge = "x".repeat(3 * 1024 * 1024);
    let response = app()
        .oneshot(
            Request::post(app::library::IMPORT_PATH)
                .body(Body::from(huge))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_open_websocket_holds_its_place_among_the_connections() {
    let (addr, _stop) = start(Limits {
        header_read: Duration::from_secs(2),
        max_connections: 1,
        drain: Duration::from_secs(1),
    })
    .await;
    let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    // The only place is the socket's: a page waits.
    let waiting = tokio::spawn(fetch(addr));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "answered while the socket held the place"
    );
    drop(socket);
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("answered once the socket closed")
        .unwrap();
    assert_eq!(answer, "HTTP/1.1 200 OK");
}

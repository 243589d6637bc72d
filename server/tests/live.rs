//! The board's live connection over a real socket: who may open it, the size of
//! what a browser may send, and the session released when the socket ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use app::meeting::{MeetingRef, MeetingView};
use app::service::{MeetingService, Moderator, ServiceError};
use futures::{SinkExt, StreamExt};
use leptos::prelude::LeptosOptions;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

mod support;

use support::ONE_AT_A_TIME;

/// A meeting whose view never changes; counts its watchers.
#[derive(Default)]
struct Still {
    watching: Arc<AtomicUsize>,
}

struct Watcher(Arc<AtomicUsize>);

impl Drop for Watcher {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl MeetingService for Still {
    fn watch(
        &self,
        _who: &Moderator,
        meeting: &MeetingRef,
    ) -> Result<futures::stream::BoxStream<'static, MeetingView>, ServiceError> {
        self.watching.fetch_add(1, Ordering::SeqCst);
        let watcher = Watcher(self.watching.clone());
        let view = MeetingView::placeholder(meeting.clone());
        Ok(futures::stream::once(async move { view })
            .chain(futures::stream::pending())
            .map(move |view| {
                let _ = &watcher;
                view
            })
            .boxed())
    }

    fn existing(
        &self,
        _who: &Moderator,
        _meeting: &MeetingRef,
    ) -> Option<futures::stream::BoxStream<'static, MeetingView>> {
        None
    }

    fn command(
        &self,
        _who: &Moderator,
        _meeting: &MeetingRef,
        _command: app::meeting::Command,
    ) -> futures::future::BoxFuture<'static, Result<app::meeting::Receipt, ServiceError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn draft(
        &self,
        _who: &Moderator,
        _meeting: &MeetingRef,
    ) -> futures::future::BoxFuture<'static, Result<Option<app::plans::DraftPlan>, ServiceError>>
    {
        Box::pin(async { Ok(None) })
    }
}

async fn start(service: Arc<Still>) -> (String, tokio::sync::oneshot::Sender<()>) {
    let options = LeptosOptions::builder()
        .output_name("grupprum")
        .site_root("target/site")
        .build();
    let router = server::http::router(server::http::Site {
        meetings: Some(service),
        ..server::http::Site::new(options)
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve::serve(
        listener,
        router,
        server::serve::Limits::default(),
        async move {
            let _ = stop_rx.await;
        },
    ));
    (format!("ws://{addr}{}", server::live::path()), stop_tx)
}

fn request(
    url: &str,
    cookie: Option<&str>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = url.into_client_request().unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    request
}

const COOKIE: &str = "grupprum_id=0123456789abcdef0123456789abcdef";

fn first_message(room: &str) -> Message {
    let mut bytes = vec![0u8];
    bytes.extend(
        serde_json::to_vec(&MeetingRef {
            room: room.into(),
            tenant: None,
        })
        .unwrap(),
    );
    Message::Binary(bytes.into())
}

#[tokio::test]
async fn a_browser_without_an_id_cannot_open_the_live_connection() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Still::default());
    let (url, _stop) = start(service.clone()).await;
    let refused = tokio_tungstenite::connect_async(request(&url, None)).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401);
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    assert_eq!(service.watching.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_live_connection_sends_views_and_releases_the_session_when_it_ends() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Still::default());
    let (url, _stop) = start(service.clone()).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(request(&url, Some(COOKIE)))
        .await
        .unwrap();
    socket.send(first_message("demo")).await.unwrap();
    let Some(Ok(Message::Binary(frame))) = socket.next().await else {
        panic!("a view")
    };
    assert_eq!(frame[0], 0);
    let view: MeetingView = serde_json::from_slice(&frame[1..]).unwrap();
    assert_eq!(view.meeting.room, "demo");
    assert_eq!(service.watching.load(Ordering::SeqCst), 1);
    drop(socket);
    let mut released = false;
    for _ in 0..50 {
        if service.watching.load(Ordering::SeqCst) == 0 {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(released, "the watcher went with the socket");
}

#[tokio::test]
async fn a_message_over_64_kib_closes_the_socket() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Still::default());
    let (url, _stop) = start(service.clone()).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(request(&url, Some(COOKIE)))
        .await
        .unwrap();
    socket.send(first_message("demo")).await.unwrap();
    let _view = socket.next().await;
    let _ = socket
        .send(Message::Binary(vec![0u8; 1 << 20].into()))
        .await;
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the socket stayed open");
    let mut released = false;
    for _ in 0..50 {
        if service.watching.load(Ordering::SeqCst) == 0 {
            released = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(released);
}

#[tokio::test]
async fn a_bad_meeting_gets_an_error_and_joins_nothing() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let service = Arc::new(Still::default());
    let (url, _stop) = start(service.clone()).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(request(&url, Some(COOKIE)))
        .await
        .unwrap();
    socket.send(first_message("\\evil")).await.unwrap();
    let Some(Ok(Message::Binary(frame))) = socket.next().await else {
        panic!("an error")
    };
    assert_eq!(frame[0], 1);
    assert_eq!(service.watching.load(Ordering::SeqCst), 0);
}

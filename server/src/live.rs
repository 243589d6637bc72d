//! The board's live connection, served here with limits the server function's
//! own handler cannot set. The browser calls the `watch_meeting` WebSocket
//! server function as before and the wire stays its format (each message a tag
//! byte, 0 for a value and 1 for an error, then JSON); this handler takes its
//! path first and:
//!
//! * accepts messages of at most [`MAX_MESSAGE_BYTES`] (a larger one closes the
//!   socket: the browser sends one small message, the meeting it watches);
//! * sends the latest view only: while a socket is slow to read, the views it
//!   missed are skipped, never queued, so a socket holds at most the view being
//!   sent and the newest one;
//! * releases the session's watcher as soon as the socket ends, so the session
//!   leaves the meeting after its idle time.

use std::sync::Arc;
use std::time::Duration;

use app::api::{LiveRefusal, WatchMeeting};
use app::auth::SignedIn;
use app::i18n::Lang;
use app::meeting::{MeetingRef, MeetingView};
use app::service::{MeetingService, Moderator, ServiceError};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::stream::BoxStream;
use futures::{Sink, SinkExt, StreamExt};
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::FromServerFnError;

/// Largest message a browser may send on the live connection.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// How long a new socket may take to name its meeting.
const FIRST_MESSAGE: Duration = Duration::from_secs(10);
/// How often an idle socket is pinged, so that a vanished browser is noticed.
const PING_EVERY: Duration = Duration::from_secs(20);
/// How long one message may take to go out: a browser that stops reading for
/// longer is gone, and its socket (and its watcher) are released.
const SEND_LIMIT: Duration = Duration::from_secs(30);
/// How long a browser may stay silent: it answers each ping with a pong, which
/// can come a ping interval and a slow send after the last.
const QUIET_LIMIT: Duration = Duration::from_secs(90);
/// How long the last words (a refusal, the close) may take to go out.
const LAST_WORDS: Duration = Duration::from_secs(5);

/// The path of the live connection.
pub fn path() -> &'static str {
    <WatchMeeting as ServerFn>::PATH
}

/// What the handler needs.
#[derive(Clone)]
pub struct Live {
    pub meetings: Option<Arc<dyn MeetingService>>,
}

/// The middleware: the live path is answered here, everything else goes on.
pub async fn intercept(State(live): State<Live>, request: Request, next: Next) -> Response {
    if request.uri().path() != path() {
        return next.run(request).await;
    }
    let (mut parts, _body) = request.into_parts();
    // Before the upgrade, so that a board whose sign-in has ended can learn so
    // with a plain request (a browser never shows a refused upgrade's answer).
    let Some((who, user)) = crate::auth::requester(&parts) else {
        return crate::worded::sign_in_needed(&parts.uri, &parts.headers);
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let Some(meetings) = live.meetings else {
        let code = app::api::NO_SERVICE;
        return crate::worded::refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            &parts.uri,
            &parts.headers,
        );
    };
    let lang = Lang::of_request(&parts.uri, &parts.headers);
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| follow(socket, meetings, who, user, lang))
}

async fn follow(
    socket: WebSocket,
    meetings: Arc<dyn MeetingService>,
    who: Moderator,
    user: Option<SignedIn>,
    lang: Lang,
) {
    // A refusal, in the page's language: the board shows it and does not
    // try again.
    let refusal = |code: &str| error_frame(LiveRefusal::Final(lang.error_text(code)));
    let (mut sink, mut stream) = socket.split();
    let meeting = match tokio::time::timeout(FIRST_MESSAGE, stream.next()).await {
        Ok(Some(Ok(message))) => read_meeting(&message),
        _ => return,
    };
    let meeting = match meeting {
        Some(meeting) if meeting.is_valid() => meeting,
        _ => return last_words(sink, Some(refusal("meeting"))).await,
    };
    if let Some(Err(refused)) = user.as_ref().map(|u| u.may_open(&meeting)) {
        return last_words(sink, Some(refusal(refused.code()))).await;
    }
    let views = match meetings.watch(&who, &meeting) {
        Ok(views) => views,
        Err(e) => {
            // The panel at its cap may have room later: the board tries again.
            let words = lang.error_text(&e.to_string());
            let refused = match e {
                ServiceError::Busy(_) => LiveRefusal::Later(words),
                _ => LiveRefusal::Final(words),
            };
            return last_words(sink, Some(error_frame(refused))).await;
        }
    };
    // Whatever the browser sends after its first message ends nothing, but a
    // message over the limit, a close, a broken socket or a browser silent
    // for longer than [`QUIET_LIMIT`] (it answers every ping) ends the
    // connection.
    let incoming = async move {
        while let Ok(Some(Ok(message))) = tokio::time::timeout(QUIET_LIMIT, stream.next()).await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    };
    // The connection ends with the sign-in (when the user's token does).
    let signed_out = async {
        match user.as_ref().map(|u| u.expires) {
            Some(expires) => {
                let left = expires.saturating_sub(crate::auth::now());
                tokio::time::sleep(Duration::from_secs(left)).await;
            }
            None => std::future::pending().await,
        }
    };
    let last = tokio::select! {
        () = incoming => None,
        () = forward(views, &mut sink, PING_EVERY, SEND_LIMIT) => None,
        () = signed_out => Some(refusal(app::auth::AuthRefusal::Expired.code())),
    };
    last_words(sink, last).await;
}

/// Sends `frame` (if any) and closes, each within [`LAST_WORDS`]: a browser
/// that reads nothing more does not hold the socket.
async fn last_words<S>(mut sink: S, frame: Option<Message>)
where
    S: Sink<Message> + Unpin,
{
    if let Some(frame) = frame {
        let _ = tokio::time::timeout(LAST_WORDS, sink.send(frame)).await;
    }
    let _ = tokio::time::timeout(LAST_WORDS, sink.close()).await;
}

/// Sends each view as the browser takes it: while a send waits, newer views
/// replace older ones in the session's `watch` channel, so nothing queues up
/// here. Pings an idle socket every `ping_every`. Ends with the views, with
/// the socket, or when a message has not gone out within `send_limit`.
pub async fn forward<S>(
    mut views: BoxStream<'static, MeetingView>,
    sink: &mut S,
    ping_every: Duration,
    send_limit: Duration,
) where
    S: Sink<Message> + Unpin,
{
    let mut ping = tokio::time::interval(ping_every);
    ping.tick().await;
    loop {
        let message = tokio::select! {
            view = views.next() => match view {
                Some(view) => view_frame(&view),
                None => return,
            },
            _ = ping.tick() => Message::Ping(Vec::new().into()),
        };
        if !matches!(
            tokio::time::timeout(send_limit, sink.send(message)).await,
            Ok(Ok(()))
        ) {
            return;
        }
    }
}

/// The browser's first message: the meeting, as the server function encodes it.
fn read_meeting(message: &Message) -> Option<MeetingRef> {
    let bytes: &[u8] = match message {
        Message::Binary(bytes) => bytes,
        Message::Text(text) => text.as_bytes(),
        _ => return None,
    };
    let (&tag, json) = bytes.split_first()?;
    if tag != 0 {
        return None;
    }
    serde_json::from_slice(json).ok()
}

fn view_frame(view: &MeetingView) -> Message {
    let mut bytes = vec![0u8];
    match serde_json::to_writer(&mut bytes, view) {
        Ok(()) => Message::Binary(bytes.into()),
        Err(e) => {
            // The browser reconnects and gets the view afresh.
            tracing::error!("a view could not be written: {e}");
            Message::Close(None)
        }
    }
}

fn error_frame(refusal: LiveRefusal) -> Message {
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(&refusal.into_error().ser());
    Message::Binary(bytes.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::meeting::LinkStatus;
    use leptos::prelude::ServerFnError;

    fn view(n: usize) -> MeetingView {
        let mut view = MeetingView::placeholder(MeetingRef {
            room: "demo".into(),
            tenant: None,
        });
        view.main.name = Some(n.to_string());
        view.status = LinkStatus::Online;
        view
    }

    #[test]
    fn frames_are_the_server_functions_format() {
        let meeting = MeetingRef {
            room: "demo".into(),
            tenant: Some("agency".into()),
        };
        let mut first = vec![0u8];
        first.extend(serde_json::to_vec(&meeting).unwrap());
        assert_eq!(read_meeting(&Message::Binary(first.into())), Some(meeting));
        assert_eq!(read_meeting(&Message::Binary(vec![1u8, b'{'].into())), None);
        assert_eq!(read_meeting(&Message::Binary(Vec::new().into())), None);
        let Message::Binary(frame) = view_frame(&view(3)) else {
            panic!("binary")
        };
        assert_eq!(frame[0], 0);
        let back: MeetingView = serde_json::from_slice(&frame[1..]).unwrap();
        assert_eq!(back, view(3));
        for refusal in [
            LiveRefusal::Final("Token har gått ut.".into()),
            LiveRefusal::Later("Försök igen om en stund.".into()),
        ] {
            let Message::Binary(error) = error_frame(refusal.clone()) else {
                panic!("binary")
            };
            assert_eq!(error[0], 1);
            let back = ServerFnError::de(error.slice(1..));
            assert_eq!(LiveRefusal::from_error(back), Some(refusal));
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    /// The meeting's views as a session gives them: the latest first, then
    /// each change, skipping what a slow reader missed.
    fn latest(rx: tokio::sync::watch::Receiver<MeetingView>) -> BoxStream<'static, MeetingView> {
        futures::stream::unfold((rx, true), |(mut rx, first)| async move {
            if !first {
                rx.changed().await.ok()?;
            }
            let view = rx.borrow_and_update().clone();
            Some((view, (rx, false)))
        })
        .boxed()
    }

    fn name(message: Option<Message>) -> Option<String> {
        let Some(Message::Binary(frame)) = message else {
            return None;
        };
        serde_json::from_slice::<MeetingView>(&frame[1..])
            .ok()?
            .main
            .name
    }

    /// A browser that stops reading while the meeting changes 5,000 times:
    /// what waits for it on the server is the view on its way and the newest,
    /// nothing more (and the socket's buffer holds what it took before).
    #[tokio::test]
    async fn a_socket_that_stops_reading_leaves_two_views_waiting_on_the_server() {
        let (tx, rx) = tokio::sync::watch::channel(view(0));
        // The channel's one place is the socket's buffer.
        let (sink_tx, mut sink_rx) = futures::channel::mpsc::channel::<Message>(0);
        let mut sink = sink_tx.sink_map_err(|_| ());
        let forwarding =
            tokio::spawn(async move { forward(latest(rx), &mut sink, HOUR, HOUR).await });
        assert_eq!(name(sink_rx.next().await).as_deref(), Some("0"));
        // It stops reading.
        for n in 1..=5000 {
            tx.send_replace(view(n));
            tokio::task::yield_now().await;
        }
        let mut waiting = Vec::new();
        while let Ok(message) =
            tokio::time::timeout(Duration::from_millis(300), sink_rx.next()).await
        {
            waiting.push(name(message).expect("a view"));
        }
        // What the socket's buffer took before it filled, then what the
        // server holds: the view being sent and the newest.
        assert!(
            (1..=3).contains(&waiting.len()),
            "the buffer's view, the one being sent and the newest: {waiting:?}"
        );
        assert_eq!(waiting.last().map(String::as_str), Some("5000"));
        forwarding.abort();
    }

    /// A browser that never reads again is let go once a message has waited
    /// for it for the send limit.
    #[tokio::test(start_paused = true)]
    async fn a_socket_that_never_reads_again_is_released() {
        let (tx, rx) = tokio::sync::watch::channel(view(0));
        let (sink_tx, mut sink_rx) = futures::channel::mpsc::channel::<Message>(0);
        let mut sink = sink_tx.sink_map_err(|_| ());
        let limit = Duration::from_secs(30);
        let forwarding =
            tokio::spawn(async move { forward(latest(rx), &mut sink, HOUR, limit).await });
        assert_eq!(name(sink_rx.next().await).as_deref(), Some("0"));
        tx.send_replace(view(1));
        tx.send_replace(view(2));
        let started = tokio::time::Instant::now();
        tokio::time::timeout(Duration::from_secs(120), forwarding)
            .await
            .expect("the forwarding ends")
            .unwrap();
        let waited = started.elapsed();
        assert!(waited >= limit && waited < limit * 2, "{waited:?}");
        drop(sink_rx);
    }

    /// A browser that takes one message every 20 ms while the meeting changes
    /// 5,000 times as fast as it can: it gets a few views, the last one the
    /// newest, and nothing waits in between.
    #[tokio::test]
    async fn a_slow_reader_gets_the_latest_view_and_no_backlog() {
        let (tx, rx) = tokio::sync::watch::channel(view(0));
        let views = latest(rx);
        let (sink_tx, mut sink_rx) = futures::channel::mpsc::channel::<Message>(0);
        let mut sink = sink_tx.sink_map_err(|_| ());
        let forwarding = tokio::spawn(async move { forward(views, &mut sink, HOUR, HOUR).await });
        let changes = tokio::spawn(async move {
            for n in 1..=5000 {
                tx.send_replace(view(n));
                tokio::task::yield_now().await;
            }
            tx
        });
        let mut received = Vec::new();
        let mut last = None;
        loop {
            let next = tokio::time::timeout(Duration::from_millis(300), sink_rx.next()).await;
            let Ok(Some(Message::Binary(frame))) = next else {
                break;
            };
            let view: MeetingView = serde_json::from_slice(&frame[1..]).unwrap();
            last = view.main.name.clone();
            received.push(view);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let tx = changes.await.unwrap();
        drop(tx);
        forwarding.abort();
        assert_eq!(last.as_deref(), Some("5000"), "the newest view arrives");
        assert!(
            received.len() < 100,
            "{} views sent to a reader that took one each 20 ms",
            received.len()
        );
    }
}

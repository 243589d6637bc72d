//! The listening loop: HTTP/1.1 with a deadline for every request's headers (so
//! a client that trickles them, or opens a connection and says nothing, is cut
//! off) and a cap on open connections, WebSockets included (the next one waits
//! for a free place).
//! A stop signal ends the loop, asks open connections to finish, and gives them
//! a few seconds.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::Service;

/// How the server treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A request's headers must arrive within this time, and an idle
    /// keep-alive connection closes after it.
    pub header_read: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// How long open connections may take to finish after a stop.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            max_connections: 1024,
            drain: Duration::from_secs(3),
        }
    }
}

/// Serves `router` on `listener` until `stop` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let places = Arc::new(Semaphore::new(limits.max_connections));
    let (stopping_tx, stopping) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => match place {
                Ok(place) => place,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = match make_service.call(peer).await {
            Ok(service) => service,
            Err(never) => match never {},
        };
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read);
            let service = TowerToHyperService::new(service);
            // The socket holds its place, also once it is upgraded to a
            // WebSocket (the connection future ends at the upgrade).
            let socket = Held {
                io: socket,
                _place: place,
            };
            let connection = builder
                .serve_connection(TokioIo::new(socket), service)
                .with_upgrades();
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => log_end(result),
                () = async { drop(stopping.wait_for(|s| *s).await) } => {
                    connection.as_mut().graceful_shutdown();
                    log_end(connection.await);
                }
            }
        });
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    // Connections hold a place each until they end.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.drain, places.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!(
            "connections still open after {} s: closing them",
            limits.drain.as_secs()
        );
    }
}

/// A socket with its place among the open connections: the place is free
/// again only when the socket is closed, whatever it was upgraded to.
struct Held {
    io: TcpStream,
    _place: OwnedSemaphorePermit,
}

impl AsyncRead for Held {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Held {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

fn log_end(result: Result<(), hyper::Error>) {
    if let Err(e) = result
        && !e.is_incomplete_message()
    {
        tracing::debug!("a connection ended: {e}");
    }
}

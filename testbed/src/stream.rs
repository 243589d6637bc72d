//! A minimal XMPP-over-WebSocket client (RFC 7395): opens the stream,
//! authenticates (SASL ANONYMOUS or PLAIN), binds a resource, and then hands out
//! a [`Link`]: one channel of incoming stanzas and a sender for outgoing ones.

use std::time::Duration;

use base64::Engine;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::ns;
use crate::xml::{Element, XmlError};

/// Longest wait for any step of the stream set-up.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest stanza accepted from the server.
const MAX_STANZA_BYTES: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
    #[error("websocket: {0}")]
    WebSocket(Box<tokio_tungstenite::tungstenite::Error>),
    #[error("bad XML from the server: {0}")]
    Xml(#[from] XmlError),
    #[error("the server closed the stream")]
    Closed,
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    #[error("authentication failed: {condition} ({text:?})")]
    AuthFailed {
        condition: String,
        text: Option<String>,
    },
    #[error("the server offers no {0}")]
    Unsupported(&'static str),
    #[error("unexpected {got} while waiting for {waiting}")]
    Unexpected { got: String, waiting: &'static str },
}

/// How to log in.
#[derive(Debug, Clone)]
pub enum Auth {
    Anonymous,
    Plain { user: String, password: String },
}

/// A logged-in XMPP session.
pub struct Link {
    /// The full JID the server bound.
    pub jid: String,
    /// Outgoing stanzas.
    pub tx: mpsc::Sender<Element>,
    /// Incoming stanzas; `None` once the stream ends.
    pub rx: mpsc::Receiver<Element>,
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects to `url`, opens a stream to `domain`, logs in and binds `resource`.
pub async fn connect(
    url: &str,
    domain: &str,
    auth: &Auth,
    resource: &str,
) -> Result<Link, StreamError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| StreamError::Connect {
            url: url.to_owned(),
            source: Box::new(e),
        })?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("xmpp"));
    let (mut ws, _) = tokio::time::timeout(STEP_TIMEOUT, tokio_tungstenite::connect_async(request))
        .await
        .map_err(|_| StreamError::Timeout("the websocket handshake"))?
        .map_err(|e| StreamError::Connect {
            url: url.to_owned(),
            source: Box::new(e),
        })?;

    let features = open_stream(&mut ws, domain).await?;
    let mechanisms = features
        .get_child("mechanisms", ns::SASL)
        .ok_or(StreamError::Unsupported("SASL"))?;
    let offered: Vec<String> = mechanisms.children().map(|m| m.text_content()).collect();
    let auth_element = match auth {
        Auth::Anonymous => {
            if !offered.iter().any(|m| m == "ANONYMOUS") {
                return Err(StreamError::Unsupported("SASL ANONYMOUS"));
            }
            Element::new("auth", ns::SASL).attr("mechanism", "ANONYMOUS")
        }
        Auth::Plain { user, password } => {
            if !offered.iter().any(|m| m == "PLAIN") {
                return Err(StreamError::Unsupported("SASL PLAIN"));
            }
            let blob = format!("\0{user}\0{password}");
            Element::new("auth", ns::SASL)
                .attr("mechanism", "PLAIN")
                .text(base64::engine::general_purpose::STANDARD.encode(blob))
        }
    };
    send(&mut ws, &auth_element).await?;
    let outcome = recv(&mut ws, "the SASL outcome").await?;
    if !outcome.is("success", ns::SASL) {
        let condition = outcome
            .children()
            .find(|c| c.name() != "text")
            .map(|c| c.name().to_owned())
            .unwrap_or_default();
        let text = outcome
            .get_child("text", ns::SASL)
            .map(Element::text_content);
        return Err(StreamError::AuthFailed { condition, text });
    }

    let features = open_stream(&mut ws, domain).await?;
    if features.get_child("bind", ns::BIND).is_none() {
        return Err(StreamError::Unsupported("resource binding"));
    }
    let bind = Element::new("iq", ns::CLIENT)
        .attr("type", "set")
        .attr("id", "bind1")
        .child(
            Element::new("bind", ns::BIND).child(Element::new("resource", ns::BIND).text(resource)),
        );
    send(&mut ws, &bind).await?;
    let reply = recv(&mut ws, "the bind result").await?;
    let jid = reply
        .get_child("bind", ns::BIND)
        .and_then(|b| b.get_child("jid", ns::BIND))
        .map(Element::text_content)
        .filter(|_| reply.get_attr("type") == Some("result"))
        .ok_or_else(|| StreamError::Unexpected {
            got: reply.to_xml(),
            waiting: "the bind result",
        })?;

    Ok(spawn_pumps(ws, jid))
}

async fn open_stream(ws: &mut Ws, domain: &str) -> Result<Element, StreamError> {
    let open = Element::new("open", ns::FRAMING)
        .attr("to", domain)
        .attr("version", "1.0");
    send(ws, &open).await?;
    let reply = recv(ws, "the stream header").await?;
    if !reply.is("open", ns::FRAMING) {
        return Err(StreamError::Unexpected {
            got: reply.to_xml(),
            waiting: "the stream header",
        });
    }
    let features = recv(ws, "the stream features").await?;
    if !features.is("features", ns::STREAMS) {
        return Err(StreamError::Unexpected {
            got: features.to_xml(),
            waiting: "the stream features",
        });
    }
    Ok(features)
}

async fn send(ws: &mut Ws, element: &Element) -> Result<(), StreamError> {
    ws.send(Message::text(element.to_xml()))
        .await
        .map_err(|e| StreamError::WebSocket(Box::new(e)))
}

async fn recv(ws: &mut Ws, waiting: &'static str) -> Result<Element, StreamError> {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => return parse_frame(&text),
                Some(Ok(Message::Close(_))) | None => return Err(StreamError::Closed),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(StreamError::WebSocket(Box::new(e))),
            }
        }
    };
    tokio::time::timeout(STEP_TIMEOUT, read)
        .await
        .map_err(|_| StreamError::Timeout(waiting))?
}

fn parse_frame(text: &str) -> Result<Element, StreamError> {
    if text.len() > MAX_STANZA_BYTES {
        return Err(StreamError::Unexpected {
            got: format!("a frame of {} bytes", text.len()),
            waiting: "a stanza",
        });
    }
    let element = Element::parse(text)?;
    if element.is("close", ns::FRAMING) {
        return Err(StreamError::Closed);
    }
    Ok(element)
}

/// Moves the socket into two tasks: a reader that parses frames into stanzas and a
/// writer that serialises stanzas. Dropping the [`Link`]'s sender closes the stream.
fn spawn_pumps(ws: Ws, jid: String) -> Link {
    let (mut sink, mut source) = ws.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Element>(256);
    let (in_tx, in_rx) = mpsc::channel::<Element>(256);
    let who = jid.clone();
    tokio::spawn(async move {
        while let Some(element) = out_rx.recv().await {
            if sink.send(Message::text(element.to_xml())).await.is_err() {
                return;
            }
        }
        let close = Element::new("close", ns::FRAMING);
        let _ = sink.send(Message::text(close.to_xml())).await;
        let _ = sink.close().await;
    });
    tokio::spawn(async move {
        while let Some(frame) = source.next().await {
            let text = match frame {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => continue,
            };
            match parse_frame(&text) {
                Ok(element) => {
                    if in_tx.send(element).await.is_err() {
                        break;
                    }
                }
                Err(StreamError::Closed) => break,
                Err(e) => {
                    tracing::warn!(%who, "dropping a bad frame: {e}");
                }
            }
        }
    });
    Link {
        jid,
        tx: out_tx,
        rx: in_rx,
    }
}

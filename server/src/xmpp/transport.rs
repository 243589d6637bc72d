//! XMPP over WebSocket (RFC 7395): one complete element per WebSocket text message,
//! `<open/>` and `<close/>` framing, then SASL and resource binding.
//!
//! Everything above the socket works on [`Element`]s through [`Transport`], so the
//! session can run against a scripted peer in tests.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{Sink, SinkExt, Stream, StreamExt};
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest, http::HeaderValue};
use url::Url;

use super::ns;
use super::sasl::{self, Credentials, Mechanism, SaslError, Scram};
use super::xml::{Element, XmlError};

/// Largest stanza accepted from the server. A breakout update for 2,000
/// participants whose names are 64 characters, three in four of them escaped
/// in XML, is 1,140,585 bytes (`a_two_thousand_person_update_fits_the_frame_limit`),
/// so 4 MiB leaves it room to grow; Prosody caps what clients send at 256 KiB,
/// not what it sends.
pub const MAX_STANZA_BYTES: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("bad service address {0:?}: it must be ws:// or wss://")]
    BadUrl(String),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("the connection failed: {0}")]
    WebSocket(String),
    #[error("the server sent bad XML: {0}")]
    Xml(#[from] XmlError),
    #[error("the server sent a stanza of {0} bytes, more than the limit")]
    TooLarge(usize),
    #[error("the server closed the stream")]
    Closed,
    #[error("the server ended the stream: {0}")]
    StreamError(String),
    #[error("no answer to {0} in time")]
    Timeout(&'static str),
    #[error("login refused: {condition}{}", text.as_ref().map(|t| format!(" ({t})")).unwrap_or_default())]
    AuthFailed {
        /// The SASL condition (`not-allowed`, `not-authorized`…).
        condition: String,
        /// The server's words, if any (Jitsi's token checks say why here).
        text: Option<String>,
    },
    #[error(transparent)]
    Sasl(#[from] SaslError),
    #[error("the server offers no {0}")]
    Unsupported(&'static str),
    #[error("unexpected {got} while waiting for {waiting}")]
    Unexpected { got: String, waiting: &'static str },
}

/// Outgoing elements.
pub type ElementSink = Pin<Box<dyn Sink<Element, Error = TransportError> + Send>>;
/// Incoming elements; the stream ends when the server closes the stream.
pub type ElementStream = Pin<Box<dyn Stream<Item = Result<Element, TransportError>> + Send>>;

/// A connected, not yet negotiated, XMPP stream.
pub struct Transport {
    pub sink: ElementSink,
    pub stream: ElementStream,
}

/// Opens transports; the session reconnects through it.
pub trait Connector: Send + Sync + 'static {
    fn connect(
        &self,
        url: Url,
    ) -> futures::future::BoxFuture<'static, Result<Transport, TransportError>>;
}

/// The real connector: tokio-tungstenite with rustls and Mozilla's root certificates,
/// plus any extra roots an operator provides for an internal CA.
pub struct WebSocketConnector {
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
}

impl WebSocketConnector {
    pub fn new(
        extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    ) -> Result<Self, TransportError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for cert in extra_roots {
            roots
                .add(cert)
                .map_err(|e| TransportError::Connect(format!("bad CA certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TransportError::Connect(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            tls: Arc::new(tls),
            timeout: Duration::from_secs(10),
        })
    }
}

impl Connector for WebSocketConnector {
    fn connect(
        &self,
        url: Url,
    ) -> futures::future::BoxFuture<'static, Result<Transport, TransportError>> {
        let tls = self.tls.clone();
        let timeout = self.timeout;
        Box::pin(async move {
            if !matches!(url.scheme(), "ws" | "wss") {
                return Err(TransportError::BadUrl(redact(&url)));
            }
            let mut request = url
                .as_str()
                .into_client_request()
                .map_err(|e| TransportError::Connect(e.to_string()))?;
            request
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("xmpp"));
            let config = tungstenite::protocol::WebSocketConfig::default()
                .max_message_size(Some(MAX_STANZA_BYTES))
                .max_frame_size(Some(MAX_STANZA_BYTES));
            let connector = tokio_tungstenite::Connector::Rustls(tls);
            let (ws, _) = tokio::time::timeout(
                timeout,
                tokio_tungstenite::connect_async_tls_with_config(
                    request,
                    Some(config),
                    false,
                    Some(connector),
                ),
            )
            .await
            .map_err(|_| TransportError::Timeout("the WebSocket handshake"))?
            .map_err(|e| TransportError::Connect(format!("{}: {e}", redact(&url))))?;
            let (sink, stream) = ws.split();
            let sink = sink
                .sink_map_err(|e| TransportError::WebSocket(e.to_string()))
                .with(|element: Element| async move {
                    Ok::<_, TransportError>(Message::text(element.to_xml()))
                });
            let stream = stream.filter_map(|frame| async move {
                match frame {
                    Ok(Message::Text(text)) => Some(read_frame(&text)),
                    // Close ends the stream; pings and pongs are tungstenite's business.
                    Ok(_) => None,
                    Err(tungstenite::Error::Capacity(
                        tungstenite::error::CapacityError::MessageTooLong { size, .. },
                    )) => Some(Err(TransportError::TooLarge(size))),
                    Err(e) => Some(Err(TransportError::WebSocket(e.to_string()))),
                }
            });
            Ok(Transport {
                sink: Box::pin(sink),
                stream: Box::pin(stream),
            })
        })
    }
}

/// The URL without its query, which may hold a token.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

fn read_frame(text: &str) -> Result<Element, TransportError> {
    if text.len() > MAX_STANZA_BYTES {
        return Err(TransportError::TooLarge(text.len()));
    }
    Element::parse(text).map_err(TransportError::from)
}

/// What negotiation yields: the bound JID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub jid: String,
}

/// Opens the stream to `domain`, logs in and binds `resource`.
pub async fn negotiate(
    transport: &mut Transport,
    domain: &str,
    credentials: &Credentials,
    resource: &str,
    step_timeout: Duration,
) -> Result<Bound, TransportError> {
    let features = open_stream(transport, domain, step_timeout).await?;
    let offered: Vec<String> = features
        .get_child("mechanisms", ns::SASL)
        .map(|m| {
            m.children()
                .filter(|c| c.is("mechanism", ns::SASL))
                .map(Element::text_content)
                .collect()
        })
        .ok_or(TransportError::Unsupported("SASL"))?;
    let mechanism = sasl::choose(&offered, credentials)?;
    let auth = Element::new("auth", ns::SASL).attr("mechanism", mechanism.name());
    match (mechanism, credentials) {
        (Mechanism::Anonymous, _) => {
            send(transport, auth).await?;
            expect_success(transport, step_timeout).await?;
        }
        (Mechanism::Plain, Credentials::Password { user, password }) => {
            send(transport, auth.text(sasl::plain(user, password))).await?;
            expect_success(transport, step_timeout).await?;
        }
        (Mechanism::ScramSha1, Credentials::Password { user, password }) => {
            let nonce = format!("{:032x}", rand::random::<u128>());
            let mut scram = Scram::new(user, password, &nonce);
            send(transport, auth.text(scram.client_first())).await?;
            let challenge = recv(transport, "the SCRAM challenge", step_timeout).await?;
            if !challenge.is("challenge", ns::SASL) {
                return Err(sasl_failure(&challenge));
            }
            let answer = scram.client_final(&challenge.text_content())?;
            send(transport, Element::new("response", ns::SASL).text(answer)).await?;
            let success = expect_success(transport, step_timeout).await?;
            scram.verify(&success.text_content())?;
        }
        (_, Credentials::Anonymous) => return Err(TransportError::Unsupported("anonymous login")),
    }

    let features = open_stream(transport, domain, step_timeout).await?;
    if features.get_child("bind", ns::BIND).is_none() {
        return Err(TransportError::Unsupported("resource binding"));
    }
    let bind = Element::new("iq", ns::CLIENT)
        .attr("type", "set")
        .attr("id", "bind")
        .child(
            Element::new("bind", ns::BIND).child(Element::new("resource", ns::BIND).text(resource)),
        );
    send(transport, bind).await?;
    let reply = recv(transport, "the bind result", step_timeout).await?;
    let jid = reply
        .get_child("bind", ns::BIND)
        .and_then(|b| b.get_child("jid", ns::BIND))
        .map(Element::text_content)
        .filter(|j| reply.get_attr("type") == Some("result") && j.contains('@') && j.contains('/'))
        .ok_or_else(|| TransportError::Unexpected {
            got: describe(&reply),
            waiting: "the bind result",
        })?;
    Ok(Bound { jid })
}

async fn open_stream(
    transport: &mut Transport,
    domain: &str,
    step_timeout: Duration,
) -> Result<Element, TransportError> {
    send(
        transport,
        Element::new("open", ns::FRAMING)
            .attr("to", domain)
            .attr("version", "1.0"),
    )
    .await?;
    let open = recv(transport, "the stream header", step_timeout).await?;
    if !open.is("open", ns::FRAMING) {
        return Err(TransportError::Unexpected {
            got: describe(&open),
            waiting: "the stream header",
        });
    }
    let features = recv(transport, "the stream features", step_timeout).await?;
    if !features.is("features", ns::STREAMS) {
        return Err(TransportError::Unexpected {
            got: describe(&features),
            waiting: "the stream features",
        });
    }
    Ok(features)
}

async fn expect_success(
    transport: &mut Transport,
    step_timeout: Duration,
) -> Result<Element, TransportError> {
    let outcome = recv(transport, "the login result", step_timeout).await?;
    if outcome.is("success", ns::SASL) {
        Ok(outcome)
    } else {
        Err(sasl_failure(&outcome))
    }
}

fn sasl_failure(element: &Element) -> TransportError {
    if element.is("failure", ns::SASL) {
        let condition = element
            .children()
            .find(|c| c.name() != "text")
            .map(|c| c.name().to_owned());
        let text = element
            .get_child("text", ns::SASL)
            .map(Element::text_content);
        TransportError::AuthFailed {
            condition: condition.unwrap_or_else(|| "no condition".into()),
            text,
        }
    } else {
        TransportError::Unexpected {
            got: describe(element),
            waiting: "the login result",
        }
    }
}

/// A short description of an element for error messages (never its full text).
pub fn describe(element: &Element) -> String {
    format!("<{}/> ({})", element.name(), element.ns())
}

/// Sends one element.
pub async fn send(transport: &mut Transport, element: Element) -> Result<(), TransportError> {
    transport.sink.send(element).await
}

/// Receives the next element within `step_timeout`; a stream error or `<close/>` ends it.
pub async fn recv(
    transport: &mut Transport,
    waiting: &'static str,
    step_timeout: Duration,
) -> Result<Element, TransportError> {
    let next = tokio::time::timeout(step_timeout, transport.stream.next())
        .await
        .map_err(|_| TransportError::Timeout(waiting))?;
    match next {
        None => Err(TransportError::Closed),
        Some(Err(e)) => Err(e),
        Some(Ok(e)) => check_stream_end(e),
    }
}

/// Turns `<close/>` and `<stream:error/>` into errors.
pub fn check_stream_end(element: Element) -> Result<Element, TransportError> {
    if element.is("close", ns::FRAMING) {
        return Err(TransportError::Closed);
    }
    if element.is("error", ns::STREAMS) {
        let condition = element
            .children()
            .next()
            .map(|c| c.name().to_owned())
            .unwrap_or_default();
        return Err(TransportError::StreamError(condition));
    }
    Ok(element)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::stanza::jitsi::{BreakoutEvent, JsonMessage};

    /// The breakout component's update for `people` participants in rooms of
    /// ten, each with a long display name (64 characters, three in four of
    /// them escaped in XML), as the component would send it.
    fn update(people: usize) -> Element {
        let name: String = "å<&\"".chars().cycle().take(64).collect();
        let mut rooms = serde_json::Map::new();
        let mut main = serde_json::json!({
            "id": "demo", "jid": "demo@conference.meet.example.org",
            "isMainRoom": true, "participants": {}
        });
        for room in 0..people / 10 {
            let id = format!("3f1c2a9e-5b7d-4e2a-9c1f-{room:012}");
            let mut participants = serde_json::Map::new();
            for n in 0..10 {
                participants.insert(
                    format!("{id}@breakout.meet.example.org/{room:04}{n:04}"),
                    serde_json::json!({
                        "jid": format!("94877a45-5768-40ce-9b31-{room:08}{n:04}@meet.example.org/p-529fe0"),
                        "displayName": name,
                        "role": "participant",
                    }),
                );
            }
            rooms.insert(
                id.clone(),
                serde_json::json!({
                    "id": id, "name": format!("Room {room}"),
                    "jid": format!("{id}@breakout.meet.example.org"),
                    "participants": participants,
                }),
            );
        }
        main["participants"] = serde_json::json!({});
        rooms.insert("demo".into(), main);
        let body = serde_json::json!({
            "type": "breakout_rooms",
            "event": "features/breakout-rooms/update",
            "roomCounter": people / 10,
            "rooms": rooms,
        });
        Element::new("message", ns::CLIENT)
            .attr("from", "breakout.meet.example.org")
            .attr("to", "panel@meet.example.org/grupprum")
            .child(Element::new("json-message", ns::JITMEET).text(body.to_string()))
    }

    #[test]
    fn a_two_thousand_person_update_fits_the_frame_limit() {
        let frame = update(2000).to_xml();
        println!("a 2,000-person update: {} bytes", frame.len());
        assert!(
            frame.len() * 2 < MAX_STANZA_BYTES,
            "{} bytes: less than half the limit of {MAX_STANZA_BYTES}",
            frame.len()
        );
        let read = read_frame(&frame).expect("read whole");
        let message = JsonMessage::parse(&read).unwrap();
        let Some(BreakoutEvent::Update(update)) = message.breakout_event().unwrap() else {
            panic!("an update")
        };
        let people: usize = update.rooms.values().map(|r| r.participants.len()).sum();
        assert_eq!(people, 2000);
    }

    /// A server that sends one frame over the limit: the link reports it as
    /// too large (a final failure), never as a broken link to try again.
    #[tokio::test]
    // tungstenite's handshake callback returns its own (large) error type.
    #[allow(clippy::result_large_err)]
    async fn a_frame_over_the_limit_is_too_large() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let callback =
                |_: &tungstenite::handshake::server::Request,
                 mut response: tungstenite::handshake::server::Response| {
                    response
                        .headers_mut()
                        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("xmpp"));
                    Ok(response)
                };
            let mut ws = tokio_tungstenite::accept_hdr_async(socket, callback)
                .await
                .unwrap();
            let big = Element::new("message", ns::CLIENT)
                .child(Element::new("body", ns::CLIENT).text("x".repeat(MAX_STANZA_BYTES)));
            let _ = ws.send(Message::text(big.to_xml())).await;
            // Holds the socket open until the client has read.
            let _ = ws.next().await;
        });
        let connector = WebSocketConnector::new(Vec::new()).unwrap();
        let url = Url::parse(&format!("ws://{address}/xmpp-websocket")).unwrap();
        let mut transport = connector.connect(url).await.unwrap();
        match transport.stream.next().await {
            Some(Err(TransportError::TooLarge(size))) => assert!(size > MAX_STANZA_BYTES),
            other => panic!("expected too large, got {other:?}"),
        }
        drop(transport);
        server.await.unwrap();
    }
}

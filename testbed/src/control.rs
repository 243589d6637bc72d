//! A small HTTP control API for a running test meeting, on 127.0.0.1 only, so that
//! browser tests and demos can make people join, leave or ignore moves, and restart
//! Prosody:
//!
//! | request | does |
//! |---|---|
//! | `GET /participants` | lists the simulated participants and where they are |
//! | `POST /participants` `{"name": "…", "ignore_moves": false}` | one more joins the main room |
//! | `POST /participants/many` `{"names": ["…", …]}` | several join, sixteen at a time (at most 1000) |
//! | `POST /participants/{nick}/room` `{"room": "<breakout room JID>"}` | that participant goes to the room on its own |
//! | `DELETE /participants/{nick}` | that participant leaves |
//! | `POST /moderators/{nick}` | makes that occupant of the main room a moderator |
//! | `POST /restart` | restarts Prosody: every connection drops, the focus logs in again |
//!
//! One task owns the meeting; requests reach it through a channel.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::meeting::Meeting;
use crate::participant::{Participant, ParticipantConfig};

/// Body of `POST /participants/many`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewParticipants {
    pub names: Vec<String>,
}

/// Body of `POST /participants/{nick}/room`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct GoTo {
    pub room: String,
}

/// Most participants one request may add.
const MAX_AT_ONCE: usize = 1000;
/// Longest display name the API accepts, in characters.
const MAX_NAME_CHARS: usize = 1000;

/// A participant as the control API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ParticipantInfo {
    pub nick: String,
    pub jid: String,
    pub name: String,
    pub room: Option<String>,
    pub ignore_moves: bool,
    pub moves_received: u32,
    /// When its join presence for the main room left (ms since the Unix epoch).
    pub join_sent_ms: Option<u64>,
    pub gone: bool,
    /// Chat messages received, oldest first.
    #[serde(default)]
    pub messages: Vec<crate::participant::ChatMessage>,
    /// The nicks of the others in its room now.
    #[serde(default)]
    pub others: Vec<String>,
}

/// Body of `POST /participants`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NewParticipant {
    pub name: String,
    #[serde(default)]
    pub ignore_moves: bool,
}

enum Request {
    List(oneshot::Sender<Vec<ParticipantInfo>>),
    Add(
        Vec<ParticipantConfig>,
        oneshot::Sender<Result<Vec<ParticipantInfo>, String>>,
    ),
    GoTo(String, String, oneshot::Sender<bool>),
    Remove(String, oneshot::Sender<bool>),
    Restart(oneshot::Sender<Result<(), String>>),
    Grant(String, oneshot::Sender<bool>),
}

/// The control API's handle: stopping it stops the meeting.
pub struct Control {
    pub url: String,
    requests: mpsc::Sender<Request>,
    owner: tokio::task::JoinHandle<Meeting>,
    server: tokio::task::JoinHandle<()>,
}

fn info(p: &Participant) -> ParticipantInfo {
    let s = p.state();
    ParticipantInfo {
        nick: s.nick,
        jid: s.jid,
        name: p.config.display_name.clone(),
        room: s.room,
        ignore_moves: p.config.ignore_moves,
        moves_received: s.moves_received,
        join_sent_ms: s.join_sent_ms,
        gone: s.gone,
        messages: s.messages,
        others: s.others,
    }
}

impl Control {
    /// Serves the API for `meeting` on a free loopback port.
    pub async fn start(meeting: Meeting) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (requests, inbox) = mpsc::channel(16);
        let owner = tokio::spawn(own(meeting, inbox));
        let app = Router::new()
            .route("/participants", get(list).post(add))
            .route("/participants/many", post(add_many))
            .route("/participants/{nick}", delete(remove))
            .route("/participants/{nick}/room", post(go_to))
            .route("/restart", post(restart))
            .route("/moderators/{nick}", post(grant))
            .with_state(requests.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            url,
            requests,
            owner,
            server,
        })
    }

    /// Stops the API and hands the meeting back.
    pub async fn stop(self) -> Option<Meeting> {
        self.server.abort();
        drop(self.requests);
        self.owner.await.ok()
    }
}

async fn own(mut meeting: Meeting, mut inbox: mpsc::Receiver<Request>) -> Meeting {
    while let Some(request) = inbox.recv().await {
        match request {
            Request::List(reply) => {
                let _ = reply.send(meeting.participants.iter().map(info).collect());
            }
            Request::Add(configs, reply) => {
                let before = meeting.participants.len();
                let result = match meeting.add_participants(configs).await {
                    Ok(()) => Ok(meeting.participants[before..].iter().map(info).collect()),
                    Err(e) => Err(e.to_string()),
                };
                let _ = reply.send(result);
            }
            Request::GoTo(nick, room, reply) => {
                let found = meeting.participants.iter().find(|p| p.state().nick == nick);
                let _ = reply.send(found.is_some_and(|p| p.go_to(&room)));
            }
            Request::Remove(nick, reply) => {
                let found = meeting
                    .participants
                    .iter()
                    .position(|p| p.state().nick == nick);
                if let Some(i) = found {
                    meeting.participants.remove(i).leave().await;
                }
                let _ = reply.send(found.is_some());
            }
            Request::Grant(nick, reply) => {
                let _ = reply.send(meeting.grant_moderator(&nick).await);
            }
            Request::Restart(reply) => {
                let _ = reply.send(meeting.restart_prosody().await.map_err(|e| e.to_string()));
            }
        }
    }
    meeting
}

type Inbox = State<mpsc::Sender<Request>>;

async fn ask<T>(
    requests: &mpsc::Sender<Request>,
    make: impl FnOnce(oneshot::Sender<T>) -> Request,
) -> Result<T, StatusCode> {
    let (reply, answer) = oneshot::channel();
    requests
        .send(make(reply))
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    answer.await.map_err(|_| StatusCode::SERVICE_UNAVAILABLE)
}

async fn list(State(requests): Inbox) -> Result<Json<Vec<ParticipantInfo>>, StatusCode> {
    ask(&requests, Request::List).await.map(Json)
}

async fn add(
    State(requests): Inbox,
    Json(new): Json<NewParticipant>,
) -> Result<(StatusCode, Json<ParticipantInfo>), (StatusCode, String)> {
    let config = ParticipantConfig {
        display_name: new.name,
        ignore_moves: new.ignore_moves,
    };
    let (status, Json(mut added)) = join(&requests, vec![config]).await?;
    added
        .pop()
        .map(|one| (status, Json(one)))
        .ok_or((StatusCode::BAD_GATEWAY, "nobody joined".into()))
}

async fn add_many(
    State(requests): Inbox,
    Json(new): Json<NewParticipants>,
) -> Result<(StatusCode, Json<Vec<ParticipantInfo>>), (StatusCode, String)> {
    if new.names.is_empty() || new.names.len() > MAX_AT_ONCE {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("give 1 to {MAX_AT_ONCE} names"),
        ));
    }
    let configs = new
        .names
        .into_iter()
        .map(|display_name| ParticipantConfig {
            display_name,
            ignore_moves: false,
        })
        .collect();
    join(&requests, configs).await
}

async fn join(
    requests: &mpsc::Sender<Request>,
    configs: Vec<ParticipantConfig>,
) -> Result<(StatusCode, Json<Vec<ParticipantInfo>>), (StatusCode, String)> {
    if configs
        .iter()
        .any(|c| c.display_name.chars().count() > MAX_NAME_CHARS)
    {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("a name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    match ask(requests, |r| Request::Add(configs, r)).await {
        Ok(Ok(info)) => Ok((StatusCode::CREATED, Json(info))),
        Ok(Err(e)) => Err((StatusCode::BAD_GATEWAY, e)),
        Err(status) => Err((status, "the meeting is stopping".into())),
    }
}

async fn go_to(
    State(requests): Inbox,
    Path(nick): Path<String>,
    Json(target): Json<GoTo>,
) -> StatusCode {
    match ask(&requests, |r| Request::GoTo(nick, target.room, r)).await {
        Ok(true) => StatusCode::ACCEPTED,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(status) => status,
    }
}

async fn remove(State(requests): Inbox, Path(nick): Path<String>) -> StatusCode {
    match ask(&requests, |r| Request::Remove(nick, r)).await {
        Ok(true) => StatusCode::NO_CONTENT,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(status) => status,
    }
}

async fn restart(State(requests): Inbox) -> Result<StatusCode, (StatusCode, String)> {
    match ask(&requests, Request::Restart).await {
        Ok(Ok(())) => Ok(StatusCode::NO_CONTENT),
        Ok(Err(e)) => Err((StatusCode::BAD_GATEWAY, e)),
        Err(status) => Err((status, "the meeting is stopping".into())),
    }
}

async fn grant(State(requests): Inbox, Path(nick): Path<String>) -> StatusCode {
    match ask(&requests, |r| Request::Grant(nick, r)).await {
        Ok(true) => StatusCode::NO_CONTENT,
        Ok(false) => StatusCode::NOT_FOUND,
        Err(status) => status,
    }
}

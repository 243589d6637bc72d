//! Acting on a meeting: each endpoint becomes a [`Command`], checked and run
//! as the board's are, and answers `202` with the receipt (the ids of the
//! outcomes the meeting's view shows as they settle), or the refusal.

use app::meeting::{Command, Language, MeetingRef};
use app::service::Moderator;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, CommandRefusals, ErrorBody};
use super::extract::{JsonBody, Target, query_values, read_body};
use super::{Api, MeetingParams};
use crate::plans::routes::{MAX_IMPORT_BYTES, read_file};

/// A command was taken: its outcomes' ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// One id for each item (a room, a move, …); the meeting's view lists each
    /// under `outcomes` until it settles.
    pub receipt: Vec<u64>,
}

/// What a command endpoint answers.
pub type Answer = Result<(StatusCode, Json<Accepted>), ApiError>;

/// Runs `command` in the target meeting as its caller, who must be a moderator.
async fn run(api: &Api, target: &Target, command: Command) -> Result<Vec<u64>, ApiError> {
    let who = target.commander()?;
    send(api, &who, &target.meeting, command).await
}

async fn send(
    api: &Api,
    who: &Moderator,
    meeting: &MeetingRef,
    command: Command,
) -> Result<Vec<u64>, ApiError> {
    let meetings = api.meetings.as_ref().ok_or(ApiError::NoService)?;
    Ok(meetings.command(who, meeting, command).await?)
}

fn accepted(receipt: Vec<u64>) -> Answer {
    Ok((StatusCode::ACCEPTED, Json(Accepted { receipt })))
}

/// Breakout rooms to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRooms {
    /// The new rooms' names.
    #[serde(default)]
    pub names: Vec<String>,
    /// How many rooms: by default one for each name. Rooms beyond the names
    /// are named "Grupprum N" (or "Room N" in English).
    #[serde(default)]
    pub count: Option<usize>,
    /// The language of the names the panel gives; Swedish by default.
    #[serde(default)]
    pub language: Option<Language>,
}

/// Creates breakout rooms.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/rooms",
    tag = "commands",
    params(MeetingParams),
    request_body = CreateRooms,
    responses(
        (status = 202, description = "Taken: the rooms are being created", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-json` or `bad-meeting`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_rooms(
    State(api): State<Api>,
    target: Target,
    JsonBody(body): JsonBody<CreateRooms>,
) -> Answer {
    let command = Command::CreateRooms {
        count: body.count.unwrap_or(body.names.len()),
        names: body.names,
        language: body.language.unwrap_or_default(),
    };
    accepted(run(&api, &target, command).await?)
}

/// People to move.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Moves {
    /// The participants, by id (their nick in the meeting, as the view's
    /// `participants[].id` gives it).
    pub participants: Vec<String>,
    /// The room's JID (`rooms[].jid`; the main room's, `main.jid`, sends them back).
    pub to: String,
}

/// Moves participants to a room.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/moves",
    tag = "commands",
    params(MeetingParams),
    request_body = Moves,
    responses(
        (status = 202, description = "Taken: the moves are being sent", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-json` or `bad-meeting`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn move_people(
    State(api): State<Api>,
    target: Target,
    JsonBody(body): JsonBody<Moves>,
) -> Answer {
    let command = Command::Move {
        participants: body.participants,
        to: body.to,
    };
    accepted(run(&api, &target, command).await?)
}

/// Gives any command the board gives.
///
/// As JSON (`{"CreateRoom": {"name": "Kök"}}`, `"SendEveryoneBack"`,
/// `{"AutoAssign": {…}}`, …), with the same checks and outcomes as the board's.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/commands",
    tag = "commands",
    params(MeetingParams),
    request_body = Command,
    responses(
        (status = 202, description = "Taken", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-json` or `bad-meeting`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn command(
    State(api): State<Api>,
    target: Target,
    JsonBody(command): JsonBody<Command>,
) -> Answer {
    accepted(run(&api, &target, command).await?)
}

/// A chat message to rooms.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatMessage {
    /// At most 1000 characters.
    pub text: String,
    /// The rooms, by JID; by default every breakout room.
    #[serde(default)]
    pub rooms: Option<Vec<String>>,
}

/// Sends a chat message to breakout rooms.
///
/// The panel enters each room, says it and leaves.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/messages",
    tag = "commands",
    params(MeetingParams),
    request_body = ChatMessage,
    responses(
        (status = 202, description = "Taken: the message is being said", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-json` or `bad-meeting`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn send_message(
    State(api): State<Api>,
    target: Target,
    JsonBody(body): JsonBody<ChatMessage>,
) -> Answer {
    let command = Command::SendMessage {
        rooms: body.rooms.unwrap_or_default(),
        text: body.text,
    };
    accepted(run(&api, &target, command).await?)
}

/// A timer for rooms.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Timer {
    /// 1 to 1440 minutes; at zero the rooms close.
    pub minutes: u32,
    /// A chat message this many minutes before the end.
    #[serde(default)]
    pub warn: Option<u32>,
    /// The minutes left shown after each room's name.
    #[serde(default)]
    pub suffix: Option<bool>,
    /// The rooms, by JID; by default one timer for every room.
    #[serde(default)]
    pub rooms: Option<Vec<String>>,
    /// The warning's language; Swedish by default.
    #[serde(default)]
    pub language: Option<Language>,
}

/// Sets a timer for rooms (replacing theirs).
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/timers",
    tag = "commands",
    params(MeetingParams),
    request_body = Timer,
    responses(
        (status = 202, description = "Taken: the timer runs", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-json` or `bad-meeting`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn set_timer(
    State(api): State<Api>,
    target: Target,
    JsonBody(body): JsonBody<Timer>,
) -> Answer {
    let command = Command::SetTimer {
        rooms: body.rooms.unwrap_or_default(),
        minutes: body.minutes,
        warn: body.warn,
        suffix: body.suffix.unwrap_or(false),
        language: body.language.unwrap_or_default(),
    };
    accepted(run(&api, &target, command).await?)
}

/// Stops timers.
#[utoipa::path(
    delete,
    path = "/api/v1/meetings/{room}/timers",
    tag = "commands",
    params(
        MeetingParams,
        (
            "room" = Option<Vec<String>>,
            Query,
            description = "A room's JID, once for each room (`?room=a&room=b`); none: the timer for every room"
        ),
    ),
    responses(
        (status = 202, description = "Taken: the timers stop", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-meeting`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn stop_timer(State(api): State<Api>, target: Target, uri: axum::http::Uri) -> Answer {
    let command = Command::StopTimer {
        rooms: query_values(uri.query(), "room"),
    };
    accepted(run(&api, &target, command).await?)
}

/// Opens rooms from a plan file.
///
/// The file as the plan's board imports it: CSV with a header `name,room`
/// (or `name;room`) and one line a person (an empty room: the main room), or
/// JSON `{"name": …, "rooms": [{"name": …, "people": [{"name": …}]}]}`; at
/// most 1 MiB. The plan replaces any being prepared in the meeting and is
/// opened at once: its rooms are created (and rooms it does not name
/// closed), the people present moved, and those not yet there moved as they
/// join.
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/plan",
    tag = "commands",
    params(MeetingParams),
    request_body(
        description = "The plan file",
        content(
            (String = "text/csv", example = "name,room\nAnna Lind,Grupp 1\nBo Ek,Grupp 2\n"),
            (crate::plans::json::PlanFile = "application/json"),
        )
    ),
    responses(
        (status = 202, description = "Taken: the rooms are being opened", body = Accepted),
        CommandRefusals,
        (status = 400, description = "`bad-plan`: the file cannot be read (the message says where)", body = ErrorBody),
        (status = 413, description = "`too-large`: over 1 MiB", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn open_plan(State(api): State<Api>, target: Target, request: Request) -> Answer {
    let who = target.commander()?;
    let bytes = read_body(request, MAX_IMPORT_BYTES).await?;
    let rooms = read_file(&bytes).map_err(ApiError::BadPlan)?;
    let meeting = &target.meeting;
    let mut receipt = send(&api, &who, meeting, Command::Prepare { plan: Some(rooms) }).await?;
    match send(&api, &who, meeting, Command::OpenRooms).await {
        Ok(opened) => receipt.extend(opened),
        Err(refused) => {
            // Leave no half-made draft of ours behind.
            if let Err(e) = send(&api, &who, meeting, Command::Discard).await {
                tracing::info!("an API plan's draft was not discarded: {e}");
            }
            return Err(refused);
        }
    }
    accepted(receipt)
}

//! Reading a meeting: the panel's view of it, joining it, and its record.

use std::time::Duration;

use app::meeting::{LinkStatus, MeetingView};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use serde::Deserialize;

use super::error::{ApiError, CredentialRefused, ErrorBody, lang_of};
use super::extract::Target;
use super::{Api, MeetingParams};

/// Longest a join waits for the panel to be in the meeting (or to fail).
pub const JOIN_WAIT: Duration = Duration::from_secs(15);
/// Longest a session takes to give its latest view.
const VIEW_WAIT: Duration = Duration::from_secs(5);

/// The panel's current view of the meeting.
///
/// Its rooms and who is in them, the outcomes of recent commands, and when
/// timers end (`ends`, milliseconds since 1970). Never joins: `409
/// not-joined` when the panel is not in the meeting for this caller.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{room}",
    tag = "meetings",
    params(MeetingParams),
    responses(
        (status = 200, description = "The meeting as the panel sees it now", body = MeetingView),
        (status = 400, description = "The name cannot be a meeting's", body = ErrorBody),
        CredentialRefused,
        (status = 403, description = "The JWT is for another meeting", body = ErrorBody),
        (status = 409, description = "`not-joined`: the panel is not in the meeting", body = ErrorBody),
        (status = 503, description = "`no-service`: no Jitsi deployment", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn view(State(api): State<Api>, target: Target) -> Result<Json<MeetingView>, ApiError> {
    let meetings = api.meetings.as_ref().ok_or(ApiError::NoService)?;
    let mut views = meetings
        .existing(&target.caller.moderator(), &target.meeting)
        .ok_or(ApiError::NotJoined)?;
    match tokio::time::timeout(VIEW_WAIT, views.next()).await {
        Ok(Some(view)) => Ok(Json(view)),
        _ => Err(ApiError::NotJoined),
    }
}

/// The panel joins the meeting.
///
/// If not there yet. Answers once the panel is in, or has failed, or after
/// 15 s: the view's `status` says which (`Online`, `Resynced`, `{"Failed": …}`,
/// or still `Connecting`).
#[utoipa::path(
    post,
    path = "/api/v1/meetings/{room}/join",
    tag = "meetings",
    params(MeetingParams),
    responses(
        (status = 200, description = "The meeting as the panel sees it after joining", body = MeetingView),
        (status = 400, description = "The name cannot be a meeting's", body = ErrorBody),
        CredentialRefused,
        (status = 403, description = "The JWT is for another meeting", body = ErrorBody),
        (status = 429, description = "`rate`: too many joins in a short time", body = ErrorBody),
        (status = 503, description = "`busy` (at the cap on meetings) or `no-service`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn join(State(api): State<Api>, target: Target) -> Result<Json<MeetingView>, ApiError> {
    let meetings = api.meetings.as_ref().ok_or(ApiError::NoService)?;
    let mut views = meetings.watch(&target.caller.moderator(), &target.meeting)?;
    let mut last = None;
    let deadline = tokio::time::sleep(JOIN_WAIT);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            view = views.next() => match view {
                Some(view) => {
                    let settled = matches!(
                        view.status,
                        LinkStatus::Online | LinkStatus::Resynced | LinkStatus::Failed { .. }
                    );
                    last = Some(view);
                    if settled {
                        break;
                    }
                }
                None => break,
            },
            () = &mut deadline => break,
        }
    }
    Ok(Json(last.unwrap_or_else(|| {
        MeetingView::placeholder(target.meeting.clone())
    })))
}

/// The meeting's record, as a file.
///
/// Who was in which room from when to when (`what=stays`, the default), or
/// the activity feed (`what=activity`), as CSV (the default) or JSON (both
/// in one). Column names and words follow `Accept-Language` (Swedish or
/// English).
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{room}/record",
    tag = "meetings",
    params(MeetingParams, RecordParams),
    responses(
        (status = 200, description = "The record", content(
            (String = "text/csv"),
            (String = "application/json"),
        )),
        (status = 400, description = "`bad-query`: format is csv or json, what is stays or activity", body = ErrorBody),
        CredentialRefused,
        (status = 403, description = "The JWT is for another meeting, or not a moderator's", body = ErrorBody),
        (status = 404, description = "`no-record`: the panel keeps no record", body = ErrorBody),
        (status = 503, description = "`storage`: the database failed", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record(
    State(api): State<Api>,
    target: Target,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    target.commander()?;
    let journal = api.journal.as_ref().ok_or(ApiError::NoRecord)?;
    let Query(query) = Query::<RecordParams>::try_from_uri(&uri)
        .map_err(|_| ApiError::BadQuery(BAD_RECORD_QUERY))?;
    let record = journal.record(&target.meeting.path()).await.map_err(|e| {
        tracing::warn!("an API record export failed: {e}");
        ApiError::Storage
    })?;
    let (body, kind, name) = crate::record::routes::file(
        &target.meeting,
        &record,
        query.format.as_deref(),
        query.what.as_deref(),
        lang_of(&headers),
    )
    .map_err(|_| ApiError::BadQuery(BAD_RECORD_QUERY))?;
    Ok(crate::plans::routes::attachment(kind, &name, body).into_response())
}

const BAD_RECORD_QUERY: &str = "format is csv or json; what is stays or activity";

/// The record's query (beside the meeting's `tenant`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    /// `csv` (the default) or `json`.
    format: Option<String>,
    /// `stays` (the default) or `activity`; JSON holds both.
    what: Option<String>,
}

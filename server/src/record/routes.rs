//! The record over HTTP: `GET /api/record?room=…[&tenant=…]&format=csv|json[&what=stays|activity]`,
//! for a signed-in moderator who may open the meeting (on an open panel,
//! anyone who can reach it), in the reader's language.

use std::sync::Arc;

use app::i18n::Lang;
use app::meeting::MeetingRef;
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Journal, export};

/// Where the board's export links point.
pub const RECORD_PATH: &str = app::library::RECORD_PATH;

#[derive(Debug, Deserialize)]
pub struct RecordQuery {
    pub room: String,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub what: Option<String>,
}

pub fn routes(journal: Arc<dyn Journal>) -> Router {
    Router::new()
        .route(RECORD_PATH, get(record))
        .with_state(journal)
}

/// The file's body, type and name for a record.
pub fn file(
    meeting: &MeetingRef,
    record: &super::Record,
    format: Option<&str>,
    what: Option<&str>,
    lang: Lang,
) -> Result<(String, &'static str, String), &'static str> {
    let stem = crate::plans::routes::file_name(&meeting.room, "");
    let stem = stem.trim_end_matches('.');
    Ok(match (format, what) {
        (Some("json"), _) => (
            export::json(&meeting.path(), record, lang),
            "application/json",
            format!("{stem}-record.json"),
        ),
        (Some("csv") | None, Some("stays") | None) => (
            export::stays_csv(record, lang),
            "text/csv; charset=utf-8",
            format!("{stem}-rooms.csv"),
        ),
        (Some("csv") | None, Some("activity")) => (
            export::activity_csv(record, lang),
            "text/csv; charset=utf-8",
            format!("{stem}-activity.csv"),
        ),
        _ => return Err("format is csv or json; what is stays or activity"),
    })
}

async fn record(
    State(journal): State<Arc<dyn Journal>>,
    Query(query): Query<RecordQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let Some((_, user)) = crate::auth::requester(&parts) else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let meeting = MeetingRef {
        room: query.room.clone(),
        tenant: query.tenant.clone().filter(|t| !t.is_empty()),
    };
    let allowed = user
        .as_ref()
        .is_none_or(|u| u.may_command && u.may_open(&meeting).is_ok());
    if !meeting.is_valid() || !allowed {
        return (StatusCode::NOT_FOUND, "no such meeting").into_response();
    }
    let lang = parts
        .headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Sv, Lang::from_accept_language);
    let record = match journal.record(&meeting.path()).await {
        Ok(record) => record,
        Err(e) => {
            tracing::warn!("a record export failed: {e}");
            return (StatusCode::SERVICE_UNAVAILABLE, "the database failed").into_response();
        }
    };
    match file(
        &meeting,
        &record,
        query.format.as_deref(),
        query.what.as_deref(),
        lang,
    ) {
        Ok((body, kind, name)) => crate::plans::routes::attachment(kind, &name, body),
        Err(problem) => (StatusCode::BAD_REQUEST, problem).into_response(),
    }
}

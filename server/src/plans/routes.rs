//! Plan files over HTTP, answered by the server itself (the files are parsed
//! here, never in the app):
//!
//! * `POST /api/plans/import`: a form with the meeting and a CSV or JSON file. The
//!   file becomes the meeting's draft, and the browser goes to the plan's
//!   board, where names that fit nobody or several people are reviewed.
//! * `GET /api/plans/export?id=…&format=csv|json`: a saved plan;
//!   `?room=…[&tenant=…]&format=…`: the meeting's draft.

use std::sync::Arc;

use app::library::{EXPORT_PATH, IMPORT_PATH};
use app::meeting::{Command, MeetingRef};
use app::plans::{PlannedRoom, Store};
use app::service::MeetingService;
use axum::Router;
use axum::extract::{Multipart, Query, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::json::PlanFile;
use super::{ImportError, csv, json};

/// Largest plan file: some 5000 people with long names.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;

/// What the routes need.
#[derive(Clone)]
pub struct PlanFiles {
    pub meetings: Option<Arc<dyn MeetingService>>,
    pub store: Arc<dyn Store>,
}

pub fn routes(files: PlanFiles) -> Router {
    Router::new()
        .route(IMPORT_PATH, post(import))
        .route(EXPORT_PATH, get(export))
        .with_state(files)
}

impl ImportError {
    /// The code the plan's board puts into words.
    pub fn code(&self) -> String {
        match self {
            Self::NotText => "import-not-text".into(),
            Self::NoHeader => "import-no-header".into(),
            Self::Unclosed(line) => format!("import-unclosed:{line}"),
            Self::Fields(line) => format!("import-fields:{line}"),
            Self::EmptyName(line) => format!("import-empty-name:{line}"),
            Self::TooLong(line) => format!("import-too-long:{line}"),
            Self::TooMany => "import-too-many".into(),
            Self::Json(_) => "import-json".into(),
        }
    }
}

/// A plan file's rooms: JSON when it looks like JSON, else CSV. People
/// without a room go into a room without a name (the main room).
pub fn read_file(bytes: &[u8]) -> Result<Vec<PlannedRoom>, ImportError> {
    let text_start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
    if text_start.is_some_and(|i| bytes[i] == b'{') {
        return Ok(json::read(bytes)?.rooms);
    }
    let rows = csv::read(bytes)?;
    let (mut rooms, main) = csv::rooms(&rows);
    if !main.is_empty() {
        rooms.push(PlannedRoom {
            name: String::new(),
            people: main,
        });
    }
    Ok(rooms)
}

/// The meeting's plan board, with a problem's code when there is one.
fn to_plan(meeting: &MeetingRef, problem: Option<&str>) -> Response {
    let mut path = format!("{}?plan", meeting.path());
    if let Some(code) = problem {
        path.push_str("&problem=");
        path.push_str(&app::meeting::percent_encode(code));
    }
    crate::auth::see_other(&path)
}

async fn import(State(files): State<PlanFiles>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some((who, user)) = crate::auth::requester(&parts) else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let request = Request::from_parts(parts, body);
    let mut form =
        match <Multipart as axum::extract::FromRequest<()>>::from_request(request, &()).await {
            Ok(form) => form,
            Err(rejection) => return rejection.into_response(),
        };
    let (mut room, mut tenant, mut file) = (None, None, None);
    // A file too large is said so on the plan's board, when the meeting,
    // which the form names first, is known.
    let too_big = |room: &Option<String>, tenant: &Option<String>| {
        let meeting = MeetingRef {
            room: room.clone().unwrap_or_default(),
            tenant: tenant.clone().filter(|t: &String| !t.is_empty()),
        };
        if meeting.is_valid() {
            to_plan(&meeting, Some("import-too-big"))
        } else {
            (StatusCode::PAYLOAD_TOO_LARGE, "the file is too large").into_response()
        }
    };
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                // Read a piece at a time, and no further than a file may be.
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(piece)) if bytes.len() + piece.len() <= MAX_IMPORT_BYTES => {
                            bytes.extend_from_slice(&piece);
                        }
                        Ok(Some(_)) => return too_big(&room, &tenant),
                        Ok(None) => break,
                        Err(e) => return e.into_response(),
                    }
                }
                match name.as_str() {
                    "room" => room = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    "tenant" => tenant = Some(String::from_utf8_lossy(&bytes).into_owned()),
                    "file" => file = Some(bytes),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(e) => return e.into_response(),
        }
    }
    let meeting = MeetingRef {
        room: room.unwrap_or_default(),
        tenant: tenant.filter(|t| !t.is_empty()),
    };
    if !meeting.is_valid() {
        return (StatusCode::BAD_REQUEST, "no such meeting").into_response();
    }
    if let Some(user) = &user
        && (user.may_open(&meeting).is_err() || !user.may_command)
    {
        return (StatusCode::FORBIDDEN, "not yours to moderate").into_response();
    }
    let rooms = match read_file(file.as_deref().unwrap_or_default()) {
        Ok(rooms) => rooms,
        Err(e) => return to_plan(&meeting, Some(&e.code())),
    };
    let Some(meetings) = files.meetings else {
        return to_plan(&meeting, Some(app::api::NO_SERVICE));
    };
    let command = Command::Prepare { plan: Some(rooms) };
    match meetings.command(&who, &meeting, command).await {
        Ok(_) => to_plan(&meeting, None),
        Err(e) => to_plan(&meeting, Some(&e.to_string())),
    }
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    id: Option<String>,
    room: Option<String>,
    tenant: Option<String>,
    format: Option<String>,
}

/// A file name from a plan's name: letters, digits and dashes only.
pub(crate) fn file_name(name: &str, extension: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let stem = if stem.trim_matches('_').is_empty() {
        "plan".to_owned()
    } else {
        stem
    };
    format!("{stem}.{extension}")
}

async fn export(
    State(files): State<PlanFiles>,
    Query(query): Query<ExportQuery>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let Some((who, user)) = crate::auth::requester(&parts) else {
        return (StatusCode::UNAUTHORIZED, "sign in first").into_response();
    };
    let (name, rooms) = match (&query.id, &query.room) {
        (Some(id), _) => match files.store.plan(&who.id, id).await {
            Ok(plan) => (plan.name, plan.rooms),
            Err(app::plans::StorageError::NotFound) => {
                return (StatusCode::NOT_FOUND, "no such plan").into_response();
            }
            Err(e) => {
                tracing::warn!("a plan export failed: {e}");
                return (StatusCode::SERVICE_UNAVAILABLE, "the database failed").into_response();
            }
        },
        (None, Some(room)) => {
            let meeting = MeetingRef {
                room: room.clone(),
                tenant: query.tenant.clone().filter(|t| !t.is_empty()),
            };
            if !meeting.is_valid() || user.as_ref().is_some_and(|u| u.may_open(&meeting).is_err()) {
                return (StatusCode::NOT_FOUND, "no such meeting").into_response();
            }
            let draft = match &files.meetings {
                Some(meetings) => meetings
                    .draft(&who, &meeting)
                    .await
                    .ok()
                    .flatten()
                    .map(|d| d.rooms),
                None => None,
            };
            match draft {
                Some(rooms) => (meeting.room, rooms),
                None => {
                    return (StatusCode::NOT_FOUND, "no plan is being prepared").into_response();
                }
            }
        }
        (None, None) => {
            return (StatusCode::BAD_REQUEST, "name a plan or a meeting").into_response();
        }
    };
    let (body, kind, extension) = match query.format.as_deref() {
        Some("json") => (
            json::write(&PlanFile {
                name: name.clone(),
                rooms,
            }),
            "application/json",
            "json",
        ),
        Some("csv") | None => (csv::write(&rooms), "text/csv; charset=utf-8", "csv"),
        Some(_) => return (StatusCode::BAD_REQUEST, "format is csv or json").into_response(),
    };
    attachment(kind, &file_name(&name, extension), body)
}

/// A file to download: its type, its (safe) name, and its body.
pub(crate) fn attachment(kind: &'static str, name: &str, body: String) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_as_json_or_csv_and_name_themselves_safely() {
        let csv = read_file("\u{feff}name;room\nAnna;Röd\nBo;\nCia;Röd\n".as_bytes()).unwrap();
        assert_eq!(csv.len(), 2);
        assert_eq!(csv[0].name, "Röd");
        assert_eq!(csv[0].people.len(), 2);
        assert_eq!(
            csv[1].name, "",
            "people without a room stay in the main room"
        );
        let json =
            read_file(br#" {"name":"Kurs","rooms":[{"name":"A","people":[{"name":"Anna"}]}]}"#)
                .unwrap();
        assert_eq!(json[0].people[0].name, "Anna");
        // As Windows' editors save it, with a byte-order mark.
        let marked = [b"\xEF\xBB\xBF".as_slice(), br#"{"name":"K","rooms":[]}"#].concat();
        assert_eq!(read_file(&marked), Ok(vec![]));
        assert_eq!(
            read_file(b"name,room\n\"Anna,A\n"),
            Err(ImportError::Unclosed(2))
        );
        assert_eq!(ImportError::Fields(7).code(), "import-fields:7");
        assert_eq!(file_name("Kurs ÅÄÖ/../x", "csv"), "Kurs________x.csv");
        assert_eq!(file_name("///", "json"), "plan.json");
    }
}

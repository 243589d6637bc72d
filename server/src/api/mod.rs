//! The HTTP API for integrators, under `/api/v1`: a meeting's view, commands
//! (rooms, moves, messages, timers, any board command, a plan file opened at
//! once), the record, and the plan library. Described by an OpenAPI document
//! generated from this code ([`openapi`]).
//!
//! Every call but the document's needs `Authorization: Bearer <credential>`
//! ([`caller`]): an integration's API token ([`tokens`]) or, on a panel that
//! signs its users in with Jitsi JWTs, such a JWT. The API takes no cookies,
//! so it is outside the pages' sign-in, and answers errors as JSON
//! ([`error`]). The web-security guard still refuses cross-site browser
//! calls; the rate limits count an integration as a user.

pub mod caller;
pub mod commands;
pub mod error;
pub mod extract;
pub mod library;
pub mod meetings;
pub mod openapi;
pub mod tokens;

use std::sync::Arc;

use app::plans::Store;
use app::service::MeetingService;
use axum::Router;
use axum::http::Method;
use axum::routing::{any, get, post};

use self::error::ApiError;
pub use self::openapi::MeetingParams;
use self::tokens::ApiTokens;
use crate::auth::Auth;
use crate::rate_limit::{self, Limiter};
use crate::record::Journal;

/// Where the API is.
pub const PREFIX: &str = "/api/v1";
/// Where its meetings are.
pub const MEETINGS: &str = "/api/v1/meetings/";

/// What the API needs.
#[derive(Clone)]
pub struct Api {
    /// The Jitsi deployment's meetings, when one is configured.
    pub meetings: Option<Arc<dyn MeetingService>>,
    /// Where plans are kept, when the panel keeps them.
    pub store: Option<Arc<dyn Store>>,
    /// Where the record is kept, when the panel keeps it.
    pub journal: Option<Arc<dyn Journal>>,
    pub tokens: Arc<ApiTokens>,
    /// The panel's sign-in, which checks JWTs.
    pub auth: Arc<Auth>,
    pub rate: Arc<Limiter>,
}

/// The API's routes: the document, then everything else behind the
/// credential check and the rate limits, its errors in the caller's words.
pub fn routes(api: Api) -> Router {
    let meeting = |rest: &str| format!("{MEETINGS}{{room}}{rest}");
    let guarded = Router::new()
        .route(&meeting(""), get(meetings::view))
        .route(&meeting("/join"), post(meetings::join))
        .route(&meeting("/record"), get(meetings::record))
        .route(&meeting("/rooms"), post(commands::create_rooms))
        .route(&meeting("/moves"), post(commands::move_people))
        .route(&meeting("/commands"), post(commands::command))
        .route(&meeting("/messages"), post(commands::send_message))
        .route(
            &meeting("/timers"),
            post(commands::set_timer).delete(commands::stop_timer),
        )
        .route(&meeting("/plan"), post(commands::open_plan))
        .route("/api/v1/plans", get(library::list).post(library::save))
        .route(
            "/api/v1/plans/{id}",
            get(library::one).delete(library::delete),
        )
        .route(PREFIX, any(not_found))
        .route("/api/v1/{*rest}", any(not_found))
        .with_state(api.clone())
        .layer(axum::middleware::from_fn_with_state(
            api.rate.clone(),
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            api,
            caller::authenticate,
        ));
    Router::new()
        .route(openapi::OPENAPI_PATH, get(openapi::document))
        .merge(guarded)
        .layer(axum::middleware::from_fn(error::in_words))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// Whether a request sends a plan file, which may be larger than a form
/// (up to [`crate::plans::routes::MAX_IMPORT_BYTES`]; its route limits it).
pub fn sends_plan_file(method: &Method, path: &str) -> bool {
    method == Method::POST
        && path
            .strip_prefix(MEETINGS)
            .and_then(|rest| rest.strip_suffix("/plan"))
            .is_some_and(|room| !room.is_empty() && !room.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plan_files_may_be_larger() {
        assert!(sends_plan_file(&Method::POST, "/api/v1/meetings/demo/plan"));
        assert!(!sends_plan_file(&Method::GET, "/api/v1/meetings/demo/plan"));
        assert!(!sends_plan_file(&Method::POST, "/api/v1/meetings//plan"));
        assert!(!sends_plan_file(&Method::POST, "/api/v1/meetings/a/b/plan"));
        assert!(!sends_plan_file(
            &Method::POST,
            "/api/v1/meetings/demo/rooms"
        ));
        assert!(!sends_plan_file(&Method::POST, "/api/v1/plans"));
    }
}

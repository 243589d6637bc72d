//! The HTTP surface: server-rendered pages, server functions, static files
//! and the integrators' API ([`crate::api`]).

use std::sync::Arc;

use app::auth::SignIn;
use app::plans::Store;
use app::service::MeetingService;
use app::{App, shell};
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::api::{self, Api, tokens::ApiTokens};
use crate::auth::{self, Auth};
use crate::health::Health;
use crate::live;
use crate::plans::{self, routes::PlanFiles};
use crate::rate_limit::{self, Limiter};
use crate::web_security::{self, Policy};

/// What the router serves.
pub struct Site {
    pub options: LeptosOptions,
    /// The Jitsi deployment's meetings, when one is configured.
    pub meetings: Option<Arc<dyn MeetingService>>,
    pub policy: Policy,
    pub auth: Arc<Auth>,
    pub health: Health,
    pub rate: Arc<Limiter>,
    /// Where plans are kept, when the panel keeps them.
    pub store: Option<Arc<dyn Store>>,
    /// Where the record of meetings is kept, when the panel keeps it.
    pub journal: Option<Arc<dyn crate::record::Journal>>,
    /// The integrations that may call the API with a token.
    pub api_tokens: Arc<ApiTokens>,
}

impl Site {
    /// The pages alone: no deployment, the default framing policy, open
    /// sign-in, no readiness probe or metrics.
    pub fn new(options: LeptosOptions) -> Self {
        Self {
            options,
            meetings: None,
            policy: Policy::default(),
            auth: Auth::open(),
            health: Health::default(),
            rate: Limiter::new(rate_limit::Limits::default()),
            store: None,
            journal: None,
            api_tokens: Arc::default(),
        }
    }
}

/// Builds the router. Static files come from `options.site_root`; the
/// monitoring endpoints are beside them; everything else is rendered by the
/// app. The meeting service, when there is one, and the sign-in are provided
/// as context to pages and server functions. Every response passes
/// [`web_security::guard`] and, but for the monitoring endpoints, the sign-in
/// ([`auth::resolve`]) and the rate limits ([`rate_limit::limit`]). The API
/// has its own credentials and errors, and passes the same guard and limits.
pub fn router(site_parts: Site) -> Router {
    let Site {
        options,
        meetings,
        policy,
        auth,
        health,
        rate,
        store,
        journal,
        api_tokens,
    } = site_parts;
    let routes = generate_route_list(App);
    let live_meetings = meetings.clone();
    let plan_files = store.clone().map(|store| PlanFiles {
        meetings: meetings.clone(),
        store,
    });
    let api = Api {
        meetings: meetings.clone(),
        store: store.clone(),
        journal: journal.clone(),
        tokens: api_tokens,
        auth: auth.clone(),
        rate: rate.clone(),
    };
    let sign_in: Arc<dyn SignIn> = auth.clone();
    let site = std::path::PathBuf::from(options.site_root.as_ref());
    // The site's own files come first: the board's `/<tenant>/<room>` route would
    // otherwise take `/pkg/<file>` for a meeting.
    let router = Router::new()
        // A release build puts gzip'd copies beside the files (`<file>.gz`).
        .nest_service(
            "/pkg",
            ServeDir::new(site.join(options.site_pkg_dir.as_ref())).precompressed_gzip(),
        )
        .route_service(
            "/favicon.svg",
            ServeFile::new(site.join("favicon.svg")).precompressed_gzip(),
        )
        .route_service(
            "/countdown.js",
            ServeFile::new(site.join("countdown.js")).precompressed_gzip(),
        )
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                if let Some(meetings) = meetings.clone() {
                    provide_context(meetings);
                }
                if let Some(store) = store.clone() {
                    provide_context(store);
                }
                provide_context(sign_in.clone());
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        // OpenID Connect's way out and back, under the same limits.
        .merge(auth::routes(auth.clone()))
        // Plan files in and out, under the same sign-in and limits.
        .merge(plan_files.map(plans::routes::routes).unwrap_or_default())
        // The record of meetings, out.
        .merge(
            journal
                .map(crate::record::routes::routes)
                .unwrap_or_default(),
        )
        // The live connection is answered before the server function's own handler.
        .layer(axum::middleware::from_fn_with_state(
            live::Live {
                meetings: live_meetings,
            },
            live::intercept,
        ))
        .layer(axum::middleware::from_fn_with_state(
            rate,
            rate_limit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(auth, auth::resolve))
        .merge(health.routes())
        // Outside the pages' sign-in: the API takes credentials, not cookies.
        .merge(api::routes(api));
    harden(router, policy)
}

/// Largest request body: board forms and commands are a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How long a request body may take to arrive.
pub const BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// What every route gets: the web-security guard, a body limit (413 beyond
/// it; plan files get more room than forms) and deadline, and a panic in a
/// handler becomes a 500 and a log line, never a dropped connection.
pub fn harden(router: Router, policy: Policy) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(
            policy,
            web_security::guard,
        ))
        .layer(axum::middleware::from_fn(limit_body))
        .layer(RequestBodyTimeoutLayer::new(BODY_DEADLINE))
        .layer(CatchPanicLayer::custom(panicked))
}

/// Refuses a body over [`MAX_BODY_BYTES`]: by its length when it says, else
/// as it is read. Plan files are their route's to limit.
async fn limit_body(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    // A plan file's route reads it a piece at a time, no further than a file
    // may be, and says on the plan's board that it is too large; its form
    // reader stops at axum's own 2 MB. The API's plan files are read the same way.
    if request.uri().path() == app::library::IMPORT_PATH
        || api::sends_plan_file(request.method(), request.uri().path())
    {
        return next.run(request).await;
    }
    let max = MAX_BODY_BYTES;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        if request.uri().path().starts_with(api::PREFIX) {
            return api::error::ApiError::TooLarge(max).into_response();
        }
        return crate::worded::refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            request.uri(),
            request.headers(),
        );
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, max)));
    next.run(request).await
}

fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message");
    tracing::error!(panic = %what.escape_debug(), "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        crate::worded::in_both("internal"),
    )
        .into_response()
}

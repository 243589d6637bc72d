//! The HTTP surface: server-rendered pages, server functions and static files.

use std::sync::Arc;

use app::service::MeetingService;
use app::{App, shell};
use axum::Router;
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{LeptosRoutes, generate_route_list};

/// Builds the router for the given site options. Static files come from
/// `options.site_root`; everything else is rendered by the app. The meeting
/// service, when there is one, is provided as context to pages and server functions.
pub fn router(options: LeptosOptions, meetings: Option<Arc<dyn MeetingService>>) -> Router {
    let routes = generate_route_list(App);
    Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                if let Some(meetings) = meetings.clone() {
                    provide_context(meetings);
                }
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
}

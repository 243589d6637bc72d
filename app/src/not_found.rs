//! The page for addresses that lead nowhere.

use leptos::prelude::*;

/// Says the page does not exist; on the server it also sets status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1>"Sidan finns inte"</h1>
        <p>"Page not found."</p>
        <p><a href="/">"Till startsidan / To the start page"</a></p>
    }
}

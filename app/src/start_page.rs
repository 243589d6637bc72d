//! The start page: where a moderator names the meeting to manage.

use leptos::prelude::*;

/// The first page. It says whether the page has been hydrated, so that a browser
/// test can tell server rendering and hydration apart.
#[component]
pub fn StartPage() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <h1>"Grupprum"</h1>
        <p>"Moderatorpanel för grupprum i Jitsi Meet. / Moderator panel for Jitsi Meet breakout rooms."</p>
        <p class="status" data-testid="hydration">
            {move || if hydrated.get() { "interactive" } else { "server-rendered" }}
        </p>
    }
}

//! The start page: the moderator names the meeting (a room name or a full Jitsi
//! address, tenant included) and goes to its board.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::i18n::Lang;
use crate::meeting::MeetingRef;

/// Without JavaScript the form is a GET to this page; the server then redirects
/// to the board. With JavaScript the browser goes there directly.
#[component]
pub fn StartPage() -> impl IntoView {
    let lang = expect_context::<Signal<Lang>>();
    let t = move || lang.get().t();
    let query = use_query_map();
    let asked = query.with_untracked(|q| q.get("meeting"));
    let invalid = RwSignal::new(
        asked
            .as_deref()
            .is_some_and(|m| MeetingRef::from_input(m).is_none()),
    );
    #[cfg(feature = "ssr")]
    if let Some(meeting) = asked.as_deref().and_then(MeetingRef::from_input) {
        leptos_axum::redirect(&meeting.path());
    }
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let input = NodeRef::<leptos::html::Input>::new();
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(field) = input.get() else { return };
        ev.prevent_default();
        match MeetingRef::from_input(&field.value()) {
            Some(meeting) => navigate(&meeting.path(), Default::default()),
            None => invalid.set(true),
        }
    };
    view! {
        <div class="start">
            <h1>"Grupprum"</h1>
            <p class="tagline">{move || t().tagline}</p>
            <form method="get" action="/" class="open-meeting" on:submit=on_submit>
                <label for="meeting">{move || t().meeting_label}</label>
                <input id="meeting" name="meeting" type="text" required autocomplete="off" node_ref=input
                    aria-describedby="meeting-hint" value=asked.clone().unwrap_or_default() />
                <p id="meeting-hint" class="hint">{move || t().meeting_hint}</p>
                {move || invalid.get().then(|| view! { <p class="banner banner-error" role="alert">{t().bad_meeting}</p> })}
                <button type="submit">{move || t().open}</button>
            </form>
            <p class="status" data-testid="hydration">
                {move || if hydrated.get() { "interactive" } else { "server-rendered" }}
            </p>
        </div>
    }
}

//! The start page: the moderator names the meeting (a room name or a full Jitsi
//! address, tenant included), the name the panel takes in it, and optionally a
//! Jitsi token; then goes to the meeting's board.
//!
//! A plain form, rendered on the server: it posts to the `open_meeting` server
//! function, which keeps the name and token and redirects to the board, or back
//! here with `?problem=` and what was typed. `/?meeting=<name or address>` opens
//! a board straight away.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::api::OpenMeeting;
use crate::i18n::Lang;
use crate::meeting::MeetingRef;

#[component]
pub fn StartPage() -> impl IntoView {
    let t = expect_context::<Lang>().t();
    let query = use_query_map();
    let asked = query.with_untracked(|q| q.get("meeting"));
    let given_name = query.with_untracked(|q| q.get("name"));
    let problem = query.with_untracked(|q| q.get("problem")).or_else(|| {
        asked
            .as_deref()
            .is_some_and(|m| MeetingRef::from_input(m).is_none())
            .then(|| "meeting".to_owned())
    });
    #[cfg(feature = "ssr")]
    if problem.is_none()
        && let Some(meeting) = asked.as_deref().and_then(MeetingRef::from_input)
    {
        crate::redirect::to(&meeting.path());
    }
    let problem = problem.map(|code| {
        let text = match code.as_str() {
            "meeting" => t.bad_meeting,
            "name" => t.bad_name,
            "token" => t.bad_token,
            _ => t.start_failed,
        };
        view! { <p class="banner banner-error" role="alert" data-testid="start-problem">{text}</p> }
    });
    // The page is rendered on the server only: it reads the cookie itself.
    #[cfg(feature = "ssr")]
    let remembered = crate::identity::remembered_name();
    #[cfg(not(feature = "ssr"))]
    let remembered: Option<String> = None;
    let name = given_name.or(remembered).unwrap_or_default();
    let open_url = <OpenMeeting as ServerFn>::url();
    view! {
        <div class="start">
            <h1>"Grupprum"</h1>
            <p class="tagline">{t.tagline}</p>
            <form method="post" action=open_url class="open-meeting">
                <label for="meeting">{t.meeting_label}</label>
                <input id="meeting" name="meeting" type="text" required autocomplete="off"
                    aria-describedby="meeting-hint" value=asked.unwrap_or_default() />
                <p id="meeting-hint" class="hint">{t.meeting_hint}</p>
                <label for="display_name">{t.name_label}</label>
                <input id="display_name" name="display_name" type="text" maxlength="64" autocomplete="nickname"
                    aria-describedby="name-hint" value=name />
                <p id="name-hint" class="hint">{t.name_hint}</p>
                <label for="token">{t.token_label}</label>
                <input id="token" name="token" type="password" autocomplete="off" aria-describedby="token-hint" />
                <p id="token-hint" class="hint">{t.token_hint}</p>
                {problem}
                <button type="submit">{t.open}</button>
            </form>
        </div>
    }
}

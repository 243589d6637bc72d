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

use leptos::either::EitherOf3;

use crate::api::{OpenMeeting, SignOut};
use crate::auth::AuthMode;
use crate::i18n::Lang;
use crate::meeting::MeetingRef;

#[component]
pub fn StartPage() -> impl IntoView {
    let lang = expect_context::<Lang>();
    let t = lang.page();
    let query = use_query_map();
    let asked = query.with_untracked(|q| q.get("meeting"));
    let given_name = query.with_untracked(|q| q.get("name"));
    let problem = query.with_untracked(|q| q.get("problem")).or_else(|| {
        asked
            .as_deref()
            .is_some_and(|m| MeetingRef::from_input(m).is_none())
            .then(|| "meeting".to_owned())
    });
    // `/?meeting=` goes straight to the board, once the visitor may use it:
    // until then the page asks them to sign in first, with the meeting kept.
    #[cfg(feature = "ssr")]
    if problem.is_none()
        && (crate::identity::mode() == AuthMode::Open || crate::auth::signed_in().is_some())
        && let Some(meeting) = asked.as_deref().and_then(MeetingRef::from_input)
    {
        crate::redirect::to(&meeting.path());
    }
    let problem = problem.map(|code| {
        let text = lang.problem(&code).unwrap_or(t.start_failed);
        view! { <p class="banner banner-error" role="alert" data-testid="start-problem">{text}</p> }
    });
    // The page is rendered on the server only: it reads the cookie and the
    // sign-in itself.
    #[cfg(feature = "ssr")]
    let (remembered, mode, user) = (
        crate::identity::remembered_name(),
        crate::identity::mode(),
        crate::auth::signed_in(),
    );
    #[cfg(not(feature = "ssr"))]
    let (remembered, mode, user): (Option<String>, AuthMode, Option<crate::auth::SignedIn>) =
        (None, AuthMode::Open, None);
    let name = given_name.or(remembered).unwrap_or_default();
    let open_url = <OpenMeeting as ServerFn>::url();
    let sign_out_url = <SignOut as ServerFn>::url();
    let who = user.as_ref().map(|user| {
        view! {
            <form method="post" action=sign_out_url class="signed-in" data-testid="signed-in">
                <span>{t.signed_in_as.replace("{name}", &user.name)}</span>
                " "
                <button type="submit" class="secondary">{t.sign_out}</button>
            </form>
        }
    });
    let notice = (mode == AuthMode::Open).then(
        || view! { <p class="banner banner-info" data-testid="open-notice">{t.open_notice}</p> },
    );
    // OpenID Connect: until signed in, the way to the organisation's sign-in,
    // which comes back here with the meeting asked for.
    let oidc_sign_in = (mode == AuthMode::Oidc && user.is_none()).then(|| {
        let next = match &asked {
            Some(m) => format!("/?meeting={}", crate::meeting::percent_encode(m)),
            None => "/".to_owned(),
        };
        let href = format!(
            "/auth/oidc/login?next={}",
            crate::meeting::percent_encode(&next)
        );
        view! { <a class="button" href=href data-testid="oidc-sign-in">{t.sign_in_oidc}</a> }
    });
    let (problem_in_form, problem_alone) = if oidc_sign_in.is_some() {
        (None, problem)
    } else {
        (problem, None)
    };
    // Open: the panel's name and an optional token for Prosody. JWT: the token
    // signs the user in (required until they are), and names them. OpenID
    // Connect: the provider has named them.
    let identity_fields = match mode {
        AuthMode::Open => EitherOf3::A(view! {
            <label for="display_name">{t.name_label}</label>
            <input id="display_name" name="display_name" type="text" maxlength="64" autocomplete="nickname"
                aria-describedby="name-hint" value=name />
            <p id="name-hint" class="hint">{t.name_hint}</p>
            <label for="token">{t.token_label}</label>
            <input id="token" name="token" type="password" autocomplete="off" aria-describedby="token-hint" />
            <p id="token-hint" class="hint">{t.token_hint}</p>
        }),
        AuthMode::Jwt => EitherOf3::B(view! {
            <label for="token">{t.sign_in_token_label}</label>
            <input id="token" name="token" type="password" autocomplete="off" aria-describedby="token-hint"
                required=user.is_none() />
            <p id="token-hint" class="hint">{t.sign_in_token_hint}</p>
        }),
        AuthMode::Oidc => EitherOf3::C(()),
    };
    let form = oidc_sign_in.is_none().then(|| {
        view! {
            <form method="post" action=open_url class="open-meeting">
                <label for="meeting">{t.meeting_label}</label>
                <input id="meeting" name="meeting" type="text" required autocomplete="off"
                    aria-describedby="meeting-hint" value=asked.unwrap_or_default() />
                <p id="meeting-hint" class="hint">{t.meeting_hint}</p>
                {identity_fields}
                {problem_in_form}
                <button type="submit">{t.open}</button>
            </form>
        }
    });
    view! {
        <div class="start">
            <h1>"Grupprum"</h1>
            <p class="tagline">{t.tagline}</p>
            {notice}
            {who}
            {problem_alone}
            {oidc_sign_in}
            {form}
        </div>
    }
}

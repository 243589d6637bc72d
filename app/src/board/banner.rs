//! What the board says about its links and rights, in words the moderator can act on.

use leptos::prelude::*;

use super::Board;
use crate::meeting::LinkStatus;

/// How long "Reconnected" stays on the board.
const RESYNCED_SECONDS: u64 = 5;

#[component]
pub fn Banner() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = board.lang.t();
    // "Reconnected" is news for a few seconds, then it goes.
    let resynced = Memo::new(move |_| board.view.with(|v| v.status == LinkStatus::Resynced));
    let resynced_shown = RwSignal::new(true);
    Effect::new(move |_| {
        if resynced.get() {
            resynced_shown.set(true);
            set_timeout(
                move || resynced_shown.set(false),
                std::time::Duration::from_secs(RESYNCED_SECONDS),
            );
        }
    });
    let status = move || {
        if resynced.get() && !resynced_shown.get() {
            return None;
        }
        let (class, text) = board.view.with(|view| match &view.status {
            LinkStatus::NotJoined => Some(("banner-info", t.not_joined.to_owned())),
            LinkStatus::Connecting => Some(("banner-info", t.connecting.to_owned())),
            LinkStatus::Online => None,
            LinkStatus::Resynced => Some(("banner-info", t.resynced.to_owned())),
            LinkStatus::Reconnecting { reason, .. } => Some((
                "banner-warning",
                format!("{} {}", t.reconnecting, board.lang.link_reason(reason)),
            )),
            LinkStatus::Failed { reason } => Some((
                "banner-error",
                format!("{}: {}", t.cannot_connect, board.lang.link_reason(reason)),
            )),
            LinkStatus::Closed => Some(("banner-warning", t.closed.to_owned())),
        })?;
        Some(
            view! { <p class=format!("banner {class}") role="status" data-testid="link-status">{text}</p> },
        )
    };
    let not_moderator = move || {
        let name = board.view.with(|view| {
            view.me
                .as_ref()
                .filter(|me| !me.is_moderator)
                .map(|me| me.display_name.clone())
        })?;
        let text = t.not_moderator.replace("{name}", &name);
        Some(
            view! { <p class="banner banner-warning" role="status" data-testid="not-moderator">{text}</p> },
        )
    };
    let server_lost = move || {
        board.server_lost.get().then(|| {
            view! { <p class="banner banner-error" role="alert" data-testid="server-lost">{t.server_lost}</p> }
        })
    };
    let refused = move || {
        board.refused.get().map(|words| view! { <p class="banner banner-error" role="alert" data-testid="live-refused">{words}</p> })
    };
    let error = move || {
        board.error.get().map(|e| view! { <p class="banner banner-error" role="alert" data-testid="command-error">{e}</p> })
    };
    view! {
        <div class="banners">
            {server_lost}
            {refused}
            {status}
            {not_moderator}
            {error}
        </div>
    }
}

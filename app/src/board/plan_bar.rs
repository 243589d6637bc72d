//! What the meeting's board says of plans as they happen: undo of the last
//! move, assign or close, the opened plan's progress, and how many wait in
//! the main room. The fixed forms around it are in [`super::tools`].

use leptos::prelude::*;

use super::Board;
use super::form::action_url;
use crate::meeting::Undoable;

#[component]
pub fn PlanBar() -> impl IntoView {
    let board = expect_context::<Board>();
    (!board.draft).then(|| view! { <Live /> })
}

/// `n` in a text with `{n}`.
fn count(text: &str, n: usize) -> String {
    text.replace("{n}", &n.to_string())
}

#[component]
fn Live() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = board.lang.t();
    let meeting = board.meeting.get_value();
    let undo = move || board.view.with(|v| v.undo.as_ref().map(|u| u.what));
    let undo_text = move || {
        let what = match undo() {
            Some(Undoable::Move) => t.undo_move,
            Some(Undoable::AutoAssign) => t.undo_assign,
            Some(Undoable::Close) => t.undo_close,
            Some(Undoable::SendEveryoneBack) => t.undo_send_back,
            None => "",
        };
        format!("{}: {what}", t.undo)
    };
    let progress = move || board.view.with(|v| v.progress);
    let progress_text = move || {
        let Some(p) = progress() else {
            return String::new();
        };
        let mut text = count(t.progress, p.done).replace("{total}", &p.total.to_string());
        if p.failed > 0 {
            text.push_str(", ");
            text.push_str(&count(t.progress_failed, p.failed));
        }
        if p.absent > 0 {
            text.push_str(", ");
            text.push_str(&count(t.not_here_count, p.absent));
        }
        text
    };
    let settled = move || progress().map_or(0, |p| p.done + p.failed).to_string();
    let total = move || progress().map_or(0, |p| p.total).to_string();
    let waiting = move || board.view.with(|v| v.waiting);
    view! {
        <div class="plan-live">
            <form method="post" action=action_url() hidden=move || undo().is_none()>
                <input type="hidden" name="room" value=meeting.room />
                <input type="hidden" name="tenant" value=meeting.tenant.unwrap_or_default() />
                <input type="hidden" name="action" value="undo" />
                <button type="submit" disabled=move || !board.can_act.get() data-testid="undo">{undo_text}</button>
            </form>
            <p class="progress" role="status" data-testid="plan-progress" hidden=move || progress().is_none()>
                <progress max=total value=settled></progress>
                " " {progress_text}
            </p>
            <p class="waiting" role="status" data-testid="waiting" hidden=move || waiting() == 0>
                {move || count(t.waiting, waiting())}
            </p>
        </div>
    }
}

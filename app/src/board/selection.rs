//! The people picked with their tick boxes: how many, "Move to…" for all of
//! them at once, and clearing the pick.

use leptos::prelude::*;

use super::Board;
use super::move_menu::MenuFor;

#[component]
pub fn Selection() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = board.lang.t();
    let count = move || board.selected.with(|s| s.len());
    view! {
        <div class="selection js-only" role="group" aria-label=t.selection hidden=move || count() == 0>
            <span data-testid="selected-count">{move || t.selected_count.replace("{n}", &count().to_string())}</span>
            <button
                type="button"
                id="move-selection"
                aria-haspopup="dialog"
                disabled=move || !board.can_act.get()
                on:click=move |_| board.menu.set(Some(MenuFor::Selection))
            >
                {t.move_to}"…"
            </button>
            <button type="button" class="secondary" on:click=move |_| board.selected.set(Default::default())>
                {t.clear_selection}
            </button>
        </div>
    }
}

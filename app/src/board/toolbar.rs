//! Actions on the whole meeting: create rooms, assign automatically, send everyone back.

use leptos::prelude::*;

use super::Board;
use super::form::{MeetingFields, action_url};

#[component]
pub fn Toolbar() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = board.lang.t();
    let disabled = move || !board.can_act.get();
    let no_rooms = move || board.view.with(|v| v.rooms.is_empty());
    let submit = move |ev| board.submit(ev);
    view! {
        <section class="toolbar" aria-label=t.actions>
            <form method="post" action=action_url() class="tool" on:submit=submit>
                <MeetingFields action="create" />
                <label>
                    <span>{t.create_room}</span>
                    <input type="text" name="name" required maxlength="200" autocomplete="off" data-testid="new-room-name" />
                </label>
                <button type="submit" disabled=disabled>{t.create}</button>
            </form>
            <form method="post" action=action_url() class="tool" on:submit=submit>
                <MeetingFields action="create_many" />
                <input type="hidden" name="language" value=board.lang.code() />
                <label>
                    <span>{t.create_many}</span>
                    <input type="number" name="count" min="1" max="20" value="4" required data-testid="room-count" />
                </label>
                <button type="submit" disabled=disabled>{t.create}</button>
            </form>
            <form method="post" action=action_url() class="tool" on:submit=submit>
                <MeetingFields action="auto_assign" />
                <label class="check">
                    <input type="checkbox" name="include_moderators" />
                    <span>{t.include_moderators}</span>
                </label>
                <button type="submit" disabled=move || disabled() || no_rooms()>{t.auto_assign}</button>
            </form>
            <details class="tool confirm">
                <summary>{t.send_back}</summary>
                <form method="post" action=action_url() on:submit=submit>
                    <MeetingFields action="send_back" />
                    <p>{t.send_back_confirm}</p>
                    <button type="submit" disabled=move || disabled() || no_rooms() data-testid="send-back">
                        {t.send_back}
                    </button>
                </form>
            </details>
        </section>
    }
}

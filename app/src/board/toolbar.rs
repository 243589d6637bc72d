//! Actions on the whole meeting: create rooms, assign automatically, send everyone back.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::Board;

/// The hidden fields that name the meeting in every form.
#[component]
pub fn MeetingFields(action: &'static str) -> impl IntoView {
    let board = expect_context::<Board>();
    let meeting = board.meeting.get_value();
    view! {
        <input type="hidden" name="room" value=meeting.room />
        {meeting.tenant.map(|t| view! { <input type="hidden" name="tenant" value=t /> })}
        <input type="hidden" name="action" value=action />
    }
    .into_any()
}

#[component]
pub fn Toolbar() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = move || board.lang.get().t();
    let disabled = move || {
        board
            .view
            .with(|v| !v.me.as_ref().is_some_and(|m| m.is_moderator))
    };
    let no_rooms = move || board.view.with(|v| v.rooms.is_empty());
    view! {
        <section class="toolbar" aria-label=move || t().actions>
            <ActionForm action=board.action attr:class="tool">
                <MeetingFields action="create" />
                <label>
                    <span>{move || t().create_room}</span>
                    <input type="text" name="name" required maxlength="200" autocomplete="off" data-testid="new-room-name" />
                </label>
                <button type="submit" disabled=disabled>{move || t().create}</button>
            </ActionForm>
            <ActionForm action=board.action attr:class="tool">
                <MeetingFields action="create_many" />
                <input type="hidden" name="language" value=move || board.lang.get().code() />
                <label>
                    <span>{move || t().create_many}</span>
                    <input type="number" name="count" min="1" max="20" value="4" required data-testid="room-count" />
                </label>
                <button type="submit" disabled=disabled>{move || t().create}</button>
            </ActionForm>
            <ActionForm action=board.action attr:class="tool">
                <MeetingFields action="auto_assign" />
                <label class="check">
                    <input type="checkbox" name="include_moderators" />
                    <span>{move || t().include_moderators}</span>
                </label>
                <button type="submit" disabled=move || disabled() || no_rooms()>{move || t().auto_assign}</button>
            </ActionForm>
            <details class="tool confirm">
                <summary>{move || t().send_back}</summary>
                <ActionForm action=board.action>
                    <MeetingFields action="send_back" />
                    <p>{move || t().send_back_confirm}</p>
                    <button type="submit" disabled=move || disabled() || no_rooms() data-testid="send-back">
                        {move || t().send_back}
                    </button>
                </ActionForm>
            </details>
        </section>
    }
    .into_any()
}

//! One room: its title and count, its people, and its actions.

use leptos::prelude::*;

use super::form::{MeetingFields, action_url};
use super::person::Person;
use super::{Board, room_title};
use crate::meeting::{OutcomeState, RoomView};

#[component]
pub fn RoomCard(jid: String) -> impl IntoView {
    let board = expect_context::<Board>();
    let lang = board.lang;
    let t = lang.t();
    let room = {
        let jid = jid.clone();
        Memo::new(move |_| {
            board.view.with(|v| {
                std::iter::once(&v.main)
                    .chain(v.rooms.iter())
                    .find(|r| r.jid == jid)
                    .cloned()
            })
        })
    };
    let is_main = room.with_untracked(|r| r.as_ref().is_some_and(|r| r.is_main));
    let title = move || room.with(|r| r.as_ref().map(|r| room_title(lang, r)).unwrap_or_default());
    let count = move || room.with(|r| r.as_ref().map_or(0, |r| r.participants.len()));
    let people = move || {
        room.with(|r| {
            r.as_ref()
                .map(|r| r.participants.clone())
                .unwrap_or_default()
        })
    };
    let heading_id = format!("room-{}", jid.replace(['@', '.', '/'], "-"));
    let state = {
        let jid = jid.clone();
        move || {
            board.latest.with(|l| match l.get(&jid) {
                Some(OutcomeState::Pending) => Some(t.pending.to_owned()),
                Some(OutcomeState::Failed { reason }) => {
                    Some(format!("{}: {}", t.failed, board.lang.fail_reason(reason)))
                }
                _ => None,
            })
        }
    };
    let actions = (!is_main).then(|| room_actions(board, jid.clone(), room));
    let drop_jid = jid.clone();
    let row_room = jid.clone();
    let here = jid.clone();
    let labelled_by = heading_id.clone();
    // Ticked, the room is one the timer and message form is for.
    let pick = view! {
        <input type="checkbox" class="pick-room" form="to-rooms" name=format!("rooms[{heading_id}]") value=jid.clone() aria-label=t.pick_room hidden=is_main || board.draft />
    };
    view! {
        <section
            class="room"
            class:main-room=is_main
            data-room=jid
            aria-labelledby=labelled_by
            on:dragover=move |ev| ev.prevent_default()
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(id) = board.dragging.get_untracked() {
                    board.dragging.set(None);
                    board.move_people(vec![id], drop_jid.clone());
                }
            }
        >
            <header class="room-header">
                {pick}
                <h2 id=heading_id>{title} " (" <span class="count">{count}</span> ")"</h2>
                // Shown while the room has a timer (the stylesheet hides it without one).
                <span class="countdown" data-ends=move || room.with(|r| r.as_ref().and_then(|r| r.ends)).map(|e| e.to_string()) data-testid="countdown"></span>
                {actions}
            </header>
            {move || state().map(|s| view! { <p class="room-state" role="status">{s}</p> })}
            <ul class="people">
                <For each=people key=|p| (p.id.clone(), p.display_name.clone(), p.role, p.is_me) let(person)>
                    <Person person=person room=row_room.clone() />
                </For>
            </ul>
            <p class="empty" hidden=move || count() != 0>{t.nobody}</p>
            <button
                type="submit"
                class="move-here"
                form="move-selected"
                name="target"
                value=here
                // Without scripts the server cannot know what is ticked: enabled then.
                disabled=move || {
                    !board.can_act.get() || (board.hydrated.get() && board.selected.with(|s| s.is_empty()))
                }
            >
                {t.move_selected_here}
            </button>
        </section>
    }
}

/// Rename, close (with a confirmation) and remove, for breakout rooms. Close is
/// offered while people are in the room, remove once it is empty.
fn room_actions(board: Board, jid: String, room: Memo<Option<RoomView>>) -> impl IntoView {
    let t = board.lang.t();
    let occupied = move || room.with(|r| r.as_ref().is_some_and(|r| !r.participants.is_empty()));
    let can_rename = board.view.with_untracked(|v| v.can_rename);
    let disabled = move || !board.can_act.get();
    let current = room.with_untracked(|r| {
        r.as_ref()
            .map(|r| room_title(board.lang, r))
            .unwrap_or_default()
    });
    view! {
        <div class="room-actions">
            {can_rename.then(|| {
                let jid = jid.clone();
                view! {
                    <details class="confirm">
                        <summary>{t.rename}</summary>
                        <form method="post" action=action_url()>
                            <MeetingFields action="rename" />
                            <input type="hidden" name="target" value=jid />
                            <label>
                                <span>{t.new_name}</span>
                                <input type="text" name="name" required maxlength="200" value=current />
                            </label>
                            <button type="submit" disabled=disabled>{t.save}</button>
                        </form>
                    </details>
                }
            })}
            <details class="confirm" hidden=move || !occupied()>
                <summary>{t.close}</summary>
                <form method="post" action=action_url()>
                    <MeetingFields action="close" />
                    <input type="hidden" name="target" value=jid.clone() />
                    <p>{t.close_confirm}</p>
                    <button type="submit" disabled=disabled>{t.close}</button>
                </form>
            </details>
            <form method="post" action=action_url() class="inline" hidden=occupied>
                <MeetingFields action="remove" />
                <input type="hidden" name="target" value=jid />
                <button type="submit" disabled=disabled>{t.remove}</button>
            </form>
        </div>
    }
}

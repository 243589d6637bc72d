//! One person in a room: name (always as text), role badge, a tick box to pick
//! them for a move, "Move to…", and the state of the last command about them.

use leptos::prelude::*;

use super::Board;
use super::move_menu::MenuFor;
use crate::meeting::{OutcomeState, ParticipantView, RoleView};

/// A participant's name as the board shows it: their display name, else their id.
pub fn shown_name(person: &ParticipantView) -> String {
    person
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| person.id.clone())
}

#[component]
pub fn Person(person: ParticipantView, room: String) -> impl IntoView {
    let board = expect_context::<Board>();
    let t = board.lang.t();
    let name = shown_name(&person);
    let id = person.id.clone();
    let badge = match person.role {
        Some(RoleView::Moderator) => Some(t.moderator),
        Some(RoleView::Visitor) => Some(t.visitor),
        _ => None,
    };
    let state = {
        let id = id.clone();
        move || {
            board.latest.with(|l| l.get(&id).cloned()).map(|s| match s {
                OutcomeState::Pending => ("pending", t.pending.to_owned()),
                OutcomeState::Done => ("done", t.done.to_owned()),
                OutcomeState::NotMoved => ("not-moved", t.not_moved.to_owned()),
                OutcomeState::Failed { reason } => (
                    "failed",
                    format!("{}: {}", t.failed, board.lang.fail_reason(&reason)),
                ),
            })
        }
    };
    let state = move || {
        state()
            .map(|(class, text)| view! { <span class=format!("state state-{class}")>{text}</span> })
    };
    let me = person.is_me;
    let pick = (!me).then(|| {
        let (checked_id, toggle_id) = (id.clone(), id.clone());
        view! {
            <input
                type="checkbox"
                class="pick"
                form="move-selected"
                // Keys only need to differ (the id travels as the value): serde_qs
                // reads a key that starts with a digit as an index.
                name=format!("picked[p{id}]")
                value=id.clone()
                aria-label=format!("{} {name}", t.select)
                prop:checked=move || board.selected.with(|s| s.contains(&checked_id))
                on:change=move |_| {
                    board.selected.update(|s| {
                        if !s.remove(&toggle_id) {
                            s.insert(toggle_id.clone());
                        }
                    })
                }
            />
        }
    });
    let move_to = (!me).then(|| {
        let menu = MenuFor::Person {
            id: id.clone(),
            name: name.clone(),
            room,
        };
        view! {
            <button
                type="button"
                class="move-to js-only"
                id=format!("move-{id}")
                aria-haspopup="dialog"
                aria-label=t.move_person_to.replace("{name}", &name)
                disabled=move || !board.can_act.get()
                on:click=move |_| board.menu.set(Some(menu.clone()))
            >
                {t.move_to}"…"
            </button>
        }
    });
    let drag_id = id.clone();
    view! {
        <li
            class="person"
            class:absent=person.absent
            data-person=id
            draggable=if me { "false" } else { "true" }
            on:dragstart=move |_| board.dragging.set(Some(drag_id.clone()))
        >
            {pick}
            <span class="name">{name}</span>
            {badge.map(|b| view! { <span class="badge">{b}</span> })}
            {me.then(|| view! { <span class="badge badge-me">{t.you}</span> })}
            {person.absent.then(|| view! { <span class="badge badge-absent">{t.not_here_yet}</span> })}
            {state}
            {move_to}
        </li>
    }
}

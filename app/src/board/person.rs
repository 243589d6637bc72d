//! One person in a room: name (always as text), role badge, selection, "Move to…",
//! and the state of the last command about them.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::Board;
use super::toolbar::MeetingFields;
use crate::meeting::{OutcomeState, ParticipantView, RoleView};

#[component]
pub fn Person(person: ParticipantView, room: String) -> impl IntoView {
    let board = expect_context::<Board>();
    let t = move || board.lang.get().t();
    let id = person.id.clone();
    let name = person
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| person.id.clone());
    let badge = move || match person.role {
        Some(RoleView::Moderator) => Some(t().moderator),
        Some(RoleView::Visitor) => Some(t().visitor),
        _ => None,
    };
    let moderator = move || {
        board
            .view
            .with(|v| v.me.as_ref().is_some_and(|m| m.is_moderator))
    };
    let targets = {
        let room = room.clone();
        move || {
            board.targets.with(|all| {
                all.iter()
                    .filter(|(jid, _)| *jid != room)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        }
    };
    let state = {
        let id = id.clone();
        move || {
            board.outcome_for(&id).map(|o| match o.state {
                OutcomeState::Pending => ("pending", t().pending.to_owned()),
                OutcomeState::Done => ("done", t().done.to_owned()),
                OutcomeState::NotMoved => ("not-moved", t().not_moved.to_owned()),
                OutcomeState::Failed { reason } => ("failed", format!("{}: {reason}", t().failed)),
            })
        }
    };
    let (select_id, drag_id, move_id) = (id.clone(), id.clone(), id.clone());
    let checked = {
        let id = id.clone();
        move || board.selected.with(|s| s.contains(&id))
    };
    let label_name = name.clone();
    view! {
        <li
            class="person"
            data-person=id.clone()
            draggable=move || if person.is_me { "false" } else { "true" }
            on:dragstart=move |_| board.dragging.set(Some(drag_id.clone()))
        >
            {(!person.is_me).then(|| view! {
                <input
                    type="checkbox"
                    class="pick"
                    aria-label=move || format!("{} {label_name}", t().select)
                    prop:checked=checked
                    on:change=move |_| {
                        board.selected.update(|s| {
                            if !s.remove(&select_id) {
                                s.insert(select_id.clone());
                            }
                        })
                    }
                />
            })}
            <span class="name">{name.clone()}</span>
            {move || badge().map(|b| view! { <span class="badge">{b}</span> })}
            {person.is_me.then(|| view! { <span class="badge badge-me">{move || t().you}</span> })}
            {move || state().map(|(class, text)| view! { <span class=format!("state state-{class}") role="status">{text}</span> })}
            {(!person.is_me).then(|| view! {
                <ActionForm action=board.action attr:class="move-form">
                    <MeetingFields action="move" />
                    <input type="hidden" name="participant" value=move_id.clone() />
                    <label>
                        <span class="sr-only">{move || format!("{} ({})", t().move_to, name)}</span>
                        <select name="target" required>
                            <option value="" disabled selected>{move || format!("{}…", t().move_to)}</option>
                            <For each=targets.clone() key=|(jid, title)| (jid.clone(), title.clone()) let((jid, title))>
                                <option value=jid>{title}</option>
                            </For>
                        </select>
                    </label>
                    <button type="submit" disabled=move || !moderator()>{move || t().move_button}</button>
                </ActionForm>
            })}
        </li>
    }
    .into_any()
}

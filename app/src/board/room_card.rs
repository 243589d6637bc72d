//! One room: its title and count, its people, and its actions.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::Board;
use super::person::Person;
use super::toolbar::MeetingFields;
use crate::meeting::{Command, OutcomeState};

#[component]
pub fn RoomCard(jid: String) -> impl IntoView {
    let board = expect_context::<Board>();
    let t = move || board.lang.get().t();
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
    let is_main = move || room.with(|r| r.as_ref().is_some_and(|r| r.is_main));
    let title = move || room.get().map(|r| board.room_title(&r)).unwrap_or_default();
    let count = move || room.with(|r| r.as_ref().map_or(0, |r| r.participants.len()));
    let people = move || room.get().map(|r| r.participants).unwrap_or_default();
    let moderator = move || {
        board
            .view
            .with(|v| v.me.as_ref().is_some_and(|m| m.is_moderator))
    };
    let heading_id = format!("room-{}", jid.replace(['@', '.', '/'], "-"));
    let state = {
        let jid = jid.clone();
        move || {
            board.outcome_for(&jid).and_then(|o| match o.state {
                OutcomeState::Pending => Some(t().pending.to_owned()),
                OutcomeState::Failed { reason } => Some(format!("{}: {reason}", t().failed)),
                _ => None,
            })
        }
    };
    let drop_jid = jid.clone();
    let selected_jid = jid.clone();
    let move_selected = move |_| {
        let chosen: Vec<String> = board.selected.get_untracked().into_iter().collect();
        if !chosen.is_empty() {
            board.selected.set(Default::default());
            board.run(Command::Move {
                participants: chosen,
                to: selected_jid.clone(),
            });
        }
    };
    let actions = {
        let jid = jid.clone();
        move || {
            (!is_main()).then(|| {
                let (rename_jid, close_jid, remove_jid) = (jid.clone(), jid.clone(), jid.clone());
                let can_rename = board.view.with(|v| v.can_rename);
                view! {
                    <div class="room-actions">
                        {can_rename.then(|| view! {
                            <details class="confirm">
                                <summary>{move || t().rename}</summary>
                                <ActionForm action=board.action>
                                    <MeetingFields action="rename" />
                                    <input type="hidden" name="target" value=rename_jid.clone() />
                                    <label>
                                        <span>{move || t().new_name}</span>
                                        <input type="text" name="name" required maxlength="200" value=title() />
                                    </label>
                                    <button type="submit" disabled=move || !moderator()>{move || t().save}</button>
                                </ActionForm>
                            </details>
                        })}
                        {move || if count() > 0 {
                            let close_jid = close_jid.clone();
                            view! {
                                <details class="confirm">
                                    <summary>{move || t().close}</summary>
                                    <ActionForm action=board.action>
                                        <MeetingFields action="close" />
                                        <input type="hidden" name="target" value=close_jid />
                                        <p>{move || t().close_confirm}</p>
                                        <button type="submit" disabled=move || !moderator()>{move || t().close}</button>
                                    </ActionForm>
                                </details>
                            }.into_any()
                        } else {
                            let remove_jid = remove_jid.clone();
                            view! {
                                <ActionForm action=board.action attr:class="inline">
                                    <MeetingFields action="remove" />
                                    <input type="hidden" name="target" value=remove_jid />
                                    <button type="submit" disabled=move || !moderator()>{move || t().remove}</button>
                                </ActionForm>
                            }.into_any()
                        }}
                    </div>
                }
            })
        }
    };
    let room_attr = jid.clone();
    let labelled_by = heading_id.clone();
    let row_room = jid.clone();
    view! {
        <section
            class="room"
            class:main-room=is_main
            data-room=room_attr
            aria-labelledby=labelled_by
            on:dragover=move |ev| ev.prevent_default()
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(id) = board.dragging.get_untracked() {
                    board.dragging.set(None);
                    board.run(Command::Move { participants: vec![id], to: drop_jid.clone() });
                }
            }
        >
            <header class="room-header">
                <h2 id=heading_id>{title} " (" <span class="count">{count}</span> ")"</h2>
                {actions}
            </header>
            {move || state().map(|s| view! { <p class="room-state" role="status">{s}</p> })}
            <ul class="people">
                <For each=people key=|p| (p.id.clone(), p.display_name.clone(), p.role, p.is_me) let(person)>
                    <Person person=person room=row_room.clone() />
                </For>
            </ul>
            {move || (count() == 0).then(|| view! { <p class="empty">{t().nobody}</p> })}
            {move || (!board.selected.with(|s| s.is_empty())).then(|| {
                let move_selected = move_selected.clone();
                view! {
                    <button type="button" class="move-here" on:click=move_selected disabled=move || !moderator()>
                        {t().move_selected_here}
                    </button>
                }
            })}
        </section>
    }
    .into_any()
}

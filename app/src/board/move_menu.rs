//! "Move to…": one menu for the whole board, opened for a person or for
//! everyone picked. It lists the rooms they can go to; Escape or Cancel closes
//! it and gives the focus back to where it came from.

use leptos::prelude::*;

use super::Board;

/// Who the open menu moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuFor {
    /// One person, from their row: `room` is where they are now.
    Person {
        id: String,
        name: String,
        room: String,
    },
    /// Everyone picked with the tick boxes.
    Selection,
}

#[component]
pub fn MoveMenu() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = board.lang.t();
    let first = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        let opener = match board.menu.get_untracked() {
            Some(MenuFor::Person { id, .. }) => format!("move-{id}"),
            _ => "move-selection".to_owned(),
        };
        board.menu.set(None);
        if let Some(button) = document().get_element_by_id(&opener) {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(button) = button.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        }
    };
    // Focus the first room when the menu opens.
    Effect::new(move |_| {
        if let Some(button) = first.get() {
            let _ = button.focus();
        }
    });
    move || {
        let which = board.menu.get()?;
        let (title, here) = match &which {
            MenuFor::Person { name, room, .. } => {
                (t.move_person_to.replace("{name}", name), Some(room.clone()))
            }
            MenuFor::Selection => {
                let n = board.selected.with_untracked(|s| s.len());
                (t.move_selected_to.replace("{n}", &n.to_string()), None)
            }
        };
        let rooms: Vec<(String, String)> = board.targets.with_untracked(|all| {
            all.iter()
                .filter(|(jid, _)| Some(jid) != here.as_ref())
                .cloned()
                .collect()
        });
        let nowhere = rooms
            .is_empty()
            .then(|| view! { <p class="empty">{t.no_rooms}</p> });
        let buttons = rooms
            .into_iter()
            .enumerate()
            .map(|(i, (jid, room_title))| {
                let which = which.clone();
                let go = move |_| {
                    let people = match &which {
                        MenuFor::Person { id, .. } => vec![id.clone()],
                        MenuFor::Selection => board.selected.get_untracked().into_iter().collect(),
                    };
                    close();
                    board.move_people(people, jid.clone());
                };
                let node = if i == 0 { first } else { NodeRef::new() };
                view! { <li><button type="button" node_ref=node on:click=go>{room_title}</button></li> }
            })
            .collect_view();
        Some(view! {
            <div class="menu-backdrop" on:click=move |_| close()></div>
            <div
                class="move-menu"
                role="dialog"
                aria-modal="true"
                aria-labelledby="move-menu-title"
                data-testid="move-menu"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        close();
                    }
                }
            >
                <h2 id="move-menu-title">{title}</h2>
                {nowhere}
                <ul>{buttons}</ul>
                <button type="button" class="secondary" on:click=move |_| close()>{t.cancel}</button>
            </div>
        })
    }
}

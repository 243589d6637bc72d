//! What happened: a live region that announces moves to screen readers, and the
//! recent outcomes in words.

use std::collections::HashMap;

use leptos::prelude::*;

use super::Board;
use crate::meeting::OutcomeState;

#[component]
pub fn Events() -> impl IntoView {
    let board = expect_context::<Board>();
    let t = move || board.lang.get().t();
    let announcement = RwSignal::new(String::new());
    let seen = StoredValue::new(HashMap::<u64, OutcomeState>::new());
    let primed = StoredValue::new(false);
    Effect::new(move |_| {
        let view = board.view.get();
        let first = !primed.get_value();
        primed.set_value(true);
        let mut said = Vec::new();
        seen.update_value(|seen| {
            for o in &view.outcomes {
                let before = seen.insert(o.id, o.state.clone());
                // Announce changes only: not what was already there when the page opened.
                if first || before.as_ref() == Some(&o.state) {
                    continue;
                }
                let Some(id) = o.subject.as_deref() else {
                    continue;
                };
                let Some(room) = view.room_of(id) else {
                    continue;
                };
                let person = room.participants.iter().find(|p| p.id == id);
                let name = person
                    .and_then(|p| p.display_name.clone())
                    .unwrap_or_else(|| id.to_owned());
                let room_name = if room.is_main {
                    t().main_room.to_owned()
                } else {
                    room.name.clone().unwrap_or_default()
                };
                match o.state {
                    OutcomeState::Done if o.label.starts_with("Move ") => {
                        said.push(
                            t().moved
                                .replace("{name}", &name)
                                .replace("{room}", &room_name),
                        );
                    }
                    OutcomeState::NotMoved => said.push(t().did_not_move.replace("{name}", &name)),
                    _ => {}
                }
            }
        });
        if !said.is_empty() {
            announcement.set(said.join(". "));
        }
    });
    let recent = move || {
        board
            .view
            .with(|v| v.outcomes.iter().rev().take(8).cloned().collect::<Vec<_>>())
    };
    view! {
        <div class="sr-only" aria-live="polite" data-testid="announcer">{announcement}</div>
        <section class="events" aria-label=move || t().recent>
            <h2>{move || t().recent}</h2>
            <ul>
                <For each=recent key=|o| (o.id, format!("{:?}", o.state)) let(o)>
                    <li class="event">
                        {o.label.clone()} ": "
                        {match o.state {
                            OutcomeState::Pending => t().pending.to_owned(),
                            OutcomeState::Done => t().done.to_owned(),
                            OutcomeState::NotMoved => t().not_moved.to_owned(),
                            OutcomeState::Failed { reason } => format!("{}: {reason}", t().failed),
                        }}
                    </li>
                </For>
            </ul>
        </section>
    }
    .into_any()
}

//! What happened: a live region that announces moves to screen readers, and the
//! recent outcomes in words.

use std::collections::HashMap;

use leptos::prelude::*;

use super::Board;
use super::person::shown_name;
use super::room_title;
use crate::meeting::{By, Outcome, OutcomeKind, OutcomeState};

#[component]
pub fn Events() -> impl IntoView {
    let board = expect_context::<Board>();
    let lang = board.lang;
    let t = lang.t();
    let announcement = RwSignal::new(String::new());
    let seen = StoredValue::new(HashMap::<u64, OutcomeState>::new());
    let primed = StoredValue::new(false);
    Effect::new(move |_| {
        let first = !primed.get_value();
        primed.set_value(true);
        let said = board.view.with(|view| {
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
                    let name = room
                        .participants
                        .iter()
                        .find(|p| p.id == id)
                        .map_or_else(|| id.to_owned(), shown_name);
                    match o.state {
                        OutcomeState::Done if matches!(o.kind, OutcomeKind::Move(..)) => said.push(
                            t.moved
                                .replace("{name}", &name)
                                .replace("{room}", &room_title(lang, room)),
                        ),
                        OutcomeState::NotMoved => {
                            said.push(t.did_not_move.replace("{name}", &name))
                        }
                        _ => {}
                    }
                }
            });
            said
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
    let line = move |o: Outcome| {
        let state = match o.state {
            OutcomeState::Pending => t.pending.to_owned(),
            OutcomeState::Done => t.done.to_owned(),
            OutcomeState::NotMoved => t.not_moved.to_owned(),
            OutcomeState::Failed { reason } => {
                format!("{}: {}", t.failed, lang.fail_reason(&reason))
            }
        };
        // On a shared board each line names its moderator; Jitsi's own changes say so.
        let by = match o.by {
            By::Here => String::new(),
            By::Moderator(name) => format!("{name} · "),
            By::Jitsi => format!("{} · ", t.in_jitsi),
            By::Elsewhere => format!("{} · ", t.elsewhere),
        };
        view! { <li class="event">{by} {lang.outcome(&o.kind)} ": " {state}</li> }
    };
    view! {
        <div class="sr-only" aria-live="polite" data-testid="announcer">{announcement}</div>
        <section class="events" aria-label=t.recent>
            <h2>{t.recent}</h2>
            <ul>
                <For each=recent key=|o| (o.id, o.state.clone()) children=line />
            </ul>
        </section>
    }
}

//! The board: the main room and every breakout room with their people, and every
//! moderator action. It renders completely on the server (forms work without
//! JavaScript) and, once hydrated, follows the meeting live over a WebSocket.

mod banner;
mod events;
mod person;
mod room_card;
mod toolbar;

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{BoardAction, NO_SERVICE, get_meeting, run_command};
use crate::i18n::Lang;
use crate::meeting::{Command, MeetingRef, MeetingView, Outcome, RoomView};

use banner::Banner;
use events::Events;
use room_card::RoomCard;
use toolbar::Toolbar;

/// What every part of the board shares.
#[derive(Clone, Copy)]
pub struct Board {
    pub meeting: StoredValue<MeetingRef>,
    pub view: RwSignal<MeetingView>,
    /// Participants picked for "Move selected here".
    pub selected: RwSignal<BTreeSet<String>>,
    /// The participant being dragged.
    pub dragging: RwSignal<Option<String>>,
    /// The browser's link to the Grupprum server is down.
    pub server_lost: RwSignal<bool>,
    /// The last refusal or error of a command sent from this page.
    pub error: RwSignal<Option<String>>,
    pub lang: Signal<Lang>,
    /// Every form on the board posts here (and works without JavaScript).
    pub action: ServerAction<BoardAction>,
    /// Every room's JID and title, the main room first: computed once per change
    /// and shared by every person's "Move to…" menu.
    pub targets: Memo<Vec<(String, String)>>,
}

impl Board {
    /// Sends a command from the page's scripts.
    pub fn run(self, command: Command) {
        let meeting = self.meeting.get_value();
        let error = self.error;
        leptos::task::spawn_local(async move {
            match run_command(meeting, command).await {
                Ok(_) => error.set(None),
                Err(e) => error.set(Some(clean_error(&e.to_string()))),
            }
        });
    }

    /// The newest outcome about `subject` (a participant id or a room JID).
    pub fn outcome_for(self, subject: &str) -> Option<Outcome> {
        self.view.with(|v| {
            v.outcomes
                .iter()
                .rev()
                .find(|o| o.subject.as_deref() == Some(subject))
                .cloned()
        })
    }

    /// How a room is called on this board.
    pub fn room_title(self, room: &RoomView) -> String {
        room_title(self.lang.get(), room)
    }
}

/// The main room's name in `lang`, or a breakout room's name (its JID if unnamed).
fn room_title(lang: Lang, room: &RoomView) -> String {
    if room.is_main {
        lang.t().main_room.to_owned()
    } else {
        room.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| room.jid.clone())
    }
}

/// Server function errors carry a prefix the user does not need.
fn clean_error(text: &str) -> String {
    text.trim_start_matches("error running server function: ")
        .trim_start_matches("ServerFnError: ")
        .to_owned()
}

/// `/<room>` and `/<tenant>/<room>`.
#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let meeting = move || {
        params.with(|p| MeetingRef {
            room: p.get("room").unwrap_or_default(),
            tenant: p.get("tenant"),
        })
    };
    let initial = Resource::new_blocking(meeting, get_meeting);
    let lang = expect_context::<Signal<Lang>>();
    view! {
        <Suspense fallback=move || view! { <p class="status">{move || lang.get().t().connecting}</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(view) => view! { <BoardView initial=view meeting=meeting() /> }.into_any(),
                    Err(e) => {
                        let text = clean_error(&e.to_string());
                        let text = if text == NO_SERVICE { lang.get().t().no_service.to_owned() } else { text };
                        view! { <p class="banner banner-error" role="alert">{text}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn BoardView(initial: MeetingView, meeting: MeetingRef) -> impl IntoView {
    let lang = expect_context::<Signal<Lang>>();
    let view = RwSignal::new(initial);
    let targets = Memo::new(move |_| {
        let t = lang.get().t();
        view.with(|v| {
            std::iter::once((v.main.jid.clone(), t.main_room.to_owned()))
                .chain(v.rooms.iter().map(|r| {
                    (
                        r.jid.clone(),
                        r.name
                            .clone()
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| r.jid.clone()),
                    )
                }))
                .collect()
        })
    });
    let board = Board {
        meeting: StoredValue::new(meeting.clone()),
        view,
        selected: RwSignal::new(BTreeSet::new()),
        dragging: RwSignal::new(None),
        server_lost: RwSignal::new(false),
        error: RwSignal::new(None),
        lang,
        action: ServerAction::<BoardAction>::new(),
        targets,
    };
    provide_context(board);
    Effect::new(move |_| match board.action.value().get() {
        Some(Err(e)) => board.error.set(Some(clean_error(&e.to_string()))),
        Some(Ok(_)) => board.error.set(None),
        None => {}
    });
    #[cfg(feature = "hydrate")]
    {
        let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let flag = alive.clone();
        on_cleanup(move || flag.store(false, std::sync::atomic::Ordering::Relaxed));
        Effect::new(move |_| {
            leptos::task::spawn_local(live::follow(
                board.meeting.get_value(),
                board.view,
                board.server_lost,
                alive.clone(),
            ));
        });
    }
    let title = meeting.room.clone();
    let rooms = move || {
        board
            .view
            .with(|v| v.rooms.iter().map(|r| r.jid.clone()).collect::<Vec<_>>())
    };
    let main_jid = move || board.view.with(|v| v.main.jid.clone());
    view! {
        <div class="board" data-testid="board">
            <header class="board-header">
                <h1>"Grupprum: " <span class="meeting-name">{title}</span></h1>
            </header>
            <Banner />
            <Toolbar />
            <section class="rooms" aria-label=move || lang.get().t().rooms>
                {move || view! { <RoomCard jid=main_jid() /> }}
                <For each=rooms key=|jid| jid.clone() let(jid)>
                    <RoomCard jid=jid />
                </For>
            </section>
            <Events />
        </div>
    }
    .into_any()
}

#[cfg(feature = "hydrate")]
mod live {
    //! Following the meeting over the WebSocket server function, reconnecting
    //! with backoff when the link to the server drops.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use leptos::prelude::*;

    use crate::api::watch_meeting;
    use crate::meeting::{MeetingRef, MeetingView};

    async fn sleep(duration: Duration) {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        set_timeout(
            move || {
                let _ = tx.send(());
            },
            duration,
        );
        let _ = rx.await;
    }

    pub async fn follow(
        meeting: MeetingRef,
        view: RwSignal<MeetingView>,
        lost: RwSignal<bool>,
        alive: Arc<AtomicBool>,
    ) {
        let mut delay = Duration::from_millis(250);
        while alive.load(Ordering::Relaxed) {
            let (mut tx, rx) = futures::channel::mpsc::channel(1);
            if let Ok(mut views) = watch_meeting(rx.into()).await
                && tx.send(Ok(meeting.clone())).await.is_ok()
            {
                while let Some(Ok(next)) = views.next().await {
                    if !alive.load(Ordering::Relaxed) {
                        return;
                    }
                    delay = Duration::from_millis(250);
                    lost.set(false);
                    view.set(next);
                }
            }
            drop(tx);
            if !alive.load(Ordering::Relaxed) {
                return;
            }
            lost.set(true);
            sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(4));
        }
    }
}

//! The board: the main room and every breakout room with their people, and every
//! moderator action. It renders completely on the server (every action is a
//! plain form that works without JavaScript) and, once hydrated, follows the
//! meeting live over a WebSocket and sends commands without leaving the page.

mod banner;
mod events;
mod form;
mod move_menu;
mod person;
mod plan_bar;
mod room_card;
mod selection;
mod tools;

use std::collections::{BTreeSet, HashMap};

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::get_meeting;
use crate::i18n::Lang;
use crate::meeting::{LinkStatus, MeetingRef, MeetingView, OutcomeState, RoomView};

use banner::Banner;
use events::Events;
use form::{MeetingFields, action_url};
use move_menu::{MenuFor, MoveMenu};
use plan_bar::PlanBar;
use room_card::RoomCard;
use selection::Selection;

/// What every part of the board shares.
#[derive(Clone, Copy)]
pub struct Board {
    pub meeting: StoredValue<MeetingRef>,
    pub view: RwSignal<MeetingView>,
    pub lang: Lang,
    /// The panel is a moderator: the actions are enabled.
    pub can_act: Memo<bool>,
    /// Every room's JID and title, the main room first.
    pub targets: Memo<Vec<(String, String)>>,
    /// The newest outcome about each subject (a participant id or a room JID).
    pub latest: Memo<HashMap<String, OutcomeState>>,
    /// Participants picked for a move.
    pub selected: RwSignal<BTreeSet<String>>,
    /// The participant being dragged.
    pub dragging: RwSignal<Option<String>>,
    /// The open "Move to…" menu.
    pub menu: RwSignal<Option<MenuFor>>,
    /// The browser's link to the Grupprum server is down.
    pub server_lost: RwSignal<bool>,
    /// The last refusal or error of a command sent from this page.
    pub error: RwSignal<Option<String>>,
    /// The server's refusal of the live connection, in words.
    pub refused: RwSignal<Option<String>>,
    /// The page runs its scripts (false when rendered on the server).
    pub hydrated: RwSignal<bool>,
    /// The board shows the plan being prepared, not the meeting: its rooms
    /// and commands are the draft's.
    pub draft: bool,
}

/// What a board shows of a view: the meeting's rooms, or on the plan's board
/// the draft's (none while there is no draft).
pub fn shown(mut view: MeetingView, draft: bool) -> MeetingView {
    if draft {
        view.ends = None;
        match view.draft.take() {
            Some(d) => {
                view.main = d.0;
                view.rooms = d.1;
                view.can_rename = true;
                view.draft = Some(crate::meeting::DraftView(RoomView::default(), Vec::new()));
            }
            None => {
                view.main.participants.clear();
                view.rooms.clear();
            }
        }
    }
    view
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
pub(crate) fn clean_error(text: &str) -> String {
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
    let lang = expect_context::<Lang>();
    // `?plan`: the plan being prepared.
    let draft = use_query_map().with_untracked(|q| q.get("plan").is_some());
    // Why the last plain form was refused, in words (the island takes them as they are).
    let problem =
        use_query_map().with_untracked(|q| q.get("problem").map(|code| lang.error_text(&code)));
    view! {
        // Counts the timers down (digits only), beside the island.
        <script nonce=leptos::nonce::use_nonce() src="/countdown.js" defer></script>
        <Suspense fallback=move || view! { <p class="status">{lang.t().connecting}</p> }>
            {move || {
                let problem = problem.clone();
                Suspend::new(async move {
                // The plan's board carries the library and the names to match,
                // rendered here (outside the island).
                let (plans, review) = if draft {
                    let plans = crate::library::list_plans().await.map_err(|e| clean_error(&e.to_string()));
                    let review = crate::library::draft_review(meeting()).await.unwrap_or_default();
                    (Some(plans), review)
                } else {
                    (None, Vec::new())
                };
                match initial.await {
                    Ok(view) => {
                        // Without scripts the panel joins when asked (with them, the
                        // board's live connection joins at once). Rendered here, outside
                        // the island, so that the board's WebAssembly does not carry it.
                        let join = (view.status == LinkStatus::NotJoined).then(|| {
                            let m = meeting();
                            view! {
                                <form class="join no-js-only" method="post" action=form::action_url()>
                                    <input type="hidden" name="room" value=m.room />
                                    {m.tenant.map(|t| view! { <input type="hidden" name="tenant" value=t /> })}
                                    <input type="hidden" name="action" value="join" />
                                    <button type="submit">{lang.t().join}</button>
                                </form>
                            }
                        });
                        // The first state travels in the page as JSON text, read by the
                        // same parser as the live states that follow.
                        let initial = serde_json::to_string(&view).unwrap_or_default();
                        let late = view.late;
                        let has_draft = view.draft.is_some();
                        let library = plans.map(|plans| view! { <crate::library::Library meeting=meeting() lang plans has_draft /> });
                        Either::Left(view! { {join} <BoardView initial meeting=meeting() lang problem draft>
                            <tools::Tools meeting=meeting() lang draft late review />
                        </BoardView> {library} })
                    }
                    Err(e) => {
                        let code = clean_error(&e.to_string());
                        let text = lang.error_text(&code);
                        // Not signed in: the start page, with this meeting filled in.
                        let sign_in = (code == crate::auth::AuthRefusal::SignInNeeded.code()).then(|| {
                            let meeting = meeting();
                            let asked = match &meeting.tenant {
                                Some(tenant) => format!("{tenant}/{}", meeting.room),
                                None => meeting.room.clone(),
                            };
                            let href = format!("/?meeting={}", crate::meeting::percent_encode(&asked));
                            view! { <a href=href data-testid="go-sign-in">{lang.page().go_sign_in}</a> }
                        });
                        Either::Right(view! {
                            <p class="banner banner-error" role="alert" data-testid="board-refused">{text} " " {sign_in}</p>
                        })
                    }
                }
            })}}
        </Suspense>
    }
}

/// The live board: the page's one island, hydrated in the browser. Its props
/// travel in the page.
#[island]
fn BoardView(
    initial: String,
    meeting: MeetingRef,
    lang: Lang,
    problem: Option<String>,
    draft: bool,
    /// The board's fixed forms ([`tools`]), rendered on the server.
    children: Children,
) -> impl IntoView {
    provide_context(lang);
    let initial = serde_json::from_slice(initial.as_bytes())
        .unwrap_or_else(|_| MeetingView::placeholder(meeting.clone()));
    let initial = shown(initial, draft);
    let view = RwSignal::new(initial);
    let board = Board {
        meeting: StoredValue::new(meeting.clone()),
        view,
        lang,
        can_act: Memo::new(move |_| view.with(|v| v.me.as_ref().is_some_and(|m| m.is_moderator))),
        targets: Memo::new(move |_| {
            view.with(|v| {
                std::iter::once(&v.main)
                    .chain(v.rooms.iter())
                    .map(|r| (r.jid.clone(), room_title(lang, r)))
                    .collect()
            })
        }),
        latest: Memo::new(move |_| {
            view.with(|v| {
                v.outcomes
                    .iter()
                    .filter_map(|o| Some((o.subject.clone()?, o.state.clone())))
                    .collect()
            })
        }),
        selected: RwSignal::new(BTreeSet::new()),
        dragging: RwSignal::new(None),
        menu: RwSignal::new(None),
        server_lost: RwSignal::new(false),
        error: RwSignal::new(problem),
        refused: RwSignal::new(None),
        hydrated: RwSignal::new(false),
        draft,
    };
    provide_context(board);
    Effect::new(move |_| board.hydrated.set(true));
    // Whoever left the meeting can no longer be picked.
    Effect::new(move |_| {
        let present: BTreeSet<String> = view.with(|v| {
            std::iter::once(&v.main)
                .chain(v.rooms.iter())
                .flat_map(|r| r.participants.iter().map(|p| p.id.clone()))
                .collect()
        });
        if board
            .selected
            .with_untracked(|s| s.iter().any(|id| !present.contains(id)))
        {
            board
                .selected
                .update(|s| s.retain(|id| present.contains(id)));
        }
    });
    #[cfg(feature = "hydrate")]
    {
        let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let flag = alive.clone();
        on_cleanup(move || flag.store(false, std::sync::atomic::Ordering::Relaxed));
        leptos::task::spawn_local(live::follow(
            meeting.clone(),
            board.view,
            board.server_lost,
            board.refused,
            alive,
            draft,
        ));
    }
    let rooms = move || {
        board
            .view
            .with(|v| v.rooms.iter().map(|r| r.jid.clone()).collect::<Vec<_>>())
    };
    // The main room's address is known once the panel is in the meeting (a
    // board opened before that starts without it).
    let main_jid = Memo::new(move |_| board.view.with(|v| v.main.jid.clone()));
    view! {
        // Every form on the board is sent from here (submit events bubble).
        <div
            class="board"
            data-testid="board"
            data-live=move || board.hydrated.get().to_string()
            data-draft=move || draft.then(|| if board.view.with(|v| v.draft.is_some()) { "some" } else { "none" })
            on:submit=move |ev| board.submit(ev)
        >
            <header class="board-header">
                <h1>"Grupprum: " <span class="meeting-name">{meeting.room.clone()}</span></h1>
                {move || {
                    let names = board.view.with(|v| v.also_here.join(", "));
                    (!names.is_empty())
                        .then(|| view! { <p class="also-here" data-testid="also-here">{lang.t().also_here} ": " {names}</p> })
                }}
                <PlanBar />
                // Shown while every room has a timer (the stylesheet hides it without one).
                <p class="countdown all" data-ends=move || board.view.with(|v| v.ends).map(|e| e.to_string()) data-testid="timer-all">{lang.t().timer_all}</p>
            </header>
            <Banner />
            <fieldset class="tools" disabled=move || !board.can_act.get()>{children()}</fieldset>
            <Selection />
            // People picked with their tick boxes move with this form: each room's
            // "Move selected here" button submits it with that room as the target.
            <form id="move-selected" method="post" action=action_url()>
                <MeetingFields action="move" />
            </form>
            <section class="rooms" aria-label=lang.t().rooms hidden=move || draft && board.view.with(|v| v.draft.is_none())>
                // Keyed, so that a new address makes a new card rather than
                // rebuilding one in place.
                <For each=move || [main_jid.get()] key=|jid| jid.clone() let(jid)>
                    <RoomCard jid=jid />
                </For>
                <For each=rooms key=|jid| jid.clone() let(jid)>
                    <RoomCard jid=jid />
                </For>
            </section>
            <MoveMenu />
            <Events />
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod live {
    //! Following the meeting over the WebSocket server function, reconnecting
    //! with backoff when the link to the server drops. A final refusal from
    //! the server (in words) is shown and not retried: nothing would change
    //! it. One that may pass (the panel is busy) is shown while the board
    //! tries again, more slowly. A board whose sign-in has ended meanwhile
    //! (the socket cannot even open) learns so from the live path's 401.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use leptos::prelude::*;
    use leptos::server_fn::ServerFn;

    use crate::api::{LiveRefusal, SIGN_IN_REFUSED, WatchMeeting, watch_meeting};
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

    /// The server's words when the live path refuses this browser its
    /// sign-in (a 401 the server marks as its own); `None` when it does not,
    /// or does not answer within 5 s.
    async fn signed_out() -> Option<String> {
        use futures::future::{Either, select};
        match select(
            Box::pin(ask_live_path()),
            Box::pin(sleep(Duration::from_secs(5))),
        )
        .await
        {
            Either::Left((words, _)) => words,
            Either::Right(_) => None,
        }
    }

    async fn ask_live_path() -> Option<String> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let window = web_sys::window()?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str(<WatchMeeting as ServerFn>::PATH))
                .await
                .ok()?
                .dyn_into()
                .ok()?;
        let ours = response.headers().has(SIGN_IN_REFUSED).unwrap_or(false);
        if response.status() != 401 || !ours {
            return None;
        }
        JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()
    }

    /// How one attempt at the live connection ended.
    enum Ended {
        /// Nothing came: the socket did not open, or failed at once.
        Nothing,
        /// Views came, then the socket failed.
        Views,
        /// The server is busy for now.
        Busy,
    }

    pub async fn follow(
        meeting: MeetingRef,
        view: RwSignal<MeetingView>,
        lost: RwSignal<bool>,
        refused: RwSignal<Option<String>>,
        alive: Arc<AtomicBool>,
        draft: bool,
    ) {
        let mut delay = Duration::from_millis(250);
        while alive.load(Ordering::Relaxed) {
            let (mut tx, rx) = futures::channel::mpsc::channel(1);
            let mut ended = Ended::Nothing;
            if let Ok(mut views) = watch_meeting(rx.into()).await
                && tx.send(Ok(meeting.clone())).await.is_ok()
            {
                while let Some(next) = views.next().await {
                    if !alive.load(Ordering::Relaxed) {
                        return;
                    }
                    let next = match next.map_err(LiveRefusal::from_error) {
                        Ok(next) => next,
                        Err(Some(LiveRefusal::Final(words))) => {
                            lost.set(false);
                            refused.set(Some(words));
                            return;
                        }
                        Err(Some(LiveRefusal::Later(words))) => {
                            lost.set(false);
                            refused.set(Some(words));
                            ended = Ended::Busy;
                            break;
                        }
                        // The socket failed: reconnect.
                        Err(None) => break,
                    };
                    ended = Ended::Views;
                    delay = Duration::from_millis(250);
                    if lost.get_untracked() {
                        lost.set(false);
                    }
                    if refused.get_untracked().is_some() {
                        refused.set(None);
                    }
                    view.set(super::shown(next, draft));
                }
            }
            drop(tx);
            if matches!(ended, Ended::Nothing) {
                let words = signed_out().await;
                if !alive.load(Ordering::Relaxed) {
                    return;
                }
                if let Some(words) = words {
                    lost.set(false);
                    refused.set(Some(words));
                    return;
                }
            }
            if !alive.load(Ordering::Relaxed) {
                return;
            }
            let most = if matches!(ended, Ended::Busy) {
                delay = delay.max(Duration::from_secs(5));
                Duration::from_secs(30)
            } else {
                if refused.get_untracked().is_some() {
                    refused.set(None);
                }
                lost.set(true);
                Duration::from_secs(4)
            };
            sleep(delay).await;
            delay = (delay * 2).min(most);
        }
    }
}

//! The board's fixed forms: create rooms, auto-assign (with sizes and groups),
//! send everyone back; on the plan's board, start a draft, open it, add people
//! not here yet, drop it; on the meeting's board, prepare a plan and choose
//! where late joiners go. They are rendered on the server and handed to the
//! board's island as its children, so none of them is in its WebAssembly: the
//! island sends them from one handler for the whole board, and turns them off
//! while the panel may not act. Which ones show with and without a draft is
//! the stylesheet's choice (`.needs-draft`, `.no-draft`), from the board's
//! `data-draft`.

use leptos::prelude::*;

use super::form::action_url;
use crate::i18n::Lang;
use crate::meeting::{LateJoiners, MeetingRef, ReviewItem};

/// The hidden fields that name the meeting and the action.
#[component]
fn Fields(meeting: MeetingRef, action: &'static str, draft: bool) -> impl IntoView {
    view! {
        <input type="hidden" name="room" value=meeting.room />
        {meeting.tenant.map(|t| view! { <input type="hidden" name="tenant" value=t /> })}
        {(!action.is_empty()).then(|| view! { <input type="hidden" name="action" value=action /> })}
        {draft.then(|| view! { <input type="hidden" name="draft" value="1" /> })}
    }
}

#[component]
pub fn Tools(
    meeting: MeetingRef,
    lang: Lang,
    draft: bool,
    late: LateJoiners,
    /// On the plan's board: the imported names to match by hand.
    review: Vec<ReviewItem>,
) -> impl IntoView {
    let (t, p) = (lang.t(), lang.page());
    let m = move || meeting.clone();
    let (note, plan, review) = if draft {
        // Sent as plain forms: the page comes back with the names left.
        let review = review
            .into_iter()
            .map(|item| {
                view! {
                    <form method="post" action=action_url() class="review needs-draft" data-plain="" data-testid="review">
                        <Fields meeting=m() action="match" draft />
                        <input type="hidden" name="target" value=item.id.clone() />
                        <label>
                            <span>
                                <strong>{item.name.clone()}</strong> " "
                                {if item.ambiguous { p.review_several } else { p.review_nobody }}
                            </span>
                            <select name="participant">
                                <option value="">{t.not_here_yet}</option>
                                {item
                                    .candidates
                                    .iter()
                                    .map(|p| view! { <option value=p.id.clone()>{super::person::shown_name(p)}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <button type="submit">{t.save}</button>
                    </form>
                }
            })
            .collect_view();
        let note = view! {
            <p class="plan-note">{p.plan_note} " " <a href=m().path()>{p.live_board}</a></p>
        };
        let tools = view! {
            <form method="post" action=action_url() class="tool no-draft">
                <Fields meeting=m() action="prepare" draft />
                <button type="submit" data-testid="start-draft">{p.start_draft}</button>
            </form>
            <form method="post" action=action_url() class="tool needs-draft">
                <Fields meeting=m() action="open_rooms" draft />
                <button type="submit" class="primary" data-testid="open-rooms">{p.open_rooms}</button>
            </form>
            <form method="post" action=action_url() class="tool needs-draft">
                <Fields meeting=m() action="add_people" draft />
                <label>
                    <span>{p.add_people}</span>
                    <textarea name="names" rows="2" required data-testid="add-people"></textarea>
                </label>
                <button type="submit">{p.add}</button>
            </form>
            <details class="tool confirm needs-draft">
                <summary>{p.discard}</summary>
                <form method="post" action=action_url()>
                    <Fields meeting=m() action="discard" draft />
                    <button type="submit" data-testid="discard">{p.discard}</button>
                </form>
            </details>
        };
        (Some(note), tools.into_any(), Some(review))
    } else {
        let option = |value: &'static str, policy: LateJoiners, label: &'static str| {
            view! { <option value=value selected=late == policy>{label}</option> }
        };
        let tools = view! {
            <a class="button" href=format!("{}?plan", m().path()) data-testid="prepare">{p.prepare}</a>
            // Keeps its choice once sent.
            <form method="post" action=action_url() class="tool" data-keep="">
                <Fields meeting=m() action="late" draft />
                <label>
                    <span>{p.late_joiners}</span>
                    <select name="late" data-testid="late-joiners">
                        {option("plan", LateJoiners::ByPlan, p.late_plan)}
                        {option("stay", LateJoiners::Stay, p.late_stay)}
                        {option("smallest", LateJoiners::Smallest, p.late_smallest)}
                    </select>
                </label>
                <button type="submit">{t.save}</button>
            </form>
        };
        (None, tools.into_any(), None)
    };
    let time = (!draft).then(|| time_tools(&m(), lang));
    view! {
        {note}
        <section class="toolbar" aria-label=p.actions>
            {plan}
            <form method="post" action=action_url() class="tool needs-draft">
                <Fields meeting=m() action="create" draft />
                <label>
                    <span>{p.create_room}</span>
                    <input type="text" name="name" required maxlength="200" autocomplete="off" data-testid="new-room-name" />
                </label>
                <button type="submit">{p.create}</button>
            </form>
            <form method="post" action=action_url() class="tool needs-draft">
                <Fields meeting=m() action="create_many" draft />
                <input type="hidden" name="language" value=lang.code() />
                <label>
                    <span>{p.create_many}</span>
                    <input type="number" name="count" min="1" max="20" value="4" required data-testid="room-count" />
                </label>
                <button type="submit">{p.create}</button>
            </form>
            <form method="post" action=action_url() class="tool needs-draft">
                <Fields meeting=m() action="auto_assign" draft />
                <input type="hidden" name="language" value=lang.code() />
                <label class="check">
                    <input type="checkbox" name="include_moderators" />
                    <span>{p.include_moderators}</span>
                </label>
                <details class="groups">
                    <summary>{p.groups}</summary>
                    <label>
                        <span>{p.room_size}</span>
                        <input type="number" name="size" min="1" max="500" data-testid="room-size" />
                    </label>
                    <label class="check">
                        <input type="checkbox" name="moderator_per_room" />
                        <span>{p.moderator_per_room}</span>
                    </label>
                    <label>
                        <span>{p.together}</span>
                        <textarea name="together" rows="2" placeholder=p.groups_hint data-testid="together"></textarea>
                    </label>
                    <label>
                        <span>{p.apart}</span>
                        <textarea name="apart" rows="2" placeholder=p.groups_hint data-testid="apart"></textarea>
                    </label>
                </details>
                <button type="submit" data-testid="auto-assign">{p.auto_assign}</button>
            </form>
            <details class="tool confirm needs-draft">
                <summary>{p.send_back}</summary>
                <form method="post" action=action_url()>
                    <Fields meeting=m() action="send_back" draft />
                    <p>{p.send_back_confirm}</p>
                    <button type="submit" data-testid="send-back">{p.send_back}</button>
                </form>
            </details>
        </section>
        {time}
        {review}
    }
}

/// Timers and messages for the rooms ticked on the board (none ticked: every
/// room), and the record's files. The rooms' tick boxes belong to this form
/// (`form="to-rooms"`); each button says what to do.
fn time_tools(meeting: &MeetingRef, lang: Lang) -> impl IntoView + use<> {
    let p = lang.page();
    let record = |format: &str, what: &str| {
        let mut query = vec![("room", meeting.room.as_str())];
        if let Some(tenant) = &meeting.tenant {
            query.push(("tenant", tenant));
        }
        query.push(("format", format));
        query.push(("what", what));
        let query: Vec<String> = query
            .into_iter()
            .map(|(k, v)| format!("{k}={}", crate::meeting::percent_encode(v)))
            .collect();
        format!("{}?{}", crate::library::RECORD_PATH, query.join("&"))
    };
    view! {
        <details class="time" data-testid="time-tools">
            <summary>{p.time_title}</summary>
            <div class="toolbar">
            <form method="post" action=action_url() class="tool" id="to-rooms" data-testid="to-rooms">
                <Fields meeting=meeting.clone() action="" draft=false />
                <input type="hidden" name="language" value=lang.code() />
                <p class="hint">{p.rooms_hint}</p>
                <label>
                    <span>{p.timer_minutes}</span>
                    <input type="number" name="minutes" min="1" max=crate::meeting::MAX_TIMER_MINUTES value="10" data-testid="timer-minutes" />
                </label>
                <label>
                    <span>{p.timer_warn}</span>
                    <input type="number" name="warn" min="1" max=crate::meeting::MAX_TIMER_MINUTES data-testid="timer-warn" />
                </label>
                <label class="check">
                    <input type="checkbox" name="suffix" data-testid="timer-suffix" />
                    <span>{p.timer_suffix}</span>
                </label>
                <button type="submit" name="action" value="timer" data-testid="start-timer">{p.start_timer}</button>
                <button type="submit" name="action" value="stop_timer" data-testid="stop-timer">{p.stop_timer}</button>
                <label>
                    <span>{p.message_label}</span>
                    <textarea name="text" rows="2" maxlength=crate::meeting::MAX_MESSAGE_CHARS data-testid="message-text"></textarea>
                </label>
                <button type="submit" name="action" value="message" data-testid="send-message">{p.send_message}</button>
            </form>
            <p class="tool record">
                <span>{p.record_title} ": "</span>
                <a href=record("csv", "stays") download="" data-testid="record-stays">{p.record_stays}</a> " · "
                <a href=record("csv", "activity") download="">{p.record_activity}</a> " · "
                <a href=record("json", "stays") download="" data-testid="record-json">{p.record_json}</a>
            </p>
            </div>
        </details>
    }
}

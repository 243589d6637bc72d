//! The board's forms: plain HTML forms that post to the `board_action` server
//! function (so they work without JavaScript), read by the page's scripts into
//! commands when it has them.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::Board;
use crate::api::BoardAction;

/// Where every board form posts.
pub fn action_url() -> &'static str {
    <BoardAction as ServerFn>::url()
}

/// The hidden fields that name the meeting and the action in every form.
#[component]
pub fn MeetingFields(action: &'static str) -> impl IntoView {
    let board = expect_context::<Board>();
    let meeting = board.meeting.get_value();
    view! {
        <input type="hidden" name="room" value=meeting.room />
        {meeting.tenant.map(|t| view! { <input type="hidden" name="tenant" value=t /> })}
        <input type="hidden" name="action" value=action />
    }
}

impl Board {
    /// A board form sent from the page: read into a command and run, and the
    /// page stays where it is.
    pub fn submit(self, ev: leptos::ev::SubmitEvent) {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            let Some((form, mut fields)) = read(&ev) else {
                return;
            };
            // The ticked people: the page keeps them (the same as the tick boxes).
            fields.participants = self.selected.get_untracked().into_iter().collect();
            match crate::api::form_command(&fields) {
                Some(crate::meeting::Command::Move { participants, to }) => {
                    self.move_people(participants, to);
                }
                Some(command) => {
                    self.run(command);
                    form.reset();
                    close_details(&form);
                }
                None => self.error.set(Some(self.lang.t().incomplete.to_owned())),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    }
}

/// The form's fields, with the button that sent it counting as its `target`.
#[cfg(feature = "hydrate")]
fn read(
    ev: &leptos::ev::SubmitEvent,
) -> Option<(web_sys::HtmlFormElement, crate::api::FormFields)> {
    use wasm_bindgen::JsCast;
    let form: web_sys::HtmlFormElement = ev.target()?.dyn_into().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let field = |name: &str| data.get(name).as_string().filter(|v| !v.is_empty());
    let pressed = ev
        .submitter()
        .and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok())
        .filter(|b| b.name() == "target")
        .map(|b| b.value());
    let fields = crate::api::FormFields {
        action: field("action")?,
        name: field("name"),
        count: field("count").and_then(|c| c.trim().parse().ok()),
        target: pressed.or_else(|| field("target")),
        participants: Vec::new(),
        include_moderators: field("include_moderators").is_some(),
        language: field("language"),
    };
    Some((form, fields))
}

/// A confirmation opened around the form closes once it is sent.
#[cfg(feature = "hydrate")]
fn close_details(form: &web_sys::HtmlFormElement) {
    if let Ok(Some(details)) = form.closest("details") {
        let _ = details.remove_attribute("open");
    }
}

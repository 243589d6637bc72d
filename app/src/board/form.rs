//! The board's forms: plain HTML forms that post to the `board_action` server
//! function (so they work without JavaScript). With scripts, the page posts
//! the same fields itself, asks for JSON back, and stays where it is; the
//! server reads them into a command either way.

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
        {board.draft.then(|| view! { <input type="hidden" name="draft" value="1" /> })}
    }
}

impl Board {
    /// A board form sent from the page: posted by the page's scripts, and the
    /// page stays where it is. A plain form (`data-plain`) goes as it is.
    pub fn submit(self, ev: leptos::ev::SubmitEvent) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            if form.has_attribute("data-plain") {
                return;
            }
            ev.prevent_default();
            let Some(fields) = web_sys::FormData::new_with_form(&form)
                .ok()
                .and_then(|data| {
                    web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
                })
            else {
                return;
            };
            // The button that sent the form says what it is for: the room of
            // "Move selected here", the action of the rooms' timer and message form.
            if let Some(button) = ev
                .submitter()
                .and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok())
                .filter(|b| !b.name().is_empty())
            {
                fields.set(&button.name(), &button.value());
            }
            if fields.get("action").as_deref() == Some("move") {
                // The ticked people: the page keeps them (the same as the tick boxes).
                let picked = self.selected.get_untracked().into_iter().collect();
                self.move_people(picked, fields.get("target").unwrap_or_default());
            } else {
                self.send(fields, Some(form));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    }

    /// Moves `participants` to the room `to`, and clears the selection.
    pub fn move_people(self, participants: Vec<String>, to: String) {
        if participants.is_empty() {
            return;
        }
        self.selected.update(|s| {
            for p in &participants {
                s.remove(p);
            }
        });
        #[cfg(feature = "hydrate")]
        if let Ok(fields) = web_sys::UrlSearchParams::new() {
            let meeting = self.meeting.get_value();
            fields.append("room", &meeting.room);
            if let Some(tenant) = &meeting.tenant {
                fields.append("tenant", tenant);
            }
            fields.append("action", "move");
            fields.append("target", &to);
            for id in &participants {
                // Keys only need to differ (see the tick boxes).
                fields.append(&format!("picked[p{id}]"), id);
            }
            if self.draft {
                fields.append("draft", "1");
            }
            self.send(fields, None);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = to;
    }

    /// Posts a form's fields as a plain form would, asking for JSON back; a
    /// refusal (worded by the server) shows on the board, and the form keeps
    /// what was typed. Once done, the form is cleared (unless it keeps its
    /// choice, `data-keep`) and a confirmation around it closes.
    #[cfg(feature = "hydrate")]
    fn send(self, fields: web_sys::UrlSearchParams, form: Option<web_sys::HtmlFormElement>) {
        let error = self.error;
        leptos::task::spawn_local(async move {
            match post(fields).await {
                Ok(()) => {
                    error.set(None);
                    if let Some(form) = form {
                        if !form.has_attribute("data-keep") {
                            form.reset();
                        }
                        if let Ok(Some(details)) = form.closest("details.confirm") {
                            let _ = details.remove_attribute("open");
                        }
                    }
                }
                Err(words) => error.set(Some(words)),
            }
        });
    }
}

/// Posts `fields` to the board's server function. A refusal comes back as
/// `<kind>|<words>`.
#[cfg(feature = "hydrate")]
async fn post(fields: web_sys::UrlSearchParams) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = || crate::shell::request_lang().t().unreachable.to_owned();
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&fields);
    let headers = web_sys::Headers::new().map_err(|_| failed())?;
    headers
        .set("Accept", "application/json")
        .map_err(|_| failed())?;
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(failed)?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(action_url(), &init))
            .await
            .map_err(|_| failed())?
            .dyn_into()
            .map_err(|_| failed())?;
    if response.ok() {
        return Ok(());
    }
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    Err(text
        .split_once('|')
        .map_or(text.as_str(), |(_, words)| words)
        .to_owned())
}

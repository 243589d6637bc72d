//! The plan library on the plan's board: plans saved by name (each user's
//! own, and shared ones), used again, deleted, imported from CSV or JSON and
//! exported. Rendered on the server only, with plain forms: none of it is in
//! the board's WebAssembly.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::i18n::Lang;
use crate::meeting::MeetingRef;
use crate::plans::Plan;

/// Where a plan file is posted (the server answers it itself: it reads the
/// file and starts a draft of it).
pub const IMPORT_PATH: &str = "/api/plans/import";
/// Where plans are exported (`?id=` a saved plan, or `?room=` a meeting's
/// draft; `&format=csv|json`).
pub const EXPORT_PATH: &str = "/api/plans/export";
/// Where the record of a meeting is exported (`?room=…&format=csv|json&what=stays|activity`).
pub const RECORD_PATH: &str = "/api/record";
/// Longest plan name, in characters.
pub const MAX_PLAN_NAME: usize = 100;

#[cfg(feature = "ssr")]
mod ssr {
    use std::sync::Arc;

    use leptos::prelude::ServerFnError;

    use crate::meeting::MeetingRef;
    use crate::plans::Store;

    pub fn store() -> Result<Arc<dyn Store>, ServerFnError> {
        crate::plans::store().ok_or_else(|| ServerFnError::new("no-store"))
    }

    /// Who owns plans saved from this request: the signed-in user, or on an
    /// open panel the browser.
    pub fn owner() -> Result<String, ServerFnError> {
        crate::identity::moderator()
            .map(|who| who.id)
            .map_err(|e| ServerFnError::new(e.code()))
    }

    pub fn meeting(room: String, tenant: Option<String>) -> Result<MeetingRef, ServerFnError> {
        let meeting = MeetingRef {
            room,
            tenant: tenant.filter(|t| !t.is_empty()),
        };
        if meeting.is_valid() {
            Ok(meeting)
        } else {
            Err(ServerFnError::new("meeting"))
        }
    }

    /// Back to the plan's board, with the problem's code if there was one
    /// (a plain form); from scripts the error itself.
    pub fn back(
        meeting: &MeetingRef,
        result: Result<(), ServerFnError>,
    ) -> Result<(), ServerFnError> {
        if !crate::identity::wants_html() {
            return result;
        }
        let mut path = format!("{}?plan", meeting.path());
        if let Err(e) = &result {
            path.push_str("&problem=");
            path.push_str(&crate::meeting::percent_encode(&crate::board::clean_error(
                &e.to_string(),
            )));
        }
        crate::redirect::to(&path);
        Ok(())
    }

    pub fn stored(e: crate::plans::StorageError) -> ServerFnError {
        use crate::plans::StorageError as E;
        ServerFnError::new(match e {
            E::NotFound => "plan-missing",
            E::NameTaken(_) => "plan-taken",
            other => {
                tracing::warn!("the plan library failed: {other}");
                "storage"
            }
        })
    }
}

/// The plans this user may use (their own and the shared ones), each with
/// whether it is the user's own. Owners are never sent: on an open panel an
/// owner is a browser's id, which is its sign-in.
#[server(prefix = "/api", endpoint = "plans")]
pub async fn list_plans() -> Result<Vec<(Plan, bool)>, ServerFnError> {
    let owner = ssr::owner()?;
    let plans = ssr::store()?.plans(&owner).await.map_err(ssr::stored)?;
    Ok(plans
        .into_iter()
        .map(|mut plan| {
            let own = plan.owner == owner;
            plan.owner.clear();
            (plan, own)
        })
        .collect())
}

/// The names of the meeting's draft to match by hand (none without a draft).
#[server(prefix = "/api", endpoint = "plans/review")]
pub async fn draft_review(
    meeting: MeetingRef,
) -> Result<Vec<crate::meeting::ReviewItem>, ServerFnError> {
    let who = crate::api::ssr::allowed(&meeting)?;
    let draft = crate::api::ssr::service()?
        .draft(&who, &meeting)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(draft.map(|d| d.review).unwrap_or_default())
}

/// Saves the meeting's draft under `name` (replacing this user's plan of that
/// name), for this user or, with `shared`, for everyone.
#[server(prefix = "/api", endpoint = "plans/save")]
pub async fn save_plan(
    room: String,
    tenant: Option<String>,
    name: String,
    shared: Option<String>,
) -> Result<(), ServerFnError> {
    let meeting = ssr::meeting(room, tenant)?;
    let result = async {
        let name = name.trim().to_owned();
        if name.is_empty()
            || name.chars().count() > MAX_PLAN_NAME
            || name.chars().any(char::is_control)
        {
            return Err(ServerFnError::new("plan-name"));
        }
        let who = crate::api::ssr::allowed(&meeting)?;
        let rooms = crate::api::ssr::service()?
            .draft(&who, &meeting)
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?
            .ok_or_else(|| ServerFnError::new(crate::meeting::Refusal::NoDraft.code()))?
            .rooms;
        let store = ssr::store()?;
        let owner = who.id.clone();
        let existing = store.plans(&owner).await.map_err(ssr::stored)?;
        let id = existing
            .iter()
            .find(|p| p.owner == owner && p.name == name)
            .map_or_else(new_id, |p| Ok(p.id.clone()))?;
        let plan = Plan {
            id,
            owner,
            name,
            shared: shared.is_some(),
            rooms,
            updated: now(),
        };
        store.save(&plan).await.map_err(ssr::stored)
    }
    .await;
    ssr::back(&meeting, result)
}

/// Starts a draft of a saved plan in the meeting.
#[server(prefix = "/api", endpoint = "plans/use")]
pub async fn use_plan(
    room: String,
    tenant: Option<String>,
    id: String,
) -> Result<(), ServerFnError> {
    let meeting = ssr::meeting(room, tenant)?;
    let result = async {
        let owner = ssr::owner()?;
        let plan = ssr::store()?.plan(&owner, &id).await.map_err(ssr::stored)?;
        let command = crate::meeting::Command::Prepare {
            plan: Some(plan.rooms),
        };
        crate::api::ssr::execute(meeting.clone(), command)
            .await
            .map(drop)
    }
    .await;
    ssr::back(&meeting, result)
}

/// Deletes one of this user's plans.
#[server(prefix = "/api", endpoint = "plans/delete")]
pub async fn delete_plan(
    room: String,
    tenant: Option<String>,
    id: String,
) -> Result<(), ServerFnError> {
    let meeting = ssr::meeting(room, tenant)?;
    let result = async {
        let owner = ssr::owner()?;
        ssr::store()?.delete(&owner, &id).await.map_err(ssr::stored)
    }
    .await;
    ssr::back(&meeting, result)
}

#[cfg(feature = "ssr")]
fn new_id() -> Result<String, ServerFnError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| {
        tracing::warn!("no randomness for a plan id: {e}");
        ServerFnError::new("storage")
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(feature = "ssr")]
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The hidden fields that name the meeting.
#[component]
fn MeetingHidden(meeting: MeetingRef) -> impl IntoView {
    view! {
        <input type="hidden" name="room" value=meeting.room />
        {meeting.tenant.map(|t| view! { <input type="hidden" name="tenant" value=t /> })}
    }
}

/// `?room=…&tenant=…&format=…` for the export of the meeting's draft.
fn draft_export(meeting: &MeetingRef, format: &str) -> String {
    let mut href = format!(
        "{EXPORT_PATH}?room={}",
        crate::meeting::percent_encode(&meeting.room)
    );
    if let Some(tenant) = &meeting.tenant {
        href.push_str("&tenant=");
        href.push_str(&crate::meeting::percent_encode(tenant));
    }
    href.push_str("&format=");
    href.push_str(format);
    href
}

/// The library under the plan's board.
#[component]
pub fn Library(
    meeting: MeetingRef,
    lang: Lang,
    /// The plans the user may use, each with whether it is their own, or a
    /// problem's code.
    plans: Result<Vec<(Plan, bool)>, String>,
    /// The meeting has a plan being prepared (to export).
    has_draft: bool,
) -> impl IntoView {
    let t = lang.page();
    let use_url = <UsePlan as ServerFn>::url();
    let delete_url = <DeletePlan as ServerFn>::url();
    let save_url = <SavePlan as ServerFn>::url();
    let list = match plans {
        Ok(plans) if plans.is_empty() => view! { <p class="empty">{t.no_plans}</p> }.into_any(),
        Ok(plans) => {
            let rows = plans
                .into_iter()
                .map(|(plan, own)| {
                    let people: usize = plan.rooms.iter().map(|r| r.people.len()).sum();
                    let summary = t
                        .plan_summary
                        .replace("{rooms}", &plan.rooms.len().to_string())
                        .replace("{people}", &people.to_string());
                    let export = |format: &str| format!("{EXPORT_PATH}?id={}&format={format}", plan.id);
                    view! {
                        <li class="plan" data-testid="saved-plan">
                            <span class="name">{plan.name.clone()}</span>
                            " " <span class="summary">{summary}</span>
                            {plan.shared.then(|| view! { " " <span class="badge">{t.shared}</span> })}
                            <form method="post" action=use_url class="inline">
                                <MeetingHidden meeting=meeting.clone() />
                                <input type="hidden" name="id" value=plan.id.clone() />
                                <button type="submit" data-testid="use-plan">{t.use_plan}</button>
                            </form>
                            " " <a href=export("csv")>"CSV"</a> " " <a href=export("json")>"JSON"</a>
                            {own.then(|| view! {
                                <details class="confirm inline">
                                    <summary>{t.delete_plan}</summary>
                                    <form method="post" action=delete_url class="inline">
                                        <MeetingHidden meeting=meeting.clone() />
                                        <input type="hidden" name="id" value=plan.id.clone() />
                                        <button type="submit">{t.delete_plan}</button>
                                    </form>
                                </details>
                            })}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="plans">{rows}</ul> }.into_any()
        }
        Err(code) => {
            view! { <p class="banner banner-error">{lang.error_text(&code)}</p> }.into_any()
        }
    };
    view! {
        <section class="library" aria-labelledby="library-heading">
            <h2 id="library-heading">{t.library}</h2>
            {list}
            <form method="post" action=save_url class="tool">
                <MeetingHidden meeting=meeting.clone() />
                <label>
                    <span>{t.plan_name}</span>
                    <input type="text" name="name" required maxlength=MAX_PLAN_NAME data-testid="plan-name" />
                </label>
                <label class="check">
                    <input type="checkbox" name="shared" />
                    <span>{t.shared_with_all}</span>
                </label>
                <button type="submit" data-testid="save-plan">{t.save_plan}</button>
            </form>
            <form method="post" action=IMPORT_PATH enctype="multipart/form-data" class="tool">
                <MeetingHidden meeting=meeting.clone() />
                <label>
                    <span>{t.import_plan}</span>
                    <input type="file" name="file" accept=".csv,.json,text/csv,application/json" required data-testid="plan-file" />
                </label>
                <button type="submit" data-testid="import-plan">{t.import}</button>
                <small>{t.import_hint}</small>
            </form>
            {has_draft.then(|| view! {
                <p>
                    {t.export_draft} " "
                    <a href=draft_export(&meeting, "csv") data-testid="export-csv">"CSV"</a> " "
                    <a href=draft_export(&meeting, "json")>"JSON"</a>
                </p>
            })}
        </section>
    }
}

//! The plan library over the API: the plans a caller may use (their own and
//! the shared ones), saved for the caller as their owner. Owners are never
//! sent: on an open panel an owner is a browser's id, which is its sign-in.

use app::plans::{Plan, PlannedRoom, Store};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Api;
use super::error::{ApiError, CredentialRefused, ErrorBody};
use super::extract::{Caller, JsonBody};
use crate::plans::json::{PlanFile, check};

/// A saved plan, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SavedPlan {
    pub id: String,
    pub name: String,
    /// Every user of the panel may use it, not only its owner.
    pub shared: bool,
    /// The caller's own plan (which they may change and delete).
    pub mine: bool,
    pub rooms: Vec<PlannedRoom>,
    /// When it was last saved, in seconds since 1970.
    pub updated: i64,
}

impl SavedPlan {
    fn of(plan: Plan, caller: &str) -> Self {
        Self {
            mine: plan.owner == caller,
            id: plan.id,
            name: plan.name,
            shared: plan.shared,
            rooms: plan.rooms,
            updated: plan.updated,
        }
    }
}

/// A plan to save.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// 1 to 100 characters; the caller's plan of this name is replaced.
    pub name: String,
    /// For every user of the panel, not only the caller.
    #[serde(default)]
    pub shared: bool,
    /// Its rooms and who goes there; a room named "" is the main room.
    pub rooms: Vec<PlannedRoom>,
}

fn store(api: &Api) -> Result<&dyn Store, ApiError> {
    api.store.as_deref().ok_or(ApiError::NoStore)
}

/// The plans the caller may use.
///
/// Their own and the shared ones, by name.
#[utoipa::path(
    get,
    path = "/api/v1/plans",
    tag = "plans",
    responses(
        (status = 200, description = "The plans", body = Vec<SavedPlan>),
        CredentialRefused,
        (status = 404, description = "`no-store`: the panel keeps no plans", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(api): State<Api>,
    caller: Caller,
) -> Result<Json<Vec<SavedPlan>>, ApiError> {
    let id = caller.moderator().id;
    let plans = store(&api)?.plans(&id).await?;
    Ok(Json(
        plans
            .into_iter()
            .map(|plan| SavedPlan::of(plan, &id))
            .collect(),
    ))
}

/// Saves a plan for the caller.
///
/// A new one (`201`), or their plan of that name replaced (`200`). The
/// plan's board offers it from then on.
#[utoipa::path(
    post,
    path = "/api/v1/plans",
    tag = "plans",
    request_body = NewPlan,
    responses(
        (status = 201, description = "Saved as a new plan", body = SavedPlan),
        (status = 200, description = "Saved over the caller's plan of that name", body = SavedPlan),
        (status = 400, description = "`bad-json`, `bad-plan-name` or `bad-plan`", body = ErrorBody),
        CredentialRefused,
        (status = 404, description = "`no-store`: the panel keeps no plans", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn save(
    State(api): State<Api>,
    caller: Caller,
    JsonBody(body): JsonBody<NewPlan>,
) -> Result<(StatusCode, Json<SavedPlan>), ApiError> {
    let store = store(&api)?;
    let owner = caller.moderator().id;
    let name = body.name.trim().to_owned();
    if name.is_empty()
        || name.chars().count() > app::library::MAX_PLAN_NAME
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::BadPlanName);
    }
    let checked = check(PlanFile {
        name: name.clone(),
        rooms: body.rooms,
    })
    .map_err(ApiError::BadPlan)?;
    let existing = store
        .plans(&owner)
        .await?
        .into_iter()
        .find(|p| p.owner == owner && p.name == name);
    let (id, status) = match existing {
        Some(plan) => (plan.id, StatusCode::OK),
        None => (new_id(), StatusCode::CREATED),
    };
    let plan = Plan {
        id,
        owner: owner.clone(),
        name,
        shared: body.shared,
        rooms: checked.rooms,
        updated: crate::auth::now() as i64,
    };
    store.save(&plan).await?;
    Ok((status, Json(SavedPlan::of(plan, &owner))))
}

/// One plan the caller may use.
#[utoipa::path(
    get,
    path = "/api/v1/plans/{id}",
    tag = "plans",
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The plan", body = SavedPlan),
        CredentialRefused,
        (status = 404, description = "`no-such-plan` or `no-store`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn one(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SavedPlan>, ApiError> {
    let owner = caller.moderator().id;
    let plan = store(&api)?.plan(&owner, &id).await?;
    Ok(Json(SavedPlan::of(plan, &owner)))
}

/// Deletes one of the caller's own plans.
#[utoipa::path(
    delete,
    path = "/api/v1/plans/{id}",
    tag = "plans",
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 204, description = "Deleted"),
        CredentialRefused,
        (status = 404, description = "`no-such-plan` (or not the caller's own) or `no-store`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delete(
    State(api): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    store(&api)?.delete(&caller.moderator().id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new plan's id: 12 random bytes in hexadecimal.
fn new_id() -> String {
    let bytes: [u8; 12] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

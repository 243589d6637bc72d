//! The API's OpenAPI document, generated from the handlers' and types'
//! annotations when the server starts, and served at `/api/v1/openapi.json`
//! without a credential.

use std::sync::LazyLock;

use axum::Json;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Required, Schema};

use super::{commands, error, library, meetings};

/// Where the document is.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The document's description.
const ABOUT: &str = "Grupprum's API for integrators: read a Jitsi meeting's breakout rooms, \
    create rooms, move people, set timers, send messages, open rooms from a plan file, \
    read the record, and keep plans. Every call but this document's needs \
    `Authorization: Bearer <credential>`: an API token the operator made for the \
    integration, or (when the panel signs its users in with Jitsi JWTs) such a JWT, \
    which limits the calls to its `room` and needs `moderator` for commands. \
    Errors are `{\"error\": \"<code>\", \"message\": \"<words>\"}`.";

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Grupprum API", description = ABOUT),
    paths(
        document,
        meetings::view,
        meetings::join,
        meetings::record,
        commands::create_rooms,
        commands::move_people,
        commands::command,
        commands::send_message,
        commands::set_timer,
        commands::stop_timer,
        commands::open_plan,
        library::list,
        library::save,
        library::one,
        library::delete,
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&Bearer),
    tags(
        (name = "meetings", description = "A meeting as the panel sees it"),
        (name = "commands", description = "Acting on a meeting, as a moderator"),
        (name = "plans", description = "The plan library"),
        (name = "about", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The `bearer` security scheme the operations name.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An integration's API token, or a Jitsi JWT when the panel signs in with JWTs",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document, made once.
static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "about",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")),
    security(())
)]
pub async fn document() -> Response {
    Json(&*DOCUMENT).into_response()
}

/// The meeting an operation is about: its room name in the path, and its
/// tenant, if any, in the query.
pub struct MeetingParams;

impl utoipa::IntoParams for MeetingParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let text = || -> Option<RefOr<Schema>> {
            Some(ObjectBuilder::new().schema_type(Type::String).into())
        };
        vec![
            ParameterBuilder::new()
                .name("room")
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(
                    "The meeting's room name, as in its address (`https://meet.example/<room>`)",
                ))
                .schema(text())
                .build(),
            ParameterBuilder::new()
                .name("tenant")
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(
                    "The meeting's tenant, if any (`https://meet.example/<tenant>/<room>`)",
                ))
                .schema(text())
                .build(),
        ]
    }
}

//! What the API answers when it does not do what was asked: a status and a
//! JSON body `{"error": "<code>", "message": "<words>"}`, the code stable for
//! programs and the words for people (English, or Swedish when the request's
//! `Accept-Language` prefers it). A refused command also carries the refusal
//! itself (`"refusal"`), as the board receives it.

use app::auth::AuthRefusal;
use app::i18n::Lang;
use app::meeting::{NameProblem, Refusal};
use app::service::ServiceError;
use axum::Json;
use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::plans::ImportError;

/// Why the API did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("a credential is needed: Authorization: Bearer <API token or Jitsi JWT>")]
    NoCredential,
    /// Not a token the operator listed, nor a JWT the panel accepts (with
    /// why, for a JWT).
    #[error("the credential is not accepted")]
    BadCredential(Option<AuthRefusal>),
    /// A JWT for another meeting, or one that does not make its user a moderator.
    #[error("the credential does not allow this")]
    Forbidden(AuthRefusal),
    #[error("the body is not what this endpoint takes: {0}")]
    BadJson(String),
    #[error("{0}")]
    BadQuery(&'static str),
    #[error("the meeting's name cannot be a Jitsi room")]
    BadMeeting,
    #[error("the plan file cannot be read: {0}")]
    BadPlan(ImportError),
    #[error(
        "a plan's name is 1 to {} characters, without control characters",
        app::library::MAX_PLAN_NAME
    )]
    BadPlanName,
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the panel is not in this meeting: POST …/join first")]
    NotJoined,
    /// The command was refused before anything was sent; the words come
    /// from the board's.
    #[error("{0:?}")]
    Refused(Refusal),
    #[error("the panel is in as many meetings as it may be: try again later")]
    Busy,
    #[error("the panel's Jitsi settings are not usable: see its log")]
    Misconfigured,
    #[error("the panel has no Jitsi deployment to moderate")]
    NoService,
    #[error("the panel keeps no record of meetings")]
    NoRecord,
    #[error("the panel keeps no plans")]
    NoStore,
    #[error("no such plan, or not one this credential may use")]
    NoSuchPlan,
    #[error("there is another plan named {0:?}")]
    PlanNameTaken(String),
    #[error("the database failed: try again later")]
    Storage,
    #[error("too many requests in a short time: wait {0} s")]
    TooMany(u64),
    #[error("no such endpoint: see /api/v1/openapi.json")]
    NotFound,
}

/// The body of every error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `unauthorized`, `not-joined`, `bad-json`, a refusal's
    /// code (`no-such-room`, `bad-timer`, …), and so on.
    pub error: String,
    /// What happened, in words.
    pub message: String,
    /// A refused command: the refusal, as the board receives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

/// The errors every command endpoint may answer with, besides its own, for
/// the OpenAPI document: a credential refused (401), a JWT for another meeting
/// or not a moderator's (403), the panel not in the meeting (409), the command
/// refused (422).
pub struct CommandRefusals;

impl utoipa::IntoResponses for CommandRefusals {
    fn responses() -> Responses {
        error_responses(&[
            ("401", NO_CREDENTIAL),
            (
                "403",
                "The JWT is for another meeting, or not a moderator's",
            ),
            ("409", "`not-connected`: the panel is not in the meeting"),
            (
                "422",
                "Refused before anything was sent, with the refusal's code and words",
            ),
        ])
    }
}

/// The error every endpoint with a credential may answer with, besides its
/// own, for the OpenAPI document: the credential refused (401).
pub struct CredentialRefused;

impl utoipa::IntoResponses for CredentialRefused {
    fn responses() -> Responses {
        error_responses(&[("401", NO_CREDENTIAL)])
    }
}

const NO_CREDENTIAL: &str = "No credential, or one that is not accepted";

type Responses =
    std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>>;

/// Error answers (status, words), each with an [`ErrorBody`].
fn error_responses(answers: &[(&str, &str)]) -> Responses {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    answers
        .iter()
        .map(|(status, words)| {
            let body = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let response = ResponseBuilder::new()
                .description(*words)
                .content("application/json", body)
                .build();
            ((*status).to_owned(), response.into())
        })
        .collect()
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoCredential | Self::BadCredential(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadJson(_)
            | Self::BadQuery(_)
            | Self::BadMeeting
            | Self::BadPlan(_)
            | Self::BadPlanName => StatusCode::BAD_REQUEST,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotJoined | Self::PlanNameTaken(_) => StatusCode::CONFLICT,
            Self::Refused(Refusal::NotConnected) => StatusCode::CONFLICT,
            Self::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Busy | Self::NoService | Self::Storage => StatusCode::SERVICE_UNAVAILABLE,
            Self::Misconfigured => StatusCode::INTERNAL_SERVER_ERROR,
            Self::NoRecord | Self::NoStore | Self::NoSuchPlan | Self::NotFound => {
                StatusCode::NOT_FOUND
            }
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCredential | Self::BadCredential(_) => "unauthorized",
            Self::Forbidden(refusal) => refusal.code(),
            Self::BadJson(_) => "bad-json",
            Self::BadQuery(_) => "bad-query",
            Self::BadMeeting => "bad-meeting",
            Self::BadPlan(_) => "bad-plan",
            Self::BadPlanName => "bad-plan-name",
            Self::TooLarge(_) => "too-large",
            Self::NotJoined => "not-joined",
            Self::Refused(refusal) => refusal_code(refusal),
            Self::Busy => "busy",
            Self::Misconfigured => "misconfigured",
            Self::NoService => "no-service",
            Self::NoRecord => "no-record",
            Self::NoStore => "no-store",
            Self::NoSuchPlan => "no-such-plan",
            Self::PlanNameTaken(_) => "plan-name-taken",
            Self::Storage => "storage",
            Self::TooMany(_) => "rate",
            Self::NotFound => "not-found",
        }
    }

    /// The words: the board's for refusals, else the API's own (English).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::Refused(refusal) => lang.refusal(refusal),
            Self::BadCredential(Some(refusal)) | Self::Forbidden(refusal) => {
                lang.auth_refusal(*refusal).to_owned()
            }
            other => other.to_string(),
        }
    }

    /// The response, in `lang`.
    pub fn render(&self, lang: Lang) -> Response {
        let body = ErrorBody {
            error: self.code().to_owned(),
            message: self.message(lang),
            refusal: match self {
                Self::Refused(refusal) => Some(refusal.clone()),
                _ => None,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            Self::NoCredential | Self::BadCredential(_) => {
                headers.insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"grupprum\""),
                );
            }
            Self::TooMany(seconds) => {
                headers.insert(RETRY_AFTER, HeaderValue::from(*seconds));
            }
            Self::Busy => {
                headers.insert(RETRY_AFTER, HeaderValue::from_static("30"));
            }
            _ => {}
        }
        // Marks the response as an error [`in_words`] may word again.
        response.extensions_mut().insert(self.clone());
        response
    }
}

impl IntoResponse for ApiError {
    /// In English; [`in_words`] puts it in the request's language.
    fn into_response(self) -> Response {
        self.render(Lang::En)
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::BadMeeting(detail) => {
                tracing::debug!(%detail, "the API named a meeting that cannot be");
                Self::BadMeeting
            }
            ServiceError::Misconfigured(detail) => {
                tracing::warn!(%detail, "an API call met bad Jitsi settings");
                Self::Misconfigured
            }
            ServiceError::Busy(_) => Self::Busy,
            ServiceError::Refused(refusal) => Self::Refused(refusal),
        }
    }
}

impl From<app::plans::StorageError> for ApiError {
    fn from(error: app::plans::StorageError) -> Self {
        use app::plans::StorageError as E;
        match error {
            E::NotFound => Self::NoSuchPlan,
            E::NameTaken(name) => Self::PlanNameTaken(name),
            other => {
                tracing::warn!("an API call's storage failed: {other}");
                Self::Storage
            }
        }
    }
}

/// A refusal's stable code.
pub fn refusal_code(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::NotModerator => "not-moderator",
        Refusal::NotConnected => "not-connected",
        Refusal::NoSuchRoom(_) => "no-such-room",
        Refusal::NoSuchParticipant(_) => "no-such-participant",
        Refusal::BadName { problem, .. } => match problem {
            NameProblem::Taken => "name-taken",
            _ => "bad-name",
        },
        Refusal::RoomOccupied(_) => "room-occupied",
        Refusal::RenameUnsupported => "rename-unsupported",
        Refusal::Nothing(_) => "nothing-to-do",
        Refusal::Queued { .. } => "queued",
        Refusal::NoDraft => "no-draft",
        Refusal::NothingToUndo => "nothing-to-undo",
        Refusal::UnknownName(_) => "unknown-name",
        Refusal::GroupsImpossible => "groups-impossible",
        Refusal::PlanTooLarge { .. } => "plan-too-large",
        Refusal::BadMessage(_) => "bad-message",
        Refusal::BadTimer { .. } => "bad-timer",
        Refusal::NoTimer => "no-timer",
    }
}

/// The language of a request's words: English, unless `Accept-Language`
/// prefers Swedish.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let Some(header) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
        return Lang::En;
    };
    let names_swedish = header
        .split(',')
        .any(|tag| tag.trim().to_ascii_lowercase().starts_with("sv"));
    if names_swedish {
        Lang::from_accept_language(header)
    } else {
        Lang::En
    }
}

/// The middleware: an error is worded in the request's language.
pub async fn in_words(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers());
    let response = next.run(request).await;
    if lang == Lang::En {
        return response;
    }
    match response.extensions().get::<ApiError>() {
        Some(error) => error.render(lang),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn words_are_english_unless_swedish_is_preferred() {
        assert_eq!(lang_of(&HeaderMap::new()), Lang::En);
        assert_eq!(lang_of(&accepting("de-DE, fr;q=0.8")), Lang::En);
        assert_eq!(lang_of(&accepting("sv-SE, en;q=0.5")), Lang::Sv);
        assert_eq!(lang_of(&accepting("en-GB, sv;q=0.5")), Lang::En);
    }

    #[test]
    fn each_error_has_its_status_and_code() {
        let refused = ApiError::from(ServiceError::Refused(Refusal::NoSuchRoom("x".into())));
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.code(), "no-such-room");
        assert_eq!(
            refused.message(Lang::En),
            Lang::En.refusal(&Refusal::NoSuchRoom("x".into()))
        );
        let offline = ApiError::from(ServiceError::Refused(Refusal::NotConnected));
        assert_eq!(offline.status(), StatusCode::CONFLICT);
        assert_eq!(
            ApiError::from(ServiceError::Busy(3)).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            ApiError::from(ServiceError::BadMeeting("x".into())).status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            ApiError::from(app::plans::StorageError::NameTaken("Kurs".into())).code(),
            "plan-name-taken"
        );
        assert_eq!(
            ApiError::NoCredential.code(),
            ApiError::BadCredential(None).code()
        );
        assert_eq!(
            ApiError::Forbidden(AuthRefusal::OtherRoom).code(),
            "auth-other-room"
        );
    }
}

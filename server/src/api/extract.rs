//! What the API's handlers take from a request, each failing with an
//! [`ApiError`] (a JSON body, never axum's plain-text rejections): the caller,
//! the meeting named by the path and `?tenant=`, and a JSON body.

use app::auth::{AuthRefusal, SignedIn};
use app::meeting::MeetingRef;
use app::service::Moderator;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Who calls: an integration by its token, or a Jitsi JWT's user, as
/// [`super::caller::authenticate`] found them.
#[derive(Debug, Clone)]
pub struct Caller(pub SignedIn);

impl Caller {
    /// The caller as the meeting service knows them.
    pub fn moderator(&self) -> Moderator {
        Moderator::from(&self.0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<SignedIn>()
            .cloned()
            .map(Self)
            .ok_or(ApiError::NoCredential)
    }
}

/// The meeting a request is about (`/meetings/{room}`, `?tenant=`), which
/// the caller may open.
#[derive(Debug, Clone)]
pub struct Target {
    pub meeting: MeetingRef,
    pub caller: Caller,
}

impl Target {
    /// The caller, if they may give commands in the meeting.
    pub fn commander(&self) -> Result<Moderator, ApiError> {
        if self.caller.0.may_command {
            Ok(self.caller.moderator())
        } else {
            Err(ApiError::Forbidden(AuthRefusal::NotModerator))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Target {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Path(room) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadMeeting)?;
        let meeting = MeetingRef {
            room,
            tenant: query_values(parts.uri.query(), "tenant")
                .into_iter()
                .next()
                .filter(|t| !t.is_empty()),
        };
        if !meeting.is_valid() {
            return Err(ApiError::BadMeeting);
        }
        caller.0.may_open(&meeting).map_err(ApiError::Forbidden)?;
        Ok(Self { meeting, caller })
    }
}

/// Every value of `key` in a query string, decoded, in order.
pub fn query_values(query: Option<&str>, key: &str) -> Vec<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// A JSON body of type `T`, whatever its content type says (`curl -d`
/// sends JSON as a form). Larger than [`crate::http::MAX_BODY_BYTES`]: 413.
#[derive(Debug, Clone)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let bytes = read_body(request, crate::http::MAX_BODY_BYTES).await?;
        serde_json::from_slice(&bytes)
            .map(Self)
            .map_err(|e| ApiError::BadJson(e.to_string()))
    }
}

/// A request's body, up to `max` bytes.
pub async fn read_body(request: Request, max: usize) -> Result<axum::body::Bytes, ApiError> {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(ApiError::TooLarge(max));
    }
    axum::body::to_bytes(request.into_body(), max)
        .await
        .map_err(|e| {
            // Over the limit (ours, or the router's) or not sent in time.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(error) = source {
                if error.is::<http_body_util::LengthLimitError>() {
                    return ApiError::TooLarge(max);
                }
                source = error.source();
            }
            ApiError::BadJson(format!("the body could not be read: {e}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded_and_kept_in_order() {
        assert_eq!(
            query_values(Some("room=a%40b&tenant=x&room=c+d"), "room"),
            ["a@b", "c d"]
        );
        assert!(query_values(None, "room").is_empty());
        assert!(query_values(Some("rooms=a"), "room").is_empty());
    }
}

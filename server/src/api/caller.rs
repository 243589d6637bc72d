//! Who calls the API: `Authorization: Bearer <credential>`, where the
//! credential is an integration's API token ([`super::tokens`]) or, when the
//! panel signs its users in with Jitsi JWTs, such a JWT, checked exactly as
//! the sign-in checks it. Cookies and a proxy's header count for nothing
//! here. Without an accepted credential: `401`, before anything else.

use app::auth::{AuthMode, AuthRefusal, Rooms, SignedIn};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Api;
use super::error::ApiError;

/// An integration, as a signed-in moderator named after it, in any meeting.
pub fn integration(name: &str) -> SignedIn {
    SignedIn {
        subject: format!("api:{name}"),
        name: name.to_owned(),
        may_command: true,
        rooms: Rooms::Any,
        tenant: None,
        token: None,
        expires: u64::MAX,
    }
}

/// The credential of `Authorization: Bearer <credential>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credential) = value.split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

/// The caller, or why they are not let in.
pub async fn identify(api: &Api, headers: &HeaderMap) -> Result<SignedIn, ApiError> {
    let credential = bearer(headers).ok_or(ApiError::NoCredential)?;
    if let Some(name) = api.tokens.find(credential) {
        return Ok(integration(name));
    }
    let looks_like_jwt = credential.split('.').count() == 3;
    if api.auth.mode() != AuthMode::Jwt || !looks_like_jwt {
        return Err(ApiError::BadCredential(None));
    }
    let user = api
        .auth
        .verify(credential)
        .await
        .map_err(|refusal| ApiError::BadCredential(Some(refusal)))?;
    // As the sign-in: a token past its end signs nobody in.
    if user.expires <= crate::auth::now() {
        return Err(ApiError::BadCredential(Some(AuthRefusal::Expired)));
    }
    Ok(user)
}

/// The middleware: puts the caller into the request (where the rate limits
/// find them too), or answers `401`.
pub async fn authenticate(State(api): State<Api>, mut request: Request, next: Next) -> Response {
    match identify(&api, request.headers()).await {
        Ok(user) => {
            request.extensions_mut().insert(user);
            next.run(request).await
        }
        Err(error) => {
            tracing::info!(
                path = %request.uri().path(),
                refusal = ?error,
                "an API call without an accepted credential"
            );
            error.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_credential_is_a_bearer_token() {
        assert_eq!(bearer(&with("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&with("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&with("Basic YWxhZGRpbjpvcGVuc2VzYW1l")), None);
        assert_eq!(bearer(&with("Bearer ")), None);
        assert_eq!(bearer(&with("abc")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn an_integration_moderates_as_itself_in_any_meeting() {
        let who = app::service::Moderator::from(&integration("lms"));
        assert_eq!(who.id, "api:lms");
        assert_eq!(who.display_name.as_deref(), Some("lms"));
        assert_eq!(who.token, None);
        assert!(who.signed_in);
        let user = integration("lms");
        assert!(user.may_command);
        assert_eq!(
            user.may_open(&app::meeting::MeetingRef {
                room: "any".into(),
                tenant: Some("where".into())
            }),
            Ok(())
        );
    }
}

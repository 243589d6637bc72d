//! The HTTP layer's own refusals (too many requests, too large, another
//! site's call, no sign-in), in the words of the request's language: the
//! board shows them as they come, and so does a browser after a plain form.

use app::i18n::Lang;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// `code` (a problem code of [`Lang::error_text`]) in the request's language.
pub fn words(code: &str, uri: &Uri, headers: &HeaderMap) -> String {
    Lang::of_request(uri, headers).error_text(code)
}

/// A refusal with `status`, worded for the request.
pub fn refusal(status: StatusCode, code: &str, uri: &Uri, headers: &HeaderMap) -> Response {
    (status, words(code, uri, headers)).into_response()
}

/// "Sign in first" (401), marked as the server's own
/// ([`app::api::SIGN_IN_REFUSED`]) so that the board stops asking.
pub fn sign_in_needed(uri: &Uri, headers: &HeaderMap) -> Response {
    let code = app::auth::AuthRefusal::SignInNeeded.code();
    (
        StatusCode::UNAUTHORIZED,
        [(app::api::SIGN_IN_REFUSED, "1")],
        words(code, uri, headers),
    )
        .into_response()
}

/// `code` in Swedish and English, for an answer with no request at hand.
pub fn in_both(code: &str) -> String {
    format!(
        "{}\n{}\n",
        Lang::Sv.error_text(code),
        Lang::En.error_text(code)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_follow_the_requests_language() {
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", "sv-SE,sv;q=0.9".parse().unwrap());
        let uri: Uri = "/api/action".parse().unwrap();
        assert_eq!(words("rate", &uri, &headers), Lang::Sv.page().rate);
        let english: Uri = "/api/action?lang=en".parse().unwrap();
        assert_eq!(
            words("too-large", &english, &headers),
            Lang::En.page().request_too_large
        );
        headers.insert("cookie", "a=b; lang=en".parse().unwrap());
        assert_eq!(
            words("cross-site", &uri, &headers),
            Lang::En.page().cross_site
        );
        let both = in_both("internal");
        assert!(both.contains(Lang::Sv.page().internal) && both.contains(Lang::En.page().internal));
    }
}

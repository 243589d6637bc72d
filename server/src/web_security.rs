//! What keeps other sites out: server functions and the live WebSocket answer
//! only this site's own pages (a cross-site request is refused before it reaches
//! a meeting), and every response says who may frame it and keeps its content
//! type and address to itself. The pages add their own script policy, with a
//! fresh nonce per page (see `app::shell`).

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The setting that names who may embed the panel.
pub const FRAME_ANCESTORS_VAR: &str = "GRUPPRUM_FRAME_ANCESTORS";

/// Bad `GRUPPRUM_FRAME_ANCESTORS`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "{FRAME_ANCESTORS_VAR} is not valid: {0:?} is not 'self', 'none' or an origin such as https://meet.example"
    )]
    BadSource(String),
}

/// The site's framing policy.
#[derive(Debug, Clone)]
pub struct Policy {
    frame_ancestors: HeaderValue,
}

impl Default for Policy {
    /// Only the panel's own pages may frame it.
    fn default() -> Self {
        Self {
            frame_ancestors: HeaderValue::from_static("frame-ancestors 'self'"),
        }
    }
}

impl Policy {
    /// `sources`: space-separated `'self'`, `'none'` or origins
    /// (`https://meet.example`, `https://meet.example:8443`): the pages allowed
    /// to embed the panel, such as the Jitsi Meet deployment next to it.
    pub fn frame_ancestors(sources: &str) -> Result<Self, PolicyError> {
        let mut checked = Vec::new();
        for source in sources.split_whitespace() {
            if !is_source(source) {
                return Err(PolicyError::BadSource(source.to_owned()));
            }
            checked.push(source);
        }
        if checked.is_empty() {
            return Ok(Self::default());
        }
        let value = format!("frame-ancestors {}", checked.join(" "));
        HeaderValue::from_str(&value)
            .map(|frame_ancestors| Self { frame_ancestors })
            .map_err(|_| PolicyError::BadSource(sources.to_owned()))
    }
}

fn is_source(source: &str) -> bool {
    if matches!(source, "'self'" | "'none'") {
        return true;
    }
    let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'*'))
        && port.bytes().all(|b| b.is_ascii_digit())
}

/// The middleware: refuses cross-site calls of `/api/`, and adds the headers.
pub async fn guard(State(policy): State<Policy>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") && !same_origin(request.headers()) {
        tracing::warn!(
            path = %request.uri().path(),
            origin = ?request.headers().get(ORIGIN),
            "refused a cross-site request"
        );
        return crate::worded::refusal(
            StatusCode::FORBIDDEN,
            "cross-site",
            request.uri(),
            request.headers(),
        );
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.append(CONTENT_SECURITY_POLICY, policy.frame_ancestors.clone());
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// A browser says where a request comes from: `Sec-Fetch-Site` (every current
/// browser), else `Origin`, which must name this host. Requests with neither do
/// not come from a web page (a script on the operator's machine, say) and carry
/// no visitor's cookies for another site to abuse.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(HOST))
        .and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, h)| h);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn only_this_site_may_call() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.test"),
            ("host", "panel.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "panel.example")
        ])));
        assert!(same_origin(&headers(&[
            ("origin", "https://panel.example"),
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "panel.example")
        ])));
        assert!(same_origin(&headers(&[])));
    }

    #[test]
    fn framing_sources_are_checked() {
        let policy =
            Policy::frame_ancestors("'self' https://meet.example https://m.example:8443").unwrap();
        assert_eq!(
            policy.frame_ancestors,
            "frame-ancestors 'self' https://meet.example https://m.example:8443"
        );
        assert_eq!(
            Policy::frame_ancestors("  ").unwrap().frame_ancestors,
            "frame-ancestors 'self'"
        );
        for bad in [
            "meet.example",
            "https://meet.example/path",
            "https://a.example;script-src *",
            "*",
            "https://",
        ] {
            assert_eq!(
                Policy::frame_ancestors(bad).unwrap_err(),
                PolicyError::BadSource(bad.split_whitespace().next().unwrap().to_owned()),
                "{bad}"
            );
        }
    }
}

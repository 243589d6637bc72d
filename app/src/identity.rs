//! Who moderates through this browser (feature `ssr`). Three cookies, all
//! `HttpOnly` so that no script reads them: a random id (each browser is its own
//! occupant in the meeting), the display name the panel uses there, and an
//! optional Jitsi token. The display name and token are checked before they are
//! kept, and again whenever they are read back.

use http::header::{ACCEPT, COOKIE, HeaderValue, SET_COOKIE};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::auth::AuthMode;
pub use crate::meeting::percent_encode;
use crate::meeting::{is_bidi_control, is_noncharacter};
use crate::service::Moderator;

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest token, in bytes (it must fit in a cookie).
pub const MAX_TOKEN_BYTES: usize = 3072;

const ID_COOKIE: &str = "grupprum_id";
const NAME_COOKIE: &str = "grupprum_name";
const TOKEN_COOKIE: &str = "grupprum_token";
/// The id and the name are kept for a year; the token only until the browser closes.
const KEEP_SECONDS: u32 = 365 * 24 * 3600;
const ID_BYTES: usize = 16;

/// What is wrong with a display name or token from the start page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the display name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the display name contains control or text-direction characters")]
    NameCharacters,
    #[error("the token is longer than {MAX_TOKEN_BYTES} bytes")]
    TokenTooLong,
    #[error("the token is not a JWT: three base64url parts separated by dots")]
    TokenShape,
    #[error("the system's random number source failed")]
    Randomness,
    #[error("auth-needed")]
    SignInNeeded,
}

impl IdentityError {
    /// A short code the start page turns into words in the moderator's language.
    pub fn code(self) -> &'static str {
        match self {
            Self::NameTooLong | Self::NameCharacters => "name",
            Self::TokenTooLong | Self::TokenShape => "token",
            Self::Randomness => "server",
            Self::SignInNeeded => crate::auth::AuthRefusal::SignInNeeded.code(),
        }
    }
}

/// A display name as given: trimmed; empty means the server's default.
pub fn check_name(raw: &str) -> Result<Option<String>, IdentityError> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(IdentityError::NameTooLong);
    }
    if name
        .chars()
        .any(|c| c.is_control() || is_bidi_control(c) || is_noncharacter(c))
    {
        return Err(IdentityError::NameCharacters);
    }
    Ok(Some(name.to_owned()))
}

/// A token as given: trimmed; empty means none.
pub fn check_token(raw: &str) -> Result<Option<String>, IdentityError> {
    let token = raw.trim();
    if token.is_empty() {
        return Ok(None);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(IdentityError::TokenTooLong);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let base64url = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if parts.len() != 3 || !parts.iter().all(base64url) {
        return Err(IdentityError::TokenShape);
    }
    Ok(Some(token.to_owned()))
}

/// How this panel's users sign in: open when the server says nothing.
pub fn mode() -> AuthMode {
    crate::auth::sign_in().map_or(AuthMode::Open, |s| s.mode())
}

/// The moderator this request comes from: the signed-in user, or on an open
/// panel the browser (one without an id gets a new one, and the cookie that
/// keeps it).
pub fn moderator() -> Result<Moderator, IdentityError> {
    if let Some(user) = crate::auth::signed_in() {
        return Ok(Moderator::from(&user));
    }
    if mode() != AuthMode::Open {
        return Err(IdentityError::SignInNeeded);
    }
    let cookies = request_cookies();
    let id = match find(&cookies, ID_COOKIE).filter(|id| is_id(id)) {
        Some(id) => id.to_owned(),
        None => {
            let id = new_id()?;
            set_cookie(ID_COOKIE, &id, Some(KEEP_SECONDS));
            id
        }
    };
    Ok(moderator_with(&cookies, id))
}

/// The moderator whose cookies `headers` carry, outside a page's context (the
/// live connection): `None` for a browser that has no id yet.
pub fn moderator_in(headers: &http::HeaderMap) -> Option<Moderator> {
    let cookies = cookies_in(headers);
    let id = find(&cookies, ID_COOKIE).filter(|id| is_id(id))?.to_owned();
    Some(moderator_with(&cookies, id))
}

fn moderator_with(cookies: &[(String, String)], id: String) -> Moderator {
    let display_name = find(cookies, NAME_COOKIE)
        .and_then(percent_decode)
        .and_then(|n| check_name(&n).ok().flatten());
    let token = find(cookies, TOKEN_COOKIE).and_then(|t| check_token(t).ok().flatten());
    Moderator {
        id,
        display_name,
        token,
        signed_in: false,
    }
}

fn find<'a>(cookies: &'a [(String, String)], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Keeps what the moderator gave on the start page; an empty field forgets the
/// earlier value.
pub fn remember(
    display_name: Option<&str>,
    token: Option<&str>,
) -> Result<Moderator, IdentityError> {
    let mut who = moderator()?;
    match display_name {
        Some(name) => set_cookie(NAME_COOKIE, &percent_encode(name), Some(KEEP_SECONDS)),
        None => set_cookie(NAME_COOKIE, "", Some(0)),
    }
    match token {
        Some(token) => set_cookie(TOKEN_COOKIE, token, None),
        None => set_cookie(TOKEN_COOKIE, "", Some(0)),
    }
    who.display_name = display_name.map(str::to_owned);
    who.token = token.map(str::to_owned);
    Ok(who)
}

/// The display name this browser gave before, if any.
pub fn remembered_name() -> Option<String> {
    request_cookies()
        .into_iter()
        .find(|(n, _)| n == NAME_COOKIE)
        .and_then(|(_, v)| percent_decode(&v))
        .and_then(|n| check_name(&n).ok().flatten())
}

/// True for a plain form post or page load (no scripts): such a request wants
/// a redirect, not a value.
pub fn wants_html() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get_all(ACCEPT)
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.contains("text/html")))
    })
}

fn request_cookies() -> Vec<(String, String)> {
    use_context::<http::request::Parts>().map_or_else(Vec::new, |parts| cookies_in(&parts.headers))
}

fn cookies_in(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// Cookies are `Secure` when the request came over HTTPS (a proxy in front says
/// so with `X-Forwarded-Proto` or `Forwarded`).
pub fn over_https() -> bool {
    use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.scheme_str() == Some("https") || https_in(&parts.headers))
}

/// A proxy in front says the request came over HTTPS (`X-Forwarded-Proto` or
/// `Forwarded`).
pub fn https_in(headers: &http::HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
        || headers
            .get("forwarded")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"))
}

/// Adds a `Set-Cookie` the server made (the sign-in's).
pub fn append_set_cookie(value: HeaderValue) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(SET_COOKIE, value);
    }
}

fn set_cookie(name: &str, value: &str, max_age: Option<u32>) {
    let Some(response) = use_context::<ResponseOptions>() else {
        return;
    };
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if over_https() {
        cookie.push_str("; Secure");
    }
    if let Ok(header) = HeaderValue::from_str(&cookie) {
        response.append_header(SET_COOKIE, header);
    }
}

/// A browser id as the panel makes them: 32 hex digits.
pub fn is_id(id: &str) -> bool {
    id.len() == ID_BYTES * 2 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn new_id() -> Result<String, IdentityError> {
    let mut bytes = [0u8; ID_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| IdentityError::Randomness)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            check_name("  Anna (panel) "),
            Ok(Some("Anna (panel)".into()))
        );
        assert_eq!(check_name("   "), Ok(None));
        assert_eq!(
            check_name(&"å".repeat(64)).map(|n| n.map(|n| n.chars().count())),
            Ok(Some(64))
        );
        assert_eq!(check_name(&"å".repeat(65)), Err(IdentityError::NameTooLong));
        assert_eq!(check_name("a\nb"), Err(IdentityError::NameCharacters));
        assert_eq!(
            check_name("\u{202E}nimda"),
            Err(IdentityError::NameCharacters)
        );
        for name in ["Kim\u{FFFE}", "\u{FDD0}Kim", "Kim \u{10FFFF}"] {
            assert_eq!(check_name(name), Err(IdentityError::NameCharacters));
        }
    }

    #[test]
    fn tokens_must_look_like_jwts() {
        assert_eq!(
            check_token(" eyJh.eyJi.c2ln "),
            Ok(Some("eyJh.eyJi.c2ln".into()))
        );
        assert_eq!(check_token(""), Ok(None));
        assert_eq!(check_token("a.b"), Err(IdentityError::TokenShape));
        assert_eq!(check_token("a..c"), Err(IdentityError::TokenShape));
        assert_eq!(check_token("a.b.c; Path=/"), Err(IdentityError::TokenShape));
        assert_eq!(
            check_token(&format!("a.{}.c", "b".repeat(MAX_TOKEN_BYTES))),
            Err(IdentityError::TokenTooLong)
        );
    }

    #[test]
    fn names_survive_the_cookie() {
        for name in [
            "Anna Lindqvist",
            "Örjan; Path=/",
            "<b>\"x\"</b> 100%",
            "名前",
        ] {
            let encoded = percent_encode(name);
            assert!(
                encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b))
            );
            assert_eq!(percent_decode(&encoded).as_deref(), Some(name));
        }
        assert_eq!(percent_decode("%ZZ"), None);
        assert_eq!(percent_decode("%C3"), None);
        assert_eq!(percent_decode("%4"), None);
    }

    #[test]
    fn ids_are_random_hex() {
        let (a, b) = (new_id().unwrap(), new_id().unwrap());
        assert!(is_id(&a) && is_id(&b));
        assert_ne!(a, b);
        assert!(!is_id("zz"));
        assert!(!is_id(&"g".repeat(32)));
    }
}

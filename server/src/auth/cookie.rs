//! The sign-in kept in the browser: the signed-in user as JSON, encrypted and
//! authenticated (AES-256-GCM) with the panel's key, in an `HttpOnly`,
//! `SameSite=Lax` cookie that ends when the sign-in does. Over HTTPS it is
//! named with the `__Host-` prefix and marked `Secure`, so that no other
//! host or path can set or read it.

use app::auth::SignedIn;
use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use cookie::{Cookie, CookieJar, Key, SameSite};

/// The cookie's name over HTTPS.
pub const SECURE_NAME: &str = "__Host-grupprum";
/// The cookie's name over plain HTTP (a panel on loopback).
pub const PLAIN_NAME: &str = "grupprum_signin";

/// Bad `GRUPPRUM_COOKIE_KEY`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("GRUPPRUM_COOKIE_KEY must be base64 of at least 32 random bytes")]
    Short,
}

/// Seals and opens the sign-in cookie.
#[derive(Clone)]
pub struct Keeper {
    key: Key,
}

impl Keeper {
    /// From the operator's secret (at least 32 bytes; keys are derived from it).
    pub fn from_secret(secret: &[u8]) -> Result<Self, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::Short);
        }
        Ok(Self {
            key: Key::derive_from(secret),
        })
    }

    /// A fresh random key: sign-ins end when the server stops.
    pub fn random() -> Self {
        Self {
            key: Key::generate(),
        }
    }

    /// The `Set-Cookie` value that keeps `user` until it expires.
    pub fn seal(&self, user: &SignedIn, https: bool, now: u64) -> Option<HeaderValue> {
        let name = if https { SECURE_NAME } else { PLAIN_NAME };
        self.seal_value(name, user, https, user.expires.saturating_sub(now))
    }

    /// The `Set-Cookie` value of cookie `name` holding `value`, encrypted, for
    /// `seconds`.
    pub fn seal_value<T: serde::Serialize>(
        &self,
        name: &'static str,
        value: &T,
        https: bool,
        seconds: u64,
    ) -> Option<HeaderValue> {
        let json = serde_json::to_string(value).ok()?;
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key).add(
            Cookie::build((name, json))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(https)
                .max_age(cookie::time::Duration::seconds(
                    i64::try_from(seconds).unwrap_or(i64::MAX),
                )),
        );
        let sealed = jar.get(name)?.to_string();
        HeaderValue::from_str(&sealed).ok()
    }

    /// The user a request's cookie holds, if it opens with this key and has
    /// not expired.
    pub fn open(&self, headers: &HeaderMap, now: u64) -> Option<SignedIn> {
        self.open_values::<SignedIn>(headers, [SECURE_NAME, PLAIN_NAME])
            .into_iter()
            .find(|user| user.expires > now)
    }

    /// What the cookies named `names` hold, where they open with this key.
    pub fn open_values<T: serde::de::DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        names: [&str; 2],
    ) -> Vec<T> {
        let mut jar = CookieJar::new();
        for value in headers.get_all(COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            for pair in text.split(';') {
                if let Some((name, value)) = pair.trim().split_once('=')
                    && names.contains(&name)
                {
                    jar.add_original(Cookie::new(name.to_owned(), value.to_owned()));
                }
            }
        }
        names
            .into_iter()
            .filter_map(|name| jar.private(&self.key).get(name))
            .filter_map(|c| serde_json::from_str::<T>(c.value()).ok())
            .collect()
    }

    /// The `Set-Cookie` values that end a sign-in, under either name.
    pub fn clear(https: bool) -> Vec<HeaderValue> {
        let mut values = vec![HeaderValue::from_static(
            "grupprum_signin=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        )];
        if https {
            values.push(HeaderValue::from_static(
                "__Host-grupprum=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0",
            ));
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::auth::Rooms;

    fn kim(expires: u64) -> SignedIn {
        SignedIn {
            subject: "jwt:test:kim".into(),
            name: "Kim".into(),
            may_command: true,
            rooms: Rooms::Only("demo".into()),
            tenant: None,
            token: Some("aaa.bbb.ccc".into()),
            expires,
        }
    }

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(pair).unwrap());
        headers
    }

    #[test]
    fn a_sealed_sign_in_opens_with_the_same_key_only_and_until_it_ends() {
        let keeper = Keeper::from_secret(&[7u8; 32]).unwrap();
        let sealed = keeper.seal(&kim(1_000), true, 400).unwrap();
        let text = sealed.to_str().unwrap();
        assert!(text.starts_with("__Host-grupprum="), "{text}");
        for attribute in [
            "Path=/",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Max-Age=600",
        ] {
            assert!(text.contains(attribute), "{attribute}: {text}");
        }
        assert!(
            !text.contains("Kim") && !text.contains("aaa.bbb"),
            "encrypted: {text}"
        );
        let headers = request_with(&sealed);
        assert_eq!(keeper.open(&headers, 999), Some(kim(1_000)));
        assert_eq!(keeper.open(&headers, 1_000), None, "ended with the token");
        let other = Keeper::from_secret(&[8u8; 32]).unwrap();
        assert_eq!(other.open(&headers, 999), None);
        // Tampered with: refused.
        let mut bytes = text.split(';').next().unwrap().to_owned();
        bytes.pop();
        bytes.push('A');
        let mut tampered = HeaderMap::new();
        tampered.insert(COOKIE, HeaderValue::from_str(&bytes).unwrap());
        assert_eq!(keeper.open(&tampered, 999), None);
        let plain = keeper.seal(&kim(1_000), false, 400).unwrap();
        let plain = plain.to_str().unwrap();
        assert!(
            plain.starts_with("grupprum_signin=") && !plain.contains("Secure"),
            "{plain}"
        );
        assert_eq!(Keeper::from_secret(&[1u8; 31]).err(), Some(KeyError::Short));
    }
}

//! Jitsi JWTs as the in-process sign-in and API tests make them (Kim Lind's,
//! signed HS256), and the JWT sign-in of the test deployment that checks them.

use std::sync::Arc;

use app::auth::AuthMode;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;
use server::auth::jwt::{JwtKey, JwtSettings};
use server::auth::{Auth, AuthSettings};

/// The test deployment's app secret.
pub const SECRET: &[u8] = b"the app secret of meet.test";

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Kim Lind's token for `room`, a moderator or not, ending at `exp`, signed
/// with `key`.
pub fn kim(room: &str, moderator: bool, exp: u64, key: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &json!({
            "iss": "meet-test",
            "aud": "jitsi",
            "sub": "meet.test",
            "room": room,
            "exp": exp,
            "context": {"user": {"name": "Kim Lind", "id": "kim", "moderator": moderator}}
        }),
        &EncodingKey::from_secret(key).unwrap(),
    )
    .unwrap()
}

/// JWT sign-in with [`SECRET`], sealing its cookies with `cookie_key`, and
/// taking tokens from the `header` a proxy sets, if any.
pub fn jwt_auth(cookie_key: &[u8], header: Option<&str>) -> Arc<Auth> {
    let settings = AuthSettings {
        mode: AuthMode::Jwt,
        allow_open: false,
        cookie_secret: Some(cookie_key.to_vec()),
        jwt: Some(JwtSettings {
            key: JwtKey::Secret(SECRET.to_vec()),
            issuers: vec!["meet-test".into()],
            audiences: Vec::new(),
            domain: "meet.test".into(),
        }),
        jwt_header: header.map(|h| h.parse().unwrap()),
        oidc: None,
    };
    Auth::new(&settings, "127.0.0.1:3000".parse().unwrap()).unwrap()
}

//! Jitsi JWTs, checked the way Jitsi's token authentication checks them: one
//! algorithm (HS256 with the app secret, or RS256 with a public key from a
//! file or, as Jitsi's ASAP, from a key server by the token's `kid`), the
//! issuer among the accepted ones, the audience when the operator names any,
//! `exp` and `nbf`, and a `room` claim. The token's `context.user` gives the
//! user's name and whether they are a moderator; `sub` limits the tenant.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use app::auth::{AuthRefusal, Rooms, SignedIn};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Seconds of clock difference tolerated for `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;

/// Where the signature is checked against.
#[derive(Clone)]
pub enum JwtKey {
    /// HS256 with the deployment's `app_secret`.
    Secret(Vec<u8>),
    /// RS256 with a PEM public key.
    RsaPem(Vec<u8>),
    /// RS256 with the public key a key server holds for the token's `kid`,
    /// at `<url>/<hex SHA-256 of the kid>.pem` (Jitsi's `asap_key_server`).
    KeyServer(String),
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Secret(_) => "Secret(<redacted>)",
            Self::RsaPem(_) => "RsaPem(..)",
            Self::KeyServer(_) => "KeyServer(..)",
        })
    }
}

/// The settings of JWT sign-in.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub key: JwtKey,
    /// Accepted `iss` values (Jitsi's default: the app id).
    pub issuers: Vec<String>,
    /// Accepted `aud` values; empty: any, as Jitsi's default `*`.
    pub audiences: Vec<String>,
    /// The deployment's XMPP domain: a `sub` naming it (or `*`) allows every tenant.
    pub domain: String,
}

/// Bad JWT settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("the JWT key is not usable: {0}")]
    Key(String),
    #[error("no accepted issuer: set JWT_APP_ID or JWT_ACCEPTED_ISSUERS")]
    NoIssuer,
}

/// How long a key server's key is reused, and how long a key it could not
/// give is not asked for again.
const KEY_FOR: Duration = Duration::from_secs(3600);
const MISSING_FOR: Duration = Duration::from_secs(60);
/// Most keys remembered from a key server.
const MAX_KEYS: usize = 1000;
/// Largest key file read from a key server.
const MAX_KEY_BYTES: usize = 16 * 1024;

/// Where a [`Verifier`]'s keys come from.
enum Keys {
    Fixed(DecodingKey),
    Server {
        base: url::Url,
        http: reqwest::Client,
        /// By `kid`: the key, or `None` for one the server did not give.
        cache: Mutex<HashMap<String, (Instant, Option<DecodingKey>)>>,
    },
}

/// Checks tokens against one algorithm and its keys.
pub struct Verifier {
    keys: Keys,
    validation: Validation,
    domain: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: Option<String>,
    room: Option<String>,
    exp: u64,
    #[serde(default)]
    context: Context,
}

#[derive(Deserialize, Default)]
struct Context {
    #[serde(default)]
    user: User,
}

#[derive(Deserialize, Default)]
struct User {
    name: Option<String>,
    id: Option<String>,
    email: Option<String>,
    /// `true` or `"true"`, as Jitsi's modules read it.
    moderator: Option<serde_json::Value>,
}

impl Verifier {
    pub fn new(settings: &JwtSettings) -> Result<Self, JwtError> {
        if settings.issuers.is_empty() {
            return Err(JwtError::NoIssuer);
        }
        let (keys, algorithm) = match &settings.key {
            JwtKey::Secret(secret) => (
                Keys::Fixed(
                    DecodingKey::from_secret(secret).map_err(|e| JwtError::Key(e.to_string()))?,
                ),
                Algorithm::HS256,
            ),
            JwtKey::RsaPem(pem) => (
                Keys::Fixed(
                    DecodingKey::from_rsa_pem(pem).map_err(|e| JwtError::Key(e.to_string()))?,
                ),
                Algorithm::RS256,
            ),
            JwtKey::KeyServer(url) => {
                let mut base = url::Url::parse(url)
                    .map_err(|e| JwtError::Key(format!("JWT_ASAP_KEY_SERVER: {e}")))?;
                if !base.path().ends_with('/') {
                    base.set_path(&format!("{}/", base.path()));
                }
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(Duration::from_secs(5))
                    .build()
                    .map_err(|e| JwtError::Key(e.to_string()))?;
                (
                    Keys::Server {
                        base,
                        http,
                        cache: Mutex::new(HashMap::new()),
                    },
                    Algorithm::RS256,
                )
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&settings.issuers);
        validation.set_required_spec_claims(&["exp", "iss"]);
        if settings.audiences.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&settings.audiences);
        }
        Ok(Self {
            keys,
            validation,
            domain: settings.domain.to_ascii_lowercase(),
        })
    }

    /// With a key server: makes sure the key for the token's `kid` has been
    /// asked for. A no-op for a fixed key, a token without `kid`, or a key
    /// asked for recently.
    pub async fn fetch_key(&self, token: &str) {
        let Keys::Server { base, http, cache } = &self.keys else {
            return;
        };
        let Some(kid) = jsonwebtoken::decode_header(token).ok().and_then(|h| h.kid) else {
            return;
        };
        let fresh = |cache: &HashMap<String, (Instant, Option<DecodingKey>)>| {
            cache.get(&kid).is_some_and(|(at, key)| {
                at.elapsed() < if key.is_some() { KEY_FOR } else { MISSING_FOR }
            })
        };
        if fresh(&cache.lock().unwrap_or_else(PoisonError::into_inner)) {
            return;
        }
        let key = fetch(http, base, &kid).await;
        if let Err(e) = &key {
            tracing::warn!(kid = %kid, "no key from the key server: {e}");
        }
        let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_KEYS {
            cache.clear();
        }
        cache.insert(kid, (Instant::now(), key.ok()));
    }

    /// The key for `token`: the fixed one, or the key server's for its `kid`
    /// as [`Verifier::fetch_key`] left it.
    fn key_for(&self, token: &str) -> Result<DecodingKey, AuthRefusal> {
        match &self.keys {
            Keys::Fixed(key) => Ok(key.clone()),
            Keys::Server { cache, .. } => {
                let kid = jsonwebtoken::decode_header(token)
                    .map_err(|e| refusal(e.kind()))?
                    .kid
                    .ok_or(AuthRefusal::Signature)?;
                cache
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&kid)
                    .and_then(|(_, key)| key.clone())
                    .ok_or(AuthRefusal::Signature)
            }
        }
    }

    /// The signed-in user a token stands for, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<SignedIn, AuthRefusal> {
        let key = self.key_for(token)?;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|e| refusal(e.kind()))?;
        let claims = data.claims;
        let rooms = match claims.room.as_deref().map(str::trim) {
            None | Some("") => return Err(AuthRefusal::NoRoom),
            Some("*") => Rooms::Any,
            Some(room) => Rooms::Only(room.to_lowercase()),
        };
        let tenant = claims
            .sub
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != "*" && !s.eq_ignore_ascii_case(&self.domain))
            .map(str::to_lowercase);
        let user = claims.context.user;
        let may_command = matches!(&user.moderator, Some(serde_json::Value::Bool(true)))
            || matches!(&user.moderator, Some(serde_json::Value::String(s)) if s == "true");
        let who = user
            .id
            .clone()
            .or_else(|| user.email.clone())
            .or_else(|| user.name.clone())
            .unwrap_or_default();
        let name = user
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or(user.email)
            .unwrap_or_else(|| "?".into());
        Ok(SignedIn {
            subject: format!("jwt:{}:{who}", claims.iss),
            name: super::user_name(&name),
            may_command,
            rooms,
            tenant,
            token: Some(token.to_owned()),
            expires: claims.exp,
        })
    }
}

fn refusal(kind: &ErrorKind) -> AuthRefusal {
    match kind {
        ErrorKind::ExpiredSignature => AuthRefusal::Expired,
        ErrorKind::ImmatureSignature => AuthRefusal::NotYetValid,
        ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => AuthRefusal::Signature,
        ErrorKind::InvalidIssuer => AuthRefusal::Issuer,
        ErrorKind::InvalidAudience => AuthRefusal::Audience,
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => AuthRefusal::Issuer,
        ErrorKind::MissingRequiredClaim(claim) if claim == "exp" => AuthRefusal::Expired,
        _ => AuthRefusal::Malformed,
    }
}

/// The PEM key a key server holds for `kid`.
async fn fetch(http: &reqwest::Client, base: &url::Url, kid: &str) -> Result<DecodingKey, String> {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(kid.as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let url = base
        .join(&format!("{name}.pem"))
        .map_err(|e| e.to_string())?;
    let response = http.get(url).send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_KEY_BYTES as u64)
    {
        return Err("the key file is too large".into());
    }
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if body.len() > MAX_KEY_BYTES {
        return Err("the key file is too large".into());
    }
    DecodingKey::from_rsa_pem(&body).map_err(|e| e.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    pub const SECRET: &[u8] = b"the app secret of meet.test";

    pub fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    pub fn settings() -> JwtSettings {
        JwtSettings {
            key: JwtKey::Secret(SECRET.to_vec()),
            issuers: vec!["grupprum-test".into()],
            audiences: Vec::new(),
            domain: "meet.test".into(),
        }
    }

    pub fn token(claims: serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET).unwrap(),
        )
        .unwrap()
    }

    pub fn claims(room: &str, moderator: bool) -> serde_json::Value {
        json!({
            "iss": "grupprum-test",
            "aud": "jitsi",
            "sub": "meet.test",
            "room": room,
            "exp": now() + 3600,
            "nbf": now() - 10,
            "context": {"user": {"name": "Kim Lind", "id": "kim", "moderator": moderator}}
        })
    }

    #[test]
    fn a_valid_token_signs_its_user_in() {
        let verifier = Verifier::new(&settings()).unwrap();
        let user = verifier.verify(&token(claims("Demo", true))).unwrap();
        assert_eq!(user.name, "Kim Lind");
        assert_eq!(user.subject, "jwt:grupprum-test:kim");
        assert!(user.may_command);
        assert_eq!(user.rooms, Rooms::Only("demo".into()));
        assert_eq!(user.tenant, None);
        let mut as_text = claims("*", true);
        as_text["context"]["user"]["moderator"] = json!("true");
        as_text["sub"] = json!("agency");
        let user = verifier.verify(&token(as_text)).unwrap();
        assert!(user.may_command);
        assert_eq!(user.rooms, Rooms::Any);
        assert_eq!(user.tenant.as_deref(), Some("agency"));
        let user = verifier.verify(&token(claims("demo", false))).unwrap();
        assert!(!user.may_command);
    }

    #[test]
    fn every_bad_token_is_refused_with_its_reason() {
        let verifier = Verifier::new(&settings()).unwrap();
        let with = |change: &dyn Fn(&mut serde_json::Value)| {
            let mut c = claims("demo", true);
            change(&mut c);
            verifier.verify(&token(c))
        };
        assert_eq!(
            with(&|c| c["exp"] = json!(now() - 120)),
            Err(AuthRefusal::Expired)
        );
        assert_eq!(
            with(&|c| c["nbf"] = json!(now() + 600)),
            Err(AuthRefusal::NotYetValid)
        );
        assert_eq!(
            with(&|c| c["iss"] = json!("someone-else")),
            Err(AuthRefusal::Issuer)
        );
        assert_eq!(
            with(&|c| {
                c.as_object_mut().unwrap().remove("room");
            }),
            Err(AuthRefusal::NoRoom)
        );
        let forged = encode(
            &Header::new(Algorithm::HS256),
            &claims("demo", true),
            &EncodingKey::from_secret(b"another secret").unwrap(),
        )
        .unwrap();
        assert_eq!(verifier.verify(&forged), Err(AuthRefusal::Signature));
        // alg none: a header without a signature.
        let body = token(claims("demo", true));
        let payload = body.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(verifier.verify(&none).is_err());
        assert_eq!(verifier.verify("not a token"), Err(AuthRefusal::Malformed));
        // An audience, once named, is required.
        let mut strict = settings();
        strict.audiences = vec!["panel".into()];
        let strict = Verifier::new(&strict).unwrap();
        assert_eq!(
            strict.verify(&token(claims("demo", true))),
            Err(AuthRefusal::Audience)
        );
    }

    #[tokio::test]
    async fn rs256_keys_come_from_a_key_server_by_kid_and_are_reused() {
        use sha2::Digest as _;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let private = include_bytes!("../../tests/keys/jwt-test-private.pem");
        let public = include_bytes!("../../tests/keys/jwt-test-public.pem");
        let kid = "meet/key-1";
        let file: String = sha2::Sha256::digest(kid.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = asked.clone();
        let app = axum::Router::new().route(
            "/asap/{file}",
            axum::routing::get(
                move |axum::extract::Path(name): axum::extract::Path<String>| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let found = name == format!("{file}.pem");
                    async move {
                        if found {
                            (axum::http::StatusCode::OK, public.to_vec())
                        } else {
                            (axum::http::StatusCode::NOT_FOUND, Vec::new())
                        }
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut asap = settings();
        asap.key = JwtKey::KeyServer(format!("http://{address}/asap"));
        let verifier = Verifier::new(&asap).unwrap();
        let sign = |kid: Option<&str>| {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = kid.map(Into::into);
            encode(
                &header,
                &claims("demo", true),
                &EncodingKey::from_rsa_pem(private).unwrap(),
            )
            .unwrap()
        };
        let token = sign(Some(kid));
        assert_eq!(
            verifier.verify(&token),
            Err(AuthRefusal::Signature),
            "not fetched yet"
        );
        verifier.fetch_key(&token).await;
        assert!(verifier.verify(&token).is_ok());
        verifier.fetch_key(&token).await;
        assert_eq!(asked.load(Ordering::SeqCst), 1, "the key is reused");
        // A kid the server has no key for, twice: refused, asked for once.
        let stranger = sign(Some("meet/other"));
        verifier.fetch_key(&stranger).await;
        verifier.fetch_key(&stranger).await;
        assert_eq!(verifier.verify(&stranger), Err(AuthRefusal::Signature));
        assert_eq!(asked.load(Ordering::SeqCst), 2);
        // No kid, no key.
        let bare = sign(None);
        verifier.fetch_key(&bare).await;
        assert_eq!(verifier.verify(&bare), Err(AuthRefusal::Signature));
        assert_eq!(asked.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn rs256_tokens_are_checked_with_the_public_key() {
        let private = include_bytes!("../../tests/keys/jwt-test-private.pem");
        let public = include_bytes!("../../tests/keys/jwt-test-public.pem");
        let mut rs = settings();
        rs.key = JwtKey::RsaPem(public.to_vec());
        let verifier = Verifier::new(&rs).unwrap();
        let signed = encode(
            &Header::new(Algorithm::RS256),
            &claims("demo", true),
            &EncodingKey::from_rsa_pem(private).unwrap(),
        )
        .unwrap();
        assert!(verifier.verify(&signed).is_ok());
        // An HS256 token signed with the public key as its secret (key confusion).
        let confused = encode(
            &Header::new(Algorithm::HS256),
            &claims("demo", true),
            &EncodingKey::from_secret(public).unwrap(),
        )
        .unwrap();
        assert_eq!(verifier.verify(&confused), Err(AuthRefusal::Signature));
    }
}

//! Jitsi JWTs, checked the way Jitsi's token authentication checks them: one
//! algorithm (HS256 with the app secret, or RS256 with a public key), the
//! issuer among the accepted ones, the audience when the operator names any,
//! `exp` and `nbf`, and a `room` claim. The token's `context.user` gives the
//! user's name and whether they are a moderator; `sub` limits the tenant.

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
}

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Secret(_) => "Secret(<redacted>)",
            Self::RsaPem(_) => "RsaPem(..)",
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

/// Checks tokens against one key and one algorithm.
pub struct Verifier {
    key: DecodingKey,
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
        let (key, algorithm) = match &settings.key {
            JwtKey::Secret(secret) => (
                DecodingKey::from_secret(secret).map_err(|e| JwtError::Key(e.to_string()))?,
                Algorithm::HS256,
            ),
            JwtKey::RsaPem(pem) => (
                DecodingKey::from_rsa_pem(pem).map_err(|e| JwtError::Key(e.to_string()))?,
                Algorithm::RS256,
            ),
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
            key,
            validation,
            domain: settings.domain.to_ascii_lowercase(),
        })
    }

    /// The signed-in user a token stands for, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<SignedIn, AuthRefusal> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
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
            name: app::identity::check_name(&name)
                .ok()
                .flatten()
                .unwrap_or_else(|| {
                    name.chars()
                        .filter(|c| {
                            !c.is_control()
                                && !app::meeting::is_bidi_control(*c)
                                && !app::meeting::is_noncharacter(*c)
                        })
                        .take(app::identity::MAX_NAME_CHARS)
                        .collect()
                }),
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

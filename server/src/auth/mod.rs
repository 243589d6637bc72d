//! Sign-in for the panel itself (`GRUPPRUM_AUTH`):
//!
//! * `open`: anyone who reaches the panel may use it; allowed only when the
//!   server listens on loopback, or when the operator says so
//!   (`GRUPPRUM_ALLOW_OPEN=true`);
//! * `jwt`: the Jitsi JWT the deployment's Prosody accepts, from the start
//!   page, from `?jwt=` on a board's address (then removed from the address),
//!   or from a header a reverse proxy sets;
//! * `oidc`: the organisation's OpenID Connect provider ([`oidc`]).
//!
//! A sign-in lives in an encrypted cookie ([`cookie`]) until its token ends.
//! Every request passes [`resolve`], which puts the signed-in user into the
//! request's extensions, and answers `401` to calls of `/api/` that need a
//! sign-in and have none, before they reach a meeting.

pub mod cookie;
pub mod jwt;
pub mod oidc;

use std::net::SocketAddr;
use std::sync::Arc;

use app::auth::{AuthMode, AuthRefusal, SignIn, SignedIn};
use axum::extract::{Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use self::cookie::{Keeper, KeyError};
use self::jwt::{JwtError, JwtKey, JwtSettings, Verifier};
use self::oidc::{Oidc, OidcError, OidcSettings};

/// The server function paths a visitor may call before signing in: the start
/// page's form (which signs in with a token) and signing out.
const OPEN_PATHS: [&str; 2] = ["/api/open", "/api/signout"];

/// Bad sign-in settings; the server does not start.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(
        "GRUPPRUM_AUTH=open lets anyone who reaches the panel use it, and the server listens on {0}, \
         not on loopback: choose jwt, or set GRUPPRUM_ALLOW_OPEN=true"
    )]
    OpenNotAllowed(SocketAddr),
    #[error(transparent)]
    Jwt(#[from] JwtError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Oidc(#[from] OidcError),
    #[error("cannot read {name} {path}: {reason}")]
    File {
        name: String,
        path: String,
        reason: String,
    },
}

/// The sign-in settings, from the environment (or a configuration file).
#[derive(Clone)]
pub struct AuthSettings {
    pub mode: AuthMode,
    pub allow_open: bool,
    /// At least 32 bytes; a random key when `None` (sign-ins end at a restart).
    pub cookie_secret: Option<Vec<u8>>,
    pub jwt: Option<JwtSettings>,
    /// A header a reverse proxy sets with the user's JWT.
    pub jwt_header: Option<HeaderName>,
    pub oidc: Option<OidcSettings>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("mode", &self.mode)
            .field("allow_open", &self.allow_open)
            .field(
                "cookie_secret",
                &self.cookie_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("jwt", &self.jwt)
            .field("jwt_header", &self.jwt_header)
            .field("oidc", &self.oidc)
            .finish()
    }
}

impl AuthSettings {
    /// Today's behaviour: open.
    pub fn open() -> Self {
        Self {
            mode: AuthMode::Open,
            allow_open: false,
            cookie_secret: None,
            jwt: None,
            jwt_header: None,
            oidc: None,
        }
    }

    /// Reads `GRUPPRUM_AUTH` and what the mode needs, through `var`: the
    /// server's [`crate::settings::Settings`], which has already read the
    /// secrets that come from files (`<NAME>_FILE`).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, AuthError> {
        let mode = match var("GRUPPRUM_AUTH").as_deref().map(str::trim) {
            None | Some("" | "open") => AuthMode::Open,
            Some("jwt") => AuthMode::Jwt,
            Some("oidc") => AuthMode::Oidc,
            Some(other) => {
                return Err(AuthError::Invalid {
                    name: "GRUPPRUM_AUTH",
                    reason: format!("{other:?} is not open, jwt or oidc"),
                });
            }
        };
        let allow_open = match var("GRUPPRUM_ALLOW_OPEN").as_deref().map(str::trim) {
            None | Some("" | "false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(AuthError::Invalid {
                    name: "GRUPPRUM_ALLOW_OPEN",
                    reason: format!("{other:?} is not true or false"),
                });
            }
        };
        let cookie_secret = secret(&var, "GRUPPRUM_COOKIE_KEY")
            .map(|text| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|_| AuthError::Key(KeyError::Short))
            })
            .transpose()?;
        let jwt = match mode {
            AuthMode::Jwt => Some(jwt_settings(&var)?),
            _ => None,
        };
        let oidc = match mode {
            AuthMode::Oidc => Some(oidc_settings(&var)?),
            _ => None,
        };
        let jwt_header = var("GRUPPRUM_JWT_HEADER")
            .filter(|h| !h.trim().is_empty())
            .map(|h| {
                HeaderName::try_from(h.trim()).map_err(|e| AuthError::Invalid {
                    name: "GRUPPRUM_JWT_HEADER",
                    reason: e.to_string(),
                })
            })
            .transpose()?;
        Ok(Self {
            mode,
            allow_open,
            cookie_secret,
            jwt,
            jwt_header,
            oidc,
        })
    }
}

/// A user's name from a token or an identity provider, as the panel shows it
/// and takes it into meetings: a valid display name as it is, anything else
/// without control, direction or noncharacter code points and cut to length.
pub(crate) fn user_name(name: &str) -> String {
    let cleaned = app::identity::check_name(name)
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
        });
    if cleaned.trim().is_empty() {
        "?".into()
    } else {
        cleaned
    }
}

/// A secret setting, when set and not empty.
fn secret(var: &impl Fn(&str) -> Option<String>, name: &'static str) -> Option<String> {
    var(name).filter(|v| !v.is_empty())
}

/// A comma-separated setting; `*` entries are left out.
fn list(var: &impl Fn(&str) -> Option<String>, name: &str) -> Vec<String> {
    var(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "*")
        .map(str::to_owned)
        .collect()
}

fn oidc_settings(var: &impl Fn(&str) -> Option<String>) -> Result<OidcSettings, AuthError> {
    let required = |name: &'static str| {
        var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or(AuthError::Missing(name))
    };
    let issuer = required("OIDC_ISSUER")?;
    let client_id = required("OIDC_CLIENT_ID")?;
    let public = required("GRUPPRUM_PUBLIC_URL")?;
    let email_domains = list(var, "OIDC_ALLOWED_EMAIL_DOMAINS");
    let groups = list(var, "OIDC_ALLOWED_GROUPS");
    if email_domains.is_empty() && groups.is_empty() {
        return Err(AuthError::Missing(
            "OIDC_ALLOWED_EMAIL_DOMAINS or OIDC_ALLOWED_GROUPS",
        ));
    }
    let mut scopes = list(var, "OIDC_SCOPES");
    if scopes.is_empty() {
        scopes = vec!["email".into(), "profile".into()];
    }
    Ok(OidcSettings {
        issuer,
        client_id,
        client_secret: secret(var, "OIDC_CLIENT_SECRET"),
        redirect: format!("{}/auth/oidc/callback", public.trim_end_matches('/')),
        scopes,
        email_domains,
        groups,
        groups_claim: var("OIDC_GROUPS_CLAIM")
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "groups".into()),
    })
}

fn jwt_settings(var: &impl Fn(&str) -> Option<String>) -> Result<JwtSettings, AuthError> {
    let list = |name: &str| list(var, name);
    let key = match (
        secret(var, "JWT_APP_SECRET"),
        var("JWT_PUBLIC_KEY_FILE").filter(|p| !p.is_empty()),
        var("JWT_ASAP_KEY_SERVER").filter(|p| !p.trim().is_empty()),
    ) {
        (Some(secret), None, None) => JwtKey::Secret(secret.into_bytes()),
        (None, Some(path), None) => {
            JwtKey::RsaPem(std::fs::read(&path).map_err(|e| AuthError::File {
                name: "JWT_PUBLIC_KEY_FILE".into(),
                path,
                reason: e.to_string(),
            })?)
        }
        (None, None, Some(url)) => JwtKey::KeyServer(url.trim().to_owned()),
        (None, None, None) => {
            return Err(AuthError::Missing(
                "JWT_APP_SECRET, JWT_PUBLIC_KEY_FILE or JWT_ASAP_KEY_SERVER",
            ));
        }
        _ => {
            return Err(AuthError::Invalid {
                name: "JWT_APP_SECRET",
                reason: "give one of JWT_APP_SECRET (HS256), JWT_PUBLIC_KEY_FILE or \
                         JWT_ASAP_KEY_SERVER (RS256)"
                    .into(),
            });
        }
    };
    let mut issuers = list("JWT_ACCEPTED_ISSUERS");
    if issuers.is_empty() {
        issuers = var("JWT_APP_ID")
            .filter(|id| !id.trim().is_empty())
            .map(|id| vec![id.trim().to_owned()])
            .ok_or(AuthError::Missing("JWT_APP_ID"))?;
    }
    let domain = var("XMPP_DOMAIN").unwrap_or_default();
    Ok(JwtSettings {
        key,
        issuers,
        audiences: list("JWT_ACCEPTED_AUDIENCES"),
        domain,
    })
}

/// The panel's sign-in: the pages' [`SignIn`], and the state of [`resolve`].
pub struct Auth {
    mode: AuthMode,
    keeper: Keeper,
    verifier: Option<Verifier>,
    header: Option<HeaderName>,
    oidc: Option<Oidc>,
}

impl Auth {
    /// Checks the settings against where the server listens.
    pub fn new(settings: &AuthSettings, listening: SocketAddr) -> Result<Arc<Self>, AuthError> {
        if settings.mode == AuthMode::Open && !settings.allow_open && !listening.ip().is_loopback()
        {
            return Err(AuthError::OpenNotAllowed(listening));
        }
        let keeper = match &settings.cookie_secret {
            Some(secret) => Keeper::from_secret(secret)?,
            None => {
                if settings.mode != AuthMode::Open {
                    tracing::warn!(
                        "GRUPPRUM_COOKIE_KEY is not set: sign-ins end when the server stops"
                    );
                }
                Keeper::random()
            }
        };
        let verifier = settings.jwt.as_ref().map(Verifier::new).transpose()?;
        let oidc = settings.oidc.clone().map(Oidc::new).transpose()?;
        Ok(Arc::new(Self {
            mode: settings.mode,
            keeper,
            verifier,
            header: settings.jwt_header.clone(),
            oidc,
        }))
    }

    /// Open, on loopback: the panel as it runs in tests and the demo.
    pub fn open() -> Arc<Self> {
        Arc::new(Self {
            mode: AuthMode::Open,
            keeper: Keeper::random(),
            verifier: None,
            header: None,
            oidc: None,
        })
    }

    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// Checks a JWT (fetching its public key first, with a key server).
    pub async fn verify(&self, token: &str) -> Result<SignedIn, AuthRefusal> {
        match &self.verifier {
            Some(verifier) => {
                verifier.fetch_key(token).await;
                verifier.verify(token)
            }
            None => Err(AuthRefusal::SignInNeeded),
        }
    }

    /// Who a request is signed in as: a proxy's header first, then the cookie.
    async fn user(&self, headers: &axum::http::HeaderMap, now: u64) -> Option<SignedIn> {
        if let Some(token) = self
            .header
            .as_ref()
            .and_then(|h| headers.get(h))
            .and_then(|v| v.to_str().ok())
        {
            let token = token.trim().trim_start_matches("Bearer ").trim();
            return self.verify(token).await.ok().filter(|u| u.expires > now);
        }
        self.keeper.open(headers, now)
    }
}

impl SignIn for Auth {
    fn mode(&self) -> AuthMode {
        self.mode
    }

    fn with_token<'a>(
        &'a self,
        token: &'a str,
        over_https: bool,
    ) -> futures::future::BoxFuture<'a, Result<(SignedIn, HeaderValue), AuthRefusal>> {
        Box::pin(async move {
            let user = self.verify(token).await?;
            let cookie = self
                .keeper
                .seal(&user, over_https, now())
                .ok_or(AuthRefusal::Malformed)?;
            Ok((user, cookie))
        })
    }

    fn sign_out(&self, over_https: bool) -> Vec<HeaderValue> {
        Keeper::clear(over_https)
    }
}

/// Seconds since 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The middleware: signs the request in (or takes `?jwt=` off a board's
/// address), and refuses `/api/` calls that need a sign-in.
pub async fn resolve(State(auth): State<Arc<Auth>>, mut request: Request, next: Next) -> Response {
    let now = now();
    if auth.mode == AuthMode::Jwt
        && request.method() == Method::GET
        && !request.uri().path().starts_with("/api/")
        && let Some((token, rest)) = take_jwt(request.uri())
    {
        return sign_in_from_address(
            &auth,
            &token,
            &rest,
            app::identity::https_in(request.headers()),
            now,
        )
        .await;
    }
    let user = auth.user(request.headers(), now).await;
    let path = request.uri().path();
    if auth.mode != AuthMode::Open
        && user.is_none()
        && path.starts_with("/api/")
        && !OPEN_PATHS.contains(&path)
    {
        return crate::worded::sign_in_needed(request.uri(), request.headers());
    }
    if let Some(user) = user {
        request.extensions_mut().insert(user);
    }
    request.extensions_mut().insert(auth.mode);
    next.run(request).await
}

/// `?jwt=` in `uri`: the token, and the address without it.
fn take_jwt(uri: &axum::http::Uri) -> Option<(String, String)> {
    let query = uri.query()?;
    let mut token = None;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("jwt=") {
            Some(value) => token = Some(value.to_owned()),
            None if !pair.is_empty() => kept.push(pair),
            None => {}
        }
    }
    let token = token?;
    let rest = if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    };
    Some((token, rest))
}

async fn sign_in_from_address(
    auth: &Auth,
    token: &str,
    rest: &str,
    https: bool,
    now: u64,
) -> Response {
    let target = if app::redirect::is_same_site(rest) {
        rest.to_owned()
    } else {
        "/".to_owned()
    };
    let (location, cookie) = match auth.verify(token).await.and_then(|user| {
        auth.keeper
            .seal(&user, https, now)
            .ok_or(AuthRefusal::Malformed)
    }) {
        Ok(cookie) => (target, Some(cookie)),
        Err(refusal) => {
            tracing::info!(
                refusal = refusal.code(),
                "a token in an address was refused"
            );
            (format!("/?problem={}", refusal.code()), None)
        }
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, location);
    }
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_tokens_and_providers_lose_what_a_display_name_may_not_hold() {
        assert_eq!(user_name("Kim Lind"), "Kim Lind");
        assert_eq!(user_name("Kim\u{FFFE} Lind\u{FDD0}"), "Kim Lind");
        assert_eq!(user_name("\u{202E}Kim\n"), "Kim");
        assert_eq!(user_name("\u{FFFF}"), "?");
        assert_eq!(user_name(&"å".repeat(300)).chars().count(), 64);
    }

    #[test]
    fn open_is_for_loopback_unless_the_operator_says_so() {
        let open = AuthSettings::open();
        assert!(Auth::new(&open, "127.0.0.1:3000".parse().unwrap()).is_ok());
        assert!(Auth::new(&open, "[::1]:3000".parse().unwrap()).is_ok());
        assert!(matches!(
            Auth::new(&open, "0.0.0.0:3000".parse().unwrap()),
            Err(AuthError::OpenNotAllowed(_))
        ));
        let allowed = AuthSettings {
            allow_open: true,
            ..AuthSettings::open()
        };
        assert!(Auth::new(&allowed, "0.0.0.0:3000".parse().unwrap()).is_ok());
    }

    #[test]
    fn settings_are_read_and_checked() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let jwt = AuthSettings::from_vars(vars(&[
            ("GRUPPRUM_AUTH", "jwt"),
            ("JWT_APP_ID", "meet"),
            ("JWT_APP_SECRET", "s3cret"),
            ("XMPP_DOMAIN", "meet.example"),
        ]))
        .unwrap();
        assert_eq!(jwt.mode, AuthMode::Jwt);
        let settings = jwt.jwt.unwrap();
        assert_eq!(settings.issuers, ["meet"]);
        assert!(format!("{:?}", settings.key).contains("redacted"));
        let with_key = AuthSettings {
            cookie_secret: Some(b"cookie-key-bytes-that-are-secret".to_vec()),
            ..AuthSettings::open()
        };
        let printed = format!("{with_key:?}");
        assert!(
            !printed.contains("99, 111") && printed.contains("redacted"),
            "{printed}"
        );
        assert!(!format!("{settings:?}").contains("s3cret"));
        assert!(matches!(
            AuthSettings::from_vars(vars(&[("GRUPPRUM_AUTH", "jwt"), ("JWT_APP_ID", "meet")])),
            Err(AuthError::Missing(_))
        ));
        assert!(matches!(
            AuthSettings::from_vars(vars(&[("GRUPPRUM_AUTH", "ldap")])),
            Err(AuthError::Invalid {
                name: "GRUPPRUM_AUTH",
                ..
            })
        ));
        assert!(matches!(
            AuthSettings::from_vars(vars(&[("GRUPPRUM_COOKIE_KEY", "c2hvcnQ=")]))
                .map(|s| Auth::new(&s, "127.0.0.1:1".parse().unwrap()).map(|_| ())),
            Ok(Err(AuthError::Key(KeyError::Short)))
        ));
        let oidc = AuthSettings::from_vars(vars(&[
            ("GRUPPRUM_AUTH", "oidc"),
            ("OIDC_ISSUER", "https://login.example"),
            ("OIDC_CLIENT_ID", "grupprum"),
            ("OIDC_CLIENT_SECRET", "oidc-s3cret"),
            ("GRUPPRUM_PUBLIC_URL", "https://panel.example/"),
            ("OIDC_ALLOWED_GROUPS", "moderatorer, värdar"),
        ]))
        .unwrap();
        assert_eq!(oidc.mode, AuthMode::Oidc);
        let settings = oidc.oidc.clone().unwrap();
        assert_eq!(
            settings.redirect,
            "https://panel.example/auth/oidc/callback"
        );
        assert_eq!(settings.groups, ["moderatorer", "värdar"]);
        assert_eq!(settings.scopes, ["email", "profile"]);
        assert_eq!(settings.groups_claim, "groups");
        assert!(!format!("{oidc:?}").contains("oidc-s3cret"));
        // Nobody would be admitted: the server does not start.
        assert!(matches!(
            AuthSettings::from_vars(vars(&[
                ("GRUPPRUM_AUTH", "oidc"),
                ("OIDC_ISSUER", "https://login.example"),
                ("OIDC_CLIENT_ID", "grupprum"),
                ("GRUPPRUM_PUBLIC_URL", "https://panel.example"),
            ])),
            Err(AuthError::Missing(
                "OIDC_ALLOWED_EMAIL_DOMAINS or OIDC_ALLOWED_GROUPS"
            ))
        ));
        assert!(matches!(
            AuthSettings::from_vars(vars(&[("GRUPPRUM_AUTH", "oidc"), ("OIDC_ISSUER", "x")])),
            Err(AuthError::Missing("OIDC_CLIENT_ID"))
        ));
        assert!(matches!(
            AuthSettings::from_vars(vars(&[
                ("GRUPPRUM_AUTH", "oidc"),
                ("OIDC_ISSUER", "not a url"),
                ("OIDC_CLIENT_ID", "grupprum"),
                ("GRUPPRUM_PUBLIC_URL", "https://panel.example"),
                ("OIDC_ALLOWED_EMAIL_DOMAINS", "fk.se"),
            ]))
            .map(|s| Auth::new(&s, "127.0.0.1:1".parse().unwrap()).map(|_| ())),
            Ok(Err(AuthError::Oidc(_)))
        ));
    }

    #[test]
    fn a_token_is_taken_off_the_address() {
        let uri: axum::http::Uri = "/agency/Demo?lang=en&jwt=aaa.bbb.ccc".parse().unwrap();
        assert_eq!(
            take_jwt(&uri),
            Some(("aaa.bbb.ccc".into(), "/agency/Demo?lang=en".into()))
        );
        let uri: axum::http::Uri = "/Demo?jwt=x".parse().unwrap();
        assert_eq!(take_jwt(&uri), Some(("x".into(), "/Demo".into())));
        let uri: axum::http::Uri = "/Demo?lang=en".parse().unwrap();
        assert_eq!(take_jwt(&uri), None);
    }
}

/// Where to go after an OpenID Connect sign-in: a path on this site.
#[derive(serde::Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// The provider's answer.
#[derive(serde::Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

/// The OpenID Connect routes (`/auth/oidc/login`, `/auth/oidc/callback`).
/// Who sends a request the server answers itself: the signed-in user (the
/// sign-in layer vouched for them), or, on an open panel, the browser's own
/// id. `None`: nobody the panel serves.
pub fn requester(
    parts: &axum::http::request::Parts,
) -> Option<(app::service::Moderator, Option<SignedIn>)> {
    if let Some(user) = parts.extensions.get::<SignedIn>() {
        return Some((app::service::Moderator::from(user), Some(user.clone())));
    }
    if parts.extensions.get::<AuthMode>() != Some(&AuthMode::Open) {
        return None;
    }
    app::identity::moderator_in(&parts.headers).map(|who| (who, None))
}

pub fn routes(auth: Arc<Auth>) -> axum::Router {
    axum::Router::new()
        .route("/auth/oidc/login", axum::routing::get(oidc_login))
        .route("/auth/oidc/callback", axum::routing::get(oidc_callback))
        .with_state(auth)
}

/// A `303 See Other` to `location` (the start page if it cannot be a header).
pub fn see_other(location: &str) -> Response {
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// Sends the browser to the provider.
async fn oidc_login(
    State(auth): State<Arc<Auth>>,
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(oidc) = &auth.oidc else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let next = query
        .next
        .filter(|n| n.len() <= 1024 && app::redirect::is_same_site(n))
        .unwrap_or_else(|| "/".into());
    let https = app::identity::https_in(&headers);
    match oidc.begin(&auth.keeper, &next, https, now()).await {
        Ok((url, cookie)) => {
            let mut response = see_other(&url);
            response.headers_mut().append(SET_COOKIE, cookie);
            response
        }
        Err(e) => {
            tracing::warn!("cannot start an OpenID Connect sign-in: {e}");
            see_other(&format!("/?problem={}", AuthRefusal::ProviderFailed.code()))
        }
    }
}

/// Completes the sign-in: the sign-in cookie and back to where the user was,
/// or the start page with the refusal.
async fn oidc_callback(
    State(auth): State<Arc<Auth>>,
    axum::extract::Query(query): axum::extract::Query<CallbackQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(oidc) = &auth.oidc else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = now();
    let https = app::identity::https_in(&headers);
    let result = match (&query.code, &query.state) {
        (Some(code), Some(state)) => oidc.finish(&auth.keeper, &headers, code, state, now).await,
        // The provider said no (`?error=access_denied`), or sent nothing usable.
        _ => Err(AuthRefusal::ProviderFailed),
    };
    // A callback seen again (the back button) after the sign-in worked.
    let result = match result {
        Err(_) if auth.keeper.open(&headers, now).is_some() => return see_other("/"),
        other => other,
    };
    let mut response = match result.and_then(|(user, next)| {
        let cookie = auth
            .keeper
            .seal(&user, https, now)
            .ok_or(AuthRefusal::ProviderFailed)?;
        Ok((cookie, next))
    }) {
        Ok((cookie, next)) => {
            let mut response = see_other(&next);
            response.headers_mut().append(SET_COOKIE, cookie);
            response
        }
        Err(refusal) => see_other(&format!("/?problem={}", refusal.code())),
    };
    for clear in Oidc::clear_pending() {
        response.headers_mut().append(SET_COOKIE, clear);
    }
    response
}

//! Sign-in with the organisation's OpenID Connect provider (`GRUPPRUM_AUTH=oidc`):
//! the authorization code flow with PKCE, a nonce and a state, through the
//! `openidconnect` crate.
//!
//! `/auth/oidc/login` sends the browser to the provider, with what it must
//! bring back (state, nonce, PKCE verifier, where to go after) sealed in a
//! short-lived cookie of its own. `/auth/oidc/callback` checks the state,
//! exchanges the code, verifies the ID token (signature, issuer, audience,
//! expiry, nonce), and admits the user only if their verified e-mail is in
//! an allowed domain or one of their groups is allowed.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use app::auth::{AuthRefusal, Rooms, SignedIn};
use axum::http::HeaderValue;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::cookie::Keeper;

/// The cookie that carries a sign-in in progress, over HTTPS and over HTTP.
const PENDING_NAMES: [&str; 2] = ["__Host-grupprum-oidc", "grupprum_oidc"];
/// How long a user may take at the provider.
const PENDING_SECONDS: u64 = 600;
/// How long a sign-in lasts.
pub const SIGN_IN_SECONDS: u64 = 8 * 3600;
/// Largest userinfo answer read.
const MAX_USERINFO_BYTES: usize = 64 * 1024;
/// The relying party's client, as discovery makes it.
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;
/// How long the provider's discovery document is reused.
const METADATA_FOR: Duration = Duration::from_secs(3600);

/// Bad OpenID Connect settings, or a provider that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("the provider's discovery failed: {0}")]
    Discovery(String),
    #[error("the provider's configuration is not usable: {0}")]
    Configuration(String),
}

/// Who may sign in, and how to reach the provider.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Where the provider sends the browser back: `<public URL>/auth/oidc/callback`.
    pub redirect: String,
    pub scopes: Vec<String>,
    /// Verified e-mail addresses in these domains are admitted.
    pub email_domains: Vec<String>,
    /// Members of these groups (the claim [`OidcSettings::groups_claim`]) are admitted.
    pub groups: Vec<String>,
    pub groups_claim: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("redirect", &self.redirect)
            .field("scopes", &self.scopes)
            .field("email_domains", &self.email_domains)
            .field("groups", &self.groups)
            .field("groups_claim", &self.groups_claim)
            .finish()
    }
}

/// A sign-in in progress, sealed in its cookie.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    /// Where to go once signed in: a path on this site.
    next: String,
    expires: u64,
}

/// What the ID token says about the user, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub subject: String,
    pub name: Option<String>,
    /// Only a verified address.
    pub email: Option<String>,
    pub groups: Vec<String>,
}

impl Person {
    /// Adds what the userinfo claims say and the ID token did not.
    fn fill_from(&mut self, claims: &serde_json::Value, groups_claim: &str) {
        let verified = matches!(
            claims.get("email_verified"),
            Some(serde_json::Value::Bool(true))
        ) || claims.get("email_verified").and_then(|v| v.as_str()) == Some("true");
        if self.email.is_none() && verified {
            self.email = claims
                .get("email")
                .and_then(|e| e.as_str())
                .map(str::to_owned);
        }
        if self.name.is_none() {
            self.name = claims
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_owned);
        }
        if self.groups.is_empty() {
            self.groups = groups_of(claims, groups_claim);
        }
    }
}

/// The relying party.
pub struct Oidc {
    settings: OidcSettings,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    http: reqwest::Client,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl Oidc {
    pub fn new(settings: OidcSettings) -> Result<Self, OidcError> {
        let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| OidcError::Invalid {
            name: "OIDC_ISSUER",
            reason: e.to_string(),
        })?;
        let redirect =
            RedirectUrl::new(settings.redirect.clone()).map_err(|e| OidcError::Invalid {
                name: "GRUPPRUM_PUBLIC_URL",
                reason: e.to_string(),
            })?;
        // Following redirects would let the provider's answers send the
        // server elsewhere.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Configuration(e.to_string()))?;
        Ok(Self {
            settings,
            issuer,
            redirect,
            http,
            metadata: Mutex::new(None),
        })
    }

    /// The provider's discovery document, fetched at most once an hour.
    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        if let Some((at, metadata)) = &*self.metadata.lock().unwrap_or_else(PoisonError::into_inner)
            && at.elapsed() < METADATA_FOR
        {
            return Ok(metadata.clone());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        *self.metadata.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    fn forget_metadata(&self) {
        *self.metadata.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    async fn client(&self) -> Result<Client, OidcError> {
        Ok(self.client_from(self.metadata().await?))
    }

    fn client_from(&self, metadata: CoreProviderMetadata) -> Client {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// The userinfo endpoint's claims for the access token, if they are about
    /// `subject`.
    async fn user_info(
        &self,
        url: &url::Url,
        access_token: &str,
        subject: &str,
    ) -> Result<serde_json::Value, String> {
        let response = self
            .http
            .get(url.clone())
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()));
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if body.len() > MAX_USERINFO_BYTES {
            return Err("the answer is too large".into());
        }
        let claims: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if claims.get("sub").and_then(|s| s.as_str()) != Some(subject) {
            return Err("the answer is about someone else".into());
        }
        Ok(claims)
    }

    /// Where to send the browser to sign in, and the cookie that remembers
    /// the attempt; `next` is where to go afterwards.
    pub async fn begin(
        &self,
        keeper: &Keeper,
        next: &str,
        https: bool,
        now: u64,
    ) -> Result<(String, HeaderValue), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next: next.to_owned(),
            expires: now + PENDING_SECONDS,
        };
        let name = PENDING_NAMES[usize::from(!https)];
        let cookie = keeper
            .seal_value(name, &pending, https, PENDING_SECONDS)
            .ok_or_else(|| OidcError::Configuration("cannot seal the sign-in cookie".into()))?;
        Ok((url.to_string(), cookie))
    }

    /// Completes a sign-in from the provider's answer: the user, and where to
    /// go now.
    pub async fn finish(
        &self,
        keeper: &Keeper,
        headers: &axum::http::HeaderMap,
        code: &str,
        state: &str,
        now: u64,
    ) -> Result<(SignedIn, String), AuthRefusal> {
        let pending = keeper
            .open_values::<Pending>(headers, PENDING_NAMES)
            .into_iter()
            .find(|p| p.expires > now && p.state == state)
            .ok_or(AuthRefusal::ProviderFailed)?;
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            tracing::warn!("OpenID Connect sign-in failed: {what}: {e}");
            AuthRefusal::ProviderFailed
        };
        let metadata = self.metadata().await.map_err(|e| failed("discovery", &e))?;
        let client = self.client_from(metadata.clone());
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| failed("no token endpoint", &e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| failed("the code exchange", &e))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| failed("the answer", &"no ID token"))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let (metadata, client) = if id_token.claims(&client.id_token_verifier(), &nonce).is_ok() {
            (metadata, client)
        } else {
            // The provider may have rotated its signing keys: read them again, once.
            self.forget_metadata();
            let metadata = self.metadata().await.map_err(|e| failed("discovery", &e))?;
            (metadata.clone(), self.client_from(metadata))
        };
        let claims = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .map_err(|e| failed("the ID token", &e))?;
        let email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|e| e.as_str().to_owned());
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()));
        let mut person = Person {
            subject: claims.subject().as_str().to_owned(),
            name,
            email,
            groups: groups_in(&id_token.to_string(), &self.settings.groups_claim),
        };
        // Providers that keep the ID token small give e-mail and groups at
        // the userinfo endpoint instead.
        if (person.email.is_none() || person.groups.is_empty())
            && let Some(url) = metadata.userinfo_endpoint()
        {
            let token = response.access_token().secret();
            match self.user_info(url.url(), token, &person.subject).await {
                Ok(more) => person.fill_from(&more, &self.settings.groups_claim),
                Err(e) => tracing::info!("no userinfo for an OpenID Connect sign-in: {e}"),
            }
        }
        let user = self.admit(&person, now)?;
        Ok((user, pending.next))
    }

    /// The panel's user for `person`, if the settings admit them.
    pub fn admit(&self, person: &Person, now: u64) -> Result<SignedIn, AuthRefusal> {
        if !admitted(&self.settings, person) {
            tracing::info!(subject = %person.subject, "OpenID Connect user not admitted");
            return Err(AuthRefusal::NotAllowed);
        }
        let name = person
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| person.email.clone())
            .unwrap_or_default();
        Ok(SignedIn {
            subject: format!("oidc:{}", person.subject),
            name: super::user_name(&name),
            may_command: true,
            rooms: Rooms::Any,
            tenant: None,
            token: None,
            expires: now + SIGN_IN_SECONDS,
        })
    }

    /// The `Set-Cookie` values that end a sign-in in progress.
    pub fn clear_pending() -> [HeaderValue; 2] {
        [
            HeaderValue::from_static("grupprum_oidc=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            HeaderValue::from_static(
                "__Host-grupprum-oidc=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0",
            ),
        ]
    }
}

/// A verified e-mail address in an allowed domain, or a group allowed.
pub fn admitted(settings: &OidcSettings, person: &Person) -> bool {
    let by_domain = person
        .email
        .as_deref()
        .and_then(|e| e.rsplit_once('@'))
        .is_some_and(|(_, domain)| {
            settings
                .email_domains
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(domain))
        });
    let by_group = person
        .groups
        .iter()
        .any(|g| settings.groups.iter().any(|allowed| allowed == g));
    by_domain || by_group
}

/// The groups an ID token names in `claim` (a list of names, or one name).
/// Read only from a token whose signature has been verified.
fn groups_in(id_token: &str, claim: &str) -> Vec<String> {
    use base64::Engine as _;
    let Some(payload) = id_token.split('.').nth(1) else {
        return Vec::new();
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return Vec::new();
    };
    let Ok(claims) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    groups_of(&claims, claim)
}

/// The groups `claims` name in `claim` (a list of names, or one name).
fn groups_of(claims: &serde_json::Value, claim: &str) -> Vec<String> {
    match claims.get(claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        Some(serde_json::Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(domains: &[&str], groups: &[&str]) -> OidcSettings {
        OidcSettings {
            issuer: "https://id.example".into(),
            client_id: "grupprum".into(),
            client_secret: Some("s".into()),
            redirect: "https://panel.example/auth/oidc/callback".into(),
            scopes: vec!["openid".into()],
            email_domains: domains.iter().map(|d| (*d).to_owned()).collect(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            groups_claim: "groups".into(),
        }
    }

    fn person(email: Option<&str>, groups: &[&str]) -> Person {
        Person {
            subject: "u1".into(),
            name: Some("Kim".into()),
            email: email.map(Into::into),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    #[test]
    fn users_are_admitted_by_verified_email_domain_or_group() {
        let s = settings(&["fk.se"], &["moderatorer"]);
        assert!(admitted(&s, &person(Some("kim@FK.se"), &[])));
        assert!(admitted(&s, &person(None, &["moderatorer"])));
        assert!(!admitted(&s, &person(Some("kim@fk.se.evil.example"), &[])));
        assert!(!admitted(
            &s,
            &person(Some("kim@other.se"), &["Moderatorer"])
        ));
        assert!(!admitted(&s, &person(None, &[])));
    }

    #[test]
    fn groups_are_read_as_a_list_or_one_name() {
        use base64::Engine as _;
        let token = |claims: serde_json::Value| {
            let part = |v: &serde_json::Value| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
            };
            format!(
                "{}.{}.sig",
                part(&serde_json::json!({"alg": "RS256"})),
                part(&claims)
            )
        };
        assert_eq!(
            groups_in(
                &token(serde_json::json!({"groups": ["a", 1, "b"]})),
                "groups"
            ),
            ["a", "b"]
        );
        assert_eq!(
            groups_in(&token(serde_json::json!({"roles": "a"})), "roles"),
            ["a"]
        );
        assert!(groups_in(&token(serde_json::json!({})), "groups").is_empty());
        assert!(groups_in("not a token", "groups").is_empty());
    }

    #[test]
    fn an_admitted_user_may_command_any_meeting_for_eight_hours() {
        let oidc = Oidc::new(settings(&["fk.se"], &[])).unwrap();
        let user = oidc.admit(&person(Some("kim@fk.se"), &[]), 1000).unwrap();
        assert_eq!(user.name, "Kim");
        // A name the user chose at the provider is cleaned and cut.
        let hostile = Person {
            name: Some(format!("\u{202e}Kim\u{0}{}", "x".repeat(5000))),
            ..person(Some("kim@fk.se"), &[])
        };
        let cleaned = oidc.admit(&hostile, 1000).unwrap().name;
        assert!(cleaned.starts_with("Kimx"), "{cleaned:?}");
        assert_eq!(cleaned.chars().count(), app::identity::MAX_NAME_CHARS);
        assert_eq!(user.subject, "oidc:u1");
        assert!(user.may_command);
        assert_eq!(user.expires, 1000 + SIGN_IN_SECONDS);
        assert_eq!(
            oidc.admit(&person(Some("kim@other.se"), &[]), 1000),
            Err(AuthRefusal::NotAllowed)
        );
    }
}

//! Who may use the panel: the signed-in user, as the server vouches for them,
//! and why a sign-in or an action was refused. Plain data, shared by the
//! server (which checks tokens and keeps the sign-in in an encrypted cookie)
//! and the pages (which put refusals into words).

use serde::{Deserialize, Serialize};

use crate::meeting::MeetingRef;

/// How the panel's own users sign in (`GRUPPRUM_AUTH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMode {
    /// Anyone who reaches the panel may use it (loopback, or by the operator's choice).
    Open,
    /// With the Jitsi JWT the deployment's Prosody accepts.
    Jwt,
    /// With the organisation's OpenID Connect provider.
    Oidc,
}

/// Which meetings a user may open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rooms {
    Any,
    /// One room (a JWT's `room` claim), lower-case, on any tenant the token's
    /// `sub` allows.
    Only(String),
}

/// A signed-in user of the panel.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    /// Stable across sign-ins: the identity provider and its subject.
    pub subject: String,
    /// The name the panel shows, and takes in the meeting for this user.
    pub name: String,
    /// May give commands (a JWT's `context.user.moderator`; OpenID users who
    /// pass the group or domain check).
    pub may_command: bool,
    pub rooms: Rooms,
    /// Tenants the user may open (a JWT's `sub`); `None`: any.
    pub tenant: Option<String>,
    /// The JWT itself, for joining as this user. Never shown, never logged.
    pub token: Option<String>,
    /// When the sign-in ends, in seconds since 1970.
    pub expires: u64,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("subject", &self.subject)
            .field("name", &self.name)
            .field("may_command", &self.may_command)
            .field("rooms", &self.rooms)
            .field("tenant", &self.tenant)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("expires", &self.expires)
            .finish()
    }
}

impl SignedIn {
    /// Whether this user may open `meeting`: its room and tenant are within
    /// the token's `room` and `sub`, the way Jitsi's token check compares them.
    pub fn may_open(&self, meeting: &MeetingRef) -> Result<(), AuthRefusal> {
        if let Rooms::Only(room) = &self.rooms
            && !room.eq_ignore_ascii_case(meeting.room.trim())
        {
            return Err(AuthRefusal::OtherRoom);
        }
        match (&self.tenant, &meeting.tenant) {
            (None, _) => Ok(()),
            (Some(allowed), Some(tenant)) if allowed.eq_ignore_ascii_case(tenant) => Ok(()),
            // A token for one tenant opens no meeting outside it.
            (Some(_), _) => Err(AuthRefusal::OtherRoom),
        }
    }
}

/// Why a sign-in, or an action of a signed-in user, was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthRefusal {
    /// Not signed in (or the sign-in has ended).
    SignInNeeded,
    /// Not a JWT at all, or one that cannot be read.
    Malformed,
    Expired,
    NotYetValid,
    /// Signed with another key, or with an algorithm the panel does not accept.
    Signature,
    /// Issued by someone the panel does not trust.
    Issuer,
    /// Meant for another audience.
    Audience,
    /// Without the `room` claim Jitsi requires.
    NoRoom,
    /// The token is for another meeting (or tenant).
    OtherRoom,
    /// The token does not make its user a moderator: the board is read-only.
    NotModerator,
    /// The identity provider's user is not in an allowed group or domain.
    NotAllowed,
    /// The identity provider refused, or the sign-in could not be completed.
    ProviderFailed,
}

impl AuthRefusal {
    /// A short code for addresses (`?problem=auth-expired`).
    pub fn code(self) -> &'static str {
        match self {
            Self::SignInNeeded => "auth-needed",
            Self::Malformed => "auth-malformed",
            Self::Expired => "auth-expired",
            Self::NotYetValid => "auth-not-yet-valid",
            Self::Signature => "auth-signature",
            Self::Issuer => "auth-issuer",
            Self::Audience => "auth-audience",
            Self::NoRoom => "auth-no-room",
            Self::OtherRoom => "auth-other-room",
            Self::NotModerator => "auth-not-moderator",
            Self::NotAllowed => "auth-not-allowed",
            Self::ProviderFailed => "auth-provider",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::SignInNeeded,
            Self::Malformed,
            Self::Expired,
            Self::NotYetValid,
            Self::Signature,
            Self::Issuer,
            Self::Audience,
            Self::NoRoom,
            Self::OtherRoom,
            Self::NotModerator,
            Self::NotAllowed,
            Self::ProviderFailed,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

impl std::fmt::Display for AuthRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for AuthRefusal {}

/// What the server offers the pages for signing in (feature `ssr`): provided
/// as context, implemented by the server.
#[cfg(feature = "ssr")]
pub trait SignIn: Send + Sync + 'static {
    fn mode(&self) -> AuthMode;

    /// Checks a Jitsi JWT given on the start page; on success, the sign-in and
    /// the `Set-Cookie` value that keeps it.
    fn with_token<'a>(
        &'a self,
        token: &'a str,
        over_https: bool,
    ) -> futures::future::BoxFuture<'a, Result<(SignedIn, http::HeaderValue), AuthRefusal>>;

    /// The `Set-Cookie` values that end the sign-in.
    fn sign_out(&self, over_https: bool) -> Vec<http::HeaderValue>;
}

/// The sign-in service, from the server's context.
#[cfg(feature = "ssr")]
pub fn sign_in() -> Option<std::sync::Arc<dyn SignIn>> {
    leptos::prelude::use_context::<std::sync::Arc<dyn SignIn>>()
}

/// The user the server signed this request in as, if any.
#[cfg(feature = "ssr")]
pub fn signed_in() -> Option<SignedIn> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(rooms: Rooms, tenant: Option<&str>) -> SignedIn {
        SignedIn {
            subject: "jwt:kim".into(),
            name: "Kim".into(),
            may_command: true,
            rooms,
            tenant: tenant.map(Into::into),
            token: Some("secret.token.value".into()),
            expires: 0,
        }
    }

    fn meeting(room: &str, tenant: Option<&str>) -> MeetingRef {
        MeetingRef {
            room: room.into(),
            tenant: tenant.map(Into::into),
        }
    }

    #[test]
    fn a_token_opens_its_own_room_only() {
        let kim = user(Rooms::Only("veckomote".into()), None);
        assert_eq!(kim.may_open(&meeting("Veckomote", None)), Ok(()));
        assert_eq!(
            kim.may_open(&meeting("other", None)),
            Err(AuthRefusal::OtherRoom)
        );
        let anywhere = user(Rooms::Any, Some("agency"));
        assert_eq!(anywhere.may_open(&meeting("x", Some("Agency"))), Ok(()));
        assert_eq!(
            anywhere.may_open(&meeting("x", Some("other"))),
            Err(AuthRefusal::OtherRoom)
        );
        assert_eq!(
            anywhere.may_open(&meeting("x", None)),
            Err(AuthRefusal::OtherRoom),
            "a tenant's token does not open the deployment's own meetings"
        );
    }

    #[test]
    fn refusal_codes_go_both_ways_and_the_token_is_never_printed() {
        for code in ["auth-expired", "auth-other-room", "auth-provider"] {
            assert_eq!(
                AuthRefusal::from_code(code).map(AuthRefusal::code),
                Some(code)
            );
        }
        assert_eq!(AuthRefusal::from_code("nope"), None);
        let printed = format!("{:?}", user(Rooms::Any, None));
        assert!(!printed.contains("secret"), "{printed}");
    }
}

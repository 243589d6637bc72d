//! How often one user, and one address, may open meetings and send commands
//! (GCRA buckets from the `governor` library). Opening is the start page's
//! form and the board's live connection; commands are the board's forms
//! (its Join button among them) and scripts, and the API's ([`crate::api`]).
//! A request over its limit gets `429` with `Retry-After` and reaches no
//! meeting. The global cap on sessions stays where it is
//! ([`crate::jitsi::service::Limits`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use app::auth::SignedIn;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::http::header::{COOKIE, RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota};
use leptos::prelude::ServerFnError;

/// What a request does, for the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open,
    Command,
}

/// The limits: a burst, then a steady rate, per user; an address gets
/// `address_factor` times as much (many users may share one).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub opens_burst: u32,
    pub opens_per_minute: u32,
    pub commands_burst: u32,
    pub commands_per_minute: u32,
    pub address_factor: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            opens_burst: 20,
            opens_per_minute: 30,
            commands_burst: 30,
            commands_per_minute: 240,
            address_factor: 20,
        }
    }
}

/// The buckets.
pub struct Limiter {
    opens_by_user: DefaultKeyedRateLimiter<String>,
    commands_by_user: DefaultKeyedRateLimiter<String>,
    opens_by_address: DefaultKeyedRateLimiter<IpAddr>,
    commands_by_address: DefaultKeyedRateLimiter<IpAddr>,
    seen: AtomicU64,
}

fn quota(burst: u32, per_minute: u32) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl Limiter {
    pub fn new(limits: Limits) -> Arc<Self> {
        let f = limits.address_factor.max(1);
        Arc::new(Self {
            opens_by_user: DefaultKeyedRateLimiter::keyed(quota(
                limits.opens_burst,
                limits.opens_per_minute,
            )),
            commands_by_user: DefaultKeyedRateLimiter::keyed(quota(
                limits.commands_burst,
                limits.commands_per_minute,
            )),
            opens_by_address: DefaultKeyedRateLimiter::keyed(quota(
                limits.opens_burst.saturating_mul(f),
                limits.opens_per_minute.saturating_mul(f),
            )),
            commands_by_address: DefaultKeyedRateLimiter::keyed(quota(
                limits.commands_burst.saturating_mul(f),
                limits.commands_per_minute.saturating_mul(f),
            )),
            seen: AtomicU64::new(0),
        })
    }

    /// `Err(wait)` when the user or the address is over its limit.
    fn check(&self, kind: Kind, user: &str, address: IpAddr) -> Result<(), Duration> {
        // Buckets back at their start are dropped now and then.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 {
            self.opens_by_user.retain_recent();
            self.commands_by_user.retain_recent();
            self.opens_by_address.retain_recent();
            self.commands_by_address.retain_recent();
        }
        let clock = governor::clock::DefaultClock::default();
        let wait = |not_until: governor::NotUntil<_>| {
            use governor::clock::Clock as _;
            not_until.wait_time_from(clock.now())
        };
        let (by_user, by_address) = match kind {
            Kind::Open => (&self.opens_by_user, &self.opens_by_address),
            Kind::Command => (&self.commands_by_user, &self.commands_by_address),
        };
        // The user's first: a user over their own limit spends nothing of
        // the address's.
        by_user.check_key(&user.to_owned()).map_err(wait)?;
        by_address.check_key(&address).map_err(wait)?;
        Ok(())
    }
}

/// What a request does, if it is limited. The API's commands count as
/// the board's, and its joins as opening a meeting.
fn kind(method: &axum::http::Method, path: &str) -> Option<Kind> {
    if path.starts_with(crate::api::MEETINGS) && method != axum::http::Method::GET {
        return Some(if path.ends_with("/join") {
            Kind::Open
        } else {
            Kind::Command
        });
    }
    match path {
        "/api/open" => Some(Kind::Open),
        "/api/action" | "/api/command" => Some(Kind::Command),
        p if p == crate::live::path() => Some(Kind::Open),
        // Each sign-in at the identity provider costs it (and us) requests.
        p if p.starts_with("/auth/oidc/") => Some(Kind::Open),
        _ => None,
    }
}

/// Who a request is, for the limits: the signed-in user, else the browser's
/// id cookie, else its address.
fn user_key(request: &Request, address: IpAddr) -> String {
    if let Some(user) = request.extensions().get::<SignedIn>() {
        return user.subject.clone();
    }
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("grupprum_id="))
        // Only ids the panel could have made: a client minting its own gets
        // the address's bucket.
        .filter(|id| app::identity::is_id(id))
        .map_or_else(|| address.to_string(), |id| format!("browser:{id}"))
}

/// The middleware; runs after the sign-in, which tells who the user is.
pub async fn limit(State(limiter): State<Arc<Limiter>>, request: Request, next: Next) -> Response {
    let Some(kind) = kind(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let user = user_key(&request, address);
    let wants_html = request
        .headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    match limiter.check(kind, &user, address) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::info!(?kind, "over the rate limit");
            if request.uri().path().starts_with(crate::api::PREFIX) {
                return crate::api::error::ApiError::TooMany(wait.as_secs().max(1)).into_response();
            }
            let seconds = wait.as_secs().max(1).to_string();
            // In the request's language: a plain form's browser shows the
            // words, and server functions get them as their error.
            let words = crate::worded::words("rate", request.uri(), request.headers());
            let body = if wants_html {
                words
            } else {
                use leptos::server_fn::error::FromServerFnError as _;
                String::from_utf8_lossy(&ServerFnError::new(words).ser()).into_owned()
            };
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(RETRY_AFTER, seconds)],
                body,
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_and_an_address_each_have_their_own_budget() {
        let limiter = Limiter::new(Limits {
            opens_burst: 2,
            opens_per_minute: 1,
            commands_burst: 3,
            commands_per_minute: 1,
            address_factor: 2,
        });
        let here = IpAddr::V4(Ipv4Addr::LOCALHOST);
        for _ in 0..3 {
            assert!(limiter.check(Kind::Command, "kim", here).is_ok());
        }
        let wait = limiter.check(Kind::Command, "kim", here).unwrap_err();
        assert!(wait > Duration::from_secs(50), "{wait:?}");
        // Another user from the same address still has theirs, up to the address's.
        assert!(limiter.check(Kind::Command, "ali", here).is_ok());
        assert!(limiter.check(Kind::Command, "ali", here).is_ok());
        assert!(limiter.check(Kind::Command, "ali", here).is_ok());
        assert!(
            limiter.check(Kind::Command, "eva", here).is_err(),
            "the address's budget (2 × 3) is spent"
        );
        // Opening meetings is counted apart from commands.
        assert!(limiter.check(Kind::Open, "kim", here).is_ok());
        assert!(limiter.check(Kind::Open, "kim", here).is_ok());
        assert!(limiter.check(Kind::Open, "kim", here).is_err());
    }
}

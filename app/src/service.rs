//! What the app asks of the server (feature `ssr`): the server implements
//! [`MeetingService`] and provides it as context; server functions reach meetings
//! only through it.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::meeting::{Command, MeetingRef, MeetingView, Receipt, Refusal};
use crate::plans::DraftPlan;

/// One browser moderating through the panel. Each has its own occupant in the
/// meeting, which a Jitsi moderator must grant moderator (or its token makes one).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Moderator {
    /// Random, from the browser's cookie: keeps each browser on its own session.
    pub id: String,
    /// The panel's name in the meeting; the server's default when `None`.
    pub display_name: Option<String>,
    /// A Jitsi JWT for token deployments. Never shown, never logged.
    pub token: Option<String>,
    /// Signed in to the panel (not an open panel's visitor): only then may
    /// the session use the operator's token or account.
    pub signed_in: bool,
}

impl std::fmt::Debug for Moderator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moderator")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("signed_in", &self.signed_in)
            .finish()
    }
}

impl From<&crate::auth::SignedIn> for Moderator {
    /// A signed-in user moderates as themselves: their name, their token.
    fn from(user: &crate::auth::SignedIn) -> Self {
        Self {
            id: user.subject.clone(),
            display_name: Some(user.name.clone()),
            token: user.token.clone(),
            signed_in: true,
        }
    }
}

/// Errors of the service itself (not refusals of a command). Each displays as
/// the code the page puts into words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The meeting's name cannot be a Jitsi room (the detail is for logs).
    #[error("meeting")]
    BadMeeting(String),
    #[error("server")]
    Misconfigured(String),
    /// At the cap on sessions.
    #[error("busy")]
    Busy(usize),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// The moderator panel's engine, as the app sees it.
pub trait MeetingService: Send + Sync + 'static {
    /// Joins the meeting as `who` if not yet there (or if the last try failed
    /// for good); the stream yields the latest state first and then every
    /// change. A slow reader skips states, never lags.
    fn watch(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Result<BoxStream<'static, MeetingView>, ServiceError>;

    /// The session `who` already has in `meeting`, as [`MeetingService::watch`]
    /// gives it, without joining: `None` when there is none or it failed. Page
    /// loads use this, so that no `GET` ever puts the panel into a meeting.
    fn existing(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Option<BoxStream<'static, MeetingView>>;

    /// Validates and runs a command as `who`; the receipt's ids appear in the
    /// view's outcomes.
    fn command(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
        command: Command,
    ) -> BoxFuture<'static, Result<Receipt, ServiceError>>;

    /// The plan being prepared in `meeting` (its people by name and
    /// identity, and the names to match by hand); `None` without one.
    fn draft(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> BoxFuture<'static, Result<Option<DraftPlan>, ServiceError>>;
}

/// The service, from the server's context.
pub fn service() -> Option<Arc<dyn MeetingService>> {
    leptos::prelude::use_context::<Arc<dyn MeetingService>>()
}

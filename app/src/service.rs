//! What the app asks of the server (feature `ssr`): the server implements
//! [`MeetingService`] and provides it as context; server functions reach meetings
//! only through it.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::meeting::{Command, MeetingRef, MeetingView, Receipt, Refusal};

/// Errors of the service itself (not refusals of a command).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("the meeting name is not valid: {0}")]
    BadMeeting(String),
    #[error("the panel is not configured: {0}")]
    Misconfigured(String),
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// The moderator panel's engine, as the app sees it.
pub trait MeetingService: Send + Sync + 'static {
    /// Joins the meeting if not yet there; the stream yields the latest state
    /// first and then every change. A slow reader skips states, never lags.
    fn watch(&self, meeting: &MeetingRef) -> Result<BoxStream<'static, MeetingView>, ServiceError>;

    /// Validates and runs a command; the receipt's ids appear in the view's outcomes.
    fn command(
        &self,
        meeting: &MeetingRef,
        command: Command,
    ) -> BoxFuture<'static, Result<Receipt, ServiceError>>;
}

/// The service, from the server's context.
pub fn service() -> Option<Arc<dyn MeetingService>> {
    leptos::prelude::use_context::<Arc<dyn MeetingService>>()
}

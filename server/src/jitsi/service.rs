//! The app's [`MeetingService`]: one session per meeting, shared by every watcher.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::meeting::{Command, MeetingRef, MeetingView, Receipt};
use app::service::{MeetingService, ServiceError};
use futures::future::BoxFuture;
use futures::stream::BoxStream;

use super::config::ClientConfig;
use super::session::{self, SessionHandle};
use crate::xmpp::transport::Connector;

/// Keeps one session per meeting.
pub struct Sessions {
    config: Arc<ClientConfig>,
    connector: Arc<dyn Connector>,
    // A std mutex: it is only held to look up or insert, never across an await.
    sessions: Mutex<HashMap<MeetingRef, SessionHandle>>,
}

impl Sessions {
    pub fn new(config: ClientConfig, connector: Arc<dyn Connector>) -> Self {
        Self {
            config: Arc::new(config),
            connector,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// The meeting's session, started on first use.
    pub fn session(&self, meeting: &MeetingRef) -> Result<SessionHandle, ServiceError> {
        let mut sessions = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(handle) = sessions.get(meeting).filter(|h| h.is_running()) {
            return Ok(handle.clone());
        }
        let handle = session::spawn(self.config.clone(), meeting.clone(), self.connector.clone())
            .map_err(|e| ServiceError::BadMeeting(e.to_string()))?;
        sessions.insert(meeting.clone(), handle.clone());
        Ok(handle)
    }

    /// Leaves every meeting.
    pub async fn stop_all(&self) {
        let handles: Vec<SessionHandle> = {
            let mut sessions = self
                .sessions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            sessions.drain().map(|(_, h)| h).collect()
        };
        futures::future::join_all(handles.iter().map(SessionHandle::stop)).await;
    }
}

impl MeetingService for Sessions {
    fn watch(&self, meeting: &MeetingRef) -> Result<BoxStream<'static, MeetingView>, ServiceError> {
        let receiver = self.session(meeting)?.watch();
        let stream =
            futures::stream::unfold((receiver, true), |(mut receiver, first)| async move {
                if !first {
                    receiver.changed().await.ok()?;
                }
                let view = (**receiver.borrow_and_update()).clone();
                Some((view, (receiver, false)))
            });
        Ok(Box::pin(stream))
    }

    fn command(
        &self,
        meeting: &MeetingRef,
        command: Command,
    ) -> BoxFuture<'static, Result<Receipt, ServiceError>> {
        let session = self.session(meeting);
        Box::pin(async move {
            session?
                .command(command)
                .await
                .map_err(ServiceError::Refused)
        })
    }
}

//! What the in-process router tests share: a meeting service that records what
//! it is asked, and the lock that makes page-rendering tests take turns.
#![allow(dead_code)]

pub mod meeting;
pub mod tokens;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use app::meeting::{Command, MeetingRef, MeetingView, Receipt};
use app::service::{MeetingService, Moderator, ServiceError};
use futures::future::BoxFuture;
use futures::stream::BoxStream;

/// Leptos keeps state across the Tokio runtimes of tests that run side by side
/// (each test has its own), and a page rendered beside another can then wait
/// forever; the tests that render pages take turns.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Records joins and commands; every command succeeds (unless `answer` says
/// otherwise). It has no sessions of its own: every `watch` is a join, and
/// shows a meeting not joined yet; `existing` shows `present`, if set.
#[derive(Default)]
pub struct Recorder {
    pub joins: AtomicUsize,
    pub joined: Mutex<Vec<Moderator>>,
    pub calls: Mutex<Vec<(Moderator, MeetingRef, Command)>>,
    /// The view of a session already in the meeting (none by default).
    pub present: Mutex<Option<MeetingView>>,
    /// What every command answers instead of a receipt, when set.
    pub answer: Mutex<Option<ServiceError>>,
}

impl MeetingService for Recorder {
    fn watch(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
    ) -> Result<BoxStream<'static, MeetingView>, ServiceError> {
        self.joins.fetch_add(1, Ordering::SeqCst);
        self.joined.lock().unwrap().push(who.clone());
        let view = MeetingView::placeholder(meeting.clone());
        Ok(Box::pin(futures::stream::iter([view])))
    }

    fn existing(
        &self,
        _who: &Moderator,
        _meeting: &MeetingRef,
    ) -> Option<BoxStream<'static, MeetingView>> {
        let view = self.present.lock().unwrap().clone()?;
        Some(Box::pin(futures::stream::iter([view])))
    }

    fn command(
        &self,
        who: &Moderator,
        meeting: &MeetingRef,
        command: Command,
    ) -> BoxFuture<'static, Result<Receipt, ServiceError>> {
        self.calls
            .lock()
            .unwrap()
            .push((who.clone(), meeting.clone(), command));
        let answer = self.answer.lock().unwrap().clone();
        Box::pin(async move { answer.map_or(Ok(vec![1]), Err) })
    }

    fn draft(
        &self,
        _who: &Moderator,
        _meeting: &MeetingRef,
    ) -> BoxFuture<'static, Result<Option<app::plans::DraftPlan>, ServiceError>> {
        Box::pin(async { Ok(None) })
    }
}

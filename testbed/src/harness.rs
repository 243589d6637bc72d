//! Support for tests that run against a test meeting: a temporary directory, a
//! meeting that stops with the test, and a way to wait for a condition.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::meeting::{Meeting, MeetingOptions};
use crate::participant::ParticipantConfig;

/// A directory under the system's temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let path = std::env::temp_dir().join(format!("{prefix}-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits up to 10 s for process `pid` to exit.
pub fn wait_gone(pid: i32) -> bool {
    for _ in 0..200 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.is_empty() || stat.contains(") Z ") {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A meeting in a fresh temporary directory.
pub struct TestMeeting {
    pub meeting: Option<Meeting>,
    pub dir: TempDir,
}

impl TestMeeting {
    pub async fn start(room: &str, participants: usize) -> Self {
        Self::start_with(room, participants, |_| {}).await
    }

    pub async fn start_with(
        room: &str,
        participants: usize,
        tweak: impl FnOnce(&mut MeetingOptions),
    ) -> Self {
        let dir = TempDir::new("testbed-test");
        let mut options = MeetingOptions::new(dir.path(), room, participants);
        tweak(&mut options);
        let meeting = Meeting::start(&options)
            .await
            .expect("the test meeting starts");
        Self {
            meeting: Some(meeting),
            dir,
        }
    }

    pub fn m(&self) -> &Meeting {
        self.meeting.as_ref().expect("running")
    }

    pub fn m_mut(&mut self) -> &mut Meeting {
        self.meeting.as_mut().expect("running")
    }

    /// The main room's JID.
    pub fn room(&self) -> String {
        self.m().room_jid.clone()
    }

    /// Simulated participants `(display name, ignores moves)` join the main room.
    pub async fn join_people(&mut self, people: &[(&str, bool)]) {
        let configs = people
            .iter()
            .map(|(name, ignore_moves)| ParticipantConfig {
                display_name: (*name).to_owned(),
                ignore_moves: *ignore_moves,
            })
            .collect();
        self.m_mut()
            .add_participants(configs)
            .await
            .expect("participants join");
    }

    pub async fn stop(mut self) {
        if let Some(m) = self.meeting.take() {
            m.stop().await;
        }
    }
}

/// Waits until `f` holds, checking every 20 ms.
pub async fn eventually(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    f()
}

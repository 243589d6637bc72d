//! Servers the test meeting starts as child processes (Prosody, PostgreSQL):
//! they end with the process that started them, and stop politely first.

use std::time::Duration;

use tokio::process::{Child, Command};

/// Makes the command's process end when this one dies (the kernel sends it
/// SIGTERM), and when its handle is dropped.
pub fn ends_with_us(command: &mut Command) {
    command.kill_on_drop(true);
    // SAFETY: prctl is async-signal-safe and only concerns the child itself.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

/// Stops `child`: SIGTERM, then SIGKILL after `grace`.
pub async fn terminate(child: &mut Child, grace: Duration) {
    if let Some(pid) = child.id() {
        // SAFETY: signalling our own child by its pid.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        if tokio::time::timeout(grace, child.wait()).await.is_ok() {
            return;
        }
    }
    let _ = child.kill().await;
}

//! Process groups that die with devserve, however devserve ends.
//!
//! Every process group devserve starts is led by a guardian: a tiny `sh` that ignores the signals
//! a terminal sends (SIGHUP, SIGINT, SIGQUIT) and a graceful stop's SIGTERM, and blocks reading a
//! pipe whose write end only devserve holds. When devserve ends in any way (SIGKILL, an abort, a
//! panic, a plain exit) the kernel closes that end, the guardian's read returns, and it kills its
//! own process group with `kill -9 0`, itself included.
//!
//! The guardian is a member of the group until devserve reaps it, so while a [`Guardian`] value
//! exists its group id cannot be given to another group: signals sent through it never reach a
//! stranger, even after everything else in the group has exited. (A parent-death signal would not
//! do: it reaches only direct children, not the rustc processes cargo starts, and it fires when
//! the spawning *thread* ends.)
//!
//! This file is kept identical in devserve-build and devserve-server, which share no code.

use std::io::{self, BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// The guardian: signals ignored before it says it is ready, then it waits for end of input
/// (nothing is ever written to it) and kills its group.
const SCRIPT: &str = "trap '' HUP INT QUIT TERM PIPE; echo ready; while read -r _; do :; done; kill -9 0";

/// How often a group is looked at while waiting for it to be gone.
const POLL: Duration = Duration::from_millis(5);

/// The leader of a new process group, killing the group when devserve ends. Dropping it kills
/// the group and reaps the guardian.
#[derive(Debug)]
pub(crate) struct Guardian {
    child: Child,
    /// The write end of the guardian's stdin: closing it makes the guardian kill the group.
    watch: Option<ChildStdin>,
    reaped: bool,
}

impl Guardian {
    /// Starts a guardian leading a new, otherwise empty process group; returns once it ignores
    /// the signals. Put the processes to guard in [`Guardian::pgid`].
    pub(crate) fn spawn() -> io::Result<Guardian> {
        let mut child = Command::new("sh")
            .args(["-c", SCRIPT, "devserve-guardian"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()?;
        let watch = child.stdin.take();
        let mut guardian = Guardian { child, watch, reaped: false };
        let mut ready = String::new();
        if let Some(stdout) = guardian.child.stdout.take() {
            BufReader::new(stdout).read_line(&mut ready)?;
        }
        if ready.trim_end() != "ready" {
            return Err(io::Error::other(format!("the process group guardian said {ready:?}")));
        }
        Ok(guardian)
    }

    /// The id of the group it leads (its own pid).
    pub(crate) fn pgid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` to every process of the group (the guardian ignores all but SIGKILL).
    pub(crate) fn signal(&self, signal: Signal) {
        signal_group(self.pgid(), signal);
    }

    /// Kills the group and waits (blocking) until none of its processes is alive, at most
    /// `timeout`; then reaps the guardian. Returns whether the group was gone in time.
    #[allow(dead_code, reason = "devserve-server's copy waits only asynchronously")]
    pub(crate) fn kill_and_wait_blocking(mut self, timeout: Duration) -> bool {
        self.signal(Signal::SIGKILL);
        let deadline = Instant::now() + timeout;
        while group_alive(self.pgid()) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        let gone = !group_alive(self.pgid());
        self.reap();
        gone
    }

    /// [`Guardian::kill_and_wait_blocking`] without blocking the thread while it waits.
    pub(crate) async fn kill_and_wait(mut self, timeout: Duration) -> bool {
        self.signal(Signal::SIGKILL);
        let deadline = Instant::now() + timeout;
        while group_alive(self.pgid()) && Instant::now() < deadline {
            tokio::time::sleep(POLL).await;
        }
        let gone = !group_alive(self.pgid());
        self.reap();
        gone
    }

    /// Closes devserve's end of the pipe without killing anything, as devserve's death would.
    #[cfg(test)]
    pub(crate) fn close_pipe(&mut self) {
        self.watch = None;
    }

    /// Collects the guardian's exit (it got SIGKILL, so this is quick); after this the group id
    /// is no longer reserved.
    fn reap(&mut self) {
        if self.reaped {
            return;
        }
        self.watch = None;
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            match self.child.try_wait() {
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(1)),
                Ok(None) => {
                    tracing::debug!(pgid = self.pgid(), "the process group guardian did not exit");
                    break;
                }
                Ok(Some(_)) | Err(_) => break,
            }
        }
        self.reaped = true;
    }
}

impl Drop for Guardian {
    fn drop(&mut self) {
        if !self.reaped {
            self.signal(Signal::SIGKILL);
            self.reap();
        }
    }
}

/// Sends `signal` to group `pgid`; a group that is already gone is fine.
pub(crate) fn signal_group(pgid: u32, signal: Signal) {
    let Ok(raw) = i32::try_from(pgid) else { return };
    if raw <= 1 {
        return;
    }
    match killpg(Pid::from_raw(raw), signal) {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(err) => tracing::debug!(pgid, %signal, "cannot signal the process group: {err}"),
    }
}

/// Whether any process of group `pgid` is alive (zombies, which hold nothing but their exit
/// status, do not count).
pub(crate) fn group_alive(pgid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(entries) = std::fs::read_dir("/proc") else { return false };
        entries.flatten().any(|entry| {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { return false };
            // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses.
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { return false };
            let mut fields = after.split_whitespace();
            let state = fields.next();
            let pgrp = fields.nth(1).and_then(|p| p.parse::<u32>().ok());
            pgrp == Some(pgid) && state != Some("Z") && state != Some("X")
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let Ok(raw) = i32::try_from(pgid) else { return false };
        killpg(Pid::from_raw(raw), None).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process in the guardian's group that ignores the terminal's signals and SIGTERM, as a
    /// stubborn app would.
    fn stubborn_member(guardian: &Guardian) -> Child {
        let mut member = Command::new("sh")
            .args(["-c", "trap '' HUP INT TERM; echo ready; exec sleep 30"])
            .stdout(Stdio::piped())
            .process_group(i32::try_from(guardian.pgid()).unwrap())
            .spawn()
            .unwrap();
        let mut ready = String::new();
        BufReader::new(member.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert_eq!(ready, "ready\n");
        member
    }

    fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting until {what}");
            std::thread::sleep(POLL);
        }
    }

    #[test]
    fn a_closed_pipe_kills_the_group_and_terminal_signals_do_not() {
        let mut guardian = Guardian::spawn().unwrap();
        let pgid = guardian.pgid();
        let mut member = stubborn_member(&guardian);
        for signal in [Signal::SIGHUP, Signal::SIGINT, Signal::SIGTERM] {
            guardian.signal(signal);
        }
        std::thread::sleep(Duration::from_millis(100));
        assert!(guardian.child.try_wait().unwrap().is_none(), "the guardian died of a signal");
        assert!(member.try_wait().unwrap().is_none(), "the member died of a signal");

        // What devserve's death does: its end of the pipe closes.
        guardian.close_pipe();
        wait_until("the member is killed", || member.try_wait().unwrap().is_some());
        wait_until("the group is gone", || !group_alive(pgid));
        drop(guardian);
    }

    #[test]
    fn kill_and_wait_returns_once_the_group_is_gone() {
        let guardian = Guardian::spawn().unwrap();
        let pgid = guardian.pgid();
        let mut member = stubborn_member(&guardian);
        assert!(group_alive(pgid));
        assert!(guardian.kill_and_wait_blocking(Duration::from_secs(5)));
        assert!(!group_alive(pgid), "something of the group is still alive");
        assert!(member.wait().unwrap().code().is_none(), "killed by a signal");
    }

    #[test]
    fn dropping_kills_the_group() {
        let guardian = Guardian::spawn().unwrap();
        let pgid = guardian.pgid();
        let mut member = stubborn_member(&guardian);
        drop(guardian);
        member.wait().unwrap();
        wait_until("the group is gone", || !group_alive(pgid));
    }
}

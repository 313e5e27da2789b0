//! Child processes in a process group of their own, killed as a whole group when dropped.
//!
//! cargo starts rustc, linkers and build scripts as its own children; killing only cargo would
//! leave them running. Every command this crate runs goes through [`GroupChild`], so cancelling a
//! build or dropping the [`crate::Builder`] takes the whole tree down.

use std::io;
use std::process::{ExitStatus, Output, Stdio};
use std::time::Duration;

use process_wrap::tokio::{ChildWrapper, CommandWrap, KillOnDrop, ProcessGroup};
use tokio::io::AsyncReadExt;
use tokio::process::{ChildStderr, ChildStdout, Command};

/// A spawned command leading its own process group. Dropping it before it was reaped kills the
/// group with SIGKILL.
#[derive(Debug)]
pub(crate) struct GroupChild {
    child: Box<dyn ChildWrapper>,
    pgid: u32,
    reaped: bool,
}

impl GroupChild {
    /// Spawns `command` as the leader of a new process group (stdin closed).
    pub(crate) fn spawn(mut command: Command) -> io::Result<Self> {
        command.stdin(Stdio::null());
        let mut wrapped = CommandWrap::from(command);
        wrapped.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
        let child = wrapped.spawn()?;
        let pgid = child.id().ok_or_else(|| io::Error::other("child exited before it got an id"))?;
        Ok(Self { child, pgid, reaped: false })
    }

    /// The process group id (the leader's pid).
    pub(crate) fn pgid(&self) -> u32 {
        self.pgid
    }

    /// Takes the child's stdout pipe (if it was piped).
    pub(crate) fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout().take()
    }

    /// Takes the child's stderr pipe (if it was piped).
    pub(crate) fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.child.stderr().take()
    }

    /// Waits for the leader to exit (and reaps what of its group is ours to reap).
    pub(crate) async fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        self.reaped = true;
        Ok(status)
    }

    /// Sends SIGKILL to every process in the group. A group that is already gone is fine.
    pub(crate) fn kill(&mut self) {
        if let Err(err) = self.child.start_kill()
            && err.raw_os_error() != Some(3)
        {
            tracing::debug!(pgid = self.pgid, %err, "could not kill process group");
        }
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill();
        }
    }
}

/// Runs a short command to completion in its own process group and returns its output; the group
/// is killed if it takes longer than `timeout`.
pub(crate) async fn output(mut command: Command, timeout: Duration) -> io::Result<Output> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = GroupChild::spawn(command)?;
    let mut stdout_pipe = child.take_stdout();
    let mut stderr_pipe = child.take_stderr();
    let run = async {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let read_out = async {
            match stdout_pipe.as_mut() {
                Some(pipe) => pipe.read_to_end(&mut stdout).await.map(drop),
                None => Ok(()),
            }
        };
        let read_err = async {
            match stderr_pipe.as_mut() {
                Some(pipe) => pipe.read_to_end(&mut stderr).await.map(drop),
                None => Ok(()),
            }
        };
        let (out, err) = tokio::join!(read_out, read_err);
        out?;
        err?;
        let status = child.wait().await?;
        Ok::<_, io::Error>(Output { status, stdout, stderr })
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("did not finish within {} s", timeout.as_secs()),
        )),
    }
}

/// Whether any process of group `pgid` is still alive (zombies waiting to be reaped by init do
/// not count). Reads `/proc`; used by tests and by the runner's debug logging.
#[cfg(test)]
pub(crate) fn group_alive(pgid: u32) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_captures_both_streams() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let out = output(cmd, Duration::from_secs(10)).await.unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[tokio::test]
    async fn dropping_kills_the_whole_group() {
        let mut cmd = Command::new("sh");
        // A grandchild that would outlive a plain kill of `sh`.
        cmd.args(["-c", "sleep 30 & echo $$; wait"]);
        cmd.stdout(Stdio::piped());
        let mut child = GroupChild::spawn(cmd).unwrap();
        let pgid = child.pgid();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(group_alive(pgid));
        drop(child.take_stdout());
        drop(child);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!group_alive(pgid), "sleep survived the group kill");
    }

    #[tokio::test]
    async fn output_times_out() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let err = output(cmd, Duration::from_millis(100)).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}

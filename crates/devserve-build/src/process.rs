//! Child processes in a process group of their own, killed as a whole group when dropped.
//!
//! cargo starts rustc, linkers and build scripts as its own children; killing only cargo would
//! leave them running. Every command this crate runs goes through [`GroupChild`], so cancelling a
//! build or dropping the [`crate::Builder`] takes the whole tree down, and so does devserve's
//! death, however it comes: each group is led by a [`guardian::Guardian`] that kills it when
//! devserve is gone.

mod guardian;

use std::io;
use std::process::{ExitStatus, Output, Stdio};
use std::time::Duration;

use nix::sys::signal::Signal;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, ChildStdout, Command};

use guardian::Guardian;

/// How long a killed group may take to be gone (rustc may need a moment to unmap gigabytes).
const GONE_TIMEOUT: Duration = Duration::from_secs(5);

/// A spawned command in a process group of its own. Dropping it before it was waited for kills
/// the group with SIGKILL and returns once every process of the group is gone.
#[derive(Debug)]
pub(crate) struct GroupChild {
    child: Child,
    pgid: u32,
    /// Leads the group and keeps its id ours; `None` if it could not be started (then the
    /// command leads its own group, and the group is killed only while the command is unreaped).
    guardian: Option<Guardian>,
    reaped: bool,
}

impl GroupChild {
    /// Spawns `command` (stdin closed) in a new process group.
    pub(crate) fn spawn(mut command: Command) -> io::Result<Self> {
        command.stdin(Stdio::null()).kill_on_drop(true);
        let guardian =
            Guardian::spawn().inspect_err(|err| tracing::debug!("no process group guardian: {err}")).ok();
        let group = guardian.as_ref().map_or(Ok(0), |g| i32::try_from(g.pgid()));
        command.process_group(group.map_err(io::Error::other)?);
        let child = command.spawn()?;
        let pid = child.id().ok_or_else(|| io::Error::other("child exited before it got an id"))?;
        let pgid = guardian.as_ref().map_or(pid, Guardian::pgid);
        Ok(Self { child, pgid, guardian, reaped: false })
    }

    /// The process group id.
    pub(crate) fn pgid(&self) -> u32 {
        self.pgid
    }

    /// Takes the child's stdout pipe (if it was piped).
    pub(crate) fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Takes the child's stderr pipe (if it was piped).
    pub(crate) fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.child.stderr.take()
    }

    /// Waits for the command to exit, then kills what it left running in its group and waits
    /// until that is gone too.
    pub(crate) async fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        self.reaped = true;
        if let Some(guardian) = self.guardian.take()
            && !guardian.kill_and_wait(GONE_TIMEOUT).await
        {
            tracing::warn!("processes of group {} outlived their build by {GONE_TIMEOUT:?}", self.pgid);
        }
        Ok(status)
    }

    /// Sends SIGKILL to every process in the group. A group that is already gone is fine.
    pub(crate) fn kill(&mut self) {
        match &self.guardian {
            Some(guardian) => guardian.signal(Signal::SIGKILL),
            // Without a guardian the id is ours only until the leader is reaped.
            None if !self.reaped => guardian::signal_group(self.pgid, Signal::SIGKILL),
            None => {}
        }
    }
}

impl Drop for GroupChild {
    fn drop(&mut self) {
        match self.guardian.take() {
            Some(guardian) => {
                if !guardian.kill_and_wait_blocking(GONE_TIMEOUT) {
                    tracing::warn!(
                        "processes of group {} still run {GONE_TIMEOUT:?} after SIGKILL",
                        self.pgid
                    );
                }
            }
            None => self.kill(),
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

#[cfg(test)]
mod tests {
    use super::guardian::group_alive;
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_kills_the_whole_group_and_waits_until_it_is_gone() {
        let mut cmd = Command::new("sh");
        // A grandchild that would outlive a plain kill of `sh`, and ignores SIGTERM.
        cmd.args(["-c", "trap '' TERM; sleep 30 & echo $$; wait"]);
        cmd.stdout(Stdio::piped());
        let mut child = GroupChild::spawn(cmd).unwrap();
        let pgid = child.pgid();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(group_alive(pgid));
        drop(child.take_stdout());
        drop(child);
        // No grace: a cancelled build is reported after the drop, so the drop must wait.
        assert!(!group_alive(pgid), "something of the group survived its drop");
    }

    /// The builder's cancel: abort the build's task, await it, report. The group is gone by then.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_aborted_task_ends_once_its_group_is_gone() {
        let (pgid_tx, pgid_rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", "sleep 30 & sleep 30 & wait"]);
            let mut child = GroupChild::spawn(cmd).unwrap();
            let _ = pgid_tx.send(child.pgid());
            child.wait().await
        });
        let pgid = pgid_rx.await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(group_alive(pgid));
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(!group_alive(pgid), "the task ended before its process group");
    }

    #[tokio::test]
    async fn waiting_kills_what_the_command_left_running() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & exit 4"]);
        let mut child = GroupChild::spawn(cmd).unwrap();
        let pgid = child.pgid();
        assert_eq!(child.wait().await.unwrap().code(), Some(4));
        assert!(!group_alive(pgid), "the background sleep outlived its group's leader");
    }

    #[tokio::test]
    async fn output_times_out() {
        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let err = output(cmd, Duration::from_millis(100)).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}

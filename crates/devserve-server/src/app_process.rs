//! One run of the app: a child process in its own process group, its output drained line by
//! line, its exit noticed, and a graceful stop (SIGTERM to the group, grace, SIGKILL).
//!
//! The group is led by a [`guardian::Guardian`], which kills it when devserve ends in any way
//! (SIGKILL and panics included) and keeps its id from being reused while devserve may signal it.

mod guardian;

use std::collections::VecDeque;
use std::fmt;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use guardian::Guardian;
use nix::sys::signal::Signal;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;

use crate::supervisor::{AppSpec, SuperviseError, SupervisorConfig};

/// How a run of the app ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppExit {
    /// Its exit status (`None` if it could not be collected).
    pub status: Option<ExitStatus>,
    /// Its last lines of output, stdout and stderr interleaved as they came.
    pub output: Vec<String>,
}

impl fmt::Display for AppExit {
    /// How it ended: `exited with status 1`, `was killed by SIGKILL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use std::os::unix::process::ExitStatusExt;
        match self.status {
            Some(status) => match (status.code(), status.signal()) {
                (Some(code), _) => write!(f, "exited with status {code}"),
                (None, Some(signal)) => match Signal::try_from(signal) {
                    Ok(signal) => write!(f, "was killed by {signal}"),
                    Err(_) => write!(f, "was killed by signal {signal}"),
                },
                (None, None) => write!(f, "ended ({status})"),
            },
            None => write!(f, "ended"),
        }
    }
}

impl AppExit {
    /// How it ended followed by its last output, for the terminal and the progress page.
    pub fn report(&self) -> String {
        let mut report = format!("The app {self}.");
        if !self.output.is_empty() {
            report.push_str(" Its last output:\n");
            report.push_str(&self.output.join("\n"));
        }
        report
    }
}

/// The last lines of output, shared by the drains and the owner.
#[derive(Clone)]
struct Tail {
    lines: Arc<Mutex<VecDeque<String>>>,
    capacity: usize,
}

impl Tail {
    fn new(capacity: usize) -> Self {
        Tail { lines: Arc::default(), capacity }
    }

    fn push(&self, line: String) {
        let mut lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        if lines.len() == self.capacity {
            lines.pop_front();
        }
        if self.capacity > 0 {
            lines.push_back(line);
        }
    }

    fn snapshot(&self) -> Vec<String> {
        self.lines.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }
}

/// How long the rest of a group may take to be gone once the app has exited and the group was
/// killed.
const GONE_TIMEOUT: Duration = Duration::from_secs(5);

/// The app's process group, shared by the [`AppProcess`] and the task supervising it.
struct Group {
    pgid: u32,
    /// Leads the group and keeps its id ours; taken (and reaped) once the group is gone.
    guardian: Mutex<Option<Guardian>>,
    /// Whether a guardian was started; without one the app leads its own group.
    guarded: bool,
    /// The app was reaped: an unguarded group's id is no longer ours to signal.
    reaped: AtomicBool,
}

impl Group {
    /// Sends `signal` to the group while it is ours.
    fn signal(&self, signal: Signal) {
        let guardian = self.guardian.lock().unwrap_or_else(PoisonError::into_inner);
        match &*guardian {
            Some(guardian) => guardian.signal(signal),
            None if !self.guarded && !self.reaped.load(Ordering::SeqCst) => {
                guardian::signal_group(self.pgid, signal);
            }
            None => {}
        }
    }

    /// Once the app was reaped: kills what it left running in its group (it could hold the port
    /// or the pipes) and waits until the group is gone.
    async fn finish(&self) {
        let guardian = {
            let mut guardian = self.guardian.lock().unwrap_or_else(PoisonError::into_inner);
            self.reaped.store(true, Ordering::SeqCst);
            guardian.take()
        };
        let gone = match guardian {
            Some(guardian) => guardian.kill_and_wait(GONE_TIMEOUT).await,
            // Stragglers keep the id in use, so it still names the app's group.
            None if guardian::group_alive(self.pgid) => {
                guardian::signal_group(self.pgid, Signal::SIGKILL);
                true
            }
            None => true,
        };
        if !gone {
            tracing::warn!("processes of the app's group {} outlived it by {GONE_TIMEOUT:?}", self.pgid);
        }
    }
}

/// A running app. Dropping it kills its whole process group.
pub struct AppProcess {
    pid: u32,
    stop: Option<oneshot::Sender<()>>,
    exit: watch::Receiver<Option<AppExit>>,
    tail: Tail,
    group: Arc<Group>,
}

impl fmt::Debug for AppProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppProcess").field("pid", &self.pid).finish_non_exhaustive()
    }
}

impl AppProcess {
    /// Starts the app and waits until `spec.addr` accepts connections.
    ///
    /// Fails if something else already listens there, if the app cannot be started, if it exits
    /// first, or if it is not ready within `config.ready_timeout` (then it is stopped).
    pub async fn start(spec: &AppSpec, config: &SupervisorConfig) -> Result<AppProcess, SuperviseError> {
        if TcpStream::connect(spec.addr).await.is_ok() {
            return Err(SuperviseError::AddrInUse { addr: spec.addr });
        }
        let process = AppProcess::spawn(spec, config)?;
        let started = Instant::now();
        let mut exit = process.exit.clone();
        loop {
            if let Some(exit) = exit.borrow_and_update().clone() {
                return Err(SuperviseError::ExitedEarly { addr: spec.addr, exit });
            }
            if TcpStream::connect(spec.addr).await.is_ok() {
                tracing::debug!(pid = process.pid, waited = ?started.elapsed(), "app is ready");
                return Ok(process);
            }
            if started.elapsed() >= config.ready_timeout {
                let exit = process.stop().await;
                return Err(SuperviseError::NotReady {
                    addr: spec.addr,
                    timeout: config.ready_timeout,
                    exit,
                });
            }
            // Poll the port, but hear about an exit at once.
            let _ = tokio::time::timeout(config.ready_poll, exit.changed()).await;
        }
    }

    /// Spawns the app without waiting for its port.
    fn spawn(spec: &AppSpec, config: &SupervisorConfig) -> Result<AppProcess, SuperviseError> {
        let spawn_error = |source| SuperviseError::Spawn { program: spec.program.clone(), source };
        let guardian = Guardian::spawn()
            .inspect_err(|err| tracing::debug!("no process group guardian for the app: {err}"))
            .ok();
        let group = guardian.as_ref().map_or(Ok(0), |g| i32::try_from(g.pgid()));
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&spec.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(group.map_err(|e| spawn_error(std::io::Error::other(e)))?)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(spawn_error)?;
        let pid = child.id().unwrap_or_default();
        let group = Arc::new(Group {
            pgid: guardian.as_ref().map_or(pid, Guardian::pgid),
            guarded: guardian.is_some(),
            guardian: Mutex::new(guardian),
            reaped: AtomicBool::new(false),
        });
        tracing::info!("app started (pid {pid})");
        let tail = Tail::new(config.output_lines);
        let drains = [
            child.stdout.take().map(|out| tokio::spawn(drain(out, "stdout", tail.clone()))),
            child.stderr.take().map(|err| tokio::spawn(drain(err, "stderr", tail.clone()))),
        ];
        let (stop_tx, stop_rx) = oneshot::channel();
        let (exit_tx, exit_rx) = watch::channel(None);
        let grace = config.grace;
        let task_tail = tail.clone();
        let task_group = group.clone();
        tokio::spawn(async move {
            let status = supervise(child, &task_group, stop_rx, grace).await;
            // Nothing of the group may outlive the app: it could hold the port or the pipes.
            task_group.finish().await;
            for drain in drains.into_iter().flatten() {
                let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
            }
            let exit = AppExit { status, output: task_tail.snapshot() };
            tracing::debug!(pid, "app {exit}");
            exit_tx.send_replace(Some(exit));
        });
        Ok(AppProcess { pid, stop: Some(stop_tx), exit: exit_rx, tail, group })
    }

    /// The process id of the app (its process group has another id: the guardian's).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The last lines of output so far.
    pub fn recent_output(&self) -> Vec<String> {
        self.tail.snapshot()
    }

    /// How it ended, if it has.
    pub fn exit(&self) -> Option<AppExit> {
        self.exit.borrow().clone()
    }

    /// Waits until the app exits on its own. Cancel-safe.
    pub async fn exited(&mut self) -> AppExit {
        loop {
            if let Some(exit) = self.exit.borrow_and_update().clone() {
                return exit;
            }
            if self.exit.changed().await.is_err() {
                // The supervising task is gone without a word: treat it as an unknown end.
                return AppExit { status: None, output: self.tail.snapshot() };
            }
        }
    }

    /// Stops the app: SIGTERM to its group, the configured grace period to exit, then SIGKILL.
    /// Returns how it ended (which may have been earlier, on its own).
    pub async fn stop(mut self) -> AppExit {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.exited().await
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        if self.exit.borrow().is_none() {
            self.group.signal(Signal::SIGKILL);
        }
    }
}

/// Waits for the child, or for a stop request; returns its exit status.
async fn supervise(
    mut child: Child,
    group: &Group,
    stop: oneshot::Receiver<()>,
    grace: Duration,
) -> Option<ExitStatus> {
    tokio::select! {
        status = child.wait() => return status.ok(),
        _ = stop => {}
    }
    // Asked to stop, or the owner is gone.
    group.signal(Signal::SIGTERM);
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(status) => status.ok(),
        Err(_) => {
            tracing::info!("app ignored SIGTERM for {} ms: SIGKILL", grace.as_millis());
            group.signal(Signal::SIGKILL);
            child.wait().await.ok()
        }
    }
}

/// Reads lines as they come, logs them under the `devserve::app` target, keeps the last ones.
async fn drain(reader: impl AsyncRead + Unpin, stream: &'static str, tail: Tail) {
    let mut reader = BufReader::new(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                let line = line.trim_end_matches(['\n', '\r']);
                tracing::info!(target: "devserve::app", stream, "{line}");
                tail.push(line.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    use super::*;

    #[test]
    fn exits_describe_themselves() {
        let check = |raw: i32, expected: &str| {
            let exit = AppExit { status: Some(ExitStatus::from_raw(raw)), output: vec![] };
            assert_eq!(exit.to_string(), expected);
        };
        check(0, "exited with status 0");
        check(101 << 8, "exited with status 101");
        check(9, "was killed by SIGKILL");
        check(15, "was killed by SIGTERM");
    }

    #[test]
    fn a_report_ends_with_the_output() {
        let exit = AppExit {
            status: Some(ExitStatus::from_raw(1 << 8)),
            output: vec!["listening".into(), "thread 'main' panicked".into()],
        };
        assert_eq!(
            exit.report(),
            "The app exited with status 1. Its last output:\nlistening\nthread 'main' panicked"
        );
    }

    fn script(script: &str) -> AppSpec {
        AppSpec {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            env: vec![],
            cwd: std::env::temp_dir(),
            addr: "127.0.0.1:9".parse().unwrap(),
        }
    }

    fn quick() -> SupervisorConfig {
        SupervisorConfig { grace: Duration::from_millis(300), ..SupervisorConfig::default() }
    }

    #[tokio::test]
    async fn a_stop_ends_once_the_whole_group_is_gone() {
        // The app and a child of its that ignore SIGTERM: both need the SIGKILL after the grace.
        let app =
            AppProcess::spawn(&script("trap '' TERM; sleep 30 & echo started; wait"), &quick()).unwrap();
        let pgid = app.group.pgid;
        assert_ne!(pgid, app.pid(), "the guardian leads the group");
        while app.recent_output().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let exit = app.stop().await;
        assert_eq!(exit.to_string(), "was killed by SIGKILL");
        assert!(!guardian::group_alive(pgid), "the stop returned before the group was gone");
    }

    #[tokio::test]
    async fn an_exit_is_reported_once_the_rest_of_the_group_is_gone() {
        let mut app = AppProcess::spawn(&script("sleep 30 & echo bye; exit 3"), &quick()).unwrap();
        let pgid = app.group.pgid;
        let exit = app.exited().await;
        assert_eq!(exit.to_string(), "exited with status 3");
        assert_eq!(exit.output, ["bye"]);
        assert!(!guardian::group_alive(pgid), "the app's background sleep outlived it");
    }

    #[tokio::test]
    async fn dropping_kills_the_group() {
        let app = AppProcess::spawn(&script("trap '' TERM; sleep 30 & wait"), &quick()).unwrap();
        let pgid = app.group.pgid;
        drop(app);
        let deadline = Instant::now() + Duration::from_secs(5);
        while guardian::group_alive(pgid) {
            assert!(Instant::now() < deadline, "the group outlived its AppProcess");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[test]
    fn the_tail_keeps_the_last_lines() {
        let tail = Tail::new(2);
        for line in ["a", "b", "c"] {
            tail.push(line.into());
        }
        assert_eq!(tail.snapshot(), ["b", "c"]);
        let none = Tail::new(0);
        none.push("a".into());
        assert!(none.snapshot().is_empty());
    }
}

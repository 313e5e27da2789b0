//! Child processes for tests: free ports, process groups killed on drop, cargo-built binaries.

use std::collections::HashMap;
use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::{HarnessError, Result};

/// How long a dropped [`ChildGroup`] may take to exit after SIGTERM.
const DROP_GRACE: Duration = Duration::from_secs(5);

/// A TCP port on 127.0.0.1 that was free a moment ago.
///
/// Picked at random below Linux's ephemeral range (32768..), so that the outgoing connections of
/// other processes cannot take it between this call and the test's bind; never the same port
/// twice in one test process.
pub fn free_port() -> Result<u16> {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..200 {
        let port = 15_000 + u16::try_from(random() % 17_000).unwrap_or(0);
        if !given.contains(&port) && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.push(port);
            return Ok(port);
        }
    }
    let listener =
        TcpListener::bind(("127.0.0.1", 0)).map_err(|e| HarnessError::io("bind 127.0.0.1:0", e))?;
    let addr = listener.local_addr().map_err(|e| HarnessError::io("local_addr", e))?;
    Ok(addr.port())
}

fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    hasher.finish()
}

/// The workspace root (the folder holding `client-js/`, `crates/`, `examples/`).
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ lives in the workspace root")
}

/// A child process started in its own process group, with stdout and stderr captured to a log
/// file. Dropping it stops the whole group (SIGTERM, then SIGKILL after a grace period) and, when
/// the test is failing, prints the tail of the log.
#[derive(Debug)]
pub struct ChildGroup {
    name: String,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl ChildGroup {
    /// Start `command` as `name` (used in messages and the log file's name).
    pub fn spawn(name: &str, command: &mut Command) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("devserve-e2e-")
            .tempdir()
            .map_err(|e| HarnessError::io("create a temp dir", e))?;
        let log = dir.path().join(format!("{name}.log"));
        let file =
            File::create(&log).map_err(|e| HarnessError::io(format!("create {}", log.display()), e))?;
        let stderr = file.try_clone().map_err(|e| HarnessError::io("clone the log file", e))?;
        command.process_group(0).stdin(Stdio::null()).stdout(file).stderr(stderr);
        let child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                HarnessError::Missing(format!("{name}: {} is not installed", command.get_program().display()))
            }
            _ => HarnessError::io(format!("start {name}"), e),
        })?;
        Ok(Self { name: name.into(), child, log, _dir: dir })
    }

    /// The process id (also the process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the process wrote to stdout and stderr so far.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }

    /// The log file holding stdout and stderr.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The exit status, if the process has exited.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        self.child.try_wait().map_err(|e| HarnessError::io(format!("wait for {}", self.name), e))
    }

    /// Wait until the output contains `needle`; returns the output. Fails if the process exits
    /// first or `timeout` passes.
    pub async fn wait_for_output(&mut self, needle: &str, timeout: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            let output = self.output();
            if output.contains(needle) {
                return Ok(output);
            }
            if let Some(status) = self.try_wait()? {
                return Err(HarnessError::Process(format!(
                    "{} exited ({status}) before printing {needle:?}:\n{output}",
                    self.name
                )));
            }
            if start.elapsed() > timeout {
                let what = format!("{} to print {needle:?}", self.name);
                return Err(HarnessError::Timeout { what, timeout, last: tail(&output, 30) });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Send `signal` to the whole process group.
    pub fn signal(&self, signal: Signal) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = killpg(Pid::from_raw(pid), signal);
        }
    }

    /// Stop the group gracefully: SIGTERM, then SIGKILL after `grace`. Returns the exit status.
    pub async fn stop(&mut self, grace: Duration) -> Result<ExitStatus> {
        self.signal(Signal::SIGTERM);
        let start = Instant::now();
        while start.elapsed() < grace {
            if let Some(status) = self.try_wait()? {
                self.signal(Signal::SIGKILL); // whatever it left behind
                return Ok(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.signal(Signal::SIGKILL);
        self.child.wait().map_err(|e| HarnessError::io(format!("wait for {}", self.name), e))
    }
}

impl Drop for ChildGroup {
    /// SIGTERM to the group, so a process that supervises children in groups of their own (devserve
    /// and its app) can stop them; SIGKILL to whatever is left after a grace period.
    fn drop(&mut self) {
        self.signal(Signal::SIGTERM);
        let start = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) && start.elapsed() < DROP_GRACE {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.signal(Signal::SIGKILL);
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- {} output (last 40 lines) ----\n{}", self.name, tail(&self.output(), 40));
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Build binary `bin` of workspace package `package` (debug profile) once per test process and
/// return its path, as cargo reports it.
pub fn cargo_bin(package: &str, bin: &str) -> Result<PathBuf> {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let key = format!("{package}/{bin}");
    if let Some(path) = built.get(&key) {
        return Ok(path.clone());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--message-format=json-render-diagnostics", "-p", package, "--bin", bin])
        .current_dir(workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| HarnessError::io("run cargo build", e))?;
    if !output.status.success() {
        return Err(HarnessError::Process(format!("cargo build -p {package} --bin {bin} failed")));
    }
    let path = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact" && msg["target"]["name"] == bin)
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| HarnessError::Process(format!("cargo built no executable named {bin}")))?;
    built.insert(key, path.clone());
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_can_be_bound_and_are_not_given_twice() {
        let ports: Vec<u16> = (0..20).map(|_| free_port().unwrap()).collect();
        for (i, port) in ports.iter().enumerate() {
            assert!(!ports[..i].contains(port), "{port} given twice");
        }
        TcpListener::bind(("127.0.0.1", ports[0])).unwrap();
    }

    #[tokio::test]
    async fn output_is_captured_and_the_group_dies_on_drop() {
        let mut group =
            ChildGroup::spawn("sh", Command::new("sh").args(["-c", "sleep 30 & echo started; wait"]))
                .unwrap();
        group.wait_for_output("started", Duration::from_secs(5)).await.unwrap();
        let pid = group.pid();
        drop(group);
        // The process group is gone (sh and its sleep): signalling it fails, once the orphaned
        // sleep has been reaped.
        let group_alive = || killpg(Pid::from_raw(i32::try_from(pid).unwrap()), None).is_ok();
        let start = Instant::now();
        while group_alive() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!group_alive());
    }

    #[tokio::test]
    async fn a_missing_program_is_reported_as_missing() {
        let err = ChildGroup::spawn("nope", &mut Command::new("/nonexistent/devserve-nope")).unwrap_err();
        assert!(matches!(err, HarnessError::Missing(_)), "{err}");
    }

    #[tokio::test]
    async fn waiting_for_output_fails_when_the_process_exits() {
        let mut group = ChildGroup::spawn("true", &mut Command::new("true")).unwrap();
        let err = group.wait_for_output("never", Duration::from_secs(5)).await.unwrap_err();
        assert!(err.to_string().contains("exited"), "{err}");
    }
}

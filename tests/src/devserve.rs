//! `devserve --hot-reload` on a copy of the bundled example app (`examples/leptos-app`), for
//! end-to-end tests that edit files on disk and look at the result in a browser.
//!
//! [`DevserveApp::start`] gives a test exclusive use of the copy, restores its sources, starts
//! devserve on it and waits until the app is up; dropping the value (or [`DevserveApp::stop`])
//! stops devserve and checks that nothing it started is left running.
//!
//! The copy lives in a stable folder, `<workspace>/target/e2e/leptos-app`, so that the app's own
//! `target/` (Leptos and its dependencies, built by devserve) survives from one test, and one run,
//! to the next: only the first start ever compiles Leptos (minutes); later starts build at most
//! the app's own crate (seconds).
//!
//! ```no_run
//! # async fn example() -> devserve_e2e::Result<()> {
//! use std::time::Duration;
//! use devserve_e2e::{DevserveApp, DevserveOptions};
//!
//! let app = DevserveApp::start(DevserveOptions::default()).await?;
//! app.edit("src/components.rs", r#""Hello from Leptos""#, r#""Hello from devserve""#)?;
//! app.wait_for_log("patched 1 view(s)", Duration::from_secs(5)).await?;
//! app.stop().await?;
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::sync::{Mutex, MutexGuard};

use crate::{ChildGroup, HarnessError, Page, Result, cargo_bin, free_port, replace_in_file, workspace_root};

/// The example app, relative to the workspace root.
pub const EXAMPLE_APP: &str = "examples/leptos-app";
/// The hydrated cargo-leptos example (ssr + hydrate, wasm front end, SCSS, assets).
pub const EXAMPLE_HYDRATE: &str = "examples/leptos-hydrate";
/// Where the examples are copied (`<it>/<example's folder name>`), relative to the workspace root.
pub const APP_COPY: &str = "target/e2e";

/// A devserve binary to run instead of building the workspace's (benchmarks run a release build:
/// `cargo build --release -p devserve` and `DEVSERVE_E2E_DEVSERVE=target/release/devserve`).
const DEVSERVE_BIN: &str = "DEVSERVE_E2E_DEVSERVE";

/// How long [`DevserveApp::stop`] gives devserve to stop the app and exit after SIGTERM.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How long the app's processes may take to disappear once devserve has exited.
const LEFTOVER_GRACE: Duration = Duration::from_secs(3);

/// One per copy: tests of different examples run side by side (each copy has its own target
/// folder), tests of one example take turns.
static IN_PROCESS: [Mutex<()>; 3] = [Mutex::const_new(()), Mutex::const_new(()), Mutex::const_new(())];

/// The in-process lock of `example`'s copy.
fn copy_lock(example: &str) -> &'static Mutex<()> {
    match example {
        EXAMPLE_APP => &IN_PROCESS[0],
        EXAMPLE_HYDRATE => &IN_PROCESS[1],
        _ => &IN_PROCESS[2],
    }
}

/// How to start devserve.
#[derive(Debug, Clone)]
pub struct DevserveOptions {
    /// Arguments after `--hot-reload --app <copy> --port <port>`, e.g.
    /// `["--build-debounce", "20000"]`.
    pub args: Vec<String>,
    /// Pass `--hot-reload` (default `true`).
    pub hot_reload: bool,
    /// Files written into the copy after its sources are restored and before devserve starts:
    /// (path relative to the app, content). For tests that start from a modified app.
    pub files: Vec<(String, String)>,
    /// Wait for the app to be up (`devserve: app restarted in`) before returning; otherwise only
    /// for `devserve: serving` (for tests whose first build is meant to fail). Default `true`.
    pub wait_for_app: bool,
    /// How long to wait for the app. Generous by default: the very first start compiles Leptos
    /// from scratch (about 4 minutes on 2 idle cores).
    pub startup_timeout: Duration,
    /// The example to copy and serve, relative to the workspace root ([`EXAMPLE_APP`] by default).
    pub example: &'static str,
    /// Run devserve through this command (`[program, args..]`; devserve's path and arguments are
    /// appended), e.g. `unshare` to run it in a namespace of its own. The command must end by
    /// exec'ing devserve, so that the process the harness started is devserve. Empty by default.
    pub command_prefix: Vec<String>,
    /// Serve this app folder in place instead of a copy of `example` (benchmarks on an app of
    /// one's own): nothing is copied, restored or written (`files` must be empty; the caller
    /// undoes its edits), and only processes started after devserve, in this process's session,
    /// count as left over.
    pub app_dir: Option<PathBuf>,
}

impl Default for DevserveOptions {
    fn default() -> Self {
        Self {
            args: Vec::new(),
            hot_reload: true,
            files: Vec::new(),
            wait_for_app: true,
            startup_timeout: Duration::from_secs(15 * 60),
            example: EXAMPLE_APP,
            command_prefix: Vec::new(),
            app_dir: None,
        }
    }
}

impl DevserveOptions {
    /// The default options with extra command-line arguments.
    pub fn with_args(args: &[&str]) -> Self {
        Self { args: args.iter().map(|arg| (*arg).to_owned()).collect(), ..Self::default() }
    }
}

/// devserve running on the copy of the example app. Holds the copy exclusively (a lock within
/// this process and a file lock across processes) until dropped.
#[derive(Debug)]
pub struct DevserveApp {
    devserve: Option<ChildGroup>,
    dir: PathBuf,
    port: u16,
    /// In place: the processes using the folder before devserve started (never left over).
    before: Option<BTreeSet<u32>>,
    _file_lock: Flock<File>,
    _in_process: MutexGuard<'static, ()>,
}

impl DevserveApp {
    /// Take the copy, restore its sources to the example's, start devserve on it and wait for it
    /// (see [`DevserveOptions`]). Fails with devserve's output when it exits, its first build
    /// fails, or the wait times out.
    pub async fn start(options: DevserveOptions) -> Result<Self> {
        let (in_process, dir, file_lock) = match &options.app_dir {
            Some(dir) => {
                if !options.files.is_empty() {
                    return Err(HarnessError::Process("an app served in place gets no files written".into()));
                }
                let in_process = copy_lock("").lock().await;
                (in_process, dir.clone(), lock_copy(&dir.join("target/devserve-e2e.lock")).await?)
            }
            None => {
                let in_process = copy_lock(options.example).lock().await;
                let example = workspace_root().join(options.example);
                let name = example.file_name().unwrap_or(example.as_os_str()).to_owned();
                let dir = workspace_root().join(APP_COPY).join(name);
                let file_lock = lock_copy(&dir.with_extension("lock")).await?;
                sync_sources(&example, &dir)?;
                for (rel, content) in &options.files {
                    write_file(&dir.join(rel), content)?;
                }
                (in_process, dir, file_lock)
            }
        };
        let before = options.app_dir.as_ref().map(|dir| processes_using(dir).into_iter().collect());
        let devserve = match std::env::var_os(DEVSERVE_BIN) {
            Some(path) => PathBuf::from(path),
            None => tokio::task::spawn_blocking(|| cargo_bin("devserve", "devserve"))
                .await
                .map_err(|e| HarnessError::Process(format!("building devserve panicked: {e}")))??,
        };
        let port = free_port()?;
        let mut command = match options.command_prefix.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(devserve);
                command
            }
            None => Command::new(devserve),
        };
        if options.hot_reload {
            command.arg("--hot-reload");
        }
        command.arg("--app").arg(&dir).arg("--port").arg(port.to_string()).args(&options.args);
        // The app's target directory must stay the copy's own, whatever the caller's cargo uses,
        // and its toolchain the user's default, not the one running this test.
        for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "RUSTUP_TOOLCHAIN"] {
            command.env_remove(var);
        }
        let group = ChildGroup::spawn("devserve", &mut command)?;
        let app =
            Self { devserve: Some(group), dir, port, before, _file_lock: file_lock, _in_process: in_process };
        let started = Instant::now();
        app.wait_for_log("devserve: serving http://", options.startup_timeout).await?;
        if options.wait_for_app {
            let left = options.startup_timeout.saturating_sub(started.elapsed());
            app.wait_for_app(left).await?;
        }
        Ok(app)
    }

    /// Wait until the app is up (`app restarted in`, or an unchanged binary kept running) after
    /// the build that is running or wanted now; fails early when a build fails.
    async fn wait_for_app(&self, timeout: Duration) -> Result<()> {
        let up = ["devserve: app restarted in", "devserve: binary unchanged"];
        let failed = ["failed after", "the app did not start"];
        let start = Instant::now();
        loop {
            let log = self.log();
            if up.iter().any(|needle| log.contains(needle)) {
                return Ok(());
            }
            if failed.iter().any(|needle| log.contains(needle)) {
                return Err(HarnessError::Process(format!("the app did not come up:\n{}", tail(&log, 60))));
            }
            self.check_running(&log)?;
            if start.elapsed() > timeout {
                let what = "devserve to start the app".to_owned();
                return Err(HarnessError::Timeout { what, timeout, last: tail(&log, 30) });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `http://127.0.0.1:<port><path>`, served by devserve.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The port devserve serves on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The app's folder (the copy).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file of the app, by path relative to its folder (`src/app.rs`).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// The content of a file of the app.
    pub fn read(&self, rel: &str) -> Result<String> {
        let path = self.path(rel);
        std::fs::read_to_string(&path).map_err(|e| HarnessError::io(format!("read {}", path.display()), e))
    }

    /// Replace the one occurrence of `from` by `to` in a file of the app, written in place with
    /// one `write` as an editor saves. Fails when `from` does not occur exactly once.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> Result<()> {
        replace_in_file(&self.path(rel), from, to)
    }

    /// [`DevserveApp::edit`], saved as some editors do: the new content is written to a
    /// temporary file next to the source (`<name>.tmp`), which is then renamed over it.
    pub fn edit_by_rename(&self, rel: &str, from: &str, to: &str) -> Result<()> {
        let temp = self.path(&format!("{rel}.tmp"));
        std::fs::copy(self.path(rel), &temp)
            .map_err(|e| HarnessError::io(format!("copy {rel} to {}", temp.display()), e))?;
        replace_in_file(&temp, from, to)?;
        std::fs::rename(&temp, self.path(rel))
            .map_err(|e| HarnessError::io(format!("rename {} to {rel}", temp.display()), e))
    }

    /// Write a file of the app (created with its folders if needed) with one `write`.
    pub fn write(&self, rel: &str, content: &str) -> Result<()> {
        write_file(&self.path(rel), content)
    }

    /// Poll `expr` in `page` until it equals `expected` (an error while the page navigates is
    /// "not yet"); fails with the last value and devserve's log after `timeout`.
    pub async fn wait_value(
        &self,
        page: &crate::Page,
        expr: &str,
        expected: &serde_json::Value,
        timeout: Duration,
    ) {
        let start = Instant::now();
        loop {
            let last = match page.eval(expr).await {
                Ok(value) if value == *expected => return,
                Ok(value) => value.to_string(),
                Err(err) => format!("error: {err}"),
            };
            assert!(
                start.elapsed() < timeout,
                "after {timeout:?}, `{expr}` is {last}, not {expected}\n--- devserve ---\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// devserve's output so far (stdout and stderr, the app's lines it forwards included), with
    /// ANSI colour codes removed.
    pub fn log(&self) -> String {
        self.devserve.as_ref().map(|group| strip_ansi(&group.output())).unwrap_or_default()
    }

    /// devserve's process id (`None` once it was stopped).
    pub fn pid(&self) -> Option<u32> {
        self.devserve.as_ref().map(ChildGroup::pid)
    }

    /// How many bytes devserve has written so far: a mark for [`DevserveApp::log_since`].
    pub fn log_len(&self) -> u64 {
        let path = self.devserve.as_ref().map(ChildGroup::log_path);
        path.and_then(|path| std::fs::metadata(path).ok()).map_or(0, |meta| meta.len())
    }

    /// [`DevserveApp::log`] from byte `mark` on (a [`DevserveApp::log_len`]): for tests that
    /// look at the output of one step among thousands, without reading all of it each time.
    pub fn log_since(&self, mark: u64) -> String {
        use std::io::{Read, Seek, SeekFrom};
        let Some(group) = &self.devserve else { return String::new() };
        let mut bytes = Vec::new();
        if let Ok(mut file) = File::open(group.log_path())
            && file.seek(SeekFrom::Start(mark)).is_ok()
        {
            let _ = file.read_to_end(&mut bytes);
        }
        strip_ansi(&String::from_utf8_lossy(&bytes))
    }

    /// How many times `needle` occurs in [`DevserveApp::log`].
    pub fn count_log(&self, needle: &str) -> usize {
        self.log().matches(needle).count()
    }

    /// Wait until [`DevserveApp::log`] contains `needle`; returns the log. Fails when devserve
    /// exits first or `timeout` passes.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) -> Result<String> {
        self.wait_for_log_count(needle, 1, timeout).await
    }

    /// Wait until `needle` occurs at least `count` times in [`DevserveApp::log`] (e.g. the
    /// second `app restarted`); returns the log.
    pub async fn wait_for_log_count(&self, needle: &str, count: usize, timeout: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            let log = self.log();
            if log.matches(needle).count() >= count {
                return Ok(log);
            }
            self.check_running(&log)?;
            if start.elapsed() > timeout {
                let what = format!("devserve to print {needle:?} {count} time(s)");
                return Err(HarnessError::Timeout { what, timeout, last: tail(&log, 30) });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Fails when devserve has exited.
    pub fn assert_running(&self) -> Result<()> {
        self.check_running(&self.log())
    }

    fn check_running(&self, log: &str) -> Result<()> {
        let status = match &self.devserve {
            // `try_wait` needs `&mut`; signal 0 asks the same without reaping.
            Some(group) => kill(pid(group.pid()), None).is_ok() && !is_zombie(group.pid()),
            None => false,
        };
        if status {
            Ok(())
        } else {
            Err(HarnessError::Process(format!("devserve is not running:\n{}", tail(log, 40))))
        }
    }

    /// Navigate `page` to `path` on devserve, wait until the client has connected, and mark the
    /// document (see [`Page::same_document`]).
    pub async fn open(&self, page: &Page, path: &str) -> Result<()> {
        page.goto(&self.url(path)).await?;
        let connected = "window.__devserve && window.__devserve.state().connected";
        page.wait_for(connected, Duration::from_secs(10)).await?;
        page.mark().await
    }

    /// Processes started for the copy that are still running: the app, cargo and rustc (found by
    /// the copy's path in their command line or executable), devserve itself excluded.
    pub fn app_processes(&self) -> Vec<u32> {
        let own = self.devserve.as_ref().map(ChildGroup::pid);
        let ours = |p: u32| match &self.before {
            Some(before) => !before.contains(&p) && session(p) == session(std::process::id()),
            None => true,
        };
        processes_using(&self.dir).into_iter().filter(|&p| Some(p) != own && ours(p)).collect()
    }

    /// Stop devserve with SIGTERM, as Ctrl-C would, and check that it exits successfully and
    /// leaves none of the app's processes running.
    pub async fn stop(self) -> Result<()> {
        self.stop_with(Signal::SIGTERM).await.map(drop)
    }

    /// [`DevserveApp::stop`] with another signal (SIGHUP: the terminal closed; SIGINT: Ctrl-C);
    /// returns how long devserve took to exit.
    pub async fn stop_with(mut self, signal: Signal) -> Result<Duration> {
        let Some(mut group) = self.devserve.take() else { return Ok(Duration::ZERO) };
        let devserve_pid = group.pid();
        // The signal to devserve alone: it must stop its app (in a process group of its own) itself.
        let _ = kill(pid(devserve_pid), signal);
        let start = Instant::now();
        let status = loop {
            if let Some(status) = group.try_wait()? {
                break Some(status);
            }
            if start.elapsed() > STOP_GRACE {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let log = strip_ansi(&group.output());
        let Some(status) = status else {
            drop(group);
            return Err(HarnessError::Process(format!(
                "devserve did not exit within {STOP_GRACE:?} of {signal}:\n{}",
                tail(&log, 30)
            )));
        };
        let took = start.elapsed();
        let leftovers = self.wait_for_leftovers().await;
        drop(group);
        check_exit(status, &leftovers, &log).map(|()| took)
    }

    /// The copy's processes still running after [`LEFTOVER_GRACE`], killed (by pid) if any.
    async fn wait_for_leftovers(&self) -> Vec<(u32, String)> {
        let start = Instant::now();
        loop {
            let pids = self.app_processes();
            if pids.is_empty() {
                return Vec::new();
            }
            if start.elapsed() > LEFTOVER_GRACE {
                let described = pids.iter().map(|&p| (p, command_line(p))).collect();
                for p in pids {
                    let _ = kill(pid(p), Signal::SIGKILL);
                }
                return described;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for DevserveApp {
    /// Stops devserve (SIGTERM to its group, SIGKILL after a grace period) and kills whatever of
    /// the app is still running; prints devserve's output when the test is failing.
    fn drop(&mut self) {
        let Some(group) = self.devserve.take() else { return };
        drop(group);
        let start = Instant::now();
        while !self.app_processes().is_empty() && start.elapsed() < LEFTOVER_GRACE {
            std::thread::sleep(Duration::from_millis(20));
        }
        for p in self.app_processes() {
            eprintln!("devserve left process {p} running ({}): killing it", command_line(p));
            let _ = kill(pid(p), Signal::SIGKILL);
        }
    }
}

fn check_exit(status: ExitStatus, leftovers: &[(u32, String)], log: &str) -> Result<()> {
    if !leftovers.is_empty() {
        let list: Vec<String> = leftovers.iter().map(|(p, cmd)| format!("  {p}: {cmd}")).collect();
        return Err(HarnessError::Process(format!(
            "devserve exited ({status}) but left processes running:\n{}\n{}",
            list.join("\n"),
            tail(log, 30)
        )));
    }
    if !status.success() {
        return Err(HarnessError::Process(format!("devserve exited with {status}:\n{}", tail(log, 30))));
    }
    Ok(())
}

/// Lock the file `path` (`<copy>.lock`) so that one test process at a time uses the copy. Waits
/// for other test processes (another `cargo test` run) to finish with it.
async fn lock_copy(path: &Path) -> Result<Flock<File>> {
    let parent = path.parent().unwrap_or(path);
    std::fs::create_dir_all(parent)
        .map_err(|e| HarnessError::io(format!("create {}", parent.display()), e))?;
    let mut file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| HarnessError::io(format!("open {}", path.display()), e))?;
    let mut told = false;
    loop {
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => return Ok(lock),
            Err((back, Errno::EWOULDBLOCK)) => {
                file = back;
                if !told {
                    eprintln!("waiting for another test process to release {}", path.display());
                    told = true;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err((_, errno)) => {
                return Err(HarnessError::io(format!("lock {}", path.display()), errno.into()));
            }
        }
    }
}

/// Make the sources under `to` equal to those under `from` (`target/` and `.git/` left out on
/// both sides): files whose content differs are rewritten, missing ones created, extra files and
/// folders removed. Unchanged files are not touched, so cargo's fingerprints of them stay valid.
/// Returns the relative paths written or removed.
fn sync_sources(from: &Path, to: &Path) -> Result<Vec<String>> {
    let wanted = source_files(from)?;
    let mut changed = Vec::new();
    for rel in &wanted {
        let source = from.join(rel);
        let content =
            std::fs::read(&source).map_err(|e| HarnessError::io(format!("read {}", source.display()), e))?;
        let dest = to.join(rel);
        if std::fs::read(&dest).ok().as_deref() != Some(content.as_slice()) {
            write_file(&dest, &content)?;
            changed.push(rel.clone());
        }
    }
    for rel in source_files(to)? {
        if !wanted.contains(&rel) {
            let path = to.join(&rel);
            std::fs::remove_file(&path)
                .map_err(|e| HarnessError::io(format!("remove {}", path.display()), e))?;
            changed.push(rel);
        }
    }
    remove_extra_dirs(from, to)?;
    Ok(changed)
}

/// Relative paths (`/`-separated) of the files under `root`, `target/` and `.git/` left out.
fn source_files(root: &Path) -> Result<BTreeSet<String>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeSet<String>) -> Result<()> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| HarnessError::io(format!("read {}", dir.display()), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| HarnessError::io(format!("read {}", dir.display()), e))?;
            let path = entry.path();
            if is_skipped(&path) {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, files)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                files.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut files = BTreeSet::new();
    if root.is_dir() {
        walk(root, root, &mut files)?;
    }
    Ok(files)
}

/// Remove the folders under `to` that have no counterpart under `from` (`target/` kept).
fn remove_extra_dirs(from: &Path, to: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(to) else { return Ok(()) };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() || is_skipped(&path) {
            continue;
        }
        let counterpart = from.join(entry.file_name());
        if counterpart.is_dir() {
            remove_extra_dirs(&counterpart, &path)?;
        } else {
            std::fs::remove_dir_all(&path)
                .map_err(|e| HarnessError::io(format!("remove {}", path.display()), e))?;
        }
    }
    Ok(())
}

fn is_skipped(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name == "target" || name == ".git")
}

fn write_file(path: &Path, content: impl AsRef<[u8]>) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| HarnessError::io(format!("create {}", parent.display()), e))?;
    }
    std::fs::write(path, content).map_err(|e| HarnessError::io(format!("write {}", path.display()), e))
}

/// Pids of the processes whose executable or command line names a path under `dir`.
fn processes_using(dir: &Path) -> Vec<u32> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let needle = dir.to_string_lossy().into_owned();
    let own = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| p != own && !is_zombie(p))
        .filter(|&p| {
            let exe = std::fs::read_link(format!("/proc/{p}/exe")).unwrap_or_default();
            exe.starts_with(&dir) || command_line(p).contains(&needle)
        })
        .collect()
}

/// A process's command line, arguments separated by spaces ("" when it is gone).
fn command_line(p: u32) -> String {
    let raw = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw).split('\0').filter(|arg| !arg.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A process's session id (`None` when it is gone).
fn session(p: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
    // After the command name: state, ppid, pgrp, session.
    stat.rsplit_once(')')?.1.split_whitespace().nth(3)?.parse().ok()
}

/// Whether a process has exited but not been reaped (it holds no resources any more).
fn is_zombie(p: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
    // The state follows the command name, which is in parentheses and may contain spaces.
    stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
}

fn pid(p: u32) -> Pid {
    Pid::from_raw(i32::try_from(p).unwrap_or(i32::MAX))
}

/// `text` without ANSI escape sequences (CSI such as colours, and OSC such as hyperlinks).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates up to a final byte in @..~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ST (ESC \).
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_codes_are_removed() {
        for (input, expected) in [
            ("devserve: \x1b[33mwarning\x1b[0m: parse error", "devserve: warning: parse error"),
            ("\x1b[1m\x1b[38;5;9merror\x1b[0m\x1b[1m: x\x1b[0m", "error: x"),
            ("\x1b]8;;https://x\x1b\\link\x1b]8;;\x07 after", "link after"),
            ("plain µs text", "plain µs text"),
        ] {
            assert_eq!(strip_ansi(input), expected, "{input:?}");
        }
    }

    fn put(root: &Path, files: &[(&str, &str)]) {
        for (rel, content) in files {
            write_file(&root.join(rel), content).unwrap();
        }
    }

    #[test]
    fn sources_are_restored_without_touching_equal_files_or_the_target_folder() {
        let example = tempfile::tempdir().unwrap();
        put(example.path(), &[("Cargo.toml", "[package]"), ("src/app.rs", "app"), ("src/lib.rs", "lib")]);
        let copy = tempfile::tempdir().unwrap();
        assert_eq!(sync_sources(example.path(), copy.path()).unwrap().len(), 3, "first copy");

        // What a test leaves behind: an edit, a new file and folder, a deleted file, build output.
        put(
            copy.path(),
            &[("src/app.rs", "edited"), ("src/pages/home.rs", "new"), ("target/debug/app", "binary")],
        );
        std::fs::remove_file(copy.path().join("src/lib.rs")).unwrap();
        let untouched = std::fs::metadata(copy.path().join("Cargo.toml")).unwrap().modified().unwrap();

        let changed = sync_sources(example.path(), copy.path()).unwrap();
        assert_eq!(changed, ["src/app.rs", "src/lib.rs", "src/pages/home.rs"]);
        assert_eq!(source_files(copy.path()).unwrap(), source_files(example.path()).unwrap());
        assert_eq!(std::fs::read_to_string(copy.path().join("src/app.rs")).unwrap(), "app");
        assert!(!copy.path().join("src/pages").exists(), "the extra folder is removed");
        assert!(copy.path().join("target/debug/app").exists(), "build output is kept");
        let modified = std::fs::metadata(copy.path().join("Cargo.toml")).unwrap().modified().unwrap();
        assert_eq!(modified, untouched, "an equal file is not rewritten");
        assert!(sync_sources(example.path(), copy.path()).unwrap().is_empty(), "already in sync");
    }

    #[test]
    fn processes_are_found_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut sleeper = Command::new("sleep").arg("30").current_dir(dir.path()).spawn().unwrap();
        assert!(processes_using(dir.path()).is_empty(), "a working directory is not a use");
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();

        let script = dir.path().join("wait.sh");
        // A shell builtin that blocks on stdin: no child process of its own to be found too.
        std::fs::write(&script, "read line\n").unwrap();
        let mut child = Command::new("sh").arg(&script).stdin(std::process::Stdio::piped()).spawn().unwrap();
        // Until the child has exec'd `sh`, /proc shows the forked test binary's command line.
        let cmdline = format!("/proc/{}/cmdline", child.id());
        let exec_deadline = Instant::now() + Duration::from_secs(10);
        while !std::fs::read(&cmdline).is_ok_and(|c| c.starts_with(b"sh\0")) && Instant::now() < exec_deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let found = processes_using(dir.path());
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(found, [child.id()]);
        assert!(processes_using(dir.path()).is_empty(), "a reaped process is gone");
    }
}

//! devserve's processes live and die with it, and its terminal says what happened in one clean
//! format.
//!
//! - SIGHUP (the terminal closed), SIGKILL and a panic of devserve leave no app, cargo or rustc
//!   process behind: every process group devserve starts is led by a guardian that kills the group
//!   when devserve is gone, however it went.
//! - An app that ignores SIGTERM is killed after the grace period; an app that exits on its own is
//!   reported with its last output and started again on the next save; pages that are open while
//!   devserve restarts reconnect and reload at most once.
//! - Colour only on a terminal (a pty made by `script`) and never with `NO_COLOR`; a file gets no
//!   escape codes at all, cargo's diagnostics included; tracing lines look like devserve's own.
//!
//! Most cases run devserve on a tiny app (std only, built in about a second) in a temp folder; the
//! cases that need a rustc to catch use the example app.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use devserve_e2e::{Browser, ChildGroup, DevserveApp, DevserveOptions, cargo_bin, free_port};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;

/// How long devserve may take to build the tiny app and start it (or the example's incremental
/// build, on two busy cores).
const BUILD: Duration = Duration::from_secs(5 * 60);
/// How long the processes devserve started may take to be gone once it is.
const GONE: Duration = Duration::from_secs(3);
/// devserve's grace period between SIGTERM and SIGKILL when it stops the app.
const APP_GRACE: Duration = Duration::from_secs(3);

/// The tiny app: answers every request with a page that counts its loads per tab, after
/// `{setup}` ran at the start of `main`.
const TINY_MAIN: &str = r#"use std::io::{Read, Write};

const PAGE: &str = "<!DOCTYPE html><html><head><title>tiny</title></head><body><p>tiny</p>\
    <script>sessionStorage.loads = String(Number(sessionStorage.loads || 0) + 1)</script></body></html>";

fn main() {
    {setup}
    let addr = std::env::var("LEPTOS_SITE_ADDR").unwrap();
    let listener = std::net::TcpListener::bind(&addr).unwrap();
    println!("listening on {addr}");
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut request = [0u8; 8192];
        let _ = stream.read(&mut request);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{PAGE}",
            PAGE.len()
        );
    }
}
"#;

/// `setup` for an app that ignores SIGTERM.
const IGNORE_SIGTERM: &str = r#"extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    // SIG_IGN for SIGTERM.
    unsafe { signal(15, 1) };"#;

/// A compile error, rendered by cargo in colour (`--color=always`).
const BROKEN_MAIN: &str = "fn main() {\n    let n: u32 = \"text\";\n}\n";

fn tiny_main(setup: &str) -> String {
    TINY_MAIN.replace("{setup}", setup)
}

/// A tiny app in a temp folder, with its lock file (so the first build writes nothing the watcher
/// would see).
fn tiny_app(main_rs: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("devserve-tiny-").tempdir().unwrap();
    let manifest = "[package]\nname = \"tiny\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), main_rs).unwrap();
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["generate-lockfile", "--offline"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

async fn devserve_bin() -> PathBuf {
    tokio::task::spawn_blocking(|| cargo_bin("devserve", "devserve")).await.unwrap().unwrap()
}

/// `devserve --fast off --app <dir> --port <port> <args>` with `env`, its output in a file.
fn devserve_command(bin: &Path, dir: &Path, port: u16, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(bin);
    command.args(["--fast", "off", "--port", &port.to_string()]).arg("--app").arg(dir).args(args);
    for var in
        ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "RUSTUP_TOOLCHAIN", "NO_COLOR", "CLICOLOR_FORCE"]
    {
        command.env_remove(var);
    }
    // A terminal would say it supports colour: only "not a terminal" may turn colour off here.
    command.env("TERM", "xterm-256color");
    command.envs(env.iter().copied());
    command
}

/// devserve on a tiny app.
struct Tiny {
    devserve: ChildGroup,
    dir: tempfile::TempDir,
}

impl Tiny {
    async fn start(main_rs: &str, args: &[&str], env: &[(&str, &str)]) -> Tiny {
        let dir = tiny_app(main_rs);
        let devserve = spawn_devserve(dir.path(), free_port().unwrap(), args, env).await;
        Tiny { devserve, dir }
    }

    /// devserve's output as it wrote it (escape codes included).
    fn raw_log(&self) -> String {
        self.devserve.output()
    }

    async fn wait_for(&self, needle: &str, count: usize, timeout: Duration) -> String {
        wait_for_log(&self.devserve, needle, count, timeout).await
    }

    fn write_main(&self, main_rs: &str) {
        std::fs::write(self.dir.path().join("src/main.rs"), main_rs).unwrap();
    }

    /// The tiny app's processes (app, cargo, rustc) still alive.
    fn app_processes(&self) -> Vec<(u32, String)> {
        processes_using(self.dir.path(), self.devserve.pid())
    }
}

async fn spawn_devserve(dir: &Path, port: u16, args: &[&str], env: &[(&str, &str)]) -> ChildGroup {
    let bin = devserve_bin().await;
    ChildGroup::spawn("devserve", &mut devserve_command(&bin, dir, port, args, env)).unwrap()
}

/// Waits until `group`'s output holds `needle` `count` times; fails with the output if it exits
/// first or `timeout` passes.
async fn wait_for_log(group: &ChildGroup, needle: &str, count: usize, timeout: Duration) -> String {
    let start = Instant::now();
    loop {
        let log = group.output();
        if log.matches(needle).count() >= count {
            return log;
        }
        let alive = kill(Pid::from_raw(group.pid() as i32), None).is_ok() && !is_zombie(group.pid());
        assert!(alive, "devserve exited before printing {needle:?} {count} time(s):\n{log}");
        assert!(start.elapsed() < timeout, "no {needle:?} {count} time(s) after {timeout:?}:\n{log}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Live processes (not zombies) whose executable or command line names a path under `dir`,
/// `except` left out.
fn processes_using(dir: &Path, except: u32) -> Vec<(u32, String)> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let needle = dir.to_string_lossy().into_owned();
    let own = std::process::id();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        if pid == own || pid == except || is_zombie(pid) {
            continue;
        }
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        let cmdline = command_line(pid);
        if exe.starts_with(&dir) || cmdline.contains(&needle) {
            found.push((pid, cmdline));
        }
    }
    found
}

fn command_line(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&raw).split('\0').filter(|arg| !arg.is_empty()).collect::<Vec<_>>().join(" ")
}

fn is_zombie(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')').is_none_or(|(_, rest)| rest.trim_start().starts_with('Z'))
}

/// Waits until `list()` is empty; fails with what is left after [`GONE`].
async fn assert_all_gone(what: &str, list: impl Fn() -> Vec<(u32, String)>, log: impl Fn() -> String) {
    let start = Instant::now();
    loop {
        let left = list();
        if left.is_empty() {
            return;
        }
        if start.elapsed() > GONE {
            for (pid, _) in &left {
                let _ = kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
            }
            panic!("{what}: processes left running {GONE:?} later:\n{left:#?}\n--- devserve ---\n{}", log());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// devserve's end takes everything it started along.

const APP_RS: &str = "src/app.rs";
const ANSWER: &str = "let answer = 6 * 7;";

/// devserve on the example, in the middle of a build after a code change: returns once a rustc
/// of the app runs.
async fn example_building() -> DevserveApp {
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    app.edit(APP_RS, ANSWER, "let answer = 6 * 8;").unwrap();
    let start = Instant::now();
    loop {
        let rustc = app.app_processes().into_iter().any(|pid| {
            let cmdline = command_line(pid);
            cmdline.contains("rustc") && cmdline.contains("--crate-name")
        });
        if rustc {
            return app;
        }
        assert!(start.elapsed() < BUILD, "no rustc ran after the change:\n{}", app.log());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// devserve's own pid, found by the port it serves on.
fn devserve_pid(app: &DevserveApp) -> u32 {
    let port = format!("--port {}", app.port());
    let dir = app.dir().to_string_lossy().into_owned();
    let found: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            let cmdline = command_line(pid);
            cmdline.contains(&port) && cmdline.contains(&dir) && !is_zombie(pid)
        })
        .collect();
    assert_eq!(found.len(), 1, "devserve's pid: {found:?}");
    found[0]
}

#[tokio::test]
async fn sigkill_during_a_build_leaves_no_rustc_and_no_app() {
    let app = example_building().await;
    let log = app.log();
    kill(Pid::from_raw(devserve_pid(&app) as i32), Signal::SIGKILL).unwrap();
    let described = || app.app_processes().into_iter().map(|pid| (pid, command_line(pid))).collect();
    assert_all_gone("SIGKILL during a build", described, || log.clone()).await;
}

#[tokio::test]
async fn sighup_during_a_build_leaves_no_rustc_and_no_app() {
    let app = example_building().await;
    // Fails if devserve does not exit successfully or leaves anything of the copy running.
    app.stop_with(Signal::SIGHUP).await.unwrap();
}

#[tokio::test]
async fn sigkill_leaves_no_app() {
    let tiny = Tiny::start(&tiny_main(""), &[], &[]).await;
    tiny.wait_for("app restarted in", 1, BUILD).await;
    assert_eq!(tiny.app_processes().len(), 1, "the app runs: {:?}", tiny.app_processes());
    tiny.devserve.signal(Signal::SIGKILL);
    assert_all_gone("SIGKILL", || tiny.app_processes(), || tiny.raw_log()).await;
}

#[tokio::test]
async fn a_panic_leaves_no_app() {
    let env = [("DEVSERVE_TEST_PANIC_AFTER_START", "1")];
    let mut tiny = Tiny::start(&tiny_main(""), &[], &env).await;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = tiny.devserve.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < BUILD, "devserve did not panic:\n{}", tiny.raw_log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let log = tiny.raw_log();
    assert_eq!(status.code(), Some(101), "{log}");
    assert!(log.contains("app restarted in") && log.contains("panicking on purpose"), "{log}");
    assert_all_gone("a panic", || tiny.app_processes(), || tiny.raw_log()).await;
}

// ---------------------------------------------------------------------------------------------
// The app's own lifetime.

#[tokio::test]
async fn an_app_ignoring_sigterm_is_killed_after_the_grace_period() {
    let tiny = Tiny::start(&tiny_main(IGNORE_SIGTERM), &[], &[]).await;
    tiny.wait_for("app restarted in", 1, BUILD).await;
    let old: Vec<u32> = tiny.app_processes().into_iter().map(|(pid, _)| pid).collect();
    assert_eq!(old.len(), 1, "{old:?}");

    // A code change: the old app must go before the new one starts.
    tiny.write_main(&tiny_main(&format!("{IGNORE_SIGTERM}\n    let _changed = 1;")));
    let log = tiny.wait_for("app restarted in", 2, BUILD).await;
    assert!(log.contains("devserve: app ignored SIGTERM for 3000 ms: SIGKILL"), "{log}");
    let took: u64 =
        log.rsplit("app restarted in ").next().unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(Duration::from_millis(took) >= APP_GRACE, "restarted in {took} ms, before the grace ended");
    assert!(!tiny.app_processes().iter().any(|(pid, _)| old.contains(pid)), "the old app still runs");
}

#[tokio::test]
async fn an_app_exiting_later_is_reported_with_its_output_and_started_on_the_next_save() {
    let trigger = tempfile::tempdir().unwrap();
    let exit_now = trigger.path().join("exit-now");
    let setup = format!(
        "std::thread::spawn(|| loop {{\n        if std::path::Path::new({exit_now:?}).exists() {{\n            \
         eprintln!(\"exiting on purpose\");\n            std::process::exit(3);\n        }}\n        \
         std::thread::sleep(std::time::Duration::from_millis(20));\n    }});"
    );
    let tiny = Tiny::start(&tiny_main(&setup), &[], &[]).await;
    tiny.wait_for("app restarted in", 1, BUILD).await;

    std::fs::write(&exit_now, "").unwrap();
    let log = tiny.wait_for("exited with status 3. Its last output:", 1, BUILD).await;
    let report = &log[log.find("exited with status 3. Its last output:").unwrap()..];
    assert!(log.contains("devserve: error: ") && report.contains("exiting on purpose"), "{log}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(tiny.app_processes().is_empty(), "{:?}", tiny.app_processes());
    assert_eq!(tiny.raw_log().matches("app restarted in").count(), 1, "not restarted before a save");

    // The next save, even one that changes no code, starts it again.
    std::fs::remove_file(&exit_now).unwrap();
    tiny.write_main(&format!("// saved again\n{}", tiny_main(&setup)));
    let log = tiny.wait_for("app restarted in", 2, BUILD).await;
    assert_eq!(log.matches("app: listening on").count(), 2, "{log}");
    assert_eq!(tiny.app_processes().len(), 1, "{:?}", tiny.app_processes());
}

#[tokio::test]
async fn pages_open_while_devserve_restarts_reconnect_and_reload_at_most_once() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let dir = tiny_app(&tiny_main(""));
    let port = free_port().unwrap();
    let mut first = spawn_devserve(dir.path(), port, &[], &[]).await;
    wait_for_log(&first, "app restarted in", 1, BUILD).await;

    let url = format!("http://127.0.0.1:{port}/");
    let connected = "window.__devserve && window.__devserve.state().connected";
    let page = browser.page().await.unwrap();
    let other = page.new_tab().await.unwrap();
    let pages = [page, other];
    for page in &pages {
        page.goto(&url).await.unwrap();
        page.wait_for(connected, Duration::from_secs(10)).await.unwrap();
        assert_eq!(page.eval("sessionStorage.loads").await.unwrap(), json!("1"));
    }

    first.stop(Duration::from_secs(10)).await.unwrap();
    let second = spawn_devserve(dir.path(), port, &[], &[]).await;
    wait_for_log(&second, "app restarted in", 1, BUILD).await;
    for page in &pages {
        let back = format!("({connected}) && sessionStorage.loads === '2'");
        page.wait_for(&back, Duration::from_secs(30)).await.unwrap();
    }
    // No second reload, no loop: connected, and still the second load, a while later.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for page in &pages {
        let state = page.eval(&format!("[{connected}, sessionStorage.loads]")).await.unwrap();
        assert_eq!(state, json!([true, "2"]), "{}", second.output());
    }
    drop(second);
    assert_all_gone("after the restarts", || processes_using(dir.path(), 0), String::new).await;
}

// ---------------------------------------------------------------------------------------------
// The terminal.

/// The SGR (colour and style) escape sequences in `text`.
fn colour_codes(text: &str) -> usize {
    text.match_indices("\x1b[")
        .filter(|(at, _)| {
            let rest = &text[at + 2..];
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(rest.len());
            rest[end..].starts_with('m')
        })
        .count()
}

#[tokio::test]
async fn output_to_a_file_has_no_escape_codes_and_one_format() {
    // `--host 0.0.0.0` for a warning; a compile error for cargo's coloured diagnostics.
    let tiny = Tiny::start(
        BROKEN_MAIN,
        &["--host", "0.0.0.0"],
        &[("DEVSERVE_LOG", "devserve=info,devserve_server=debug")],
    )
    .await;
    tiny.wait_for("failed after", 1, BUILD).await;
    tiny.write_main(&tiny_main(""));
    tiny.wait_for("app restarted in", 1, BUILD).await;
    let log = tiny.raw_log();
    assert!(!log.contains('\x1b'), "escape codes in a file:\n{log:?}");
    for line in [
        "devserve: warning: devserve listens on every network interface",
        "error[E0308]: mismatched types",
        "devserve: error: build 1 failed after",
        "devserve: app started (pid ",
        "app: listening on 127.0.0.1:",
        "devserve: debug: ",
    ] {
        assert!(log.lines().any(|l| l.starts_with(line)), "no line starting with {line:?}:\n{log}");
    }
    for level in ["INFO", "WARN", "ERROR", "DEBUG"] {
        assert!(!log.lines().any(|l| l.trim_start().starts_with(level)), "a raw tracing line:\n{log}");
    }
}

/// devserve on a broken tiny app on a terminal (a pty made by `script`), with `env`; returns what
/// the terminal received once the build failed.
async fn on_a_terminal(env: &[(&str, &str)]) -> String {
    let dir = tiny_app(BROKEN_MAIN);
    let bin = devserve_bin().await;
    let typescript = dir.path().join("typescript");
    let pid_file = dir.path().join("devserve.pid");
    let inner = devserve_command(&bin, dir.path(), free_port().unwrap(), &["--host", "0.0.0.0"], env);
    let mut line = format!("echo $$ > {}; exec", pid_file.display());
    line.push_str(&format!(" {}", inner.get_program().to_string_lossy()));
    for arg in inner.get_args() {
        line.push_str(&format!(" {}", arg.to_string_lossy()));
    }
    let mut script = Command::new("script");
    script.args(["-q", "-f", "-e", "-c", &line]).arg(&typescript);
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    let script = ChildGroup::spawn("script", &mut script).unwrap();
    let start = Instant::now();
    let output = loop {
        let output = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap_or_default()).into_owned();
        if output.contains("failed after") {
            break output;
        }
        assert!(start.elapsed() < BUILD, "no failed build on the terminal:\n{output}\n{}", script.output());
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let pid: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    kill(Pid::from_raw(pid), Signal::SIGTERM).unwrap();
    let start = Instant::now();
    while kill(Pid::from_raw(pid), None).is_ok() && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(script);
    output
}

#[tokio::test]
async fn colour_on_a_terminal_unless_no_color_is_set() {
    let coloured = on_a_terminal(&[]).await;
    assert!(coloured.contains("devserve: \x1b["), "devserve's warning label is not coloured:\n{coloured:?}");
    assert!(colour_codes(&coloured) > 4, "cargo's diagnostics are not coloured:\n{coloured:?}");

    let plain = on_a_terminal(&[("NO_COLOR", "1")]).await;
    assert_eq!(colour_codes(&plain), 0, "colour despite NO_COLOR:\n{plain:?}");
    assert!(plain.contains("devserve: warning: devserve listens"), "{plain:?}");
    assert!(plain.contains("error[E0308]: mismatched types"), "{plain:?}");
}

//! `--debug-info`: the fast profile (its backend, linker and target folder) with full debug info
//! for the app's own crate and none for its dependencies. gdb, on the binary devserve built,
//! resolves a line of a component to an address and the component's function to its file and
//! line, stops the running app in that component when a page is requested and prints its
//! arguments, and finds no debug info in Leptos (so the rebuild after an edit stays fast).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use devserve_e2e::{ChildGroup, DevserveApp, DevserveOptions, free_port};

use super::{ANSWER, APP_RS, line_of};

const COMPONENTS_RS: &str = "src/components.rs";
/// The component the debugger looks at (`answer` is [`ANSWER`]'s value).
const STATS: &str = "pub(crate) fn Stats(answer: u32, visits: u64) -> impl IntoView {";
/// Its body, as the `#[component]` macro names it.
const STATS_FN: &str = "leptos_app::components::__component_stats";
/// A function of a dependency (leptos's configuration crate), not generic: compiled in its own
/// crate, which has no debug info. No `$`: legacy mangling (stable's) ends the name with a hash.
const DEPENDENCY_FN: &str = "::get_configuration";
/// How long the app may take to start under gdb, and gdb to run its commands.
const UNDER_GDB: Duration = Duration::from_secs(120);
const INSTALL_GDB: &str = "apt-get install -y gdb";

#[tokio::test]
async fn debug_info_gives_the_apps_code_lines_and_variables_and_dependencies_none() {
    if !gdb_installed() {
        return;
    }
    let app = DevserveApp::start(DevserveOptions::with_args(&["--debug-info"])).await.unwrap();
    let log = app.log();
    let said = |prefix: &str| {
        let line = log.lines().find_map(|line| line.strip_prefix(prefix));
        line.unwrap_or_else(|| panic!("devserve did not say {prefix:?} at start:\n{log}")).trim().to_owned()
    };
    let profile = said("devserve: build profile: ");
    let debug_info = said("devserve: debug info: ");
    assert!(
        debug_info.starts_with("full for leptos-app") && debug_info.ends_with("none for dependencies"),
        "{debug_info}"
    );
    if profile.starts_with("cranelift") {
        assert!(debug_info.contains("built with LLVM"), "Cranelift's DWARF has no variables: {debug_info}");
    }
    // The fast profile's own folder: only the app's crate is built differently.
    let binary = app.dir().join("target/devserve").join(&profile).join("debug/leptos-app");
    assert!(binary.is_file(), "{} is not built\n{log}", binary.display());

    // Static: a line of the component resolves to an address in the app's code, the component's
    // function has its file and line, its arguments are variables in scope; leptos has no lines.
    let source = app.read(COMPONENTS_RS).unwrap();
    let fn_line = line_of(&source, STATS);
    // Absolute, so that leptos_router's own `src/components.rs` (inlined generics) does not match.
    let at = format!("{}:{}", app.path(COMPONENTS_RS).display(), fn_line + 1);
    let out = gdb(
        &binary,
        &[
            &format!("info line {at}"),
            &format!("info line {STATS_FN}"),
            &format!("info scope {at}"),
            &format!("info functions {DEPENDENCY_FN}"),
        ],
    );
    eprintln!("--- gdb ---\n{out}");
    let body_line = format!("Line {} of \"{COMPONENTS_RS}\" starts at address 0x", fn_line + 1);
    assert!(out.contains(&body_line), "no line table for {at}:\n{out}");
    let fn_start = format!("Line {fn_line} of \"{COMPONENTS_RS}\" starts at address 0x");
    assert!(out.contains(&fn_start), "{STATS_FN} has no file and line:\n{out}");
    for arg in ["answer", "visits"] {
        assert!(out.contains(&format!("Symbol {arg} is a variable")), "no variable {arg} at {at}:\n{out}");
    }
    let dependency =
        &out[out.find("All functions matching regular expression").expect("info functions ran")..];
    let (with_lines, without) =
        dependency.split_once("Non-debugging symbols:").unwrap_or_else(|| panic!("{DEPENDENCY_FN}:\n{out}"));
    assert!(!with_lines.contains("File "), "leptos has debug info:\n{dependency}");
    // `leptos_config[f4b0…]::get_configuration` (v0 mangling, the nightly's default) or
    // `leptos_config::get_configuration::h5a0f…` (legacy, stable's): which toolchain built the
    // app decides the form, not the test.
    let listed = without.lines().any(|line| {
        let Some((_, name)) = line.trim().split_once("  ") else { return false };
        let name = match name.rsplit_once("::h") {
            Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
            _ => name,
        };
        name.starts_with("leptos_config") && name.ends_with("::get_configuration")
    });
    assert!(listed, "{DEPENDENCY_FN} is not listed as a symbol without debug info:\n{dependency}");

    // Live: the app under gdb stops in the component when the page is requested, with its values.
    assert!(app.read(APP_RS).unwrap().contains(ANSWER), "{APP_RS} computes the answer as `{ANSWER}`");
    let out = stop_in_the_component(&binary, app.dir()).await;
    eprintln!("--- gdb, live ---\n{out}");
    let hit = format!("hit Breakpoint 1, {STATS_FN} (answer=42, visits=");
    assert!(out.contains(&hit), "the breakpoint was not hit with the component's arguments:\n{out}");
    assert!(out.contains(&format!("at src/components.rs:{}", fn_line + 1)), "{out}");
    assert!(out.contains("$1 = 42"), "`print answer`:\n{out}");
    app.stop().await.unwrap();
}

/// Run `binary` under gdb with a breakpoint in the component, request the page, and return gdb's
/// output once it has printed the component's `answer` and killed the app.
async fn stop_in_the_component(binary: &Path, app_dir: &Path) -> String {
    let port = free_port().unwrap();
    let mut command = Command::new("gdb");
    command.args(["-batch", "-nx"]);
    for line in [&format!("break {STATS_FN}"), "run", "print answer", "backtrace 1", "kill"] {
        command.args(["-ex", line]);
    }
    command.arg(binary).current_dir(app_dir).env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"));
    let mut gdb = ChildGroup::spawn("gdb", &mut command).unwrap();
    gdb.wait_for_output("leptos-app: listening on", UNDER_GDB).await.unwrap();
    // The response never comes while the app is stopped; gdb's `kill` ends the connection.
    let request = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).map(|_| ())
    });
    let start = Instant::now();
    while gdb.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < UNDER_GDB, "gdb did not finish:\n{}", gdb.output());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = request.join();
    gdb.output()
}

/// Whether gdb runs here; without it the test fails with the install command, unless
/// `DEVSERVE_TESTS_ALLOW_SKIP` is set (then the skip is announced and counted).
fn gdb_installed() -> bool {
    if Command::new("gdb").arg("--version").output().is_ok_and(|out| out.status.success()) {
        return true;
    }
    let test = std::thread::current().name().unwrap_or("debug_info").to_owned();
    devserve_skip::cannot_run(&test, "gdb is not installed", INSTALL_GDB);
    false
}

/// gdb's output (stdout and stderr) for `commands` run in batch mode on `binary`.
fn gdb(binary: &Path, commands: &[&str]) -> String {
    let mut command = Command::new("gdb");
    command.args(["-batch", "-nx"]);
    for line in commands {
        command.args(["-ex", line]);
    }
    let out = command.arg(binary).output().expect("gdb runs");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

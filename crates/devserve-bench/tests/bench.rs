//! `devserve bench` on a tiny fixture crate: a `view!` macro of its own (it stringifies its
//! tokens), so it builds in a second without Leptos and the view engine still finds its texts.
//! The probe's report is made up: only LLVM with rustc's default linker works, everything else
//! is missing, so the rows do not depend on what this machine has installed.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use devserve_bench::{BenchError, Options, Side};
use devserve_build::{
    Backend, Candidate, FastMode, Linker, ProbeReport, ProfileOptions, SavedProfile, Status, Toolchain,
};

const MAIN_RS: &str = r#"macro_rules! view {
    ($($t:tt)*) => { stringify!($($t)*) };
}

const fn page() -> &'static str {
    view! { <p class="greeting">"Hello from the fixture"</p> }
}

const PAGE: &str = page();

fn main() {
    println!("{PAGE}");
}
"#;

/// Refuses to compile once the view text says "benchmark": every edited build fails.
const FAILS_WHEN_EDITED: &str = r#"
const fn contains(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut i = 0;
    while i + n.len() <= h.len() {
        let mut j = 0;
        while j < n.len() && h[i + j] == n[j] {
            j += 1;
        }
        if j == n.len() {
            return true;
        }
        i += 1;
    }
    false
}
const _: () = assert!(!contains(PAGE, "benchmark"), "the fixture refuses the edit");
"#;

/// A fixture crate in a temporary folder: (its folder guard, the package folder).
fn fixture(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("fixture");
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(
        app.join("Cargo.toml"),
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(app.join("src/main.rs"), format!("{MAIN_RS}{extra}")).unwrap();
    let app = app.canonicalize().unwrap();
    (dir, app)
}

/// A probe report where only LLVM with rustc's default linker works.
fn probe() -> ProbeReport {
    let toolchain = Toolchain {
        name: Some("stable-x86_64-unknown-linux-gnu".into()),
        release: "1.95.0".into(),
        commit_date: None,
        host: "x86_64-unknown-linux-gnu".into(),
        cranelift_component: false,
        default_linker_is_lld: Some(true),
        pinned_by: None,
    };
    let mut candidates = Vec::new();
    for linker in Linker::ALL {
        let status = match linker {
            Linker::RustcDefault => Status::Works,
            other => Status::Missing { need: vec![other.name().into()] },
        };
        candidates.push(Candidate { backend: Backend::Llvm, linker, toolchain: None, status });
    }
    candidates.push(Candidate {
        backend: Backend::Cranelift,
        linker: Linker::RustcDefault,
        toolchain: None,
        status: Status::Missing { need: vec!["rustc-codegen-cranelift-preview".into()] },
    });
    ProbeReport {
        host: toolchain.host.clone(),
        active: toolchain,
        nightlies: vec![],
        tools: Default::default(),
        candidates,
        from_cache: false,
        cache_file: None,
    }
}

fn options(app: &Path) -> Options {
    Options { app: app.to_path_buf(), runs: Some(2), warmup: 0, probe: Some(probe()), ..Options::default() }
}

fn files(app: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(app.join("src")).unwrap() {
        let path = entry.unwrap().path();
        out.push((path.clone(), std::fs::read(&path).unwrap()));
    }
    out.push((app.join("Cargo.toml"), std::fs::read(app.join("Cargo.toml")).unwrap()));
    out.sort();
    out
}

#[tokio::test]
async fn one_row_per_usable_profile_and_the_unusable_skipped_with_their_reason() {
    let (_dir, app) = fixture("");
    let before = files(&app);
    let json = app.join("target/samples.json");
    let report = devserve_bench::run(Options { json: Some(json.clone()), ..options(&app) }).await.unwrap();
    let names: Vec<&str> = report.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["off", "off-nodebug", "off-pm1", "llvm-default", "deps-o3"]);
    for row in &report.rows {
        assert_eq!(row.samples.len(), 2, "{row:?}");
        assert_eq!(row.side, Side::Server);
        assert!(row.failed.is_none());
    }
    assert!(report.rows[3].devserve, "llvm-default is what devserve chooses with this probe");
    let skipped: Vec<(&str, &str)> =
        report.skipped.iter().map(|s| (s.name.as_str(), s.reason.as_str())).collect();
    assert!(skipped.contains(&("llvm-mold", "not installed: mold")), "{skipped:?}");
    assert!(skipped.contains(&("llvm-wild", "not installed: wild")), "{skipped:?}");
    assert!(
        skipped.contains(&("cranelift-default", "not installed: rustc-codegen-cranelift-preview")),
        "{skipped:?}"
    );
    let edit = report.edit.as_ref().unwrap();
    assert_eq!((edit.file.as_str(), edit.line), ("src/main.rs", 6));
    let table = report.to_string();
    assert!(table.contains("skipped llvm-mold: not installed: mold"), "{table}");
    assert!(table.contains(" *"), "the fastest is marked:\n{table}");
    let samples: serde_json::Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    assert_eq!(samples["rows"][0]["samples"].as_array().unwrap().len(), 2);
    assert_eq!(files(&app), before, "the sources are as they were");
}

#[tokio::test]
async fn a_code_change_edits_a_line_outside_the_views_and_undoes_it() {
    let (_dir, app) = fixture("");
    let before = files(&app);
    let options = Options { code_change: true, profile: vec!["off".into()], runs: Some(1), ..options(&app) };
    let report = devserve_bench::run(options).await.unwrap();
    let edit = report.edit.as_ref().unwrap();
    assert_eq!((edit.kind.name(), edit.line), ("code line", 5), "{edit:?}");
    assert_eq!(report.rows.len(), 1);
    assert_eq!(files(&app), before);
}

#[tokio::test]
async fn sources_are_byte_identical_after_a_build_failure() {
    let (_dir, app) = fixture(FAILS_WHEN_EDITED);
    let before = files(&app);
    let err = devserve_bench::run(options(&app)).await.unwrap_err();
    assert!(
        matches!(&err, BenchError::PlainFails(text) if text.contains("the fixture refuses the edit")),
        "{err}"
    );
    assert_eq!(files(&app), before);
    assert!(!app.join("target/devserve/bench-journal.json").exists());
}

#[tokio::test]
async fn save_changes_what_the_next_session_uses() {
    let (_dir, app) = fixture("");
    let report = probe();
    let session_options =
        ProfileOptions { mode: FastMode::Auto, manifest_dir: app.clone(), ..ProfileOptions::default() };
    let chosen = devserve_build::choose_profile(&report, &session_options);
    assert_eq!(chosen.name, "llvm-default");
    assert_eq!(devserve_build::saved_or(chosen.clone(), &report, &session_options), chosen);

    // Only plain cargo is measured, so it wins.
    let bench = Options { profile: vec!["off".into()], save: true, ..options(&app) };
    let result = devserve_bench::run(bench).await.unwrap();
    let file = result.saved_to.clone().unwrap();
    assert_eq!(file, app.join("target/devserve/bench-profile.json"));
    let saved = SavedProfile::find(&app, &[]).unwrap();
    assert_eq!(saved.recipe.name, "off");
    assert_eq!(saved.runs, 2);

    let next = devserve_build::saved_or(chosen, &report, &session_options);
    assert_eq!(next.name, "off");
    let notice = next.notice.unwrap();
    assert!(notice.contains("devserve bench --save"), "{notice}");
    // `--fast=off` never looks at it.
    let off = ProfileOptions { mode: FastMode::Off, ..session_options };
    assert_eq!(devserve_build::saved_or(devserve_build::plain_profile(&off), &report, &off).notice, None);
}

#[tokio::test]
async fn files_with_uncommitted_changes_are_not_edited() {
    let (_dir, app) = fixture("");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&app)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !git(&["init", "-q"]) {
        devserve_skip::cannot_run(
            "files_with_uncommitted_changes_are_not_edited",
            "git is not installed",
            "apt-get install -y git",
        );
        return;
    }
    std::fs::write(app.join(".gitignore"), "/target\n").unwrap();
    assert!(git(&["add", "."]) && git(&["commit", "-q", "-m", "fixture"]));
    let main = app.join("src/main.rs");
    let mine = format!("{MAIN_RS}// work in progress\n");
    std::fs::write(&main, &mine).unwrap();
    let err = devserve_bench::run(options(&app)).await.unwrap_err();
    assert!(matches!(err, BenchError::Dirty { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&main).unwrap(), mine);
    // Committed: edited and restored.
    assert!(git(&["commit", "-q", "-am", "wip"]));
    let options = Options { profile: vec!["off".into()], runs: Some(1), ..options(&app) };
    devserve_bench::run(options).await.unwrap();
    assert_eq!(std::fs::read_to_string(&main).unwrap(), mine);
}

/// The variable that turns [`child_runs_a_bench_until_interrupted`] on, naming the fixture.
const CHILD: &str = "DEVSERVE_BENCH_TEST_CHILD";

/// Not a test of its own: the body of the child process of
/// [`sources_are_byte_identical_after_sigint`].
#[tokio::test]
async fn child_runs_a_bench_until_interrupted() {
    let Some(app) = std::env::var_os(CHILD) else { return };
    let options = Options { profile: vec!["off".into()], runs: Some(50), ..options(Path::new(&app)) };
    let err = devserve_bench::run(options).await.unwrap_err();
    assert!(matches!(err, BenchError::Interrupted("Ctrl-C")), "{err}");
    println!("child: {err}");
}

#[test]
fn sources_are_byte_identical_after_sigint() {
    let (dir, app) = fixture("");
    let before = files(&app);
    // Every compilation of the fixture takes two seconds more: the signal lands mid-build.
    let slow = dir.path().join("slow-rustc.sh");
    std::fs::write(&slow, "#!/bin/sh\nsleep 2\nexec \"$@\"\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_runs_a_bench_until_interrupted", "--nocapture"])
        .env(CHILD, &app)
        .env("RUSTC_WORKSPACE_WRAPPER", &slow)
        .spawn()
        .unwrap();
    let main = app.join("src/main.rs");
    let started = Instant::now();
    while std::fs::read_to_string(&main).unwrap() == MAIN_RS {
        assert!(started.elapsed() < Duration::from_secs(120), "the bench never edited the file");
        assert!(child.try_wait().unwrap().is_none(), "the child exited early");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The edit is on disk and its build (two seconds at least) is running.
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        processes_in(&app).iter().any(|cmd| cmd.contains("slow-rustc") || cmd.contains("rustc")),
        "no build running"
    );
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the child did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the child's test failed: {status}");
    assert_eq!(files(&app), before, "the sources are as they were");
    assert!(!app.join("target/devserve/bench-journal.json").exists());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(processes_in(&app), Vec::<String>::new(), "the build was not stopped");
}

/// Command lines of the processes whose working folder is `dir`.
fn processes_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if entry.path().join("cwd").read_link().ok().as_deref() == Some(dir) {
            let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push(String::from_utf8_lossy(&cmd).replace('\0', " "));
        }
    }
    found
}

//! Every way editors and tools save a file is a hot patch, never a deletion, a rebuild or a reload.
//!
//! One devserve session on a copy of the example app; each save pattern in turn rewrites the
//! title's text in `src/components.rs` (and `git checkout` also the footer's in `src/app.rs`). After
//! each: the page shows the new text, was not reloaded (mark and typed text still there) and
//! devserve took it for no removal and no rebuild. Once the background build of the last one has
//! landed the page is still the same document; and a file really deleted is still a deletion.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::{Value, json};

/// How long a hot patch may take to show (milliseconds when all is well).
const PATCH: Duration = Duration::from_secs(10);
/// How long a background build of the app's crate may take.
const BUILD: Duration = Duration::from_secs(5 * 60);
/// How long to watch for something that must not happen (a reload after a build landed).
const SETTLE: Duration = Duration::from_millis(1500);
/// How long the patterns below leave the path empty, or the file half-written: what a slow disk
/// or a busy machine does (devserve's grace for a vanished file is 100 ms).
const PAUSE: Duration = Duration::from_millis(20);

const COMPONENTS: &str = "src/components.rs";
const APP: &str = "src/app.rs";
const TYPED: &str = "typed before the saves";
const TITLE: &str = "[...document.querySelectorAll('#title')].map((e) => e.textContent)";
const FOOTER: &str = "document.querySelector('#footer p').textContent";

/// Writes `text` to `path` as one editor or tool does.
type Save = fn(&Path, &str);

fn in_place(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

/// Truncated, then written in two chunks with a pause, then closed.
fn in_place_two_chunks(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(path).unwrap();
    let (first, second) = text.split_at(text.len() / 2);
    file.write_all(first.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(5));
    file.write_all(second.as_bytes()).unwrap();
}

/// Written to a temporary file next to it, renamed over it.
fn rename_over(path: &Path, text: &str) {
    let temp = path.with_file_name(".components.rs.tmp-4242");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

/// vim's default: the original renamed to the backup `file~`, a new file written, the backup
/// deleted.
fn vim(path: &Path, text: &str) {
    let backup = path.with_file_name("components.rs~");
    std::fs::rename(path, &backup).unwrap();
    std::thread::sleep(PAUSE);
    std::fs::write(path, text).unwrap();
    std::fs::remove_file(&backup).unwrap();
}

/// JetBrains "safe write": `file___jb_tmp___` written, the original renamed to
/// `file___jb_old___`, the new one renamed into place, the old one deleted.
fn jetbrains(path: &Path, text: &str) {
    let temp = path.with_file_name("components.rs___jb_tmp___");
    let old = path.with_file_name("components.rs___jb_old___");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(path, &old).unwrap();
    std::thread::sleep(PAUSE);
    std::fs::rename(&temp, path).unwrap();
    std::fs::remove_file(&old).unwrap();
}

/// Emacs's first save: the original renamed to the backup `file~` (which stays), a new file
/// written.
fn emacs_first_save(path: &Path, text: &str) {
    let backup = path.with_file_name("components.rs~");
    std::fs::rename(path, &backup).unwrap();
    std::thread::sleep(PAUSE);
    std::fs::write(path, text).unwrap();
}

/// Runs git with its repository in `git_dir`, outside the app's folder, and the app as its work
/// tree; returns its standard output.
fn git(git_dir: &Path, work_tree: &Path, args: &[&str], input: Option<&str>) -> String {
    let mut child = Command::new("git")
        .arg(format!("--git-dir={}", git_dir.display()))
        .arg(format!("--work-tree={}", work_tree.display()))
        .args([
            "-c",
            "user.name=devserve",
            "-c",
            "user.email=devserve@localhost",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git is installed");
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "git {args:?} failed");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Commits `files` (relative path, new content) on top of the app's current state without
/// touching the app's folder, then `git checkout`s them all at once, as switching branches does.
fn git_checkout(app: &Path, files: &[(&str, String)]) {
    let repo = tempfile::tempdir().unwrap();
    let git_dir = repo.path().join("repo.git");
    let git = |args: &[&str], input: Option<&str>| git(&git_dir, app, args, input);
    git(&["init", "-q"], None);
    let rels: Vec<&str> = files.iter().map(|(rel, _)| *rel).collect();
    git(&[&["add", "--"], rels.as_slice()].concat(), None);
    git(&["commit", "-q", "-m", "as saved"], None);
    for (rel, content) in files {
        let blob = git(&["hash-object", "-w", "--stdin"], Some(content));
        git(&["update-index", "--cacheinfo", &format!("100644,{blob},{rel}")], None);
    }
    git(&["commit", "-q", "-m", "the other branch"], None);
    git(&[&["checkout", "HEAD", "--"], rels.as_slice()].concat(), None);
}

async fn wait_value(app: &DevserveApp, page: &Page, expr: &str, expected: &Value) {
    let start = Instant::now();
    loop {
        let value = page.eval(expr).await.unwrap();
        if value == *expected {
            return;
        }
        assert!(
            start.elapsed() < PATCH,
            "after {PATCH:?}, `{expr}` is {value}, not {expected}\n--- devserve ---\n{}",
            app.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The page was not reloaded, nothing went wrong in it, and devserve took no save for a removal,
/// a rebuild or a half-written file.
async fn assert_kept(app: &DevserveApp, page: &Page, context: &str) {
    let log = app.log();
    assert!(page.same_document().await.unwrap(), "{context}: the page was reloaded\n{log}");
    let typed = page.eval("document.getElementById('name-input').value").await.unwrap();
    assert_eq!(typed, TYPED, "{context}: the typed text is gone");
    let state = page.eval("window.__devserve.state()").await.unwrap();
    assert_eq!(state["failures"], json!([]), "{context}: the client could not patch\n{log}");
    for wrong in
        ["removed: rebuilding", "devserve: rebuild:", "keeping the last good state", "could not apply patch"]
    {
        assert!(!log.contains(wrong), "{context}: devserve says {wrong:?}\n{log}");
    }
}

/// Waits until the last build started has finished ("build 3 finished in", or "build 3 (server)
/// finished in" for a hydrated app).
async fn wait_for_last_build(app: &DevserveApp) {
    let start = Instant::now();
    loop {
        let log = app.log();
        let last =
            log.lines().filter_map(|line| line.split("build ").nth(1)?.strip_suffix(" started")).next_back();
        let build = format!("build {} ", last.expect("a build started"));
        let mut lines = log.lines().filter(|line| line.contains(&build));
        if let Some(line) =
            lines.find(|line| line.contains(" finished in ") || line.contains(" failed after "))
        {
            assert!(line.contains(" finished in "), "{line}\n{log}");
            return;
        }
        assert!(start.elapsed() < BUILD, "{build}did not end in {BUILD:?}:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn every_save_pattern_is_patched_without_a_reload_and_a_deletion_still_rebuilds() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    page.type_text("#name-input", TYPED).await.unwrap();

    let saves: [(&str, Save); 6] = [
        ("in place", in_place),
        ("in place in two chunks", in_place_two_chunks),
        ("by rename over", rename_over),
        ("by vim", vim),
        ("by a JetBrains safe write", jetbrains),
        ("by Emacs", emacs_first_save),
    ];
    let mut title = "Hello from Leptos".to_owned();
    for (i, (how, save)) in saves.into_iter().enumerate() {
        let new = format!("Saved {how}");
        let source =
            app.read(COMPONENTS).unwrap().replacen(&format!("\"{title}\""), &format!("\"{new}\""), 1);
        save(&app.path(COMPONENTS), &source);
        wait_value(&app, &page, TITLE, &json!([new])).await;
        assert_kept(&app, &page, &format!("saved {how}")).await;
        assert_eq!(
            app.count_log("patched 1 view(s)"),
            i + 1,
            "saved {how}: one save, one patch\n{}",
            app.log()
        );
        title = new;
    }

    // Switching branches: both files unlinked and written again by git, in one burst.
    let footer = "Made with Leptos 0.8.";
    let components =
        app.read(COMPONENTS).unwrap().replacen(&format!("\"{title}\""), "\"Checked out by git\"", 1);
    let app_rs = app.read(APP).unwrap().replacen(&format!("\"{footer}\""), "\"Made on another branch.\"", 1);
    git_checkout(app.dir(), &[(COMPONENTS, components), (APP, app_rs)]);
    wait_value(&app, &page, TITLE, &json!(["Checked out by git"])).await;
    wait_value(&app, &page, FOOTER, &json!("Made on another branch.")).await;
    assert_kept(&app, &page, "git checkout").await;
    assert_eq!(app.count_log("patched 1 view(s)"), saves.len() + 2, "one patch per file\n{}", app.log());

    // The quiet background build of all that lands without a reload.
    wait_for_last_build(&app).await;
    tokio::time::sleep(SETTLE).await;
    assert_kept(&app, &page, "after the background build").await;
    wait_value(&app, &page, TITLE, &json!(["Checked out by git"])).await;

    // A file really deleted is still a deletion (a Rust file outside the crate's module tree, so
    // the app still builds).
    app.write("src/scratch.rs", "// notes, not a module of the crate\n").unwrap();
    tokio::time::sleep(SETTLE).await;
    std::fs::remove_file(app.path("src/scratch.rs")).unwrap();
    app.wait_for_log("src/scratch.rs removed: rebuilding", PATCH).await.unwrap();

    drop(page);
    app.stop().await.unwrap();
    drop(browser);
}

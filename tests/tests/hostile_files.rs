//! Files that are not what devserve expects never stop it (issue 10, item 9): a 10 MB source, a
//! file that is not UTF-8, a file replaced by a folder, a `view!` nested 500 elements deep, and
//! files made unreadable. After each, devserve still runs and the next ordinary edit is patched
//! into the open page without a reload.
//!
//! The tests run as root (in CI too), and root reads a `chmod 000` file anyway: for the unreadable
//! files devserve runs under util-linux's `setpriv` without the capabilities that bypass file
//! permissions (`CAP_DAC_OVERRIDE`, `CAP_DAC_READ_SEARCH`), and so do the cargo and rustc it
//! starts. The test fails with the install command when `setpriv` is missing, unless
//! `DEVSERVE_TESTS_ALLOW_SKIP` is set.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions};
use serde_json::json;

/// One hostile thing done to the app's folder.
type Step = Box<dyn Fn(&DevserveApp)>;

/// How long a patch may take to show.
const PATCH: Duration = Duration::from_secs(10);

#[tokio::test]
async fn hostile_files_do_not_stop_devserve() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    let title = "document.getElementById('title').textContent";

    // Not modules of the crate: the build is not affected, the watcher and parser are.
    let deep = {
        let open = "<div>".repeat(500);
        let close = "</div>".repeat(500);
        format!("fn deep() -> impl IntoView {{\n    view! {{ {open}\"deep\"{close} }}\n}}\n")
    };
    let huge =
        format!("// a big generated file\n{}", "const X: &str = \"0123456789abcdef\";\n".repeat(300_000));
    assert!(huge.len() > 10_000_000);
    let steps: Vec<(&str, Step)> = vec![
        ("a 10 MB file", Box::new(move |app| app.write("src/huge.rs", &huge).unwrap())),
        (
            "a file that is not UTF-8",
            Box::new(|app| std::fs::write(app.path("src/latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap()),
        ),
        (
            "a file replaced by a folder",
            Box::new(|app| {
                let path = app.path("src/folder.rs");
                std::fs::write(&path, "fn folder() {}\n").unwrap();
                std::thread::sleep(Duration::from_millis(300));
                std::fs::remove_file(&path).unwrap();
                std::fs::create_dir(&path).unwrap();
                std::fs::write(path.join("inner.rs"), "fn inner() {}\n").unwrap();
            }),
        ),
        ("a view nested 500 deep", Box::new(move |app| app.write("src/deep.rs", &deep).unwrap())),
    ];
    let texts = ["Hello, one", "Hello, two", "Hello, three", "Hello, four"];
    let mut previous = r#""Hello from Leptos""#.to_owned();
    for ((what, step), text) in steps.iter().zip(texts) {
        step(&app);
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.assert_running().unwrap_or_else(|e| panic!("after {what}: {e}"));
        let next = format!("\"{text}\"");
        app.edit("src/components.rs", &previous, &next).unwrap();
        previous = next;
        let start = std::time::Instant::now();
        while page.eval(title).await.unwrap() != json!(text) {
            assert!(start.elapsed() < PATCH, "after {what}, an edit was not patched:\n{}", app.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(page.same_document().await.unwrap(), "after {what}, the page was reloaded:\n{}", app.log());
    }
    drop(page);
    app.stop().await.unwrap();
}

/// How to get `setpriv`.
const INSTALL_SETPRIV: &str = "apt-get install -y util-linux";
/// The capabilities that let root read any file whatever its permissions, as `setpriv` drops them.
const DROP_DAC: &str = "-dac_override,-dac_read_search";
/// How long a build of the app (and its restart) may take: generous, the machine is shared.
const BUILD: Duration = Duration::from_secs(5 * 60);
/// The title's text, as a JavaScript expression.
const TITLE: &str = "document.getElementById('title').textContent";
/// The footer's text (in `src/app.rs`), as a JavaScript expression.
const FOOTER: &str = "document.querySelector('#footer p').textContent";
/// Whether the page shows the error overlay, as a JavaScript expression.
const OVERLAY_SHOWN: &str = "document.querySelector('devserve-error-overlay') !== null";

/// The command that runs what follows it where file permissions hold: nothing for a user other
/// than root, `setpriv` without the DAC capabilities for root. `None` (after failing or skipping
/// the test) when that cannot be had here.
fn where_permissions_hold(test: &str) -> Option<Vec<String>> {
    let probe = |name: &str| {
        let path = std::env::temp_dir().join(format!("devserve-{name}-probe-{}", std::process::id()));
        std::fs::write(&path, "probe\n").unwrap();
        path
    };
    let (unreadable, readable) = (probe("unreadable"), probe("readable"));
    let found = probe_permissions(&unreadable, &readable);
    for file in [unreadable, readable] {
        let _ = std::fs::remove_file(file);
    }
    found.map_err(|reason| devserve_skip::cannot_run(test, &reason, INSTALL_SETPRIV)).ok()
}

/// [`where_permissions_hold`], tried on two files of the caller's: `unreadable` is made so
/// (mode 000) for the while, `readable` shows that the command runs at all.
fn probe_permissions(unreadable: &Path, readable: &Path) -> Result<Vec<String>, String> {
    let _restore = Unreadable::make(vec![unreadable.to_path_buf()]);
    let cat = |prefix: &[String], file: &Path| {
        let mut command: Vec<String> = prefix.to_vec();
        command.extend(["cat".to_owned(), file.display().to_string()]);
        Command::new(&command[0]).args(&command[1..]).output()
    };
    let denied = |out: &std::process::Output| {
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Permission denied")
    };
    if cat(&[], unreadable).is_ok_and(|out| denied(&out)) {
        return Ok(Vec::new());
    }
    let prefix: Vec<String> =
        ["setpriv", &format!("--inh-caps={DROP_DAC}"), &format!("--bounding-set={DROP_DAC}"), "--"]
            .map(str::to_owned)
            .to_vec();
    match (cat(&prefix, unreadable), cat(&prefix, readable)) {
        (Ok(denial), Ok(read)) if denied(&denial) && read.status.success() => Ok(prefix),
        (Ok(denial), Ok(read)) => Err(format!(
            "`setpriv` does not make a chmod-000 file unreadable for root here ({})",
            String::from_utf8_lossy(if denial.status.success() { &read.stderr } else { &denial.stderr })
                .trim()
        )),
        (Err(err), _) | (_, Err(err)) => Err(format!("`setpriv` cannot be run ({err})")),
    }
}

/// Files made unreadable (mode 000): readable again (mode 644) on drop, also when the test fails,
/// so that the app's copy serves the next test.
struct Unreadable(Vec<PathBuf>);

impl Unreadable {
    /// Make `files` unreadable, each of them now.
    fn make(files: Vec<PathBuf>) -> Self {
        let guard = Self(files);
        for file in &guard.0 {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o000)).unwrap();
        }
        guard
    }

    /// Add `file`, which the caller made unreadable itself.
    fn add(&mut self, file: PathBuf) {
        self.0.push(file);
    }

    /// Make `file` readable again now.
    fn restore(&mut self, file: &Path) {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        self.0.retain(|f| f != file);
    }
}

impl Drop for Unreadable {
    fn drop(&mut self) {
        for file in &self.0 {
            let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644));
        }
    }
}

/// devserve's one warning about `rel`, once it said it: it names the file and the permission
/// error, and is said once however many events the file had.
async fn unreadable_warning(app: &DevserveApp, rel: &str) -> String {
    let needle = format!("cannot read {rel}: ");
    app.wait_for_log(&needle, PATCH).await.unwrap();
    let log = app.log();
    let line = log.lines().find(|line| line.contains(&needle)).unwrap().to_owned();
    assert!(line.starts_with("devserve: warning: "), "{line}");
    assert!(line.contains("Permission denied"), "{line}");
    assert_eq!(app.count_log(&needle), 1, "said more than once:\n{log}");
    line
}

/// A module of the app made unreadable, and a new `.rs` file created unreadable, while a page is
/// open: devserve warns about each (naming the file and the error), keeps running, patches a
/// static edit of another file into the page; the build that edit asks for fails (rustc cannot
/// read the module either) without stopping devserve; once the module is readable again and
/// edited, the page converges to the sources and the overlay goes.
#[tokio::test]
async fn unreadable_files_do_not_stop_devserve() {
    let test = "unreadable_files_do_not_stop_devserve";
    let Some(command_prefix) = where_permissions_hold(test) else { return };
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app =
        DevserveApp::start(DevserveOptions { command_prefix, ..DevserveOptions::default() }).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    assert_eq!(page.eval(FOOTER).await.unwrap(), json!("Made with Leptos 0.8."));

    // A module of the app: devserve cannot read it, nor can the compiler.
    let module = app.path("src/app.rs");
    let mut unreadable = Unreadable::make(vec![module.clone()]);
    assert!(std::fs::read(&module).is_ok(), "this test process still reads it (it keeps its capabilities)");
    let said = unreadable_warning(&app, "src/app.rs").await;
    app.assert_running().unwrap_or_else(|e| panic!("after a module made unreadable: {e}"));

    // A new file that nobody can read (no module of the app).
    let new = app.path("src/secret.rs");
    unreadable.add(new.clone());
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o000)
        .open(&new)
        .and_then(|mut file| std::io::Write::write_all(&mut file, b"fn secret() {}\n"))
        .unwrap();
    unreadable_warning(&app, "src/secret.rs").await;
    app.assert_running().unwrap_or_else(|e| panic!("after a new unreadable file: {e}"));

    // A static edit of another file is still patched into the page, with no reload.
    let failed_before = app.count_log("failed after");
    app.edit("src/components.rs", r#""Hello from Leptos""#, r#""Hello, unreadable""#).unwrap();
    app.wait_value(&page, TITLE, &json!("Hello, unreadable"), PATCH).await;
    assert!(page.same_document().await.unwrap(), "the page was reloaded, not patched:\n{}", app.log());

    // The build that edit asks for cannot read the module: it fails, devserve goes on.
    let log = app.wait_for_log_count("failed after", failed_before + 1, BUILD).await.unwrap();
    let compiler_denied = log.lines().any(|line| {
        !line.starts_with("devserve: ") && line.contains("src/app.rs") && line.contains("Permission denied")
    });
    assert!(compiler_denied, "the compiler read the unreadable module (are permissions bypassed?):\n{log}");
    app.assert_running().unwrap_or_else(|e| panic!("after the build failed: {e}"));
    assert_eq!(app.count_log("cannot read src/app.rs: "), 1, "said again:\n{}", app.log());

    // Readable again, then edited: the page converges to the sources, the build lands.
    let restarts = app.count_log("app restarted in") + app.count_log("binary unchanged");
    unreadable.restore(&module);
    app.wait_for_log("src/app.rs can be read again", PATCH).await.unwrap();
    app.edit("src/app.rs", r#""Made with Leptos 0.8.""#, r#""Made with Leptos, readable again.""#).unwrap();
    app.wait_value(&page, FOOTER, &json!("Made with Leptos, readable again."), PATCH).await;
    let landed = async {
        let start = Instant::now();
        while app.count_log("app restarted in") + app.count_log("binary unchanged") <= restarts {
            assert!(
                start.elapsed() < BUILD,
                "no build landed after the module was readable again:\n{}",
                app.log()
            );
            app.assert_running().unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    landed.await;
    app.wait_value(&page, OVERLAY_SHOWN, &json!(false), PATCH).await;
    app.wait_value(&page, TITLE, &json!("Hello, unreadable"), PATCH).await;
    app.wait_value(&page, FOOTER, &json!("Made with Leptos, readable again."), PATCH).await;
    app.assert_running().unwrap();
    println!("devserve said: {said}");

    drop(unreadable);
    drop(page);
    app.stop().await.unwrap();
}

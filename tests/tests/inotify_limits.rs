//! devserve out of inotify watches or instances (issue 10, item 9): it says which sysctl raises
//! the limit, keeps running, and a save still reaches the open page as a patch (found by polling).
//!
//! The limits are per user namespace (`/proc/sys/user/max_inotify_watches` and
//! `max_inotify_instances`, Linux >= 5.11), and a namespace's limit also caps what runs inside
//! it. So devserve runs in a user namespace of its own (`unshare --user --map-root-user`) whose
//! limit is set tiny just before devserve is exec'ed there: devserve meets the real kernel error
//! (`ENOSPC` when adding a watch, `EMFILE` when opening an instance), and the rest of the machine
//! keeps its limits. Needs util-linux's `unshare` and user namespaces (the tests fail with what is
//! missing, unless `DEVSERVE_TESTS_ALLOW_SKIP` is set).

use std::process::Command;
use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions};
use serde_json::json;

/// How to get `unshare`.
const INSTALL_UNSHARE: &str = "apt-get install util-linux";
/// How long the message, and then the patch, may take to show (generous: a loaded machine).
const WAIT: Duration = Duration::from_secs(30);

/// One of the kernel's per-namespace inotify limits.
#[derive(Clone, Copy)]
struct Limit {
    /// Its file under `/proc/sys/user/`.
    file: &'static str,
    /// The sysctl devserve should name.
    sysctl: &'static str,
}

const WATCHES: Limit = Limit { file: "max_inotify_watches", sysctl: "fs.inotify.max_user_watches" };
const INSTANCES: Limit = Limit { file: "max_inotify_instances", sysctl: "fs.inotify.max_user_instances" };

/// The command that runs what follows it in a new user namespace whose `limit` is `value`.
fn limited(limit: Limit, value: u32) -> Vec<String> {
    let script = format!("echo {value} > /proc/sys/user/{} && exec \"$@\"", limit.file);
    ["unshare", "--user", "--map-root-user", "sh", "-c", &script, "sh"].map(str::to_owned).to_vec()
}

/// Whether a limit can be set in a user namespace here; otherwise the test fails with what is
/// missing, unless `DEVSERVE_TESTS_ALLOW_SKIP` is set (then it is skipped loudly).
fn namespaced_limits_work(test: &str, limit: Limit) -> bool {
    let mut probe = limited(limit, 1);
    probe.extend(["cat".to_owned(), format!("/proc/sys/user/{}", limit.file)]);
    let output = Command::new(&probe[0]).args(&probe[1..]).output();
    let reason = match output {
        Ok(out) if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "1" => return true,
        Ok(out) => format!(
            "cannot set {} in a user namespace of its own ({}; it needs user namespaces and Linux >= 5.11)",
            limit.file,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => format!("`unshare` cannot be run ({err})"),
    };
    devserve_skip::cannot_run(test, &reason, INSTALL_UNSHARE);
    false
}

/// devserve with `limit` set to `value`: the message, then an edit patched into the open page.
async fn check_fallback(test: &str, limit: Limit, value: u32) {
    if !namespaced_limits_work(test, limit) {
        return;
    }
    let Some(browser) = Browser::start_or_skip().await else { return };
    let options = DevserveOptions { command_prefix: limited(limit, value), ..DevserveOptions::default() };
    let app = DevserveApp::start(options).await.unwrap();

    // What the user sees: one message that names the limit, the command that raises it, how to
    // keep it, and that devserve polls instead.
    let raise = format!("`sudo sysctl {}=", limit.sysctl);
    app.wait_for_log(&raise, WAIT).await.unwrap();
    let log = app.log();
    let message = log.lines().find(|line| line.contains(&raise)).unwrap();
    assert!(message.starts_with("devserve: warning: "), "{message}");
    assert!(message.contains("polling the app's files every 500 ms"), "{message}");
    assert!(message.contains("| sudo tee /etc/sysctl.d/"), "{message}");
    assert_eq!(app.count_log(&raise), 1, "said more than once:\n{log}");
    app.assert_running().unwrap();

    // And devserve keeps working: a static text edit reaches the open page as a patch.
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    let title = "document.getElementById('title').textContent";
    assert_eq!(page.eval(title).await.unwrap(), json!("Hello from Leptos"));
    app.edit("src/components.rs", r#""Hello from Leptos""#, r#""Hello, polled""#).unwrap();
    let start = std::time::Instant::now();
    while page.eval(title).await.unwrap() != json!("Hello, polled") {
        assert!(start.elapsed() < WAIT, "the edit did not reach the page:\n{}", app.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(page.same_document().await.unwrap(), "the page was reloaded, not patched:\n{}", app.log());
    app.wait_for_log("patched 1 view(s)", WAIT).await.unwrap();
    app.assert_running().unwrap();
    assert_eq!(app.count_log(&raise), 1, "said more than once:\n{}", app.log());
    drop(page);
    app.stop().await.unwrap();
}

/// One watch: the app's folder gets it, `src/` does not (`ENOSPC`), so devserve falls back while
/// it sets up its watches.
#[tokio::test]
async fn out_of_inotify_watches_devserve_says_how_to_raise_the_limit_and_polls() {
    check_fallback("out_of_inotify_watches", WATCHES, 1).await;
}

/// No instance: devserve cannot even open an inotify watcher (`EMFILE`).
#[tokio::test]
async fn out_of_inotify_instances_devserve_says_how_to_raise_the_limit_and_polls() {
    check_fallback("out_of_inotify_instances", INSTANCES, 0).await;
}

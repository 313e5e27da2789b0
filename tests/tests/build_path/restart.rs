//! The event loop never waits on the app. An app that takes seconds to listen after a rebuild
//! (here: it sleeps before binding while a `slow-start` file exists in its folder) is restarted
//! beside devserve's loop: a view edit saved meanwhile still reaches the open page at once, and
//! SIGTERM, SIGHUP or Ctrl-C stops devserve and the half-started app without waiting for it.

use std::time::Duration;

use devserve_e2e::DevserveOptions;
use nix::sys::signal::Signal;
use serde_json::json;

use super::{ANSWER, APP_RS, BUILD, Live, MESSAGE};

const MAIN_RS: &str = "src/main.rs";
const BIND: &str = "let listener = tokio::net::TcpListener::bind(addr).await?;";
/// How long the slow app waits before it listens: far longer than any check below allows, so that
/// a loop that waited for the restart could not pass.
const SLOW_START_SECS: u64 = 30;

/// The example with a `main.rs` that sleeps before binding while `slow-start` exists.
fn slow_starting_app() -> DevserveOptions {
    let example = devserve_e2e::workspace_root().join(devserve_e2e::EXAMPLE_APP).join(MAIN_RS);
    let main = std::fs::read_to_string(example).unwrap();
    assert_eq!(main.matches(BIND).count(), 1, "main.rs must bind once");
    let slow = format!(
        "if std::path::Path::new(\"slow-start\").exists() {{\n        \
         tokio::time::sleep(std::time::Duration::from_secs({SLOW_START_SECS})).await;\n    }}\n    {BIND}"
    );
    DevserveOptions {
        files: vec![(MAIN_RS.to_owned(), main.replace(BIND, &slow))],
        ..DevserveOptions::default()
    }
}

/// Start devserve on the slow-starting app, then make a code change whose restart hangs; returns
/// once that build finished and the restart is under way.
async fn restart_under_way() -> Option<Live> {
    let live = Live::start(slow_starting_app()).await?;
    live.app.write("slow-start", "").unwrap();
    live.app.edit(APP_RS, ANSWER, "let answer = 6 * 8;").unwrap();
    live.app.wait_for_log("build 2 finished", BUILD).await.unwrap();
    Some(live)
}

#[tokio::test]
async fn a_patch_saved_while_the_app_restarts_reaches_the_page() {
    let Some(live) = restart_under_way().await else { return };
    live.app.edit("src/components.rs", r#""Hello from Leptos""#, r#""Hello during a restart""#).unwrap();
    let title = "document.getElementById('title').textContent";
    live.wait_value(&live.page, title, &json!("Hello during a restart"), MESSAGE).await;
    assert_eq!(
        live.app.count_log("app restarted in"),
        1,
        "the patch must arrive while the restart still waits for the app\n{}",
        live.app.log()
    );
    let _ = std::fs::remove_file(live.app.path("slow-start"));
    live.finish().await;
}

/// Stops devserve with `signal` during the hanging restart: it exits, the app with it.
async fn check_stop_during_restart(signal: Signal) {
    let Some(live) = restart_under_way().await else { return };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = std::fs::remove_file(live.app.path("slow-start"));
    let super::Live { page, app, browser } = live;
    drop(page);
    // `stop_with` fails if devserve does not exit or leaves the app (or a build) running.
    let took = app.stop_with(signal).await.unwrap();
    eprintln!("devserve stopped {took:?} after {signal}");
    assert!(
        took < Duration::from_secs(SLOW_START_SECS / 3),
        "devserve waited for the restart before stopping ({took:?} after {signal})"
    );
    drop(browser);
}

#[tokio::test]
async fn sigterm_during_a_restart_stops_devserve_and_the_app() {
    check_stop_during_restart(Signal::SIGTERM).await;
}

#[tokio::test]
async fn sighup_during_a_restart_stops_devserve_and_the_app() {
    check_stop_during_restart(Signal::SIGHUP).await;
}

#[tokio::test]
async fn ctrl_c_during_a_restart_stops_devserve_and_the_app() {
    check_stop_during_restart(Signal::SIGINT).await;
}

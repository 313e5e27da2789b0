//! Start-up and memory at scale (issue 10, item 9): `devserve --hot-reload` on the example app plus
//! 10,000 generated sources (components and `view!`s in nested folders, see
//! `devserve_e2e::scale`), and a save of one of them patched into an open page.
//!
//! Run with a release build, as a user runs devserve:
//! `cargo build --release -p devserve && DEVSERVE_E2E_DEVSERVE=target/release/devserve
//! cargo bench -p devserve-e2e --bench scale` (`DEVSERVE_SCALE_FILES` changes the count).
//!
//! It prints figures and asserts only behaviour: devserve's own start-up line (time from its start
//! until it watches the app with every view indexed), the inotify watches it holds, its memory
//! (`VmRSS`, and `VmHWM`, the peak) once the app is up and after a quiet moment with a page
//! open, and how long the save of a generated file took to show in the page.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Memory, inotify_watches, scale};
use serde_json::json;

const FILES: usize = 10_000;
/// How long devserve is left alone before its idle memory is read.
const IDLE: Duration = Duration::from_secs(5);
/// How long the save may take to show (a functional bound; the time is printed).
const PATCH: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let count = std::env::var("DEVSERVE_SCALE_FILES").ok().and_then(|n| n.parse().ok()).unwrap_or(FILES);
    match std::env::var("DEVSERVE_E2E_DEVSERVE") {
        Ok(bin) => println!("devserve: {bin}"),
        Err(_) => {
            println!("devserve: the workspace's debug build (set DEVSERVE_E2E_DEVSERVE for a release one)")
        }
    }
    let files = scale::sources(count);
    let bytes: usize = files.iter().map(|(_, content)| content.len()).sum();
    let folders: std::collections::BTreeSet<_> =
        files.iter().filter_map(|(rel, _)| rel.rsplit_once('/').map(|(dir, _)| dir.to_owned())).collect();
    println!(
        "the example app plus {count} generated sources ({:.1} MB in {} folders)",
        bytes as f64 / 1e6,
        folders.len()
    );

    let started = Instant::now();
    let app = DevserveApp::start(DevserveOptions { files, ..DevserveOptions::default() }).await.unwrap();
    let pid = app.pid().unwrap();
    let log = app.log();
    let watching =
        log.lines().find(|line| line.contains("devserve: watching:")).unwrap_or("(no start-up line)");
    println!("start-up (devserve's own line): {}", watching.trim_start_matches("devserve: "));
    println!(
        "app up {:.1} s after the copy was started (files written, first build included)",
        started.elapsed().as_secs_f64()
    );
    println!("inotify watches: {}", inotify_watches(pid).unwrap());
    println!("memory with the app up: {}", Memory::of(pid).unwrap());

    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    assert_eq!(
        page.eval(scale::PROBE_TITLE_JS).await.unwrap(),
        json!(scale::PROBE_TITLE),
        "the probe's card is on the page"
    );
    tokio::time::sleep(IDLE).await;
    println!("memory idle, page open: {}", Memory::of(pid).unwrap());

    let edited = format!("{} (edited)", scale::PROBE_TITLE);
    let mark = app.log_len();
    let saved = Instant::now();
    app.edit(&scale::probe_path(), &format!("\"{}\"", scale::PROBE_TITLE), &format!("\"{edited}\"")).unwrap();
    while page.eval(scale::PROBE_TITLE_JS).await.unwrap() != json!(edited) {
        assert!(saved.elapsed() < PATCH, "the save was not patched:\n{}", app.log_since(mark));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "a save of {} shown after {:.0} ms (polled every 5 ms)",
        scale::probe_path(),
        saved.elapsed().as_secs_f64() * 1000.0
    );
    if let Some(line) = app.log_since(mark).lines().find(|line| line.contains(": patched ")) {
        println!("  {}", line.trim_start_matches("devserve: "));
    }
    assert!(page.same_document().await.unwrap(), "the page was reloaded:\n{}", app.log_since(mark));
    println!("memory after the save: {}", Memory::of(pid).unwrap());
    drop(page);
    app.stop().await.unwrap();
}

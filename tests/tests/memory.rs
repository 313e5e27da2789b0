//! Memory over a long session (issue 10, item 10): devserve's resident memory after 10,000
//! patches is within 10% of what it was after 100.
//!
//! devserve runs as usual (the default build debounce) on the example app with a page open. The
//! title of the page's header is saved 10,000 times, cycling through a few values so the file
//! stays the same size; each save is waited for until devserve has patched it, and every
//! [`PAGE_EVERY`]th until the page shows it (the page keeps up, and is never reloaded). Saves
//! follow each other closer than the build debounce, so the background build starts once they
//! stop: until then every patch is pending in devserve (the case where memory could grow with the
//! count of saves). The session ends as any does: that build lands and the page stays.

use std::time::{Duration, Instant};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Memory, Page};
use serde_json::json;

const SAVES: usize = 10_000;
/// Saves before the first measurement.
const FIRST: usize = 100;
/// Every this many saves, the page must show the save too.
const PAGE_EVERY: usize = 100;
/// How long one save may take to be patched (a functional bound).
const PATCH: Duration = Duration::from_secs(10);
/// How long the build after the last save may take to land.
const BUILD: Duration = Duration::from_secs(5 * 60);

const COMPONENTS: &str = "src/components.rs";
const TITLE: &str = "document.getElementById('title').textContent";
const VALUES: [&str; 4] = ["Hello north", "Hello east", "Hello south", "Hello west"];

/// Saves `text` as the title and waits until devserve has patched it (its `patched` line).
async fn save(app: &DevserveApp, original: &str, text: &str) {
    let mark = app.log_len();
    let content = original.replacen(r#""Hello from Leptos""#, &format!("\"{text}\""), 1);
    std::fs::write(app.path(COMPONENTS), content).unwrap();
    let start = Instant::now();
    loop {
        let log = app.log_since(mark);
        if log.contains(": patched 1 view(s)") {
            return;
        }
        assert!(start.elapsed() < PATCH, "the save of {text:?} was not patched:\n{log}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn wait_text(app: &DevserveApp, page: &Page, expected: &str) {
    let start = Instant::now();
    while page.eval(TITLE).await.unwrap() != json!(expected) {
        assert!(start.elapsed() < PATCH, "the page does not show {expected:?}:\n{}", app.log_since(0));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// devserve's memory once its allocations have had a moment to settle.
async fn memory(app: &DevserveApp) -> Memory {
    tokio::time::sleep(Duration::from_millis(500)).await;
    Memory::of(app.pid().unwrap()).unwrap()
}

#[tokio::test]
async fn memory_after_10000_patches_stays_within_10_percent_of_100() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    let idle = memory(&app).await;
    let original = app.read(COMPONENTS).unwrap();
    let started = Instant::now();
    let mut after_first = None;
    for i in 0..SAVES {
        let text = VALUES[i % VALUES.len()];
        save(&app, &original, text).await;
        if (i + 1) % PAGE_EVERY == 0 {
            wait_text(&app, &page, text).await;
        }
        if i + 1 == FIRST {
            after_first = Some(memory(&app).await);
        }
    }
    let after_first = after_first.unwrap();
    let after_all = memory(&app).await;
    let took = started.elapsed();
    eprintln!(
        "devserve idle with the page open: {idle}; after {FIRST} patches: {after_first}; after {SAVES}: \
         {after_all} ({SAVES} saves in {:.1} s)",
        took.as_secs_f64()
    );

    // The session converges: the build of the last state lands, the page keeps what it shows.
    let mark = app.log_len();
    let start = Instant::now();
    loop {
        let log = app.log_since(mark);
        if ["app restarted in", "binary unchanged"].iter().any(|n| log.contains(n)) {
            break;
        }
        assert!(start.elapsed() < BUILD, "no build landed after the saves:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_text(&app, &page, VALUES[(SAVES - 1) % VALUES.len()]).await;
    assert!(page.same_document().await.unwrap(), "the page was reloaded:\n{}", app.log_since(0));
    eprintln!("after the build landed: {}", memory(&app).await);

    let limit = after_first.rss_kb + after_first.rss_kb / 10;
    assert!(
        after_all.rss_kb <= limit,
        "RSS after {SAVES} patches ({after_all}) is more than 110% of RSS after {FIRST} ({after_first})"
    );
    drop(page);
    app.stop().await.unwrap();
}

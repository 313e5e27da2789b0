//! 10,000 source files (issue 10, item 9): devserve on the example app plus 10,000 generated
//! sources (components and `view!`s in nested folders, see `devserve_e2e::scale`) starts, and
//! saves of those files are still classified and patched, into an open page for the one the
//! page renders. Start-up time and memory are measured by `cargo bench --bench scale`.

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, scale};
use serde_json::json;

const FILES: usize = 10_000;
/// How long a patch may take to show.
const PATCH: Duration = Duration::from_secs(10);

#[tokio::test]
async fn ten_thousand_sources_start_and_their_saves_are_patched() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let options = DevserveOptions { files: scale::sources(FILES), ..DevserveOptions::default() };
    let app = DevserveApp::start(options).await.unwrap();
    let log = app.log();
    let watching = log.lines().find(|line| line.contains("devserve: watching: ")).expect("the start-up line");
    let files: usize = watching
        .split("watching: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no file count in {watching:?}"));
    assert!(files > FILES, "every source is indexed: {watching}");

    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    assert_eq!(page.eval(scale::PROBE_TITLE_JS).await.unwrap(), json!(scale::PROBE_TITLE));

    // A generated file the page does not render: patched all the same (kept by the page).
    let last = scale::path(FILES - 1);
    let mark = app.log_len();
    app.edit(&last, "\"first item\"", "\"first entry\"").unwrap();
    let patched = format!("{}: patched 1 view(s)", last);
    let start = std::time::Instant::now();
    while !app.log_since(mark).contains(&patched) {
        assert!(start.elapsed() < PATCH, "{last} was not patched:\n{}", app.log_since(mark));
        app.assert_running().unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The generated file the page renders: the page shows the save, without a reload.
    let edited = format!("{} (edited)", scale::PROBE_TITLE);
    let mark = app.log_len();
    app.edit(&scale::probe_path(), &format!("\"{}\"", scale::PROBE_TITLE), &format!("\"{edited}\"")).unwrap();
    let start = std::time::Instant::now();
    while page.eval(scale::PROBE_TITLE_JS).await.unwrap() != json!(edited) {
        assert!(start.elapsed() < PATCH, "the probe's save was not patched:\n{}", app.log_since(mark));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(page.same_document().await.unwrap(), "the page was reloaded:\n{}", app.log_since(mark));
    app.assert_running().unwrap();
    drop(page);
    app.stop().await.unwrap();
}

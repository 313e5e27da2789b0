//! A flood of saves (issue 10, item 8): 100 saves a second for 10 s, to one file and then to 20
//! files. devserve stays responsive (an ordinary edit made during the flood still reaches the
//! page), the page ends on the last content without a reload, and exactly one build (of the last
//! state) finishes after each burst.

use std::time::{Duration, Instant};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::json;

/// Saves per second and how long a flood lasts.
const RATE: u32 = 100;
const FLOOD: Duration = Duration::from_secs(10);
/// How long the build after a burst may take to land.
const BUILD: Duration = Duration::from_secs(5 * 60);
/// How long an edit may take to show (functional bound; the measured time is printed).
const PATCH: Duration = Duration::from_secs(5);

const COMPONENTS: &str = "src/components.rs";
const TITLE: &str = "document.getElementById('title').textContent";

/// Saves `write(i)` at [`RATE`] per second for [`FLOOD`]; returns how many.
fn flood(mut write: impl FnMut(u32)) -> u32 {
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < FLOOD {
        write(i);
        i += 1;
        let due = start + Duration::from_secs_f64(f64::from(i) / f64::from(RATE));
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
    }
    i
}

/// Builds that finished after log position `mark`.
fn builds_finished_after(app: &DevserveApp, mark: usize) -> usize {
    app.log()[mark..]
        .lines()
        .filter(|l| l.contains("devserve: build ") && l.contains(" finished in "))
        .count()
}

/// Waits until a build landed after `mark` and no other started; then a quiet second.
async fn wait_settled(app: &DevserveApp, mark: usize) {
    let start = Instant::now();
    loop {
        let log = app.log();
        let after = &log[mark..];
        let landed = ["app restarted in", "binary unchanged"].iter().filter_map(|n| after.rfind(n)).max();
        let started = after.rfind(" started\n");
        if landed.is_some_and(|l| started.is_none_or(|s| s < l)) {
            break;
        }
        assert!(start.elapsed() < BUILD, "no build landed after the burst:\n{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
}

async fn wait_text(app: &DevserveApp, page: &Page, expected: &str) -> Duration {
    let start = Instant::now();
    while page.eval(TITLE).await.unwrap() != json!(expected) {
        assert!(start.elapsed() < PATCH, "the page does not show {expected:?}:\n{}", app.log());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    start.elapsed()
}

#[tokio::test]
async fn floods_of_saves_end_on_the_last_content_with_one_build() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    let original = app.read(COMPONENTS).unwrap();
    let title = move |n: u32| original.replacen(r#""Hello from Leptos""#, &format!("\"Flood {n}\""), 1);

    // One file, 100 saves a second.
    let mark = app.log().len();
    let path = app.path(COMPONENTS);
    let saves = tokio::task::spawn_blocking({
        let title = title.clone();
        move || flood(|i| std::fs::write(&path, title(i)).unwrap())
    })
    .await
    .unwrap();
    let last = format!("Flood {}", saves - 1);
    wait_text(&app, &page, &last).await;
    wait_settled(&app, mark).await;
    assert_eq!(
        builds_finished_after(&app, mark),
        1,
        "one build after the burst of {saves} saves:\n{}",
        app.log()
    );
    assert_eq!(page.eval(TITLE).await.unwrap(), json!(last), "the page must end on the last save");
    assert!(page.same_document().await.unwrap(), "the flood reloaded the page:\n{}", app.log());
    let patches = app.log()[mark..].matches(": patched ").count();
    eprintln!("one file: {saves} saves, {patches} patches sent");

    // Twenty files (views that are not on the page), and meanwhile an ordinary edit.
    let files: Vec<_> = (0..20).map(|n| app.path(&format!("src/flood/view{n}.rs"))).collect();
    std::fs::create_dir_all(app.path("src/flood")).unwrap();
    let view =
        |n: u32| format!("fn view{n}() -> impl IntoView {{\n    view! {{ <p>\"version {n}\"</p> }}\n}}\n");
    for file in &files {
        std::fs::write(file, view(0)).unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mark = app.log().len();
    let flooding = tokio::task::spawn_blocking({
        let files = files.clone();
        move || flood(|i| std::fs::write(&files[i as usize % files.len()], view(i + 1)).unwrap())
    });
    tokio::time::sleep(FLOOD / 2).await;
    std::fs::write(app.path(COMPONENTS), title(9999)).unwrap();
    let took = wait_text(&app, &page, "Flood 9999").await;
    eprintln!("an edit saved during the 20-file flood showed after {took:?} (polled every 5 ms)");
    let saves = flooding.await.unwrap();
    wait_settled(&app, mark).await;
    assert_eq!(
        builds_finished_after(&app, mark),
        1,
        "one build after the burst of {saves} saves:\n{}",
        app.log()
    );
    assert!(page.same_document().await.unwrap(), "the flood reloaded the page:\n{}", app.log());
    app.assert_running().unwrap();
    drop(page);
    app.stop().await.unwrap();
}

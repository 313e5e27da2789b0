//! Edits of views the open page does not show (the router's `fallback`, a route the browser has not
//! rendered yet): the page keeps the patch, reports no failure and is never reloaded for it, not
//! at the patch and not when the background build lands; a view rendered later gets the patch.

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, EXAMPLE_HYDRATE, Page};
use serde_json::{Value, json};

/// How long a hot patch may take to show.
const PATCH: Duration = Duration::from_secs(10);
/// How long a background build may take.
const BUILD: Duration = Duration::from_secs(6 * 60);
/// How long to watch for a reload that must not happen.
const SETTLE: Duration = Duration::from_millis(2000);

const TYPED: &str = "typed before the edit";

/// The `patch-applied` (and `patch-failed`) messages the page sent, as `[type, matches]`.
async fn reports(page: &Page) -> Value {
    let expr = "window.__devserve.state().sent.filter((m) => m.type.startsWith('patch-')).map((m) => [m.type, m.matches ?? null])";
    page.eval(expr).await.unwrap()
}

async fn wait_value(app: &DevserveApp, page: &Page, expr: &str, expected: &Value, timeout: Duration) {
    let start = std::time::Instant::now();
    loop {
        let value = page.eval(expr).await.unwrap();
        if value == *expected {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "after {timeout:?}, `{expr}` is {value}, not {expected}\n--- devserve ---\n{}",
            app.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Not reloaded, the typed text still there (when `typed`), no failure in the page or the log.
async fn assert_kept(app: &DevserveApp, page: &Page, typed: bool, context: &str) {
    let log = app.log();
    assert!(page.same_document().await.unwrap(), "{context}: the page was reloaded\n{log}");
    if typed {
        let value = page.eval("document.getElementById('name-input').value").await.unwrap();
        assert_eq!(value, TYPED, "{context}: the typed text is gone");
    }
    let failures = page.eval("window.__devserve.state().failures").await.unwrap();
    assert_eq!(failures, json!([]), "{context}: the page reported a failure\n{log}");
    assert!(!log.contains("could not apply patch"), "{context}: a page reported a failed patch\n{log}");
}

#[tokio::test]
async fn editing_the_fallback_view_while_home_is_open_reloads_nothing() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    page.type_text("#name-input", TYPED).await.unwrap();

    // The `fallback` of <Routes>: rendered for unknown paths only, not on "/".
    app.edit("src/app.rs", r#""Page not found.""#, r#""Nothing at this address.""#).unwrap();
    app.wait_for_log("src/app.rs: patched 1 view(s)", PATCH).await.unwrap();
    wait_value(&app, &page, "window.__devserve.applied()", &json!(1), PATCH).await;
    assert_eq!(reports(&page).await, json!([["patch-applied", 0]]), "kept, not failed");
    assert_kept(&app, &page, true, "after the patch").await;

    // The background build lands: still no reload. (The example's server answers unknown paths
    // with an empty 404, so the new fallback text cannot be fetched to check the binary.)
    app.wait_for_log("build 2 finished", BUILD).await.unwrap();
    app.wait_for_log_count("app restarted in", 2, BUILD).await.unwrap();
    tokio::time::sleep(SETTLE).await;
    assert_kept(&app, &page, true, "after the background build").await;
    assert_eq!(app.count_log("rebuild:"), 0, "a static edit:\n{}", app.log());
    drop(page);
    app.stop().await.unwrap();
}

#[tokio::test]
async fn a_route_the_wasm_renders_after_the_edit_shows_the_patch() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let startup_timeout = Duration::from_secs(30 * 60);
    // The build after the patch is held back: the page's own (old) wasm renders the route.
    let options = DevserveOptions {
        example: EXAMPLE_HYDRATE,
        startup_timeout,
        ..DevserveOptions::with_args(&["--build-debounce", "60000"])
    };
    let app = DevserveApp::start(options).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    wait_value(&app, &page, "window.__devserve.state().hydrated", &json!(true), BUILD).await;

    app.edit(
        "src/app.rs",
        r#""This page is rendered by the wasm front end after navigation""#,
        r#""Patched before the route was rendered""#,
    )
    .unwrap();
    app.wait_for_log("src/app.rs: patched 1 view(s)", PATCH).await.unwrap();
    wait_value(&app, &page, "window.__devserve.applied()", &json!(1), PATCH).await;
    assert_eq!(reports(&page).await, json!([["patch-applied", 0]]), "kept, not failed");

    // Client-side navigation: the wasm renders the old text, the kept patch corrects it.
    page.click("a[href='/about']").await.unwrap();
    let about = "document.getElementById('about-text')?.textContent ?? null";
    wait_value(&app, &page, about, &json!("Patched before the route was rendered"), PATCH).await;
    assert_eq!(page.eval("location.pathname").await.unwrap(), json!("/about"));
    tokio::time::sleep(SETTLE).await;
    assert_kept(&app, &page, false, "after navigating").await;
    let log = app.log();
    let console: Vec<&str> = log.lines().filter(|line| line.contains("[browser ")).collect();
    assert!(console.is_empty(), "the browser console reported:\n{}", console.join("\n"));
    drop(page);
    app.stop().await.unwrap();
}

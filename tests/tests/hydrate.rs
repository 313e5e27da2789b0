//! The cargo-leptos drop-in end to end: `devserve --hot-reload` with no configuration flags on a
//! copy of `examples/leptos-hydrate` (ssr + hydrate features, `[package.metadata.leptos]`, a wasm
//! front end, an SCSS style-file with a partial, `<AutoReload/>`), checked in headless Chromium.
//!
//! What a user of a hydrated page cares about: the page hydrates (the counter counts), a static
//! edit shows without a reload and without losing the count, the background build after it
//! reloads nothing, styles swap in place, and no step logs an error in the browser console
//! (devserve's client forwards console errors and warnings to its terminal: the log must have
//! none).

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, EXAMPLE_HYDRATE, Page};
use serde_json::{Value, json};

/// How long a hot patch or a stylesheet swap may take to show.
const PATCH: Duration = Duration::from_secs(10);
/// How long a background build (server and wasm) may take.
const BUILD: Duration = Duration::from_secs(6 * 60);
/// How long to watch for something that must not happen (a reload).
const SETTLE: Duration = Duration::from_millis(2000);

const APP: &str = "src/app.rs";
const COMPONENTS: &str = "src/components.rs";
const MAIN_SCSS: &str = "style/main.scss";
const PARTIAL: &str = "style/_colors.scss";

const INTRO: &str = r#""Welcome to the hydrated example""#;
const COUNTER_TEXT: &str = "document.getElementById('counter').textContent";

struct Live {
    page: Page,
    app: DevserveApp,
    browser: Browser,
}

impl Live {
    async fn start(args: &[&str]) -> Option<Self> {
        let browser = Browser::start_or_skip().await?;
        // The first start builds Leptos twice (server and wasm) and may install wasm-bindgen-cli.
        let startup_timeout = Duration::from_secs(30 * 60);
        let options =
            DevserveOptions { example: EXAMPLE_HYDRATE, startup_timeout, ..DevserveOptions::with_args(args) };
        let app = DevserveApp::start(options).await.unwrap();
        let page = browser.page().await.unwrap();
        let live = Self { page, app, browser };
        live.open(&live.page, "/").await;
        Some(live)
    }

    /// Load `path` in `page`, wait until it is hydrated and mark the document.
    async fn open(&self, page: &Page, path: &str) {
        self.app.open(page, path).await.unwrap();
        self.wait_value(page, "window.__devserve.state().hydrated", &json!(true), BUILD).await;
    }

    /// Click the counter and wait until it reads `expected`.
    async fn click_counter(&self, page: &Page, expected: u32) {
        page.click("#counter").await.unwrap();
        self.wait_value(page, COUNTER_TEXT, &json!(format!("Count: {expected}")), PATCH).await;
    }

    async fn wait_value(&self, page: &Page, expr: &str, expected: &Value, timeout: Duration) {
        let start = std::time::Instant::now();
        loop {
            let value = page.eval(expr).await.unwrap();
            if value == *expected {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "after {timeout:?}, `{expr}` is {value}, not {expected}\n--- devserve ---\n{}",
                self.app.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        self.app.edit(rel, from, to).unwrap();
    }

    /// Not reloaded, no failed patch, no overlay, nothing in the browser console.
    async fn assert_kept(&self, page: &Page, context: &str) {
        let log = self.app.log();
        assert!(page.same_document().await.unwrap(), "{context}: the page was reloaded\n{log}");
        let state = page.eval("window.__devserve.state()").await.unwrap();
        assert_eq!(state["failures"], json!([]), "{context}: the client could not patch\n{log}");
        let overlay = page.eval("document.querySelector('devserve-error-overlay') !== null").await.unwrap();
        assert_eq!(overlay, false, "{context}: an error overlay is shown");
        self.assert_quiet_console(context);
    }

    /// devserve's client forwards `console.error`, `console.warn`, uncaught exceptions and
    /// rejections (a hydration panic included) to the terminal as `[browser ..]` lines.
    fn assert_quiet_console(&self, context: &str) {
        let log = self.app.log();
        let lines: Vec<&str> = log.lines().filter(|line| line.contains("[browser ")).collect();
        assert!(
            lines.is_empty(),
            "{context}: the browser console reported:\n{}\n--- devserve ---\n{log}",
            lines.join("\n")
        );
    }

    /// Wait for build `id` to land (both sides built, the app restarted or kept).
    async fn wait_landed(&self, id: u32) {
        self.app.wait_for_log(&format!("build {id} (server) finished"), BUILD).await.unwrap();
        self.app.wait_for_log(&format!("build {id} (wasm front end) finished"), BUILD).await.unwrap();
        let landed = ["app restarted in", "binary unchanged"];
        let start = std::time::Instant::now();
        loop {
            let log = self.app.log();
            let after_build = log.split(&format!("build {id} (")).skip(1).collect::<Vec<_>>().join("");
            if landed.iter().any(|n| after_build.contains(n)) {
                return;
            }
            assert!(start.elapsed() < BUILD, "build {id} did not land:\n{log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn finish(self) {
        let Self { page, app, browser } = self;
        drop(page);
        app.stop().await.unwrap();
        drop(browser);
    }
}

/// The app's own address, from its `listening on http://..` line.
fn app_url(log: &str) -> String {
    let start =
        log.find("listening on http://").expect("the app said where it listens") + "listening on ".len();
    let url: String = log[start..].chars().take_while(|c| !c.is_whitespace() && *c != '"').collect();
    format!("{url}/")
}

fn computed(css: &str, property: &str) -> String {
    format!("getComputedStyle(document.querySelector('{css}')).getPropertyValue('{property}')")
}

#[tokio::test]
async fn a_hydrated_page_keeps_its_state_through_patches_builds_and_style_swaps() {
    let Some(live) = Live::start(&[]).await else { return };
    let page = &live.page;
    // Hydrated: the counter counts; the SCSS (with its partial) is compiled and applied.
    for n in 1..=3 {
        live.click_counter(page, n).await;
    }
    live.wait_value(page, &computed("body", "background-color"), &json!("rgb(244, 241, 234)"), PATCH).await;
    live.assert_kept(page, "after hydration").await;

    // A static text edit: patched in place, the count survives and the button still counts.
    live.edit(APP, INTRO, r#""Welcome, patched in place""#);
    live.wait_value(
        page,
        "document.getElementById('intro').textContent",
        &json!("Welcome, patched in place"),
        PATCH,
    )
    .await;
    live.wait_value(page, COUNTER_TEXT, &json!("Count: 3"), PATCH).await;
    live.click_counter(page, 4).await;
    live.assert_kept(page, "after the patch").await;

    // The quiet background build (server and wasm) lands without reloading the page.
    live.wait_landed(2).await;
    tokio::time::sleep(SETTLE).await;
    live.assert_kept(page, "after the background build").await;
    live.click_counter(page, 5).await;

    // The style-file and its partial: swapped in place.
    live.edit(MAIN_SCSS, "font-size: 1.2rem;", "font-size: 2rem;");
    live.wait_value(page, &computed("#intro", "font-size"), &json!("32px"), PATCH).await;
    live.edit(PARTIAL, "$bg: #f4f1ea;", "$bg: #102030;");
    live.wait_value(page, &computed("body", "background-color"), &json!("rgb(16, 32, 48)"), PATCH).await;
    live.assert_kept(page, "after the style swaps").await;

    // A Sass error: the overlay names the file and line; the last good CSS stays; fixing it
    // clears the overlay.
    live.edit(MAIN_SCSS, "font-size: 2rem;", "font-size: 2rem;\n  color: $undefined-variable;");
    let overlay_text = "document.querySelector('devserve-error-overlay')?.shadowRoot.textContent ?? ''";
    let start = std::time::Instant::now();
    loop {
        let text = page.eval(overlay_text).await.unwrap();
        if text.as_str().is_some_and(|t| t.contains("main.scss:")) {
            break;
        }
        assert!(start.elapsed() < PATCH, "no overlay naming main.scss:line: {text}\n{}", live.app.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(page.eval(&computed("#intro", "font-size")).await.unwrap(), json!("32px"));
    live.edit(MAIN_SCSS, "\n  color: $undefined-variable;", "");
    live.wait_value(page, "document.querySelector('devserve-error-overlay') === null", &json!(true), PATCH)
        .await;
    live.assert_kept(page, "after the Sass error was fixed").await;
    live.wait_value(page, COUNTER_TEXT, &json!("Count: 5"), PATCH).await;
    live.finish().await;
}

#[tokio::test]
async fn a_tab_opened_after_a_structural_patch_hydrates_and_counts() {
    // A long debounce holds the background build back, so the new tab is served by the old
    // binary and must get the patch from devserve, after hydration.
    let Some(live) = Live::start(&["--build-debounce", "60000"]).await else { return };
    live.edit(
        APP,
        &format!("<p id=\"intro\">{INTRO}</p>"),
        &format!("<p id=\"intro\">{INTRO}</p> <p id=\"inserted\">\"Inserted before the counter\"</p>"),
    );
    let inserted = "document.getElementById('inserted')?.textContent ?? null";
    live.wait_value(&live.page, inserted, &json!("Inserted before the counter"), PATCH).await;
    live.assert_kept(&live.page, "after the patch").await;

    let tab = live.page.new_tab().await.unwrap();
    live.open(&tab, "/").await;
    live.wait_value(&tab, inserted, &json!("Inserted before the counter"), PATCH).await;
    live.click_counter(&tab, 1).await;
    live.click_counter(&tab, 2).await;
    live.click_counter(&live.page, 1).await;
    live.assert_kept(&tab, "the new tab").await;
    live.assert_kept(&live.page, "the first tab").await;
    drop(tab);
    live.finish().await;
}

#[tokio::test]
async fn a_route_rendered_by_the_wasm_is_patched_and_a_handler_change_reloads_once() {
    let Some(live) = Live::start(&[]).await else { return };
    let page = &live.page;
    // Client-side navigation: no page load, the wasm renders the route.
    page.click("a[href='/about']").await.unwrap();
    let about = "document.getElementById('about-text')?.textContent ?? null";
    live.wait_value(
        page,
        about,
        &json!("This page is rendered by the wasm front end after navigation"),
        PATCH,
    )
    .await;
    live.assert_kept(page, "after navigating").await;
    live.edit(
        APP,
        r#""This page is rendered by the wasm front end after navigation""#,
        r#""Patched on a route the wasm rendered""#,
    );
    live.wait_value(page, about, &json!("Patched on a route the wasm rendered"), PATCH).await;
    live.assert_kept(page, "after the patch").await;
    live.wait_landed(2).await;

    // A change in the click handler: both sides rebuilt, the page reloaded once, the new
    // behaviour works after hydration.
    page.click("a[href='/']").await.unwrap();
    live.wait_value(page, "document.getElementById('counter') !== null", &json!(true), PATCH).await;
    // A tab on the app's own port has no devserve client: Leptos's <AutoReload/> script, answered
    // by devserve on the reload port, reloads it.
    let app_url = app_url(&live.app.log());
    let direct = live.page.new_tab().await.unwrap();
    direct.goto(&app_url).await.unwrap();
    live.wait_value(&direct, "document.getElementById('counter') !== null", &json!(true), PATCH).await;
    live.wait_value(&direct, "window.__devserve === undefined", &json!(true), PATCH).await;
    direct.mark().await.unwrap();
    live.edit(COMPONENTS, "*count.write() += 1", "*count.write() += 10");
    live.wait_landed(3).await;
    live.wait_value(&direct, "window.__devserve_e2e_mark === undefined", &json!(true), BUILD).await;
    drop(direct);
    live.wait_value(page, "window.__devserve_e2e_mark === undefined", &json!(true), BUILD).await;
    live.wait_value(page, "!!(window.__devserve && window.__devserve.state().hydrated)", &json!(true), BUILD)
        .await;
    page.mark().await.unwrap();
    tokio::time::sleep(SETTLE).await;
    assert!(page.same_document().await.unwrap(), "the page was reloaded more than once\n{}", live.app.log());
    live.click_counter(page, 10).await;
    live.assert_quiet_console("after the reload");
    live.finish().await;
}

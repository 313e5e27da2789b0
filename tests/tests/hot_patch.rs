//! The hot-patch loop end to end: `devserve --hot-reload` on a copy of the example app, a file
//! edited on disk as an editor saves it, and the page checked in headless Chromium.
//!
//! Every case types into the page's input and marks the document before the edit, and checks
//! after it that the DOM changed as the source did, that the page was not reloaded (mark and typed
//! text still there), that the client reported no failure and shows no overlay, and, at the end,
//! that devserve stops on SIGTERM leaving nothing running. Only the block edit must reload.

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::{Value, json};

/// How long a hot patch or a stylesheet swap may take to show (milliseconds when all is well;
/// generous because other tests share the CPU).
const PATCH: Duration = Duration::from_secs(10);
/// How long a background build of the app's crate may take (seconds when all is well).
const BUILD: Duration = Duration::from_secs(5 * 60);
/// How long to watch for something that must not happen (a reload, a build).
const SETTLE: Duration = Duration::from_millis(1500);

/// What the "user" typed into the page's form before the edit.
const TYPED: &str = "typed before the edit";

const COMPONENTS: &str = "src/components.rs";
const TITLE: &str = r#""Hello from Leptos""#;

/// The text of every element matching `css`, as a JavaScript expression.
fn texts(css: &str) -> String {
    format!("[...document.querySelectorAll('{css}')].map((e) => e.textContent)")
}

/// devserve on the example app and a browser tab showing its home page.
struct Live {
    page: Page,
    app: DevserveApp,
    browser: Browser,
}

impl Live {
    /// Start devserve with `args` and open the home page; `None` (skipped) without a browser.
    async fn start(args: &[&str]) -> Option<Self> {
        let browser = Browser::start_or_skip().await?;
        let app = DevserveApp::start(DevserveOptions::with_args(args)).await.unwrap();
        let page = browser.page().await.unwrap();
        let live = Self { page, app, browser };
        live.open(&live.page).await;
        Some(live)
    }

    /// Load the home page in `page`, type into its input and mark the document.
    async fn open(&self, page: &Page) {
        self.app.open(page, "/").await.unwrap();
        page.type_text("#name-input", TYPED).await.unwrap();
    }

    /// Another tab of the same browser, showing the home page.
    async fn new_tab(&self) -> Page {
        let tab = self.page.new_tab().await.unwrap();
        self.open(&tab).await;
        tab
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        self.app.edit(rel, from, to).unwrap();
    }

    /// Poll `expr` in `page` until it equals `expected`; fails with the last value and
    /// devserve's log after `timeout`.
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

    /// The page was not reloaded and nothing went wrong in it.
    async fn assert_kept(&self, page: &Page, context: &str) {
        let log = || self.app.log();
        assert!(page.same_document().await.unwrap(), "{context}: the page was reloaded\n{}", log());
        let typed = page.eval("document.getElementById('name-input').value").await.unwrap();
        assert_eq!(typed, TYPED, "{context}: the typed text is gone");
        let state = page.eval("window.__devserve.state()").await.unwrap();
        assert_eq!(state["failures"], json!([]), "{context}: the client could not patch\n{}", log());
        let overlay = page.eval("document.querySelector('devserve-error-overlay') !== null").await.unwrap();
        assert_eq!(overlay, false, "{context}: an error overlay is shown");
        assert!(!log().contains("could not apply patch"), "{context}: a page reported a failed patch");
    }

    /// The HTML devserve serves for the home page now (from the app's current binary).
    async fn served_html(&self) -> String {
        let fetch = "return fetch('/', { cache: 'no-store' }).then((r) => r.text());";
        self.page.exec(fetch, Vec::new()).await.unwrap().as_str().unwrap().to_owned()
    }

    /// Wait for the quiet background build after a patch to land (build 2: the new binary runs),
    /// then check that it reloaded nothing and serves what the pages show.
    async fn assert_quiet_build(&self, pages: &[&Page], served: &str) {
        self.app.wait_for_log("build 2 finished", BUILD).await.unwrap();
        self.app.wait_for_log_count("app restarted in", 2, BUILD).await.unwrap();
        tokio::time::sleep(SETTLE).await;
        for (i, page) in pages.iter().enumerate() {
            self.assert_kept(page, &format!("tab {i} after the background build")).await;
        }
        let html = self.served_html().await;
        assert!(html.contains(served), "the new binary does not serve {served:?}:\n{html}");
    }

    /// Stop devserve and check that it leaves nothing running.
    async fn finish(self) {
        let Self { page, app, browser } = self;
        drop(page);
        app.stop().await.unwrap();
        drop(browser);
    }
}

/// Start devserve, make one edit, expect `probe` to read `expected` with the page kept, then the
/// quiet build to land without a reload, its binary serving `served`.
async fn check_patch(edit: (&str, &str, &str), probe: &str, expected: Value, served: &str) {
    let Some(live) = Live::start(&[]).await else { return };
    let (rel, from, to) = edit;
    live.edit(rel, from, to);
    live.wait_value(&live.page, probe, &expected, PATCH).await;
    live.assert_kept(&live.page, "after the patch").await;
    assert_eq!(live.app.count_log("patched"), 1, "one save, one patch:\n{}", live.app.log());
    live.assert_quiet_build(&[&live.page], served).await;
    live.wait_value(&live.page, probe, &expected, PATCH).await;
    live.finish().await;
}

#[tokio::test]
async fn a_text_edit_is_patched_and_the_next_one_after_the_build_too() {
    let Some(live) = Live::start(&[]).await else { return };
    live.edit(COMPONENTS, TITLE, r#""Hello from devserve""#);
    live.wait_value(&live.page, &texts("#title"), &json!(["Hello from devserve"]), PATCH).await;
    live.assert_kept(&live.page, "after the patch").await;
    live.assert_quiet_build(&[&live.page], ">Hello from devserve</h1>").await;

    // The build moved the baseline: the next edit patches against it.
    live.edit(COMPONENTS, r#""Hello from devserve""#, r#""Hello again""#);
    live.wait_value(&live.page, &texts("#title"), &json!(["Hello again"]), PATCH).await;
    live.assert_kept(&live.page, "after the second patch").await;
    live.finish().await;
}

#[tokio::test]
async fn a_save_by_rename_is_patched() {
    let Some(live) = Live::start(&[]).await else { return };
    live.app.edit_by_rename(COMPONENTS, TITLE, r#""Hello, renamed""#).unwrap();
    live.wait_value(&live.page, &texts("#title"), &json!(["Hello, renamed"]), PATCH).await;
    live.assert_kept(&live.page, "after the patch").await;
    assert_eq!(live.app.count_log("patched"), 1, "one save, one patch:\n{}", live.app.log());
    live.finish().await;
}

#[tokio::test]
async fn a_class_attribute_edit_is_patched() {
    check_patch(
        (COMPONENTS, r#"<p class="tagline">"#, r#"<p class="tagline shiny">"#),
        "document.querySelector('#header p').className",
        json!("tagline shiny"),
        r#"<p class="tagline shiny">"#,
    )
    .await;
}

#[tokio::test]
async fn a_static_element_inserted_is_patched() {
    let tagline = r#"<p class="tagline">"Edit a view and watch it change."</p>"#;
    check_patch(
        (COMPONENTS, tagline, &format!(r#"{tagline} <p class="note">"A new paragraph."</p>"#)),
        &texts("#header > p"),
        json!(["Edit a view and watch it change.", "A new paragraph."]),
        r#"<p class="note">A new paragraph.</p>"#,
    )
    .await;
}

#[tokio::test]
async fn a_static_element_removed_is_patched() {
    check_patch(
        (COMPONENTS, r#"<h2>"Items"</h2>"#, ""),
        "[document.querySelectorAll('#items h2').length, document.querySelectorAll('li.item').length]",
        json!([0, 4]),
        r#"<section id="items"><ul"#,
    )
    .await;
}

#[tokio::test]
async fn a_static_element_moved_is_patched() {
    let (title, tagline) = (
        r#"<h1 id="title">"Hello from Leptos"</h1>"#,
        r#"<p class="tagline">"Edit a view and watch it change."</p>"#,
    );
    let indent = "\n            ";
    check_patch(
        (COMPONENTS, &format!("{title}{indent}{tagline}"), &format!("{tagline}{indent}{title}")),
        "[...document.querySelector('#header').children].map((e) => e.localName)",
        json!(["svg", "p", "h1"]),
        r#"change.</p><h1 id="title">"#,
    )
    .await;
}

#[tokio::test]
async fn a_view_rendered_in_a_list_is_patched_in_every_instance() {
    check_patch(
        (COMPONENTS, r#"" is item number ""#, r#"" is card number ""#),
        &texts("li.item .item-label"),
        json!(vec![" is card number "; 4]),
        r#"<span class="item-label"> is card number </span>"#,
    )
    .await;
}

#[tokio::test]
async fn a_view_nested_in_a_block_is_patched() {
    check_patch(
        (COMPONENTS, r#""Nobody greeted yet.""#, r#""Nobody here yet.""#),
        &texts("#greeting"),
        json!(["Nobody here yet."]),
        ">Nobody here yet.<", // `.</p>`, or `.<!></p>` with erase_components
    )
    .await;
}

#[tokio::test]
async fn a_stylesheet_edit_is_swapped_in_place() {
    let Some(live) = Live::start(&[]).await else { return };
    let color = "getComputedStyle(document.getElementById('title')).color";
    live.wait_value(&live.page, color, &json!("rgb(194, 65, 12)"), PATCH).await;
    live.edit("style/main.css", "#title {\n  color: var(--accent);", "#title {\n  color: rgb(0, 128, 0);");
    live.wait_value(&live.page, color, &json!("rgb(0, 128, 0)"), PATCH).await;
    live.app.wait_for_log("style/main.css: stylesheet swapped", PATCH).await.unwrap();
    // Swapped, not added: one stylesheet link, with the change's version.
    let links = "[...document.querySelectorAll('link[rel=stylesheet]')]\
                 .map((l) => new URL(l.href).pathname + new URL(l.href).search)";
    live.wait_value(&live.page, links, &json!(["/style/main.css?v=1"]), PATCH).await;
    live.assert_kept(&live.page, "after the swap").await;

    tokio::time::sleep(SETTLE).await;
    assert_eq!(live.app.count_log("build 2 started"), 0, "a stylesheet needs no build:\n{}", live.app.log());
    live.assert_kept(&live.page, "a moment later").await;
    live.finish().await;
}

#[tokio::test]
async fn every_open_tab_is_patched() {
    let Some(live) = Live::start(&[]).await else { return };
    let second = live.new_tab().await;
    live.edit(COMPONENTS, TITLE, r#""Hello, both tabs""#);
    for (i, page) in [&live.page, &second].into_iter().enumerate() {
        live.wait_value(page, &texts("#title"), &json!(["Hello, both tabs"]), PATCH).await;
        live.assert_kept(page, &format!("tab {i}")).await;
    }
    live.assert_quiet_build(&[&live.page, &second], ">Hello, both tabs</h1>").await;
    live.finish().await;
}

#[tokio::test]
async fn a_tab_opened_before_the_background_build_gets_the_patches_replayed() {
    // The quiet build waits 20 s after the save: long enough to open a tab before it starts.
    let Some(live) = Live::start(&["--build-debounce", "20000"]).await else { return };
    live.edit(COMPONENTS, TITLE, r#""Hello, late tab""#);
    live.wait_value(&live.page, &texts("#title"), &json!(["Hello, late tab"]), PATCH).await;

    let late = live.new_tab().await;
    live.wait_value(&late, &texts("#title"), &json!(["Hello, late tab"]), PATCH).await;
    // All of that happened on the old binary: it still serves the old text.
    let served = live.served_html().await;
    assert_eq!(live.app.count_log("build 2 started"), 0, "the build started early:\n{}", live.app.log());
    assert!(served.contains(">Hello from Leptos</h1>"), "not the old binary's page:\n{served}");
    let state = late.eval("window.__devserve.state()").await.unwrap();
    assert_eq!(state["buildId"], "b1", "the late tab was served by build 1");
    assert_eq!(state["appliedVersion"], 1, "the late tab applied the replayed patch");
    live.assert_kept(&late, "the late tab").await;
    live.assert_kept(&live.page, "the first tab").await;
    live.finish().await;
}

#[tokio::test]
async fn a_block_edit_is_not_patched_but_reloads_after_the_rebuild() {
    let Some(live) = Live::start(&[]).await else { return };
    let answer = "document.getElementById('answer-value').textContent";
    live.edit(COMPONENTS, "{answer}</strong>", "{answer * 2}</strong>");
    live.app.wait_for_log("devserve: rebuild:", PATCH).await.unwrap();
    live.app.wait_for_log("build 2 started", PATCH).await.unwrap();
    // Until the build lands the page stays as it was.
    assert_eq!(live.page.eval(answer).await.unwrap(), "42");
    live.assert_kept(&live.page, "while the build runs").await;
    assert_eq!(live.app.count_log("patched"), 0, "a block edit must not be patched:\n{}", live.app.log());

    live.wait_value(&live.page, answer, &json!("84"), BUILD).await;
    let log = live.app.log();
    assert!(log.contains("build 2 finished") && log.matches("app restarted in").count() == 2, "{log}");
    assert!(!live.page.same_document().await.unwrap(), "the new value must come with a reload");
    let connected = "window.__devserve && window.__devserve.state().connected";
    live.page.wait_for(connected, PATCH).await.unwrap();
    live.finish().await;
}

#[tokio::test]
async fn a_half_typed_view_changes_nothing_and_the_next_good_save_patches() {
    let Some(live) = Live::start(&[]).await else { return };
    let original = live.app.read(COMPONENTS).unwrap();
    let title = &texts("#title");
    let kept_title = json!(["Hello from Leptos"]);
    let broken = [
        ("a closing tag deleted", r#"{TITLE}</h1>"#.replace("{TITLE}", TITLE), TITLE.to_owned()),
        ("an unterminated string", TITLE.to_owned(), r#""Hello from Lep"#.to_owned()),
    ];
    for (i, (what, from, to)) in broken.iter().enumerate() {
        live.edit(COMPONENTS, from, to);
        live.app.wait_for_log_count("keeping the last good state", i + 1, PATCH).await.unwrap();
        tokio::time::sleep(SETTLE).await;
        live.app.assert_running().unwrap();
        assert_eq!(live.page.eval(title).await.unwrap(), kept_title, "{what}");
        live.assert_kept(&live.page, what).await;
        let log = live.app.log();
        assert!(!log.contains("build 2 started") && !log.contains("patched"), "{what}:\n{log}");
    }

    live.app.write(COMPONENTS, &original.replacen(TITLE, r#""Hello, fixed""#, 1)).unwrap();
    live.wait_value(&live.page, title, &json!(["Hello, fixed"]), PATCH).await;
    live.assert_kept(&live.page, "after the good save").await;
    live.finish().await;
}

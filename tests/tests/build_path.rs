//! The build path end to end: `devserve --hot-reload` on a copy of the example app, Rust code
//! edited on disk as an editor saves it, real cargo builds with the profile devserve chose, and
//! the result checked in headless Chromium.
//!
//! Each case looks at what a user sees: the page after the automatic reload (or the proof that it
//! was not reloaded), the error overlay and its text, and devserve's terminal output.

mod burst;
mod code_change;
mod compile_error;
mod crash;
mod debug_info;
mod restart;

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::{Value, json};

/// How long one incremental build of the app's crate and the app's restart may take (seconds when
/// all is well; generous because other tests share the two cores).
const BUILD: Duration = Duration::from_secs(5 * 60);
/// How long a message over the WebSocket (an overlay shown or removed) may take to show.
const MESSAGE: Duration = Duration::from_secs(10);
/// How long to watch for something that must not happen (a reload, a restart, another build).
const SETTLE: Duration = Duration::from_millis(1500);

const APP_RS: &str = "src/app.rs";
/// The Rust value behind `#answer-value` (42).
const ANSWER: &str = "let answer = 6 * 7;";
/// `#answer-value`'s text, as a JavaScript expression.
const ANSWER_VALUE: &str = "document.getElementById('answer-value')?.textContent ?? null";
/// Whether the page shows the error overlay, as a JavaScript expression.
const OVERLAY_SHOWN: &str = "document.querySelector('devserve-error-overlay') !== null";

/// devserve on the example app and a browser tab showing its home page, marked.
struct Live {
    page: Page,
    app: DevserveApp,
    browser: Browser,
}

impl Live {
    /// Start devserve with `options` and open the home page; `None` (skipped) without a browser.
    async fn start(options: DevserveOptions) -> Option<Self> {
        let browser = Browser::start_or_skip().await?;
        let app = DevserveApp::start(options).await.unwrap();
        let page = browser.page().await.unwrap();
        app.open(&page, "/").await.unwrap();
        let live = Self { page, app, browser };
        live.wait_value(&live.page, ANSWER_VALUE, &json!("42"), MESSAGE).await;
        Some(live)
    }

    /// [`DevserveApp::wait_value`] on this session's app.
    async fn wait_value(&self, page: &Page, expr: &str, expected: &Value, timeout: Duration) {
        self.app.wait_value(page, expr, expected, timeout).await;
    }

    /// The text of the error overlay's shadow root and its `file:line` headings, once it shows.
    async fn overlay(&self, page: &Page) -> Overlay {
        self.wait_value(page, OVERLAY_SHOWN, &json!(true), MESSAGE).await;
        let read = "const root = document.querySelector('devserve-error-overlay').shadowRoot; \
                    return { text: root.querySelector('.panel').textContent, \
                    where: [...root.querySelectorAll('.where')].map((e) => e.textContent) };";
        let value = page.exec(read, Vec::new()).await.unwrap();
        let text = value["text"].as_str().unwrap_or_default().to_owned();
        let places = value["where"].as_array().into_iter().flatten();
        Overlay { text, places: places.filter_map(|p| p.as_str().map(str::to_owned)).collect() }
    }

    /// The page shows the app again with no overlay and a connected client.
    async fn assert_healthy(&self, page: &Page, context: &str) {
        let connected = "window.__devserve && window.__devserve.state().connected";
        page.wait_for(connected, MESSAGE).await.unwrap();
        let overlay = page.eval(OVERLAY_SHOWN).await.unwrap();
        assert_eq!(overlay, false, "{context}: the overlay is still shown\n{}", self.app.log());
    }

    /// Stop devserve and check that it leaves nothing running.
    async fn finish(self) {
        let Self { page, app, browser } = self;
        drop(page);
        app.stop().await.unwrap();
        drop(browser);
    }
}

/// What the error overlay shows.
#[derive(Debug)]
struct Overlay {
    /// All of its text.
    text: String,
    /// The `file:line:column` heading of each diagnostic.
    places: Vec<String>,
}

/// The 1-based line of the first line of `source` that contains `needle`.
fn line_of(source: &str, needle: &str) -> usize {
    source.lines().position(|line| line.contains(needle)).map(|i| i + 1).expect("needle not in source")
}

/// What devserve said about its builds, in order: (build id, first word after it), e.g.
/// `(3, "started")`, `(3, "cancelled")`, `(4, "finished")`, `(5, "failed")`.
fn build_events(log: &str) -> Vec<(u64, String)> {
    log.lines()
        .filter_map(|line| {
            let line = line.strip_prefix("devserve: ")?;
            let line = line.strip_prefix("error: ").unwrap_or(line);
            let mut words = line.strip_prefix("build ")?.split_whitespace();
            let id = words.next()?.parse().ok()?;
            Some((id, words.next()?.to_owned()))
        })
        .collect()
}

#[test]
fn build_lines_are_read_from_the_log() {
    let log = "devserve: build profile: cranelift-default\n\
               devserve: build 1 started\n\
               devserve: build 1 finished in 4.1 s\n\
               devserve: app restarted in 40 ms\n\
               devserve: build 2 started\n\
               devserve: build 2 cancelled\n\
               devserve: error: build 3 failed after 1.2 s\n\
               error[E0308]: mismatched types\n";
    let expected = [(1, "started"), (1, "finished"), (2, "started"), (2, "cancelled"), (3, "failed")];
    let expected: Vec<(u64, String)> = expected.iter().map(|(id, what)| (*id, (*what).to_owned())).collect();
    assert_eq!(build_events(log), expected);
    assert_eq!(line_of("a\nb\nlet answer = 6 * 7;\n", ANSWER), 3);
}

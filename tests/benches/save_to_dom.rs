//! Save-to-DOM latency of the hot-patch loop: `devserve --hot-reload` on a copy of the example app,
//! a one-word edit saved to disk, and the moment headless Chromium shows it.
//!
//! Run with `cargo bench -p devserve-e2e --bench save_to_dom`.
//!
//! devserve runs as a user runs it: default build debounce, so every save also starts the
//! background build that brings the binary up to date, and that build competes for the CPU with
//! the patch path. Saves are [`PAUSE`] apart, so the build a save starts is running at the next.
//!
//! Each save is stamped here right before the file is written (in place, with one
//! `std::fs::write`, as most editors save); the page stamps the change from a `MutationObserver`
//! on the edited element (view edits), or when the element's computed style changes as the
//! stylesheet is swapped (stylesheet edits), with `performance.timeOrigin + performance.now()`.
//! The two clocks are calibrated against each other before and after each series: the page's
//! clock is read between two local stamps 30 times, the read with the shortest round trip gives
//! the offset and half that round trip its uncertainty; the mean of the two offsets is used, and
//! the uncertainty and the drift between them are printed.
//!
//! A save that never reaches the page within [`LOST_AFTER`] is counted as lost and reported (the
//! goal is 0); the series goes on with the same devserve, nothing is restarted. A page that
//! reloaded meanwhile (its recorder gone) is counted too and gets a new recorder.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::{Value, json};

/// Measured saves per series.
const EDITS: usize = 50;
/// Saves made before measuring (the first patch warms up the page's JIT and caches).
const WARM_UP: usize = 3;
/// A save not shown after this long is lost.
const LOST_AFTER: Duration = Duration::from_secs(3);
/// Pause between saves: a person saves every second or so, and the background build a save starts
/// is under way at the next one.
const PAUSE: Duration = Duration::from_millis(1000);

const COMPONENTS: &str = "src/components.rs";
const STYLESHEET: &str = "style/main.css";

/// What is edited and how the page notices.
#[derive(Clone, Copy)]
enum Kind {
    /// `#title`'s text, a static text of a `view!`.
    View,
    /// `#title`'s colour, in the stylesheet.
    Style,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::View => "view text edit (#title in src/components.rs)",
            Kind::Style => "stylesheet edit (#title color in style/main.css)",
        }
    }

    /// The file, the text replaced in it, and the two versions saved in turn: (replacement, what
    /// the page shows then).
    fn edits(self) -> (&'static str, &'static str, [(&'static str, &'static str); 2]) {
        match self {
            Kind::View => (
                COMPONENTS,
                r#""Hello from Leptos""#,
                [
                    (r#""Hello from devserve""#, "Hello from devserve"),
                    (r#""Hello from Rust""#, "Hello from Rust"),
                ],
            ),
            Kind::Style => (
                STYLESHEET,
                "#title {\n  color: var(--accent);",
                [
                    ("#title {\n  color: rgb(0, 128, 0);", "rgb(0, 128, 0)"),
                    ("#title {\n  color: rgb(0, 0, 255);", "rgb(0, 0, 255)"),
                ],
            ),
        }
    }

    /// Script installing the page's recorder: `window.__bench` collects `{ value, at }` whenever
    /// the watched value changes.
    fn recorder(self) -> &'static str {
        match self {
            Kind::View => {
                "const title = document.getElementById('title');
                 window.__bench = [];
                 new MutationObserver(() => window.__bench.push({
                     value: title.textContent, at: performance.timeOrigin + performance.now() }))
                   .observe(title, { subtree: true, childList: true, characterData: true });
                 return null;"
            }
            Kind::Style => {
                // The new sheet applies when its <link> has loaded: check on every load event
                // (captured at the document) and on every change to <head>.
                "const title = document.getElementById('title');
                 window.__bench = [];
                 let last = getComputedStyle(title).color;
                 const check = () => {
                   const at = performance.timeOrigin + performance.now();
                   const value = getComputedStyle(title).color;
                   if (value !== last) { last = value; window.__bench.push({ value, at }); }
                 };
                 document.addEventListener('load', check, true);
                 new MutationObserver(check).observe(document.head, { childList: true });
                 return null;"
            }
        }
    }
}

/// One series: latencies in milliseconds and what devserve and the page did meanwhile.
#[derive(Default)]
struct Series {
    /// Save-to-DOM latency of each measured save.
    samples: Vec<f64>,
    /// Saves made, warm-up and lost ones included.
    saves: usize,
    /// Saves that never showed.
    lost: usize,
    /// Times the page was found reloaded (its recorder gone).
    reloads: usize,
    /// Saves after which the page showed something else before the saved version.
    detours: usize,
    /// Patch or stylesheet messages devserve sent.
    sent: usize,
    /// Rebuilds devserve asked for.
    rebuilds: usize,
    /// Background builds started, and those that finished (the rest were cancelled by a newer
    /// save or still ran at the end).
    builds: (usize, usize),
    /// devserve's own time per patch (its `patched N view(s) in X µs` lines), in ms.
    patch_ms: Vec<f64>,
}

impl Series {
    /// Count what one devserve session did, from its log.
    fn absorb(&mut self, kind: Kind, log: &str) {
        let sent = match kind {
            Kind::View => ": patched ",
            Kind::Style => ": stylesheet swapped",
        };
        self.sent += log.matches(sent).count();
        self.rebuilds += log.matches("devserve: rebuild: ").count();
        let builds =
            log.lines().filter(|l| l.contains("devserve: build ") && l.ends_with(" started")).count();
        let finished =
            log.lines().filter(|l| l.contains("devserve: build ") && l.contains(" finished in ")).count();
        self.builds.0 += builds;
        self.builds.1 += finished;
        self.patch_ms.extend(patch_times(log));
    }
}

/// What the page recorded after one save.
struct Shown {
    latency: f64,
    /// Values seen before the saved one.
    detour: bool,
}

/// devserve and a page showing the app, with the recorder installed.
struct Setup {
    page: Page,
    app: DevserveApp,
}

/// How the page's clock relates to this process's.
#[derive(Clone, Copy)]
struct Calibration {
    /// Page clock minus local clock, ms.
    offset: f64,
    /// ± ms.
    uncertainty: f64,
}

/// Page clock minus local clock (ms), and its uncertainty (half the shortest round trip).
async fn calibrate(page: &Page) -> Calibration {
    let mut best = Calibration { offset: 0.0, uncertainty: f64::MAX };
    for _ in 0..30 {
        let t0 = now_ms();
        let at = page.eval("performance.timeOrigin + performance.now()").await.unwrap().as_f64().unwrap();
        let t1 = now_ms();
        let half = (t1 - t0) / 2.0;
        if half < best.uncertainty {
            best = Calibration { offset: at - (t0 + half), uncertainty: half };
        }
    }
    best
}

impl Setup {
    async fn start(browser: &Browser, kind: Kind) -> Self {
        // Default options: the default build debounce, as a user runs devserve.
        let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
        let page = browser.page().await.unwrap();
        app.open(&page, "/").await.unwrap();
        page.exec(kind.recorder(), Vec::new()).await.unwrap();
        Self { page, app }
    }

    /// Save `content` to `rel` and wait until the page shows `shown`; `None` if it did not
    /// within [`LOST_AFTER`]. The latency is on the local clock, given the page's `offset`.
    async fn save(
        &self,
        kind: Kind,
        edit: (&str, &str, &str),
        offset: f64,
        series: &mut Series,
    ) -> Option<Shown> {
        let (rel, content, shown) = edit;
        // A page that reloaded (a build landed with a reload) lost its recorder: count it and
        // install a new one, so that the following saves are still seen.
        let clear = "if (!window.__bench) return false; window.__bench.length = 0; return true;";
        if self.page.exec(clear, Vec::new()).await.unwrap_or(json!(false)) != json!(true) {
            series.reloads += 1;
            let _ = self.page.exec(kind.recorder(), Vec::new()).await;
        }
        let path = self.app.path(rel);
        let written = now_ms();
        std::fs::write(&path, content).unwrap();
        let start = Instant::now();
        let find = "if (!window.__bench) return null;
                    const i = window.__bench.findIndex((s) => s.value === arguments[0]);
                    return i < 0 ? null : [window.__bench[i].at, i];";
        while start.elapsed() < LOST_AFTER {
            if let Ok(Value::Array(found)) = self.page.exec(find, vec![json!(shown)]).await {
                let at = found[0].as_f64().unwrap();
                return Some(Shown { latency: at - offset - written, detour: found[1] != 0 });
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        None
    }
}

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

async fn run(browser: &Browser, kind: Kind) -> (Series, Calibration, Calibration) {
    let (rel, from, versions) = kind.edits();
    let setup = Setup::start(browser, kind).await;
    let original = setup.app.read(rel).unwrap();
    assert_eq!(original.matches(from).count(), 1, "{from:?} must occur once in {rel}");
    let before = calibrate(&setup.page).await;
    let mut series = Series::default();
    let mut latencies = Vec::new();
    let mut i = 0;
    while series.saves < EDITS + WARM_UP {
        let (to, shown) = versions[i % 2];
        i += 1;
        series.saves += 1;
        let content = original.replacen(from, to, 1);
        match setup.save(kind, (rel, &content, shown), before.offset, &mut series).await {
            Some(shown) if i > WARM_UP => {
                latencies.push(shown.latency);
                series.detours += usize::from(shown.detour);
            }
            Some(_) => {}
            None => {
                series.lost += 1;
                let log = setup.app.log();
                let recent: Vec<&str> = log.lines().rev().take(4).collect();
                eprintln!(
                    "  save {i} did not reach the page within {LOST_AFTER:?} (lost); devserve's last lines:\n    {}",
                    recent.into_iter().rev().collect::<Vec<_>>().join("\n    ")
                );
            }
        }
        tokio::time::sleep(PAUSE).await;
    }
    let after = calibrate(&setup.page).await;
    // Use the mean of the two offsets (the latencies above used the first).
    let shift = (after.offset - before.offset) / 2.0;
    series.samples = latencies.into_iter().map(|latency| latency - shift).collect();
    series.absorb(kind, &setup.app.log());
    std::fs::write(setup.app.path(rel), &original).unwrap();
    setup.app.stop().await.unwrap();
    (series, before, after)
}

/// devserve's own time per patch, from its `patched N view(s) in X µs` lines, in ms.
fn patch_times(log: &str) -> Vec<f64> {
    log.lines()
        .filter_map(|line| line.split_once(" view(s) in ")?.1.split_once(" µs")?.0.parse::<f64>().ok())
        .map(|micros| micros / 1000.0)
        .collect()
}

/// The `q` quantile of sorted `values` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(values: &[f64]) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return "no samples".into();
    }
    format!(
        "p50 {:6.2} ms   p90 {:6.2} ms   p99 {:6.2} ms   min {:6.2} ms   max {:6.2} ms   (n = {})",
        quantile(&sorted, 0.5),
        quantile(&sorted, 0.9),
        quantile(&sorted, 0.99),
        sorted[0],
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

#[tokio::main]
async fn main() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    println!("save-to-DOM latency: devserve --hot-reload on examples/leptos-app, headless Chromium");
    println!(
        "{EDITS} saves per series (after {WARM_UP} warm-up saves), {} ms apart, each a one-word edit written \
         in place; default build debounce: the background build each save starts runs meanwhile",
        PAUSE.as_millis()
    );
    for kind in [Kind::View, Kind::Style] {
        println!("\n{}", kind.name());
        let (series, before, after) = run(&browser, kind).await;
        println!("  save to DOM:    {}", summary(&series.samples));
        if !series.patch_ms.is_empty() {
            println!("  devserve patch: {}   (its own parse, diff and send time)", summary(&series.patch_ms));
        }
        println!(
            "  clocks: page - local = {:.2} ms (±{:.2}) before, {:.2} ms (±{:.2}) after: drift {:.2} ms",
            before.offset,
            before.uncertainty,
            after.offset,
            after.uncertainty,
            after.offset - before.offset
        );
        println!(
            "  {} saves: {} lost (goal 0), {} shown after a detour, {} page reloads seen; devserve sent {} \
             messages, asked for {} rebuilds, and started {} background builds ({} finished)",
            series.saves,
            series.lost,
            series.detours,
            series.reloads,
            series.sent,
            series.rebuilds,
            series.builds.0,
            series.builds.1
        );
    }
}

//! The edit loop on the hydrated cargo-leptos example (`examples/leptos-hydrate`), measured the
//! way a user runs devserve: default build debounce, so every save also starts the background
//! build that competes for the CPU.
//!
//! Run with `cargo bench -p devserve-e2e --bench hydrate_loop` (`-- --rounds N` for the reload
//! series; the first run builds the example in both modes from scratch: minutes; `--clean-start`
//! first times a start from an empty target folder; `--reload-only` runs only the reload series).
//!
//! `-- --app DIR --reload-only` runs the reload series on any hydrated cargo-leptos app in place
//! (nothing copied: its warm target folder is used as it is): the code change is the one
//! `devserve bench --code-change` makes (a statement added at the start of a component), undone
//! before each session starts and at the end, also on a panic and on Ctrl-C/SIGTERM/SIGHUP (a
//! killed run's edit is undone by the next from a journal in `DIR/target/devserve/`). E.g. the
//! real-sized app: `cargo run -p devserve-bench --example big_app -- target/big-app` first.
//!
//! - **save -> text visible**: a static text of a `view!` edited in place; the page stamps the
//!   change from a `MutationObserver`.
//! - **save -> SCSS visible**: the style-file edited; the page stamps the moment the computed
//!   style changes.
//! - **code change -> reloaded and hydrated page**: the click handler edited (checked by a click
//!   afterwards); time until the page at `/` has reloaded and its wasm has hydrated (devserve's
//!   client says so), for the fast profile and for `--fast=off`, in interleaved rounds (the order
//!   alternates) so drift hits both alike. Each round starts devserve afresh on the unedited
//!   sources (its start builds them, untimed), then saves the change.
//!
//! The first two compare a stamp taken here (before the write) with one taken in the page. The
//! two clocks are calibrated against each other first: the page's
//! `performance.timeOrigin + performance.now()` is read between two local stamps, 30 times; the
//! read with the shortest round trip gives the offset, and half that round trip is its
//! uncertainty, which is printed. Saves that never show within [`LOST_AFTER`] are counted as lost.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use devserve_bench::{Edit, EditKind, Sources};
use devserve_e2e::{Browser, DevserveApp, DevserveOptions, EXAMPLE_HYDRATE, Page};
use serde_json::{Value, json};

/// Measured saves per edit series.
const EDITS: usize = 20;
/// Saves before measuring.
const WARM_UP: usize = 2;
/// A save not shown after this long is lost.
const LOST_AFTER: Duration = Duration::from_secs(5);
/// Pause between saves: the background build a save starts is under way at the next save.
const PAUSE: Duration = Duration::from_millis(1000);
/// A code change not reloaded and hydrated after this long is lost.
const RELOAD_LOST_AFTER: Duration = Duration::from_secs(10 * 60);
/// How long a page may take to hydrate when opened (a real-sized app's debug wasm is large).
const HYDRATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

const APP: &str = "src/app.rs";
const COMPONENTS: &str = "src/components.rs";
const MAIN_SCSS: &str = "style/main.scss";

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

/// Page clock minus local clock (ms), and its uncertainty.
async fn calibrate(page: &Page) -> (f64, f64) {
    let mut best = (0.0, f64::MAX);
    for _ in 0..30 {
        let t0 = now_ms();
        let at = page.eval("performance.timeOrigin + performance.now()").await.unwrap().as_f64().unwrap();
        let t1 = now_ms();
        let half = (t1 - t0) / 2.0;
        if half < best.1 {
            best = (at - (t0 + half), half);
        }
    }
    best
}

/// devserve on the example's copy, or on `app_dir` in place.
async fn start(args: &[&str], app_dir: Option<&Path>) -> DevserveApp {
    let options = DevserveOptions {
        example: EXAMPLE_HYDRATE,
        startup_timeout: Duration::from_secs(40 * 60),
        app_dir: app_dir.map(Path::to_path_buf),
        ..DevserveOptions::with_args(args)
    };
    DevserveApp::start(options).await.unwrap()
}

async fn open_hydrated(app: &DevserveApp, page: &Page) {
    app.open(page, "/").await.unwrap();
    let start = Instant::now();
    while page.eval("window.__devserve.state().hydrated").await.unwrap() != json!(true) {
        assert!(start.elapsed() < HYDRATE_TIMEOUT, "the page did not hydrate");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[derive(Default)]
struct Series {
    samples: Vec<f64>,
    saves: usize,
    lost: usize,
}

/// Edits `rel` back and forth between two versions; `recorder` installs `window.__bench`
/// (`{ value, at }` entries) watching `probe`.
async fn edit_series(
    app: &DevserveApp,
    page: &Page,
    rel: &str,
    from: &str,
    versions: [(&str, &str); 2],
    recorder: &str,
) -> (Series, f64) {
    page.exec(recorder, Vec::new()).await.unwrap();
    let (offset, uncertainty) = calibrate(page).await;
    let original = app.read(rel).unwrap();
    assert_eq!(original.matches(from).count(), 1, "{from:?} must occur once in {rel}");
    let mut series = Series::default();
    let mut i = 0;
    while series.samples.len() < EDITS {
        let (to, shown) = versions[i % 2];
        i += 1;
        series.saves += 1;
        page.exec("window.__bench.length = 0; return null;", Vec::new()).await.unwrap();
        let content = original.replacen(from, to, 1);
        let written = now_ms();
        std::fs::write(app.path(rel), content).unwrap();
        let started = Instant::now();
        let find = "const s = window.__bench.find((s) => s.value === arguments[0]); return s ? s.at : null;";
        let mut seen = None;
        while started.elapsed() < LOST_AFTER {
            if let Value::Number(at) = page.exec(find, vec![json!(shown)]).await.unwrap() {
                seen = at.as_f64();
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        match seen {
            Some(at) if i > WARM_UP => series.samples.push(at - offset - written),
            Some(_) => {}
            None => {
                series.lost += 1;
                assert!(series.lost <= EDITS, "too many lost saves");
            }
        }
        tokio::time::sleep(PAUSE).await;
    }
    std::fs::write(app.path(rel), original).unwrap();
    (series, uncertainty)
}

const TEXT_RECORDER: &str = "const el = document.getElementById('intro');
    window.__bench = [];
    new MutationObserver(() => window.__bench.push({ value: el.textContent, at: performance.timeOrigin + performance.now() }))
      .observe(el, { subtree: true, childList: true, characterData: true });
    return null;";

const STYLE_RECORDER: &str = "const el = document.getElementById('intro');
    window.__bench = [];
    let last = getComputedStyle(el).fontSize;
    const check = () => {
      const at = performance.timeOrigin + performance.now();
      const value = getComputedStyle(el).fontSize;
      if (value !== last) { last = value; window.__bench.push({ value, at }); }
    };
    document.addEventListener('load', check, true);
    new MutationObserver(check).observe(document.head, { childList: true, subtree: true, attributes: true });
    setInterval(check, 1);
    return null;";

/// An app the reload series runs on in place, and the code change it saves there: the edit
/// `devserve bench --code-change` makes, undone before each session and at the end.
struct InPlace {
    dir: PathBuf,
    edit: Edit,
    sources: Sources,
}

impl InPlace {
    fn new(dir: &Path) -> Self {
        let dir = dir.canonicalize().unwrap_or_else(|e| panic!("--app {}: {e}", dir.display()));
        let sources = Sources::new(dir.join("target/devserve/hydrate-loop-journal.json"));
        let edit = Edit::find(&dir, EditKind::CodeLine).unwrap();
        InPlace { dir, edit, sources }
    }
}

/// One code change in a fresh session of `mode`: save -> reloaded and hydrated, in ms. On the
/// example's copy (restored at each start) the click handler then counts by `step` instead of 1,
/// checked by a click.
async fn reload_once(
    browser: &Browser,
    mut in_place: Option<&mut InPlace>,
    mode: &str,
    step: u32,
) -> Option<f64> {
    if let Some(app) = &mut in_place {
        app.sources.restore();
    }
    let app = start(&["--fast", mode], in_place.as_ref().map(|app| app.dir.as_path())).await;
    let page = browser.page().await.unwrap();
    open_hydrated(&app, &page).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    match &mut in_place {
        None => app.edit(COMPONENTS, "*count.write() += 1", &format!("*count.write() += {step}")).unwrap(),
        Some(InPlace { edit, sources, .. }) => {
            sources.write(&edit.path, &edit.original, &edit.edited).unwrap()
        }
    }
    let done = "window.__devserve_e2e_mark === undefined && !!window.__devserve && window.__devserve.state().hydrated";
    let mut elapsed = None;
    while started.elapsed() < RELOAD_LOST_AFTER {
        if page.eval(done).await.unwrap_or(json!(false)) == json!(true) {
            elapsed = Some(started.elapsed().as_secs_f64() * 1000.0);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The new behaviour really runs: one click counts `step`.
    if elapsed.is_some() && in_place.is_none() {
        page.click("#counter").await.unwrap();
        let text = format!("Count: {step}");
        let start = Instant::now();
        while page.eval("document.getElementById('counter').textContent").await.unwrap() != json!(text) {
            assert!(start.elapsed() < Duration::from_secs(10), "the reloaded page does not count by {step}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    drop(page);
    app.stop().await.unwrap();
    elapsed
}

/// The reload series: `rounds` interleaved rounds of both modes.
async fn reload_series(browser: &Browser, mut in_place: Option<&mut InPlace>, rounds: usize) {
    let mut fast = Series::default();
    let mut off = Series::default();
    for round in 0..rounds {
        let order: [(&str, bool); 2] =
            if round % 2 == 0 { [("auto", true), ("off", false)] } else { [("off", false), ("auto", true)] };
        for (mode, is_fast) in order {
            let step = 2 + u32::try_from(round).unwrap();
            let series = if is_fast { &mut fast } else { &mut off };
            series.saves += 1;
            match reload_once(browser, in_place.as_deref_mut(), mode, step).await {
                Some(ms) => {
                    println!("  round {} --fast={mode}: {ms:.0} ms", round + 1);
                    series.samples.push(ms);
                }
                None => {
                    println!(
                        "  round {} --fast={mode}: lost (not reloaded within {RELOAD_LOST_AFTER:?})",
                        round + 1
                    );
                    series.lost += 1;
                }
            }
        }
    }
    if let Some(app) = in_place {
        app.sources.restore();
    }
    println!("  --fast=auto: {}", describe(&fast));
    println!("  --fast=off:  {}", describe(&off));
    println!("  ratio of medians (auto / off): {:.2}", median(&fast.samples) / median(&off.samples));
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let n = sorted.len();
    if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 }
}

fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn describe(series: &Series) -> String {
    if series.samples.is_empty() {
        return format!("no samples ({} lost of {})", series.lost, series.saves);
    }
    format!(
        "p50 {:7.2} ms   p90 {:7.2} ms   max {:7.2} ms   (n = {}, {} saves, {} lost)",
        median(&series.samples),
        quantile(&series.samples, 0.9),
        quantile(&series.samples, 1.0),
        series.samples.len(),
        series.saves,
        series.lost
    )
}

/// The value after `name` on the command line.
fn arg_value(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn has_flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

#[tokio::main]
async fn main() {
    // On a signal `bench` is dropped: devserve is stopped, the edited sources restored.
    if let Err(signal) = devserve_bench::until_stopped(bench()).await {
        eprintln!("hydrate_loop: stopped by {signal}; devserve stopped, sources restored");
        std::process::exit(130);
    }
}

async fn bench() {
    let rounds: usize = arg_value("--rounds").map_or(10, |n| n.parse().expect("--rounds N"));
    // cargo runs a bench in its package's folder: a relative path is the caller's ($PWD).
    let caller = std::env::var_os("PWD").map_or_else(|| std::env::current_dir().unwrap(), PathBuf::from);
    let app_dir = arg_value("--app").map(|dir| caller.join(dir));
    let reload_only = has_flag("--reload-only");
    assert!(
        app_dir.is_none() || reload_only,
        "--app DIR measures only the reload series (the other series edit the example's own texts): add --reload-only"
    );
    assert!(
        app_dir.is_none() || !has_flag("--clean-start"),
        "--clean-start empties the example's copy's target folder, never that of --app DIR"
    );
    // Before the browser: a wrong folder fails at once.
    let mut in_place = app_dir.as_deref().map(InPlace::new);
    let Some(browser) = Browser::start_or_skip().await else { return };
    if has_flag("--clean-start") {
        // The example's copy loses its target folder: the start builds everything.
        let target =
            devserve_e2e::workspace_root().join(devserve_e2e::APP_COPY).join("leptos-hydrate/target");
        let _ = std::fs::remove_dir_all(&target);
        let started = Instant::now();
        let app = start(&[], None).await;
        println!(
            "first start from a clean target folder: {:.1} s until the app answered",
            started.elapsed().as_secs_f64()
        );
        let log = app.log();
        for line in log.lines().filter(|l| l.contains(" finished in ")) {
            println!("  {line}");
        }
        app.stop().await.unwrap();
    }
    if !reload_only {
        edit_loop(&browser).await;
        println!();
    }
    match &in_place {
        None => println!("code change -> reloaded and hydrated page, {rounds} interleaved rounds per mode"),
        Some(InPlace { dir, edit, .. }) => {
            println!(
                "code change -> reloaded and hydrated page on {}, default build debounce, {rounds} interleaved rounds per mode",
                dir.display()
            );
            println!("  the change: {} ({}:{})", edit.change, edit.rel, edit.line);
        }
    }
    reload_series(&browser, in_place.as_mut(), rounds).await;
}

/// The text and SCSS series on the example.
async fn edit_loop(browser: &Browser) {
    println!("the edit loop on examples/leptos-hydrate, default build debounce (background builds run)");

    let app = start(&[], None).await;
    let page = browser.page().await.unwrap();
    open_hydrated(&app, &page).await;
    let versions = [
        (r#""Welcome, version one""#, "Welcome, version one"),
        (r#""Welcome, version two""#, "Welcome, version two"),
    ];
    let (text, text_clock) =
        edit_series(&app, &page, APP, r#""Welcome to the hydrated example""#, versions, TEXT_RECORDER).await;
    println!("save -> text visible:  {}   (clock calibration ±{text_clock:.2} ms)", describe(&text));
    let versions = [("font-size: 1.5rem;", "24px"), ("font-size: 2rem;", "32px")];
    let (style, style_clock) =
        edit_series(&app, &page, MAIN_SCSS, "font-size: 1.2rem;", versions, STYLE_RECORDER).await;
    println!("save -> SCSS visible:  {}   (clock calibration ±{style_clock:.2} ms)", describe(&style));
    drop(page);
    app.stop().await.unwrap();
}

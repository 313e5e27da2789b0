//! Save-to-reloaded latency of the build path: `devserve --hot-reload` on a copy of the example
//! app, a one-line Rust change saved to disk, and the moment headless Chromium has loaded the page
//! again, rebuilt, restarted and reloaded by devserve.
//!
//! Run with `cargo bench -p devserve-e2e --bench save_to_reload`; options after `--`:
//! `--fast MODE` (`auto`, `llvm` or `off`; repeat it to compare modes side by side, e.g.
//! `-- --fast auto --fast off`), `--runs N` (default 10) and `--app DIR` (the app to copy,
//! relative to the workspace root: `examples/leptos-app` by default; `target/big-app` is the
//! real-sized app `cargo run -p devserve-bench --example big_app` generates).
//!
//! The modes are interleaved: each round runs every mode once, in an order that rotates from one
//! round to the next, so drift on a busy machine hits them alike; the ratio of the medians
//! against `--fast off` (or the first mode) is printed last. Each run starts devserve afresh on
//! the copy (restored to the app's sources), waits for the page, then changes
//! `let answer = 6 * 7;` to `6 * 8` in the file that holds it (code outside any `view!`, so
//! devserve must rebuild). The save is stamped on the system clock right before the file is
//! written (in place, with one `std::fs::write`); the reloaded page's `load` event is
//! `performance.timeOrigin + loadEventStart` of its navigation entry, on the same clock,
//! calibrated against this process's clock by round trips (the shortest of 30 gives the offset).
//! Also printed: the build and restart times devserve logged for each run, and the profile it
//! chose. The first start of a mode may compile the app's dependencies (minutes); it is not
//! measured.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::Value;

/// A reload not seen after this long fails the run.
const TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Pause before the save, so that it starts from an idle machine.
const PAUSE: Duration = Duration::from_secs(1);

/// The line the app holds, and the one each run saves; what `#answer-value` shows then.
const ORIGINAL: &str = "let answer = 6 * 7;";
const CHANGED: (&str, &str) = ("let answer = 6 * 8;", "48");

type Error = Box<dyn std::error::Error>;

/// What the command line asks for.
struct Args {
    modes: Vec<String>,
    runs: usize,
    app: &'static str,
}

impl Args {
    fn parse() -> Result<Self, Error> {
        let mut args = Args { modes: Vec::new(), runs: 10, app: devserve_e2e::EXAMPLE_APP };
        let mut words = std::env::args().skip(1);
        while let Some(word) = words.next() {
            match word.as_str() {
                "--fast" => args.modes.push(words.next().ok_or("--fast needs a mode")?),
                "--runs" => args.runs = words.next().ok_or("--runs needs a number")?.parse()?,
                "--app" => args.app = String::leak(words.next().ok_or("--app needs a folder")?),
                // `cargo bench` passes `--bench` to every bench binary.
                "--bench" => {}
                other => return Err(format!("unknown argument {other:?}").into()),
            }
        }
        if args.modes.is_empty() {
            args.modes.push("auto".into());
        }
        Ok(args)
    }
}

/// One save and its reload.
struct Run {
    /// Save to the reloaded page's `load` event, in milliseconds.
    reloaded_ms: f64,
    /// The build devserve logged (`build N finished in X s`), in seconds.
    build_s: f64,
    /// The restart devserve logged (`app restarted in X ms`), in milliseconds.
    restart_ms: f64,
}

/// All runs of one `--fast` mode.
struct Series {
    mode: String,
    profile: String,
    runs: Vec<Run>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match bench().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("save_to_reload: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn bench() -> Result<(), Error> {
    let args = Args::parse()?;
    let browser = Browser::start().await?;
    let mut all: Vec<Series> = args
        .modes
        .iter()
        .map(|mode| Series { mode: mode.clone(), profile: String::new(), runs: Vec::new() })
        .collect();
    for round in 0..args.runs {
        for k in 0..all.len() {
            let series = &mut all[(k + round) % args.modes.len()];
            let (run, profile) = run_once(&browser, args.app, &series.mode).await?;
            eprintln!(
                "  round {:>2} --fast {:<5} save to reloaded {:>6.0} ms  (build {:.1} s, restart {:.0} ms)",
                round + 1,
                series.mode,
                run.reloaded_ms,
                run.build_s,
                run.restart_ms
            );
            series.profile = profile;
            series.runs.push(run);
        }
    }
    println!("\napp: {}; {} interleaved rounds", args.app, args.runs);
    for series in &all {
        print_series(series);
    }
    // Against `--fast off` (plain `cargo build`) when it was measured, else the first mode.
    let base = all.iter().position(|s| s.mode == "off").unwrap_or(0);
    for (i, other) in all.iter().enumerate() {
        if i != base {
            print_ratio(other, &all[base]);
        }
    }
    Ok(())
}

/// One run: devserve with `--fast <mode>` on a fresh copy of `app`, the page opened, one code
/// change saved, and its reload measured. Returns the run and the profile devserve chose.
async fn run_once(browser: &Browser, app: &'static str, mode: &str) -> Result<(Run, String), Error> {
    let options = DevserveOptions {
        example: app,
        startup_timeout: TIMEOUT * 12,
        ..DevserveOptions::with_args(&["--fast", mode])
    };
    let devserve = DevserveApp::start(options).await?;
    let profile = logged(&devserve.log(), "devserve: build profile: ").last().cloned().unwrap_or_default();
    let page = browser.page().await?;
    devserve.open(&page, "/").await?;
    let rel = answer_file(devserve.dir()).ok_or(format!("no file under {app}/src holds `{ORIGINAL}`"))?;
    let original = devserve.read(&rel)?;
    let offset = calibrate(&page).await?;
    tokio::time::sleep(PAUSE).await;
    let builds_before = logged(&devserve.log(), "finished in ").len();
    let saved = epoch_ms();
    devserve.write(&rel, &original.replacen(ORIGINAL, CHANGED.0, 1))?;
    let reloaded_ms = wait_for_load(&page, CHANGED.1).await? - offset - saved;
    let log = devserve.log();
    let builds = logged(&log, "finished in ");
    if builds.len() <= builds_before {
        return Err("devserve logged no build for the change".into());
    }
    let build_s = last_number(&builds)?;
    let restart_ms = last_number(&logged(&log, "devserve: app restarted in "))?;
    drop(page);
    devserve.stop().await?;
    Ok((Run { reloaded_ms, build_s, restart_ms }, profile))
}

/// The file under `dir/src` that holds [`ORIGINAL`], relative to `dir`.
fn answer_file(dir: &std::path::Path) -> Option<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&dir.join("src"), &mut files);
    files.sort();
    let file = files.into_iter().find(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(ORIGINAL)))?;
    Some(file.strip_prefix(dir).ok()?.to_string_lossy().replace('\\', "/"))
}

/// Page clock minus local clock (ms): the read with the shortest round trip of 30.
async fn calibrate(page: &Page) -> Result<f64, Error> {
    let mut best = (0.0, f64::MAX);
    for _ in 0..30 {
        let t0 = epoch_ms();
        let at = page.eval("performance.timeOrigin + performance.now()").await?.as_f64().unwrap_or(t0);
        let t1 = epoch_ms();
        if t1 - t0 < best.1 {
            best = (at - (t0 + t1) / 2.0, t1 - t0);
        }
    }
    Ok(best.0)
}

/// Wait until the page is a new document showing `shown` and has fired `load`; returns when
/// (milliseconds since the Unix epoch).
async fn wait_for_load(page: &Page, shown: &str) -> Result<f64, Error> {
    let loaded = "const value = document.getElementById('answer-value'); \
                  const nav = performance.getEntriesByType('navigation')[0]; \
                  if (window.__devserve_e2e_mark || !value || value.textContent !== arguments[0] \
                      || !nav || nav.loadEventStart <= 0) return null; \
                  return performance.timeOrigin + nav.loadEventStart;";
    let start = std::time::Instant::now();
    loop {
        // An error while the page navigates is "not yet".
        if let Ok(Value::Number(at)) = page.exec(loaded, vec![shown.into()]).await
            && let Some(at) = at.as_f64()
        {
            page.mark().await?;
            return Ok(at);
        }
        if start.elapsed() > TIMEOUT {
            return Err(format!("the page did not reload showing {shown} within {TIMEOUT:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// What follows `prefix` on each log line containing it.
fn logged(log: &str, prefix: &str) -> Vec<String> {
    log.lines().filter_map(|line| Some(line.split_once(prefix)?.1.trim().to_owned())).collect()
}

/// The number at the start of the last of `values` (`4.2 s` -> 4.2).
fn last_number(values: &[String]) -> Result<f64, Error> {
    let last = values.last().ok_or("devserve logged no such line")?;
    Ok(last.split_whitespace().next().unwrap_or_default().parse()?)
}

/// Median, minimum and maximum.
fn stats(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let mut sorted: Vec<f64> = values.collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
    (median, sorted[0], sorted[n - 1])
}

fn print_series(series: &Series) {
    let runs = &series.runs;
    println!("\nsave to reloaded, --fast {} (profile {}), {} runs:", series.mode, series.profile, runs.len());
    let rows = [
        ("save to reloaded", stats(runs.iter().map(|r| r.reloaded_ms)), "ms", 1.0),
        ("build (logged)", stats(runs.iter().map(|r| r.build_s)), "ms", 1000.0),
        ("restart (logged)", stats(runs.iter().map(|r| r.restart_ms)), "ms", 1.0),
    ];
    for (what, (median, min, max), unit, scale) in rows {
        println!(
            "  {what:<17} median {:>6.0} {unit}   min {:>6.0} {unit}   max {:>6.0} {unit}",
            median * scale,
            min * scale,
            max * scale
        );
    }
}

fn print_ratio(other: &Series, base: &Series) {
    let median = |s: &Series, f: fn(&Run) -> f64| stats(s.runs.iter().map(f)).0;
    let reloaded = median(other, |r| r.reloaded_ms) / median(base, |r| r.reloaded_ms);
    let build = median(other, |r| r.build_s) / median(base, |r| r.build_s);
    println!(
        "\nratio --fast {} / --fast {} ({} / {}): save to reloaded {reloaded:.2}x, build {build:.2}x (medians)",
        other.mode, base.mode, other.profile, base.profile
    );
}

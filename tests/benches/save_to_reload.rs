//! Save-to-reloaded latency of the build path: `devserve --hot-reload` on a copy of the example
//! app, a one-line Rust change saved to disk, and the moment headless Chromium has loaded the page
//! again, rebuilt, restarted and reloaded by devserve.
//!
//! Run with `cargo bench -p devserve-e2e --bench save_to_reload`; options after `--`:
//! `--fast MODE` (`auto`, `llvm` or `off`; repeat it to compare modes side by side, e.g.
//! `-- --fast auto --fast off`) and `--runs N` (default 10).
//!
//! Each run alternates `let answer = 6 * 7;` and `6 * 8` in `src/app.rs` (code outside any
//! `view!`, so devserve must rebuild). The save is stamped on the system clock right before the
//! file is written (in place, with one `std::fs::write`); the reloaded page's `load` event is
//! `performance.timeOrigin + loadEventStart` of its navigation entry, on the same clock. Also
//! printed: the build and restart times devserve logged for each run, and the profile it chose.
//! The first start of a mode may compile the app's dependencies (minutes); it is not measured.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, Page};
use serde_json::Value;

/// A reload not seen after this long fails the run.
const TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Pause between runs, so that each starts with an idle machine.
const PAUSE: Duration = Duration::from_secs(1);

const APP_RS: &str = "src/app.rs";
/// The two versions saved in turn, and what `#answer-value` shows then.
const VERSIONS: [(&str, &str); 2] = [("let answer = 6 * 8;", "48"), ("let answer = 6 * 7;", "42")];

type Error = Box<dyn std::error::Error>;

/// What the command line asks for.
struct Args {
    modes: Vec<String>,
    runs: usize,
}

impl Args {
    fn parse() -> Result<Self, Error> {
        let mut args = Args { modes: Vec::new(), runs: 10 };
        let mut words = std::env::args().skip(1);
        while let Some(word) = words.next() {
            match word.as_str() {
                "--fast" => args.modes.push(words.next().ok_or("--fast needs a mode")?),
                "--runs" => args.runs = words.next().ok_or("--runs needs a number")?.parse()?,
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
    let mut all = Vec::new();
    for mode in &args.modes {
        let series = measure(&browser, mode, args.runs).await?;
        print_series(&series);
        all.push(series);
    }
    if let [first, others @ ..] = all.as_slice() {
        for other in others {
            print_ratio(other, first);
        }
    }
    Ok(())
}

/// Start devserve with `--fast <mode>`, open the page, and measure `runs` saves.
async fn measure(browser: &Browser, mode: &str, runs: usize) -> Result<Series, Error> {
    eprintln!("save_to_reload: starting devserve --fast {mode} (the first build may take minutes)");
    let app = DevserveApp::start(DevserveOptions::with_args(&["--fast", mode])).await?;
    let profile = logged(&app.log(), "devserve: build profile: ").last().cloned().unwrap_or_default();
    let page = browser.page().await?;
    app.open(&page, "/").await?;
    let original = app.read(APP_RS)?;
    let mut series = Series { mode: mode.to_owned(), profile, runs: Vec::new() };
    for i in 0..runs {
        tokio::time::sleep(PAUSE).await;
        let (line, shown) = VERSIONS[i % 2];
        let content = original.replacen(VERSIONS[1].0, line, 1);
        let saved = epoch_ms();
        app.write(APP_RS, &content)?;
        let reloaded_ms = wait_for_load(&page, shown).await? - saved;
        let log = app.log();
        let build_s = last_number(&logged(&log, "finished in "))?;
        let restart_ms = last_number(&logged(&log, "devserve: app restarted in "))?;
        eprintln!(
            "  run {:>2}: {line:<22} save to reloaded {reloaded_ms:>6.0} ms  (build {build_s:.1} s, \
             restart {restart_ms:.0} ms)",
            i + 1
        );
        series.runs.push(Run { reloaded_ms, build_s, restart_ms });
    }
    // Leave the copy as it was found.
    app.write(APP_RS, &original)?;
    app.stop().await?;
    Ok(series)
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
        "\n--fast {} / --fast {} ({} / {}): save to reloaded {reloaded:.2}x, build {build:.2}x (medians)",
        other.mode, base.mode, other.profile, base.profile
    );
}

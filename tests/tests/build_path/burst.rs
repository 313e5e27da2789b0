//! A flood of saves: every running build is cancelled by the next save, and only a build of the
//! last content finishes.

use std::time::{Duration, Instant};

use devserve_e2e::{DevserveApp, DevserveOptions};
use serde_json::json;

use super::{ANSWER, ANSWER_VALUE, APP_RS, BUILD, Live, SETTLE, build_events};

const SAVES: u32 = 20;
const SAVE_INTERVAL: Duration = Duration::from_millis(50);
/// How long cancelled builds' compilers may take to disappear once killed.
const KILL_GRACE: Duration = Duration::from_secs(3);

#[tokio::test]
async fn twenty_saves_in_a_second_end_in_one_finished_build_of_the_last_content() {
    // No debounce: each save starts a build at once, so the burst really cancels running builds.
    let options = DevserveOptions::with_args(&["--build-debounce", "0"]);
    let Some(live) = Live::start(options).await else { return };
    let original = live.app.read(APP_RS).unwrap();
    let before = build_events(&live.app.log()).iter().map(|(id, _)| *id).max().unwrap_or(0);

    let burst = Instant::now();
    for i in 1..=SAVES {
        let next = burst + SAVE_INTERVAL * i;
        live.app.write(APP_RS, &original.replacen(ANSWER, &format!("let answer = 1000 + {i};"), 1)).unwrap();
        tokio::time::sleep_until(next.into()).await;
    }
    assert!(burst.elapsed() < Duration::from_millis(1200), "the saves took {:?}", burst.elapsed());

    let last = (1000 + SAVES).to_string();
    live.wait_value(&live.page, ANSWER_VALUE, &json!(last), BUILD).await;
    assert!(!live.page.same_document().await.unwrap(), "the new value must come with a reload");
    tokio::time::sleep(SETTLE).await;
    assert_eq!(live.page.eval(ANSWER_VALUE).await.unwrap(), json!(last), "the page changed again");

    let log = live.app.log();
    let events: Vec<(u64, String)> = build_events(&log).into_iter().filter(|(id, _)| *id > before).collect();
    let with =
        |what: &str| -> Vec<u64> { events.iter().filter(|(_, w)| w == what).map(|(id, _)| *id).collect() };
    let (started, cancelled, finished) = (with("started"), with("cancelled"), with("finished"));
    assert_eq!(finished.len(), 1, "exactly one build must finish: {events:?}\n{log}");
    assert_eq!(
        finished.last(),
        started.last(),
        "the finished build must be the last one started: {events:?}"
    );
    assert!(with("failed").is_empty(), "no build may fail: {events:?}\n{log}");
    let mut ended = [cancelled.clone(), finished].concat();
    ended.sort_unstable();
    assert_eq!(ended, started, "every other build must say it was cancelled: {events:?}");
    assert!(!cancelled.is_empty(), "without a debounce the burst must cancel running builds: {events:?}");
    assert_eq!(log.matches("app restarted in").count(), 2, "one restart for the burst:\n{log}");
    assert_only_the_app_runs(&live.app).await;
    live.finish().await;
}

/// The killed builds left no cargo or rustc behind: of the processes using the app's folder, only
/// the app itself remains.
async fn assert_only_the_app_runs(app: &DevserveApp) {
    let start = Instant::now();
    loop {
        let running: Vec<(u32, String)> = app
            .app_processes()
            .into_iter()
            .map(|pid| (pid, std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default()))
            .filter(|(_, cmdline)| !cmdline.is_empty())
            .collect();
        let is_app =
            |cmdline: &str| cmdline.split('\0').next().is_some_and(|exe| exe.ends_with("/leptos-app"));
        if running.len() == 1 && is_app(&running[0].1) {
            return;
        }
        let described: Vec<String> =
            running.iter().map(|(pid, cmdline)| format!("{pid}: {}", cmdline.replace('\0', " "))).collect();
        assert!(start.elapsed() < KILL_GRACE, "only the app must run, not:\n{}", described.join("\n"));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

//! An app that crashes on start: reported in the terminal and in the pages, devserve keeps
//! running, and the next good save brings the app back.

use devserve_e2e::DevserveOptions;
use serde_json::json;

use super::{ANSWER_VALUE, BUILD, Live, MESSAGE, SETTLE, line_of};

const MAIN_RS: &str = "src/main.rs";
const MAIN: &str = "async fn main() -> Result<(), Box<dyn std::error::Error>> {";
const PANIC: &str = "the app refuses to start";

#[tokio::test]
async fn an_app_crashing_on_start_is_reported_and_the_next_good_save_recovers() {
    let Some(live) = Live::start(DevserveOptions::default()).await else { return };
    let original = live.app.read(MAIN_RS).unwrap();
    live.app.edit(MAIN_RS, MAIN, &format!("{MAIN}\n    panic!(\"{PANIC}\");")).unwrap();

    // The terminal: the failed start, with the app's last output.
    let log = live.app.wait_for_log("the app did not start", BUILD).await.unwrap();
    let report = &log[log.find("the app did not start").unwrap()..];
    assert!(report.contains(PANIC), "the report must end with the app's output:\n{log}");
    // The fast profile has no debug info, but a panic's location is not debug info.
    let at = format!("panicked at {MAIN_RS}:{}:5", line_of(&original, MAIN) + 1);
    assert!(report.contains(&at), "the panic must say where ({at}):\n{log}");
    // The open page: an overlay with the same report, over the page it still shows.
    let overlay = live.overlay(&live.page).await;
    assert!(overlay.text.contains("did not start") && overlay.text.contains(PANIC), "{overlay:?}");
    assert!(live.page.same_document().await.unwrap(), "the crash must not reload the page");
    // A page opened now: the progress page, with the app's output.
    let fresh = live.page.new_tab().await.unwrap();
    fresh.goto(&live.app.url("/")).await.unwrap();
    let body = fresh.eval("document.title + '\\n' + document.body.innerText").await.unwrap();
    let body = body.as_str().unwrap_or_default();
    assert!(body.contains("The app stopped") && body.contains(PANIC), "{body}");
    tokio::time::sleep(SETTLE).await;
    live.app.assert_running().unwrap();

    // The next good save: the app comes back, and both pages show it.
    live.app.write(MAIN_RS, &original).unwrap();
    live.app.wait_for_log_count("app restarted in", 2, BUILD).await.unwrap();
    for (what, page) in [("the open page", &live.page), ("the progress page", &fresh)] {
        live.wait_value(page, ANSWER_VALUE, &json!("42"), MESSAGE).await;
        live.assert_healthy(page, what).await;
    }
    assert!(!live.page.same_document().await.unwrap(), "the recovered app must come with a reload");
    live.finish().await;
}

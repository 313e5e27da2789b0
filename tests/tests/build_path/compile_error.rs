//! A compile error: shown in the terminal and as an overlay in the page, until a good build.

use devserve_e2e::DevserveOptions;
use serde_json::json;

use super::{ANSWER, ANSWER_VALUE, APP_RS, BUILD, Live, MESSAGE, SETTLE, line_of};

/// The answer line with a type error: `expected u32, found &str`.
const BROKEN: &str = r#"let answer: u32 = "forty-two";"#;

/// Replace `line` by the broken line and check that the terminal and the overlay show rustc's
/// error with its place, while the page stays as it was (showing `shown`).
async fn break_the_build(live: &Live, line: &str, shown: &str) {
    let number = line_of(&live.app.read(APP_RS).unwrap(), line);
    live.app.edit(APP_RS, line, BROKEN).unwrap();
    let place = format!("src/app.rs:{number}:");

    let overlay = live.overlay(&live.page).await;
    assert!(overlay.text.contains("error[E0308]: mismatched types"), "{overlay:?}");
    assert!(overlay.text.contains("expected `u32`, found `&str`"), "{overlay:?}");
    assert!(overlay.places.iter().any(|p| p.starts_with(&place)), "no {place} in {overlay:?}");
    assert!(!overlay.text.contains('\u{1b}'), "ANSI codes must be rendered, not shown: {overlay:?}");

    let log = live.app.wait_for_log("failed after", MESSAGE).await.unwrap();
    assert!(log.contains("error[E0308]: mismatched types"), "the terminal must show the error:\n{log}");
    assert!(log.contains(&format!("--> {place}")), "the terminal must show {place}:\n{log}");
    // The app keeps serving the last good binary meanwhile, under the overlay.
    assert!(live.page.same_document().await.unwrap(), "a failed build must not reload the page");
    assert_eq!(live.page.eval(ANSWER_VALUE).await.unwrap(), shown);
}

#[tokio::test]
async fn a_compile_error_shows_the_overlay_and_the_fix_reloads_the_page() {
    let Some(live) = Live::start(DevserveOptions::default()).await else { return };
    break_the_build(&live, ANSWER, "42").await;

    live.app.edit(APP_RS, BROKEN, "let answer = 6 * 9;").unwrap();
    live.wait_value(&live.page, ANSWER_VALUE, &json!("54"), BUILD).await;
    assert!(!live.page.same_document().await.unwrap(), "the fix must come with a reload");
    live.assert_healthy(&live.page, "after the fix").await;
    assert_eq!(live.app.count_log("app restarted in"), 2, "{}", live.app.log());
    live.finish().await;
}

#[tokio::test]
async fn undoing_a_broken_edit_clears_the_overlay_without_a_restart_or_a_reload() {
    let Some(live) = Live::start(DevserveOptions::default()).await else { return };
    // A code change first, as in a working session: the running binary is built from it.
    let changed = "let answer = 6 * 8;";
    live.app.edit(APP_RS, ANSWER, changed).unwrap();
    live.wait_value(&live.page, ANSWER_VALUE, &json!("48"), BUILD).await;
    live.page.mark().await.unwrap();
    let running_source = live.app.read(APP_RS).unwrap();
    let finished = live.app.count_log(" finished in ");
    break_the_build(&live, changed, "48").await;

    // Undo: the file is again exactly the source of the running binary.
    live.app.write(APP_RS, &running_source).unwrap();
    let log = live.app.wait_for_log_count(" finished in ", finished + 1, BUILD).await.unwrap();
    assert!(log.contains("binary unchanged"), "the undo must build the running binary again:\n{log}");
    let overlay_gone = "document.querySelector('devserve-error-overlay') === null";
    live.wait_value(&live.page, overlay_gone, &json!(true), MESSAGE).await;
    tokio::time::sleep(SETTLE).await;
    assert!(live.page.same_document().await.unwrap(), "an unchanged binary must not reload the page");
    live.assert_healthy(&live.page, "after the undo").await;
    assert_eq!(live.page.eval(ANSWER_VALUE).await.unwrap(), "48");
    let log = live.app.log();
    assert_eq!(log.matches("app restarted in").count(), 2, "an unchanged binary must not restart:\n{log}");
    live.finish().await;
}

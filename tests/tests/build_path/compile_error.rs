//! A compile error: shown in the terminal and as an overlay in the page, until a good build.

use devserve_e2e::DevserveOptions;
use serde_json::json;

use super::{ANSWER, ANSWER_VALUE, APP_RS, BUILD, Live, MESSAGE, SETTLE, line_of};

/// `ANSWER` with a type error: `expected u32, found &str`.
const BROKEN: &str = r#"let answer: u32 = "forty-two";"#;

/// Save the broken line and check that the terminal and the overlay show rustc's error with its
/// place; returns the overlay's text.
async fn break_the_build(live: &Live) -> String {
    let line = line_of(&live.app.read(APP_RS).unwrap(), ANSWER);
    live.app.edit(APP_RS, ANSWER, BROKEN).unwrap();
    let place = format!("src/app.rs:{line}:");

    let overlay = live.overlay(&live.page).await;
    assert!(overlay.text.contains("error[E0308]: mismatched types"), "{overlay:?}");
    assert!(overlay.text.contains("expected `u32`, found `&str`"), "{overlay:?}");
    assert!(overlay.places.iter().any(|p| p.starts_with(&place)), "no {place} in {overlay:?}");
    assert!(!overlay.text.contains('\u{1b}'), "ANSI codes must be rendered, not shown: {overlay:?}");

    let log = live.app.wait_for_log("failed after", MESSAGE).await.unwrap();
    assert!(log.contains("error[E0308]: mismatched types"), "the terminal must show the error:\n{log}");
    assert!(log.contains(&format!("--> {place}")), "the terminal must show {place}:\n{log}");
    // The app keeps serving the last good binary meanwhile, and the page is the same document.
    assert!(live.page.same_document().await.unwrap(), "a failed build must not reload the page");
    assert_eq!(live.page.eval(ANSWER_VALUE).await.unwrap(), "42");
    overlay.text
}

#[tokio::test]
async fn a_compile_error_shows_the_overlay_and_the_fix_reloads_the_page() {
    let Some(live) = Live::start(DevserveOptions::default()).await else { return };
    break_the_build(&live).await;

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
    let original = live.app.read(APP_RS).unwrap();
    break_the_build(&live).await;

    // Undo: the file is again exactly the source of the running binary.
    live.app.write(APP_RS, &original).unwrap();
    live.app.wait_for_log("binary unchanged", BUILD).await.unwrap();
    live.wait_value(
        &live.page,
        "document.querySelector('devserve-error-overlay') === null",
        &json!(true),
        MESSAGE,
    )
    .await;
    tokio::time::sleep(SETTLE).await;
    assert!(live.page.same_document().await.unwrap(), "an unchanged binary must not reload the page");
    live.assert_healthy(&live.page, "after the undo").await;
    assert_eq!(live.page.eval(ANSWER_VALUE).await.unwrap(), "42");
    let log = live.app.log();
    assert_eq!(log.matches("app restarted in").count(), 1, "an unchanged binary must not restart:\n{log}");
    live.finish().await;
}

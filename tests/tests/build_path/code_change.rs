//! A Rust code change outside any `view!`: rebuilt, the app restarted, the page reloaded.

use devserve_e2e::DevserveOptions;
use serde_json::json;

use super::{ANSWER, ANSWER_VALUE, APP_RS, BUILD, Live, build_events};

#[tokio::test]
async fn a_code_change_shows_its_new_behaviour_after_the_automatic_reload() {
    let Some(live) = Live::start(DevserveOptions::default()).await else { return };
    let hello = "return fetch('/api/hello', { cache: 'no-store' }).then((r) => r.json());";
    let message = |text: &str| json!({ "message": text });
    assert_eq!(live.page.exec(hello, Vec::new()).await.unwrap(), message("Hello from leptos-app"));

    // A value computed in a component and a handler's body, saved one after the other.
    live.app.edit(APP_RS, ANSWER, "let answer = 6 * 8;").unwrap();
    live.app.edit("src/api.rs", r#""Hello from leptos-app""#, r#""Hello from a rebuilt handler""#).unwrap();

    live.wait_value(&live.page, ANSWER_VALUE, &json!("48"), BUILD).await;
    assert!(!live.page.same_document().await.unwrap(), "the new value must come with a reload");
    live.assert_healthy(&live.page, "after the reload").await;
    let answer_class = live.page.eval("document.getElementById('answer').className").await.unwrap();
    assert_eq!(answer_class, "answer big", "the rest of the page is rendered as before");
    assert_eq!(live.page.exec(hello, Vec::new()).await.unwrap(), message("Hello from a rebuilt handler"));

    let log = live.app.log();
    assert!(log.contains("devserve: rebuild:"), "the edit must be reported as a rebuild:\n{log}");
    assert!(!log.contains("patched"), "a code change must not be patched:\n{log}");
    assert_eq!(log.matches("app restarted in").count(), 2, "one restart for the change:\n{log}");
    let failed = build_events(&log).into_iter().filter(|(_, what)| what == "failed").count();
    assert_eq!(failed, 0, "{log}");
    live.finish().await;
}

//! Requests while the app is down: held until it is up, or the progress page for a browser.

use std::time::Duration;

use devserve_protocol::BuildProgress;
use devserve_protocol::{PROTOCOL_VERSION, ServerMessage};
use devserve_server::{AppState, Hub, ServerConfig};
use tokio::time::Instant;

use crate::support::{Upstream, devserve, devserve_with, free_addr, get, script_tag};
use crate::websocket::{connect, hear, hello, nothing_heard};

#[tokio::test]
async fn a_request_waits_until_the_app_is_up() {
    let app_addr = free_addr();
    let hub = Hub::default();
    let addr = devserve(app_addr, &hub).await;
    let request = tokio::spawn(async move { get(addr, "/api", &[]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!request.is_finished(), "held, not failed");
    let _upstream = Upstream::start_at(app_addr).await;
    hub.set_app_state(AppState::Up);
    let answer = request.await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (200, r#"{"ok":true}"#));
}

#[tokio::test]
async fn a_refused_connection_is_retried_while_the_app_binds_its_port() {
    let app_addr = free_addr();
    let hub = Hub::default();
    hub.set_app_state(AppState::Up);
    let addr = devserve(app_addr, &hub).await;
    let request = tokio::spawn(async move { get(addr, "/", &[("accept", "text/html")]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _upstream = Upstream::start_at(app_addr).await;
    let answer = request.await.unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("<p>hello</p>"));
}

#[tokio::test]
async fn a_browser_gets_the_progress_page_while_the_app_builds() {
    let hub = Hub::default();
    hub.set_app_state(AppState::Building(BuildProgress {
        done: 3,
        total: Some(9),
        current: Some("leptos".into()),
        elapsed_ms: 1500,
    }));
    let addr = devserve(free_addr(), &hub).await;
    let started = Instant::now();
    let answer = get(addr, "/todos", &[("accept", "text/html,*/*;q=0.8")]).await;
    assert!(started.elapsed() >= Duration::from_millis(200), "waited a moment for the app first");
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        answer.body.contains("<p>Compiled 3 of 9 crates, building leptos (1.5 s)</p>"),
        "{}",
        answer.body
    );
    let progress_tag = script_tag(&hub).replace(r#"data-build-id="initial""#, r#"data-build-id="""#);
    assert!(answer.body.contains(&format!("{progress_tag}<style>")), "{}", answer.body);
}

#[tokio::test]
async fn a_browser_sees_why_the_build_failed() {
    let hub = Hub::default();
    hub.set_app_state(AppState::Failed { diagnostics: vec!["\x1b[31merror\x1b[0m: expected `;`".into()] });
    let addr = devserve(free_addr(), &hub).await;
    let answer = get(addr, "/", &[("accept", "text/html")]).await;
    assert_eq!(answer.status, 503);
    assert!(answer.body.contains("<h1>Build failed</h1><pre>error: expected `;`</pre>"), "{}", answer.body);
}

#[tokio::test]
async fn a_request_fails_after_the_hold_timeout() {
    let hub = Hub::default();
    let mut config = ServerConfig::new(free_addr());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.hold_timeout = Duration::from_millis(300);
    let addr = devserve_with(config, &hub).await;
    let started = Instant::now();
    let answer = get(addr, "/api", &[]).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.status, 503);
    assert_eq!(answer.body, "devserve: the app was not up after 0.3 s");
}

/// The app went away while devserve still took it for up (it is being restarted): a page
/// requested then waits for the new binary, carries that binary's build id, and its client is
/// not told to reload when it connects.
#[tokio::test]
async fn a_page_held_during_a_restart_carries_the_new_build_and_is_not_reloaded() {
    let app_addr = free_addr();
    let hub = Hub::default();
    hub.build_landed("b1".into(), 0);
    hub.set_app_state(AppState::Up);
    let addr = devserve(app_addr, &hub).await;
    let request = tokio::spawn(async move { get(addr, "/", &[("accept", "text/html")]).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!request.is_finished(), "held while nothing listens");
    // What the orchestrator does for a restart: starting, the new binary listens, its build
    // lands, then it is up.
    hub.set_app_state(AppState::Starting);
    let _upstream = Upstream::start_at(app_addr).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    hub.build_landed("b2".into(), 0);
    hub.set_app_state(AppState::Up);
    let answer = request.await.unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains(r#"data-build-id="b2""#), "{}", answer.body);
    assert_eq!(answer.body.matches(&script_tag(&hub)).count(), 1, "{}", answer.body);

    let mut socket = connect(addr, Some(hub.token()), Some(&format!("http://{addr}"))).await.unwrap();
    hello(&mut socket, "b2", 0).await;
    assert_eq!(
        hear(&mut socket).await,
        ServerMessage::Hello { protocol: PROTOCOL_VERSION, build_id: "b2".into() }
    );
    nothing_heard(&mut socket).await;
}

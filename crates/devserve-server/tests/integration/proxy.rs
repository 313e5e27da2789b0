//! The reverse proxy: injection into HTML, streaming, identity encoding, pass-through.

use std::time::Duration;

use bytes::Bytes;
use devserve_server::{AppState, Hub};
use futures_util::{SinkExt, StreamExt};
use http_body_util::BodyExt;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{CHUNKED_PAGE, Upstream, devserve, devserve_with, get, request, script_tag, send};

async fn setup() -> (Upstream, Hub, std::net::SocketAddr) {
    let upstream = Upstream::start().await;
    let hub = Hub::default();
    hub.set_app_state(AppState::Up);
    let addr = devserve(upstream.addr, &hub).await;
    (upstream, hub, addr)
}

#[tokio::test]
async fn html_gets_the_script_before_a_close_head_split_across_chunks() {
    let (_upstream, hub, addr) = setup().await;
    let answer = get(addr, "/", &[("accept", "text/html")]).await;
    let page = CHUNKED_PAGE.concat();
    let expected = page.replacen("</head>", &format!("{}</head>", script_tag(&hub)), 1);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, expected);
    assert_eq!(answer.header("content-length"), None);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn the_script_names_the_running_build_and_what_it_includes() {
    let (_upstream, hub, addr) = setup().await;
    hub.build_landed("b7".into(), 12);
    let answer = get(addr, "/", &[]).await;
    assert!(answer.body.contains(r#"data-build-id="b7" data-applied-version="12"></script></head>"#));
}

#[tokio::test]
async fn streamed_html_reaches_the_browser_before_the_app_finishes() {
    let (upstream, hub, addr) = setup().await;
    let response = send("GET", addr, "/gated", &[], Bytes::new()).await;
    let mut body = response.into_body();
    let first = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("the first chunk arrives while the app still holds the rest")
        .unwrap()
        .unwrap()
        .into_data()
        .unwrap();
    assert_eq!(first, format!("<html><head><title>gated</title>{}</head><body>", script_tag(&hub)));
    upstream.seen.gate.notify_one();
    let rest = body.collect().await.unwrap().to_bytes();
    assert_eq!(rest, "<p>rest</p></body></html>");
}

#[tokio::test]
async fn the_app_is_asked_for_identity_encoding() {
    let (upstream, hub, addr) = setup().await;
    // The stand-in app does compress when asked to.
    let direct = get(upstream.addr, "/compressed", &[("accept-encoding", "gzip")]).await;
    assert_eq!(direct.header("content-encoding"), Some("gzip"));

    let answer = get(addr, "/compressed", &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(answer.header("content-encoding"), None);
    assert!(answer.body.starts_with(&format!("<html><head>{}</head><body>compress me", script_tag(&hub))));
    assert_eq!(*upstream.seen.accept_encodings.lock().unwrap(), ["gzip", "identity"]);
}

#[tokio::test]
async fn json_passes_untouched() {
    let (_upstream, _hub, addr) = setup().await;
    let answer = get(addr, "/api", &[("accept", "application/json")]).await;
    assert_eq!(answer.body, r#"{"ok":true}"#);
    assert_eq!(answer.header("content-length"), Some("11"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn request_bodies_reach_the_app() {
    let (_upstream, _hub, addr) = setup().await;
    let body = Bytes::from(vec![b'x'; 100_000]);
    let answer = request("POST", addr, "/upload", &[], body).await;
    assert_eq!(answer.body, "got 100000 bytes");
}

#[tokio::test]
async fn the_app_sees_the_original_host_and_forwarding_headers() {
    let (_upstream, _hub, addr) = setup().await;
    let answer = get(addr, "/headers", &[("accept-encoding", "gzip")]).await;
    let host = addr.to_string();
    assert_eq!(
        answer.body,
        format!(
            "peer=127.0.0.1 host={host} x-forwarded-host={host} x-forwarded-proto=http \
             x-forwarded-for=127.0.0.1 accept-encoding=identity"
        )
    );
}

#[tokio::test]
async fn other_websockets_pass_through_to_the_app() {
    let (_upstream, _hub, addr) = setup().await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/echo")).await.unwrap();
    for text in ["ping", "pong"] {
        socket.send(Message::text(text)).await.unwrap();
        let echoed =
            tokio::time::timeout(Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
        assert_eq!(echoed, Message::text(text));
    }
}

#[tokio::test]
async fn the_client_script_is_served_fresh() {
    let (_upstream, _hub, addr) = setup().await;
    let answer = get(addr, "/__devserve/client.js", &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("text/javascript; charset=utf-8"));
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
    assert!(answer.body.contains("document.currentScript"));
}

#[tokio::test]
async fn other_reserved_paths_are_not_found_and_never_proxied() {
    let (_upstream, _hub, addr) = setup().await;
    assert_eq!(get(addr, "/__devserve/api", &[]).await.status, 404);
    assert_eq!(get(addr, "/__devserve/ws/x", &[]).await.status, 404);
}

#[tokio::test]
async fn pkg_files_devserve_rewrites_are_never_cached_nor_revalidated() {
    let upstream = Upstream::start().await;
    let hub = Hub::default();
    hub.set_app_state(AppState::Up);
    let mut config = devserve_server::ServerConfig::new(upstream.addr);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.no_store_prefixes.push("/pkg/".into());
    let addr = devserve_with(config, &hub).await;
    let since = [("if-modified-since", "Mon, 30 Nov 2026 01:00:00 GMT")];
    let answer = get(addr, "/pkg/app.wasm", &since).await;
    assert_eq!(answer.status, 200, "a rebuilt wasm must never be answered with a 304");
    assert_eq!(answer.body, "wasm bytes");
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    // Without the prefix devserve passes the app's caching through.
    let plain = devserve(upstream.addr, &hub).await;
    assert_eq!(get(plain, "/pkg/app.wasm", &since).await.status, 304);
}

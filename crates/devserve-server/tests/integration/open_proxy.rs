//! devserve is a reverse proxy to one app, never an open proxy: whatever a request names, only
//! the app is ever connected to. Requests are written byte for byte on raw sockets.

use std::net::SocketAddr;

use devserve_server::{AppState, Hub};

use crate::support::{Elsewhere, Upstream, devserve, raw};

async fn setup() -> (Upstream, Elsewhere, SocketAddr) {
    let upstream = Upstream::start().await;
    let hub = Hub::default();
    hub.set_app_state(AppState::Up);
    let addr = devserve(upstream.addr, &hub).await;
    (upstream, Elsewhere::start().await, addr)
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

#[tokio::test]
async fn an_absolute_target_on_a_served_host_still_reaches_only_the_app() {
    let (upstream, elsewhere, addr) = setup().await;
    let other = elsewhere.addr;
    let request = format!("GET http://{other}/api HTTP/1.1\r\nHost: {other}\r\nConnection: close\r\n\r\n");
    let (status, response) = raw(addr, &request).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(body(&response), r#"{"ok":true}"#);
    assert_eq!(elsewhere.accepted(), 0, "nothing connected to the address the request named");
    assert_eq!(*upstream.seen.requests.lock().unwrap(), ["GET /api"]);
}

#[tokio::test]
async fn an_absolute_target_on_a_foreign_host_is_refused() {
    let (upstream, elsewhere, addr) = setup().await;
    for request in [
        format!("GET http://evil.example/api HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        format!(
            "GET http://evil.example:{}/api HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
            addr.port()
        ),
        format!("GET http://{addr}/api HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
        format!(
            "GET http://user@{}/api HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n",
            elsewhere.addr
        ),
        "GET https://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".to_owned(),
    ] {
        let (status, response) = raw(addr, &request).await;
        assert!(status == 403 || status == 400, "{request}: {response}");
    }
    assert_eq!(elsewhere.accepted(), 0);
    assert!(upstream.seen.requests.lock().unwrap().is_empty(), "nothing reached the app");
}

#[tokio::test]
async fn connect_is_refused() {
    let (upstream, elsewhere, addr) = setup().await;
    let other = elsewhere.addr;
    for request in [
        format!("CONNECT {other} HTTP/1.1\r\nHost: {other}\r\nConnection: close\r\n\r\n"),
        format!("CONNECT {addr} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\nConnection: close\r\n\r\n".to_owned(),
    ] {
        let (status, response) = raw(addr, &request).await;
        assert_eq!(status, 405, "{request}: {response}");
    }
    assert_eq!(elsewhere.accepted(), 0);
    assert!(upstream.seen.requests.lock().unwrap().is_empty(), "nothing reached the app");
}

#[tokio::test]
async fn a_foreign_host_header_reaches_nothing() {
    let (upstream, elsewhere, addr) = setup().await;
    let other = elsewhere.addr;
    let port = other.port();
    let request =
        format!("GET /api HTTP/1.1\r\nHost: rebind-{port}.example:{port}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw(addr, &request).await.0, 403);
    let request = format!("GET /api HTTP/1.1\r\nHost: {other}.evil.example\r\nConnection: close\r\n\r\n");
    assert_eq!(raw(addr, &request).await.0, 400, "not even a valid host");
    // A served host on another port still means devserve's app, never that port.
    let request = format!("GET /api HTTP/1.1\r\nHost: {other}\r\nConnection: close\r\n\r\n");
    let (status, response) = raw(addr, &request).await;
    assert_eq!((status, body(&response)), (200, r#"{"ok":true}"#));
    assert_eq!(elsewhere.accepted(), 0);
    assert_eq!(*upstream.seen.requests.lock().unwrap(), ["GET /api"]);
}

/// devserve serves no file from disk: its only file is the embedded client script, and every
/// other reserved path is 404 however it is spelt.
#[tokio::test]
async fn reserved_paths_never_reach_the_disk_or_the_app() {
    let (upstream, _elsewhere, addr) = setup().await;
    for path in [
        "/__devserve/../Cargo.toml",
        "/__devserve/../../../../../etc/passwd",
        "/__devserve/%2e%2e/%2e%2e/Cargo.toml",
        "/__devserve/%2E%2E%2FCargo.toml",
        "/__devserve/client.js/../../Cargo.toml",
        "/__devserve//etc/passwd",
        "/__devserve/..%5c..%5cCargo.toml",
    ] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let (status, response) = raw(addr, &request).await;
        assert_eq!(status, 404, "{path}: {response}");
        assert!(!response.contains("root:") && !response.contains("[package]"), "{path}");
    }
    let request =
        format!("GET /__devserve/..\\..\\Cargo.toml HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let (status, response) = raw(addr, &request).await;
    assert!(status == 400 || status == 404, "{response}");
    assert!(upstream.seen.requests.lock().unwrap().is_empty(), "nothing reached the app");
}

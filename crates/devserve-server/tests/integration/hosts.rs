//! DNS rebinding: devserve answers only requests for the hosts it serves, and its sockets accept
//! only pages of those hosts.

use std::net::SocketAddr;

use devserve_server::{AppState, Hub, ServerConfig};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Error;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{Upstream, devserve_with, raw, script_tag};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn setup(allowed_hosts: &[&str]) -> (Upstream, Hub, SocketAddr) {
    let upstream = Upstream::start().await;
    let hub = Hub::default();
    hub.set_app_state(AppState::Up);
    let mut config = ServerConfig::new(upstream.addr);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.allowed_hosts = allowed_hosts.iter().map(|&h| h.to_owned()).collect();
    let addr = devserve_with(config, &hub).await;
    (upstream, hub, addr)
}

/// `GET path` with this `Host`, over a raw socket.
async fn get_as(addr: SocketAddr, host: &str, path: &str) -> (u16, String) {
    raw(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"),
    )
    .await
}

/// Opens `path` as a WebSocket with this `Host` and `Origin`; the HTTP status when refused.
async fn socket(addr: SocketAddr, path: &str, host: &str, origin: Option<&str>) -> Result<Socket, u16> {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    request.headers_mut().insert("host", host.parse().unwrap());
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn a_foreign_host_is_refused_and_told_how_to_allow_it() {
    let (upstream, hub, addr) = setup(&[]).await;
    let port = addr.port();
    for host in [format!("evil.example:{port}"), "evil.example".into(), format!("EVIL.example:{port}")] {
        let (status, response) = get_as(addr, &host, "/").await;
        assert_eq!(status, 403, "{response}");
        assert!(response.contains("--allowed-host evil.example"), "{response}");
        assert!(!response.contains(hub.token()), "the token never reaches a foreign host");
    }
    let (status, _) = get_as(addr, &format!("rebind.127.0.0.1.nip.io:{port}"), "/api").await;
    assert_eq!(status, 403);
    let (status, response) = get_as(addr, "[fe80::1]:80", "/api").await;
    assert_eq!(status, 403);
    assert!(response.contains("--allowed-host [fe80::1]"), "{response}");
    assert!(upstream.seen.requests.lock().unwrap().is_empty(), "nothing reached the app");
}

#[tokio::test]
async fn loopback_names_are_served_on_any_port_in_any_case() {
    let (_upstream, hub, addr) = setup(&[]).await;
    let port = addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        "localhost".into(),
        "127.0.0.1:8080".into(),
        format!("[::1]:{port}"),
        "[::1]".into(),
    ] {
        let (status, response) = get_as(addr, &host, "/").await;
        assert_eq!(status, 200, "{host}: {response}");
        assert!(response.contains(&script_tag(&hub)), "{host}");
    }
}

#[tokio::test]
async fn a_name_in_allowed_hosts_is_served() {
    let (_upstream, hub, addr) = setup(&["dev.example", ".lan.test"]).await;
    for host in ["dev.example", "DEV.Example:8443", "box.lan.test:3000", "lan.test"] {
        let (status, response) = get_as(addr, host, "/").await;
        assert_eq!(status, 200, "{host}: {response}");
        assert!(response.contains(&script_tag(&hub)), "{host}");
    }
    for host in ["other.example", "dev.example.evil", "xlan.test"] {
        assert_eq!(get_as(addr, host, "/").await.0, 403, "{host}");
    }
}

#[tokio::test]
async fn a_request_must_name_exactly_one_valid_host() {
    let (upstream, _hub, addr) = setup(&[]).await;
    let (status, _) = raw(addr, "GET /api HTTP/1.0\r\n\r\n").await;
    assert_eq!(status, 400, "no Host at all");
    let two = "GET /api HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n";
    assert_eq!(raw(addr, two).await.0, 400);
    for host in ["user@localhost", "localhost:x", "local_host:3000 extra", "[::1"] {
        let (status, response) = get_as(addr, host, "/api").await;
        assert!(status == 400 || status == 403, "{host}: {response}");
    }
    assert!(upstream.seen.requests.lock().unwrap().is_empty(), "nothing reached the app");
}

#[tokio::test]
async fn devserves_own_paths_refuse_foreign_hosts_too() {
    let (_upstream, hub, addr) = setup(&[]).await;
    assert_eq!(get_as(addr, "evil.example", "/__devserve/client.js").await.0, 403);
    let ws = format!("/__devserve/ws?token={}", hub.token());
    let evil = "evil.example:3000";
    assert_eq!(socket(addr, &ws, evil, Some("http://evil.example:3000")).await.err(), Some(403));
    assert_eq!(socket(addr, &ws, evil, None).await.err(), Some(403));
    assert_eq!(socket(addr, "/live_reload", evil, Some("http://evil.example:3000")).await.err(), Some(403));
}

#[tokio::test]
async fn the_websocket_takes_pages_of_served_hosts_only() {
    let (_upstream, hub, addr) = setup(&["dev.example"]).await;
    let ws = format!("/__devserve/ws?token={}", hub.token());
    let port = addr.port();
    let allowed = [
        (format!("localhost:{port}"), format!("http://LOCALHOST:{port}")),
        (format!("[::1]:{port}"), format!("http://[::1]:{port}")),
        (format!("[0:0::1]:{port}"), format!("http://[::1]:{port}")),
        ("dev.example".into(), "https://dev.example".into()),
        ("Dev.Example:8443".into(), "https://dev.example:8443".into()),
    ];
    for (host, origin) in allowed {
        assert!(socket(addr, &ws, &host, Some(&origin)).await.is_ok(), "{host} {origin}");
    }
    let refused = [
        (format!("localhost:{port}"), "http://evil.example".to_owned()),
        (format!("localhost:{port}"), format!("http://localhost:{}", port + 1)),
        (format!("localhost:{port}"), format!("http://127.0.0.1:{port}")),
        (format!("localhost:{port}"), format!("http://dev.example:{port}")),
        (format!("localhost:{port}"), "null".to_owned()),
    ];
    for (host, origin) in refused {
        assert_eq!(socket(addr, &ws, &host, Some(&origin)).await.err(), Some(403), "{host} {origin}");
    }
}

#[tokio::test]
async fn leptos_reload_socket_takes_served_hosts_on_any_port() {
    let (_upstream, _hub, addr) = setup(&["dev.example"]).await;
    let host = format!("localhost:{}", addr.port());
    for origin in
        ["http://localhost:41234", "http://[::1]:41234", "http://DEV.example:41234", "http://127.0.0.1"]
    {
        assert!(socket(addr, "/live_reload", &host, Some(origin)).await.is_ok(), "{origin}");
    }
    for origin in ["http://evil.example:41234", "http://127.0.0.1.nip.io:41234", "http://[::2]:41234", "null"]
    {
        assert_eq!(socket(addr, "/live_reload", &host, Some(origin)).await.err(), Some(403), "{origin}");
    }
}

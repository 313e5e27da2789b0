//! Leptos's `<AutoReload/>` socket, answered on devserve's port: silent for pages devserve served
//! (their devserve client reloads them), reloads and stylesheet swaps for pages opened on the
//! app's own port, refused for foreign origins.

use std::net::SocketAddr;
use std::time::Duration;

use devserve_protocol::ServerMessage;
use devserve_server::{AppState, Hub};
use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{Upstream, devserve};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(addr: SocketAddr, origin: &str) -> Result<Socket, u16> {
    let mut request = format!("ws://{addr}/live_reload").into_client_request().unwrap();
    request.headers_mut().insert("origin", origin.parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

async fn next_text(socket: &mut Socket, within: Duration) -> Option<String> {
    match tokio::time::timeout(within, socket.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => Some(text.to_string()),
        Ok(other) => panic!("unexpected frame: {other:?}"),
        Err(_) => None,
    }
}

async fn setup() -> (Upstream, Hub, SocketAddr) {
    let upstream = Upstream::start().await;
    let hub = Hub::default();
    hub.set_app_state(AppState::Up);
    let addr = devserve(upstream.addr, &hub).await;
    (upstream, hub, addr)
}

#[tokio::test]
async fn a_page_on_the_app_port_gets_reloads_and_stylesheet_swaps() {
    let (upstream, hub, addr) = setup().await;
    let mut socket = connect(addr, &format!("http://{}", upstream.addr)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    hub.send(ServerMessage::BuildOk { build_id: "b2".into() });
    hub.send(ServerMessage::Css { href: "/pkg/app.css".into(), version: 2 });
    hub.send(ServerMessage::Reload);
    let second = Duration::from_secs(5);
    assert_eq!(next_text(&mut socket, second).await.as_deref(), Some(r#"{"css":"pkg/app.css"}"#));
    assert_eq!(next_text(&mut socket, second).await.as_deref(), Some(r#"{"all":true}"#));
}

#[tokio::test]
async fn a_page_devserve_served_gets_a_silent_socket() {
    let (_upstream, hub, addr) = setup().await;
    let mut socket = connect(addr, &format!("http://{addr}")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    hub.send(ServerMessage::Reload);
    hub.send(ServerMessage::Css { href: "/pkg/app.css".into(), version: 2 });
    assert_eq!(next_text(&mut socket, Duration::from_millis(300)).await, None, "nothing twice");
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let (_upstream, _hub, addr) = setup().await;
    assert_eq!(connect(addr, "http://evil.example").await.err(), Some(403));
}

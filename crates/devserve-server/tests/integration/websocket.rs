//! devserve's own WebSocket endpoint over a real socket: who may connect, and what a page hears.

use std::net::SocketAddr;
use std::time::Duration;

use devserve_protocol::{ClientMessage, PROTOCOL_VERSION, ServerMessage, ViewPatch};
use devserve_server::{AppState, Hub};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{Upstream, devserve};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects with `token` and `origin`; the HTTP status when refused.
pub(crate) async fn connect(
    addr: SocketAddr,
    token: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, u16> {
    let query = token.map(|t| format!("?token={t}")).unwrap_or_default();
    let mut request = format!("ws://{addr}/__devserve/ws{query}").into_client_request().unwrap();
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", origin.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

async fn say(socket: &mut Socket, message: ClientMessage) {
    socket.send(Message::text(serde_json::to_string(&message).unwrap())).await.unwrap();
}

pub(crate) async fn hello(socket: &mut Socket, build_id: &str, applied_version: u64) {
    say(
        socket,
        ClientMessage::Hello { protocol: PROTOCOL_VERSION, build_id: build_id.into(), applied_version },
    )
    .await;
}

pub(crate) async fn hear(socket: &mut Socket) -> ServerMessage {
    let frame = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.unwrap().unwrap().unwrap();
    serde_json::from_str(frame.to_text().unwrap()).unwrap()
}

/// Nothing arrives for a while (a reload would come right after the greeting).
pub(crate) async fn nothing_heard(socket: &mut Socket) {
    let next = tokio::time::timeout(Duration::from_millis(300), socket.next()).await;
    assert!(next.is_err(), "unexpected message: {next:?}");
}

fn patch(view: &str) -> ViewPatch {
    ViewPatch { view_id: view.into(), marker_id: None, version: 0, old_template: vec![], ops: vec![] }
}

async fn setup() -> (Upstream, Hub, SocketAddr) {
    let upstream = Upstream::start().await;
    let hub = Hub::default();
    hub.build_landed("b1".into(), 0);
    hub.set_app_state(AppState::Up);
    let addr = devserve(upstream.addr, &hub).await;
    (upstream, hub, addr)
}

#[tokio::test]
async fn the_token_is_required() {
    let (_upstream, hub, addr) = setup().await;
    assert_eq!(connect(addr, None, None).await.err(), Some(403));
    assert_eq!(connect(addr, Some("wrong"), None).await.err(), Some(403));
    let mut almost = hub.token().to_owned();
    almost.pop();
    assert_eq!(connect(addr, Some(&almost), None).await.err(), Some(403));
    assert!(connect(addr, Some(hub.token()), None).await.is_ok());
}

#[tokio::test]
async fn only_the_pages_own_origin_may_connect() {
    let (_upstream, hub, addr) = setup().await;
    let token = Some(hub.token());
    assert_eq!(connect(addr, token, Some("http://evil.example")).await.err(), Some(403));
    assert_eq!(connect(addr, token, Some(&format!("http://{addr}.evil.example"))).await.err(), Some(403));
    assert_eq!(connect(addr, token, Some("null")).await.err(), Some(403));
    assert!(connect(addr, token, Some(&format!("http://{addr}"))).await.is_ok());
    assert!(connect(addr, token, Some(&format!("https://{addr}"))).await.is_ok());
}

#[tokio::test]
async fn hello_replays_the_pending_patches_then_live_ones_follow() {
    let (_upstream, hub, addr) = setup().await;
    hub.send_patches(vec![patch("a")]);
    hub.send_patches(vec![patch("b"), patch("c")]);
    let mut socket = connect(addr, Some(hub.token()), Some(&format!("http://{addr}"))).await.unwrap();
    hello(&mut socket, "b1", 1).await;
    assert_eq!(
        hear(&mut socket).await,
        ServerMessage::Hello { protocol: PROTOCOL_VERSION, build_id: "b1".into() }
    );
    let ServerMessage::Patch { patches } = hear(&mut socket).await else { panic!("expected the replay") };
    let replayed: Vec<_> = patches.iter().map(|p| (p.view_id.as_str(), p.version)).collect();
    assert_eq!(replayed, [("b", 2), ("c", 3)]);

    hub.send(ServerMessage::Css { href: "/style/main.css".into(), version: 4 });
    assert_eq!(hear(&mut socket).await, ServerMessage::Css { href: "/style/main.css".into(), version: 4 });
}

#[tokio::test]
async fn a_page_from_an_older_build_is_told_to_reload() {
    let (_upstream, hub, addr) = setup().await;
    hub.send_patches(vec![patch("a")]);
    hub.build_landed("b2".into(), 1);
    let mut socket = connect(addr, Some(hub.token()), None).await.unwrap();
    hello(&mut socket, "b1", 0).await;
    assert_eq!(
        hear(&mut socket).await,
        ServerMessage::Hello { protocol: PROTOCOL_VERSION, build_id: "b2".into() }
    );
    assert_eq!(hear(&mut socket).await, ServerMessage::Reload);
}

#[tokio::test]
async fn what_the_page_reports_reaches_the_events() {
    let (_upstream, hub, addr) = setup().await;
    let mut events = hub.events();
    let mut socket = connect(addr, Some(hub.token()), None).await.unwrap();
    hello(&mut socket, "b1", 0).await;
    hear(&mut socket).await;
    say(&mut socket, ClientMessage::Console { level: "error".into(), message: "boom".into() }).await;
    let connected = events.recv().await.unwrap();
    let devserve_server::ClientEvent::Connected { client, .. } = connected else { panic!("{connected:?}") };
    assert_eq!(
        events.recv().await.unwrap(),
        devserve_server::ClientEvent::Console { client, level: "error".into(), message: "boom".into() }
    );
    socket.close(None).await.unwrap();
    assert_eq!(events.recv().await.unwrap(), devserve_server::ClientEvent::Disconnected { client });
}

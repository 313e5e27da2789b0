//! The stand-in app, devserve in front of it, and a small HTTP client.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{self, any, post};
use bytes::Bytes;
use devserve_server::{Hub, ServerConfig};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tower_http::compression::CompressionLayer;

/// The HTML page the stand-in app serves in chunks; `</head>` is split across two of them.
pub(crate) const CHUNKED_PAGE: [&str; 4] =
    ["<!DOCTYPE html><html><head><title>t</title></he", "ad><body>", "<p>hello</p>", "</body></html>"];

/// What the stand-in app saw.
#[derive(Clone, Default)]
pub(crate) struct Seen {
    pub(crate) accept_encodings: Arc<Mutex<Vec<String>>>,
    pub(crate) gate: Arc<Notify>,
    /// Every request's method and target, in order.
    pub(crate) requests: Arc<Mutex<Vec<String>>>,
}

/// The stand-in app.
pub(crate) struct Upstream {
    pub(crate) addr: SocketAddr,
    pub(crate) seen: Seen,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port nothing listens on (yet).
pub(crate) fn free_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

impl Upstream {
    pub(crate) async fn start() -> Upstream {
        Upstream::start_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    pub(crate) async fn start_at(addr: SocketAddr) -> Upstream {
        Upstream::start_on(TcpListener::bind(addr).await.unwrap()).await
    }

    async fn start_on(listener: TcpListener) -> Upstream {
        let seen = Seen::default();
        let app = Router::new()
            .route("/", routing::get(chunked_page))
            .route("/gated", routing::get(gated_page))
            .route("/compressed", routing::get(compressed_page))
            .route(
                "/api",
                routing::get(|| async { ([(header::CONTENT_TYPE, "application/json")], r#"{"ok":true}"#) }),
            )
            .route("/headers", routing::get(echo_headers))
            .route("/pkg/app.wasm", routing::get(pkg_file))
            .route("/upload", post(|body: Bytes| async move { format!("got {} bytes", body.len()) }))
            .route("/echo", any(echo_socket))
            .layer(axum::middleware::from_fn_with_state(seen.clone(), record))
            .with_state(seen.clone());
        let addr = listener.local_addr().unwrap();
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        Upstream { addr, seen, task }
    }
}

async fn record(State(seen): State<Seen>, request: axum::extract::Request, next: Next) -> Response {
    seen.requests.lock().unwrap().push(format!("{} {}", request.method(), request.uri()));
    next.run(request).await
}

fn html(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Sends the page chunk by chunk with pauses, so each chunk is its own body frame.
async fn chunked_page() -> Response {
    let chunks = futures_util::stream::unfold(0, |i| async move {
        let chunk = CHUNKED_PAGE.get(i)?;
        tokio::time::sleep(Duration::from_millis(10)).await;
        Some((Ok::<_, Infallible>(Bytes::from_static(chunk.as_bytes())), i + 1))
    });
    html(Body::from_stream(chunks))
}

/// Sends the head at once and the rest only when the test opens the gate.
async fn gated_page(State(seen): State<Seen>) -> Response {
    let chunks = futures_util::stream::unfold(0, move |i| {
        let gate = seen.gate.clone();
        async move {
            let chunk = match i {
                0 => "<html><head><title>gated</title></head><body>",
                1 => {
                    gate.notified().await;
                    "<p>rest</p></body></html>"
                }
                _ => return None,
            };
            Some((Ok::<_, Infallible>(Bytes::from_static(chunk.as_bytes())), i + 1))
        }
    });
    html(Body::from_stream(chunks))
}

/// A page compressed when the client allows it (tower-http decides, as in a real app).
async fn compressed_page(State(seen): State<Seen>, headers: HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
    seen.accept_encodings.lock().unwrap().push(accept.unwrap_or_default());
    let page = format!("<html><head></head><body>{}</body></html>", "compress me ".repeat(200));
    let app = Router::new()
        .route("/compressed", routing::get(move || async move { html(Body::from(page)) }))
        .layer(CompressionLayer::new());
    let mut request = axum::http::Request::builder().uri("/compressed");
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    tower::ServiceExt::oneshot(app, request.body(Body::empty()).unwrap()).await.unwrap().into_response()
}

/// A static file as a file server sends it: `Last-Modified`, and a 304 to a conditional request.
async fn pkg_file(headers: HeaderMap) -> Response {
    if headers.contains_key(header::IF_MODIFIED_SINCE) {
        return axum::http::StatusCode::NOT_MODIFIED.into_response();
    }
    let headers = [
        (header::CONTENT_TYPE, "application/wasm"),
        (header::LAST_MODIFIED, "Mon, 30 Nov 2026 01:00:00 GMT"),
    ];
    (headers, "wasm bytes").into_response()
}

async fn echo_headers(ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap) -> String {
    let get = |name: &str| headers.get(name).map_or("-", |v| v.to_str().unwrap()).to_owned();
    format!(
        "peer={} host={} x-forwarded-host={} x-forwarded-proto={} x-forwarded-for={} accept-encoding={}",
        peer.ip(),
        get("host"),
        get("x-forwarded-host"),
        get("x-forwarded-proto"),
        get("x-forwarded-for"),
        get("accept-encoding"),
    )
}

async fn echo_socket(upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(|mut socket: WebSocket| async move {
        while let Some(Ok(message)) = socket.recv().await {
            if socket.send(message).await.is_err() {
                return;
            }
        }
    })
}

/// devserve in front of `app_addr`, with short waits so tests stay quick.
pub(crate) async fn devserve(app_addr: SocketAddr, hub: &Hub) -> SocketAddr {
    let mut config = ServerConfig::new(app_addr);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.hold_timeout = Duration::from_secs(5);
    devserve_with(config, hub).await
}

pub(crate) async fn devserve_with(config: ServerConfig, hub: &Hub) -> SocketAddr {
    let (addr, _task) = devserve_server::serve(config, hub.clone()).await.unwrap();
    addr
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

pub(crate) async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    request("GET", addr, path, headers, Bytes::new()).await
}

pub(crate) async fn request(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Answer {
    let response = send(method, addr, path, headers, body).await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
}

pub(crate) async fn send(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> hyper::Response<hyper::body::Incoming> {
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut request = hyper::Request::builder().method(method).uri(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body)).unwrap();
    tokio::time::timeout(Duration::from_secs(10), client.request(request)).await.unwrap().unwrap()
}

/// The tag devserve injects for this hub's running build.
pub(crate) fn script_tag(hub: &Hub) -> String {
    let build = hub.running_build();
    format!(
        r#"<script src="/__devserve/client.js" data-token="{}" data-build-id="{}" data-applied-version="{}"></script>"#,
        hub.token(),
        build.id,
        build.included_version
    )
}

/// Writes `request` as it is on a fresh connection and reads the response until the server
/// closes it (so `request` should say `Connection: close`, or be HTTP/1.0): its status and the
/// whole text.
pub(crate) async fn raw(addr: SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("the server closes the connection")
        .unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, text)
}

/// A port that counts the connections it accepts: where a request must never go.
pub(crate) struct Elsewhere {
    pub(crate) addr: SocketAddr,
    accepted: Arc<Mutex<usize>>,
    task: tokio::task::JoinHandle<()>,
}

impl Elsewhere {
    pub(crate) async fn start() -> Elsewhere {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(Mutex::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                *count.lock().unwrap() += 1;
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nelsewhere").await;
            }
        });
        Elsewhere { addr, accepted, task }
    }

    pub(crate) fn accepted(&self) -> usize {
        *self.accepted.lock().unwrap()
    }
}

impl Drop for Elsewhere {
    fn drop(&mut self) {
        self.task.abort();
    }
}

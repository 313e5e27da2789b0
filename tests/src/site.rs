//! A tiny local site for client tests: pages and stylesheets held in memory (changeable while a
//! test runs), the real client script served from disk at `/__devserve/client.js`, and a stand-in
//! for devserve's WebSocket at `/__devserve/ws` that records what clients send.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::{HarnessError, Result, workspace_root};

/// The client script in the source tree.
pub fn client_script_path() -> PathBuf {
    workspace_root().join("client-js/devserve-client.js")
}

/// The `<script>` tag devserve injects, with the given settings.
pub fn client_script_tag(token: &str, build_id: &str, applied_version: u64) -> String {
    format!(
        r#"<script src="/__devserve/client.js" data-token="{token}" data-build-id="{build_id}" data-applied-version="{applied_version}"></script>"#
    )
}

/// The local site. Dropping it stops the server.
#[derive(Debug)]
pub struct FixtureServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Debug)]
struct Shared {
    files: RwLock<HashMap<String, (String, Vec<u8>)>>,
    requests: Mutex<Vec<String>>,
    received: Mutex<Vec<Value>>,
    sockets: AtomicUsize,
    refuse: AtomicBool,
    outgoing: broadcast::Sender<Outgoing>,
}

#[derive(Debug, Clone)]
enum Outgoing {
    Text(String),
    Close,
}

impl FixtureServer {
    /// Serve on a free port of 127.0.0.1.
    pub async fn start() -> Result<Self> {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| HarnessError::io("bind", e))?;
        let addr = listener.local_addr().map_err(|e| HarnessError::io("local_addr", e))?;
        let shared = Arc::new(Shared {
            files: RwLock::default(),
            requests: Mutex::default(),
            received: Mutex::default(),
            sockets: AtomicUsize::new(0),
            refuse: AtomicBool::new(false),
            outgoing: broadcast::channel(64).0,
        });
        let app = Router::new()
            .route("/__devserve/client.js", get(client_script))
            .route("/__devserve/ws", get(socket))
            .fallback(file)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, shared, task })
    }

    /// The absolute URL of `path` (`/page.html`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serve `body` at `path` (without query) with `content_type`, replacing what was there.
    pub fn put(&self, path: &str, content_type: &str, body: impl Into<Vec<u8>>) {
        let mut files = self.shared.files.write().unwrap_or_else(|e| e.into_inner());
        files.insert(path.into(), (content_type.into(), body.into()));
    }

    /// Serve an HTML page at `path`.
    pub fn put_page(&self, path: &str, html: &str) {
        self.put(path, "text/html; charset=utf-8", html);
    }

    /// Every request so far: path and query, in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared.requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every WebSocket message clients sent so far, parsed.
    pub fn received(&self) -> Vec<Value> {
        self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Open WebSocket connections.
    pub fn sockets(&self) -> usize {
        self.shared.sockets.load(Ordering::SeqCst)
    }

    /// Send a message to every open WebSocket.
    pub fn send(&self, msg: &Value) {
        let _ = self.shared.outgoing.send(Outgoing::Text(msg.to_string()));
    }

    /// Refuse new WebSocket connections with 403 (as a restarted devserve refuses an old token).
    pub fn refuse_sockets(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::SeqCst);
    }

    /// Close every open WebSocket (as a devserve restart would).
    pub fn close_sockets(&self) {
        let _ = self.shared.outgoing.send(Outgoing::Close);
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn record(&self, uri: &Uri) {
        let what = uri.path_and_query().map_or_else(|| uri.path().to_string(), ToString::to_string);
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).push(what);
    }
}

async fn client_script(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    shared.record(&uri);
    match tokio::fs::read(client_script_path()).await {
        Ok(js) => ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "no-store")], js)
            .into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    shared.record(&uri);
    let files = shared.files.read().unwrap_or_else(|e| e.into_inner());
    match files.get(uri.path()) {
        Some((content_type, body)) => (
            [(header::CONTENT_TYPE, content_type.clone()), (header::CACHE_CONTROL, "no-store".into())],
            body.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn socket(State(shared): State<Arc<Shared>>, uri: Uri, upgrade: WebSocketUpgrade) -> Response {
    shared.record(&uri);
    if shared.refuse.load(Ordering::SeqCst) {
        return StatusCode::FORBIDDEN.into_response();
    }
    upgrade.on_upgrade(move |ws| talk(ws, shared))
}

async fn talk(mut ws: WebSocket, shared: Arc<Shared>) {
    let mut outgoing = shared.outgoing.subscribe();
    shared.sockets.fetch_add(1, Ordering::SeqCst);
    loop {
        tokio::select! {
            incoming = ws.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let value = serde_json::from_str(&text).unwrap_or(Value::String(text.to_string()));
                    shared.received.lock().unwrap_or_else(|e| e.into_inner()).push(value);
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            command = outgoing.recv() => match command {
                Ok(Outgoing::Text(text)) => {
                    if ws.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Ok(Outgoing::Close) | Err(_) => break,
            },
        }
    }
    shared.sockets.fetch_sub(1, Ordering::SeqCst);
}

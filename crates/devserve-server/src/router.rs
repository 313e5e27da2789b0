//! The routes: devserve's reserved paths, and the proxy for everything else.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::ServerConfig;
use crate::error::ServerError;
use crate::hosts::{self, AllowedHosts};
use crate::hub::Hub;
use crate::inject::CLIENT_PATH;
use crate::live_reload::{self, LIVE_RELOAD_PATH};
use crate::proxy::{self, AppClient};
use crate::ws::{self, WS_PATH};

/// The browser client, embedded in the binary.
const CLIENT_JS: &str = include_str!("../../../client-js/devserve-client.js");

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) hub: Hub,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) client: AppClient,
    pub(crate) hosts: Arc<AllowedHosts>,
}

/// The whole server as a router: `GET /__devserve/client.js`, the WebSocket at
/// `/__devserve/ws?token=..`, Leptos's reload socket at `/live_reload`, 404 for other reserved paths, and the proxy to
/// `config.app_addr` for everything else.
///
/// Every request must name a host devserve serves (see [`ServerConfig::allowed_hosts`]), in its
/// `Host` header and in an absolute-form target alike: others get 403. `CONNECT` gets 405.
/// Nothing is ever forwarded anywhere but to `config.app_addr`.
pub fn app(hub: Hub, config: ServerConfig) -> Router {
    let client = proxy::client(&config, &hub);
    let hosts = Arc::new(AllowedHosts::new(&config));
    let ctx = Ctx { hub, config: Arc::new(config), client, hosts };
    Router::new()
        .route(CLIENT_PATH, get(client_js))
        .route(WS_PATH, get(ws::handler))
        .route(LIVE_RELOAD_PATH, get(live_reload::handler))
        .route("/__devserve/{*rest}", any(StatusCode::NOT_FOUND))
        .fallback(proxy::forward)
        .layer(middleware::from_fn_with_state(ctx.clone(), hosts::guard))
        .with_state(ctx)
}

/// Binds `config.listen` and serves [`app`] on it in a spawned task. Returns the bound address
/// (useful with port 0) and the task, which ends only if accepting connections fails.
pub async fn serve(
    config: ServerConfig,
    hub: Hub,
) -> Result<(SocketAddr, JoinHandle<Result<(), ServerError>>), ServerError> {
    let listen = config.listen;
    let listener =
        TcpListener::bind(listen).await.map_err(|source| ServerError::Bind { addr: listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind { addr: listen, source })?;
    let listener = listener.tap_io(|stream| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
    });
    let service = app(hub, config).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move { axum::serve(listener, service).await.map_err(ServerError::Serve) });
    tracing::debug!(%addr, "devserve listening");
    Ok((addr, task))
}

async fn client_js() -> impl IntoResponse {
    let headers =
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")];
    (headers, CLIENT_JS)
}

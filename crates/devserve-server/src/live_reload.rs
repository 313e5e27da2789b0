//! Leptos's own reload endpoint, answered by devserve.
//!
//! With `LEPTOS_WATCH` set, Leptos's `<AutoReload/>` renders a script that connects to
//! `ws://<page host>:<LEPTOS_RELOAD_PORT>/live_reload` and understands `{"all": true}` (reload)
//! and `{"css": "pkg/app.css"}` (swap a stylesheet). devserve gives the app its own port as
//! `LEPTOS_RELOAD_PORT`, so that script reaches devserve, not a second server.
//!
//! Pages served through devserve's proxy also run devserve's client, which already reloads and
//! swaps stylesheets: their Leptos socket is kept open and silent, so nothing happens twice. A
//! page that lacks devserve's client (opened on the app's own port) is told what the client would
//! have done. The two are told apart by the handshake's `Origin`: the page's own origin is
//! devserve's address exactly when devserve served the page.

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use devserve_protocol::ServerMessage;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::hosts::{self, AllowedHosts};
use crate::router::Ctx;

/// Where Leptos's reload script connects.
pub(crate) const LIVE_RELOAD_PATH: &str = "/live_reload";

/// What a `/live_reload` connection does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The page has devserve's client: stay connected, say nothing.
    Silent,
    /// The page has only Leptos's script: forward reloads and stylesheet swaps.
    Forward,
}

pub(crate) async fn handler(
    State(ctx): State<Ctx>,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = hosts::request_authority(&uri, &headers);
    let Some(mode) = mode(&ctx.hosts, origin, host) else {
        tracing::warn!(?origin, "live-reload socket from a foreign origin refused");
        return (StatusCode::FORBIDDEN, "devserve: foreign origin").into_response();
    };
    match upgrade {
        // Leptos's script sends nothing: a small limit is plenty.
        Ok(upgrade) => {
            upgrade.max_message_size(4096).on_upgrade(move |socket| serve(ctx, socket, mode)).into_response()
        }
        Err(rejection) => rejection.into_response(),
    }
}

/// The page's origin decides: devserve's own address (the authority the socket was opened on)
/// means devserve's client is in the page; another host devserve serves, on any port (the app's
/// own), means it is not. Origins naming other hosts are refused.
fn mode(hosts: &AllowedHosts, origin: Option<&str>, host: Option<&str>) -> Option<Mode> {
    let Some(origin) = origin else { return Some(Mode::Forward) };
    let authority = hosts::origin_authority(origin).filter(|authority| hosts.allows(authority))?;
    if host.is_some_and(|host| hosts::same_authority(authority, host)) {
        return Some(Mode::Silent);
    }
    Some(Mode::Forward)
}

/// What Leptos's script is sent for a message of devserve's, if anything.
fn translate(message: &ServerMessage) -> Option<String> {
    let json = match message {
        ServerMessage::Reload => serde_json::json!({ "all": true }),
        ServerMessage::Css { href, .. } => serde_json::json!({ "css": href.trim_start_matches('/') }),
        _ => return None,
    };
    Some(json.to_string())
}

async fn serve(ctx: Ctx, socket: WebSocket, mode: Mode) {
    let (mut sink, mut stream) = socket.split();
    let mut outgoing = ctx.hub.subscribe();
    loop {
        tokio::select! {
            frame = stream.next() => match frame {
                // Leptos's script sends nothing; pings are answered by axum.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            message = outgoing.recv(), if mode == Mode::Forward => match message {
                Ok(out) => {
                    if out.to.is_some() {
                        continue;
                    }
                    let Some(text) = translate(&out.message) else { continue };
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => break,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::ServerConfig;

    fn hosts(allowed: &[&str]) -> AllowedHosts {
        let mut config = ServerConfig::new("127.0.0.1:41234".parse().unwrap());
        config.listen = "127.0.0.1:3000".parse().unwrap();
        config.allowed_hosts = allowed.iter().map(|&h| h.to_owned()).collect();
        AllowedHosts::new(&config)
    }

    #[test]
    fn pages_served_by_devserve_get_a_silent_socket() {
        let hosts = hosts(&[]);
        let mode = |origin, host| mode(&hosts, origin, host);
        let host = Some("127.0.0.1:3000");
        assert_eq!(mode(Some("http://127.0.0.1:3000"), host), Some(Mode::Silent));
        assert_eq!(mode(Some("http://127.0.0.1:41234"), host), Some(Mode::Forward));
        assert_eq!(mode(Some("http://localhost:41234"), host), Some(Mode::Forward));
        assert_eq!(mode(Some("http://[::1]:41234"), host), Some(Mode::Forward));
        assert_eq!(mode(Some("http://evil.example:3000"), host), None);
        assert_eq!(mode(Some("null"), host), None);
        assert_eq!(mode(None, host), Some(Mode::Forward));
    }

    #[test]
    fn only_hosts_devserve_serves_get_a_socket() {
        let hosts = hosts(&["dev.example"]);
        let mode = |origin, host| mode(&hosts, Some(origin), Some(host));
        // Rebinding: the page's own origin, but a name devserve does not serve.
        assert_eq!(mode("http://evil.example:3000", "evil.example:3000"), None);
        assert_eq!(mode("http://evil.example:41234", "localhost:3000"), None);
        assert_eq!(mode("http://LOCALHOST:3000", "localhost:3000"), Some(Mode::Silent));
        assert_eq!(mode("http://localhost:3000", "127.0.0.1:3000"), Some(Mode::Forward));
        assert_eq!(mode("http://[::1]:3000", "[0::1]:3000"), Some(Mode::Silent));
        assert_eq!(mode("http://[::2]:3000", "[::2]:3000"), None);
        assert_eq!(mode("http://Dev.Example:3000", "dev.example:3000"), Some(Mode::Silent));
        assert_eq!(mode("https://dev.example", "127.0.0.1:3000"), Some(Mode::Forward));
        assert_eq!(mode("http://dev.example.evil:3000", "127.0.0.1:3000"), None);
        assert_eq!(mode("http://127.0.0.1:3000/", "127.0.0.1:3000"), None);
        assert_eq!(mode("file://", "127.0.0.1:3000"), None);
    }

    #[test]
    fn translates_reloads_and_stylesheets_only() {
        assert_eq!(translate(&ServerMessage::Reload).as_deref(), Some(r#"{"all":true}"#));
        let css = ServerMessage::Css { href: "/pkg/app.css".into(), version: 3 };
        assert_eq!(translate(&css).as_deref(), Some(r#"{"css":"pkg/app.css"}"#));
        assert_eq!(translate(&ServerMessage::BuildOk { build_id: "b2".into() }), None);
    }
}

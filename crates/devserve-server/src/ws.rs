//! devserve's own WebSocket endpoint: checks the token and the Origin, then runs a session.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use devserve_protocol::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt, future};

use crate::hosts::{self, AllowedHosts};
use crate::router::Ctx;
use crate::session::run_session;
use crate::token;

/// Where the endpoint lives.
pub(crate) const WS_PATH: &str = "/__devserve/ws";

/// The largest message a page may send. Its longest, a console message, is cut at 10,000
/// UTF-16 units by the client: at most 60 kB of JSON even if every unit is escaped.
const MAX_MESSAGE_BYTES: usize = 128 * 1024;

#[derive(serde::Deserialize)]
pub(crate) struct Params {
    token: Option<String>,
}

pub(crate) async fn handler(
    State(ctx): State<Ctx>,
    Query(params): Query<Params>,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token_ok = params.token.is_some_and(|given| token::matches(&given, ctx.hub.token()));
    if !token_ok {
        return (StatusCode::FORBIDDEN, "devserve: wrong or missing token").into_response();
    }
    let origin = headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("\u{0}"));
    let host = hosts::request_authority(&uri, &headers);
    if !origin_allowed(&ctx.hosts, origin, host) {
        tracing::warn!(?origin, ?host, "WebSocket from a foreign origin refused");
        return (StatusCode::FORBIDDEN, "devserve: foreign origin").into_response();
    }
    match upgrade {
        Ok(upgrade) => upgrade
            .max_message_size(MAX_MESSAGE_BYTES)
            .max_frame_size(MAX_MESSAGE_BYTES)
            .on_upgrade(move |socket| serve_socket(ctx.hub, socket))
            .into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

/// A WebSocket speaks JSON text frames; anything else, or anything unreadable, is skipped.
async fn serve_socket(hub: crate::Hub, socket: WebSocket) {
    let (sink, stream) = socket.split();
    let tx = sink.with(|message: ServerMessage| {
        future::ready(
            serde_json::to_string(&message).map(|json| Message::Text(json.into())).map_err(axum::Error::new),
        )
    });
    let rx = stream.take_while(|frame| future::ready(frame.is_ok())).filter_map(|frame| {
        future::ready(match frame {
            Ok(Message::Text(text)) => match serde_json::from_str::<ClientMessage>(&text) {
                Ok(message) => Some(message),
                Err(e) => {
                    tracing::debug!("unknown message from a page ignored: {e}");
                    None
                }
            },
            _ => None,
        })
    });
    run_session(hub, Box::pin(tx), Box::pin(rx)).await;
}

/// A page may connect from its own origin only: no Origin (not a browser), or `http(s)://` plus
/// the authority the request was sent to (same host and port), which must be one devserve serves.
fn origin_allowed(hosts: &AllowedHosts, origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin else { return true };
    let Some(host) = host else { return false };
    hosts::origin_authority(origin)
        .is_some_and(|authority| hosts::same_authority(authority, host) && hosts.allows(authority))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::ServerConfig;

    fn hosts(allowed: &[&str]) -> AllowedHosts {
        let mut config = ServerConfig::new("127.0.0.1:3001".parse().unwrap());
        config.allowed_hosts = allowed.iter().map(|&h| h.to_owned()).collect();
        AllowedHosts::new(&config)
    }

    #[test]
    fn origins() {
        let hosts = hosts(&["dev.example"]);
        let check = |origin: Option<&str>, host: Option<&str>, expected: bool| {
            assert_eq!(origin_allowed(&hosts, origin, host), expected, "origin {origin:?}, host {host:?}");
        };
        check(None, Some("127.0.0.1:3000"), true);
        check(None, None, true);
        check(Some("http://127.0.0.1:3000"), Some("127.0.0.1:3000"), true);
        check(Some("https://dev.example:8443"), Some("dev.example:8443"), true);
        check(Some("http://LOCALHOST:3000"), Some("localhost:3000"), true);
        check(Some("http://localhost:3000"), Some("127.0.0.1:3000"), false);
        check(Some("http://127.0.0.1:3001"), Some("127.0.0.1:3000"), false);
        check(Some("http://evil.example"), Some("127.0.0.1:3000"), false);
        check(Some("http://127.0.0.1:3000.evil.example"), Some("127.0.0.1:3000"), false);
        check(Some("null"), Some("127.0.0.1:3000"), false);
        check(Some("file://"), Some("127.0.0.1:3000"), false);
        check(Some("http://127.0.0.1:3000"), None, false);
    }

    #[test]
    fn origins_must_be_hosts_devserve_serves() {
        let hosts = hosts(&["dev.example"]);
        let check = |origin: &str, host: &str, expected: bool| {
            assert_eq!(
                origin_allowed(&hosts, Some(origin), Some(host)),
                expected,
                "origin {origin}, host {host}"
            );
        };
        // Same origin, but a name that only resolves to this machine (DNS rebinding).
        check("http://evil.example:3000", "evil.example:3000", false);
        check("http://rebind.127.0.0.1.nip.io:3000", "rebind.127.0.0.1.nip.io:3000", false);
        check("http://DEV.example:3000", "dev.EXAMPLE:3000", true);
        check("http://[::1]:3000", "[::1]:3000", true);
        check("http://[::1]:3000", "[0:0::1]:3000", true);
        check("http://[::1]:3001", "[::1]:3000", false);
        check("http://[::2]:3000", "[::2]:3000", false);
        check("http://localhost", "localhost", true);
        check("http://localhost/", "localhost", false);
        check("http://user@localhost:3000", "localhost:3000", false);
    }
}

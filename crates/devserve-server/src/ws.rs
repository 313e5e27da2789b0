//! devserve's own WebSocket endpoint: checks the token and the Origin, then runs a session.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use devserve_protocol::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt, future};

use crate::router::Ctx;
use crate::session::run_session;
use crate::token;

/// Where the endpoint lives.
pub(crate) const WS_PATH: &str = "/__devserve/ws";

#[derive(serde::Deserialize)]
pub(crate) struct Params {
    token: Option<String>,
}

pub(crate) async fn handler(
    State(ctx): State<Ctx>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token_ok = params.token.is_some_and(|given| token::matches(&given, ctx.hub.token()));
    if !token_ok {
        return (StatusCode::FORBIDDEN, "devserve: wrong or missing token").into_response();
    }
    let origin = headers.get(header::ORIGIN).map(|v| v.to_str().unwrap_or("\u{0}"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !origin_allowed(origin, host) {
        tracing::warn!(?origin, ?host, "WebSocket from a foreign origin refused");
        return (StatusCode::FORBIDDEN, "devserve: foreign origin").into_response();
    }
    match upgrade {
        Ok(upgrade) => upgrade.on_upgrade(move |socket| serve_socket(ctx.hub, socket)).into_response(),
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
/// exactly the authority the request was sent to.
fn origin_allowed(origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin else { return true };
    let Some(host) = host else { return false };
    let authority = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let check = |origin: Option<&str>, host: Option<&str>, expected: bool| {
            assert_eq!(origin_allowed(origin, host), expected, "origin {origin:?}, host {host:?}");
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
}

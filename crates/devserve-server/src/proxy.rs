//! The reverse proxy to the app: holds requests while the app is down, asks for uncompressed
//! bodies, injects the client into HTML as it streams, and passes other WebSocket upgrades through.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri, Version};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::time::Instant;

use crate::config::ServerConfig;
use crate::connector::AppConnector;
use crate::inject::{Injector, script_tag};
use crate::progress;
use crate::router::Ctx;

/// The HTTP client that talks to the app.
pub(crate) type AppClient = Client<AppConnector, Body>;

pub(crate) fn client(config: &ServerConfig, hub: &crate::Hub) -> AppClient {
    let connector = AppConnector { addr: config.app_addr, hub: hub.clone(), hold: config.hold_timeout };
    Client::builder(TokioExecutor::new()).build(connector)
}

/// Headers that belong to one connection, never forwarded (RFC 9110, 7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Handles every request outside devserve's reserved paths.
pub(crate) async fn forward(State(ctx): State<Ctx>, mut request: Request) -> Response {
    let wants_html = accepts_html(request.headers());
    let wait = if wants_html { ctx.config.progress_page_delay } else { ctx.config.hold_timeout };
    if !ctx.hub.wait_up_until(Instant::now() + wait).await {
        return if wants_html { progress_page(&ctx) } else { not_up(&ctx) };
    }
    let head = request.method() == Method::HEAD;
    let client_upgrade =
        upgrade_protocol(request.headers()).is_some().then(|| hyper::upgrade::on(&mut request));
    let no_store = wants_html || no_store(request.uri().path(), &ctx.config);
    let request = match to_app_request(request, &ctx.config, no_store) {
        Ok(request) => request,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("devserve: bad request target: {e}")),
    };
    let response = match ctx.client.request(request).await {
        Ok(response) => response,
        Err(e) => {
            tracing::warn!("the app did not answer: {e:#}");
            return if !ctx.hub.app_state().is_up() {
                if wants_html { progress_page(&ctx) } else { not_up(&ctx) }
            } else {
                text(StatusCode::BAD_GATEWAY, format!("devserve: the app did not answer: {e}"))
            };
        }
    };
    match client_upgrade {
        Some(client_upgrade) if response.status() == StatusCode::SWITCHING_PROTOCOLS => {
            bridge(client_upgrade, response)
        }
        _ => {
            // Read only now that the app answered: a request held while the app restarted was
            // rendered by the new binary, whose build landed before the app was reported up (the
            // connector waits for that), so the page is not taken for an old one and reloaded.
            let build = ctx.hub.running_build();
            let tag = script_tag(ctx.hub.token(), &build.id, build.included_version);
            from_app_response(response, head, tag, no_store)
        }
    }
}

/// Whether `path` is one of the files devserve rewrites under a running app.
fn no_store(path: &str, config: &ServerConfig) -> bool {
    config.no_store_prefixes.iter().any(|prefix| path.starts_with(prefix.as_str()))
}

fn to_app_request(
    request: Request,
    config: &ServerConfig,
    fresh: bool,
) -> Result<Request, axum::http::Error> {
    let (mut parts, body) = request.into_parts();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    parts.uri =
        Uri::builder().scheme("http").authority(config.app_addr.to_string()).path_and_query(path).build()?;
    let upgrade = upgrade_protocol(&parts.headers).cloned();
    let headers = &mut parts.headers;
    remove_hop_by_hop(headers);
    if let Some(protocol) = upgrade {
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, protocol);
    }
    headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    if fresh {
        // The page must be rendered afresh (a cached copy carries another token and build), and
        // a rewritten pkg file must not be answered with a 304 (mtimes have one-second steps).
        headers.remove(header::IF_NONE_MATCH);
        headers.remove(header::IF_MODIFIED_SINCE);
    }
    if let Some(peer) = peer {
        let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(earlier) => format!("{earlier}, {peer}"),
            None => peer.to_string(),
        };
        if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
            headers.insert("x-forwarded-for", value);
        }
    }
    if let Some(host) = headers.get(header::HOST).cloned() {
        headers.insert("x-forwarded-host", host);
    }
    headers.insert("x-forwarded-proto", HeaderValue::from_static("http"));
    parts.version = Version::HTTP_11;
    parts.extensions = Default::default();
    Ok(Request::from_parts(parts, body))
}

fn from_app_response(
    response: hyper::Response<Incoming>,
    head: bool,
    tag: String,
    no_store: bool,
) -> Response {
    let (mut parts, body) = response.into_parts();
    remove_hop_by_hop(&mut parts.headers);
    if no_store {
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !head && is_injectable(parts.status, &parts.headers) {
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::ETAG);
        parts.headers.remove(header::LAST_MODIFIED);
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Response::from_parts(parts, injected(body, Injector::new(tag)));
    }
    Response::from_parts(parts, Body::new(body))
}

/// An HTML document with a body we can read: uncompressed, and not a 204/304.
fn is_injectable(status: StatusCode, headers: &HeaderMap) -> bool {
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/html"));
    let encoded = headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
    if html && encoded {
        tracing::warn!("the app sent compressed HTML although devserve asked for identity: not injected");
    }
    let has_body = !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED);
    html && !encoded && has_body
}

/// The app's body with the tag injected, still streamed chunk by chunk.
fn injected(body: Incoming, injector: Injector) -> Body {
    let stream = futures_util::stream::unfold((body, Some(injector)), |(mut body, injector)| async move {
        let mut injector = injector?;
        loop {
            match body.frame().await {
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else { continue };
                    let out = injector.push(data);
                    if !out.is_empty() {
                        return Some((Ok(out), (body, Some(injector))));
                    }
                }
                Some(Err(e)) => return Some((Err(e), (body, None))),
                None => return Some((Ok(injector.finish()), (body, None))),
            }
        }
    });
    Body::from_stream(stream)
}

/// Joins the browser's upgraded connection to the app's, once both sides have switched.
fn bridge(client_upgrade: OnUpgrade, mut response: hyper::Response<Incoming>) -> Response {
    let app_upgrade = hyper::upgrade::on(&mut response);
    tokio::spawn(async move {
        match tokio::try_join!(client_upgrade, app_upgrade) {
            Ok((client, app)) => {
                let (mut client, mut app) = (TokioIo::new(client), TokioIo::new(app));
                if let Err(e) = tokio::io::copy_bidirectional(&mut client, &mut app).await {
                    tracing::debug!("upgraded connection ended: {e}");
                }
            }
            Err(e) => tracing::warn!("upgrade to the app failed: {e}"),
        }
    });
    let (parts, _) = response.into_parts();
    Response::from_parts(parts, Body::empty())
}

fn upgrade_protocol(headers: &HeaderMap) -> Option<&HeaderValue> {
    let connection_upgrade = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"));
    headers.get(header::UPGRADE).filter(|_| connection_upgrade)
}

fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let listed: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in listed {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/html"))
}

fn progress_page(ctx: &Ctx) -> Response {
    // The empty build id marks the progress page: the client is told to reload once the app is up.
    let tag = script_tag(ctx.hub.token(), "", 0);
    let page = progress::render(&ctx.hub.app_state(), &tag);
    let headers = [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")];
    (StatusCode::SERVICE_UNAVAILABLE, headers, page).into_response()
}

fn not_up(ctx: &Ctx) -> Response {
    let waited = ctx.config.hold_timeout.as_secs_f64();
    text(StatusCode::SERVICE_UNAVAILABLE, format!("devserve: the app was not up after {waited:.1} s"))
}

fn text(status: StatusCode, message: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn which_responses_get_the_script() {
        let check = |status: u16, pairs: &[(&'static str, &'static str)], expected: bool| {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(is_injectable(status, &headers(pairs)), expected, "{status} {pairs:?}");
        };
        check(200, &[("content-type", "text/html; charset=utf-8")], true);
        check(404, &[("content-type", "TEXT/HTML")], true);
        check(200, &[("content-type", "text/html"), ("content-encoding", "identity")], true);
        check(200, &[("content-type", "text/html"), ("content-encoding", "gzip")], false);
        check(200, &[("content-type", "application/json")], false);
        check(200, &[("content-type", "text/htmlx")], false);
        check(200, &[], false);
        check(304, &[("content-type", "text/html")], false);
        check(204, &[("content-type", "text/html")], false);
    }

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        let mut map = headers(&[
            ("connection", "keep-alive, x-private"),
            ("x-private", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("content-type", "text/html"),
        ]);
        remove_hop_by_hop(&mut map);
        let names: Vec<_> = map.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["content-type"]);
    }

    #[test]
    fn upgrades_need_both_headers() {
        let check = |pairs: &[(&'static str, &'static str)], expected: Option<&str>| {
            let map = headers(pairs);
            assert_eq!(upgrade_protocol(&map).map(|v| v.to_str().unwrap()), expected, "{pairs:?}");
        };
        check(&[("connection", "Upgrade"), ("upgrade", "websocket")], Some("websocket"));
        check(&[("connection", "keep-alive, upgrade"), ("upgrade", "websocket")], Some("websocket"));
        check(&[("upgrade", "websocket")], None);
        check(&[("connection", "upgrade")], None);
    }

    #[test]
    fn html_is_wanted_by_navigations_only() {
        let check = |accept: &'static str, expected: bool| {
            assert_eq!(accepts_html(&headers(&[("accept", accept)])), expected, "{accept}");
        };
        check("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true);
        check("application/json", false);
        check("*/*", false);
        assert!(!accepts_html(&HeaderMap::new()));
    }
}

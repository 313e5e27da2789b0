//! The hosts devserve answers to, and the origins that may open its sockets.
//!
//! A page on any web site can make the browser send requests to `127.0.0.1` by a name it controls
//! (DNS rebinding): the browser then treats devserve as that site, reads its pages (with the
//! WebSocket token in them) and opens its sockets. A request is only answered when its `Host`
//! names devserve: `localhost`, `127.0.0.1`, `[::1]`, the address devserve listens on, or a name
//! the user allowed (`ServerConfig::allowed_hosts`), on any port.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::ServerConfig;
use crate::router::Ctx;

/// The hosts devserve serves, from a [`ServerConfig`].
#[derive(Debug)]
pub(crate) struct AllowedHosts {
    /// Lower-case names; one starting with `.` allows that domain and its subdomains.
    names: Vec<String>,
    ips: Vec<IpAddr>,
    /// devserve listens on every address (`0.0.0.0`, `::`): any IP literal names it. A browser
    /// sends an IP literal only when the user typed one, so no rebinding is possible through it.
    any_ip: bool,
    warned: Warned,
}

impl AllowedHosts {
    pub(crate) fn new(config: &ServerConfig) -> Self {
        let mut hosts = AllowedHosts {
            names: vec!["localhost".to_owned()],
            ips: vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)],
            any_ip: config.listen.ip().is_unspecified(),
            warned: Warned::default(),
        };
        hosts.ips.push(config.listen.ip().to_canonical());
        for entry in &config.allowed_hosts {
            let entry = entry.trim();
            let (dot, rest) = match entry.strip_prefix('.') {
                Some(rest) => (".", rest),
                None => ("", entry),
            };
            let bare_v6 = rest.parse::<Ipv6Addr>().ok().map(|ip| Host::Ip(IpAddr::V6(ip).to_canonical()));
            match bare_v6.or_else(|| parse_authority(rest).map(|(host, _)| host)) {
                Some(Host::Ip(ip)) if dot.is_empty() => hosts.ips.push(ip),
                Some(Host::Name(name)) => hosts.names.push(format!("{dot}{}", name.to_ascii_lowercase())),
                _ => tracing::warn!("--allowed-host {entry:?} is not a host name or IP address: ignored"),
            }
        }
        hosts
    }

    /// Whether `authority` (a `Host` header: `name`, `name:port`, `[v6]:port`) names devserve.
    pub(crate) fn allows(&self, authority: &str) -> bool {
        parse_authority(authority).is_some_and(|(host, _)| self.allows_host(&host))
    }

    fn allows_host(&self, host: &Host<'_>) -> bool {
        match host {
            Host::Ip(ip) => self.any_ip || self.ips.contains(ip),
            Host::Name(name) => self.names.iter().any(|allowed| match allowed.strip_prefix('.') {
                // Names are ASCII (see `parse_authority`), so byte offsets are char boundaries.
                Some(domain) => {
                    name.eq_ignore_ascii_case(domain)
                        || (name.len() > allowed.len()
                            && name[name.len() - allowed.len()..].eq_ignore_ascii_case(allowed))
                }
                None => name.eq_ignore_ascii_case(allowed),
            }),
        }
    }
}

/// The host part of an authority.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host<'a> {
    Ip(IpAddr),
    Name(&'a str),
}

/// Splits `host[:port]` strictly: a bracketed IPv6 literal, an IPv4 literal, or a DNS name of
/// letters, digits, `-`, `.` and `_`; the port, if any, is 1 to 5 digits. No user info.
fn parse_authority(authority: &str) -> Option<(Host<'_>, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (literal, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (Host::Ip(IpAddr::V6(literal.parse::<Ipv6Addr>().ok()?).to_canonical()), port)
    } else {
        let (name, port) = match authority.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (authority, None),
        };
        let valid = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_');
        if name.is_empty() || !name.bytes().all(valid) {
            return None;
        }
        match name.parse::<Ipv4Addr>() {
            Ok(ip) => (Host::Ip(IpAddr::V4(ip)), port),
            Err(_) => (Host::Name(name), port),
        }
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((host, port))
}

/// The authority of a serialised `Origin` (`http://host[:port]` or `https://..`); `None` for
/// `null`, other schemes, or anything with a path.
pub(crate) fn origin_authority(origin: &str) -> Option<&str> {
    let lower = |prefix: &str| {
        origin
            .get(..prefix.len())
            .filter(|scheme| scheme.eq_ignore_ascii_case(prefix))
            .map(|_| &origin[prefix.len()..])
    };
    let authority = lower("http://").or_else(|| lower("https://"))?;
    parse_authority(authority).map(|_| authority)
}

/// Whether two authorities name the same host and port (names compared case-insensitively, IP
/// literals by value).
pub(crate) fn same_authority(a: &str, b: &str) -> bool {
    match (parse_authority(a), parse_authority(b)) {
        (Some((host_a, port_a)), Some((host_b, port_b))) => {
            let same_host = match (&host_a, &host_b) {
                (Host::Name(x), Host::Name(y)) => x.eq_ignore_ascii_case(y),
                (x, y) => x == y,
            };
            same_host && port_a == port_b
        }
        _ => false,
    }
}

/// The authority a request was sent to: the request target's in absolute form (which takes
/// precedence, RFC 9112 3.2.2), else the `Host` header.
pub(crate) fn request_authority<'a>(uri: &'a Uri, headers: &'a axum::http::HeaderMap) -> Option<&'a str> {
    match uri.authority() {
        Some(authority) => Some(authority.as_str()),
        None => headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    }
}

/// Answers only requests for the hosts devserve serves; refuses `CONNECT` (devserve is not a
/// forward proxy, whatever a request asks). Runs before every route.
pub(crate) async fn guard(State(ctx): State<Ctx>, request: Request, next: Next) -> Response {
    if request.method() == Method::CONNECT {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "devserve: CONNECT is not served\n".to_owned());
    }
    let mut host_headers = request.headers().get_all(header::HOST).iter();
    let host = host_headers.next();
    if host_headers.next().is_some() {
        return refuse(StatusCode::BAD_REQUEST, "devserve: more than one Host header\n".to_owned());
    }
    // An absolute-form target and the Host header must both name devserve.
    let named: Vec<Option<&str>> = host
        .map(|value| value.to_str().ok())
        .into_iter()
        .chain(request.uri().authority().map(|authority| Some(authority.as_str())))
        .collect();
    if named.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "devserve: the request names no host\n".to_owned());
    }
    for authority in named {
        if !authority.is_some_and(|authority| ctx.hosts.allows(authority)) {
            return refused_host(&ctx.hosts, authority);
        }
    }
    next.run(request).await
}

fn refused_host(hosts: &AllowedHosts, authority: Option<&str>) -> Response {
    let name = authority.and_then(parse_authority).map(|(host, _)| match host {
        Host::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
        Host::Ip(ip) => ip.to_string(),
        Host::Name(name) => name.to_ascii_lowercase(),
    });
    let Some(name) = name else {
        tracing::debug!(?authority, "request with an invalid host refused");
        return refuse(StatusCode::BAD_REQUEST, "devserve: the request's host is not valid\n".to_owned());
    };
    hosts.warned.warn_once(&name);
    refuse(
        StatusCode::FORBIDDEN,
        format!(
            "devserve: requests for the host \"{name}\" are refused (DNS rebinding protection).\n\
             If you meant to open devserve under this name, start it with --allowed-host {name}\n"
        ),
    )
}

fn refuse(status: StatusCode, message: String) -> Response {
    let mut response = (status, message).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        headers
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"));
    }
    response
}

/// Remembers which refused names were reported, so a page retrying in a loop does not flood the
/// terminal (a few names at most; later ones go to the debug log).
#[derive(Debug, Default)]
pub(crate) struct Warned(std::sync::Mutex<Vec<String>>);

impl Warned {
    const MAX: usize = 16;

    fn warn_once(&self, name: &str) {
        let mut warned = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if warned.iter().any(|w| w == name) || warned.len() >= Self::MAX {
            tracing::debug!(host = name, "request for a host devserve does not serve refused");
            return;
        }
        warned.push(name.to_owned());
        tracing::warn!(
            "refused a request for the host {name:?}: if that is you, start devserve with --allowed-host {name}"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    fn hosts(listen: &str, allowed: &[&str]) -> AllowedHosts {
        let mut config = ServerConfig::new("127.0.0.1:1".parse().unwrap());
        config.listen = listen.parse::<SocketAddr>().unwrap();
        config.allowed_hosts = allowed.iter().map(|&h| h.to_owned()).collect();
        AllowedHosts::new(&config)
    }

    #[test]
    fn loopback_names_on_any_port_by_default() {
        let hosts = hosts("127.0.0.1:3000", &[]);
        for allowed in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:8080",
            "LocalHost",
            "127.0.0.1",
            "127.0.0.1:3000",
            "127.0.0.1:41234",
            "[::1]",
            "[::1]:3000",
            "[0:0:0:0:0:0:0:1]:3000",
        ] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.nip.io:3000",
            "localhost.",
            "127.0.0.2:3000",
            "192.168.1.5:3000",
            "0.0.0.0:3000",
            "[::2]:3000",
            "user@localhost:3000",
            "localhost:",
            "localhost:3000:1",
            "localhost:123456",
            "localhost:3000/",
            "::1",
            "[::1",
            "[::1]x",
            "",
            "local host",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }

    #[test]
    fn the_listen_address_and_allowed_names() {
        let hosts =
            hosts("192.168.1.5:3000", &["dev.example", "[fe80::1]", "10.0.0.7", ".box.test", " Mixed.Case "]);
        for allowed in [
            "192.168.1.5:3000",
            "dev.example",
            "DEV.EXAMPLE:443",
            "[fe80::1]:3000",
            "10.0.0.7:80",
            "box.test",
            "a.box.test:3000",
            "a.b.BOX.test",
            "mixed.case:3000",
            "localhost:3000",
        ] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in
            ["sub.dev.example", "dev.example.evil", "xbox.test", "192.168.1.6:3000", "evil.example"]
        {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }

    #[test]
    fn listening_everywhere_allows_ip_literals_but_not_names() {
        for listen in ["0.0.0.0:3000", "[::]:3000"] {
            let hosts = hosts(listen, &[]);
            assert!(hosts.allows("192.168.1.5:3000"), "{listen}");
            assert!(hosts.allows("[fe80::1]:3000"), "{listen}");
            assert!(hosts.allows("localhost:3000"), "{listen}");
            assert!(!hosts.allows("my-laptop.local:3000"), "{listen}");
            assert!(!hosts.allows("evil.example:3000"), "{listen}");
        }
    }

    #[test]
    fn origins() {
        assert_eq!(origin_authority("http://127.0.0.1:3000"), Some("127.0.0.1:3000"));
        assert_eq!(origin_authority("HTTPS://Dev.Example"), Some("Dev.Example"));
        assert_eq!(origin_authority("http://[::1]:3000"), Some("[::1]:3000"));
        for refused in
            ["null", "file://", "ws://127.0.0.1:3000", "http://127.0.0.1:3000/", "http://a@b", "http://"]
        {
            assert_eq!(origin_authority(refused), None, "{refused}");
        }
    }

    #[test]
    fn authorities_compare_by_host_and_port() {
        assert!(same_authority("LOCALHOST:3000", "localhost:3000"));
        assert!(same_authority("[::1]:3000", "[0::1]:3000"));
        assert!(!same_authority("localhost:3000", "127.0.0.1:3000"));
        assert!(!same_authority("localhost:3000", "localhost:3001"));
        assert!(!same_authority("localhost", "localhost:80"));
        assert!(!same_authority("x y", "x y"));
    }
}

//! How the server listens, where the app is, and how long requests wait for it.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

/// Settings of the dev server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// Where browsers connect. `127.0.0.1:3000` by default; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where the app listens (its internal port).
    pub app_addr: SocketAddr,
    /// How long a request waits for the app to come up before it fails with 503.
    pub hold_timeout: Duration,
    /// How long an HTML request waits for the app before it gets the progress page instead.
    pub progress_page_delay: Duration,
    /// Path prefixes whose files devserve rewrites while the app runs (a cargo-leptos site's
    /// `/pkg/`): the browser never caches them and never gets a `304` for them.
    pub no_store_prefixes: Vec<String>,
    /// Host names (or IP addresses) devserve answers to besides `localhost`, `127.0.0.1`, `[::1]`
    /// and the address of `listen`, on any port, matched case-insensitively; a name starting with
    /// `.` allows that domain and all its subdomains (`.example.test`). Requests for any other
    /// `Host` are refused with 403, and pages of other origins cannot open devserve's sockets:
    /// this keeps web sites from reaching devserve through a name of theirs that resolves to this
    /// machine (DNS rebinding). Like Vite's `server.allowedHosts`.
    pub allowed_hosts: Vec<String>,
}

impl ServerConfig {
    /// The defaults, proxying to the app at `app_addr`.
    pub fn new(app_addr: SocketAddr) -> Self {
        ServerConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 3000)),
            app_addr,
            hold_timeout: Duration::from_secs(60),
            progress_page_delay: Duration::from_millis(200),
            no_store_prefixes: Vec::new(),
            allowed_hosts: Vec::new(),
        }
    }

    /// What to say loudly at start when `listen` is reachable from other machines (any address
    /// but a loopback one); `None` for a loopback address.
    ///
    /// ```
    /// use devserve_server::ServerConfig;
    ///
    /// let mut config = ServerConfig::new("127.0.0.1:3001".parse().unwrap());
    /// assert_eq!(config.exposure_warning(), None);
    /// config.listen = "0.0.0.0:3000".parse().unwrap();
    /// assert!(config.exposure_warning().unwrap().contains("every network interface"));
    /// ```
    pub fn exposure_warning(&self) -> Option<String> {
        let ip = self.listen.ip();
        if ip.is_loopback() {
            return None;
        }
        let reach = if ip.is_unspecified() {
            "on every network interface of this machine".to_owned()
        } else {
            format!("on {ip}")
        };
        Some(format!(
            "devserve listens {reach} (port {port}): every machine that can reach it can load the \
             app, read its pages and receive patches and build output. Use --host 127.0.0.1 to \
             keep it to this machine.",
            port = self.listen.port(),
        ))
    }
}

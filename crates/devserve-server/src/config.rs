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
        }
    }
}

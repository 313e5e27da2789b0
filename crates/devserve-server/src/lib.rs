//! The dev server: a reverse proxy to the app that injects the browser client into its HTML, the
//! WebSocket hub that sends patches and build news to every open page, and the supervisor that
//! runs the app.
//!
//! - [`Hub`]: shared state, cheap to clone. The orchestrator sends patches
//!   ([`Hub::send_patches`]) and messages ([`Hub::send`]), reports builds
//!   ([`Hub::build_landed`]) and the app's [`AppState`]; browsers' reports come back as
//!   [`ClientEvent`]s ([`Hub::events`]).
//! - [`app`] / [`serve`]: the axum router. `/__devserve/client.js` is the client,
//!   `/__devserve/ws?token=..` the WebSocket (right token and same-origin only); everything
//!   else goes to the app, held while the app is not up, with the progress page for HTML
//!   requests meanwhile. Only requests for the hosts devserve serves are answered
//!   ([`ServerConfig::allowed_hosts`]); nothing is ever forwarded anywhere but to the app.
//! - [`sanitize_terminal`]: what pages send (console messages, failure reasons) reaches
//!   [`ClientEvent`]s with its control and escape sequences neutralised.
//! - [`Supervisor`]: starts the app described by an [`AppSpec`] in its own process group, waits
//!   for its port, stops it gracefully, and reports when it exits on its own.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use devserve_server::{AppState, Hub, ServerConfig, serve};
//!
//! let hub = Hub::default();
//! let mut config = ServerConfig::new("127.0.0.1:3001".parse()?);
//! config.listen = "127.0.0.1:0".parse()?;
//! let (addr, _server) = serve(config, hub.clone()).await?;
//! println!("devserve: serving http://{addr}");
//! // ... once the app listens on 127.0.0.1:3001:
//! hub.build_landed("b1".into(), hub.last_version());
//! hub.set_app_state(AppState::Up);
//! # Ok(()) }
//! ```

mod app_process;
mod config;
mod connector;
mod error;
mod hosts;
mod hub;
mod inject;
mod live_reload;
mod pending;
mod progress;
mod proxy;
mod router;
mod sanitize;
mod session;
mod supervisor;
mod token;
mod ws;

pub use app_process::{AppExit, AppProcess};
pub use config::ServerConfig;
pub use error::ServerError;
pub use hub::{AppState, ClientEvent, ClientId, Hub, INITIAL_BUILD_ID, RunningBuild};
pub use router::{app, serve};
pub use sanitize::sanitize_terminal;
pub use session::run_session;
pub use supervisor::{AppSpec, SuperviseError, Supervisor, SupervisorConfig};

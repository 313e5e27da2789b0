//! End-to-end test harness: child processes in their own process groups, headless Chromium over
//! WebDriver, and a small local site that serves the real client script.
//!
//! - [`ChildGroup`] starts a process in its own process group, captures its output to a log file
//!   and kills the whole group on drop; [`free_port`] and [`cargo_bin`] help start servers;
//!   [`copy_dir`] and [`replace_in_file`] set up and edit an app on disk.
//! - [`Browser`] runs chromedriver; [`Browser::page`] opens a headless Chromium tab ([`Page`])
//!   with `eval`, `wait_for`, `click`, `press` and a reload check ([`Page::mark`],
//!   [`Page::same_document`]).
//! - [`DevserveApp`] runs devserve on a copy of the example app, for tests that edit it on disk.
//! - [`scale`] generates thousands of sources to add to the example app.
//! - [`Memory`] and [`inotify_watches`] read a process's memory and inotify watches from `/proc`.
//! - [`FixtureServer`] serves in-memory pages, `/__devserve/client.js` from `client-js/`, and a
//!   stand-in for devserve's WebSocket.
//!
//! Tests that need the browser start it with [`Browser::start_or_skip`], which fails with the
//! install command when Chromium is not installed, unless `DEVSERVE_TESTS_ALLOW_SKIP` is set (then
//! it prints `SKIPPED: <reason>` loudly and the test returns).
//!
//! ```
//! let port = devserve_e2e::free_port().unwrap();
//! assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
//! ```

mod browser;
mod devserve;
mod error;
mod files;
mod process;
mod procfs;
pub mod scale;
mod site;

pub use browser::{Browser, Page};
pub use devserve::{APP_COPY, DevserveApp, DevserveOptions, EXAMPLE_APP, EXAMPLE_HYDRATE};
pub use error::{HarnessError, Result};
pub use files::{copy_dir, replace_in_file};
pub use process::{ChildGroup, cargo_bin, free_port, workspace_root};
pub use procfs::{Memory, inotify_watches};
pub use site::{FixtureServer, client_script_path, client_script_tag};

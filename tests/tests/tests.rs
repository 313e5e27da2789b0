//! devserve's browser and end-to-end tests, compiled into one binary (one module per feature).
//!
//! They need Debian's `chromium` and `chromium-driver`; without them each test prints
//! `skipped: <reason>` and passes, unless `DEVSERVE_E2E_REQUIRE_BROWSER` is set.

#![allow(clippy::unwrap_used)]

mod build_path;
mod client;
mod hot_patch;
mod hydrate;

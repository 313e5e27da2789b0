//! devserve's browser and end-to-end tests, compiled into one binary (one module per feature).
//!
//! They need Debian's `chromium` and `chromium-driver`; without them each test fails with the
//! install command, unless `DEVSERVE_TESTS_ALLOW_SKIP` is set (then each says SKIPPED loudly).

#![allow(clippy::unwrap_used)]

mod build_path;
mod client;
mod flood;
mod hostile_files;
mod hot_patch;
mod hydrate;
mod inotify_limits;
mod lifetimes;
mod memory;
mod off_page;
mod property;
mod save_patterns;
mod scale;
mod shell;

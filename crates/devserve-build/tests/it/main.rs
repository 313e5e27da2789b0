//! Integration tests: real cargo, real linkers, real toolchains, tiny crates.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod flags;
mod probe;
mod runner;
mod support;

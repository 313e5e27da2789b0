//! Toolchain probe, fast build profile and the cargo build runner (see ARCHITECTURE.md).

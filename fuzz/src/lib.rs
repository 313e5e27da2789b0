//! Fuzz targets for devserve (cargo-fuzz, libFuzzer): the checks they share.
//!
//! - [`views`]: the oracle for the view parser and classifier, for any two versions of a file.
//! - [`tokens`]: structured files of view-like tokens and edits of them, built with `arbitrary`.
//! - [`client`]: the oracle for what a page sends: decoder, session events, terminal sanitizer.
//!
//! The targets in `fuzz_targets/` are thin: they turn the fuzzer's bytes into inputs and call
//! these. See `README.md` for how to run them.

pub mod client;
pub mod tokens;
pub mod views;

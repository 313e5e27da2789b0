//! What a page sends over the WebSocket: text frames (separated by `0xff` in the input) through
//! the `ClientMessage` decoder, one session that reports them, and the terminal sanitizer.
//!
//! Run with `cargo +nightly fuzz run client_message` from the repository root (see
//! fuzz/README.md).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| devserve_fuzz::client::check_frames(data));

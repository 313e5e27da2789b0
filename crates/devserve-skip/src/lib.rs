//! What a test does when it cannot run on this machine.
//!
//! - A missing tool ([`cannot_run`]) fails the test with the command that installs it, unless
//!   [`ALLOW_SKIP`] is set: then the test is skipped.
//! - A case this machine cannot show ([`not_applicable`], e.g. "the nightly is not older than
//!   stable") is always skipped.
//!
//! A skip is written straight to the process's standard error, past the test harness's output
//! capture, so it shows in a normal `cargo test` run, and appended as one line to the file named
//! by [`LEDGER`] when it is set. `scripts/test` (README.md's test command) sets it and ends the
//! run with the count of skipped tests and their reasons.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;

/// Set to skip (loudly) the tests whose tools are missing here; without it they fail.
pub const ALLOW_SKIP: &str = "DEVSERVE_TESTS_ALLOW_SKIP";

/// The file every skip is appended to, one line each (set by `scripts/test`).
pub const LEDGER: &str = "DEVSERVE_SKIP_LEDGER";

/// A test that needs `install` and cannot run here because of `reason`.
///
/// Panics (the test fails) with the install command, unless [`ALLOW_SKIP`] is set: then the
/// skip is announced and recorded, and the caller returns.
pub fn cannot_run(test: &str, reason: &str, install: &str) {
    if std::env::var_os(ALLOW_SKIP).is_none() {
        panic!(
            "{test} cannot run here: {reason}. Install with `{install}`, or set {ALLOW_SKIP}=1 to skip it"
        );
    }
    record(test, &format!("{reason} (install: {install})"));
}

/// A test whose case this machine cannot show (`reason`): skipped, announced and recorded.
pub fn not_applicable(test: &str, reason: &str) {
    record(test, reason);
}

fn record(test: &str, reason: &str) {
    let line = format!("SKIPPED {test}: {reason}");
    // Past libtest's capture (it only captures the print macros): a skip is never silent.
    let _ = writeln!(std::io::stderr().lock(), "\n*** {line} ***\n");
    if let Some(ledger) = std::env::var_os(LEDGER) {
        append(Path::new(&ledger), &line);
    }
}

/// One line, in one `write` on a file opened for appending: lines from test processes running at
/// once do not interleave.
fn append(ledger: &Path, line: &str) {
    let one_line = line.replace(['\n', '\r'], " ");
    let written = OpenOptions::new()
        .create(true)
        .append(true)
        .open(ledger)
        .and_then(|mut file| file.write_all(format!("{one_line}\n").as_bytes()));
    if let Err(err) = written {
        let _ = writeln!(std::io::stderr().lock(), "cannot record the skip in {}: {err}", ledger.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_skip_is_one_line_of_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("skips.txt");
        append(&ledger, "SKIPPED a: no chromium");
        append(&ledger, "SKIPPED b: two\nlines");
        let text = std::fs::read_to_string(&ledger).unwrap();
        assert_eq!(text, "SKIPPED a: no chromium\nSKIPPED b: two lines\n");
    }
}

//! Run with `cargo run -p devserve-bench --example big_app -- [DIR] [--groups N] [--pages N]`
//! (DIR defaults to `target/big-app`).
//!
//! Writes the real-sized benchmark app ([`devserve_bench::big_app`]): a hydrated cargo-leptos
//! project with 192 components over 24 files, 12 routed pages, 36 server functions and the
//! dependencies of a typical Leptos app. It is generated, not committed: files already up to date
//! are left alone, so builds in it stay incremental.

use std::path::PathBuf;
use std::process::ExitCode;

use devserve_bench::big_app::BigApp;

fn main() -> ExitCode {
    let mut dir = PathBuf::from("target/big-app");
    let mut app = BigApp::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |what: &str| args.next().and_then(|n| n.parse().ok()).ok_or(format!("{what} N"));
        let parsed = match arg.as_str() {
            "--groups" => number("--groups").map(|n| app.groups = n),
            "--pages" => number("--pages").map(|n| app.pages = n),
            other if other.starts_with("--") => Err(format!("unknown option {other}")),
            other => {
                dir = PathBuf::from(other);
                Ok(())
            }
        };
        if let Err(err) = parsed {
            eprintln!("big_app: {err}");
            return ExitCode::FAILURE;
        }
    }
    match app.write(&dir) {
        Ok(written) => {
            println!(
                "{}: {} Rust files, {} lines, {} components, {} server functions, {} routes",
                dir.display(),
                written.rust_files,
                written.lines,
                written.components,
                written.server_fns,
                written.routes
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("big_app: cannot write {}: {err}", dir.display());
            ExitCode::FAILURE
        }
    }
}

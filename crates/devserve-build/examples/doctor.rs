//! Prints what `devserve doctor` would print for the app in a folder (default: here).
//!
//! Run with `cargo run -p devserve-build --example doctor -- [APP_DIR] [--fast=auto|llvm|off] [--no-cache]`.

use std::path::PathBuf;
use std::process::ExitCode;

use devserve_build::{FallbackMemory, FastMode, Probe, ProfileOptions, choose_profile, doctor};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut app = PathBuf::from(".");
    let mut mode = FastMode::Auto;
    let mut probe = Probe::default();
    for arg in std::env::args().skip(1) {
        if let Some(value) = arg.strip_prefix("--fast=") {
            match value.parse() {
                Ok(m) => mode = m,
                Err(err) => {
                    eprintln!("{err}");
                    return ExitCode::FAILURE;
                }
            }
        } else if arg == "--no-cache" {
            probe.cache_dir = None;
        } else {
            app = PathBuf::from(arg);
        }
    }
    probe.project_dir = Some(app.clone());
    let started = std::time::Instant::now();
    let report = match probe.run().await {
        Ok(report) => report,
        Err(err) => {
            eprintln!("devserve: {err}");
            return ExitCode::FAILURE;
        }
    };
    let options = ProfileOptions {
        mode,
        manifest_dir: app,
        env: std::env::vars().collect(),
        fallback_memory: probe.cache_dir.as_deref().map(FallbackMemory::in_dir),
        extra_rustflags: Vec::new(),
        no_cdylib: None,
    };
    print!("{}", doctor(&report, &choose_profile(&report, &options)));
    println!("(probe took {:.1} s)", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

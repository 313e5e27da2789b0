//! `devserve`: a hot-reload dev server for Leptos apps.
//!
//! Run with `devserve --hot-reload` in an app's folder; `devserve --help` lists the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod app_runner;
mod baseline;
mod depinfo;
mod front;
mod inspect;
mod session;
mod site;
mod ui;
mod watch;

/// A hot-reload dev server for Rust web apps written with Leptos `view!` macros.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Patch static markup and stylesheets in open pages without reloading.
    #[arg(long)]
    hot_reload: bool,
    /// Port to serve on.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Another host name (or IP) devserve answers to, besides localhost, 127.0.0.1, [::1] and
    /// --host (e.g. a name in /etc/hosts or a tunnel's). `.example.test` allows its subdomains.
    /// Repeat for several.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// How to build: `auto` (fastest verified linker and backend), `llvm` (no Cranelift), `off`
    /// (exactly `cargo build`).
    #[arg(long, default_value = "auto")]
    fast: devserve_build::FastMode,
    /// Build the app's own crates with full debug info (a debugger sees their lines and
    /// variables), its dependencies still without: the rebuild after an edit stays fast. With
    /// Cranelift those crates build with LLVM, whose debug info has the variables.
    #[arg(long)]
    debug_info: bool,
    /// The app's folder (the package with the Leptos app).
    #[arg(long, default_value = ".")]
    app: PathBuf,
    /// Milliseconds to wait after the last save before a build starts (a burst of saves starts
    /// one build; patches are sent at once regardless).
    #[arg(long, default_value_t = 100)]
    build_debounce: u64,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every `view!` of the given files, one JSON object per line.
    Views {
        /// Rust source files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print which linkers and codegen backends work here, the build profile devserve would
    /// use and why, and how to install what is missing.
    Doctor {
        /// The app's folder.
        #[arg(long, default_value = ".")]
        app: PathBuf,
        /// The `--fast` mode to choose a profile for.
        #[arg(long, default_value = "auto")]
        fast: devserve_build::FastMode,
        /// Show the profile `--debug-info` builds with.
        #[arg(long)]
        debug_info: bool,
    },
    /// Classify the change from OLD to NEW as none, patch or rebuild (one JSON object).
    Diff {
        /// The file before.
        old: PathBuf,
        /// The file after.
        new: PathBuf,
    },
    /// Measure every usable build profile on the app (incremental rebuilds after a view-text
    /// edit, or clean builds) and print mean, deviation and change against plain cargo;
    /// `--save` makes devserve build with the fastest.
    Bench(Box<devserve_bench::Options>),
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    forget_inherited_toolchain();
    let cli = Cli::parse();
    match run(cli, started) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("devserve: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, started: std::time::Instant) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Views { files }) => inspect::views(&files),
        Some(Command::Diff { old, new }) => inspect::diff(&old, &new),
        Some(Command::Bench(options)) => {
            tokio::runtime::Runtime::new()?.block_on(devserve_bench::run(*options))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Doctor { app, fast, debug_info }) => tokio::runtime::Runtime::new()?.block_on(async {
            // Outside an app, the profile devserve would use for one without a wasm front end.
            let project = session::load_project(&app);
            let own = match &project {
                Ok(project) if debug_info => project.own_packages(),
                Err(err) if debug_info => anyhow::bail!("{err:#}"),
                _ => Vec::new(),
            };
            let no_cdylib = project.as_ref().ok().and_then(session::no_cdylib_wrapper);
            let (report, profile) = session::choose_profile(&app, fast, &[], &own, no_cdylib).await;
            match report {
                Some(report) => print!("{}", devserve_build::doctor(&report, &profile)),
                None => println!("profile: {}", profile.describe()),
            }
            Ok(ExitCode::SUCCESS)
        }),
        None => {
            init_logging();
            let options = session::Options {
                app: cli.app,
                listen: std::net::SocketAddr::new(cli.host, cli.port),
                allowed_hosts: cli.allowed_hosts,
                hot_reload: cli.hot_reload,
                fast: cli.fast,
                debug_info: cli.debug_info,
                build_debounce: std::time::Duration::from_millis(cli.build_debounce),
                started,
            };
            tokio::runtime::Runtime::new()?.block_on(session::run(options))
        }
    }
}

/// Tracing events of devserve's crates (`DEVSERVE_LOG` filters them) as devserve's own lines on
/// stderr, and panics reported clear of the progress bar.
/// `cargo run -p devserve` (and any rustup proxy) hands its own toolchain down in
/// `RUSTUP_TOOLCHAIN`, with `RUSTUP_TOOLCHAIN_SOURCE` saying where it found it. Left in place it
/// would build the app with devserve's toolchain instead of the one the app pins in its
/// `rust-toolchain.toml`. A `RUSTUP_TOOLCHAIN` the user set (source `env`) is kept.
fn forget_inherited_toolchain() {
    let inherited = std::env::var("RUSTUP_TOOLCHAIN_SOURCE").is_ok_and(|source| source != "env");
    if inherited {
        // SAFETY: called first thing in `main`, before any other thread exists.
        unsafe {
            std::env::remove_var("RUSTUP_TOOLCHAIN");
            std::env::remove_var("RUSTUP_TOOLCHAIN_SOURCE");
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DEVSERVE_LOG").unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("devserve=info,devserve_server=info,devserve_build=info")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(ui::TracingFormat)
        .with_writer(ui::TracingWriter)
        .init();
    ui::install_panic_hook();
}

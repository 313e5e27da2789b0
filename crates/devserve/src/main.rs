//! `devserve`: a hot-reload dev server for Leptos apps.
//!
//! Run with `devserve --hot-reload` in an app's folder; `devserve --help` lists the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod inspect;

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
    host: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every `view!` of the given files, one JSON object per line.
    Views {
        /// Rust source files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Classify the change from OLD to NEW as none, patch or rebuild (one JSON object).
    Diff {
        /// The file before.
        old: PathBuf,
        /// The file after.
        new: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("devserve: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Views { files }) => inspect::views(&files),
        Some(Command::Diff { old, new }) => inspect::diff(&old, &new),
        None => {
            let _ = (cli.hot_reload, cli.port, cli.host);
            anyhow::bail!("serving is not implemented yet")
        }
    }
}

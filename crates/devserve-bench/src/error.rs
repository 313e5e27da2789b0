//! What stops a benchmark.

use std::path::PathBuf;

/// Why `devserve bench` stopped without a table. Every edit it made is undone before this is
/// returned.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The app could not be read (`cargo metadata`, `[package.metadata.leptos]`).
    #[error(transparent)]
    Project(#[from] devserve_project::ProjectError),
    /// The toolchain probe could not run.
    #[error("the toolchain probe failed: {0}")]
    Probe(#[from] devserve_build::ProbeError),
    /// No file of the app has what the edit needs.
    #[error("no {what} to edit in {dir} (choose a file with --edit-file)")]
    NothingToEdit {
        /// `view text` or `component body`.
        what: &'static str,
        /// Where it was looked for.
        dir: PathBuf,
    },
    /// A file to edit has uncommitted changes.
    #[error(
        "{file} has uncommitted changes (git status): commit or stash them, or pass --allow-dirty \
         (the file is restored byte for byte either way)"
    )]
    Dirty {
        /// The file.
        file: PathBuf,
    },
    /// A file the benchmark edits was changed by someone else meanwhile: the benchmark stops and
    /// leaves it as that someone wrote it.
    #[error("{file} was changed by another program during the benchmark; stopped and left it as it is")]
    ChangedMeanwhile {
        /// The file.
        file: PathBuf,
    },
    /// Plain `cargo build` fails on the app: nothing can be compared.
    #[error("plain `cargo build` fails on this app, so there is nothing to compare:\n{0}")]
    PlainFails(String),
    /// Every profile failed or was unusable.
    #[error("no profile could be measured")]
    NothingMeasured,
    /// An option makes no sense.
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done (`cannot write`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Ctrl-C, SIGTERM or SIGHUP.
    #[error("interrupted by {0}: the running build was stopped and every edit undone")]
    Interrupted(&'static str),
}

impl BenchError {
    /// An I/O error on `path`.
    pub(crate) fn io(what: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        BenchError::Io { what, path: path.to_path_buf(), source }
    }
}

//! The one error type of the crate.

use std::path::PathBuf;

/// Why an app folder could not be turned into a [`Project`](crate::Project).
///
/// Every variant names the file (or the environment) and the key it is about, so the message can be
/// shown as is.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The folder has no `Cargo.toml`.
    #[error("{} has no Cargo.toml: run devserve in a Leptos app's folder or pass --app DIR", dir.display())]
    NoManifest {
        /// The folder that was given.
        dir: PathBuf,
    },
    /// `cargo metadata` failed (bad manifest, cargo missing, ...).
    #[error("cargo metadata failed for {}: {source}", manifest.display())]
    Metadata {
        /// The manifest cargo was asked about.
        manifest: PathBuf,
        /// cargo's error.
        #[source]
        source: cargo_metadata::Error,
    },
    /// A file could not be read or resolved.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A virtual workspace manifest that does not say which package is the app.
    #[error(
        "{} is a virtual workspace manifest without [[workspace.metadata.leptos]]: run devserve in the app's package folder",
        manifest.display()
    )]
    VirtualManifest {
        /// The workspace's `Cargo.toml`.
        manifest: PathBuf,
    },
    /// Several `[[workspace.metadata.leptos]]` entries could be meant.
    #[error(
        "{} defines several Leptos projects ({}): run devserve in the folder of the one you want",
        manifest.display(),
        names.join(", ")
    )]
    SeveralProjects {
        /// The workspace's `Cargo.toml`.
        manifest: PathBuf,
        /// The entries' `name`s.
        names: Vec<String>,
    },
    /// `bin-package` or `lib-package` names a package that is not a workspace member.
    #[error("{origin} {key}: no workspace member is named `{name}`")]
    UnknownPackage {
        /// Where the key was read, e.g. `/app/Cargo.toml: [[workspace.metadata.leptos]]`.
        origin: String,
        /// `bin-package` or `lib-package`.
        key: &'static str,
        /// The package name it gave.
        name: String,
    },
    /// The app's package has no binary target to run.
    #[error("package `{package}` has no binary target to run (devserve serves a server binary)")]
    NoBinTarget {
        /// The package.
        package: String,
    },
    /// `bin-target` names a binary the package does not have.
    #[error("bin-target `{target}` is not a binary of package `{package}` (it has: {})", available.join(", "))]
    UnknownBinTarget {
        /// The package.
        package: String,
        /// The requested target.
        target: String,
        /// The package's binaries.
        available: Vec<String>,
    },
    /// The package has several binaries and nothing says which one is the app.
    #[error(
        "package `{package}` has several binaries ({}): choose one with `bin-target = \"name\"` in [package.metadata.leptos] or `default-run` in [package]",
        bins.join(", ")
    )]
    SeveralBinTargets {
        /// The package.
        package: String,
        /// Its binaries.
        bins: Vec<String>,
    },
    /// A value of the wrong type or shape.
    #[error("{origin} {key}: expected {expected}, found {found}")]
    Value {
        /// Where the key was read: `<manifest>: [package.metadata.leptos]`, `<path>/.env:<line>` or
        /// `environment variable`.
        origin: String,
        /// The key (`reload-port`) or variable (`LEPTOS_RELOAD_PORT`).
        key: String,
        /// What a valid value looks like.
        expected: &'static str,
        /// The value found, quoted as written (JSON for manifest values, a Rust string for variables).
        found: String,
    },
    /// A key that cargo-leptos requires is missing.
    #[error(
        "{origin} {key}: missing (each [[workspace.metadata.leptos]] entry needs name, bin-package and lib-package)"
    )]
    MissingKey {
        /// Where the table was read.
        origin: String,
        /// The missing key.
        key: &'static str,
    },
    /// A `.env` line that cannot be parsed.
    #[error("{}:{line}: {message}", path.display())]
    DotEnv {
        /// The `.env` file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

//! The app devserve serves, read once: which package and binary to build and run, where its
//! workspace and target directory are, and its Leptos configuration as cargo-leptos reads it.
//! The rest of devserve asks a [`Project`]; nobody re-reads `Cargo.toml`.
//!
//! - [`Project::load`] runs `cargo metadata --no-deps` on a folder, picks the bin package and
//!   binary, and reads [`Leptos`] from `[package.metadata.leptos]` or `[[workspace.metadata.leptos]]`
//!   with cargo-leptos's defaults, overridden by `.env` ([`DotEnv`]) and then `LEPTOS_*` variables.
//! - [`Leptos::from_table`] is that reading alone, without I/O, for tests and other tools.
//! - [`Leptos::env_vars`] gives the `LEPTOS_*` variables for both builds and the app;
//!   [`Leptos::js_file`], [`Leptos::wasm_file`] and [`Leptos::css_file`] say where the front goes.
//! - Errors are [`ProjectError`]s that name the file and the key.
//!
//! ```no_run
//! use devserve_project::Project;
//!
//! # fn main() -> Result<(), devserve_project::ProjectError> {
//! let env: Vec<(String, String)> = std::env::vars().collect();
//! let project = Project::load("examples/leptos-app".as_ref(), &env)?;
//! println!("cargo build -p {} --bin {}", project.package, project.bin);
//! if let Some(leptos) = &project.leptos {
//!     let app_addr = "127.0.0.1:41000".parse().expect("an address");
//!     for (key, value) in leptos.env_vars(app_addr, 3000) {
//!         println!("{key}={value}");
//!     }
//!     if project.has_front() {
//!         println!("front: {}", leptos.wasm_file().display());
//!     }
//! }
//! # Ok(()) }
//! ```

mod dotenv;
mod error;
mod leptos;
mod project;

pub use dotenv::DotEnv;
pub use error::ProjectError;
pub use leptos::{BuildSide, Leptos, Section, Source};
pub use project::Project;

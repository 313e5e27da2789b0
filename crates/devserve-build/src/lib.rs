//! How devserve builds the app: probe the toolchain for the fastest linker and codegen backend
//! that really work here, turn that into a build profile made only of cargo arguments, and run
//! `cargo build` one build at a time, cancellable, with progress and rendered diagnostics.
//!
//! - [`Probe`] → [`ProbeReport`]: each linker (mold, wild, lld, rustc's own lld) and Cranelift
//!   on an installed nightly, verified by building and running a hello-world crate; cached per
//!   toolchain under `~/.cache/devserve/probe-*.json`.
//! - [`choose_profile`] → [`BuildProfile`]: the fastest verified combination as `+toolchain`,
//!   `--config` arguments and environment, merged with the user's own rustflags, built into
//!   `target/devserve/<profile>`; `--fast=off` is plain `cargo build`.
//! - [`Builder`]: one task owning the cargo child (in its own process group, killed on cancel
//!   and on drop); [`BuildEvent`]s report progress, diagnostics and the executable's hash.
//! - [`doctor()`]: the text `devserve doctor` prints.
//!
//! ```no_run
//! use devserve_build::*;
//! # async fn demo() -> Result<(), ProbeError> {
//! let report = Probe { project_dir: Some("app".into()), ..Probe::default() }.run().await?;
//! let options = ProfileOptions {
//!     manifest_dir: "app".into(),
//!     env: std::env::vars().collect(),
//!     ..ProfileOptions::default()
//! };
//! let profile = choose_profile(&report, &options);
//! let (builder, mut events) = Builder::new();
//! builder.start(BuildRequest {
//!     id: 1,
//!     manifest_dir: "app".into(),
//!     package: None,
//!     bin: None,
//!     wasm_lib: false,
//!     target_dir: profile.target_dir("app/target".as_ref()),
//!     profile,
//!     env: vec![("LEPTOS_WATCH".into(), "1".into())],
//!     extra_args: vec![],
//! });
//! while let Some(event) = events.recv().await {
//!     if let BuildEvent::Finished { outcome, .. } = event {
//!         println!("{outcome:?}");
//!         break;
//!     }
//! }
//! # Ok(()) }
//! ```

mod cargo_run;
mod doctor;
mod estimate;
mod fallback;
mod hash;
mod linker;
mod no_cdylib;
mod paths;
mod probe;
mod process;
mod profile;
mod recipe;
mod request;
mod runner;
mod rustflags;
mod saved;
mod toolchain;
mod tracker;
mod verify;
mod wasm_bindgen;
mod wasm_target;

pub use doctor::{KNOWN_GOOD_NIGHTLY, doctor, install_hints};
pub use fallback::FallbackMemory;
pub use linker::{Backend, Linker};
pub use no_cdylib::{WORKSPACE_WRAPPER, write_no_cdylib_wrapper};
pub use paths::default_cache_dir;
pub use probe::{Candidate, Probe, ProbeError, ProbeReport, Status};
pub use profile::{
    BuildProfile, DebugInfo, FAST_SETTINGS, FastMode, LINKER_PREFERENCE, LINKER_PREFERENCE_WITHOUT_RUST_LLD,
    ProfileOptions, choose_profile, front_profile, lever_settings, plain_profile, profile_with,
};
pub use recipe::Recipe;
pub use request::{BinaryHash, BuildEvent, BuildOutcome, BuildRequest, Diagnostic, DiagnosticLevel};
pub use runner::Builder;
pub use saved::{SAVED_PROFILE_FILE, SavedProfile, saved_or};
pub use toolchain::Toolchain;
pub use wasm_bindgen::{
    ToolError, WasmBindgen, WasmBindgenInstall, WasmBindgenResolution, ensure_wasm_bindgen,
    locked_wasm_bindgen_version, resolve_wasm_bindgen, run_wasm_bindgen, wasm_bindgen_command,
};
pub use wasm_target::{WASM_TARGET, ensure_wasm_target};

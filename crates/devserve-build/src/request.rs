//! What a build is asked to do and what it reports back.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use devserve_protocol::BuildProgress;

use crate::profile::BuildProfile;

/// One `cargo build` for [`crate::Builder::start`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRequest {
    /// Chosen by the caller; every event of this build carries it.
    pub id: u64,
    /// The folder cargo runs in (the app's package or workspace root). cargo looks for
    /// `.cargo/config.toml` and `rust-toolchain.toml` from here.
    pub manifest_dir: PathBuf,
    /// `-p NAME`, for a package inside a workspace.
    pub package: Option<String>,
    /// `--bin NAME`: the executable to report. Without it the package's only binary (or the one
    /// named like the package) is reported.
    pub bin: Option<String>,
    /// Build the package's library (`--lib`) and report its `.wasm` file instead of a binary
    /// (a Leptos front end; pass `--target wasm32-unknown-unknown` in `extra_args`).
    pub wasm_lib: bool,
    /// How to build: toolchain, codegen backend, linker ([`crate::choose_profile`]).
    pub profile: BuildProfile,
    /// Extra environment for cargo and everything it runs (e.g. `LEPTOS_WATCH=1`).
    pub env: Vec<(String, String)>,
    /// Extra cargo arguments (e.g. `--features ssr`).
    pub extra_args: Vec<String>,
    /// `--target-dir` ([`BuildProfile::target_dir`] gives `target/devserve/<profile>`).
    pub target_dir: PathBuf,
}

/// What the build reports, in order: `Started` (unless cargo could not even be spawned), any
/// number of `Progress` and `Diagnostic`, then exactly one `Finished`. After a `FellBack`, the
/// LLVM attempt reports again from `Started` (same id, new process group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// cargo was started.
    Started {
        /// [`BuildRequest::id`].
        id: u64,
        /// The process group cargo and its children run in (killed on cancel).
        process_group: u32,
    },
    /// A compilation unit finished.
    Progress {
        /// [`BuildRequest::id`].
        id: u64,
        /// Units done, estimated total, the crate just finished, elapsed time.
        progress: BuildProgress,
    },
    /// A compiler message, rendered with ANSI colours exactly as cargo prints it.
    Diagnostic {
        /// [`BuildRequest::id`].
        id: u64,
        /// The message.
        diagnostic: Diagnostic,
    },
    /// Cranelift could not build this app: the build goes on with LLVM (same id), and
    /// `profile` is what later requests should use. Said once per app: it is remembered. The
    /// diagnostics sent before it were the Cranelift attempt's.
    FellBack {
        /// [`BuildRequest::id`].
        id: u64,
        /// Why, for the terminal (one line).
        reason: String,
        /// The LLVM profile now in use.
        profile: Box<BuildProfile>,
    },
    /// The build ended.
    Finished {
        /// [`BuildRequest::id`].
        id: u64,
        /// How.
        outcome: BuildOutcome,
        /// Wall time from start to end (of both attempts after a fall-back).
        elapsed: Duration,
    },
}

impl BuildEvent {
    /// The id of the build this event belongs to.
    pub fn id(&self) -> u64 {
        match self {
            BuildEvent::Started { id, .. }
            | BuildEvent::Progress { id, .. }
            | BuildEvent::Diagnostic { id, .. }
            | BuildEvent::FellBack { id, .. }
            | BuildEvent::Finished { id, .. } => *id,
        }
    }
}

/// How a build ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildOutcome {
    /// cargo succeeded and produced the executable.
    Succeeded {
        /// The binary to run.
        executable: PathBuf,
        /// Content hash of the binary: equal hashes mean there is no need to restart the app.
        binary_hash: BinaryHash,
        /// cargo did not rebuild the binary (it was up to date).
        fresh: bool,
    },
    /// cargo failed (or succeeded without producing the executable).
    Failed {
        /// Errors and warnings, in the order cargo printed them.
        diagnostics: Vec<Diagnostic>,
        /// The last lines cargo wrote to stderr (cargo's own errors, e.g. a broken Cargo.toml,
        /// only appear here).
        stderr_tail: String,
    },
    /// Cancelled by [`crate::Builder::cancel`] or a newer [`crate::Builder::start`]; its
    /// process group is gone.
    Cancelled,
}

/// A rustc message as cargo renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Severity.
    pub level: DiagnosticLevel,
    /// The message with ANSI colours, exactly as cargo prints it (ends with a newline).
    pub rendered: String,
    /// The package the message is about.
    pub package: String,
    /// Whether that package is local (a path dependency or the app itself) rather than from a
    /// registry or git.
    pub local: bool,
}

/// Severity of a [`Diagnostic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiagnosticLevel {
    /// An error (internal compiler errors included).
    Error,
    /// A warning.
    Warning,
    /// Notes, help and failure notes (`For more information about this error, try ..`).
    Note,
}

/// A 256-bit content hash of an executable (BLAKE3).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BinaryHash(pub [u8; 32]);

impl fmt::Display for BinaryHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for BinaryHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BinaryHash({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_hash_prints_as_hex() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0xab;
        bytes[31] = 0x01;
        let hex = BinaryHash(bytes).to_string();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("ab00"));
        assert!(hex.ends_with("0001"));
    }
}

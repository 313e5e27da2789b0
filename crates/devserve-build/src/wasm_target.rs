//! The `wasm32-unknown-unknown` standard library that the front build needs, added with rustup
//! when the toolchain lacks it.
//!
//! Whether it is there is read from the toolchain's sysroot (`rustc --print sysroot`, then
//! `lib/rustlib/wasm32-unknown-unknown/lib`), which works with and without rustup; only adding it
//! needs rustup.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use crate::paths::which;
use crate::process;
use crate::wasm_bindgen::{ToolError, render_command_line, run_to_end};

/// The target triple of the browser build.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// How long `rustc --print sysroot` may take (rustup may first sync a toolchain's metadata).
const SYSROOT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `rustup target add` may take (a download of some tens of MB).
const ADD_TIMEOUT: Duration = Duration::from_secs(900);

/// Makes sure `toolchain` (`nightly`, `1.95.0`; `None`: the toolchain active in `dir`, so the
/// app's `rust-toolchain.toml` counts) has the [`WASM_TARGET`] standard library, running
/// `rustup target add wasm32-unknown-unknown [--toolchain <toolchain>]` in `dir` if it lacks it.
/// Without rustup the error names that command.
pub async fn ensure_wasm_target(dir: &Path, toolchain: Option<&str>) -> Result<(), ToolError> {
    let sysroot = sysroot(dir, toolchain).await?;
    if has_wasm_target(&sysroot) {
        return Ok(());
    }
    let args = add_args(toolchain);
    let add_line = render_command_line(OsStr::new("rustup"), &args);
    let what = format!("the {WASM_TARGET} standard library (in {})", sysroot.display());
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    if which("rustup", &path_var).is_none() {
        let hint = format!("install rustup (https://rustup.rs), then run `{add_line}` in {}", dir.display());
        return Err(ToolError::Missing { what, hint });
    }
    tracing::info!("{what} is missing: running `{add_line}`");
    let mut add = rustup_command("rustup", dir);
    add.args(&args);
    run_to_end(add, ADD_TIMEOUT).await?;
    if has_wasm_target(&sysroot) {
        Ok(())
    } else {
        let hint =
            format!("`{add_line}` succeeded in {} but did not add it to this toolchain", dir.display());
        Err(ToolError::Missing { what, hint })
    }
}

/// The sysroot of `toolchain` (or of the one active in `dir`).
async fn sysroot(dir: &Path, toolchain: Option<&str>) -> Result<PathBuf, ToolError> {
    let args = sysroot_args(toolchain);
    let line = render_command_line(OsStr::new("rustc"), &args);
    let mut command = rustup_command("rustc", dir);
    command.args(&args);
    let out = process::output(command, SYSROOT_TIMEOUT)
        .await
        .map_err(|source| ToolError::Run { command: line.clone(), source })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match parse_sysroot(&stdout) {
        Some(sysroot) if out.status.success() => Ok(sysroot),
        _ => Err(ToolError::Failed {
            command: line,
            status: out.status.to_string(),
            output: String::from_utf8_lossy(&out.stderr).trim_end().to_owned(),
        }),
    }
}

/// `program` (rustup itself or one of its proxies) run in `dir`. rustup's errors carry a stack
/// trace when `RUST_BACKTRACE` is set; `RUST_LIB_BACKTRACE=0` keeps them to their message.
fn rustup_command(program: &str, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir).env("RUST_LIB_BACKTRACE", "0");
    command
}

/// `[+<toolchain>] --print sysroot`.
fn sysroot_args(toolchain: Option<&str>) -> Vec<OsString> {
    let plus = toolchain.map(|tc| OsString::from(format!("+{tc}")));
    plus.into_iter().chain(["--print", "sysroot"].map(OsString::from)).collect()
}

/// `target add wasm32-unknown-unknown [--toolchain <toolchain>]`.
fn add_args(toolchain: Option<&str>) -> Vec<OsString> {
    let tc = toolchain.into_iter().flat_map(|tc| ["--toolchain", tc]);
    ["target", "add", WASM_TARGET].into_iter().chain(tc).map(OsString::from).collect()
}

/// The sysroot in `rustc --print sysroot`'s output (one absolute path).
fn parse_sysroot(stdout: &str) -> Option<PathBuf> {
    let line = stdout.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(PathBuf::from(line)).filter(|p| p.is_absolute())
}

/// Whether `sysroot` holds the [`WASM_TARGET`] standard library.
fn has_wasm_target(sysroot: &Path) -> bool {
    sysroot.join("lib/rustlib").join(WASM_TARGET).join("lib").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_sysroot() {
        let sysroot = parse_sysroot("/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu\n");
        assert_eq!(
            sysroot.as_deref(),
            Some(Path::new("/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu"))
        );
        assert_eq!(parse_sysroot(""), None);
        assert_eq!(parse_sysroot("error: toolchain 'x' is not installed"), None);
    }

    #[test]
    fn finds_the_target_in_a_sysroot() {
        let sysroot = tempfile::tempdir().unwrap();
        let host = sysroot.path().join("lib/rustlib/x86_64-unknown-linux-gnu/lib");
        std::fs::create_dir_all(host).unwrap();
        assert!(!has_wasm_target(sysroot.path()));
        std::fs::create_dir_all(sysroot.path().join("lib/rustlib/wasm32-unknown-unknown/lib")).unwrap();
        assert!(has_wasm_target(sysroot.path()));
    }

    #[test]
    fn command_lines() {
        let line = |program: &str, args: Vec<OsString>| render_command_line(OsStr::new(program), &args);
        assert_eq!(line("rustc", sysroot_args(None)), "rustc --print sysroot");
        assert_eq!(line("rustc", sysroot_args(Some("nightly"))), "rustc +nightly --print sysroot");
        assert_eq!(line("rustup", add_args(None)), "rustup target add wasm32-unknown-unknown");
        assert_eq!(
            line("rustup", add_args(Some("nightly-2025-12-01"))),
            "rustup target add wasm32-unknown-unknown --toolchain nightly-2025-12-01"
        );
    }

    /// Against the real rustc: a toolchain that has the target passes without rustup being run;
    /// one that is not installed is an error naming the command that failed.
    #[tokio::test]
    async fn checks_a_real_toolchain() {
        let dir = std::env::temp_dir();
        if has_wasm_target(&sysroot(&dir, None).await.unwrap()) {
            ensure_wasm_target(&dir, None).await.unwrap();
        }
        let err = ensure_wasm_target(&dir, Some("no-such-toolchain-devserve")).await.unwrap_err();
        assert!(err.to_string().contains("rustc +no-such-toolchain-devserve --print sysroot"), "{err}");
    }
}

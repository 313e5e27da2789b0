//! Proving that a toolchain, backend and linker combination works: build a hello-world crate
//! with exactly those flags, run it, and check its `.comment` section names the linker and
//! backend that were asked for.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use tokio::process::Command;

use crate::linker::{Backend, contains};
use crate::process;

/// What the test binary prints.
const GREETING: &str = "devserve probe ok";

/// A scratch crate that candidates are built from (one target dir each).
#[derive(Debug)]
pub(crate) struct Verifier {
    dir: tempfile::TempDir,
    path: OsString,
    cargo: PathBuf,
    timeout: Duration,
    builds: usize,
}

/// One combination to try.
#[derive(Debug, Clone)]
pub(crate) struct Trial<'a> {
    /// `+toolchain`, if not the PATH's default.
    pub(crate) toolchain: Option<&'a str>,
    pub(crate) backend: Backend,
    pub(crate) rustflags: Vec<String>,
    /// Bytes the binary must contain (linker and backend signatures).
    pub(crate) expect: Vec<&'static [u8]>,
}

impl Verifier {
    /// Writes the scratch crate to a temporary folder.
    pub(crate) fn new(path: OsString, cargo: PathBuf, timeout: Duration) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new().prefix("devserve-probe-").tempdir()?;
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[package]\nname = \"devserve-probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )?;
        std::fs::create_dir(dir.path().join("src"))?;
        std::fs::write(
            dir.path().join("src/main.rs"),
            format!("fn main() {{\n    println!(\"{GREETING}\");\n}}\n"),
        )?;
        Ok(Self { dir, path, cargo, timeout, builds: 0 })
    }

    /// Builds and runs the crate for `trial`; `Ok` holds the binary's bytes, `Err` a one-line
    /// reason.
    pub(crate) async fn check(&mut self, trial: &Trial<'_>) -> Result<Vec<u8>, String> {
        self.builds += 1;
        let target_dir = self.dir.path().join(format!("target-{}", self.builds));
        let mut cmd = self.command();
        if let Some(toolchain) = trial.toolchain {
            cmd.arg(format!("+{toolchain}"));
        }
        cmd.args(["build", "--quiet", "--color", "never"]).arg("--target-dir").arg(&target_dir);
        cmd.args(trial.backend.cargo_args());
        if !trial.rustflags.is_empty() {
            cmd.arg("--config").arg(format!("build.rustflags={}", toml_array(&trial.rustflags)));
        }
        let out = process::output(cmd, self.timeout).await.map_err(|e| format!("cargo: {e}"))?;
        if !out.status.success() {
            return Err(first_error(&String::from_utf8_lossy(&out.stderr)));
        }
        let exe = target_dir.join("debug/devserve-probe");
        let mut run = Command::new(&exe);
        run.env("PATH", &self.path);
        let ran =
            process::output(run, self.timeout).await.map_err(|e| format!("running the test binary: {e}"))?;
        let stdout = String::from_utf8_lossy(&ran.stdout);
        if !ran.status.success() || stdout.trim() != GREETING {
            return Err(format!("the test binary did not run ({}): {}", ran.status, stdout.trim()));
        }
        let bytes = tokio::fs::read(&exe).await.map_err(|e| format!("reading the test binary: {e}"))?;
        if let Some(missing) = trial.expect.iter().find(|sig| !contains(&bytes, sig)) {
            return Err(format!(
                "the flags were ignored: the binary does not mention `{}`",
                String::from_utf8_lossy(missing).trim()
            ));
        }
        Ok(bytes)
    }

    /// cargo, run in the scratch crate with the probe's PATH and none of the user's rustflags
    /// (the probe tests the toolchain, not the flags).
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.cargo);
        cmd.current_dir(self.dir.path()).env("PATH", &self.path);
        for var in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_TARGET_DIR",
            "CARGO_BUILD_TARGET",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }
}

/// Formats strings as a TOML array for `--config KEY=VALUE` (JSON strings are TOML strings).
pub(crate) fn toml_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| serde_json::Value::from(s.as_str()).to_string()).collect();
    format!("[{}]", quoted.join(","))
}

/// The most telling line of a failed cargo run: the first `error` line, with the line after it
/// when that holds the detail.
fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let Some(i) = lines.iter().position(|l| l.starts_with("error")) else {
        return lines.last().copied().unwrap_or("cargo failed without a message").to_owned();
    };
    let mut reason = lines[i].to_owned();
    // `error: linking with `cc` failed: exit status: 1` says little; the linker's own words
    // (e.g. `collect2: fatal error: cannot find 'ld'`) are further down.
    if let Some(detail) = lines[i + 1..].iter().find(|l| l.contains("error") || l.contains("cannot find")) {
        reason = format!("{reason}: {detail}");
    }
    const MAX: usize = 300;
    if reason.len() > MAX {
        let cut = (0..=MAX).rev().find(|&i| reason.is_char_boundary(i)).unwrap_or(0);
        reason.truncate(cut);
        reason.push('…');
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_arrays_quote_and_escape() {
        let items = ["-C".to_owned(), "link-arg=-fuse-ld=mold".to_owned(), "a\"b".to_owned()];
        assert_eq!(toml_array(&items), r#"["-C","link-arg=-fuse-ld=mold","a\"b"]"#);
    }

    #[test]
    fn error_lines() {
        let check = |stderr: &str, expected: &str| assert_eq!(first_error(stderr), expected);
        check(
            "   Compiling x\nerror: unknown codegen option: `foo`\n",
            "error: unknown codegen option: `foo`",
        );
        check(
            "error: linking with `cc` failed: exit status: 1\n  |\n  = note: \"cc\" \"-m64\"\n  = note: collect2: fatal error: cannot find 'ld'\n",
            "error: linking with `cc` failed: exit status: 1: = note: collect2: fatal error: cannot find 'ld'",
        );
        check("", "cargo failed without a message");
    }
}

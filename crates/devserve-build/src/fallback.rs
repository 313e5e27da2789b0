//! Apps that Cranelift cannot build: telling such a failure from an ordinary compile error, and
//! remembering the app so that later runs go straight to LLVM.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::request::{Diagnostic, DiagnosticLevel};

/// The apps known not to build with Cranelift, kept in `<cache>/cranelift-fallback.json` as
/// `{ "<app folder>": "<reason>" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallbackMemory {
    file: PathBuf,
}

impl FallbackMemory {
    /// The memory kept in `cache_dir`.
    pub fn in_dir(cache_dir: &Path) -> Self {
        Self { file: cache_dir.join("cranelift-fallback.json") }
    }

    /// The file it is kept in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Why Cranelift was given up for the app in `app_dir`, if it was.
    pub fn reason(&self, app_dir: &Path) -> Option<String> {
        self.load().remove(&key(app_dir))
    }

    /// Remembers that Cranelift cannot build the app in `app_dir`.
    pub fn remember(&self, app_dir: &Path, reason: &str) -> io::Result<()> {
        let mut all = self.load();
        all.insert(key(app_dir), reason.to_owned());
        self.store(&all)
    }

    /// Forgets it (to try Cranelift again, e.g. after a toolchain update).
    pub fn forget(&self, app_dir: &Path) -> io::Result<()> {
        let mut all = self.load();
        if all.remove(&key(app_dir)).is_some() { self.store(&all) } else { Ok(()) }
    }

    fn load(&self) -> BTreeMap<String, String> {
        std::fs::read_to_string(&self.file)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn store(&self, all: &BTreeMap<String, String>) -> io::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(all)?)?;
        std::fs::rename(tmp, &self.file)
    }
}

fn key(app_dir: &Path) -> String {
    std::fs::canonicalize(app_dir).unwrap_or_else(|_| app_dir.to_path_buf()).display().to_string()
}

/// Words in an error that point at the backend or at the nightly rather than at the app's code.
const CRANELIFT_MARKERS: [&str; 9] = [
    "cranelift",
    "cg_clif",
    "not yet supported",
    "unsupported",
    "llvm intrinsic",
    "llvm.",
    "internal compiler error",
    "unexpectedly panicked",
    "use of unstable library feature",
];

/// Words of a failure of the machine rather than of a backend: a full disk or quota, no memory,
/// a compiler killed (the OOM killer). Any build would have failed the same way, so such a
/// failure must never be remembered against Cranelift.
const MACHINE_MARKERS: [&str; 8] = [
    "no space left on device",
    "os error 28",
    "disk quota exceeded",
    "os error 122",
    "cannot allocate memory",
    "os error 12)",
    "out of memory",
    "signal: 9, sigkill",
];

/// Why a failed Cranelift build looks like Cranelift's (or its nightly's) fault, or `None` when
/// it looks like an ordinary error in the app's code or a failure of the machine (a full disk,
/// no memory), which LLVM would meet as well. Signs: an error in a registry or git dependency
/// (they compile with LLVM, or they would not be published), an error mentioning the backend,
/// an unsupported intrinsic or an ICE, or a dependency that needs a newer rustc than the nightly.
pub(crate) fn cranelift_failure(diagnostics: &[Diagnostic], stderr: &str) -> Option<String> {
    let errors = diagnostics.iter().filter(|d| d.level == DiagnosticLevel::Error);
    let machine_failure = |text: &str| {
        let lower = text.to_lowercase();
        MACHINE_MARKERS.iter().any(|m| lower.contains(m))
    };
    if machine_failure(stderr) || errors.clone().any(|e| machine_failure(&e.rendered)) {
        return None;
    }
    for error in errors {
        let text = without_command_lines(&strip_ansi(&error.rendered));
        let first_line = text.lines().next().unwrap_or_default().trim().to_owned();
        if !error.local {
            return Some(format!("dependency `{}` failed to compile: {first_line}", error.package));
        }
        let lower = text.to_lowercase();
        if CRANELIFT_MARKERS.iter().any(|m| lower.contains(m)) {
            return Some(format!("`{}`: {first_line}", error.package));
        }
    }
    let stderr = strip_ansi(stderr);
    stderr
        .lines()
        .find(|line| {
            let lower = line.to_lowercase();
            lower.contains("requires rustc")
                || lower.contains("cranelift")
                || lower.contains("unexpectedly panicked")
        })
        .map(|line| line.trim().to_owned())
}

/// `text` without the linker's command line that a link error quotes (`= note: "cc" "-m64" ..`,
/// maybe after `LC_ALL="C" ..`): its paths name the profile's folder (`target/devserve/
/// cranelift-mold`) and the toolchain, so any link error, an undefined symbol of the app's own
/// included, would otherwise look like Cranelift's.
fn without_command_lines(text: &str) -> String {
    let quotes_a_command =
        |line: &str| line.trim_start().strip_prefix("= note:").is_some_and(|note| note.contains("\" \"-"));
    text.lines().filter(|line| !quotes_a_command(line)).collect::<Vec<_>>().join("\n")
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(package: &str, local: bool, rendered: &str) -> Diagnostic {
        Diagnostic {
            level: DiagnosticLevel::Error,
            rendered: rendered.into(),
            package: package.into(),
            local,
        }
    }

    #[test]
    fn tells_backend_failures_from_code_errors() {
        let check = |diagnostics: &[Diagnostic], stderr: &str, expected: Option<&str>| {
            assert_eq!(cranelift_failure(diagnostics, stderr).as_deref(), expected);
        };
        let type_error =
            error("app", true, "\u{1b}[1merror[E0308]\u{1b}[0m: mismatched types\n --> src/main.rs:2:5\n");
        check(std::slice::from_ref(&type_error), "error: could not compile `app`", None);
        check(
            &[error("ring", false, "error: unknown directive\n")],
            "",
            Some("dependency `ring` failed to compile: error: unknown directive"),
        );
        check(
            &[error(
                "app",
                true,
                "error: llvm intrinsic `llvm.x86.aesni.aesenc` is not supported by Cranelift\n",
            )],
            "",
            Some("`app`: error: llvm intrinsic `llvm.x86.aesni.aesenc` is not supported by Cranelift"),
        );
        check(
            &[],
            "error: rustc 1.93.0-nightly is not supported by the following package:\n  leptos@0.9.0 requires rustc 1.94\n",
            Some("leptos@0.9.0 requires rustc 1.94"),
        );
        // A full disk or no memory is the machine's failure, even in a dependency or a link
        // whose command line names the Cranelift toolchain.
        check(
            &[error(
                "app",
                true,
                "error: linking with `cc` failed: exit status: 1\n  = note: \"cc\" \"-L\" \"/root/.rustup/toolchains/nightly/lib/rustlib/codegen-backends/librustc_codegen_cranelift.so\"\n  = note: /usr/bin/ld: final link failed: No space left on device\n",
            )],
            "",
            None,
        );
        check(
            &[error(
                "serde",
                false,
                "error: failed to write metadata: No space left on device (os error 28)\n",
            )],
            "",
            None,
        );
        check(
            &[],
            "error: could not compile `app`\nCaused by:\n  process didn't exit successfully: `rustc` (signal: 9, SIGKILL: kill)\n",
            None,
        );
        // A link error of the app's own (an undefined symbol) is the app's, though the quoted
        // command line names the Cranelift profile's folder and toolchain.
        check(
            &[error(
                "app",
                true,
                "error: linking with `cc` failed: exit status: 1\n  |\n  = note:  LC_ALL=\"C\" \"cc\" \"-m64\" \"/app/target/devserve/cranelift-mold/debug/deps/app.o\" \"-L\" \"/root/.rustup/toolchains/nightly-2025-12-01-x86_64-unknown-linux-gnu/lib/rustlib/x86_64-unknown-linux-gnu/lib\"\n  = note: /usr/bin/ld: app.o: undefined reference to `sqlite3_open'\n",
            )],
            "",
            None,
        );
        // Warnings never count.
        let warning = Diagnostic { level: DiagnosticLevel::Warning, ..error("dep", false, "warning: x") };
        check(&[warning], "", None);
    }

    #[test]
    fn strips_ansi() {
        assert_eq!(strip_ansi("\u{1b}[1m\u{1b}[91merror\u{1b}[0m: x"), "error: x");
    }

    #[test]
    fn remembers_per_app() {
        let dir = tempfile::tempdir().unwrap();
        let memory = FallbackMemory::in_dir(&dir.path().join("cache"));
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        assert_eq!(memory.reason(&a), None);
        memory.remember(&a, "ring failed").unwrap();
        memory.remember(&b, "other").unwrap();
        assert_eq!(
            FallbackMemory::in_dir(&dir.path().join("cache")).reason(&a).as_deref(),
            Some("ring failed")
        );
        memory.forget(&a).unwrap();
        assert_eq!(memory.reason(&a), None);
        assert_eq!(memory.reason(&b).as_deref(), Some("other"));
    }
}

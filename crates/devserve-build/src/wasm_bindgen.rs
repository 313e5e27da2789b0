//! The wasm-bindgen CLI a hydrated app needs: the version its Cargo.lock pins, found on `PATH`,
//! in devserve's cache, or installed there once with `cargo install`.
//!
//! The CLI must equal the `wasm-bindgen` crate the app was built with, or the page fails at run
//! time. [`resolve_wasm_bindgen`] decides where that CLI comes from without running anything;
//! [`ensure_wasm_bindgen`] runs the decision and, if needed, the install. An install goes into a
//! staging folder next to its final place and is renamed there when complete, so an interrupted
//! install is never taken for an installed one, and two devserves installing at once both end
//! with a complete copy.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::paths::which;
use crate::process::{self, GroupChild};

/// How long `wasm-bindgen --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one wasm-bindgen run may take (a large debug build takes seconds).
const BINDGEN_TIMEOUT: Duration = Duration::from_secs(600);
/// How many of a failed command's last output lines its error keeps.
const TAIL_LINES: usize = 40;

/// An external tool devserve needs could not be found, installed or run.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The command could not be started, or did not finish in time.
    #[error("could not run `{command}`: {source}")]
    Run {
        /// The command line.
        command: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The command ran and failed.
    #[error("`{command}` failed ({status}):\n{output}")]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status as text (`exit status: 101`).
        status: String,
        /// The last lines it printed.
        output: String,
    },
    /// Something needed is not installed and devserve cannot install it.
    #[error("{what} is missing: {hint}")]
    Missing {
        /// What is missing.
        what: String,
        /// What to do about it, with the exact command when there is one.
        hint: String,
    },
    /// A file operation in devserve's tool cache failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A version that is not a plain version number (it would become part of a path).
    #[error("`{0}` is not a version number")]
    BadVersion(String),
}

/// Where the wasm-bindgen CLI of the locked version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WasmBindgen {
    /// The `wasm-bindgen` on `PATH`, of the right version.
    OnPath(PathBuf),
    /// A copy devserve installed earlier.
    Cached(PathBuf),
    /// Neither: install it.
    Install(WasmBindgenInstall),
}

/// [`resolve_wasm_bindgen`]'s decision, with notes for the terminal on why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmBindgenResolution {
    /// The decision.
    pub choice: WasmBindgen,
    /// Human sentences (`wasm-bindgen on PATH is 0.2.100, the app locks 0.2.130: not used`).
    pub notes: Vec<String>,
}

/// The installation of one wasm-bindgen-cli version into devserve's cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmBindgenInstall {
    /// The version to install.
    pub version: String,
    /// `<cache>/tools/wasm-bindgen-<version>`, cargo's `--root`.
    pub root: PathBuf,
    /// `<root>/bin/wasm-bindgen`, the installed program.
    pub binary: PathBuf,
}

impl WasmBindgenInstall {
    fn new(version: &str, cache_dir: &Path) -> Self {
        let root = cache_dir.join("tools").join(format!("wasm-bindgen-{version}"));
        let binary = root.join("bin").join("wasm-bindgen");
        Self { version: version.to_owned(), root, binary }
    }

    /// cargo's arguments, installing into `root`. wasm-bindgen-cli publishes its Cargo.lock, so
    /// `--locked` builds the dependencies its release was tested with.
    fn args(&self, root: &Path, locked: bool) -> Vec<OsString> {
        let mut args: Vec<OsString> =
            ["install", "wasm-bindgen-cli", "--version", &self.version].map(OsString::from).into();
        if locked {
            args.push("--locked".into());
        }
        args.extend([OsString::from("--root"), root.into()]);
        args
    }

    /// The command a person would run for this install. devserve runs the same command with a
    /// staging folder next to [`Self::root`] as `--root`, then renames it (and retries without
    /// `--locked` if the lock file cannot be resolved against the registry index).
    pub fn command_line(&self) -> String {
        render_command_line(OsStr::new("cargo"), &self.args(&self.root, true))
    }

    /// The install command with `root` as cargo's `--root`. It runs in the cache folder, so the
    /// app's `rust-toolchain.toml` does not pick the toolchain that builds the CLI.
    fn command(&self, root: &Path, locked: bool) -> Command {
        let mut command = Command::new("cargo");
        command.args(self.args(root, locked));
        if let Some(tools) = self.root.parent() {
            command.current_dir(tools);
        }
        command
    }
}

/// The version of the package named exactly `wasm-bindgen` in a Cargo.lock text; the highest if
/// there are several. `None` if there is none or the text is not a Cargo.lock.
pub fn locked_wasm_bindgen_version(cargo_lock: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        version: String,
    }
    let lock: Lock = toml::from_str(cargo_lock).ok()?;
    lock.package
        .into_iter()
        .filter(|p| p.name == "wasm-bindgen")
        .map(|p| p.version)
        .max_by(|a, b| version_key(a).cmp(&version_key(b)).then_with(|| a.cmp(b)))
}

/// The numeric parts of `1.2.3-rc.1` (`[1, 2, 3]`), for ordering.
fn version_key(version: &str) -> Vec<u64> {
    let release = version.split(['-', '+']).next().unwrap_or(version);
    release.split('.').map(|part| part.parse().unwrap_or(0)).collect()
}

/// Whether `version` is safe to put in a path and a command line (`0.2.130`, `0.2.0-rc.1`).
fn is_plain_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_digit())
        && version.chars().all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
}

/// The version in `wasm-bindgen --version`'s output (`wasm-bindgen 0.2.130`).
fn parse_version_output(text: &str) -> Option<String> {
    let mut words = text.lines().next()?.split_whitespace();
    (words.next()? == "wasm-bindgen").then_some(())?;
    words.next().map(str::to_owned)
}

/// Decides where the wasm-bindgen CLI of `version` comes from, in this order: the `wasm-bindgen`
/// in `path_var` if `version_of` (its `--version`) says it is that version; the copy in
/// `cache_dir` (`<cache_dir>/tools/wasm-bindgen-<version>/bin/wasm-bindgen`); else an install.
pub fn resolve_wasm_bindgen(
    version: &str,
    path_var: &OsStr,
    cache_dir: &Path,
    version_of: impl Fn(&Path) -> Option<String>,
) -> WasmBindgenResolution {
    let mut notes = Vec::new();
    if let Some(tool) = which("wasm-bindgen", path_var) {
        match version_of(&tool) {
            Some(found) if found == version => {
                return WasmBindgenResolution { choice: WasmBindgen::OnPath(tool), notes };
            }
            Some(found) => notes.push(format!(
                "wasm-bindgen on PATH ({}) is {found}, the app locks {version}: not used",
                tool.display()
            )),
            None => notes.push(format!(
                "wasm-bindgen on PATH ({}) did not tell its version: not used",
                tool.display()
            )),
        }
    }
    let plan = WasmBindgenInstall::new(version, cache_dir);
    if is_installed(&plan.binary) {
        return WasmBindgenResolution { choice: WasmBindgen::Cached(plan.binary), notes };
    }
    notes.push(format!("installing wasm-bindgen {version} once (a few minutes): {}", plan.command_line()));
    WasmBindgenResolution { choice: WasmBindgen::Install(plan), notes }
}

/// Whether `binary` is an executable file.
fn is_installed(binary: &Path) -> bool {
    match (binary.parent(), binary.file_name().and_then(OsStr::to_str)) {
        // `which` over a one-folder PATH: the executable check the PATH lookup uses.
        (Some(dir), Some(name)) => which(name, dir.as_os_str()).as_deref() == Some(binary),
        _ => false,
    }
}

/// The wasm-bindgen CLI of `version`: [`resolve_wasm_bindgen`] against the real `PATH`, then the
/// install if that is the decision. `progress` receives the resolution's notes, then each line
/// the install prints (cargo's `Compiling x v1.0` lines). Dropping the future kills the install.
pub async fn ensure_wasm_bindgen(
    version: &str,
    cache_dir: &Path,
    mut progress: impl FnMut(&str),
) -> Result<PathBuf, ToolError> {
    if !is_plain_version(version) {
        return Err(ToolError::BadVersion(version.to_owned()));
    }
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let path_version = match which("wasm-bindgen", &path_var) {
        Some(tool) => tool_version(&tool).await,
        None => None,
    };
    let resolution = resolve_wasm_bindgen(version, &path_var, cache_dir, |_| path_version.clone());
    for note in &resolution.notes {
        tracing::info!("{note}");
        progress(note);
    }
    match resolution.choice {
        WasmBindgen::OnPath(tool) | WasmBindgen::Cached(tool) => Ok(tool),
        WasmBindgen::Install(plan) => {
            install(&plan, |root, locked| plan.command(root, locked), &mut progress).await
        }
    }
}

/// `tool --version`'s version, `None` if it does not answer in time or answers something else.
async fn tool_version(tool: &Path) -> Option<String> {
    let mut command = Command::new(tool);
    command.arg("--version");
    let out = process::output(command, VERSION_TIMEOUT).await.ok()?;
    out.status.success().then_some(())?;
    parse_version_output(&String::from_utf8_lossy(&out.stdout))
}

/// Installs with `command(staging, locked)` into a staging folder, then renames it to
/// `plan.root`. A `--locked` install that fails before compiling anything (its lock file names a
/// dependency version the registry index does not have, seen with mirrored or stale indexes) is
/// retried once without `--locked`.
async fn install(
    plan: &WasmBindgenInstall,
    command: impl Fn(&Path, bool) -> Command,
    progress: &mut impl FnMut(&str),
) -> Result<PathBuf, ToolError> {
    let tools = plan.root.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(tools).map_err(|source| ToolError::Io { path: tools.to_owned(), source })?;
    let staging = match stage(plan, &command, true, progress).await {
        Ok(staging) => staging,
        Err(Attempt { compiled: false, .. }) => {
            progress("cargo install --locked failed before compiling: retrying without --locked");
            stage(plan, &command, false, progress).await.map_err(|attempt| attempt.error)?
        }
        Err(attempt) => return Err(attempt.error),
    };

    // A folder at the final place without the program is not ours (we only rename complete
    // installs there): clear it. One with the program means another devserve finished first.
    if plan.root.exists() && !is_installed(&plan.binary) {
        std::fs::remove_dir_all(&plan.root)
            .map_err(|source| ToolError::Io { path: plan.root.clone(), source })?;
    }
    match std::fs::rename(staging.path(), &plan.root) {
        Ok(()) => {
            let _moved: PathBuf = staging.keep(); // now `plan.root`: nothing to remove
        }
        Err(_) if is_installed(&plan.binary) => {} // the staging copy is removed on drop
        Err(source) => return Err(ToolError::Io { path: plan.root.clone(), source }),
    }
    Ok(plan.binary.clone())
}

/// A failed install attempt.
struct Attempt {
    error: ToolError,
    /// Whether cargo got as far as compiling (then a retry would fail the same way).
    compiled: bool,
}

/// Runs one install into a new staging folder next to `plan.root`, in its own process group,
/// passing its output lines to `progress`. The folder is removed unless the install succeeds.
async fn stage(
    plan: &WasmBindgenInstall,
    command: &impl Fn(&Path, bool) -> Command,
    locked: bool,
    progress: &mut impl FnMut(&str),
) -> Result<tempfile::TempDir, Attempt> {
    let tools = plan.root.parent().unwrap_or(Path::new("."));
    let prefix = format!(".wasm-bindgen-{}.staging-", plan.version);
    let staging = tempfile::Builder::new().prefix(&prefix).tempdir_in(tools).map_err(|source| Attempt {
        error: ToolError::Io { path: tools.to_owned(), source },
        compiled: true,
    })?;
    let mut command = command(staging.path(), locked);
    let line = render_command_line(command.as_std().get_program(), &collect_args(&command));
    let run_error =
        |source| Attempt { error: ToolError::Run { command: line.clone(), source }, compiled: true };
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = GroupChild::spawn(command).map_err(run_error)?;
    let mut tail = VecDeque::with_capacity(TAIL_LINES);
    let mut compiled = false;
    if let Some(stderr) = child.take_stderr() {
        // Split on bytes, not `lines()`: a line that is not UTF-8 must not stop the draining.
        let mut lines = BufReader::new(stderr).split(b'\n');
        while let Ok(Some(bytes)) = lines.next_segment().await {
            let text = String::from_utf8_lossy(&bytes).trim_end_matches('\r').to_owned();
            progress(&text);
            compiled |= text.trim_start().starts_with("Compiling ");
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(text);
        }
    }
    let status = child.wait().await.map_err(run_error)?;
    if status.success() && is_installed(&staging.path().join("bin").join("wasm-bindgen")) {
        return Ok(staging);
    }
    let output = Vec::from(tail).join("\n");
    Err(Attempt { error: ToolError::Failed { command: line, status: status.to_string(), output }, compiled })
}

/// `wasm-bindgen --target web --no-typescript --out-dir <out_dir> --out-name <out_name> <wasm>`,
/// which writes `<out_dir>/<out_name>.js` and `<out_dir>/<out_name>_bg.wasm`.
pub fn wasm_bindgen_command(tool: &Path, wasm: &Path, out_dir: &Path, out_name: &str) -> Command {
    let mut command = Command::new(tool);
    command
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(out_dir)
        .args(["--out-name", out_name])
        .arg(wasm);
    command
}

/// Runs [`wasm_bindgen_command`] in its own process group; a failure carries the end of what it
/// printed. Dropping the future kills it.
pub async fn run_wasm_bindgen(
    tool: &Path,
    wasm: &Path,
    out_dir: &Path,
    out_name: &str,
) -> Result<(), ToolError> {
    run_to_end(wasm_bindgen_command(tool, wasm, out_dir, out_name), BINDGEN_TIMEOUT).await
}

/// Runs `command` to completion (in its own process group); a non-zero exit is
/// [`ToolError::Failed`] with the end of its stderr (or stdout, if stderr is empty).
pub(crate) async fn run_to_end(command: Command, timeout: Duration) -> Result<(), ToolError> {
    let line = render_command_line(command.as_std().get_program(), &collect_args(&command));
    let out = process::output(command, timeout)
        .await
        .map_err(|source| ToolError::Run { command: line.clone(), source })?;
    if out.status.success() {
        return Ok(());
    }
    let stream = if out.stderr.iter().all(u8::is_ascii_whitespace) { &out.stdout } else { &out.stderr };
    Err(ToolError::Failed { command: line, status: out.status.to_string(), output: tail(stream) })
}

/// The last [`TAIL_LINES`] lines of `bytes`.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.trim_end().lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}

fn collect_args(command: &Command) -> Vec<OsString> {
    command.as_std().get_args().map(OsStr::to_owned).collect()
}

/// `program args..` as a POSIX shell line, for messages.
pub(crate) fn render_command_line(program: &OsStr, args: &[OsString]) -> String {
    let mut line = shell_word(program);
    for arg in args {
        let _ = write!(line, " {}", shell_word(arg));
    }
    line
}

fn shell_word(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=.,/:+@".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// Writes an executable file at `path` (never run by these tests).
    fn executable(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A folder with `bin/wasm-bindgen` (the PATH) and an empty cache folder.
    fn fixture() -> (tempfile::TempDir, OsString, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        executable(&dir.path().join("bin/wasm-bindgen"));
        let path_var = dir.path().join("bin").into_os_string();
        let cache = dir.path().join("cache");
        (dir, path_var, cache)
    }

    #[test]
    fn path_match_is_used() {
        let (dir, path_var, cache) = fixture();
        let r = resolve_wasm_bindgen("0.2.130", &path_var, &cache, |_| Some("0.2.130".into()));
        assert_eq!(r.choice, WasmBindgen::OnPath(dir.path().join("bin/wasm-bindgen")));
        assert!(r.notes.is_empty());
    }

    #[test]
    fn path_mismatch_is_not_used_and_the_note_says_why() {
        let (dir, path_var, cache) = fixture();
        let r = resolve_wasm_bindgen("0.2.130", &path_var, &cache, |_| Some("0.2.100".into()));
        assert!(matches!(r.choice, WasmBindgen::Install(_)), "{r:?}");
        let on_path = dir.path().join("bin/wasm-bindgen");
        assert_eq!(
            r.notes[0],
            format!(
                "wasm-bindgen on PATH ({}) is 0.2.100, the app locks 0.2.130: not used",
                on_path.display()
            )
        );
        let r = resolve_wasm_bindgen("0.2.130", &path_var, &cache, |_| None);
        assert!(r.notes[0].ends_with("did not tell its version: not used"), "{r:?}");
    }

    #[test]
    fn cached_copy_is_used() {
        let (_dir, path_var, cache) = fixture();
        let cached = cache.join("tools/wasm-bindgen-0.2.130/bin/wasm-bindgen");
        executable(&cached);
        let r = resolve_wasm_bindgen("0.2.130", &path_var, &cache, |_| Some("0.2.100".into()));
        assert_eq!(r.choice, WasmBindgen::Cached(cached));
        // Another version's copy is not.
        let r = resolve_wasm_bindgen("0.2.131", OsStr::new(""), &cache, |_| None);
        assert!(matches!(r.choice, WasmBindgen::Install(_)), "{r:?}");
    }

    #[test]
    fn install_command_line() {
        let r = resolve_wasm_bindgen("0.2.130", OsStr::new(""), Path::new("/c/devserve"), |_| None);
        let WasmBindgen::Install(plan) = &r.choice else { panic!("{r:?}") };
        assert_eq!(
            plan.command_line(),
            "cargo install wasm-bindgen-cli --version 0.2.130 --locked --root /c/devserve/tools/wasm-bindgen-0.2.130"
        );
        assert_eq!(plan.binary, Path::new("/c/devserve/tools/wasm-bindgen-0.2.130/bin/wasm-bindgen"));
        assert!(r.notes[0].contains(&plan.command_line()), "{r:?}");
    }

    #[test]
    fn parses_cargo_lock() {
        let lock = r#"
version = 4

[[package]]
name = "wasm-bindgen-futures"
version = "0.4.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.99"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "abc"
dependencies = ["cfg-if"]

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
"#;
        assert_eq!(locked_wasm_bindgen_version(lock).as_deref(), Some("0.2.130"));
        let without = "version = 4\n[[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.1\"\n";
        assert_eq!(locked_wasm_bindgen_version(without), None);
        assert_eq!(locked_wasm_bindgen_version("version = 4\n"), None);
        assert_eq!(locked_wasm_bindgen_version("not [ toml"), None);
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version_output("wasm-bindgen 0.2.130\n").as_deref(), Some("0.2.130"));
        assert_eq!(parse_version_output("wasm-opt version 116\n"), None);
        assert!(is_plain_version("0.2.130") && is_plain_version("0.2.0-rc.1+build"));
        assert!(!is_plain_version("../x") && !is_plain_version("") && !is_plain_version("0.2 --force"));
        assert!(version_key("0.2.100") > version_key("0.2.99"));
    }

    #[test]
    fn bindgen_arguments() {
        let cmd = wasm_bindgen_command(
            Path::new("/t/wasm-bindgen"),
            Path::new("target/app.wasm"),
            Path::new("site/pkg"),
            "app",
        );
        let line = render_command_line(cmd.as_std().get_program(), &collect_args(&cmd));
        assert_eq!(
            line,
            "/t/wasm-bindgen --target web --no-typescript --out-dir site/pkg --out-name app target/app.wasm"
        );
    }

    /// A stand-in for `cargo install`: `sh -c <script> sh <root> locked|unlocked`, run by `sh` so
    /// no test executes a file it just wrote.
    fn fake_cargo(script: &'static str) -> impl Fn(&Path, bool) -> Command {
        move |root, locked| {
            let mut command = Command::new("sh");
            command.args(["-c", script, "sh"]).arg(root).arg(if locked { "locked" } else { "unlocked" });
            command
        }
    }

    const FAKE_INSTALL: &str = r#"echo "   Compiling wasm-bindgen-cli v0.2.130" >&2
mkdir -p "$1/bin" && printf '#!/bin/sh\n' > "$1/bin/wasm-bindgen" && chmod +x "$1/bin/wasm-bindgen""#;

    fn tools_folder(cache: &Path) -> Vec<OsString> {
        let mut names: Vec<_> =
            std::fs::read_dir(cache.join("tools")).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn install_renames_a_complete_staging_folder() {
        let cache = tempfile::tempdir().unwrap();
        let plan = WasmBindgenInstall::new("0.2.130", cache.path());
        let mut seen = Vec::new();
        let tool =
            install(&plan, fake_cargo(FAKE_INSTALL), &mut |l: &str| seen.push(l.to_owned())).await.unwrap();
        assert_eq!(tool, plan.binary);
        assert!(is_installed(&tool));
        assert_eq!(seen, ["   Compiling wasm-bindgen-cli v0.2.130"]);
        assert_eq!(tools_folder(cache.path()), ["wasm-bindgen-0.2.130"]);
        // A second install that loses the race keeps the first copy.
        let again = install(&plan, fake_cargo(FAKE_INSTALL), &mut |_: &str| {}).await.unwrap();
        assert_eq!(again, plan.binary);
        assert_eq!(tools_folder(cache.path()), ["wasm-bindgen-0.2.130"]);
    }

    #[tokio::test]
    async fn failed_install_leaves_nothing_and_reports_its_output() {
        let cache = tempfile::tempdir().unwrap();
        let plan = WasmBindgenInstall::new("0.2.130", cache.path());
        let script = r#"mkdir -p "$1/bin"; echo "   Compiling walrus v0.23.3" >&2
echo "error: could not compile \`walrus\`" >&2; exit 101"#;
        let mut seen = 0;
        let err = install(&plan, fake_cargo(script), &mut |_: &str| seen += 1).await.unwrap_err();
        let ToolError::Failed { output, status, command } = &err else { panic!("{err:?}") };
        assert_eq!(output, "   Compiling walrus v0.23.3\nerror: could not compile `walrus`");
        assert!(status.contains("101"), "{status}");
        assert!(command.ends_with(" locked"), "compiling failed: no retry without --locked");
        assert_eq!(seen, 2);
        assert!(!plan.root.exists());
        assert!(tools_folder(cache.path()).is_empty());
    }

    #[tokio::test]
    async fn unresolvable_lock_file_is_retried_unlocked() {
        let cache = tempfile::tempdir().unwrap();
        let plan = WasmBindgenInstall::new("0.2.130", cache.path());
        let script = r#"if [ "$2" = locked ]; then
  echo "error: failed to select a version for the requirement \`webpki-roots = \"^1.0.10\"\`" >&2; exit 101
fi
mkdir -p "$1/bin" && printf '#!/bin/sh\n' > "$1/bin/wasm-bindgen" && chmod +x "$1/bin/wasm-bindgen""#;
        let mut seen = Vec::new();
        let tool = install(&plan, fake_cargo(script), &mut |l: &str| seen.push(l.to_owned())).await.unwrap();
        assert_eq!(tool, plan.binary);
        assert!(seen[1].contains("retrying without --locked"), "{seen:?}");
        assert_eq!(tools_folder(cache.path()), ["wasm-bindgen-0.2.130"]);
    }

    #[tokio::test]
    async fn run_to_end_reports_stderr() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo 'error: bad wasm' >&2; exit 1"]);
        let err = run_to_end(cmd, Duration::from_secs(10)).await.unwrap_err();
        let ToolError::Failed { output, command, .. } = &err else { panic!("{err:?}") };
        assert_eq!(output, "error: bad wasm");
        assert_eq!(command, "sh -c 'echo out; echo '\\''error: bad wasm'\\'' >&2; exit 1'");
    }

    /// Installs the real wasm-bindgen-cli 0.2.130 into devserve's cache (minutes, network):
    /// `cargo test -p devserve-build --lib -- --ignored installs_wasm_bindgen_for_real`.
    #[tokio::test]
    #[ignore]
    async fn installs_wasm_bindgen_for_real() {
        let cache = crate::default_cache_dir().unwrap();
        let tool = ensure_wasm_bindgen("0.2.130", &cache, |line| eprintln!("{line}")).await.unwrap();
        assert_eq!(tool_version(&tool).await.as_deref(), Some("0.2.130"), "{}", tool.display());
        eprintln!("{}", tool.display());
    }
}

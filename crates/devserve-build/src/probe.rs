//! Which linkers and codegen backends work on this machine: every candidate is built and run
//! once ([`crate::verify`]), never assumed from a program's presence. Results are cached per
//! toolchain and tool set under the cache folder.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::process::Command;

use crate::linker::{Backend, Linker, contains};
use crate::paths::which;
use crate::process;
use crate::toolchain::{self, Toolchain};
use crate::verify::{Trial, Verifier};

/// Bumped when the report's meaning changes, so old cache files are not trusted.
const CACHE_SCHEMA: u32 = 2;

/// Programs whose presence and identity the probe records (and whose change invalidates the
/// cache).
const TOOLS: [&str; 10] =
    ["cargo", "rustc", "rustup", "cc", "clang", "mold", "ld.mold", "wild", "ld.lld", "apt-get"];

/// How to probe.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The `PATH` to find and run everything with (tests pass one that lacks a tool).
    pub path: OsString,
    /// Where `probe-*.json` results are cached; `None` probes every time.
    pub cache_dir: Option<PathBuf>,
    /// The app's folder: its `rust-toolchain.toml` picks the toolchain the app builds with.
    pub project_dir: Option<PathBuf>,
    /// Longest a single step (one test build) may take.
    pub timeout: Duration,
}

impl Default for Probe {
    fn default() -> Self {
        Self {
            path: std::env::var_os("PATH").unwrap_or_default(),
            cache_dir: crate::paths::default_cache_dir(),
            project_dir: None,
            timeout: Duration::from_secs(180),
        }
    }
}

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeReport {
    /// The host target triple.
    pub host: String,
    /// The toolchain the app builds with by default.
    pub active: Toolchain,
    /// Nightly toolchains installed with rustup (other than the active one).
    pub nightlies: Vec<Toolchain>,
    /// Each program of interest and where `PATH` has it.
    pub tools: BTreeMap<String, Option<PathBuf>>,
    /// Every combination considered, with its verdict.
    pub candidates: Vec<Candidate>,
    /// Whether this report came from the cache file rather than fresh test builds.
    #[serde(skip)]
    pub from_cache: bool,
    /// The cache file (read or written).
    #[serde(skip)]
    pub cache_file: Option<PathBuf>,
}

/// One toolchain + backend + linker combination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Code generator.
    pub backend: Backend,
    /// Linker.
    pub linker: Linker,
    /// rustup toolchain (`+name`) it needs; `None` for the app's own toolchain.
    pub toolchain: Option<String>,
    /// Verdict.
    pub status: Status,
}

/// Whether a candidate works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// A test crate built with it, ran, and names the linker/backend in its `.comment`.
    Works,
    /// Something it needs is not installed.
    Missing {
        /// Programs or components that are missing.
        need: Vec<String>,
    },
    /// Installed, but the test build failed.
    Broken {
        /// The error, one line.
        reason: String,
    },
}

/// The probe could not even start.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A required program is not in `PATH`.
    #[error("`{0}` is not in PATH: install Rust with rustup (https://rustup.rs)")]
    NotFound(&'static str),
    /// A required command failed.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line.
        command: String,
        /// What went wrong.
        detail: String,
    },
    /// The scratch crate could not be written.
    #[error("cannot create the probe's scratch crate: {0}")]
    Scratch(#[from] std::io::Error),
}

impl ProbeReport {
    /// The verdict for a combination (on the toolchain the probe tried it with).
    pub fn status(&self, backend: Backend, linker: Linker) -> Option<&Status> {
        self.candidates.iter().find(|c| c.backend == backend && c.linker == linker).map(|c| &c.status)
    }

    /// Whether a combination was verified to work.
    pub fn works(&self, backend: Backend, linker: Linker) -> bool {
        self.status(backend, linker) == Some(&Status::Works)
    }

    /// The toolchain verified to build with Cranelift (`None`: the app's own toolchain does,
    /// or none does: see [`ProbeReport::works`]).
    pub fn cranelift_toolchain(&self) -> Option<&str> {
        self.candidates
            .iter()
            .find(|c| c.backend == Backend::Cranelift && c.status == Status::Works)
            .and_then(|c| c.toolchain.as_deref())
    }

    /// Whether rustc's default linker is its own lld on `toolchain` (`None`: the app's own).
    pub fn default_linker_is_lld(&self, toolchain: Option<&str>) -> Option<bool> {
        match toolchain {
            None => self.active.default_linker_is_lld,
            Some(tc) => self
                .nightlies
                .iter()
                .find(|t| t.name.as_deref() == Some(tc))
                .and_then(|t| t.default_linker_is_lld),
        }
    }

    /// Whether `program` is in the probed `PATH`.
    pub fn has_tool(&self, program: &str) -> bool {
        self.tools.get(program).is_some_and(Option::is_some)
    }
}

/// A program's real path, size and modification time (seconds).
type ToolIdentity = (PathBuf, u64, u64);

/// Identity of the environment a report was made in.
#[derive(Debug, Serialize)]
struct CacheKey<'a> {
    schema: u32,
    path: String,
    tools: Vec<(String, Option<ToolIdentity>)>,
    active: &'a Toolchain,
    nightlies: &'a [Toolchain],
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    key: String,
    report: ProbeReport,
}

impl Probe {
    /// Probes (or reads the cached result for this exact toolchain and tool set).
    pub async fn run(&self) -> Result<ProbeReport, ProbeError> {
        let tools: BTreeMap<String, Option<PathBuf>> =
            TOOLS.iter().map(|t| (t.to_string(), which(t, &self.path))).collect();
        let cargo = tools["cargo"].clone().ok_or(ProbeError::NotFound("cargo"))?;
        let rustc = tools["rustc"].clone().ok_or(ProbeError::NotFound("rustc"))?;
        let rustup = tools["rustup"].clone();

        let (release, commit_date, host) = self.rustc_version(&rustc, None).await?;
        let shown = match &rustup {
            Some(rustup) => self.stdout(rustup, &["show", "active-toolchain"]).await.ok(),
            None => None,
        };
        let mut active = Toolchain {
            name: shown.as_deref().and_then(toolchain::parse_active_toolchain),
            release,
            commit_date,
            host: host.clone(),
            cranelift_component: false,
            default_linker_is_lld: None,
            pinned_by: shown
                .as_deref()
                .and_then(toolchain::parse_override)
                .filter(|pin| !toolchain::inherited_pin(pin)),
        };
        let mut nightlies = match &rustup {
            Some(rustup) => self.nightlies(rustup, &rustc, &mut active).await,
            None => Vec::new(),
        };
        if let (Some(rustup), Some(name), Some(pin)) = (&rustup, &active.name, &active.pinned_by)
            && active.is_nightly()
            && !active.cranelift_component
        {
            // The app pins a nightly: Cranelift only on it, so give it the component.
            tracing::info!(
                "adding rustc-codegen-cranelift-preview to {name} (pinned by {pin}) for faster debug builds"
            );
            let args = ["component", "add", "rustc-codegen-cranelift-preview", "--toolchain", name];
            match self.stdout(rustup, &args).await {
                Ok(_) => active.cranelift_component = true,
                Err(err) => tracing::info!("{name} has no Cranelift component ({err}): building with LLVM"),
            }
        }
        if active.pinned_by.is_some() {
            // Never build a pinned app with another toolchain than its own.
            nightlies.clear();
        }

        let key = cache_key(&self.path, &tools, &active, &nightlies);
        let cache_file = self.cache_dir.as_ref().map(|dir| dir.join(format!("probe-{}.json", &key[..16])));
        if let Some(report) = cache_file.as_deref().and_then(|file| read_cache(file, &key)) {
            return Ok(ProbeReport { from_cache: true, cache_file, ..report });
        }

        let mut verifier = Verifier::new(self.path.clone(), cargo, self.timeout)?;
        let candidates = verify_all(&mut verifier, &tools, &mut active, &mut nightlies).await;
        let report =
            ProbeReport { host, active, nightlies, tools, candidates, from_cache: false, cache_file };
        if let Some(file) = &report.cache_file {
            write_cache(file, &key, &report);
        }
        Ok(report)
    }

    /// The rustup nightlies (newest first), with whether each has the Cranelift component;
    /// also sets that flag on `active` when it is a nightly.
    async fn nightlies(&self, rustup: &Path, rustc: &Path, active: &mut Toolchain) -> Vec<Toolchain> {
        let mut nightlies = Vec::new();
        let list = self.stdout(rustup, &["toolchain", "list"]).await.unwrap_or_default();
        for name in toolchain::parse_toolchain_list(&list) {
            let is_active = Some(&name) == active.name.as_ref();
            let may_have_cranelift = name.starts_with("nightly") || (is_active && active.is_nightly());
            if !may_have_cranelift {
                continue;
            }
            let components = self
                .stdout(rustup, &["component", "list", "--installed", "--toolchain", &name])
                .await
                .unwrap_or_default();
            let cranelift = toolchain::lists_cranelift(&components);
            if is_active {
                active.cranelift_component = cranelift;
                continue;
            }
            let Ok((release, commit_date, host)) = self.rustc_version(rustc, Some(&name)).await else {
                continue;
            };
            let default_linker_is_lld = None;
            nightlies.push(Toolchain {
                name: Some(name),
                release,
                commit_date,
                host,
                cranelift_component: cranelift,
                default_linker_is_lld,
                pinned_by: None,
            });
        }
        // Newest first: the first that works is the one to use.
        nightlies.sort_by(|a, b| b.commit_date.cmp(&a.commit_date));
        nightlies
    }

    async fn rustc_version(
        &self,
        rustc: &Path,
        toolchain: Option<&str>,
    ) -> Result<(String, Option<String>, String), ProbeError> {
        let tc_arg = toolchain.map(|t| format!("+{t}"));
        let mut args: Vec<&str> = tc_arg.iter().map(String::as_str).collect();
        args.push("-vV");
        let text = self.stdout(rustc, &args).await?;
        toolchain::parse_rustc_version(&text).ok_or_else(|| ProbeError::Command {
            command: "rustc -vV".into(),
            detail: format!("unexpected output: {text}"),
        })
    }

    /// Runs a program with the probe's PATH in the project folder and returns its stdout.
    async fn stdout(&self, program: &Path, args: &[&str]) -> Result<String, ProbeError> {
        let mut cmd = Command::new(program);
        cmd.args(args).env("PATH", &self.path);
        if let Some(dir) = &self.project_dir {
            cmd.current_dir(dir);
        }
        let command = format!("{} {}", program.display(), args.join(" "));
        let out = process::output(cmd, self.timeout)
            .await
            .map_err(|e| ProbeError::Command { command: command.clone(), detail: e.to_string() })?;
        if !out.status.success() {
            let detail = String::from_utf8_lossy(&out.stderr).trim().to_owned();
            return Err(ProbeError::Command { command, detail });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Which toolchain a trial runs on: as cargo is told (`+name`: always, as the scratch crate has
/// no `rust-toolchain.toml`) and as the report records it (`None` for the app's own).
#[derive(Debug, Clone, Copy)]
struct On<'a> {
    plus: Option<&'a str>,
    record: Option<&'a str>,
}

/// The verdicts so far and what is needed to reach more.
struct Session<'a> {
    verifier: &'a mut Verifier,
    tools: &'a BTreeMap<String, Option<PathBuf>>,
    candidates: Vec<Candidate>,
}

/// Tries every linker with LLVM on the active toolchain, then Cranelift on the newest toolchain
/// that has it and works, with each linker that worked with LLVM.
async fn verify_all(
    verifier: &mut Verifier,
    tools: &BTreeMap<String, Option<PathBuf>>,
    active: &mut Toolchain,
    nightlies: &mut [Toolchain],
) -> Vec<Candidate> {
    let mut session = Session { verifier, tools, candidates: Vec::new() };
    let on_active = On { plus: active.name.as_deref(), record: None };
    let default = session.one(Backend::Llvm, on_active, Linker::RustcDefault, false).await;
    let default_is_lld = default.map(|bytes| contains(&bytes, b"LLD "));
    active.default_linker_is_lld = default_is_lld;
    for linker in &Linker::ALL[1..] {
        session.one(Backend::Llvm, on_active, *linker, default_is_lld.unwrap_or(false)).await;
    }
    let llvm_linkers: Vec<Linker> = session
        .candidates
        .iter()
        .filter(|c| c.status == Status::Works && c.linker != Linker::RustcDefault)
        .map(|c| c.linker)
        .collect();

    // The active toolchain itself (a pinned nightly), then other nightlies, newest first.
    let active_has = active.cranelift_component;
    let mut order: Vec<&mut Toolchain> = Vec::new();
    if active_has {
        order.push(active);
    }
    order.extend(nightlies.iter_mut().filter(|t| t.cranelift_component));
    if order.is_empty() {
        let need = if tools["rustup"].is_some() { "rustc-codegen-cranelift-preview" } else { "rustup" };
        session.candidates.push(Candidate {
            backend: Backend::Cranelift,
            linker: Linker::RustcDefault,
            toolchain: None,
            status: Status::Missing { need: vec![need.into()] },
        });
    }
    for (i, tc) in order.into_iter().enumerate() {
        let name = tc.name.clone();
        let on =
            On { plus: name.as_deref(), record: if i == 0 && active_has { None } else { name.as_deref() } };
        let Some(bytes) = session.one(Backend::Cranelift, on, Linker::RustcDefault, false).await else {
            continue;
        };
        let lld = contains(&bytes, b"LLD ");
        tc.default_linker_is_lld = Some(lld);
        for linker in &llvm_linkers {
            session.one(Backend::Cranelift, on, *linker, lld).await;
        }
        break;
    }
    session.candidates
}

impl Session<'_> {
    /// Verifies one combination, records it, and returns the test binary's bytes if it works.
    async fn one(
        &mut self,
        backend: Backend,
        on: On<'_>,
        linker: Linker,
        default_is_lld: bool,
    ) -> Option<Vec<u8>> {
        let need: Vec<String> = linker
            .tools()
            .iter()
            .filter(|t| self.tools.get(**t).is_none_or(Option::is_none))
            .map(|t| t.to_string())
            .collect();
        let record = |status| Candidate { backend, linker, toolchain: on.record.map(str::to_owned), status };
        if !need.is_empty() {
            self.candidates.push(record(Status::Missing { need }));
            return None;
        }
        let trial = Trial {
            toolchain: on.plus,
            backend,
            rustflags: linker.rustflags(default_is_lld),
            expect: [linker.signature(), backend.signature()].into_iter().flatten().collect(),
        };
        tracing::debug!(?backend, ?linker, toolchain = ?on.plus, "verifying");
        match self.verifier.check(&trial).await {
            Ok(bytes) => {
                self.candidates.push(record(Status::Works));
                Some(bytes)
            }
            Err(reason) => {
                self.candidates.push(record(Status::Broken { reason }));
                None
            }
        }
    }
}

fn cache_key(
    path: &OsString,
    tools: &BTreeMap<String, Option<PathBuf>>,
    active: &Toolchain,
    nightlies: &[Toolchain],
) -> String {
    let identify = |p: &PathBuf| {
        let real = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let meta = std::fs::metadata(&real).ok();
        let mtime = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        (real, meta.map_or(0, |m| m.len()), mtime)
    };
    let key = CacheKey {
        schema: CACHE_SCHEMA,
        path: path.to_string_lossy().into_owned(),
        tools: tools.iter().map(|(name, p)| (name.clone(), p.as_ref().map(identify))).collect(),
        active,
        nightlies,
    };
    let json = serde_json::to_vec(&key).unwrap_or_default();
    blake3::hash(&json).to_hex().to_string()
}

fn read_cache(file: &Path, key: &str) -> Option<ProbeReport> {
    let text = std::fs::read_to_string(file).ok()?;
    let cached: CacheFile = serde_json::from_str(&text).ok()?;
    (cached.key == key).then_some(cached.report)
}

fn write_cache(file: &Path, key: &str, report: &ProbeReport) {
    let write = || -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let cached = CacheFile { key: key.to_owned(), report: report.clone() };
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&cached)?)?;
        std::fs::rename(tmp, file)
    };
    if let Err(err) = write() {
        tracing::warn!(file = %file.display(), %err, "could not cache the toolchain probe");
    }
}

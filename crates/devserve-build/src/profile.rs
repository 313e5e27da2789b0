//! The build profile: how devserve runs `cargo build`, chosen from what the probe verified and
//! expressed only as cargo arguments, `+toolchain` and environment (the user's files are never
//! edited). Each profile builds into `target/devserve/<name>`, so switching profiles or running a
//! plain `cargo build` in between does not throw a cache away.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::doctor::short;
use crate::fallback::FallbackMemory;
use crate::linker::{Backend, Linker};
use crate::no_cdylib::WORKSPACE_WRAPPER;
use crate::probe::ProbeReport;
use crate::recipe::Recipe;
use crate::rustflags::{self, Placement};

/// The `--fast` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum FastMode {
    /// The fastest verified combination, Cranelift on a nightly included (`--fast=auto`).
    #[default]
    Auto,
    /// The fastest combination on the app's own toolchain with LLVM (`--fast=llvm`).
    Llvm,
    /// Exactly `cargo build` (`--fast=off`).
    Off,
}

impl FromStr for FastMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" | "on" => Ok(FastMode::Auto),
            "llvm" => Ok(FastMode::Llvm),
            "off" => Ok(FastMode::Off),
            other => Err(format!("unknown --fast value `{other}` (expected auto, llvm or off)")),
        }
    }
}

impl fmt::Display for FastMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FastMode::Auto => "auto",
            FastMode::Llvm => "llvm",
            FastMode::Off => "off",
        })
    }
}

/// Linkers from fastest to slowest for an incremental rebuild, when rustc's default is its own
/// rust-lld (x86_64 Linux since Rust 1.90). Measured by `devserve bench` (README, Performance): on
/// the real-sized app, Cranelift with devserve's levers, mold 3.79 s and wild 3.72 s against
/// 4.06 s for rust-lld (means of 5 interleaved runs; another run: mold 4.52 s against 4.82 s by
/// median); on the small example all three are within the noise (mold 1.28 s, rust-lld 1.30 s).
/// mold comes first (mature, and within wild's deviation), rust-lld needs nothing installed.
pub const LINKER_PREFERENCE: [Linker; 5] =
    [Linker::Mold, Linker::Wild, Linker::RustcDefault, Linker::ClangLld, Linker::SystemLld];

/// The same where rustc's default is the system linker through `cc` (usually GNU ld, much slower).
pub const LINKER_PREFERENCE_WITHOUT_RUST_LLD: [Linker; 5] =
    [Linker::Mold, Linker::Wild, Linker::ClangLld, Linker::SystemLld, Linker::RustcDefault];

/// Profile settings every fast profile uses: no debug info. Full debug info makes a Leptos
/// server binary over a gigabyte and its link the slowest step; on the example app (median of 7
/// rebuilds) LLVM went from 2.25 s (plain) to 1.34 s with line tables only and 1.24 s with none,
/// Cranelift to 1.43 s and 1.21 s. Panic messages keep their `file:line` (it is not debug info);
/// backtrace frames show function names without lines, and debuggers see no variables:
/// [`BuildProfile::with_debug_info`] (`--debug-info`) gives the app's own crates full debug info.
pub const FAST_SETTINGS: [&str; 1] = ["profile.dev.debug=false"];

/// The rebuild levers every fast profile adds to [`FAST_SETTINGS`], each measured on its own on
/// the real-sized benchmark app (README.md, Performance) before it was adopted:
///
/// - proc macros and build scripts compiled optimized (`build-override`): a rebuild after a
///   one-word `view!` edit expands every `view!` and `#[server]` of the crate again, and debug
///   builds of `leptos_macro` and `syn` spend most of the expansion time; under Cranelift they
///   are compiled by LLVM, which optimizes better. At opt-level 1, not 3: on the real-sized app
///   the rebuild took 3.86 s against 4.07 s and the first build 167 s against 231 s (plain
///   cargo: 119 s);
/// - the server build does not link the library's `cdylib` ([`ProfileOptions::no_cdylib`]);
/// - with Cranelift, which builds with a nightly cargo: cargo's `-Zno-embed-metadata`, so the
///   app's rlib no longer carries a second copy of its metadata (3.55 s against 3.87 s on the
///   real-sized app; a cargo without it warns of an unused key and builds as before).
///
/// Returns the `--config` settings for `backend`.
pub fn lever_settings(backend: Backend) -> Vec<String> {
    let mut settings = vec!["profile.dev.build-override.opt-level=1".to_owned()];
    if backend == Backend::Cranelift {
        settings.push(r#"profile.dev.build-override.codegen-backend="llvm""#.to_owned());
        settings.push("unstable.no-embed-metadata=true".to_owned());
    }
    settings
}

/// The no-cdylib lever's environment for a server build, with why, or `None` when the app has no
/// such library or the user runs workspace crates through a wrapper of their own (kept).
pub(crate) fn no_cdylib_env(options: &ProfileOptions) -> Option<((String, String), String)> {
    let wrapper = options.no_cdylib.as_ref()?;
    if options.env.iter().any(|(key, _)| key == WORKSPACE_WRAPPER) {
        return None;
    }
    Some((
        (WORKSPACE_WRAPPER.to_owned(), wrapper.display().to_string()),
        "the library's cdylib is not linked for the server (only the wasm front end uses it)".to_owned(),
    ))
}

/// Which crates a profile builds with debug info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebugInfo {
    /// As the app's manifest sets it (cargo's default: full), as plain `cargo build`.
    AsTheAppSets,
    /// None ([`FAST_SETTINGS`]): panics keep their `file:line`, a debugger sees no lines.
    Off,
    /// Full debug info for the app's own packages (`--debug-info`), none for its dependencies.
    AppOnly {
        /// The packages, by name.
        packages: Vec<String>,
        /// They build with LLVM while the rest builds with Cranelift: Cranelift's DWARF has line
        /// tables but no variables (nightly-2025-12-01: `info locals` says "No locals").
        llvm: bool,
    },
}

impl fmt::Display for DebugInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DebugInfo::AsTheAppSets => f.write_str("as the app's Cargo.toml sets it (cargo's default: full)"),
            DebugInfo::Off => f.write_str(
                "none (panics keep file:line; `--debug-info` gives the app's own crates full debug info)",
            ),
            DebugInfo::AppOnly { packages, llvm } => {
                write!(f, "full for {}", packages.join(", "))?;
                if *llvm {
                    f.write_str(" (built with LLVM: Cranelift's debug info has no variables)")?;
                }
                f.write_str(", none for dependencies")
            }
        }
    }
}

/// What [`choose_profile`] needs to know besides the probe.
#[derive(Debug, Clone, Default)]
pub struct ProfileOptions {
    /// `--fast`.
    pub mode: FastMode,
    /// The app's folder (where cargo runs: its `.cargo/config.toml` files count).
    pub manifest_dir: PathBuf,
    /// The environment cargo will see (`std::env::vars().collect()`), for the user's rustflags.
    pub env: Vec<(String, String)>,
    /// Where apps that fell back from Cranelift are remembered (`None`: nowhere).
    pub fallback_memory: Option<FallbackMemory>,
    /// rustflags the app's build needs whatever the profile (cargo-leptos's
    /// `--cfg erase_components` in dev builds), merged with the user's own like the profile's.
    pub extra_rustflags: Vec<String>,
    /// The no-cdylib wrapper ([`crate::write_no_cdylib_wrapper`]), for an app whose library is
    /// a `cdylib` only for its wasm front end: fast server builds skip that link.
    pub no_cdylib: Option<PathBuf>,
}

/// How to run `cargo build`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildProfile {
    /// `off`, or `<backend>-<linker>` (`cranelift-mold`); also the target subfolder.
    pub name: String,
    /// The `--fast` mode it was chosen for.
    pub mode: FastMode,
    /// Code generator.
    pub backend: Backend,
    /// Linker.
    pub linker: Linker,
    /// `cargo +toolchain` (a nightly for Cranelift), `None` for the app's own toolchain.
    pub toolchain: Option<String>,
    /// The host target triple, when known.
    pub host: Option<String>,
    /// Arguments after `cargo build` (`-Zcodegen-backend`, `--config ..`).
    pub cargo_args: Vec<String>,
    /// Environment for cargo (only when the user's own rustflags come from the environment).
    pub env: Vec<(String, String)>,
    /// Which crates get debug info.
    pub debug_info: DebugInfo,
    /// Why this profile, one line each (for `devserve doctor`).
    pub reasons: Vec<String>,
    /// To print once at start (building with a nightly the user did not pin, a fall-back).
    pub notice: Option<String>,
    /// The LLVM profile to switch to if Cranelift cannot build this app.
    pub llvm_fallback: Option<Box<BuildProfile>>,
    /// Where such a switch is remembered.
    pub fallback_memory: Option<FallbackMemory>,
}

impl BuildProfile {
    /// Exactly `cargo build`.
    pub fn plain() -> Self {
        BuildProfile {
            name: "off".into(),
            mode: FastMode::Off,
            backend: Backend::Llvm,
            linker: Linker::RustcDefault,
            toolchain: None,
            host: None,
            cargo_args: vec![],
            env: vec![],
            debug_info: DebugInfo::AsTheAppSets,
            reasons: vec!["--fast=off: plain `cargo build`".into()],
            notice: None,
            llvm_fallback: None,
            fallback_memory: None,
        }
    }

    /// `<cargo_target_dir>/devserve/<name>`. Even `off` builds apart from the user's own
    /// `cargo build`: devserve sets `LEPTOS_WATCH`, which Leptos reads with `option_env!`, so
    /// sharing a folder would rebuild Leptos and everything above it at every switch.
    pub fn target_dir(&self, cargo_target_dir: &Path) -> PathBuf {
        cargo_target_dir.join("devserve").join(&self.name)
    }

    /// The cargo command line this profile runs (without the runner's own arguments).
    pub fn command_line(&self) -> String {
        let mut line = String::from("cargo");
        if let Some(tc) = &self.toolchain {
            let _ = write!(line, " +{tc}");
        }
        line.push_str(" build");
        for arg in &self.cargo_args {
            let _ = write!(line, " {}", shell_quote(arg));
        }
        let env: Vec<String> =
            self.env.iter().map(|(k, v)| format!("{k}={}", v.replace('\u{1f}', "\\x1f"))).collect();
        if env.is_empty() { line } else { format!("{} {line}", env.join(" ")) }
    }

    /// A few lines for `devserve doctor` and the start-up log.
    pub fn describe(&self) -> String {
        let mut out =
            format!("profile {} (--fast={}): {} + {}", self.name, self.mode, self.backend, self.linker);
        if let Some(tc) = &self.toolchain {
            let _ = write!(out, " on +{}", self.host.as_deref().map_or(tc.as_str(), |host| short(tc, host)));
        }
        let _ = write!(out, "\n  command: {}", self.command_line());
        let _ = write!(out, "\n  debug info: {}", self.debug_info);
        for reason in &self.reasons {
            let _ = write!(out, "\n  - {reason}");
        }
        if let Some(fallback) = &self.llvm_fallback {
            let _ = write!(out, "\n  if Cranelift cannot build the app: {}", fallback.name);
        }
        out
    }

    /// `--debug-info`: full debug info for the app's own `packages` (per-package profile
    /// overrides), none for its dependencies, so a rebuild after an edit stays as fast as the
    /// profile's and a debugger sees the app's lines and variables. On a Cranelift profile those
    /// packages build with LLVM (Cranelift's DWARF has line tables but no variables); the
    /// dependencies keep Cranelift. The name, and so the target folder, stay the same: only the
    /// app's crates are rebuilt when the flag is switched. A profile that already builds
    /// everything with the app's own debug info and LLVM (`--fast=off`) is left as it is.
    ///
    /// ```
    /// use devserve_build::{BuildProfile, DebugInfo};
    ///
    /// let profile = BuildProfile { debug_info: DebugInfo::Off, ..BuildProfile::plain() }
    ///     .with_debug_info(&["my-app".to_owned()]);
    /// assert_eq!(profile.cargo_args, ["--config", "profile.dev.package.my-app.debug=true"]);
    /// ```
    pub fn with_debug_info(mut self, packages: &[String]) -> Self {
        let llvm = self.backend == Backend::Cranelift;
        if packages.is_empty() || (self.debug_info == DebugInfo::AsTheAppSets && !llvm) {
            return self;
        }
        let mut own: Vec<String> = Vec::new();
        for package in packages {
            if !own.contains(package) {
                own.push(package.clone());
            }
        }
        for package in &own {
            let key = format!("profile.dev.package.{}", toml_key(package));
            self.cargo_args.extend(["--config".to_owned(), format!("{key}.debug=true")]);
            if llvm {
                self.cargo_args.extend(["--config".to_owned(), format!(r#"{key}.codegen-backend="llvm""#)]);
            }
        }
        self.debug_info = DebugInfo::AppOnly { packages: own, llvm };
        self.llvm_fallback = self.llvm_fallback.map(|fallback| Box::new(fallback.with_debug_info(packages)));
        self
    }
}

/// `key` as one TOML key: bare when it can be, quoted otherwise.
fn toml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        key.to_owned()
    } else {
        format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The fastest verified profile for `options`.
pub fn choose_profile(report: &ProbeReport, options: &ProfileOptions) -> BuildProfile {
    if options.mode == FastMode::Off {
        return BuildProfile { host: Some(report.host.clone()), ..plain_profile(options) };
    }
    let llvm = profile_for(report, options, Backend::Llvm, None);
    if options.mode == FastMode::Llvm {
        let mut llvm = llvm;
        llvm.reasons.insert(0, "--fast=llvm: Cranelift not considered".into());
        return llvm;
    }
    let memory = options.fallback_memory.as_ref();
    if let Some(reason) = memory.and_then(|m| m.reason(&options.manifest_dir)) {
        let mut llvm = llvm;
        let line = format!("Cranelift could not build this app before ({reason}): LLVM");
        llvm.reasons.insert(0, line);
        return llvm;
    }
    if !report.works(Backend::Cranelift, Linker::RustcDefault) {
        let mut llvm = llvm;
        llvm.reasons.insert(0, "Cranelift: not available (see the probe)".into());
        return llvm;
    }
    let mut cranelift = profile_for(report, options, Backend::Cranelift, None);
    cranelift.reasons.insert(
        0,
        "Cranelift: verified to work here; it generates debug code faster than LLVM (shorter clean builds). \
         Not measured on this app: `devserve bench --save` measures every profile on it and devserve then \
         uses the fastest"
            .into(),
    );
    if let Some(tc) = &cranelift.toolchain {
        cranelift.notice = Some(format!(
            "devserve: building with {} for the Cranelift backend (this app's toolchain is {}); \
             `--fast=llvm` builds with your own toolchain",
            short(tc, &report.host),
            report.active.short_name()
        ));
    }
    cranelift.llvm_fallback = Some(Box::new(llvm));
    cranelift.fallback_memory = options.fallback_memory.clone();
    cranelift
}

/// The profile for one combination, e.g. to benchmark it; `None` unless the probe verified it.
pub fn profile_with(
    report: &ProbeReport,
    options: &ProfileOptions,
    backend: Backend,
    linker: Linker,
) -> Option<BuildProfile> {
    if options.mode == FastMode::Off || !report.works(backend, linker) {
        return None;
    }
    Some(profile_for(report, options, backend, Some(linker)))
}

/// [`Recipe::fast`] for `backend` and `linker` (`None`: the first of devserve's order that the
/// probe verified), with the reason for the linker first.
fn profile_for(
    report: &ProbeReport,
    options: &ProfileOptions,
    backend: Backend,
    linker: Option<Linker>,
) -> BuildProfile {
    let (linker, why) = match linker {
        Some(linker) => (linker, format!("linker: {linker}, as asked")),
        None => {
            let toolchain = match backend {
                Backend::Llvm => None,
                Backend::Cranelift => report.cranelift_toolchain(),
            };
            let order = if report.default_linker_is_lld(toolchain) == Some(true) {
                LINKER_PREFERENCE
            } else {
                LINKER_PREFERENCE_WITHOUT_RUST_LLD
            };
            let linker =
                order.into_iter().find(|l| report.works(backend, *l)).unwrap_or(Linker::RustcDefault);
            let names: Vec<&str> = order.iter().map(|l| l.name()).collect();
            (
                linker,
                format!("linker: {linker}, the fastest that works here (in order: {})", names.join(", ")),
            )
        }
    };
    match Recipe::fast(backend, linker).profile(report, options) {
        Ok(mut profile) => {
            profile.reasons.insert(0, why);
            profile
        }
        // Callers ask only for what the probe verified; should that change, build plainly.
        Err(reason) => {
            let mut plain = BuildProfile { host: Some(report.host.clone()), ..plain_profile(options) };
            plain.reasons.insert(0, format!("{backend} + {linker}: {reason}: plain cargo"));
            plain
        }
    }
}

/// Exactly `cargo build` plus `options.extra_rustflags` (merged with the user's): `--fast=off`,
/// or when the probe failed.
pub fn plain_profile(options: &ProfileOptions) -> BuildProfile {
    let mut plain = BuildProfile::plain();
    plain.add_rustflags(&options.extra_rustflags, options);
    plain
}

/// The profile of a Leptos app's wasm front end: the app's own toolchain with LLVM (Cranelift has
/// no wasm backend) and rustc's default wasm linker, no debug info (DWARF makes the debug wasm
/// several times larger and wasm-bindgen slower), plus `options.extra_rustflags` merged with the
/// user's. Named `front` (its target folder; `front-off` with `--fast=off`, which keeps debug info).
pub fn front_profile(options: &ProfileOptions, debug_info: bool) -> BuildProfile {
    let mut profile = BuildProfile {
        // Its own folder per settings, so that switching `--fast` does not rebuild every crate.
        name: if options.mode == FastMode::Off { "front-off".into() } else { "front".into() },
        mode: options.mode,
        reasons: vec!["wasm front end: the app's toolchain, LLVM, rustc's wasm linker".into()],
        ..BuildProfile::plain()
    };
    if !debug_info && options.mode != FastMode::Off {
        profile.cargo_args.extend(["--config".to_owned(), "profile.dev.debug=false".to_owned()]);
        profile.debug_info = DebugInfo::Off;
    }
    if options.mode != FastMode::Off {
        for setting in lever_settings(Backend::Llvm) {
            profile.cargo_args.extend(["--config".to_owned(), setting]);
        }
    }
    profile.add_rustflags(&options.extra_rustflags, options);
    profile
}

impl BuildProfile {
    /// Adds rustflags the way [`rustflags::place`] says, keeping the user's.
    pub(crate) fn add_rustflags(&mut self, flags: &[String], options: &ProfileOptions) {
        match rustflags::place(flags, &options.manifest_dir, &options.env) {
            Some(Placement::Config(value)) => self.cargo_args.extend(["--config".to_owned(), value]),
            Some(Placement::Env(key, value)) => {
                self.reasons
                    .push(format!("your rustflags come from the environment: kept, {key} extends them"));
                self.env.push((key, value));
            }
            None => {}
        }
    }
}

/// `arg` as a POSIX shell word.
fn shell_quote(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=.,/:+@".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Candidate, Status};
    use crate::toolchain::Toolchain;

    const HOST: &str = "x86_64-unknown-linux-gnu";
    const NIGHTLY: &str = "nightly-2025-12-01-x86_64-unknown-linux-gnu";

    fn toolchain(name: &str, release: &str, default_is_lld: bool) -> Toolchain {
        Toolchain {
            name: Some(name.into()),
            release: release.into(),
            commit_date: None,
            host: HOST.into(),
            cranelift_component: release.contains("nightly"),
            default_linker_is_lld: Some(default_is_lld),
            pinned_by: None,
        }
    }

    /// A report where exactly `working` combinations work, on x86_64 Linux (rustc links with
    /// its own lld by default).
    fn report(working: &[(Backend, Linker)]) -> ProbeReport {
        report_with(working, true)
    }

    fn report_with(working: &[(Backend, Linker)], default_is_lld: bool) -> ProbeReport {
        let mut candidates = Vec::new();
        for backend in [Backend::Llvm, Backend::Cranelift] {
            for linker in Linker::ALL {
                let status = if working.contains(&(backend, linker)) {
                    Status::Works
                } else {
                    Status::Missing { need: vec![linker.name().into()] }
                };
                let toolchain = (backend == Backend::Cranelift).then(|| NIGHTLY.to_owned());
                candidates.push(Candidate { backend, linker, toolchain, status });
            }
        }
        ProbeReport {
            host: HOST.into(),
            active: toolchain("stable-x86_64-unknown-linux-gnu", "1.95.0", default_is_lld),
            nightlies: vec![toolchain(NIGHTLY, "1.93.0-nightly", default_is_lld)],
            tools: Default::default(),
            candidates,
            from_cache: false,
            cache_file: None,
        }
    }

    fn options(mode: FastMode, env: &[(&str, &str)]) -> ProfileOptions {
        ProfileOptions {
            mode,
            manifest_dir: std::env::temp_dir().join("devserve-no-such-app"),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            fallback_memory: None,
            extra_rustflags: Vec::new(),
            no_cdylib: None,
        }
    }

    use Backend::{Cranelift, Llvm};
    use Linker::{ClangLld, Mold, RustcDefault};

    #[test]
    fn picks_the_fastest_verified_combination() {
        let check = |working: &[(Backend, Linker)], default_is_lld: bool, mode: FastMode, expected: &str| {
            let profile = choose_profile(&report_with(working, default_is_lld), &options(mode, &[]));
            assert_eq!(profile.name, expected, "{working:?} {mode}");
        };
        let all = [(Llvm, RustcDefault), (Llvm, Mold), (Cranelift, RustcDefault), (Cranelift, Mold)];
        // mold first, wherever it works; then rustc's own lld where it is the default.
        check(&all, true, FastMode::Auto, "cranelift-mold");
        check(&all, true, FastMode::Llvm, "llvm-mold");
        check(&all, true, FastMode::Off, "off");
        check(&all, false, FastMode::Auto, "cranelift-mold");
        check(&all, false, FastMode::Llvm, "llvm-mold");
        let without_mold = [(Llvm, RustcDefault), (Llvm, ClangLld), (Cranelift, RustcDefault)];
        check(&without_mold, true, FastMode::Auto, "cranelift-default");
        check(&without_mold, true, FastMode::Llvm, "llvm-default");
        // Where rustc's default is GNU ld through cc, any lld goes before it.
        check(&[(Llvm, RustcDefault), (Llvm, ClangLld)], false, FastMode::Auto, "llvm-clang-lld");
        check(&[(Llvm, ClangLld), (Llvm, Mold)], true, FastMode::Auto, "llvm-mold");
    }

    #[test]
    fn cranelift_profile_is_cargo_arguments_only() {
        let working = [(Llvm, Mold), (Cranelift, RustcDefault), (Cranelift, Mold)];
        let profile = choose_profile(&report_with(&working, false), &options(FastMode::Auto, &[]));
        assert_eq!(profile.toolchain.as_deref(), Some(NIGHTLY));
        assert_eq!(
            profile.command_line(),
            r#"cargo +nightly-2025-12-01-x86_64-unknown-linux-gnu build -Zcodegen-backend --config 'profile.dev.codegen-backend="cranelift"' --config profile.dev.debug=false --config profile.dev.build-override.opt-level=1 --config 'profile.dev.build-override.codegen-backend="llvm"' --config unstable.no-embed-metadata=true --config 'build.rustflags=["-C","link-arg=-fuse-ld=mold"]'"#
        );
        assert!(profile.env.is_empty());
        let notice = profile.notice.as_deref().unwrap();
        assert!(notice.contains("nightly-2025-12-01") && notice.contains("stable"), "{notice}");
        assert_eq!(profile.llvm_fallback.as_ref().map(|p| p.name.as_str()), Some("llvm-mold"));
    }

    #[test]
    fn the_no_cdylib_lever_is_a_workspace_wrapper_unless_the_user_has_one() {
        let working = [(Llvm, Mold)];
        let with_wrapper = |env: &[(&str, &str)], mode| ProfileOptions {
            no_cdylib: Some(PathBuf::from("/t/devserve/tools/rustc-no-cdylib.sh")),
            ..options(mode, env)
        };
        let fast = choose_profile(&report(&working), &with_wrapper(&[], FastMode::Auto));
        assert_eq!(
            fast.env,
            [("RUSTC_WORKSPACE_WRAPPER".to_owned(), "/t/devserve/tools/rustc-no-cdylib.sh".to_owned())]
        );
        assert!(fast.reasons.iter().any(|r| r.contains("cdylib is not linked")), "{:?}", fast.reasons);
        // The user's own wrapper is kept: no lever then.
        let theirs = choose_profile(
            &report(&working),
            &with_wrapper(&[("RUSTC_WORKSPACE_WRAPPER", "/usr/bin/mine")], FastMode::Auto),
        );
        assert!(theirs.env.is_empty(), "{:?}", theirs.env);
        // `--fast=off` is exactly `cargo build`; the wasm front end is built for another target.
        let off = choose_profile(&report(&working), &with_wrapper(&[], FastMode::Off));
        assert!(off.env.is_empty() && off.cargo_args.is_empty());
        let front = front_profile(&with_wrapper(&[], FastMode::Auto), false);
        assert!(front.env.is_empty());
        assert!(front.cargo_args.contains(&"profile.dev.build-override.opt-level=1".to_owned()));
    }

    #[test]
    fn user_rustflags_are_preserved() {
        let working = [(Llvm, Mold)];
        let profile =
            choose_profile(&report(&working), &options(FastMode::Llvm, &[("RUSTFLAGS", "--cfg user_flag")]));
        let encoded =
            "--cfg user_flag -C linker-features=-lld -C link-arg=-fuse-ld=mold".replace(' ', "\u{1f}");
        assert_eq!(profile.env, [("CARGO_ENCODED_RUSTFLAGS".to_owned(), encoded)]);
        assert!(!profile.cargo_args.iter().any(|a| a.contains("rustflags")), "{:?}", profile.cargo_args);
        // Off passes nothing of its own, so nothing of the user's can be lost.
        let off =
            choose_profile(&report(&working), &options(FastMode::Off, &[("RUSTFLAGS", "--cfg user_flag")]));
        assert!(off.env.is_empty() && off.cargo_args.is_empty());
    }

    #[test]
    fn remembered_fallback_means_llvm() {
        let dir = tempfile::tempdir().unwrap();
        let memory = FallbackMemory::in_dir(dir.path());
        let mut opts = options(FastMode::Auto, &[]);
        opts.fallback_memory = Some(memory.clone());
        memory.remember(&opts.manifest_dir, "ring failed").unwrap();
        let profile =
            choose_profile(&report(&[(Llvm, Mold), (Cranelift, Mold), (Cranelift, RustcDefault)]), &opts);
        assert_eq!(profile.name, "llvm-mold");
        assert!(profile.reasons[0].contains("ring failed"), "{:?}", profile.reasons);
        assert_eq!(profile.toolchain, None);
    }

    fn own(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn debug_info_on_cranelift_builds_the_apps_crates_with_llvm_and_keeps_the_folder() {
        let working = [(Llvm, RustcDefault), (Cranelift, RustcDefault)];
        let fast = choose_profile(&report(&working), &options(FastMode::Auto, &[]));
        assert_eq!(fast.debug_info, DebugInfo::Off);
        // The bin and lib packages of a one-package app are one package: named once.
        let profile = fast.clone().with_debug_info(&own(&["leptos-app", "leptos-app"]));
        assert_eq!(
            profile.command_line(),
            r#"cargo +nightly-2025-12-01-x86_64-unknown-linux-gnu build -Zcodegen-backend --config 'profile.dev.codegen-backend="cranelift"' --config profile.dev.debug=false --config profile.dev.build-override.opt-level=1 --config 'profile.dev.build-override.codegen-backend="llvm"' --config unstable.no-embed-metadata=true --config profile.dev.package.leptos-app.debug=true --config 'profile.dev.package.leptos-app.codegen-backend="llvm"'"#
        );
        assert_eq!(profile.debug_info, DebugInfo::AppOnly { packages: own(&["leptos-app"]), llvm: true });
        assert_eq!(profile.target_dir(Path::new("/t")), fast.target_dir(Path::new("/t")));
        let described = profile.describe();
        assert!(
            described.contains("debug info: full for leptos-app (built with LLVM: Cranelift's debug info has no variables), none for dependencies"),
            "{described}"
        );
        // The LLVM fall-back gets the same crates' debug info, without the backend override.
        let fallback = profile.llvm_fallback.unwrap();
        assert_eq!(
            fallback.cargo_args,
            [
                "--config",
                "profile.dev.debug=false",
                "--config",
                "profile.dev.build-override.opt-level=1",
                "--config",
                "profile.dev.package.leptos-app.debug=true"
            ]
        );
        assert_eq!(fallback.debug_info, DebugInfo::AppOnly { packages: own(&["leptos-app"]), llvm: false });
    }

    #[test]
    fn debug_info_on_llvm_names_every_own_package() {
        let fast = choose_profile(&report(&[(Llvm, Mold)]), &options(FastMode::Llvm, &[]));
        let profile = fast.with_debug_info(&own(&["server", "front", "app_core", "wëird"]));
        let overrides: Vec<&str> =
            profile.cargo_args.iter().map(String::as_str).filter(|a| a.contains(".package.")).collect();
        assert_eq!(
            overrides,
            [
                "profile.dev.package.server.debug=true",
                "profile.dev.package.front.debug=true",
                "profile.dev.package.app_core.debug=true",
                r#"profile.dev.package."wëird".debug=true"#,
            ]
        );
        assert_eq!(profile.name, "llvm-mold");
    }

    #[test]
    fn debug_info_leaves_plain_cargo_and_an_empty_list_alone() {
        let plain = choose_profile(&report(&[]), &options(FastMode::Off, &[]));
        assert_eq!(plain.clone().with_debug_info(&own(&["leptos-app"])), plain);
        assert!(
            plain.describe().contains("debug info: as the app's Cargo.toml sets it"),
            "{}",
            plain.describe()
        );
        let fast = choose_profile(&report(&[(Llvm, Mold)]), &options(FastMode::Auto, &[]));
        assert_eq!(fast.clone().with_debug_info(&[]), fast);
        assert!(fast.describe().contains("debug info: none (panics keep file:line; `--debug-info`"));
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("-Zcodegen-backend"), "-Zcodegen-backend");
        assert_eq!(
            shell_quote(r#"target.'cfg(all())'.rustflags=[]"#),
            r#"'target.'\''cfg(all())'\''.rustflags=[]'"#
        );
    }

    #[test]
    fn fast_mode_parses() {
        assert_eq!("off".parse(), Ok(FastMode::Off));
        assert_eq!("auto".parse(), Ok(FastMode::Auto));
        assert_eq!("llvm".parse(), Ok(FastMode::Llvm));
        assert!("turbo".parse::<FastMode>().is_err());
    }

    #[test]
    fn target_dirs_are_per_profile() {
        let profile = choose_profile(&report(&[(Llvm, Mold)]), &options(FastMode::Llvm, &[]));
        assert_eq!(profile.target_dir(Path::new("/w/target")), Path::new("/w/target/devserve/llvm-mold"));
        assert_eq!(
            BuildProfile::plain().target_dir(Path::new("/w/target")),
            Path::new("/w/target/devserve/off")
        );
    }
}

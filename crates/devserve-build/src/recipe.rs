//! A build profile described by its parts (backend, linker, debug info, more settings), so that
//! `devserve bench` can build every combination and control row the probe allows, and the winner
//! it saves can be turned back into a [`BuildProfile`] by the next session.

use serde::{Deserialize, Serialize};

use crate::linker::{Backend, Linker};
use crate::probe::{ProbeReport, Status};
use crate::profile::{BuildProfile, DebugInfo, FAST_SETTINGS, ProfileOptions, lever_settings, no_cdylib_env};

/// The parts of a build profile.
///
/// ```
/// use devserve_build::{Backend, Linker, Recipe};
///
/// let control = Recipe { name: "off-nodebug".into(), debug_info: false, ..Recipe::plain() };
/// assert_eq!(Recipe::fast(Backend::Cranelift, Linker::Mold).name, "cranelift-mold");
/// assert!(control.settings.is_empty() && !control.is_plain());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Recipe {
    /// The profile's name, also its target subfolder (`target/devserve/<name>`).
    pub name: String,
    /// Code generator.
    pub backend: Backend,
    /// Linker.
    pub linker: Linker,
    /// Keep the app's own debug-info setting (`true`, as `cargo build`), or build without debug
    /// info (`false`: `profile.dev.debug=false`, as every fast profile).
    pub debug_info: bool,
    /// More `--config KEY=VALUE` settings (`profile.dev.codegen-units=64`).
    #[serde(default)]
    pub settings: Vec<String>,
    /// More rustflags, merged with the user's like the linker's (`-Zshare-generics=y`).
    #[serde(default)]
    pub rustflags: Vec<String>,
    /// More environment for cargo (`RUSTC_BOOTSTRAP=1` for `-Z` flags on a stable toolchain).
    #[serde(default)]
    pub env: Vec<(String, String)>,
    /// Build on the nightly the probe verified for Cranelift even with LLVM (a control: LLVM on
    /// the same compiler as the Cranelift rows; or for `-Z` flags).
    #[serde(default)]
    pub nightly: bool,
    /// Add devserve's rebuild levers ([`lever_settings`]: proc macros optimized; no cdylib link
    /// where [`ProfileOptions::no_cdylib`] says so), as every fast profile of a session does.
    #[serde(default)]
    pub levers: bool,
}

impl Recipe {
    /// Exactly `cargo build` (devserve's `--fast=off`), named `off`.
    pub fn plain() -> Self {
        Recipe {
            name: "off".into(),
            backend: Backend::Llvm,
            linker: Linker::RustcDefault,
            debug_info: true,
            settings: Vec::new(),
            rustflags: Vec::new(),
            env: Vec::new(),
            nightly: false,
            levers: false,
        }
    }

    /// What [`crate::profile_with`] builds: `backend` + `linker`, no debug info, devserve's
    /// levers, named `<backend>-<linker>`.
    pub fn fast(backend: Backend, linker: Linker) -> Self {
        Recipe {
            name: format!("{}-{}", backend.name(), linker.name()),
            backend,
            linker,
            debug_info: false,
            levers: true,
            ..Recipe::plain()
        }
    }

    /// Whether this is exactly `cargo build`.
    pub fn is_plain(&self) -> bool {
        let Recipe { name: _, backend, linker, debug_info, settings, rustflags, env, nightly, levers } = self;
        !*nightly
            && !*levers
            && *backend == Backend::Llvm
            && *linker == Linker::RustcDefault
            && *debug_info
            && settings.is_empty()
            && rustflags.is_empty()
            && env.is_empty()
    }

    /// Whether the probe verified what this recipe needs: `Err` says why not (LLVM with rustc's
    /// default linker always works).
    pub fn usable(&self, report: &ProbeReport) -> Result<(), String> {
        if self.backend == Backend::Llvm && self.linker == Linker::RustcDefault {
            return Ok(());
        }
        match report.status(self.backend, self.linker) {
            Some(Status::Works) => Ok(()),
            Some(Status::Missing { need }) => Err(format!("not installed: {}", need.join(", "))),
            Some(Status::Broken { reason }) => Err(format!("test build failed: {reason}")),
            None if self.backend == Backend::Cranelift
                && !report.works(Backend::Cranelift, Linker::RustcDefault) =>
            {
                Err("no toolchain with the Cranelift backend works here".into())
            }
            None => Err("not verified by the probe".into()),
        }
    }

    /// The build profile, or why it cannot be used here. Nothing falls back: a Cranelift build
    /// that fails is reported as failed.
    pub fn profile(&self, report: &ProbeReport, options: &ProfileOptions) -> Result<BuildProfile, String> {
        self.usable(report)?;
        let toolchain = match self.backend {
            Backend::Llvm if !self.nightly => None,
            _ => report.cranelift_toolchain().map(str::to_owned),
        };
        if self.nightly && toolchain.is_none() && !report.active.is_nightly() {
            return Err("no nightly toolchain verified by the probe".into());
        }
        let default_is_lld = report.default_linker_is_lld(toolchain.as_deref());
        let mut cargo_args = self.backend.cargo_args();
        let mut settings: Vec<String> = Vec::new();
        if !self.debug_info {
            settings.extend(FAST_SETTINGS.map(str::to_owned));
        }
        if self.levers {
            settings.extend(lever_settings(self.backend));
        }
        for setting in settings.into_iter().chain(self.settings.iter().cloned()) {
            cargo_args.extend(["--config".to_owned(), setting]);
        }
        let mut flags = self.linker.rustflags(default_is_lld.unwrap_or(false));
        flags.extend(self.rustflags.iter().cloned());
        flags.extend(options.extra_rustflags.iter().cloned());
        let mut env = self.env.clone();
        let mut reasons = vec![self.describe()];
        if let Some((pair, why)) = no_cdylib_env(options).filter(|_| self.levers) {
            env.push(pair);
            reasons.push(why);
        }
        let mut profile = BuildProfile {
            name: self.name.clone(),
            mode: options.mode,
            backend: self.backend,
            linker: self.linker,
            toolchain,
            host: Some(report.host.clone()),
            cargo_args,
            env,
            debug_info: if self.debug_info { DebugInfo::AsTheAppSets } else { DebugInfo::Off },
            reasons,
            notice: None,
            llvm_fallback: None,
            fallback_memory: None,
        };
        profile.add_rustflags(&flags, options);
        Ok(profile)
    }

    /// One line: `Cranelift + mold, no debug info, --config profile.dev.codegen-units=64`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("{} + {}", self.backend, self.linker)];
        parts.push(if self.debug_info { "debug info as the app sets it" } else { "no debug info" }.into());
        if self.levers {
            parts.push("devserve's levers (proc macros optimized, no cdylib link)".into());
        }
        parts.extend(self.settings.iter().map(|s| format!("--config {s}")));
        parts.extend(self.rustflags.iter().map(|f| format!("rustflag {f}")));
        parts.extend(self.env.iter().map(|(k, v)| format!("{k}={v}")));
        if self.nightly && self.backend == Backend::Llvm {
            parts.push("on the nightly".into());
        }
        parts.join(", ")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::probe::Candidate;
    use crate::profile::{FastMode, profile_with};
    use crate::toolchain::Toolchain;

    const HOST: &str = "x86_64-unknown-linux-gnu";
    const NIGHTLY: &str = "nightly-2025-12-01-x86_64-unknown-linux-gnu";

    fn toolchain(name: &str, release: &str) -> Toolchain {
        Toolchain {
            name: Some(name.into()),
            release: release.into(),
            commit_date: None,
            host: HOST.into(),
            cranelift_component: release.contains("nightly"),
            default_linker_is_lld: Some(true),
            pinned_by: None,
        }
    }

    pub(crate) fn report(working: &[(Backend, Linker)]) -> ProbeReport {
        let mut candidates = Vec::new();
        for backend in [Backend::Llvm, Backend::Cranelift] {
            for linker in Linker::ALL {
                let status = if working.contains(&(backend, linker)) {
                    Status::Works
                } else if linker == Linker::Wild {
                    Status::Missing { need: vec!["wild".into()] }
                } else {
                    Status::Broken { reason: "it broke".into() }
                };
                let toolchain = (backend == Backend::Cranelift).then(|| NIGHTLY.to_owned());
                candidates.push(Candidate { backend, linker, toolchain, status });
            }
        }
        ProbeReport {
            host: HOST.into(),
            active: toolchain("stable-x86_64-unknown-linux-gnu", "1.95.0"),
            nightlies: vec![toolchain(NIGHTLY, "1.93.0-nightly")],
            tools: Default::default(),
            candidates,
            from_cache: false,
            cache_file: None,
        }
    }

    fn options() -> ProfileOptions {
        ProfileOptions {
            mode: FastMode::Auto,
            manifest_dir: std::env::temp_dir().join("devserve-no-such-app"),
            env: vec![],
            fallback_memory: None,
            extra_rustflags: vec!["--cfg".into(), "erase_components".into()],
            no_cdylib: None,
        }
    }

    #[test]
    fn fast_recipes_build_what_profile_with_builds() {
        let working = [
            (Backend::Llvm, Linker::Mold),
            (Backend::Cranelift, Linker::RustcDefault),
            (Backend::Cranelift, Linker::Mold),
        ];
        let report = report(&working);
        for (backend, linker) in working {
            let expected = profile_with(&report, &options(), backend, linker).unwrap();
            let got = Recipe::fast(backend, linker).profile(&report, &options()).unwrap();
            assert_eq!(got.command_line(), expected.command_line());
            assert_eq!((got.name, got.toolchain), (expected.name, expected.toolchain));
        }
    }

    #[test]
    fn plain_is_cargo_build_with_the_apps_flags() {
        let profile = Recipe::plain().profile(&report(&[]), &options()).unwrap();
        assert_eq!(
            profile.command_line(),
            r#"cargo build --config 'build.rustflags=["--cfg","erase_components"]'"#
        );
        assert!(Recipe::plain().is_plain());
        // The control with debug info off and nothing else: no lever.
        let nodebug = Recipe { name: "off-nodebug".into(), debug_info: false, ..Recipe::plain() };
        let with_wrapper = ProfileOptions { no_cdylib: Some("/w".into()), ..options() };
        let profile = nodebug.profile(&report(&[]), &with_wrapper).unwrap();
        assert_eq!(
            profile.command_line(),
            r#"cargo build --config profile.dev.debug=false --config 'build.rustflags=["--cfg","erase_components"]'"#
        );
        let fast =
            Recipe::fast(Backend::Llvm, Linker::RustcDefault).profile(&report(&[]), &with_wrapper).unwrap();
        assert_eq!(
            fast.command_line(),
            r#"RUSTC_WORKSPACE_WRAPPER=/w cargo build --config profile.dev.debug=false --config profile.dev.build-override.opt-level=1 --config 'build.rustflags=["--cfg","erase_components"]'"#
        );
    }

    #[test]
    fn unusable_recipes_say_why() {
        let report = report(&[(Backend::Llvm, Linker::Mold)]);
        let err = |recipe: Recipe| recipe.profile(&report, &options()).unwrap_err();
        assert_eq!(err(Recipe::fast(Backend::Llvm, Linker::Wild)), "not installed: wild");
        assert_eq!(err(Recipe::fast(Backend::Cranelift, Linker::Mold)), "test build failed: it broke");
    }

    #[test]
    fn extra_settings_and_flags_are_added() {
        let recipe = Recipe {
            name: "llvm-mold-cgu".into(),
            settings: vec!["profile.dev.codegen-units=64".into()],
            rustflags: vec!["-Zshare-generics=y".into()],
            env: vec![("RUSTC_BOOTSTRAP".into(), "1".into())],
            ..Recipe::fast(Backend::Llvm, Linker::Mold)
        };
        let profile = recipe.profile(&report(&[(Backend::Llvm, Linker::Mold)]), &options()).unwrap();
        assert_eq!(
            profile.command_line(),
            r#"RUSTC_BOOTSTRAP=1 cargo build --config profile.dev.debug=false --config profile.dev.build-override.opt-level=1 --config profile.dev.codegen-units=64 --config 'build.rustflags=["-C","linker-features=-lld","-C","link-arg=-fuse-ld=mold","-Zshare-generics=y","--cfg","erase_components"]'"#
        );
    }
}

//! The profile `devserve bench --save` measured fastest on an app, kept in the app's target
//! folder (`target/devserve/bench-profile.json`), and its use by the next session: devserve
//! builds with what was measured on the user's app rather than with an order measured elsewhere.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::linker::{Backend, Linker};
use crate::probe::ProbeReport;
use crate::profile::{BuildProfile, FastMode, ProfileOptions};
use crate::recipe::Recipe;

/// The file's name, in `<target>/devserve/`.
pub const SAVED_PROFILE_FILE: &str = "bench-profile.json";

/// A `devserve bench` winner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedProfile {
    /// What to build with.
    pub recipe: Recipe,
    /// The app it was measured on (canonical package folder).
    pub manifest_dir: PathBuf,
    /// Its mean incremental rebuild, in seconds.
    pub mean_s: f64,
    /// Plain `cargo build`'s mean in the same run, when it was measured.
    pub plain_mean_s: Option<f64>,
    /// Counted runs per profile.
    pub runs: usize,
    /// The change made before each build (`view text`, `code line`).
    pub edit: String,
    /// When, in seconds since the Unix epoch.
    pub saved_at: u64,
    /// The app toolchain's rustc release then.
    pub rustc: String,
}

impl SavedProfile {
    /// Where it is kept for an app whose cargo target folder is `target_dir`.
    pub fn file(target_dir: &Path) -> PathBuf {
        target_dir.join("devserve").join(SAVED_PROFILE_FILE)
    }

    /// Writes it (atomically) into `target_dir`'s devserve folder; returns the file.
    pub fn save(&self, target_dir: &Path) -> io::Result<PathBuf> {
        let file = Self::file(target_dir);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, &file)?;
        Ok(file)
    }

    /// The one saved in `target_dir`, if any and readable.
    pub fn load(target_dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(Self::file(target_dir)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The one saved for the app in `manifest_dir`: looked for in the target folder that
    /// `CARGO_TARGET_DIR` (in `env`) names, then in `target/` of the folder and of each parent
    /// (a package's own, its workspace's), then where `cargo metadata` says when a cargo config
    /// file sets `target-dir`. Only a file measured on this very app counts.
    pub fn find(manifest_dir: &Path, env: &[(String, String)]) -> Option<Self> {
        let app = std::fs::canonicalize(manifest_dir).unwrap_or_else(|_| manifest_dir.to_path_buf());
        let ours = |saved: &SavedProfile| saved.manifest_dir == app;
        let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| PathBuf::from(v));
        let from_env = var("CARGO_TARGET_DIR").or_else(|| var("CARGO_BUILD_TARGET_DIR"));
        let from_env = from_env.map(|dir| if dir.is_absolute() { dir } else { app.join(dir) });
        if let Some(dir) = from_env {
            return Self::load(&dir).filter(ours);
        }
        if let Some(saved) = app.ancestors().find_map(|dir| Self::load(&dir.join("target")).filter(ours)) {
            return Some(saved);
        }
        let configured = app.ancestors().any(|dir| {
            ["config.toml", "config"].iter().any(|name| {
                std::fs::read_to_string(dir.join(".cargo").join(name))
                    .is_ok_and(|text| text.contains("target-dir"))
            })
        });
        if !configured {
            return None;
        }
        let metadata = cargo_metadata::MetadataCommand::new()
            .manifest_path(app.join("Cargo.toml"))
            .no_deps()
            .exec()
            .ok()?;
        Self::load(metadata.target_directory.as_std_path()).filter(ours)
    }

    /// The saved recipe as the profile to build with now, or why it cannot be used.
    fn profile(&self, report: &ProbeReport, options: &ProfileOptions) -> Result<BuildProfile, String> {
        let backend = self.recipe.backend;
        if options.mode == FastMode::Llvm && backend == Backend::Cranelift {
            return Err("it builds with Cranelift and --fast=llvm was asked".into());
        }
        let memory = options.fallback_memory.as_ref();
        if backend == Backend::Cranelift
            && let Some(reason) = memory.and_then(|m| m.reason(&options.manifest_dir))
        {
            return Err(format!("Cranelift could not build this app since ({reason})"));
        }
        let mut profile = self.recipe.profile(report, options)?;
        if backend == Backend::Cranelift {
            // As the chosen profiles: LLVM with the same linker if Cranelift fails on the app.
            let name = self.recipe.name.replacen("cranelift", "llvm", 1);
            let llvm = Recipe { name, backend: Backend::Llvm, ..self.recipe.clone() };
            let fallback = llvm
                .profile(report, options)
                .or_else(|_| Recipe::fast(Backend::Llvm, Linker::RustcDefault).profile(report, options));
            profile.llvm_fallback = fallback.ok().map(Box::new);
            profile.fallback_memory = options.fallback_memory.clone();
        }
        Ok(profile)
    }

    fn measured(&self) -> String {
        let plain = self.plain_mean_s.map(|p| format!(" vs {p:.2} s for plain cargo")).unwrap_or_default();
        format!("{:.2} s per rebuild after a {} edit{plain}, {} runs", self.mean_s, self.edit, self.runs)
    }
}

/// `chosen`, or the profile `devserve bench --save` measured fastest on this app when one was
/// saved and can still be used (the probe still verifies its backend and linker, `--fast` allows
/// it, Cranelift has not failed on the app since). Either way its `notice` says so, for the
/// session to print at start.
pub fn saved_or(chosen: BuildProfile, report: &ProbeReport, options: &ProfileOptions) -> BuildProfile {
    if options.mode == FastMode::Off {
        return chosen;
    }
    let Some(saved) = SavedProfile::find(&options.manifest_dir, &options.env) else { return chosen };
    with_saved(chosen, &saved, report, options)
}

fn with_saved(
    chosen: BuildProfile,
    saved: &SavedProfile,
    report: &ProbeReport,
    options: &ProfileOptions,
) -> BuildProfile {
    match saved.profile(report, options) {
        Ok(mut profile) => {
            let line = format!(
                "devserve: build profile {} from `devserve bench --save` on this app ({}); \
                 `devserve bench` measures again",
                saved.recipe.name,
                saved.measured()
            );
            profile.reasons.insert(0, format!("measured fastest on this app: {}", saved.measured()));
            let nightly = profile.toolchain.is_some().then_some(chosen.notice).flatten();
            profile.notice = Some(match nightly {
                Some(nightly) if saved.recipe.backend == Backend::Cranelift => format!("{line}\n{nightly}"),
                _ => line,
            });
            profile
        }
        Err(why) => {
            let line = format!(
                "devserve: not using the saved profile {} ({why}); building with {}",
                saved.recipe.name, chosen.name
            );
            let mut chosen = chosen;
            chosen.reasons.insert(0, line.trim_start_matches("devserve: ").to_owned());
            chosen.notice = Some(match chosen.notice.take() {
                Some(notice) => format!("{line}\n{notice}"),
                None => line,
            });
            chosen
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fallback::FallbackMemory;
    use crate::profile::choose_profile;
    use crate::recipe::tests::report;

    fn saved(recipe: Recipe, app: &Path) -> SavedProfile {
        SavedProfile {
            recipe,
            manifest_dir: std::fs::canonicalize(app).unwrap(),
            mean_s: 1.25,
            plain_mean_s: Some(4.0),
            runs: 5,
            edit: "view text".into(),
            saved_at: 0,
            rustc: "1.95.0".into(),
        }
    }

    fn options(app: &Path, mode: FastMode) -> ProfileOptions {
        ProfileOptions { mode, manifest_dir: app.to_path_buf(), ..ProfileOptions::default() }
    }

    #[test]
    fn a_saved_winner_replaces_the_chosen_profile_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        let working = [(Backend::Llvm, Linker::Mold), (Backend::Cranelift, Linker::RustcDefault)];
        let report = report(&working);
        let opts = options(&app, FastMode::Auto);
        let chosen = choose_profile(&report, &opts);
        assert_eq!(chosen.name, "cranelift-default");
        // Nothing saved: unchanged.
        assert_eq!(saved_or(chosen.clone(), &report, &opts), chosen);

        saved(Recipe::fast(Backend::Llvm, Linker::Mold), &app).save(&app.join("target")).unwrap();
        let profile = saved_or(chosen.clone(), &report, &opts);
        assert_eq!(profile.name, "llvm-mold");
        let notice = profile.notice.unwrap();
        assert!(notice.contains("devserve bench --save") && notice.contains("1.25 s"), "{notice}");

        // Measured on another app (a shared target folder): not ours.
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let mut theirs = saved(Recipe::plain(), &other);
        theirs.manifest_dir = other.canonicalize().unwrap();
        theirs.save(&dir.path().join("target")).unwrap();
        assert_eq!(
            saved_or(chosen.clone(), &report, &options(&other.join("sub"), FastMode::Auto)).name,
            chosen.name
        );
    }

    #[test]
    fn a_saved_winner_that_cannot_be_used_is_skipped_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path();
        let report = report(&[(Backend::Llvm, Linker::Mold), (Backend::Cranelift, Linker::RustcDefault)]);
        let opts = options(app, FastMode::Llvm);
        let chosen = choose_profile(&report, &opts);
        let cranelift = saved(Recipe::fast(Backend::Cranelift, Linker::RustcDefault), app);
        let profile = with_saved(chosen.clone(), &cranelift, &report, &opts);
        assert_eq!(profile.name, chosen.name);
        assert!(profile.notice.unwrap().contains("--fast=llvm"));

        let wild = saved(Recipe::fast(Backend::Llvm, Linker::Wild), app);
        let profile = with_saved(chosen.clone(), &wild, &report, &opts);
        assert!(profile.notice.unwrap().contains("not installed: wild"));

        let memory_dir = tempfile::tempdir().unwrap();
        let memory = FallbackMemory::in_dir(memory_dir.path());
        memory.remember(app, "ring").unwrap();
        let opts = ProfileOptions { fallback_memory: Some(memory), ..options(app, FastMode::Auto) };
        let chosen = choose_profile(&report, &opts);
        let profile = with_saved(chosen, &cranelift, &report, &opts);
        assert_eq!(profile.backend, Backend::Llvm);
    }

    #[test]
    fn a_cranelift_winner_falls_back_to_llvm_with_its_linker() {
        let dir = tempfile::tempdir().unwrap();
        let report = report(&[(Backend::Llvm, Linker::Mold), (Backend::Cranelift, Linker::Mold)]);
        let opts = options(dir.path(), FastMode::Auto);
        let winner = saved(Recipe::fast(Backend::Cranelift, Linker::Mold), dir.path());
        let profile = with_saved(choose_profile(&report, &opts), &winner, &report, &opts);
        assert_eq!(profile.name, "cranelift-mold");
        assert_eq!(profile.llvm_fallback.map(|p| p.name), Some("llvm-mold".to_owned()));
    }
}

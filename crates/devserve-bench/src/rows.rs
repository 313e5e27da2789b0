//! Which profiles a benchmark measures: every combination the probe verified, the control rows
//! that show each lever's share, the levers of `--levers`, and the user's `--variant`s.

use devserve_build::{
    Backend, BuildProfile, Linker, ProbeReport, ProfileOptions, Recipe, WORKSPACE_WRAPPER, lever_settings,
};

/// A profile to measure.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) recipe: Recipe,
    /// What it is, for the table.
    pub(crate) what: String,
    pub(crate) profile: BuildProfile,
}

/// A profile that cannot be measured here, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Its name.
    pub name: String,
    /// Why.
    pub reason: String,
}

/// Which rows to add beyond the combinations the probe verified.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// Only plain, the debug-info control and devserve's own profile.
    pub(crate) quick: bool,
    /// Each lever alone on plain `cargo build` (debug info kept).
    pub(crate) controls: bool,
    /// The rebuild levers, alone and on devserve's profile.
    pub(crate) levers: bool,
    /// `--variant` specs.
    pub(crate) variants: Vec<String>,
    /// `--profile`: only these names (plain always).
    pub(crate) only: Vec<String>,
    /// The app's library has a `cdylib` crate type and the server links it for nothing.
    pub(crate) cdylib: Option<NoCdylib>,
    /// The app's package, for per-package settings.
    pub(crate) package: String,
    /// Parallel frontend threads for the `-Zthreads` lever.
    pub(crate) threads: usize,
}

/// The `RUSTC_WORKSPACE_WRAPPER` that skips the cdylib ([`devserve_build::write_no_cdylib_wrapper`]).
#[derive(Debug, Clone)]
pub(crate) struct NoCdylib {
    pub(crate) wrapper: String,
}

impl NoCdylib {
    /// The environment that turns it on.
    fn env(&self) -> Vec<(String, String)> {
        vec![(WORKSPACE_WRAPPER.to_owned(), self.wrapper.clone())]
    }
}

/// The name and recipe of a base row: `off` (plain) or `<backend>-<linker>`.
pub(crate) fn base(name: &str) -> Option<Recipe> {
    if name == "off" || name == "plain" {
        return Some(Recipe::plain());
    }
    let (backend, linker) = name.split_once('-')?;
    let backend = [Backend::Llvm, Backend::Cranelift].into_iter().find(|b| b.name() == backend)?;
    let linker = Linker::ALL.into_iter().find(|l| l.name() == linker)?;
    Some(Recipe::fast(backend, linker))
}

/// Every row (the devserve profile `fast` among them) and every skipped one.
pub(crate) fn rows(
    report: &ProbeReport,
    options: &ProfileOptions,
    fast: &Recipe,
    saved: Option<&Recipe>,
    selection: &Selection,
) -> Result<(Vec<Row>, Vec<Skipped>), String> {
    let mut wanted: Vec<(Recipe, String)> = Vec::new();
    let mut add = |recipe: Recipe, what: &str| {
        if !wanted.iter().any(|(r, _)| r.name == recipe.name) {
            wanted.push((recipe, what.to_owned()));
        }
    };
    add(Recipe::plain(), "plain `cargo build` (devserve --fast=off)");
    add(
        Recipe { name: "off-nodebug".into(), debug_info: false, ..Recipe::plain() },
        "control: plain with debug info off (and nothing else)",
    );
    if !selection.quick {
        add(
            Recipe { name: "off-pm1".into(), settings: lever_settings(Backend::Llvm), ..Recipe::plain() },
            "control: plain with proc macros and build scripts optimized (one of devserve's levers)",
        );
        if let Some(no_cdylib) = &selection.cdylib {
            add(
                Recipe { name: "off-no-cdylib".into(), env: no_cdylib.env(), ..Recipe::plain() },
                "control: plain without the library's cdylib link (one of devserve's levers)",
            );
        }
    }
    if !selection.quick {
        for backend in [Backend::Llvm, Backend::Cranelift] {
            for linker in Linker::ALL {
                add(
                    Recipe::fast(backend, linker),
                    &format!("{backend} + {linker}, no debug info, devserve's levers"),
                );
            }
        }
        add(
            Recipe {
                name: "deps-o3".into(),
                settings: vec![
                    "profile.dev.opt-level=1".into(),
                    r#"profile.dev.package."*".opt-level=3"#.into(),
                ],
                ..Recipe::plain()
            },
            "plain with dependencies at opt-level 3, the app at 1 (the post's)",
        );
    }
    add(fast.clone(), "devserve's profile");
    if let Some(saved) = saved {
        add(saved.clone(), "saved by `devserve bench --save`");
    }
    if selection.controls {
        for (recipe, what) in controls() {
            add(recipe, &what);
        }
    }
    if selection.levers {
        for (recipe, what) in levers(fast, selection) {
            add(recipe, &what);
        }
    }
    for spec in &selection.variants {
        let (recipe, what) = variant(spec, selection)?;
        add(recipe, &what);
    }

    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (recipe, what) in wanted {
        let kept = selection.only.is_empty() || recipe.is_plain() || selection.only.contains(&recipe.name);
        if !kept {
            continue;
        }
        match recipe.profile(report, options) {
            Ok(profile) => rows.push(Row { recipe, what, profile }),
            Err(reason) => skipped.push(Skipped { name: recipe.name, reason }),
        }
    }
    Ok((rows, skipped))
}

/// Each lever alone on top of plain `cargo build`, debug info kept: the linker, the backend,
/// less debug info, and the compiler version the Cranelift rows use.
fn controls() -> Vec<(Recipe, String)> {
    let plain = Recipe::plain;
    vec![
        (
            Recipe { name: "off-mold".into(), linker: Linker::Mold, ..plain() },
            "control: mold alone (debug info kept)".into(),
        ),
        (
            Recipe { name: "off-cranelift".into(), backend: Backend::Cranelift, ..plain() },
            "control: Cranelift alone (debug info kept)".into(),
        ),
        (
            Recipe {
                name: "off-line-tables".into(),
                settings: vec![r#"profile.dev.debug="line-tables-only""#.into()],
                ..plain()
            },
            "control: line tables only instead of full debug info".into(),
        ),
        (
            Recipe {
                name: "llvm-default-nightly".into(),
                nightly: true,
                ..Recipe::fast(Backend::Llvm, Linker::RustcDefault)
            },
            "control: LLVM without debug info on the Cranelift rows' nightly compiler".into(),
        ),
    ]
}

/// The rebuild levers of issue 9, each alone on plain `cargo build` and on devserve's profile.
fn levers(fast: &Recipe, selection: &Selection) -> Vec<(Recipe, String)> {
    let plain = Recipe::plain();
    let bootstrap = || vec![("RUSTC_BOOTSTRAP".to_owned(), "1".to_owned())];
    let threads = format!("-Zthreads={}", selection.threads.max(2));
    let app = &selection.package;
    let mut out = vec![
        (
            Recipe {
                name: "off-deps-nodebug".into(),
                settings: vec![r#"profile.dev.package."*".debug=false"#.into()],
                ..plain.clone()
            },
            "lever: no debug info for dependencies (the app keeps it)".into(),
        ),
        (
            Recipe {
                name: "off-split-debuginfo".into(),
                settings: vec![r#"profile.dev.split-debuginfo="unpacked""#.into()],
                ..plain.clone()
            },
            "lever: split debug info (unpacked)".into(),
        ),
        (
            Recipe {
                name: "off-share-generics".into(),
                rustflags: vec!["-Zshare-generics=y".into()],
                env: bootstrap(),
                ..plain.clone()
            },
            "lever: -Zshare-generics=y".into(),
        ),
        (
            Recipe {
                name: "off-threads".into(),
                rustflags: vec![threads.clone()],
                env: bootstrap(),
                ..plain.clone()
            },
            format!("lever: {threads} (parallel front end)"),
        ),
        (
            Recipe {
                name: "off-cgu16".into(),
                settings: vec!["profile.dev.codegen-units=16".into()],
                ..plain.clone()
            },
            "lever: 16 codegen units (dev default 256)".into(),
        ),
    ];
    let on_fast = |suffix: &str, change: &dyn Fn(Recipe) -> Recipe, what: &str| {
        let recipe = change(Recipe { name: format!("{}+{suffix}", fast.name), ..fast.clone() });
        (recipe, format!("devserve's profile + {what}"))
    };
    out.push(on_fast(
        "threads",
        &|r| Recipe { rustflags: vec![threads.clone()], env: bootstrap(), ..r },
        &threads,
    ));
    out.push(on_fast(
        "share-generics",
        &|r| Recipe { rustflags: vec!["-Zshare-generics=y".into()], env: bootstrap(), ..r },
        "-Zshare-generics=y",
    ));
    out.push(on_fast(
        "cgu16",
        &|r| Recipe { settings: vec!["profile.dev.codegen-units=16".into()], ..r },
        "16 codegen units",
    ));
    out.push(on_fast(
        "mir-opt0",
        &|r| Recipe { rustflags: vec!["-Zmir-opt-level=0".into()], env: bootstrap(), ..r },
        "-Zmir-opt-level=0 (no MIR optimizations)",
    ));
    out.push(on_fast(
        "app-lines",
        &|r| Recipe { settings: vec![format!(r#"profile.dev.package.{app}.debug="line-tables-only""#)], ..r },
        "line tables for the app's own crate (what --debug-info could do)",
    ));
    out.push(on_fast(
        "app-debug",
        &|r| Recipe { settings: vec![format!("profile.dev.package.{app}.debug=true")], ..r },
        "full debug info for the app's own crate",
    ));
    out.push((
        Recipe { name: format!("{}-bare", fast.name), levers: false, ..fast.clone() },
        "devserve's profile without its levers (proc macros optimized, no cdylib link)".into(),
    ));
    out
}

/// A `--variant` spec: `NAME=BASE [config:KEY=VALUE] [flag:RUSTFLAG] [env:KEY=VALUE]
/// [debug:on|off] [nightly] [no-cdylib]`.
fn variant(spec: &str, selection: &Selection) -> Result<(Recipe, String), String> {
    let usage = || {
        format!(
            "--variant {spec:?}: expected NAME=BASE [config:K=V] [flag:F] [env:K=V] [debug:on|off] [nightly] [no-cdylib]"
        )
    };
    let mut words = spec.split_whitespace();
    let (name, base_name) = words.next().and_then(|w| w.split_once('=')).ok_or_else(usage)?;
    let mut recipe = base(base_name).ok_or_else(|| {
        format!(
            "--variant {name}: unknown base profile {base_name:?} (off, llvm-mold, cranelift-default, ..)"
        )
    })?;
    recipe.name = name.to_owned();
    for word in words {
        match word.split_once(':') {
            Some(("config", setting)) => recipe.settings.push(setting.to_owned()),
            Some(("flag", flag)) => recipe.rustflags.push(flag.to_owned()),
            Some(("env", pair)) => {
                let (k, v) = pair.split_once('=').ok_or_else(usage)?;
                recipe.env.push((k.to_owned(), v.to_owned()));
            }
            Some(("debug", "on")) => recipe.debug_info = true,
            Some(("debug", "off")) => recipe.debug_info = false,
            None if word == "nightly" => recipe.nightly = true,
            None if word == "no-cdylib" => {
                let no_cdylib =
                    selection.cdylib.as_ref().ok_or("no-cdylib: the app's library has no cdylib")?;
                recipe.env.extend(no_cdylib.env());
            }
            _ => return Err(usage()),
        }
    }
    let what = format!("--variant: {}", recipe.describe());
    Ok((recipe, what))
}

#[cfg(test)]
mod tests {
    use super::*;
    use devserve_build::{Candidate, FastMode, Status, Toolchain};

    fn report(working: &[(Backend, Linker)]) -> ProbeReport {
        let toolchain = |name: &str, release: &str| Toolchain {
            name: Some(name.into()),
            release: release.into(),
            commit_date: None,
            host: "x86_64-unknown-linux-gnu".into(),
            cranelift_component: true,
            default_linker_is_lld: Some(true),
            pinned_by: None,
        };
        let mut candidates = Vec::new();
        for backend in [Backend::Llvm, Backend::Cranelift] {
            for linker in Linker::ALL {
                let status = if working.contains(&(backend, linker)) {
                    Status::Works
                } else {
                    Status::Missing { need: vec![linker.name().into()] }
                };
                let toolchain = (backend == Backend::Cranelift).then(|| "nightly".to_owned());
                candidates.push(Candidate { backend, linker, toolchain, status });
            }
        }
        ProbeReport {
            host: "x86_64-unknown-linux-gnu".into(),
            active: toolchain("stable", "1.95.0"),
            nightlies: vec![toolchain("nightly", "1.93.0-nightly")],
            tools: Default::default(),
            candidates,
            from_cache: false,
            cache_file: None,
        }
    }

    fn names(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.recipe.name.as_str()).collect()
    }

    #[test]
    fn one_row_per_usable_combination_and_the_rest_skipped_with_a_reason() {
        let report = report(&[
            (Backend::Llvm, Linker::Mold),
            (Backend::Cranelift, Linker::RustcDefault),
            (Backend::Cranelift, Linker::Mold),
        ]);
        let options = ProfileOptions { mode: FastMode::Auto, ..ProfileOptions::default() };
        let fast = Recipe::fast(Backend::Cranelift, Linker::RustcDefault);
        let (rows_, skipped) = rows(&report, &options, &fast, None, &Selection::default()).unwrap();
        assert_eq!(
            names(&rows_),
            [
                "off",
                "off-nodebug",
                "off-pm1",
                "llvm-default",
                "llvm-mold",
                "cranelift-default",
                "cranelift-mold",
                "deps-o3"
            ]
        );
        // A hydrated app: the cdylib control too, and the wrapper on every fast row.
        let cdylib = Selection { cdylib: Some(NoCdylib { wrapper: "/w".into() }), ..Selection::default() };
        let wrapped = ProfileOptions { no_cdylib: Some("/w".into()), ..options.clone() };
        let (rows_, _) = rows(&report, &wrapped, &fast, None, &cdylib).unwrap();
        let row = |name: &str| rows_.iter().find(|r| r.recipe.name == name).unwrap();
        let wrapper = ("RUSTC_WORKSPACE_WRAPPER".to_owned(), "/w".to_owned());
        assert!(row("off-no-cdylib").profile.env.contains(&wrapper));
        assert!(row("cranelift-mold").profile.env.contains(&wrapper));
        assert!(row("off").profile.env.is_empty() && row("off-nodebug").profile.env.is_empty());
        assert!(row("off-pm1").profile.env.is_empty());
        let wild = skipped.iter().find(|s| s.name == "llvm-wild").unwrap();
        assert_eq!(wild.reason, "not installed: wild");
        assert_eq!(skipped.len(), 6, "{skipped:?}");
    }

    #[test]
    fn quick_only_and_variants() {
        let report = report(&[(Backend::Llvm, Linker::Mold)]);
        let options = ProfileOptions::default();
        let fast = Recipe::fast(Backend::Llvm, Linker::Mold);
        let quick = Selection { quick: true, ..Selection::default() };
        let (rows_, _) = rows(&report, &options, &fast, None, &quick).unwrap();
        assert_eq!(names(&rows_), ["off", "off-nodebug", "llvm-mold"]);
        let only = Selection {
            only: vec!["mine".into()],
            variants: vec![
                "mine=llvm-mold config:profile.dev.codegen-units=64 debug:on flag:-Zthreads=2".into(),
            ],
            ..Selection::default()
        };
        let (rows_, _) = rows(&report, &options, &fast, None, &only).unwrap();
        assert_eq!(names(&rows_), ["off", "mine"]);
        let mine = &rows_[1].recipe;
        assert!(
            mine.debug_info
                && mine.settings == ["profile.dev.codegen-units=64"]
                && mine.rustflags == ["-Zthreads=2"]
        );
        let bad = Selection { variants: vec!["x=gcc-ld".into()], ..Selection::default() };
        assert!(rows(&report, &options, &fast, None, &bad).unwrap_err().contains("unknown base"));
    }
}

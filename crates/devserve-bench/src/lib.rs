//! `devserve bench`: measures, on the user's own app, every build profile the toolchain probe
//! found usable, prints a table like the one in the post devserve grew from (mean, standard
//! deviation, change against plain `cargo build`), and with `--save` records the winner in the
//! app's target folder, where the next `devserve --hot-reload` finds it
//! ([`devserve_build::saved_or`]).
//!
//! - [`Options`]: the command line (a `clap::Args`), [`run`] the benchmark, [`Report`] what it
//!   measured (every sample, `Display` prints the table, `Serialize` is `--json`).
//! - Rows: plain `cargo build`, the control with debug info off, LLVM and Cranelift with every
//!   verified linker, dependencies at opt-level 3, devserve's own profile, the saved one; with
//!   `--controls` each lever alone, with `--levers` the rebuild levers (`-Zthreads`,
//!   `-Zshare-generics`, codegen units, split or per-crate debug info, no cdylib link), with
//!   `--variant` the user's own. Unusable ones are listed with the probe's reason.
//! - Incremental builds follow a one-word change in a `view!` text that the view engine
//!   classifies as a patch (`--code-change`: a statement added to a component); `--clean`
//!   builds from empty target folders. A hydrated app's wasm front end has its own rows.
//! - Sources are never left changed: the edit is undone at the end, on a failed build, on a
//!   panic and on Ctrl-C/SIGTERM/SIGHUP (and by the next run after a SIGKILL, from a journal);
//!   a file with uncommitted changes is not edited without `--allow-dirty`.
//! - [`big_app`] generates the real-sized app the README's figures are measured on.
//!
//! ```no_run
//! # async fn demo() -> Result<(), devserve_bench::BenchError> {
//! let options = devserve_bench::Options { app: "examples/leptos-app".into(), runs: Some(3), ..Default::default() };
//! let report = devserve_bench::run(options).await?;
//! println!("{report}");
//! println!("fastest: {:?}", report.fastest(devserve_bench::Side::Server).map(|r| &r.name));
//! # Ok(()) }
//! ```

pub mod big_app;
mod edit;
mod error;
mod measure;
mod report;
mod rows;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use devserve_build::{
    BuildRequest, FallbackMemory, FastMode, Probe, ProbeReport, ProfileOptions, Recipe, SavedProfile,
    WASM_TARGET,
};
use devserve_project::Project;

pub use edit::{Edit, EditKind, Sources};
pub use error::BenchError;
pub use report::{EditInfo, Measured, Mode, Report, Side};
pub use rows::Skipped;

use crate::measure::{Job, Plan};
use crate::rows::{NoCdylib, Selection};

/// The rustflag cargo-leptos adds to dev builds (as devserve's session does).
const ERASE_COMPONENTS: [&str; 2] = ["--cfg", "erase_components"];

/// `devserve bench`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The app's folder.
    #[arg(long, default_value = ".")]
    pub app: PathBuf,
    /// Counted runs per profile (default 5; 2 with --quick).
    #[arg(long)]
    pub runs: Option<usize>,
    /// Uncounted rounds after the first build and before counting.
    #[arg(long, default_value_t = 1)]
    pub warmup: usize,
    /// Only plain cargo, the debug-info control and devserve's own profile, 2 runs.
    #[arg(long)]
    pub quick: bool,
    /// Before each run, change a line of Rust outside the views (a statement added at the start
    /// of a component) instead of one word of a view text.
    #[arg(long)]
    pub code_change: bool,
    /// Measure clean builds instead, each from an empty target folder of its own.
    #[arg(long)]
    pub clean: bool,
    /// Add control rows: mold alone, Cranelift alone, line tables only, LLVM on the nightly.
    #[arg(long)]
    pub controls: bool,
    /// Add the rebuild levers, alone and on devserve's profile: -Zthreads, -Zshare-generics,
    /// codegen units, dependencies' or the app's debug info, split debug info, no cdylib link.
    #[arg(long)]
    pub levers: bool,
    /// Only these profiles (comma-separated; plain cargo is always measured).
    #[arg(long, value_delimiter = ',')]
    pub profile: Vec<String>,
    /// A profile of your own: `NAME=BASE [config:KEY=VALUE] [flag:RUSTFLAG] [env:KEY=VALUE]
    /// [debug:on|off] [nightly] [no-cdylib]`, BASE being `off` or a `<backend>-<linker>` name.
    #[arg(long)]
    pub variant: Vec<String>,
    /// The file to edit (relative to the app); default: the first under src/ that has one.
    #[arg(long)]
    pub edit_file: Option<PathBuf>,
    /// Leave out the wasm front end of a hydrated app.
    #[arg(long)]
    pub no_front: bool,
    /// Write every sample to this file as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Record the fastest server profile in the app's target folder: `devserve --hot-reload`
    /// builds with it from then on (and says so).
    #[arg(long)]
    pub save: bool,
    /// Edit files that have uncommitted changes (they are restored byte for byte either way).
    #[arg(long)]
    pub allow_dirty: bool,
    /// The probe's report to use instead of probing (tests).
    #[arg(skip)]
    pub probe: Option<ProbeReport>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            app: PathBuf::from("."),
            runs: None,
            warmup: 1,
            quick: false,
            code_change: false,
            clean: false,
            controls: false,
            levers: false,
            profile: Vec::new(),
            variant: Vec::new(),
            edit_file: None,
            no_front: false,
            json: None,
            save: false,
            allow_dirty: false,
            probe: None,
        }
    }
}

/// Runs the benchmark, prints progress to stderr and the table to stdout. Ctrl-C, SIGTERM and
/// SIGHUP stop it: the running build's process group is killed and every edit undone before it
/// returns [`BenchError::Interrupted`].
pub async fn run(options: Options) -> Result<Report, BenchError> {
    // `bench` is dropped on a signal: its builder kills cargo, its sources are restored.
    let result =
        until_stopped(bench(options)).await.unwrap_or_else(|signal| Err(BenchError::Interrupted(signal)));
    if let Ok(report) = &result {
        println!("{report}");
    }
    result
}

/// Runs `task` to its end, or until Ctrl-C, SIGTERM or SIGHUP: then `task` is dropped (a
/// [`Sources`] it holds restores the files it edited) and the signal's name returned.
pub async fn until_stopped<F: Future>(task: F) -> Result<F::Output, &'static str> {
    tokio::pin!(task);
    tokio::select! {
        output = &mut task => Ok(output),
        signal = stop_signal() => Err(signal),
    }
}

async fn stop_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) =
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()), signal(SignalKind::hangup()))
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "Ctrl-C",
        _ = term.recv() => "SIGTERM",
        _ = hup.recv() => "SIGHUP",
    }
}

async fn bench(options: Options) -> Result<Report, BenchError> {
    if options.clean && options.save {
        return Err(BenchError::Usage("--save chooses from incremental builds: leave out --clean".into()));
    }
    let env: Vec<(String, String)> = std::env::vars().collect();
    let project = Project::load(&options.app, &env)?;
    let devserve_dir = project.target_dir.join("devserve");
    let mut sources = Sources::new(devserve_dir.join("bench-journal.json"));

    let extra_rustflags: Vec<String> = if project.leptos.as_ref().is_some_and(|l| l.erase_components) {
        ERASE_COMPONENTS.map(str::to_owned).to_vec()
    } else {
        Vec::new()
    };
    // A hydrated app's library is a cdylib for the wasm front end only: the server's fast
    // profile does not link it (the wrapper in the same place as a session's, so that the
    // session and `devserve bench` share the profile's target folder).
    let cdylib = if project.has_front() {
        let tools = devserve_dir.join("tools");
        let wrapper = devserve_build::write_no_cdylib_wrapper(&tools)
            .map_err(|e| BenchError::io("cannot write the no-cdylib wrapper into", &tools, e))?;
        Some(NoCdylib { wrapper: wrapper.display().to_string() })
    } else {
        None
    };
    let profile_options = ProfileOptions {
        mode: FastMode::Auto,
        manifest_dir: project.package_dir.clone(),
        env: env.clone(),
        fallback_memory: None,
        extra_rustflags,
        no_cdylib: cdylib.as_ref().map(|c| PathBuf::from(&c.wrapper)),
    };
    let report = match options.probe.clone() {
        Some(report) => report,
        None => Probe { project_dir: Some(project.package_dir.clone()), ..Probe::default() }.run().await?,
    };

    // What devserve would build with: its own choice, and what a session uses now.
    let memory = devserve_build::default_cache_dir().map(|dir| FallbackMemory::in_dir(&dir));
    let session_options = ProfileOptions { fallback_memory: memory, ..profile_options.clone() };
    let chosen = devserve_build::choose_profile(&report, &session_options);
    let fast = Recipe::fast(chosen.backend, chosen.linker);
    let saved = SavedProfile::find(&project.package_dir, &env).map(|s| s.recipe);

    let selection = Selection {
        quick: options.quick,
        controls: options.controls,
        levers: options.levers,
        variants: options.variant.clone(),
        only: options.profile.clone(),
        cdylib,
        package: project.package.clone(),
        threads: std::thread::available_parallelism().map_or(2, usize::from),
    };
    let (rows, skipped) = rows::rows(&report, &profile_options, &fast, saved.as_ref(), &selection)
        .map_err(BenchError::Usage)?;

    let mut jobs = Vec::new();
    let leptos_env = match &project.leptos {
        Some(leptos) => leptos.env_vars(leptos.site_addr, leptos.reload_port),
        None => vec![("LEPTOS_WATCH".to_owned(), "true".to_owned())],
    };
    let target_dir = |name: &str| {
        if options.clean { devserve_dir.join("bench-clean").join(name) } else { devserve_dir.join(name) }
    };
    let mut server_args = Vec::new();
    if let Some(leptos) = &project.leptos {
        server_args.extend(feature_args(leptos.bin.default_features, &leptos.bin.features));
    }
    for row in rows {
        jobs.push(Job {
            baseline: row.recipe.is_plain(),
            request: BuildRequest {
                id: 0,
                manifest_dir: project.package_dir.clone(),
                package: Some(project.package.clone()),
                bin: Some(project.bin.clone()),
                wasm_lib: false,
                target_dir: target_dir(&row.profile.name),
                env: leptos_env.clone(),
                extra_args: server_args.clone(),
                profile: row.profile.clone(),
            },
            row: Measured {
                name: row.recipe.name.clone(),
                what: row.what,
                command: row.profile.command_line(),
                side: Side::Server,
                first_build_s: None,
                samples: Vec::new(),
                failed: None,
                devserve: row.recipe == fast,
                saved: saved.as_ref() == Some(&row.recipe),
                recipe: Some(row.recipe),
            },
        });
    }
    if let Some(leptos) = project.leptos.as_ref().filter(|_| project.has_front() && !options.no_front) {
        if let Err(err) = devserve_build::ensure_wasm_target(&project.package_dir, None).await {
            eprintln!("devserve bench: {err}");
        }
        for (mode, what) in [
            (FastMode::Off, "wasm front end as devserve --fast=off builds it (debug info kept)"),
            (FastMode::Auto, "wasm front end as devserve builds it (LLVM, no debug info)"),
        ] {
            let profile =
                devserve_build::front_profile(&ProfileOptions { mode, ..profile_options.clone() }, false);
            let mut extra_args = vec!["--target".to_owned(), WASM_TARGET.to_owned()];
            extra_args.extend(feature_args(leptos.lib.default_features, &leptos.lib.features));
            jobs.push(Job {
                baseline: false,
                request: BuildRequest {
                    id: 0,
                    manifest_dir: project.package_dir.clone(),
                    package: Some(leptos.lib.package.clone()),
                    bin: None,
                    wasm_lib: true,
                    target_dir: target_dir(&profile.name),
                    env: leptos_env.clone(),
                    extra_args,
                    profile: profile.clone(),
                },
                row: Measured {
                    name: profile.name.clone(),
                    what: what.to_owned(),
                    command: profile.command_line(),
                    side: Side::Front,
                    first_build_s: None,
                    samples: Vec::new(),
                    failed: None,
                    devserve: mode == FastMode::Auto,
                    saved: false,
                    recipe: None,
                },
            });
        }
    }

    let edit = if options.clean {
        None
    } else {
        let kind = if options.code_change { EditKind::CodeLine } else { EditKind::ViewText };
        let edit = edit::find(&project.package_dir, kind, options.edit_file.as_deref(), |rel| {
            project.source_path(rel)
        })?;
        if !options.allow_dirty
            && let Some(why) = edit::check_committed(&edit.path)?
        {
            eprintln!(
                "devserve bench: cannot check {} for uncommitted changes ({why}); it is restored at the end anyway",
                edit.rel
            );
        }
        Some(edit)
    };
    let runs = options.runs.unwrap_or(if options.quick { 2 } else { 5 }).max(1);
    let warmup = if options.clean { 0 } else { options.warmup };
    eprintln!(
        "devserve bench: {} ({} profiles, {} runs each)",
        project.package_dir.display(),
        jobs.len(),
        runs
    );
    if let Some(edit) = &edit {
        eprintln!("devserve bench: before each round: {} in {}:{}", edit.change, edit.rel, edit.line);
    }
    for job in &jobs {
        eprintln!("  {:<28} {}", job.row.name, job.row.command);
    }
    for s in &skipped {
        eprintln!("  {:<28} skipped: {}", s.name, s.reason);
    }

    let mut plan = Plan { jobs, edit, runs, warmup };
    measure::run(&mut plan, &mut sources).await?;
    sources.restore();

    let Plan { jobs, edit, .. } = plan;
    let rows: Vec<Measured> = jobs.into_iter().map(|job| job.row).collect();
    if !rows.iter().any(|r| !r.samples.is_empty()) {
        return Err(BenchError::NothingMeasured);
    }
    let mut report_out = Report {
        app: project.package_dir.clone(),
        mode: if options.clean { Mode::Clean } else { Mode::Incremental },
        edit: edit.map(|e| EditInfo { kind: e.kind, file: e.rel, line: e.line, change: e.change }),
        runs,
        warmup,
        rows,
        skipped,
        saved_to: None,
    };
    if options.save {
        report_out.saved_to = Some(save(&report_out, &project, &report)?);
    }
    if let Some(file) = &options.json {
        let text = serde_json::to_vec_pretty(&report_out).unwrap_or_default();
        std::fs::write(file, text).map_err(|e| BenchError::io("cannot write", file, e))?;
    }
    Ok(report_out)
}

/// Records the fastest server row for the next session.
fn save(report: &Report, project: &Project, probe: &ProbeReport) -> Result<PathBuf, BenchError> {
    let winner = report.fastest(Side::Server).ok_or(BenchError::NothingMeasured)?;
    let recipe = winner.recipe.clone().ok_or(BenchError::NothingMeasured)?;
    let plain =
        report.rows.iter().find(|r| r.side == Side::Server && r.name == "off").and_then(Measured::mean);
    let saved = SavedProfile {
        recipe,
        manifest_dir: project.package_dir.clone(),
        mean_s: winner.mean().unwrap_or_default(),
        plain_mean_s: plain,
        runs: report.runs,
        edit: report.edit.as_ref().map_or("view text", |e| e.kind.name()).to_owned(),
        saved_at: SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        rustc: probe.active.release.clone(),
    };
    let dir: &Path = &project.target_dir;
    saved.save(dir).map_err(|e| BenchError::io("cannot write", &SavedProfile::file(dir), e))
}

/// `--no-default-features` / `--features=a,b`.
fn feature_args(default_features: bool, features: &[String]) -> Vec<String> {
    let mut args = Vec::new();
    if !default_features {
        args.push("--no-default-features".to_owned());
    }
    if !features.is_empty() {
        args.push(format!("--features={}", features.join(",")));
    }
    args
}

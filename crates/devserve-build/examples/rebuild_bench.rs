//! Rebuild benchmark: devserve's fast profile against plain `cargo build`, on a copy of an app,
//! after a one-line Rust change, alternating the profiles build by build.
//!
//! Run with `cargo run --release -p devserve-build --example rebuild_bench -- [APP_DIR]
//! [--pairs N] [--also PROFILE,..] [--try PROFILE:KEY=VALUE].. [--work DIR]` (APP_DIR defaults to
//! `examples/leptos-app`; PROFILE is `llvm-default`, `llvm-mold`, `cranelift-default`, ..;
//! `--try` adds a variant of PROFILE with one more `--config`; the work dir keeps the copy and its
//! target dirs between runs, so only the first run pays for clean builds).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use devserve_build::{
    Backend, BuildEvent, BuildOutcome, BuildProfile, BuildRequest, Builder, FastMode, Linker, Probe,
    ProfileOptions, choose_profile, profile_with,
};
use tokio::sync::mpsc::UnboundedReceiver;

/// The line the benchmark rewrites: it changes the binary (the static is kept by `#[used]`).
const MARKER: &str = "#[used] static DEVSERVE_BENCH_MARKER: u32 = ";

struct Args {
    app: PathBuf,
    pairs: usize,
    also: Vec<String>,
    tries: Vec<(String, String)>,
    work: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        app: PathBuf::from("examples/leptos-app"),
        pairs: 5,
        also: vec![],
        tries: vec![],
        work: std::env::temp_dir().join("devserve-rebuild-bench"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--pairs" => args.pairs = value()?.parse().map_err(|e| format!("--pairs: {e}"))?,
            "--also" => args.also = value()?.split(',').map(str::to_owned).collect(),
            "--work" => args.work = PathBuf::from(value()?),
            "--try" => {
                let value = value()?;
                let (base, config) = value.split_once(':').ok_or("--try needs PROFILE:KEY=VALUE")?;
                args.tries.push((base.to_owned(), config.to_owned()));
            }
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => args.app = PathBuf::from(other),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rebuild_bench: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let app = args.work.join("app");
    copy_app(&args.app, &app).map_err(|e| format!("copying {}: {e}", args.app.display()))?;
    let main_rs = app.join("src/main.rs");
    let target_root = args.work.join("target");

    let report = Probe { project_dir: Some(app.clone()), ..Probe::default() }
        .run()
        .await
        .map_err(|e| e.to_string())?;
    let options = ProfileOptions {
        mode: FastMode::Auto,
        manifest_dir: app.clone(),
        env: std::env::vars().collect(),
        fallback_memory: None,
        extra_rustflags: Vec::new(),
    };
    let plain = choose_profile(&report, &ProfileOptions { mode: FastMode::Off, ..options.clone() });
    let fast = choose_profile(&report, &options);
    let mut profiles = vec![plain, fast];
    for name in &args.also {
        let profile =
            named_profile(&report, &options, name).ok_or(format!("profile {name} is not available here"))?;
        profiles.push(profile);
    }
    for (i, (base, config)) in args.tries.iter().enumerate() {
        let mut variant = match profiles.iter().find(|p| &p.name == base) {
            Some(profile) => profile.clone(),
            None => named_profile(&report, &options, base)
                .ok_or(format!("profile {base} is not available here"))?,
        };
        variant.name = format!("{base}+try{}", i + 1);
        variant.cargo_args.extend(["--config".to_owned(), config.clone()]);
        variant.reasons = vec![format!("variant of {base} with --config {config}")];
        profiles.push(variant);
    }
    println!("app: {} (copy in {})", args.app.display(), app.display());
    for profile in &profiles {
        println!("{}", profile.describe());
    }

    let (builder, mut events) = Builder::new();
    let mut id = 0;
    let mut marker = 0u32;
    println!("\nfirst builds (clean when the work dir is new):");
    for profile in &profiles {
        marker += 1;
        set_marker(&main_rs, marker)?;
        id += 1;
        let time = build(&builder, &mut events, id, &app, profile, &target_root).await?;
        println!("  {:<20} {:>8.1} s", profile.name, time.as_secs_f64());
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); profiles.len()];
    println!("\nincremental rebuilds after a one-line change in src/main.rs, {} rounds:", args.pairs);
    for round in 0..args.pairs {
        // Alternate the order so that neither profile always runs first.
        let mut order: Vec<usize> = (0..profiles.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            marker += 1;
            set_marker(&main_rs, marker)?;
            id += 1;
            let time = build(&builder, &mut events, id, &app, &profiles[i], &target_root).await?;
            println!("  round {} {:<20} {:>7.2} s", round + 1, profiles[i].name, time.as_secs_f64());
            times[i].push(time.as_secs_f64());
        }
    }

    println!("\n{:<20} {:>8} {:>8} {:>8} {:>8}", "profile", "median", "mean", "min", "max");
    for (profile, runs) in profiles.iter().zip(&times) {
        let mean = runs.iter().sum::<f64>() / runs.len() as f64;
        let (min, max) = runs.iter().fold((f64::MAX, 0f64), |(lo, hi), t| (lo.min(*t), hi.max(*t)));
        println!("{:<20} {:>7.2}s {:>7.2}s {:>7.2}s {:>7.2}s", profile.name, median(runs), mean, min, max);
    }
    for (profile, runs) in profiles.iter().zip(&times).skip(1) {
        println!("ratio {} / {}: {:.2}", profile.name, profiles[0].name, median(runs) / median(&times[0]));
    }
    Ok(())
}

fn named_profile(
    report: &devserve_build::ProbeReport,
    options: &ProfileOptions,
    name: &str,
) -> Option<BuildProfile> {
    let (backend, linker) = name.split_once('-')?;
    let backend = [Backend::Llvm, Backend::Cranelift].into_iter().find(|b| b.name() == backend)?;
    let linker = Linker::ALL.into_iter().find(|l| l.name() == linker)?;
    profile_with(report, options, backend, linker)
}

/// Builds and returns the wall time; the build must succeed and must not be fresh.
async fn build(
    builder: &Builder,
    events: &mut UnboundedReceiver<BuildEvent>,
    id: u64,
    app: &Path,
    profile: &BuildProfile,
    target_root: &Path,
) -> Result<Duration, String> {
    builder.start(BuildRequest {
        id,
        manifest_dir: app.to_path_buf(),
        package: None,
        bin: None,
        wasm_lib: false,
        profile: profile.clone(),
        env: vec![("LEPTOS_WATCH".into(), "1".into())],
        extra_args: vec![],
        target_dir: profile.target_dir(target_root),
    });
    let mut errors = Vec::new();
    while let Some(event) = events.recv().await {
        match event {
            BuildEvent::Diagnostic { diagnostic, .. } => errors.push(diagnostic.rendered),
            BuildEvent::FellBack { reason, .. } => {
                return Err(format!("{}: fell back to LLVM: {reason}", profile.name));
            }
            BuildEvent::Finished { id: done, outcome, elapsed } if done == id => {
                return match outcome {
                    BuildOutcome::Succeeded { fresh: false, .. } => Ok(elapsed),
                    BuildOutcome::Succeeded { fresh: true, .. } => {
                        Err("the change did not cause a rebuild".into())
                    }
                    BuildOutcome::Failed { stderr_tail, .. } => {
                        Err(format!("{} failed:\n{}{stderr_tail}", profile.name, errors.concat()))
                    }
                    BuildOutcome::Cancelled => Err("cancelled".into()),
                };
            }
            _ => {}
        }
    }
    Err("the builder stopped".into())
}

fn set_marker(main_rs: &Path, value: u32) -> Result<(), String> {
    let text = std::fs::read_to_string(main_rs).map_err(|e| e.to_string())?;
    let kept: Vec<&str> = text.lines().filter(|line| !line.starts_with(MARKER)).collect();
    let new = format!("{}\n{MARKER}{value};\n", kept.join("\n"));
    std::fs::write(main_rs, new).map_err(|e| e.to_string())
}

fn median(runs: &[f64]) -> f64 {
    let mut sorted = runs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Copies the app's files (its `.cargo/config.toml` included), without `target/` and `.git/`.
fn copy_app(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_app(&src, &dst)?;
        } else {
            let same = std::fs::read(&dst).ok() == Some(std::fs::read(&src)?);
            if !same {
                std::fs::copy(&src, &dst)?;
            }
        }
    }
    Ok(())
}

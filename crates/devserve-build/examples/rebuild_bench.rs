//! Rebuild benchmark: devserve's fast profile against plain `cargo build`, on a copy of an app,
//! after a small change, alternating the profiles build by build.
//!
//! Run with `cargo run --release -p devserve-build --example rebuild_bench -- [APP_DIR]
//! [--pairs N] [--edit marker|view|component] [--also PROFILE,..] [--try PROFILE:KEY=VALUE]..
//! [--work DIR]` (APP_DIR defaults to `examples/leptos-app`; PROFILE is `llvm-default`,
//! `llvm-mold`, `cranelift-default`, ..; `--try` adds a variant of PROFILE with one more
//! `--config`; the work dir keeps the copy and its target dirs between runs, so only the first
//! run pays for clean builds).
//!
//! The change before each build (`--edit`):
//! - `marker` (default): a `#[used] static` appended to `src/main.rs`, a new value each time;
//! - `view`: one word of the first static text of a `view!` (the first `"..."` right after a
//!   tag's `>` in `src/**/*.rs`), swapped back and forth: the edit a user makes most;
//! - `component`: `let _devserve_bench = N;` added after the opening brace of the first
//!   `#[component]` function, a new N each time (a line of a component's code).
//!
//! `devserve bench` measures the same on the user's own app, with every profile the probe found
//! usable; this example stays as the minimal, dependency-free reproduction.

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

/// What changes before each build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditKind {
    Marker,
    View,
    Component,
}

struct Args {
    app: PathBuf,
    pairs: usize,
    edit: EditKind,
    also: Vec<String>,
    tries: Vec<(String, String)>,
    work: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        app: PathBuf::from("examples/leptos-app"),
        pairs: 5,
        edit: EditKind::Marker,
        also: vec![],
        tries: vec![],
        work: std::env::temp_dir().join("devserve-rebuild-bench"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--pairs" => args.pairs = value()?.parse().map_err(|e| format!("--pairs: {e}"))?,
            "--edit" => {
                args.edit = match value()?.as_str() {
                    "marker" => EditKind::Marker,
                    "view" => EditKind::View,
                    "component" => EditKind::Component,
                    other => return Err(format!("--edit {other}: expected marker, view or component")),
                }
            }
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
    let mut edit = Edit::find(&app, args.edit)?;
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
    println!("edit before each build: {}", edit.describe());
    for profile in &profiles {
        println!("{}", profile.describe());
    }

    let (builder, mut events) = Builder::new();
    let mut id = 0;
    println!("\nfirst builds (clean when the work dir is new):");
    for profile in &profiles {
        edit.next()?;
        id += 1;
        let time = build(&builder, &mut events, id, &app, profile, &target_root).await?;
        println!("  {:<20} {:>8.1} s", profile.name, time.as_secs_f64());
    }

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); profiles.len()];
    println!("\nincremental rebuilds after each edit ({}), {} rounds:", edit.describe(), args.pairs);
    for round in 0..args.pairs {
        // Alternate the order so that neither profile always runs first.
        let mut order: Vec<usize> = (0..profiles.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            edit.next()?;
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

/// The file the benchmark edits and how.
struct Edit {
    kind: EditKind,
    file: PathBuf,
    original: String,
    /// Byte offset of the edit (view and component edits).
    at: usize,
    /// The word replaced (view edits).
    word: String,
    count: u32,
}

impl Edit {
    fn find(app: &Path, kind: EditKind) -> Result<Edit, String> {
        let mut files = Vec::new();
        rust_files(&app.join("src"), &mut files);
        files.sort();
        if kind == EditKind::Marker {
            let file = app.join("src/main.rs");
            let original = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            return Ok(Edit { kind, file, original, at: 0, word: String::new(), count: 0 });
        }
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            let found = match kind {
                EditKind::View => view_text(&text),
                _ => component_body(&text).map(|at| (at, String::new())),
            };
            if let Some((at, word)) = found {
                return Ok(Edit { kind, file, original: text, at, word, count: 0 });
            }
        }
        Err(format!("no {kind:?} edit found under {}", app.join("src").display()))
    }

    fn describe(&self) -> String {
        let line = self.original[..self.at].matches('\n').count() + 1;
        let file = self.file.display();
        match self.kind {
            EditKind::Marker => format!("`{MARKER}N;` appended to {file}"),
            EditKind::View => format!("view text word {:?} <-> \"benchmark\" at {file}:{line}", self.word),
            EditKind::Component => {
                format!("`let _devserve_bench = N;` at the start of a component, {file}:{line}")
            }
        }
    }

    /// Writes the next version of the file.
    fn next(&mut self) -> Result<(), String> {
        self.count += 1;
        let text = match self.kind {
            EditKind::Marker => {
                let kept: Vec<&str> =
                    self.original.lines().filter(|line| !line.starts_with(MARKER)).collect();
                format!("{}\n{MARKER}{};\n", kept.join("\n"), self.count)
            }
            EditKind::View if self.count.is_multiple_of(2) => self.original.clone(),
            EditKind::View => format!(
                "{}benchmark{}",
                &self.original[..self.at],
                &self.original[self.at + self.word.len()..]
            ),
            EditKind::Component => format!(
                "{} let _devserve_bench = {};{}",
                &self.original[..self.at],
                self.count,
                &self.original[self.at..]
            ),
        };
        std::fs::write(&self.file, text).map_err(|e| e.to_string())
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first word (three letters or more) of the first `"..."` right after a `>` following a
/// `view!`: (byte offset of the word, word).
fn view_text(text: &str) -> Option<(usize, String)> {
    let start = text.find("view!")?;
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let before = text[..i].trim_end();
            let end = text[i + 1..].find('"').map(|e| i + 1 + e)?;
            if before.ends_with('>') {
                let literal = &text[i + 1..end];
                let mut offset = 0;
                for word in literal.split(|c: char| !c.is_ascii_alphabetic()) {
                    if word.len() >= 3 {
                        return Some((i + 1 + offset, word.to_owned()));
                    }
                    offset += word.len() + 1;
                }
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    None
}

/// The byte offset right after the opening brace of the first `#[component]` function.
fn component_body(text: &str) -> Option<usize> {
    let attr = text.find("#[component]")?;
    let fn_at = attr + text[attr..].find("fn ")?;
    Some(fn_at + text[fn_at..].find('{')? + 1)
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

//! The measuring loop: bring every profile's target folder up to date, then rounds of one edit
//! and one build per profile, the order rotated each round so that drift on a busy machine hits
//! every profile alike.

use std::path::PathBuf;
use std::time::Instant;

use devserve_build::{BuildEvent, BuildOutcome, BuildRequest, Builder, DiagnosticLevel};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::BenchError;
use crate::edit::{Edit, Sources};
use crate::report::Measured;

/// One profile's build and what it measured.
pub(crate) struct Job {
    pub(crate) row: Measured,
    pub(crate) request: BuildRequest,
    /// Plain `cargo build` of the server: if it fails, nothing can be compared.
    pub(crate) baseline: bool,
}

/// What to run.
pub(crate) struct Plan {
    pub(crate) jobs: Vec<Job>,
    /// The edit; `None` measures clean builds.
    pub(crate) edit: Option<Edit>,
    pub(crate) runs: usize,
    pub(crate) warmup: usize,
}

/// The progress line.
struct Progress {
    started: Instant,
    done: usize,
    total: usize,
}

impl Progress {
    fn start(&self, name: &str, what: &str) {
        eprint!(
            "devserve bench: [{:>3}/{}] {:>6} {name:<28} {what:<18} ",
            self.done + 1,
            self.total,
            elapsed(self.started)
        );
    }
}

fn elapsed(started: Instant) -> String {
    let s = started.elapsed().as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// Runs the plan; samples land in each job's row. The edit's file is written through `sources`.
pub(crate) async fn run(plan: &mut Plan, sources: &mut Sources) -> Result<(), BenchError> {
    let (builder, mut events) = Builder::new();
    let jobs = plan.jobs.len();
    let clean = plan.edit.is_none();
    let setup = if clean { 0 } else { jobs };
    let mut progress =
        Progress { started: Instant::now(), done: 0, total: setup + (plan.warmup + plan.runs) * jobs };
    let mut id = 0u64;

    if !clean {
        for job in &mut plan.jobs {
            progress.start(&job.row.name, "first build");
            id += 1;
            let result = build(&builder, &mut events, id, job.request.clone()).await;
            progress.done += 1;
            match result {
                Ok((time, _)) => {
                    eprintln!("{time:7.2} s");
                    job.row.first_build_s = Some(time);
                }
                Err(err) => fail(job, "first build", err)?,
            }
        }
    }

    let rounds = plan.warmup + plan.runs;
    for round in 0..rounds {
        let counted = round >= plan.warmup;
        if let Some(edit) = &plan.edit {
            // Odd rounds hold the edit, even rounds the original: every build sees a change.
            let content = if round % 2 == 0 { &edit.edited } else { &edit.original };
            sources.write(&edit.path, &edit.original, content)?;
        }
        let label = if counted {
            format!("run {} of {}", round - plan.warmup + 1, plan.runs)
        } else {
            format!("warm-up {}", round + 1)
        };
        let order: Vec<usize> = (0..jobs).map(|i| (i + round) % jobs).collect();
        for i in order {
            let job = &mut plan.jobs[i];
            if job.row.failed.is_some() {
                progress.done += 1;
                continue;
            }
            let request = job.request.clone();
            if clean {
                remove_dir(&request.target_dir)?;
            }
            progress.start(&job.row.name, &label);
            id += 1;
            let result = build(&builder, &mut events, id, request).await;
            progress.done += 1;
            match result {
                Ok((_, true)) if !clean => {
                    eprintln!("fresh");
                    let why = "the edit did not cause a rebuild (is the edited file part of this build? \
                               choose another with --edit-file)";
                    fail(job, &label, why.to_owned())?;
                }
                Ok((time, _)) => {
                    eprintln!("{time:7.2} s");
                    if counted {
                        job.row.samples.push(time);
                    }
                }
                Err(err) => fail(job, &label, err)?,
            }
        }
    }
    if clean {
        for job in &plan.jobs {
            remove_dir(&job.request.target_dir)?;
        }
    }
    Ok(())
}

/// Marks a job failed; a failing baseline stops the benchmark.
fn fail(job: &mut Job, when: &str, err: String) -> Result<(), BenchError> {
    eprintln!("failed");
    if job.baseline {
        return Err(BenchError::PlainFails(err));
    }
    eprintln!("devserve bench: {} failed ({when}), not measured further:\n{err}", job.row.name);
    job.row.failed = Some(format!("{when}: {}", err.lines().next().unwrap_or_default()));
    Ok(())
}

fn remove_dir(dir: &PathBuf) -> Result<(), BenchError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(BenchError::io("cannot empty", dir, err)),
    }
}

/// Builds; returns the wall time in seconds and whether cargo found everything fresh, or the
/// errors.
async fn build(
    builder: &Builder,
    events: &mut UnboundedReceiver<BuildEvent>,
    id: u64,
    request: BuildRequest,
) -> Result<(f64, bool), String> {
    builder.start(BuildRequest { id, ..request });
    let mut errors = String::new();
    while let Some(event) = events.recv().await {
        match event {
            BuildEvent::Diagnostic { id: from, diagnostic }
                if from == id && diagnostic.level == DiagnosticLevel::Error =>
            {
                errors.push_str(&strip_ansi(&diagnostic.rendered));
            }
            BuildEvent::Finished { id: done, outcome, elapsed } if done == id => {
                return match outcome {
                    BuildOutcome::Succeeded { fresh, .. } => Ok((elapsed.as_secs_f64(), fresh)),
                    BuildOutcome::Failed { stderr_tail, .. } => {
                        let tail = strip_ansi(&stderr_tail);
                        Err(if errors.is_empty() { tail } else { errors })
                    }
                    BuildOutcome::Cancelled => Err("cancelled".into()),
                };
            }
            _ => {}
        }
    }
    Err("the builder stopped".into())
}

/// `text` without ANSI escape sequences.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
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

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(strip_ansi("\u{1b}[1m\u{1b}[91merror\u{1b}[0m: x"), "error: x");
    }
}

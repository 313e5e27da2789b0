//! The build handle: start and cancel requests go over a channel to one task that owns the
//! running build (rust-analyzer's flycheck). One build at a time; a new start cancels the
//! running build and kills its whole process group first.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::cargo_run::{self, RunContext};
use crate::fallback::cranelift_failure;
use crate::hash::HashCache;
use crate::linker::Backend;
use crate::request::{BuildEvent, BuildOutcome, BuildRequest};

/// Runs one `cargo build` at a time in the background and reports [`BuildEvent`]s.
///
/// Dropping the builder kills the running build's process group.
#[derive(Debug)]
pub struct Builder {
    commands: UnboundedSender<Command>,
    actor: JoinHandle<()>,
}

#[derive(Debug)]
enum Command {
    Start(Box<BuildRequest>),
    Cancel,
}

impl Builder {
    /// A builder and the stream of its events. Must be called inside a tokio runtime.
    pub fn new() -> (Builder, UnboundedReceiver<BuildEvent>) {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (events, event_rx) = mpsc::unbounded_channel();
        let actor = tokio::spawn(Actor::default().run(command_rx, events));
        (Builder { commands, actor }, event_rx)
    }

    /// Starts a build. A build still running is cancelled first (its process group killed, its
    /// `Finished { outcome: Cancelled }` sent before this one's `Started`).
    pub fn start(&self, request: BuildRequest) {
        let _ = self.commands.send(Command::Start(Box::new(request)));
    }

    /// Cancels the running build, if any.
    pub fn cancel(&self) {
        let _ = self.commands.send(Command::Cancel);
    }
}

impl Drop for Builder {
    fn drop(&mut self) {
        self.actor.abort();
    }
}

/// A build task; aborting it (or dropping this) drops the build's future, whose process group
/// guard kills cargo and everything it started.
struct Running {
    id: u64,
    started: Instant,
    task: JoinHandle<(BuildOutcome, Option<(String, u32)>)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Default)]
struct Actor {
    /// Units of the last successful build per request shape, for the progress total.
    totals: HashMap<String, u32>,
    hashes: HashCache,
}

impl Actor {
    async fn run(mut self, mut commands: UnboundedReceiver<Command>, events: UnboundedSender<BuildEvent>) {
        let mut current: Option<Running> = None;
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Start(request)) => {
                        cancel(&mut current, &events).await;
                        current = Some(self.spawn(*request, &events));
                    }
                    Some(Command::Cancel) => cancel(&mut current, &events).await,
                    None => break,
                },
                finished = wait(&mut current) => {
                    let Some(running) = current.take() else { continue };
                    let (outcome, units) = finished;
                    if let Some((key, units)) = units {
                        self.totals.insert(key, units);
                    }
                    let elapsed = running.started.elapsed();
                    let _ = events.send(BuildEvent::Finished { id: running.id, outcome, elapsed });
                }
            }
        }
    }

    fn spawn(&self, request: BuildRequest, events: &UnboundedSender<BuildEvent>) -> Running {
        let started = Instant::now();
        let id = request.id;
        let known_total = self.totals.get(&shape(&request)).copied();
        let (events, hashes) = (events.clone(), self.hashes.clone());
        let task = tokio::spawn(async move { build(request, known_total, events, hashes, started).await });
        Running { id, started, task }
    }
}

/// Waits for the running build's task; never resolves when nothing runs.
async fn wait(current: &mut Option<Running>) -> (BuildOutcome, Option<(String, u32)>) {
    match current {
        Some(running) => match (&mut running.task).await {
            Ok(result) => result,
            Err(err) => {
                let stderr_tail = format!("devserve: the build task failed: {err}");
                (BuildOutcome::Failed { diagnostics: vec![], stderr_tail }, None)
            }
        },
        None => std::future::pending().await,
    }
}

/// Cancels the running build and reports it, once its process group is gone.
async fn cancel(current: &mut Option<Running>, events: &UnboundedSender<BuildEvent>) {
    let Some(mut running) = current.take() else { return };
    running.task.abort();
    // A task that finished just before the abort still reports its real outcome.
    let outcome = match (&mut running.task).await {
        Ok((outcome, _)) => outcome,
        Err(_) => BuildOutcome::Cancelled,
    };
    let elapsed = running.started.elapsed();
    let _ = events.send(BuildEvent::Finished { id: running.id, outcome, elapsed });
}

/// The key under which a request's unit count is remembered.
fn shape(request: &BuildRequest) -> String {
    format!(
        "{}|{:?}|{:?}|{}|{}",
        request.manifest_dir.display(),
        request.package,
        request.bin,
        request.wasm_lib,
        request.profile.name
    )
}

/// Runs the request; if Cranelift fails where LLVM would not, says so, remembers it, and runs
/// again with the LLVM profile.
async fn build(
    mut request: BuildRequest,
    known_total: Option<u32>,
    events: UnboundedSender<BuildEvent>,
    hashes: HashCache,
    started: Instant,
) -> (BuildOutcome, Option<(String, u32)>) {
    let cx = RunContext { known_total, events: &events, started, hashes: &hashes };
    let (outcome, units) = cargo_run::run(&request, cx).await;
    let fell_back = match (&outcome, request.profile.backend, request.profile.llvm_fallback.take()) {
        (BuildOutcome::Failed { diagnostics, stderr_tail }, Backend::Cranelift, Some(fallback)) => {
            cranelift_failure(diagnostics, stderr_tail).map(|reason| (reason, fallback))
        }
        _ => None,
    };
    let Some((reason, fallback)) = fell_back else {
        let units = matches!(outcome, BuildOutcome::Succeeded { .. }).then(|| (shape(&request), units));
        return (outcome, units);
    };
    if let Some(memory) = &request.profile.fallback_memory
        && let Err(err) = memory.remember(&request.manifest_dir, &reason)
    {
        tracing::warn!(file = %memory.file().display(), %err, "cannot remember the Cranelift fall-back");
    }
    let _ = events.send(BuildEvent::FellBack { id: request.id, reason, profile: fallback.clone() });
    request.target_dir = sibling_target_dir(&request.target_dir, &request.profile.name, &fallback.name);
    request.profile = *fallback;
    let cx = RunContext { known_total: None, events: &events, started, hashes: &hashes };
    let (outcome, units) = cargo_run::run(&request, cx).await;
    let units = matches!(outcome, BuildOutcome::Succeeded { .. }).then(|| (shape(&request), units));
    (outcome, units)
}

/// `target/devserve/cranelift-mold` -> `target/devserve/llvm-mold`; a target dir not named
/// after the profile is kept.
fn sibling_target_dir(dir: &std::path::Path, from: &str, to: &str) -> PathBuf {
    match (dir.file_name(), dir.parent()) {
        (Some(name), Some(parent)) if name == from => parent.join(to),
        _ => dir.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn fallback_builds_next_to_the_cranelift_target_dir() {
        let check = |dir: &str, expected: &str| {
            assert_eq!(
                sibling_target_dir(Path::new(dir), "cranelift-mold", "llvm-mold"),
                Path::new(expected)
            );
        };
        check("/w/target/devserve/cranelift-mold", "/w/target/devserve/llvm-mold");
        check("/w/custom", "/w/custom");
    }
}

//! One run of `cargo build`: spawn it in its own process group, turn its JSON messages into
//! events while draining stderr, and say how it ended.

use std::collections::VecDeque;
use std::process::Stdio;
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc::UnboundedSender;

use crate::estimate::estimate_units;
use crate::fallback::strip_ansi;
use crate::hash::HashCache;
use crate::process::GroupChild;
use crate::request::{BuildEvent, BuildOutcome, BuildRequest};
use crate::tracker::{Tracker, Update};

/// How many of cargo's last stderr lines a failure keeps.
const TAIL_LINES: usize = 40;

/// Everything one run needs besides the request.
pub(crate) struct RunContext<'a> {
    /// Unit count of the last successful build of the same request, if any.
    pub(crate) known_total: Option<u32>,
    pub(crate) events: &'a UnboundedSender<BuildEvent>,
    pub(crate) started: Instant,
    pub(crate) hashes: &'a HashCache,
}

/// The `cargo build` command for a request.
pub(crate) fn command(request: &BuildRequest) -> Command {
    let mut cmd = Command::new("cargo");
    if let Some(toolchain) = &request.profile.toolchain {
        cmd.arg(format!("+{toolchain}"));
    }
    cmd.args(["build", "--message-format=json-diagnostic-rendered-ansi", "--color=always"]);
    if let Some(package) = &request.package {
        cmd.args(["-p", package]);
    }
    if request.wasm_lib {
        cmd.arg("--lib");
    } else if let Some(bin) = &request.bin {
        cmd.args(["--bin", bin]);
    }
    cmd.arg("--target-dir").arg(&request.target_dir);
    cmd.args(&request.profile.cargo_args).args(&request.extra_args);
    cmd.current_dir(&request.manifest_dir);
    cmd.envs(request.profile.env.iter().cloned()).envs(request.env.iter().cloned());
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// Runs cargo for `request` to the end, sending `Started`, `Progress` and `Diagnostic` events;
/// returns the outcome and the number of units cargo reported.
pub(crate) async fn run(request: &BuildRequest, cx: RunContext<'_>) -> (BuildOutcome, u32) {
    let id = request.id;
    tracing::debug!(id, profile = %request.profile.name, dir = %request.manifest_dir.display(), "starting cargo");
    let mut child = match GroupChild::spawn(command(request)) {
        Ok(child) => child,
        Err(err) => {
            let stderr_tail = format!("devserve: cannot run cargo: {err}");
            return (BuildOutcome::Failed { diagnostics: vec![], stderr_tail }, 0);
        }
    };
    let _ = cx.events.send(BuildEvent::Started { id, process_group: child.pgid() });
    let (Some(stdout), Some(stderr)) = (child.take_stdout(), child.take_stderr()) else {
        let stderr_tail = "devserve: cargo's output pipes are missing".to_owned();
        return (BuildOutcome::Failed { diagnostics: vec![], stderr_tail }, 0);
    };

    let mut tracker = if request.wasm_lib {
        Tracker::wasm_lib(request.package.as_deref())
    } else {
        Tracker::new(request.package.as_deref(), request.bin.as_deref())
    };
    let read_stdout = async {
        let estimate = async {
            match cx.known_total {
                Some(total) => Some(total),
                None => estimate_units(request).await,
            }
        };
        tokio::pin!(estimate);
        let mut estimating = true;
        let mut lines = BufReader::new(stdout).lines();
        loop {
            tokio::select! {
                line = lines.next_line() => {
                    let Ok(Some(line)) = line else { break };
                    match tracker.on_line(&line) {
                        Some(Update::Progress) => {
                            let progress = tracker.progress(elapsed_ms(cx.started));
                            let _ = cx.events.send(BuildEvent::Progress { id, progress });
                        }
                        Some(Update::Diagnostic(diagnostic)) => {
                            let _ = cx.events.send(BuildEvent::Diagnostic { id, diagnostic });
                        }
                        None => {}
                    }
                }
                total = &mut estimate, if estimating => {
                    estimating = false;
                    if let Some(total) = total {
                        tracker.set_total(total);
                    }
                }
            }
        }
    };
    let read_stderr = async {
        let mut tail = VecDeque::with_capacity(TAIL_LINES);
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::trace!(target: "devserve_build::cargo", "{}", strip_ansi(&line));
            if is_status_line(&line) {
                continue;
            }
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
        tail.into_iter().map(|l| l + "\n").collect::<String>()
    };
    let ((), stderr_tail) = tokio::join!(read_stdout, read_stderr);
    let status = child.wait().await;
    let units = tracker.done();
    let succeeded = status.as_ref().is_ok_and(|s| s.success());
    let executable = tracker.executable();
    let diagnostics = tracker.into_diagnostics();
    if !succeeded {
        return (BuildOutcome::Failed { diagnostics, stderr_tail }, units);
    }
    let outcome = match executable {
        Ok((executable, fresh)) => match cx.hashes.hash(&executable).await {
            Ok(binary_hash) => BuildOutcome::Succeeded { executable, binary_hash, fresh },
            Err(err) => BuildOutcome::Failed {
                diagnostics,
                stderr_tail: format!("{stderr_tail}devserve: cannot read {}: {err}\n", executable.display()),
            },
        },
        Err(why) => {
            BuildOutcome::Failed { diagnostics, stderr_tail: format!("{stderr_tail}devserve: {why}\n") }
        }
    };
    (outcome, units)
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// cargo's progress chatter, left out of the failure tail.
fn is_status_line(line: &str) -> bool {
    let plain = strip_ansi(line);
    let word = plain.split_whitespace().next().unwrap_or_default();
    matches!(
        word,
        "Compiling" | "Checking" | "Fresh" | "Building" | "Downloaded" | "Downloading" | "Blocking"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_chatter() {
        assert!(is_status_line("\u{1b}[1m\u{1b}[92m   Compiling\u{1b}[0m app v0.1.0 (/w)"));
        assert!(is_status_line("    Blocking waiting for file lock on build directory"));
        assert!(!is_status_line("error: could not compile `app` (bin \"app\") due to 1 previous error"));
        assert!(!is_status_line("error: failed to parse manifest at `/w/Cargo.toml`"));
    }
}

//! The app's restarts, run beside the session's event loop: stopping the old process (up to its
//! grace period), switching the site's files and waiting until the new one listens (up to a
//! minute) happen in a task of their own, so saves, patches, browser events and Ctrl-C never wait
//! behind them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use devserve_server::{AppExit, AppSpec, SuperviseError, Supervisor, SupervisorConfig};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Work to do between the old app's stop and the new one's start (moving the new wasm into the
/// site), so that no request sees one without the other.
pub(crate) type Switch = Box<dyn FnOnce() + Send>;

/// What the runner reports.
#[derive(Debug)]
pub(crate) enum RunnerEvent {
    /// A restart asked for with [`AppRunner::restart`] ended.
    Restarted {
        /// The build it was for.
        id: u64,
        /// How long it took, or why the app did not start and its last output.
        result: Result<Duration, (String, String)>,
    },
    /// The app exited on its own.
    Exited(AppExit),
}

enum Command {
    Restart { id: u64, program: PathBuf, switch: Option<Switch> },
    Stop(oneshot::Sender<()>),
}

/// A handle to the task that owns the app's [`Supervisor`]. Dropping it kills the app.
pub(crate) struct AppRunner {
    commands: UnboundedSender<Command>,
    task: JoinHandle<()>,
}

impl AppRunner {
    /// Starts the task; nothing runs until the first [`AppRunner::restart`].
    pub(crate) fn new(
        spec: AppSpec,
        config: SupervisorConfig,
    ) -> (AppRunner, UnboundedReceiver<RunnerEvent>) {
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (events, event_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(Supervisor::new(spec, config), command_rx, events));
        (AppRunner { commands, task }, event_rx)
    }

    /// Stops the app (if one runs), runs `switch`, starts `program`; reports
    /// [`RunnerEvent::Restarted`]. Restarts are done in the order asked.
    pub(crate) fn restart(&self, id: u64, program: PathBuf, switch: Option<Switch>) {
        let _ = self.commands.send(Command::Restart { id, program, switch });
    }

    /// Stops the app gracefully, waiting at most `within`; past it (or if a restart is still
    /// waiting for the app to listen) the task is aborted, which kills the app's process group.
    pub(crate) async fn shutdown(mut self, within: Duration) {
        let (done, stopped) = oneshot::channel();
        let _ = self.commands.send(Command::Stop(done));
        if tokio::time::timeout(within, stopped).await.is_err() {
            tracing::debug!("the app did not stop within {within:?}: killed");
        }
        self.task.abort();
        // Aborted, the task drops the supervisor, whose running app is killed on drop.
        let _ = (&mut self.task).await;
    }
}

impl Drop for AppRunner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    mut supervisor: Supervisor,
    mut commands: UnboundedReceiver<Command>,
    events: UnboundedSender<RunnerEvent>,
) {
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Restart { id, program, switch }) => {
                    let result = restart(&mut supervisor, program, switch).await;
                    let _ = events.send(RunnerEvent::Restarted { id, result });
                }
                Some(Command::Stop(done)) => {
                    supervisor.stop().await;
                    let _ = done.send(());
                    return;
                }
                None => return,
            },
            exit = supervisor.exited() => {
                let _ = events.send(RunnerEvent::Exited(exit));
            }
        }
    }
}

async fn restart(
    supervisor: &mut Supervisor,
    program: PathBuf,
    switch: Option<Switch>,
) -> Result<Duration, (String, String)> {
    let started = Instant::now();
    supervisor.spec_mut().program = program;
    supervisor.stop().await;
    if let Some(switch) = switch {
        switch();
    }
    match supervisor.start().await {
        Ok(()) => Ok(started.elapsed()),
        Err(err) => {
            // An app that exited before listening is gone from the supervisor with its output.
            let output = match &err {
                SuperviseError::ExitedEarly { exit, .. } | SuperviseError::NotReady { exit, .. } => {
                    exit.output.join("\n")
                }
                _ => supervisor.recent_output().join("\n"),
            };
            Err((err.to_string(), output))
        }
    }
}

//! App supervision: what to run ([`AppSpec`]), how patiently ([`SupervisorConfig`]), and the
//! [`Supervisor`] that starts, stops and restarts it and notices when it exits on its own.
//!
//! The seam for tests is [`AppSpec`]: plain data naming the program, so a test points the
//! supervisor at any program that listens on a port (`python3 -m http.server`, a shell script).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::app_process::{AppExit, AppProcess};

/// What to run: the same program, arguments and environment at every start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSpec {
    /// The binary.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Variables set on top of devserve's own environment.
    pub env: Vec<(OsString, OsString)>,
    /// Its working directory.
    pub cwd: PathBuf,
    /// Where it listens once ready.
    pub addr: SocketAddr,
}

/// Timings of supervision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorConfig {
    /// Time between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// How long a start may take until the port accepts connections.
    pub ready_timeout: Duration,
    /// How often the port is tried while starting.
    pub ready_poll: Duration,
    /// How many lines of output are kept for a crash report.
    pub output_lines: usize,
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        SupervisorConfig {
            grace: Duration::from_secs(3),
            ready_timeout: Duration::from_secs(60),
            ready_poll: Duration::from_millis(5),
            output_lines: 50,
        }
    }
}

/// Why the app could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SuperviseError {
    /// The program could not be run at all.
    #[error("cannot run {}: {source}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another program already listens on the app's address.
    #[error("{addr} is already in use by another program")]
    AddrInUse {
        /// The address.
        addr: SocketAddr,
    },
    /// The app ended before it accepted connections.
    #[error("the app {exit} before listening on {addr}")]
    ExitedEarly {
        /// Where it should have listened.
        addr: SocketAddr,
        /// How it ended, with its last output.
        exit: AppExit,
    },
    /// The app did not listen in time; it was stopped.
    #[error("the app did not listen on {addr} within {timeout:?}")]
    NotReady {
        /// Where it should have listened.
        addr: SocketAddr,
        /// How long it was given.
        timeout: Duration,
        /// How it ended once stopped, with its last output.
        exit: AppExit,
    },
}

/// Runs at most one instance of the app.
///
/// ```no_run
/// # async fn demo() -> Result<(), devserve_server::SuperviseError> {
/// use devserve_server::{AppSpec, Supervisor, SupervisorConfig};
/// let spec = AppSpec {
///     program: "target/devserve/fast/debug/app".into(),
///     args: vec![],
///     env: vec![("LEPTOS_SITE_ADDR".into(), "127.0.0.1:3001".into())],
///     cwd: ".".into(),
///     addr: "127.0.0.1:3001".parse().unwrap(),
/// };
/// let mut app = Supervisor::new(spec, SupervisorConfig::default());
/// app.start().await?; // returns once 127.0.0.1:3001 accepts connections
/// tokio::select! {
///     exit = app.exited() => eprintln!("{}", exit.report()),
///     _ = tokio::signal::ctrl_c() => { app.stop().await; }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Supervisor {
    spec: AppSpec,
    config: SupervisorConfig,
    app: Option<AppProcess>,
}

impl Supervisor {
    /// A supervisor for `spec`; nothing runs until [`Supervisor::start`].
    pub fn new(spec: AppSpec, config: SupervisorConfig) -> Self {
        Supervisor { spec, config, app: None }
    }

    /// What it runs.
    pub fn spec(&self) -> &AppSpec {
        &self.spec
    }

    /// Changes what the next start runs (e.g. a binary built elsewhere).
    pub fn spec_mut(&mut self) -> &mut AppSpec {
        &mut self.spec
    }

    /// The running app's process id, if one runs.
    pub fn pid(&self) -> Option<u32> {
        self.app.as_ref().map(AppProcess::pid)
    }

    /// The running app's last lines of output.
    pub fn recent_output(&self) -> Vec<String> {
        self.app.as_ref().map(AppProcess::recent_output).unwrap_or_default()
    }

    /// Starts the app (stopping a running one first) and waits until its port accepts
    /// connections.
    pub async fn start(&mut self) -> Result<(), SuperviseError> {
        self.stop().await;
        self.app = Some(AppProcess::start(&self.spec, &self.config).await?);
        Ok(())
    }

    /// Stops the running app, if any: SIGTERM to its process group, the grace period, SIGKILL.
    /// Returns how it ended.
    pub async fn stop(&mut self) -> Option<AppExit> {
        let app = self.app.take()?;
        let exit = app.stop().await;
        tracing::info!("app stopped: {exit}");
        Some(exit)
    }

    /// Stops the running app and starts it again, with the same spec.
    pub async fn restart(&mut self) -> Result<(), SuperviseError> {
        self.start().await
    }

    /// Resolves when the running app exits on its own (never while none runs; a stop is not an
    /// exit on its own). Afterwards no app runs. Cancel-safe, for use in `select!`.
    pub async fn exited(&mut self) -> AppExit {
        let Some(app) = self.app.as_mut() else { return std::future::pending().await };
        let exit = app.exited().await;
        self.app = None;
        tracing::debug!("app {exit}");
        exit
    }
}

//! `devserve --hot-reload`: one session serving one app. Wires the watcher, the view baseline, the
//! build queue, the app supervisor and the browser hub together.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use devserve_build::{
    BinaryHash, BuildEvent, BuildOutcome, BuildProfile, BuildRequest, Builder, DiagnosticLevel,
    FallbackMemory, FastMode, Probe, ProbeReport, ProfileOptions,
};
use devserve_protocol::ServerMessage;
use devserve_server::{
    AppSpec, AppState, ClientEvent, ClientId, Hub, ServerConfig, SuperviseError, Supervisor, SupervisorConfig,
};
use devserve_view::{Change, RebuildKind};

use crate::app::AppInfo;
use crate::baseline::{Baseline, Snapshot};
use crate::ui;
use crate::watch::{self, Content, FileChange, FileKind, Filter, Seen};

/// What the user asked for on the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The app's folder.
    pub(crate) app: PathBuf,
    /// Where devserve listens.
    pub(crate) listen: SocketAddr,
    /// Patch static markup in place (otherwise every change rebuilds and reloads).
    pub(crate) hot_reload: bool,
    /// How to build.
    pub(crate) fast: FastMode,
    /// How long the build queue waits after the last save before it starts a build, so a burst
    /// of saves starts one build. The patch path does not wait.
    pub(crate) build_debounce: Duration,
}

/// A build that is wanted: started after the debounce.
#[derive(Debug, Default)]
struct Wanted {
    /// When to start it (trailing edge of the debounce).
    at: Option<tokio::time::Instant>,
    /// Pages must reload once it lands (code changed).
    reload: bool,
}

/// A build that runs now.
struct Running {
    id: u64,
    snapshot: Snapshot,
    /// Patches sent before this build started are in its binary.
    included_version: u64,
    /// The content of every watched file when the build started ([`Seen::fingerprint`]).
    inputs: u64,
    reload: bool,
}

/// Everything one session owns.
struct Session {
    options: Options,
    app: AppInfo,
    hub: Hub,
    builder: Builder,
    profile: BuildProfile,
    supervisor: Supervisor,
    baseline: Baseline,
    seen: Seen,
    wanted: Wanted,
    running: Option<Running>,
    next_build: u64,
    css_version: u64,
    /// The binary the app runs now, `None` while it is not running.
    app_binary: Option<BinaryHash>,
    /// The sources that binary was built from ([`Seen::fingerprint`]).
    app_inputs: Option<u64>,
    /// Pages whose patch failed: reloaded when the next build lands.
    reload_clients: Vec<ClientId>,
}

/// Serve the app until Ctrl-C.
pub(crate) async fn run(options: Options) -> anyhow::Result<ExitCode> {
    let app = AppInfo::load(&options.app)?;
    let filter = Filter::new(&app.package_dir);
    let mut seen = Seen::default();
    let mut baseline = Baseline::default();
    for touched in watch::scan(&app.package_dir, &filter) {
        if let Some(FileChange { rel, kind: FileKind::Rust, content: Some(content) }) =
            watch::read_change(&mut seen, touched)
        {
            baseline.insert_built(&app.source_path(&rel), &content.text);
        }
    }
    let (_watcher, mut changes) =
        watch::watch(&app.package_dir, filter).context("cannot watch the app's files")?;

    let (_, profile) = choose_profile(&app.package_dir, options.fast).await;
    if let Some(notice) = &profile.notice {
        eprintln!("{notice}");
    }
    ui::say(&format!("build profile: {}", profile.name));
    let app_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
    let hub = Hub::default();
    let config = ServerConfig { listen: options.listen, ..ServerConfig::new(app_addr) };
    let (addr, _server) = devserve_server::serve(config, hub.clone()).await?;
    ui::say(&format!("serving http://{addr}"));

    let spec = AppSpec {
        program: PathBuf::new(),
        args: Vec::new(),
        env: vec![("LEPTOS_SITE_ADDR".into(), app_addr.to_string().into())],
        cwd: app.package_dir.clone(),
        addr: app_addr,
    };
    let (builder, mut builds) = Builder::new();
    let mut session = Session {
        options,
        app,
        hub,
        builder,
        profile,
        supervisor: Supervisor::new(spec, SupervisorConfig::default()),
        baseline,
        seen,
        wanted: Wanted { at: Some(tokio::time::Instant::now()), reload: true },
        running: None,
        next_build: 1,
        css_version: 0,
        app_binary: None,
        app_inputs: None,
        reload_clients: Vec::new(),
    };
    let mut events = session.hub.events();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        let debounce = session.wanted.at;
        tokio::select! {
            Some(touched) = changes.recv() => {
                if let Some(change) = watch::read_change(&mut session.seen, touched) {
                    session.on_file(change);
                }
            }
            Some(event) = builds.recv() => session.on_build(event).await,
            event = events.recv() => match event {
                Ok(event) => session.on_client(event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            () = sleep_until(debounce), if debounce.is_some() => session.start_build(),
            exit = session.supervisor.exited() => {
                ui::error(&format!("the app {}", exit.report()));
                session.app_binary = None;
                session.hub.set_app_state(AppState::Crashed { output: exit.output.join("\n") });
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        }
    }
    session.builder.cancel();
    session.supervisor.stop().await;
    Ok(ExitCode::SUCCESS)
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// The build profile for this session: the fastest the probe verified, unless `--fast=off`. Also
/// returns the probe's report (`None` with `--fast=off` or when the probe failed).
pub(crate) async fn choose_profile(app_dir: &Path, mode: FastMode) -> (Option<ProbeReport>, BuildProfile) {
    let cache_dir = devserve_build::default_cache_dir();
    let options = ProfileOptions {
        mode,
        manifest_dir: app_dir.to_path_buf(),
        env: std::env::vars().collect(),
        fallback_memory: cache_dir.as_deref().map(FallbackMemory::in_dir),
    };
    if mode == FastMode::Off {
        return (None, BuildProfile::plain());
    }
    let probe = Probe { project_dir: Some(app_dir.to_path_buf()), ..Probe::default() };
    match probe.run().await {
        Ok(report) => {
            let profile = devserve_build::choose_profile(&report, &options);
            (Some(report), profile)
        }
        Err(err) => {
            ui::warn(&format!("toolchain probe failed ({err}); building like plain `cargo build`"));
            (None, BuildProfile::plain())
        }
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("no free port for the app")?;
    Ok(listener.local_addr()?.port())
}

impl Session {
    fn on_file(&mut self, change: FileChange) {
        // An app that crashed or did not start is started again on the next save.
        if self.app_binary.is_none() && self.running.is_none() {
            self.want_build(true);
        }
        let FileChange { rel, kind, content } = change;
        match (kind, content) {
            (FileKind::Rust, Some(Content { lossy: true, .. })) => {
                ui::warn(&format!("{rel} is not valid UTF-8: keeping the last good state"));
            }
            (FileKind::Rust, Some(Content { text, .. })) => {
                let started = Instant::now();
                let path = self.app.source_path(&rel);
                let change = self.baseline.update(&path, &text);
                self.on_change(&rel, change, started);
            }
            (FileKind::Rust, None) => {
                self.baseline.remove(&self.app.source_path(&rel));
                ui::say(&format!("{rel} removed: rebuilding"));
                self.want_build(true);
            }
            (FileKind::Style, Some(_)) if self.options.hot_reload => {
                self.css_version += 1;
                self.hub.send(ServerMessage::Css { href: format!("/{rel}"), version: self.css_version });
                ui::say(&format!("{rel}: stylesheet swapped"));
            }
            (FileKind::Style, _) => self.want_build(true),
            (FileKind::Build, _) => {
                ui::say(&format!("{rel} changed: rebuilding"));
                self.want_build(true);
            }
        }
    }

    fn on_change(&mut self, rel: &str, change: Change, started: Instant) {
        match change {
            Change::None => tracing::debug!("{rel}: no change to the program"),
            Change::Patch(patches) if self.options.hot_reload => {
                let views = patches.len();
                let version = self.hub.send_patches(patches);
                let micros = started.elapsed().as_micros();
                ui::say(&format!("{rel}: patched {views} view(s) in {micros} µs (version {version})"));
                self.want_build(false);
            }
            Change::Patch(_) => self.want_build(true),
            Change::Rebuild(reason) if reason.kind == RebuildKind::ParseError => {
                ui::warn(&format!("{}: keeping the last good state", reason.message));
            }
            Change::Rebuild(reason) => {
                ui::say(&format!("rebuild: {}", reason.message));
                self.want_build(true);
            }
        }
    }

    fn want_build(&mut self, reload: bool) {
        self.wanted.at = Some(tokio::time::Instant::now() + self.options.build_debounce);
        self.wanted.reload |= reload;
    }

    fn start_build(&mut self) {
        let id = self.next_build;
        self.next_build += 1;
        // A build that a newer one cancels passes on its need to reload.
        let reload =
            std::mem::take(&mut self.wanted).reload || self.running.as_ref().is_some_and(|r| r.reload);
        let target_dir = self.profile.target_dir(&self.app.target_dir);
        self.builder.start(BuildRequest {
            id,
            manifest_dir: self.app.package_dir.clone(),
            package: Some(self.app.package.clone()),
            bin: Some(self.app.bin.clone()),
            profile: self.profile.clone(),
            env: vec![("LEPTOS_WATCH".into(), "1".into())],
            extra_args: Vec::new(),
            target_dir,
        });
        ui::say(&format!("build {id} started"));
        self.running = Some(Running {
            id,
            snapshot: self.baseline.snapshot(),
            included_version: self.hub.last_version(),
            inputs: self.seen.fingerprint(),
            reload,
        });
    }

    async fn on_build(&mut self, event: BuildEvent) {
        if let BuildEvent::Finished { id, outcome: BuildOutcome::Cancelled, .. } = &event {
            ui::say(&format!("build {id} cancelled"));
        }
        if self.running.as_ref().is_none_or(|r| r.id != event.id()) {
            return;
        }
        match event {
            BuildEvent::Started { .. } => {}
            BuildEvent::Progress { progress, .. } => {
                ui::progress(&progress);
                if self.app_binary.is_none() {
                    self.hub.set_app_state(AppState::Building(progress.clone()));
                }
                self.hub.send(ServerMessage::Building { progress });
            }
            BuildEvent::Diagnostic { diagnostic, .. } => {
                if diagnostic.level == DiagnosticLevel::Error || diagnostic.local {
                    ui::diagnostic(&diagnostic.rendered);
                }
            }
            BuildEvent::FellBack { reason, profile, .. } => {
                ui::warn(&format!(
                    "Cranelift cannot build this app ({reason}): building with LLVM from now on"
                ));
                self.profile = *profile;
            }
            BuildEvent::Finished { id, outcome, elapsed } => {
                let Some(running) = self.running.take() else { return };
                let secs = elapsed.as_secs_f64();
                match outcome {
                    BuildOutcome::Cancelled => {}
                    BuildOutcome::Failed { diagnostics, stderr_tail } => {
                        ui::error(&format!("build {id} failed after {secs:.1} s"));
                        let mut rendered: Vec<String> = diagnostics
                            .into_iter()
                            .filter(|d| d.level == DiagnosticLevel::Error)
                            .map(|d| d.rendered)
                            .collect();
                        if rendered.is_empty() {
                            ui::diagnostic(&stderr_tail);
                            rendered.push(stderr_tail);
                        }
                        if self.app_binary.is_none() {
                            self.hub.set_app_state(AppState::Failed { diagnostics: rendered.clone() });
                        }
                        self.hub.send(ServerMessage::BuildFailed { diagnostics: rendered });
                    }
                    BuildOutcome::Succeeded { executable, binary_hash, .. } => {
                        ui::say(&format!("build {id} finished in {secs:.1} s"));
                        self.land(running, executable, binary_hash).await;
                    }
                }
            }
        }
    }

    /// A good build: restart the app if its binary changed, move the baseline, tell the pages
    /// (reload them only if the app was restarted).
    async fn land(&mut self, running: Running, executable: PathBuf, hash: BinaryHash) {
        let build_id = format!("b{}", running.id);
        // Same bytes, or (Cranelift does not order its object files deterministically) the same
        // sources with the same profile: the running app is already this build.
        let unchanged = self.app_binary.is_some()
            && (self.app_binary == Some(hash) || self.app_inputs == Some(running.inputs));
        let restarted = !unchanged;
        if !restarted {
            ui::say("binary unchanged: the app keeps running");
        } else {
            self.hub.set_app_state(AppState::Starting);
            self.supervisor.spec_mut().program = executable;
            let started = Instant::now();
            if let Err(err) = self.supervisor.restart().await {
                // An app that exited before listening is gone from the supervisor with its output.
                let output = match &err {
                    SuperviseError::ExitedEarly { exit, .. } => exit.output.join("\n"),
                    _ => self.supervisor.recent_output().join("\n"),
                };
                ui::error(&format!("the app did not start: {err}\n{output}"));
                self.app_binary = None;
                let report = format!("the app did not start: {err}\n{output}");
                self.hub.set_app_state(AppState::Crashed { output: output.clone() });
                self.hub.send(ServerMessage::BuildFailed { diagnostics: vec![report] });
                return;
            }
            ui::say(&format!("app restarted in {} ms", started.elapsed().as_millis()));
            self.app_binary = Some(hash);
            self.app_inputs = Some(running.inputs);
        }
        self.baseline.landed(running.snapshot);
        self.hub.build_landed(build_id.clone(), running.included_version);
        self.hub.set_app_state(AppState::Up);
        self.hub.send(ServerMessage::BuildOk { build_id });
        if running.reload && restarted {
            self.hub.send(ServerMessage::Reload);
        } else {
            for client in self.reload_clients.drain(..) {
                self.hub.send_to(client, ServerMessage::Reload);
            }
        }
        self.reload_clients.clear();
    }

    fn on_client(&mut self, event: ClientEvent) {
        match event {
            ClientEvent::PatchFailed { client, view_id, version, reason } => {
                ui::warn(&format!(
                    "a page could not apply patch {version} of {view_id} ({reason}): it reloads after the build"
                ));
                if self.running.is_none() && self.wanted.at.is_none() {
                    self.want_build(false);
                }
                self.reload_clients.push(client);
            }
            ClientEvent::Console { level, message, .. } => ui::browser(&level, &message),
            ClientEvent::PatchApplied { view_id, version, matches, .. } => {
                tracing::debug!("patch {version} of {view_id} applied to {matches} place(s)");
            }
            ClientEvent::Connected { .. } | ClientEvent::Disconnected { .. } => {}
        }
    }
}

//! `devserve --hot-reload`: one session serving one app. Wires the watcher, the view baseline, the
//! build queue, the app supervisor and the browser hub together.

use std::collections::{BTreeSet, VecDeque};
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
use devserve_server::{AppSpec, AppState, ClientEvent, ClientId, Hub, ServerConfig, SupervisorConfig};
use devserve_view::{Change, RebuildKind};

use devserve_project::Project;

use crate::app_runner::{AppRunner, RunnerEvent};
use crate::baseline::{Baseline, Snapshot};
use crate::front::{Bound, Front, Staged};
use crate::site::{Site, StyleOutcome};
use crate::ui;
use crate::watch::{self, Content, FileChange, FileKind, Filter, Seen, Watcher};

/// The rustflag cargo-leptos adds to dev builds of both sides (smaller, faster-compiling view
/// types); the server's and the front's renderings must agree for hydration.
const ERASE_COMPONENTS: [&str; 2] = ["--cfg", "erase_components"];

/// What the user asked for on the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The app's folder.
    pub(crate) app: PathBuf,
    /// Where devserve listens.
    pub(crate) listen: SocketAddr,
    /// Host names devserve answers to besides the loopback ones and `listen`'s.
    pub(crate) allowed_hosts: Vec<String>,
    /// Patch static markup in place (otherwise every change rebuilds and reloads).
    pub(crate) hot_reload: bool,
    /// How to build.
    pub(crate) fast: FastMode,
    /// `--debug-info`: the app's own crates with full debug info.
    pub(crate) debug_info: bool,
    /// How long the build queue waits after the last save before it starts a build, so a burst
    /// of saves starts one build. The patch path does not wait.
    pub(crate) build_debounce: Duration,
    /// When devserve started (for the start-up time it reports).
    pub(crate) started: Instant,
}

/// A build that is wanted: started after the debounce.
#[derive(Debug, Default)]
struct Wanted {
    /// When to start it (trailing edge of the debounce).
    at: Option<tokio::time::Instant>,
    /// Pages must reload once it lands for a reason the view baseline does not see (a build
    /// file, a stylesheet without hot reload, an app to bring back). Code changes in Rust files
    /// are not collected here: [`Baseline::code_differs`] decides them when the build starts.
    reload: bool,
}

/// A build that runs now: the server, and for a hydrated app the wasm front end beside it.
struct Running {
    id: u64,
    /// The server's executable and its hash, once its build succeeded.
    server: Option<(PathBuf, BinaryHash)>,
    /// The front's state (`Some(None)`: unchanged or no front; `None`: not done yet).
    front: Option<Option<Staged>>,
    snapshot: Snapshot,
    /// Patches sent before this build started are in its binary.
    included_version: u64,
    /// The content of every watched file when the build started ([`Seen::fingerprint`]).
    inputs: u64,
    /// The files the build read, from cargo's dep-info (both sides).
    read: Vec<PathBuf>,
    /// A reload was wanted for a reason other than code ([`Wanted::reload`]).
    forced: bool,
    /// Pages reload once it lands.
    reload: bool,
}

/// A good build waiting for its app restart to finish.
struct Landing {
    running: Running,
    hash: BinaryHash,
    staged: Option<Staged>,
}

/// How long devserve gives the app to stop when devserve itself stops (Ctrl-C, SIGTERM, SIGHUP);
/// past it the app's process group is killed.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(700);

/// Everything one session owns.
struct Session {
    options: Options,
    /// The file watcher (also told what the builds read).
    watcher: Watcher,
    /// The sources (as the baseline names them) the running build was compiled from, from cargo's
    /// dep-info; `None` until a build told.
    compiled: Option<BTreeSet<String>>,
    app: Project,
    /// The wasm front end of a hydrated app.
    front: Option<Front>,
    /// Styles and assets of a cargo-leptos app.
    site: Option<Site>,
    /// `LEPTOS_*` (and `.env`) variables for builds and the app.
    leptos_env: Vec<(String, String)>,
    /// A style error is shown (cleared by the next good compile).
    style_failed: bool,
    hub: Hub,
    builder: Builder,
    profile: BuildProfile,
    /// Restarts the app beside the event loop.
    runner: AppRunner,
    /// Builds whose app restart is under way, in the order asked.
    landings: VecDeque<Landing>,
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
    /// Pages whose patch failed, with the patch's version: reloaded when a build that has the
    /// patch compiled in runs.
    reload_clients: Vec<(ClientId, u64)>,
}

/// Serve the app until Ctrl-C.
pub(crate) async fn run(options: Options) -> anyhow::Result<ExitCode> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let mut app = Project::load(&options.app, &env)?;
    if let Some(leptos) = app.leptos.as_mut().filter(|leptos| leptos.hash_files) {
        // Hashed names are for deployments; in development the pkg files keep plain names and
        // are never cached (see `no_store_prefixes`).
        ui::say("hash-files: off while developing (the pkg files are served uncached)");
        leptos.hash_files = false;
    }
    let mut filter = Filter::new(&app.package_dir);
    if let Some(leptos) = &app.leptos {
        if let Some(assets) = &leptos.assets_dir {
            filter = filter.with_assets(assets);
        }
        filter = filter.ignoring(&leptos.site_root);
    }
    let indexing = Instant::now();
    let mut seen = Seen::default();
    let mut baseline = Baseline::default();
    for touched in watch::scan(&app.package_dir, &filter) {
        if let Some(FileChange { rel, kind: FileKind::Rust, content: Some(content) }) =
            watch::read_change(&mut seen, touched)
        {
            baseline.insert_built(&app.source_path(&rel), content.text);
        }
    }
    let indexed = indexing.elapsed();
    let (watcher, mut changes) =
        watch::watch(&app.package_dir, filter).context("cannot watch the app's files")?;
    // Views are parsed when their file first changes (see `baseline`): reading is the index.
    ui::say(&format!(
        "watching: {} Rust file(s) indexed in {} ms, their views parsed as they change ({} ms since start)",
        baseline.files(),
        indexed.as_millis(),
        options.started.elapsed().as_millis()
    ));

    let extra_rustflags: Vec<String> = if app.leptos.as_ref().is_some_and(|l| l.erase_components) {
        ERASE_COMPONENTS.map(str::to_owned).to_vec()
    } else {
        Vec::new()
    };
    let own = if options.debug_info { app.own_packages() } else { Vec::new() };
    let no_cdylib = no_cdylib_wrapper(&app);
    let (_, profile) =
        choose_profile(&app.package_dir, options.fast, &extra_rustflags, &own, no_cdylib).await;
    if let Some(notice) = &profile.notice {
        ui::say(notice.trim_start_matches("devserve: "));
    }
    ui::say(&format!("build profile: {}", profile.name));
    ui::say(&format!("debug info: {}", profile.debug_info));
    let app_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?));
    let hub = Hub::default();
    let mut config = ServerConfig { listen: options.listen, ..ServerConfig::new(app_addr) };
    config.allowed_hosts = options.allowed_hosts.clone();
    if let Some(warning) = config.exposure_warning() {
        ui::warn(&warning);
    }
    if let Some(leptos) = &app.leptos {
        config.no_store_prefixes.push(format!("/{}/", leptos.site_pkg_dir.trim_matches('/')));
    }
    let (addr, _server) = devserve_server::serve(config, hub.clone()).await?;
    ui::say(&format!("serving http://{addr}"));

    // Leptos's <AutoReload/> connects to the reload port on the page's host: devserve's own port
    // answers it (see devserve-server's live_reload), so there is no second server.
    let leptos_env = match &app.leptos {
        Some(leptos) => leptos.env_vars(app_addr, addr.port()),
        None => vec![("LEPTOS_WATCH".to_owned(), "true".to_owned())],
    };
    let mut app_env: Vec<(std::ffi::OsString, std::ffi::OsString)> =
        leptos_env.iter().map(|(k, v)| (k.into(), v.into())).collect();
    app_env.push(("LEPTOS_SITE_ADDR".into(), app_addr.to_string().into()));
    let spec = AppSpec {
        program: PathBuf::new(),
        args: Vec::new(),
        env: app_env,
        cwd: app.package_dir.clone(),
        addr: app_addr,
    };

    let front_options = ProfileOptions {
        mode: options.fast,
        manifest_dir: app.package_dir.clone(),
        env: env.clone(),
        fallback_memory: None,
        extra_rustflags,
        no_cdylib: None,
    };
    let (front, mut front_builds, mut bound) =
        match Front::new(&app, devserve_build::front_profile(&front_options, false), leptos_env.clone()) {
            Some((front, builds, bound)) => {
                ui::say("hydrated app: building the server and the wasm front end side by side");
                front.prepare().await;
                (Some(front), Some(builds), Some(bound))
            }
            None => (None, None, None),
        };
    let mut site = app.leptos.as_ref().map(Site::new);
    if let Some(site) = &mut site {
        if let Err(err) = site.sync_assets() {
            ui::error(&format!("assets: {err}"));
        }
        if let Some(StyleOutcome::Failed(err)) = site.compile_style() {
            ui::error(&err);
        }
    }

    let (builder, mut builds) = Builder::new();
    let (runner, mut runner_events) = AppRunner::new(spec, SupervisorConfig::default());
    let mut session = Session {
        options,
        watcher,
        compiled: None,
        app,
        front,
        site,
        leptos_env,
        style_failed: false,
        hub,
        builder,
        profile,
        runner,
        landings: VecDeque::new(),
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
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    loop {
        let debounce = session.wanted.at;
        tokio::select! {
            Some(touched) = changes.recv() => {
                if let Some(change) = watch::read_change(&mut session.seen, touched) {
                    session.on_file(change);
                }
            }
            Some(event) = builds.recv() => session.on_build(event, Side::Server),
            Some(event) = recv(&mut front_builds) => session.on_build(event, Side::Front),
            Some(bound) = recv(&mut bound) => session.on_bound(bound),
            event = events.recv() => match event {
                Ok(event) => session.on_client(event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            () = sleep_until(debounce), if debounce.is_some() => session.start_build(),
            Some(event) = runner_events.recv() => session.on_runner(event),
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
            _ = hangup.recv() => break,
        }
    }
    session.builder.cancel();
    if let Some(front) = &session.front {
        front.cancel();
    }
    session.runner.shutdown(SHUTDOWN_GRACE).await;
    Ok(ExitCode::SUCCESS)
}

/// Receives from an optional channel; never resolves when there is none.
async fn recv<T>(rx: &mut Option<tokio::sync::mpsc::UnboundedReceiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Which build a build event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Server,
    Front,
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// The app, for `devserve doctor`.
pub(crate) fn load_project(app_dir: &Path) -> anyhow::Result<Project> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    Ok(Project::load(app_dir, &env)?)
}

/// The build profile for this session: the fastest the probe verified, unless `--fast=off`, with
/// full debug info for `debug_packages` (`--debug-info`). Also returns the probe's report (`None`
/// with `--fast=off` or when the probe failed).
pub(crate) async fn choose_profile(
    app_dir: &Path,
    mode: FastMode,
    extra_rustflags: &[String],
    debug_packages: &[String],
    no_cdylib: Option<PathBuf>,
) -> (Option<ProbeReport>, BuildProfile) {
    let (report, profile) = choose_fast_profile(app_dir, mode, extra_rustflags, no_cdylib).await;
    (report, profile.with_debug_info(debug_packages))
}

/// The no-cdylib wrapper (written into `target/devserve/tools`) for an app whose library is a
/// `cdylib` only for its wasm front end: fast server builds do not link it. `None` otherwise, or
/// when it cannot be written (said; the server build then links the cdylib as cargo does).
pub(crate) fn no_cdylib_wrapper(app: &Project) -> Option<PathBuf> {
    if !app.has_front() {
        return None;
    }
    let tools = app.target_dir.join("devserve").join("tools");
    match devserve_build::write_no_cdylib_wrapper(&tools) {
        Ok(path) => Some(path),
        Err(err) => {
            ui::warn(&format!(
                "cannot write into {} ({err}): the server build links the cdylib",
                tools.display()
            ));
            None
        }
    }
}

async fn choose_fast_profile(
    app_dir: &Path,
    mode: FastMode,
    extra_rustflags: &[String],
    no_cdylib: Option<PathBuf>,
) -> (Option<ProbeReport>, BuildProfile) {
    let cache_dir = devserve_build::default_cache_dir();
    let options = ProfileOptions {
        mode,
        manifest_dir: app_dir.to_path_buf(),
        env: std::env::vars().collect(),
        fallback_memory: cache_dir.as_deref().map(FallbackMemory::in_dir),
        extra_rustflags: extra_rustflags.to_vec(),
        no_cdylib,
    };
    if mode == FastMode::Off {
        return (None, devserve_build::plain_profile(&options));
    }
    let probe = Probe { project_dir: Some(app_dir.to_path_buf()), ..Probe::default() };
    match probe.run().await {
        Ok(report) => {
            let profile = devserve_build::choose_profile(&report, &options);
            // The winner of `devserve bench --save` on this app, if any (its notice says so).
            let profile = devserve_build::saved_or(profile, &report, &options);
            (Some(report), profile)
        }
        Err(err) => {
            ui::warn(&format!("toolchain probe failed ({err}); building like plain `cargo build`"));
            (None, devserve_build::plain_profile(&options))
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
                self.want_build(false);
            }
            (FileKind::Style, _) if self.is_style_input(&rel) => self.on_style(&rel),
            (FileKind::Style, Some(_)) if self.options.hot_reload => {
                self.css_version += 1;
                self.hub.send(ServerMessage::Css { href: format!("/{rel}"), version: self.css_version });
                ui::say(&format!("{rel}: stylesheet swapped"));
            }
            (FileKind::Style, _) => self.want_build(true),
            (FileKind::Asset, _) => self.on_asset(&rel),
            (FileKind::Build, _) => {
                ui::say(&format!("{rel} changed: rebuilding"));
                self.want_build(true);
            }
        }
    }

    fn is_style_input(&self, rel: &str) -> bool {
        self.site.as_ref().is_some_and(|site| site.is_style_input(&self.app.package_dir.join(rel)))
    }

    /// A file the style-file reads changed: compile it, swap the stylesheet in the pages; an
    /// error goes to the terminal and the overlay and the last good CSS stays.
    fn on_style(&mut self, rel: &str) {
        let Some(site) = &mut self.site else { return };
        let started = Instant::now();
        match site.compile_style() {
            None | Some(StyleOutcome::Unchanged) => {
                tracing::debug!("{rel}: the stylesheet did not change");
                self.clear_style_error();
            }
            Some(StyleOutcome::Written) => {
                let href = site.css_href.clone();
                self.clear_style_error();
                self.css_version += 1;
                if self.options.hot_reload {
                    self.hub.send(ServerMessage::Css { href: href.clone(), version: self.css_version });
                    // A page may link the style-file itself too (an SSR app serving its folder).
                    if rel.ends_with(".css") {
                        let own = format!("/{rel}");
                        self.hub.send(ServerMessage::Css { href: own, version: self.css_version });
                    }
                    let micros = started.elapsed().as_micros();
                    ui::say(&format!("{rel}: stylesheet swapped ({href} compiled in {micros} µs)"));
                } else {
                    self.hub.send(ServerMessage::Reload);
                }
            }
            Some(StyleOutcome::Failed(err)) => {
                ui::error(&err);
                self.style_failed = true;
                self.hub.send(ServerMessage::BuildFailed { diagnostics: vec![err] });
            }
        }
    }

    fn clear_style_error(&mut self) {
        if std::mem::take(&mut self.style_failed) {
            let build_id = self.hub.running_build().id;
            self.hub.send(ServerMessage::BuildOk { build_id });
        }
    }

    /// A file of the assets-dir was added, changed or removed: copy it over and reload the
    /// pages (as Vite does for its public folder).
    fn on_asset(&mut self, rel: &str) {
        let Some(site) = &mut self.site else { return };
        match site.sync_asset(&self.app.package_dir.join(rel)) {
            Ok(true) => {
                ui::say(&format!("{rel}: asset copied to the site, reloading"));
                self.hub.send(ServerMessage::Reload);
            }
            Ok(false) => {}
            Err(err) => ui::error(&format!("assets: {err}")),
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
                self.want_build(false);
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
        // A build that a newer one cancels passes on its forced reload; code changes are judged
        // from the sources this build is made from.
        let forced =
            std::mem::take(&mut self.wanted).reload || self.running.as_ref().is_some_and(|r| r.forced);
        let compiled = self.compiled.as_ref();
        let reload =
            forced || self.baseline.code_differs_in(|path| compiled.is_none_or(|c| c.contains(path)));
        let target_dir = self.profile.target_dir(&self.app.target_dir);
        let mut extra_args = Vec::new();
        if let Some(leptos) = &self.app.leptos {
            if !leptos.bin.default_features {
                extra_args.push("--no-default-features".to_owned());
            }
            if !leptos.bin.features.is_empty() {
                extra_args.push(format!("--features={}", leptos.bin.features.join(",")));
            }
            if let Some(profile) = &leptos.bin.profile_dev {
                extra_args.push(format!("--profile={profile}"));
            }
        }
        self.builder.start(BuildRequest {
            id,
            manifest_dir: self.app.package_dir.clone(),
            package: Some(self.app.package.clone()),
            bin: Some(self.app.bin.clone()),
            wasm_lib: false,
            profile: self.profile.clone(),
            env: self.leptos_env.clone(),
            extra_args,
            target_dir,
        });
        if let Some(front) = &self.front {
            front.start(id);
        }
        ui::say(&format!("build {id} started"));
        // The build under way, if any, is cancelled by this one.
        if let Some(cancelled) = self.running.take() {
            self.hub.build_dropped(cancelled.included_version);
        }
        self.running = Some(Running {
            id,
            server: None,
            front: if self.front.is_some() { None } else { Some(None) },
            snapshot: self.baseline.snapshot(),
            included_version: self.hub.build_started(),
            inputs: self.seen.fingerprint(),
            read: Vec::new(),
            forced,
            reload,
        });
    }

    fn on_build(&mut self, event: BuildEvent, side: Side) {
        if let BuildEvent::Finished { id, outcome: BuildOutcome::Cancelled, .. } = &event
            && side == Side::Server
        {
            ui::say(&format!("build {id} cancelled"));
        }
        if self.running.as_ref().is_none_or(|r| r.id != event.id()) {
            return;
        }
        match event {
            BuildEvent::Started { .. } => {}
            BuildEvent::Progress { progress, .. } => {
                if side == Side::Front {
                    tracing::debug!("front: {}/{:?}", progress.done, progress.total);
                    return;
                }
                ui::progress(&progress);
                if self.app_binary.is_none() {
                    self.hub.set_app_state(AppState::Building(progress.clone()));
                }
                self.hub.send(ServerMessage::Building { progress });
            }
            BuildEvent::Diagnostic { diagnostic, .. } => {
                if diagnostic.level == DiagnosticLevel::Error || (diagnostic.local && side == Side::Server) {
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
                let secs = elapsed.as_secs_f64();
                // "build 3 finished" for a server-only app; which side for a hydrated one.
                let what = match (side, self.front.is_some()) {
                    (_, false) => "",
                    (Side::Server, true) => " (server)",
                    (Side::Front, true) => " (wasm front end)",
                };
                match outcome {
                    BuildOutcome::Cancelled => {}
                    BuildOutcome::Failed { diagnostics, stderr_tail } => {
                        ui::error(&format!("build {id}{what} failed after {secs:.1} s"));
                        let mut rendered: Vec<String> = diagnostics
                            .into_iter()
                            .filter(|d| d.level == DiagnosticLevel::Error)
                            .map(|d| d.rendered)
                            .collect();
                        if rendered.is_empty() {
                            ui::diagnostic(&stderr_tail);
                            rendered.push(stderr_tail);
                        }
                        self.build_failed(rendered);
                    }
                    BuildOutcome::Succeeded { executable, binary_hash, .. } => {
                        ui::say(&format!("build {id}{what} finished in {secs:.1} s"));
                        let Some(running) = self.running.as_mut() else { return };
                        running.read.extend(crate::depinfo::inputs_of(&executable));
                        match side {
                            Side::Server => running.server = Some((executable, binary_hash)),
                            Side::Front => match &self.front {
                                Some(front) if !front.is_published(binary_hash) => {
                                    front.bind(id, executable, binary_hash);
                                }
                                _ => running.front = Some(None),
                            },
                        }
                        self.try_land();
                    }
                }
            }
        }
    }

    /// wasm-bindgen ran for a front build.
    fn on_bound(&mut self, bound: Bound) {
        let Some(running) = self.running.as_mut().filter(|r| r.id == bound.id) else { return };
        match bound.result {
            Ok(staged) => {
                running.front = Some(Some(staged));
                self.try_land();
            }
            Err(err) => {
                ui::error(&err);
                self.build_failed(vec![err]);
            }
        }
    }

    /// The running build failed (either side): the other side is cancelled, the pages show why.
    fn build_failed(&mut self, rendered: Vec<String>) {
        if let Some(failed) = self.running.take() {
            self.hub.build_dropped(failed.included_version);
        }
        self.builder.cancel();
        if let Some(front) = &self.front {
            front.cancel();
        }
        if self.app_binary.is_none() {
            self.hub.set_app_state(AppState::Failed { diagnostics: rendered.clone() });
        }
        self.hub.send(ServerMessage::BuildFailed { diagnostics: rendered });
    }

    /// Lands the running build once both sides are done.
    fn try_land(&mut self) {
        let ready = self.running.as_ref().is_some_and(|r| r.server.is_some() && r.front.is_some());
        if !ready {
            return;
        }
        let Some(mut running) = self.running.take() else { return };
        let (Some((executable, hash)), Some(staged)) = (running.server.take(), running.front.take()) else {
            return;
        };
        self.land(running, executable, hash, staged);
    }

    /// A good build: restart the app if its binary changed (beside the event loop; the landing
    /// finishes in [`Session::landed`]), else switch the front's files at once.
    fn land(&mut self, mut running: Running, executable: PathBuf, hash: BinaryHash, staged: Option<Staged>) {
        let read = std::mem::take(&mut running.read);
        if !read.is_empty() {
            let compiled = read
                .iter()
                .filter_map(|path| path.strip_prefix(&self.app.package_dir).ok())
                .map(|rel| self.app.source_path(&rel.to_string_lossy().replace('\\', "/")))
                .collect();
            self.compiled = Some(compiled);
        }
        self.watcher.watch_inputs(read);
        // Same bytes, or (Cranelift does not order its object files deterministically) the same
        // sources with the same profile: the running app is already this build.
        let unchanged = self.app_binary.is_some()
            && (self.app_binary == Some(hash) || self.app_inputs == Some(running.inputs));
        let switch = match (&self.front, &staged) {
            (Some(front), Some(staged)) => Some(front.switch(staged)),
            _ => None,
        };
        if unchanged {
            ui::say("binary unchanged: the app keeps running");
            if let Some(switch) = switch {
                switch();
            }
            self.landed(Landing { running, hash, staged }, false);
            return;
        }
        // Requests are held from here until the new app is up, and the pkg files switch in that
        // window: no page gets new server HTML with old wasm or the reverse.
        self.hub.set_app_state(AppState::Starting);
        self.runner.restart(running.id, executable, switch);
        self.landings.push_back(Landing { running, hash, staged });
    }

    fn on_runner(&mut self, event: RunnerEvent) {
        match event {
            RunnerEvent::Restarted { id, result } => {
                let Some(landing) = self.landings.pop_front() else { return };
                debug_assert_eq!(landing.running.id, id);
                match result {
                    Ok(took) => {
                        ui::say(&format!("app restarted in {} ms", took.as_millis()));
                        self.app_binary = Some(landing.hash);
                        self.app_inputs = Some(landing.running.inputs);
                        self.landed(landing, true);
                    }
                    Err((err, output)) => {
                        self.hub.build_dropped(landing.running.included_version);
                        ui::error(&format!("the app did not start: {err}\n{output}"));
                        self.app_binary = None;
                        let report = format!("the app did not start: {err}\n{output}");
                        self.hub.set_app_state(AppState::Crashed { output });
                        self.hub.send(ServerMessage::BuildFailed { diagnostics: vec![report] });
                    }
                }
            }
            RunnerEvent::Exited(exit) => {
                ui::error(&exit.report());
                self.app_binary = None;
                self.hub.set_app_state(AppState::Crashed { output: exit.output.join("\n") });
            }
        }
    }

    /// The app runs the build of `landing`: move the baseline, tell the pages (reload them only
    /// if the app was restarted or the front changed, and the build was for code).
    fn landed(&mut self, landing: Landing, restarted: bool) {
        let Landing { running, staged, .. } = landing;
        let build_id = format!("b{}", running.id);
        if let (Some(front), Some(staged)) = (&mut self.front, &staged) {
            front.published(staged);
        }
        let front_changed = staged.is_some();
        let reloaded = running.reload && (restarted || front_changed);
        self.baseline.landed(running.snapshot, reloaded);
        self.hub.build_landed(build_id.clone(), running.included_version);
        self.hub.set_app_state(AppState::Up);
        self.hub.send(ServerMessage::BuildOk { build_id });
        if reloaded {
            self.hub.send(ServerMessage::Reload);
            self.reload_clients.clear();
        } else {
            // A page reloaded before its failed patch is compiled in would be served without it,
            // get it replayed and fail again: it waits for the build that has it.
            let hub = &self.hub;
            self.reload_clients.retain(|&(client, version)| {
                let due = version <= running.included_version;
                if due {
                    hub.send_to(client, ServerMessage::Reload);
                }
                !due
            });
        }
    }

    fn on_client(&mut self, event: ClientEvent) {
        match event {
            // Sent only for a view that is on the page and could not be patched safely (a view
            // that is not on the page keeps its patch in the page, and is no failure).
            ClientEvent::PatchFailed { client, view_id, version, reason } => {
                ui::warn(&format!(
                    "a page could not apply patch {version} of {view_id} ({reason}): it reloads after the build"
                ));
                if version <= self.hub.running_build().included_version {
                    // The app already runs a build that has the patch.
                    self.hub.send_to(client, ServerMessage::Reload);
                    return;
                }
                let coming = self.wanted.at.is_some()
                    || self.running.as_ref().is_some_and(|r| r.included_version >= version)
                    || self.landings.iter().any(|l| l.running.included_version >= version);
                if !coming {
                    self.want_build(false);
                }
                self.reload_clients.push((client, version));
            }
            ClientEvent::Console { level, message, .. } => ui::browser(&level, &message),
            ClientEvent::PatchApplied { view_id, version, matches, .. } => {
                if matches == 0 {
                    tracing::debug!(
                        "patch {version} of {view_id} kept by a page that does not show the view"
                    );
                } else {
                    tracing::debug!("patch {version} of {view_id} applied to {matches} place(s)");
                }
            }
            ClientEvent::Disconnected { client } => self.reload_clients.retain(|&(c, _)| c != client),
            ClientEvent::Connected { .. } => {}
        }
    }
}

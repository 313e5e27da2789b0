//! `devserve --hot-reload`: one session serving one app. Wires the watcher, the view baseline, the
//! build queue, the app supervisor and the browser hub together.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use devserve_protocol::ServerMessage;
use devserve_view::{Change, RebuildKind};
use tokio::time::sleep_until;

use crate::app::AppInfo;
use crate::baseline::{Baseline, Snapshot};
use crate::watch::{self, FileChange, FileKind, Filter, Seen};

/// How long the build queue waits after the last save before it starts a build, so a burst of
/// saves starts one build. The patch path does not wait.
const BUILD_DEBOUNCE: Duration = Duration::from_millis(80);

/// What the user asked for on the command line.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The app's folder.
    pub(crate) app: PathBuf,
    /// Where devserve listens.
    pub(crate) listen: SocketAddr,
    /// Patch static markup in place (otherwise every change rebuilds and reloads).
    pub(crate) hot_reload: bool,
}

/// A build that is wanted: started after the debounce.
#[derive(Debug, Default)]
struct Wanted {
    /// When to start it (trailing edge of the debounce).
    at: Option<Instant>,
    /// Pages must reload once it lands (code changed, or a patch could not be applied).
    reload: bool,
}

/// A build that runs now.
struct Running {
    id: u64,
    snapshot: Snapshot,
    /// Patches sent before this build started are in its binary.
    included_version: u64,
    reload: bool,
}

/// Serve the app until Ctrl-C.
pub(crate) async fn run(options: Options) -> anyhow::Result<ExitCode> {
    let app = AppInfo::load(&options.app)?;
    let filter = Filter::new(&app.package_dir);
    let mut seen = Seen::default();
    let mut baseline = Baseline::default();
    for (path, rel, kind) in watch::scan(&app.package_dir, &filter) {
        if let Some(FileChange { content: Some(content), .. }) = watch::read_change(&mut seen, &path, rel.clone(), kind)
            && kind == FileKind::Rust
        {
            baseline.insert_built(&app.source_path(&rel), &content.text);
        }
    }
    let (_watcher, mut changes) = watch::watch(&app.package_dir, filter).context("cannot watch the app's files")?;

    let _ = (&mut changes, &options, BUILD_DEBOUNCE, sleep_until, Wanted::default());
    let _ = |r: Running| (r.id, r.snapshot, r.included_version, r.reload);
    let _ = |c: Change| matches!(c, Change::Rebuild(r) if r.kind == RebuildKind::Code);
    let _ = ServerMessage::Reload;
    anyhow::bail!("serving is not wired yet")
}

//! The state shared by the orchestrator, the proxy and every connected browser.
//!
//! The orchestrator tells the [`Hub`] what happens (patches, builds, the app's state); browser
//! sessions subscribe to it and the proxy reads it to decide whether to forward, hold, or answer a
//! request with the progress page.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use devserve_protocol::{BuildProgress, PROTOCOL_VERSION, ServerMessage, ViewPatch};
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use crate::pending::Pending;
use crate::token;

/// Identifies one browser connection for the lifetime of the process.
pub type ClientId = u64;

/// The build id devserve reports before any build has landed.
pub const INITIAL_BUILD_ID: &str = "initial";

/// How many messages a slow browser may fall behind before it is told to reload.
const OUTGOING_CAPACITY: usize = 1024;
const EVENT_CAPACITY: usize = 1024;

/// What the app process is doing, from the proxy's point of view: only [`AppState::Up`] forwards
/// requests; in every other state requests are held and HTML requests get the progress page.
///
/// A background build while the old binary keeps serving is *not* a state change: the app stays
/// `Up` and browsers hear about the build through [`ServerMessage::Building`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AppState {
    /// The app is being (re)started; nothing answers yet.
    #[default]
    Starting,
    /// No app runs and a build is under way (the first build, or a build after a crash).
    Building(BuildProgress),
    /// No app runs because the build failed; the diagnostics are rendered with ANSI colours.
    Failed {
        /// One entry per diagnostic.
        diagnostics: Vec<String>,
    },
    /// The app accepts connections.
    Up,
    /// The app exited on its own.
    Crashed {
        /// Its last lines of output, and how it ended.
        output: String,
    },
}

impl AppState {
    /// Whether requests are forwarded to the app.
    pub fn is_up(&self) -> bool {
        matches!(self, AppState::Up)
    }
}

/// The binary that currently answers requests (or will, once it is up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningBuild {
    /// Its build id, as written into pages and sent in `hello`.
    pub id: String,
    /// Every patch up to this version is compiled into it.
    pub included_version: u64,
}

/// Something a browser said or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// A page connected and said hello.
    Connected {
        /// The connection.
        client: ClientId,
        /// The build the page was served from (empty for the progress page).
        build_id: String,
        /// The last patch version the page had applied.
        applied_version: u64,
    },
    /// A patch was applied to `matches` places in the page.
    PatchApplied {
        /// The connection.
        client: ClientId,
        /// The view.
        view_id: String,
        /// The patch version.
        version: u64,
        /// How many places were patched.
        matches: u32,
    },
    /// A patch could not be applied; the page should be reloaded after the next build.
    PatchFailed {
        /// The connection.
        client: ClientId,
        /// The view.
        view_id: String,
        /// The patch version.
        version: u64,
        /// Why, for the terminal.
        reason: String,
    },
    /// A console error or uncaught exception in the page.
    Console {
        /// The connection.
        client: ClientId,
        /// `error`, `warn`, `exception`.
        level: String,
        /// The message.
        message: String,
    },
    /// The page went away.
    Disconnected {
        /// The connection.
        client: ClientId,
    },
}

/// A message on its way to one browser or all of them.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) to: Option<ClientId>,
    pub(crate) message: ServerMessage,
}

/// What a session needs when a page says hello, taken atomically with its subscription.
pub(crate) struct Attachment {
    /// Messages to send right away, in order.
    pub(crate) greeting: Vec<ServerMessage>,
    /// Everything broadcast after the greeting was taken.
    pub(crate) outgoing: broadcast::Receiver<Outgoing>,
    /// The page was not served by the running build, or applied only part of the pending
    /// patches of a view: reload it once the app is up.
    pub(crate) stale: bool,
}

/// Shared state, cheap to clone: the running build, pending patches, the app's state, and the
/// channels to and from the browsers.
///
/// ```
/// use devserve_protocol::ViewPatch;
/// use devserve_server::Hub;
///
/// let hub = Hub::with_token("secret");
/// let patch = ViewPatch {
///     view_id: "src/app.rs::App#0".into(),
///     marker_id: None,
///     version: 0,
///     old_template: vec![],
///     ops: vec![],
/// };
/// assert_eq!(hub.send_patches(vec![patch.clone()]), 1);
/// assert_eq!(hub.send_patches(vec![patch]), 2);
/// hub.build_landed("b2".into(), 1);
/// assert_eq!(hub.pending_patches().len(), 1);
/// assert_eq!(hub.running_build().id, "b2");
/// ```
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    token: String,
    shared: Mutex<Shared>,
    app_state: watch::Sender<AppState>,
    outgoing: broadcast::Sender<Outgoing>,
    events: broadcast::Sender<ClientEvent>,
    next_client: AtomicU64,
    clients: AtomicUsize,
}

/// Everything that must change atomically with a broadcast.
struct Shared {
    last_version: u64,
    /// Patches sent but not compiled into the running build, coalesced per view.
    pending: Pending,
    running: RunningBuild,
    /// The diagnostics of the last build, while it is the last one and it failed.
    build_failure: Option<Vec<String>>,
    /// The progress of a build under way.
    build_progress: Option<BuildProgress>,
}

impl Default for Hub {
    /// A hub with a fresh random token.
    fn default() -> Self {
        Hub::with_token(token::generate())
    }
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("running", &self.running_build())
            .field("app_state", &*self.inner.app_state.borrow())
            .field("clients", &self.clients())
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub whose WebSocket endpoint accepts `token`.
    pub fn with_token(token: impl Into<String>) -> Self {
        let shared = Shared {
            last_version: 0,
            pending: Pending::default(),
            running: RunningBuild { id: INITIAL_BUILD_ID.to_owned(), included_version: 0 },
            build_failure: None,
            build_progress: None,
        };
        Hub {
            inner: Arc::new(Inner {
                token: token.into(),
                shared: Mutex::new(shared),
                app_state: watch::Sender::new(AppState::default()),
                outgoing: broadcast::Sender::new(OUTGOING_CAPACITY),
                events: broadcast::Sender::new(EVENT_CAPACITY),
                next_client: AtomicU64::new(1),
                clients: AtomicUsize::new(0),
            }),
        }
    }

    /// The per-process token the WebSocket endpoint requires.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// Sends patches to every page. Each patch gets the next version (one counter for all views,
    /// overwriting `version`), and stays *pending* until a build that includes it lands. Returns
    /// the highest version assigned (the last version if `patches` is empty).
    ///
    /// Pending patches are coalesced per view (the edits from what pages were served with to what
    /// they show now), so they do not grow with the count of saves however long no build lands.
    pub fn send_patches(&self, mut patches: Vec<ViewPatch>) -> u64 {
        let mut shared = self.lock();
        for patch in &mut patches {
            shared.last_version += 1;
            patch.version = shared.last_version;
        }
        if !patches.is_empty() {
            for patch in &patches {
                shared.pending.push(patch.clone());
            }
            self.broadcast(None, ServerMessage::Patch { patches });
        }
        shared.last_version
    }

    /// The highest patch version sent so far.
    pub fn last_version(&self) -> u64 {
        self.lock().last_version
    }

    /// A build starts now: it includes every patch up to the returned version (the last one
    /// sent). Pass that version to [`Hub::build_landed`] when the build runs, or to
    /// [`Hub::build_dropped`] when it will not (cancelled, failed, its app did not start).
    pub fn build_started(&self) -> u64 {
        let mut shared = self.lock();
        let version = shared.last_version;
        shared.pending.cut(version);
        version
    }

    /// The build [`Hub::build_started`] returned `included_version` for will not land.
    pub fn build_dropped(&self, included_version: u64) {
        self.lock().pending.uncut(included_version);
    }

    /// Sends a message to every page.
    ///
    /// The hub remembers what newly connected pages need: the diagnostics of a failed build
    /// (`build-failed`, cleared by `build-ok`) and the progress of a running build (`building`).
    /// A `patch` message goes through [`Hub::send_patches`].
    pub fn send(&self, message: ServerMessage) {
        if let ServerMessage::Patch { patches } = message {
            self.send_patches(patches);
            return;
        }
        let mut shared = self.lock();
        match &message {
            ServerMessage::Building { progress } => shared.build_progress = Some(progress.clone()),
            ServerMessage::BuildFailed { diagnostics } => {
                shared.build_failure = Some(diagnostics.clone());
                shared.build_progress = None;
            }
            ServerMessage::BuildOk { .. } => {
                shared.build_failure = None;
                shared.build_progress = None;
            }
            _ => {}
        }
        self.broadcast(None, message);
    }

    /// Sends a message to one page only (e.g. `reload` to the page whose patch failed).
    pub fn send_to(&self, client: ClientId, message: ServerMessage) {
        let _shared = self.lock();
        self.broadcast(Some(client), message);
    }

    /// A new binary runs, built from sources that include every patch up to `included_version`:
    /// its pages need only the patches after that. Clears the remembered build failure.
    ///
    /// Call it before [`Hub::set_app_state`]`(AppState::Up)`, so that the first pages the new
    /// binary serves carry its build id.
    pub fn build_landed(&self, build_id: String, included_version: u64) {
        let mut shared = self.lock();
        shared.pending.landed(included_version);
        shared.running = RunningBuild { id: build_id, included_version };
        shared.build_failure = None;
        shared.build_progress = None;
    }

    /// The build that answers requests.
    pub fn running_build(&self) -> RunningBuild {
        self.lock().running.clone()
    }

    /// Patches sent but not yet compiled into the running build, by increasing version, each
    /// view's coalesced between the starts of builds (see [`Hub::send_patches`]).
    pub fn pending_patches(&self) -> Vec<ViewPatch> {
        self.lock().pending.patches()
    }

    /// Changes the app's state. `Failed` is also remembered as the last build's failure, so pages
    /// that connect later show the overlay.
    pub fn set_app_state(&self, state: AppState) {
        if let AppState::Failed { diagnostics } = &state {
            self.lock().build_failure = Some(diagnostics.clone());
        }
        self.inner.app_state.send_replace(state);
    }

    /// The app's state now.
    pub fn app_state(&self) -> AppState {
        self.inner.app_state.borrow().clone()
    }

    /// Follows the app's state.
    pub fn watch_app_state(&self) -> watch::Receiver<AppState> {
        self.inner.app_state.subscribe()
    }

    /// What browsers say, from now on.
    pub fn events(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// How many pages are connected.
    pub fn clients(&self) -> usize {
        self.inner.clients.load(Ordering::Relaxed)
    }

    /// Waits until the app is up, or `deadline` passes. Returns whether it is up.
    pub(crate) async fn wait_up_until(&self, deadline: Instant) -> bool {
        let mut state = self.watch_app_state();
        matches!(tokio::time::timeout_at(deadline, state.wait_for(AppState::is_up)).await, Ok(Ok(_)))
    }

    /// Everything broadcast from now on (Leptos's reload socket listens here).
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Outgoing> {
        self.inner.outgoing.subscribe()
    }

    pub(crate) fn emit(&self, event: ClientEvent) {
        // No subscriber is fine: nobody listens in some tests.
        let _ = self.inner.events.send(event);
    }

    /// Registers a new connection; the count drops when the returned guard does.
    pub(crate) fn register_client(&self) -> ClientGuard {
        self.inner.clients.fetch_add(1, Ordering::Relaxed);
        ClientGuard { hub: self.clone(), id: self.inner.next_client.fetch_add(1, Ordering::Relaxed) }
    }

    /// Answers a page's hello: what to send it now, and a subscription to what comes after.
    pub(crate) fn attach(&self, page_build: &str, applied_version: u64) -> Attachment {
        let shared = self.lock();
        let outgoing = self.inner.outgoing.subscribe();
        let mut greeting =
            vec![ServerMessage::Hello { protocol: PROTOCOL_VERSION, build_id: shared.running.id.clone() }];
        let mut stale = page_build != shared.running.id;
        if !stale {
            let replay = shared.pending.replay(applied_version);
            // A page that applied part of a view's coalesced patches (its socket dropped and came
            // back) is reloaded; a page as the running build served it never has.
            stale = replay.partial && applied_version != shared.running.included_version;
            if !stale && !replay.patches.is_empty() {
                greeting.push(ServerMessage::Patch { patches: replay.patches });
            }
        }
        if let Some(diagnostics) = &shared.build_failure {
            greeting.push(ServerMessage::BuildFailed { diagnostics: diagnostics.clone() });
        } else if let Some(progress) = &shared.build_progress {
            greeting.push(ServerMessage::Building { progress: progress.clone() });
        }
        Attachment { greeting, outgoing, stale }
    }

    /// Call with the shared lock held, so that [`Hub::attach`] sees each message either in its
    /// snapshot or in its subscription, never both or neither.
    fn broadcast(&self, to: Option<ClientId>, message: ServerMessage) {
        // No subscriber means no page is connected.
        let _ = self.inner.outgoing.send(Outgoing { to, message });
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.inner.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One registered browser connection.
pub(crate) struct ClientGuard {
    hub: Hub,
    pub(crate) id: ClientId,
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        self.hub.inner.clients.fetch_sub(1, Ordering::Relaxed);
        self.hub.emit(ClientEvent::Disconnected { client: self.id });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(view: &str) -> ViewPatch {
        ViewPatch { view_id: view.into(), marker_id: None, version: 0, old_template: vec![], ops: vec![] }
    }

    fn versions(messages: &[ServerMessage]) -> Vec<u64> {
        messages
            .iter()
            .flat_map(|m| match m {
                ServerMessage::Patch { patches } => patches.iter().map(|p| p.version).collect(),
                _ => vec![],
            })
            .collect()
    }

    #[test]
    fn versions_increase_across_calls_and_views() {
        let hub = Hub::with_token("t");
        let mut sent = hub.subscribe();
        assert_eq!(hub.send_patches(vec![patch("a"), patch("b")]), 2);
        assert_eq!(hub.send_patches(vec![]), 2);
        assert_eq!(hub.send_patches(vec![patch("a")]), 3);
        let mut broadcast = Vec::new();
        while let Ok(Outgoing { message: ServerMessage::Patch { patches }, .. }) = sent.try_recv() {
            broadcast.extend(patches.into_iter().map(|p| (p.view_id, p.version)));
        }
        assert_eq!(broadcast, [("a".into(), 1), ("b".into(), 2), ("a".into(), 3)]);
        // Pending, `a`'s two patches are one (no build started between them).
        let pending: Vec<_> = hub.pending_patches().iter().map(|p| (p.view_id.clone(), p.version)).collect();
        assert_eq!(pending, [("b".into(), 2), ("a".into(), 3)]);
    }

    #[test]
    fn a_landed_build_drops_the_patches_it_includes() {
        let hub = Hub::with_token("t");
        hub.send_patches(vec![patch("a"), patch("b"), patch("c")]);
        hub.build_landed("b2".into(), 2);
        assert_eq!(versions(&[ServerMessage::Patch { patches: hub.pending_patches() }]), [3]);
        assert_eq!(hub.running_build(), RunningBuild { id: "b2".into(), included_version: 2 });
    }

    #[test]
    fn hello_from_the_running_build_replays_what_the_page_lacks() {
        let hub = Hub::with_token("t");
        hub.send_patches(vec![patch("a"), patch("b"), patch("c")]);
        let attachment = hub.attach(INITIAL_BUILD_ID, 1);
        assert!(!attachment.stale);
        assert_eq!(versions(&attachment.greeting), [2, 3]);
        assert!(matches!(
            &attachment.greeting[0],
            ServerMessage::Hello { build_id, .. } if build_id == INITIAL_BUILD_ID
        ));
    }

    #[test]
    fn pending_patches_do_not_grow_with_the_count_of_saves() {
        let hub = Hub::with_token("t");
        hub.send_patches(vec![patch("b")]);
        for _ in 0..10_000 {
            hub.send_patches(vec![patch("a")]);
        }
        let pending: Vec<_> = hub.pending_patches().iter().map(|p| (p.view_id.clone(), p.version)).collect();
        assert_eq!(pending, [("b".into(), 1), ("a".into(), 10_001)]);
        // A page served by the running build gets both; one that has part of `a`'s run reloads.
        assert_eq!(versions(&hub.attach(INITIAL_BUILD_ID, 0).greeting), [1, 10_001]);
        assert!(!hub.attach(INITIAL_BUILD_ID, 10_001).stale);
        assert!(hub.attach(INITIAL_BUILD_ID, 5_000).stale);
    }

    #[test]
    fn a_build_that_may_land_splits_the_pending_patches_one_that_will_not_joins_them() {
        let hub = Hub::with_token("t");
        hub.send_patches(vec![patch("a")]);
        let first = hub.build_started();
        hub.send_patches(vec![patch("a")]);
        let second = hub.build_started();
        hub.send_patches(vec![patch("a")]);
        assert_eq!(versions(&[ServerMessage::Patch { patches: hub.pending_patches() }]), [1, 2, 3]);
        hub.build_dropped(second);
        assert_eq!(versions(&[ServerMessage::Patch { patches: hub.pending_patches() }]), [1, 3]);
        hub.build_landed("b1".into(), first);
        let attachment = hub.attach("b1", first);
        assert!(!attachment.stale);
        assert_eq!(versions(&attachment.greeting), [3]);
    }

    #[test]
    fn hello_from_another_build_replays_nothing_and_is_stale() {
        let hub = Hub::with_token("t");
        hub.send_patches(vec![patch("a")]);
        let attachment = hub.attach("old", 0);
        assert!(attachment.stale);
        assert_eq!(versions(&attachment.greeting), Vec::<u64>::new());
    }

    #[test]
    fn a_failed_build_is_remembered_until_one_succeeds() {
        let hub = Hub::with_token("t");
        let failed = ServerMessage::BuildFailed { diagnostics: vec!["error[E0308]".into()] };
        hub.send(failed.clone());
        assert_eq!(hub.attach(INITIAL_BUILD_ID, 0).greeting.last(), Some(&failed));
        hub.send(ServerMessage::BuildOk { build_id: "b2".into() });
        assert_eq!(hub.attach(INITIAL_BUILD_ID, 0).greeting.len(), 1);
        hub.set_app_state(AppState::Failed { diagnostics: vec!["error[E0308]".into()] });
        assert_eq!(hub.attach(INITIAL_BUILD_ID, 0).greeting.last(), Some(&failed));
        hub.build_landed("b3".into(), 0);
        assert_eq!(hub.attach("b3", 0).greeting.len(), 1);
    }

    #[test]
    fn client_count_follows_guards() {
        let hub = Hub::with_token("t");
        let mut events = hub.events();
        let a = hub.register_client();
        let b = hub.register_client();
        assert_ne!(a.id, b.id);
        assert_eq!(hub.clients(), 2);
        drop(a);
        assert_eq!(hub.clients(), 1);
        assert!(matches!(events.try_recv(), Ok(ClientEvent::Disconnected { .. })));
    }
}

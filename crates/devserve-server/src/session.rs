//! One browser's WebSocket session, independent of the transport: messages in, messages out.

use devserve_protocol::{ClientMessage, ServerMessage};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use crate::hub::{ClientEvent, ClientId, Hub};
use crate::sanitize::{sanitize_terminal, truncate};

/// The console levels the client forwards; messages of other levels are dropped.
const CONSOLE_LEVELS: [&str; 3] = ["error", "warn", "exception"];

/// The most characters of any text a page sends that reach events (the client cuts console
/// messages at 10,000 already; a page that does not is cut here).
const MAX_PAGE_TEXT: usize = 10_000;

/// Runs one browser's session until either side closes.
///
/// The page says `hello` first (with the build it was served from and the last patch it
/// applied); the session answers `hello`, replays the pending patches the page lacks, shows the
/// last build failure, and then forwards whatever the hub broadcasts. A page served by another
/// build than the running one (or the progress page) is sent `reload` as soon as the app is up.
/// Everything else the page says becomes a [`ClientEvent`], its text cut to 10,000 characters and
/// passed through [`sanitize_terminal`]; console messages of unknown levels are dropped. Nothing
/// a page says runs a command or touches a file: it is compared, counted and reported.
pub async fn run_session<Tx, Rx>(hub: Hub, mut tx: Tx, mut rx: Rx)
where
    Tx: Sink<ServerMessage> + Unpin,
    Rx: Stream<Item = ClientMessage> + Unpin,
{
    let client = hub.register_client();
    let id = client.id;
    let (build_id, applied_version) = loop {
        match rx.next().await {
            Some(ClientMessage::Hello { protocol, build_id, applied_version }) => {
                if protocol != devserve_protocol::PROTOCOL_VERSION {
                    tracing::warn!(client = id, protocol, "page speaks another protocol version");
                }
                break (page_text(&build_id), applied_version);
            }
            Some(other) => report(&hub, id, other),
            None => return,
        }
    };
    hub.emit(ClientEvent::Connected { client: id, build_id: build_id.clone(), applied_version });
    tracing::debug!(client = id, %build_id, applied_version, "page connected");

    let mut attachment = hub.attach(&build_id, applied_version);
    let mut app_state = hub.watch_app_state();
    let mut reload_when_up = attachment.stale;
    for message in attachment.greeting {
        if tx.send(message).await.is_err() {
            return;
        }
    }
    loop {
        if reload_when_up && app_state.borrow_and_update().is_up() {
            reload_when_up = false;
            tracing::debug!(client = id, %build_id, "page is from another build: reload");
            if tx.send(ServerMessage::Reload).await.is_err() {
                return;
            }
        }
        let message = tokio::select! {
            outgoing = attachment.outgoing.recv() => match outgoing {
                Ok(outgoing) if outgoing.to.is_none_or(|to| to == id) => outgoing.message,
                Ok(_) => continue,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(client = id, missed, "page fell behind: reload");
                    ServerMessage::Reload
                }
                Err(RecvError::Closed) => return,
            },
            changed = app_state.changed(), if reload_when_up => match changed {
                Ok(()) => continue,
                Err(_) => return,
            },
            incoming = rx.next() => match incoming {
                Some(message) => {
                    report(&hub, id, message);
                    continue;
                }
                None => return,
            },
        };
        // A page waiting for its reload has another template than the patches assume.
        if reload_when_up && matches!(message, ServerMessage::Patch { .. }) {
            continue;
        }
        if tx.send(message).await.is_err() {
            return;
        }
    }
}

fn report(hub: &Hub, client: ClientId, message: ClientMessage) {
    let event = match message {
        ClientMessage::Hello { .. } => {
            tracing::debug!(client, "second hello ignored");
            return;
        }
        ClientMessage::PatchFailed { view_id, version, reason } => ClientEvent::PatchFailed {
            client,
            view_id: page_text(&view_id),
            version,
            reason: page_text(&reason),
        },
        ClientMessage::PatchApplied { view_id, version, matches } => {
            ClientEvent::PatchApplied { client, view_id: page_text(&view_id), version, matches }
        }
        ClientMessage::Console { level, message } => {
            if !CONSOLE_LEVELS.contains(&level.as_str()) {
                tracing::debug!(
                    client,
                    level = page_text(&level),
                    "console message of an unknown level dropped"
                );
                return;
            }
            ClientEvent::Console { client, level, message: page_text(&message) }
        }
    };
    hub.emit(event);
}

/// Text from a page, as events carry it: cut to size, control sequences neutralised.
fn page_text(text: &str) -> String {
    sanitize_terminal(&truncate(text, MAX_PAGE_TEXT))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use devserve_protocol::{BuildProgress, PROTOCOL_VERSION, ViewPatch};
    use futures_channel::mpsc;

    use super::*;
    use crate::hub::{AppState, INITIAL_BUILD_ID};

    /// A session driven through channels, as a browser would drive it.
    struct Page {
        to_server: mpsc::UnboundedSender<ClientMessage>,
        from_server: mpsc::UnboundedReceiver<ServerMessage>,
    }

    impl Page {
        fn connect(hub: &Hub) -> Page {
            let (to_server, rx) = mpsc::unbounded();
            let (tx, from_server) = mpsc::unbounded();
            tokio::spawn(run_session(hub.clone(), tx, rx));
            Page { to_server, from_server }
        }

        fn say(&self, message: ClientMessage) {
            self.to_server.unbounded_send(message).unwrap();
        }

        fn hello(&self, build_id: &str, applied_version: u64) {
            self.say(ClientMessage::Hello {
                protocol: PROTOCOL_VERSION,
                build_id: build_id.into(),
                applied_version,
            });
        }

        async fn next(&mut self) -> ServerMessage {
            tokio::time::timeout(Duration::from_secs(5), self.from_server.next())
                .await
                .expect("a message within 5 s")
                .expect("session open")
        }

        async fn nothing_more(&mut self) {
            let next = tokio::time::timeout(Duration::from_millis(50), self.from_server.next()).await;
            assert!(next.is_err(), "unexpected message: {next:?}");
        }
    }

    fn patch(view: &str) -> ViewPatch {
        ViewPatch { view_id: view.into(), marker_id: None, version: 0, old_template: vec![], ops: vec![] }
    }

    fn hello(build_id: &str) -> ServerMessage {
        ServerMessage::Hello { protocol: PROTOCOL_VERSION, build_id: build_id.into() }
    }

    fn patched(message: &ServerMessage) -> Vec<(String, u64)> {
        match message {
            ServerMessage::Patch { patches } => {
                patches.iter().map(|p| (p.view_id.clone(), p.version)).collect()
            }
            other => panic!("expected a patch, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn replays_pending_patches_newer_than_the_page() {
        let hub = Hub::with_token("t");
        hub.set_app_state(AppState::Up);
        hub.send_patches(vec![patch("a"), patch("b")]);
        hub.send_patches(vec![patch("c")]);
        let mut page = Page::connect(&hub);
        page.hello(INITIAL_BUILD_ID, 1);
        assert_eq!(page.next().await, hello(INITIAL_BUILD_ID));
        assert_eq!(patched(&page.next().await), [("b".into(), 2), ("c".into(), 3)]);
        page.nothing_more().await;
        hub.send_patches(vec![patch("d")]);
        assert_eq!(patched(&page.next().await), [("d".into(), 4)]);
    }

    #[tokio::test]
    async fn a_page_from_an_older_build_is_reloaded() {
        let hub = Hub::with_token("t");
        hub.build_landed("b1".into(), 0);
        hub.set_app_state(AppState::Up);
        hub.send_patches(vec![patch("a")]);
        hub.build_landed("b2".into(), 1);
        let mut page = Page::connect(&hub);
        page.hello("b1", 0);
        assert_eq!(page.next().await, hello("b2"));
        assert_eq!(page.next().await, ServerMessage::Reload);
    }

    #[tokio::test]
    async fn the_progress_page_is_reloaded_once_the_app_is_up() {
        let hub = Hub::with_token("t");
        hub.set_app_state(AppState::Building(BuildProgress::default()));
        let mut page = Page::connect(&hub);
        page.hello("", 0);
        assert_eq!(page.next().await, hello(INITIAL_BUILD_ID));
        hub.send_patches(vec![patch("a")]);
        hub.send(ServerMessage::Building { progress: BuildProgress { done: 3, ..Default::default() } });
        assert!(matches!(page.next().await, ServerMessage::Building { .. }));
        hub.set_app_state(AppState::Starting);
        page.nothing_more().await;
        hub.build_landed("b1".into(), 1);
        hub.set_app_state(AppState::Up);
        assert_eq!(page.next().await, ServerMessage::Reload);
        page.nothing_more().await;
    }

    #[tokio::test]
    async fn a_page_connecting_after_a_failed_build_gets_the_overlay() {
        let hub = Hub::with_token("t");
        hub.set_app_state(AppState::Up);
        hub.send(ServerMessage::BuildFailed { diagnostics: vec!["error: expected `;`".into()] });
        let mut page = Page::connect(&hub);
        page.hello(INITIAL_BUILD_ID, 0);
        assert_eq!(page.next().await, hello(INITIAL_BUILD_ID));
        assert_eq!(
            page.next().await,
            ServerMessage::BuildFailed { diagnostics: vec!["error: expected `;`".into()] }
        );
    }

    #[tokio::test]
    async fn what_pages_say_becomes_events() {
        let hub = Hub::with_token("t");
        let mut events = hub.events();
        let mut page = Page::connect(&hub);
        page.hello(INITIAL_BUILD_ID, 0);
        page.next().await;
        page.say(ClientMessage::PatchFailed { view_id: "v".into(), version: 2, reason: "no match".into() });
        let connected = events.recv().await.unwrap();
        let ClientEvent::Connected { client, build_id, applied_version: 0 } = connected else {
            panic!("{connected:?}")
        };
        assert_eq!(build_id, INITIAL_BUILD_ID);
        assert_eq!(
            events.recv().await.unwrap(),
            ClientEvent::PatchFailed { client, view_id: "v".into(), version: 2, reason: "no match".into() }
        );
        assert_eq!(hub.clients(), 1);
        drop(page);
        assert_eq!(events.recv().await.unwrap(), ClientEvent::Disconnected { client });
        assert_eq!(hub.clients(), 0);
    }

    #[tokio::test]
    async fn what_pages_say_is_cut_checked_and_neutralised() {
        let hub = Hub::with_token("t");
        let mut events = hub.events();
        let page = Page::connect(&hub);
        page.hello(INITIAL_BUILD_ID, 0);
        let Ok(ClientEvent::Connected { client, .. }) = events.recv().await else { panic!() };
        let console = |level: &str, message: &str| ClientMessage::Console {
            level: level.into(),
            message: message.into(),
        };
        page.say(console("log", "unknown level"));
        page.say(console("ERROR", "unknown level"));
        page.say(console("error\x1b]0;t\x07", "unknown level"));
        page.say(console(
            "error",
            "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \x1b]0;title\x07\x1b[2A\x1b[2K\u{9b}1;1H\x07done",
        ));
        page.say(console("warn", &"x".repeat(50_000)));
        page.say(ClientMessage::PatchFailed {
            view_id: "v\x1b[31m".into(),
            version: 1,
            reason: "no\rmatch".into(),
        });
        let mut next =
            async || tokio::time::timeout(Duration::from_secs(5), events.recv()).await.unwrap().unwrap();
        assert_eq!(
            next().await,
            ClientEvent::Console { client, level: "error".into(), message: "click \\u{7}done".into() }
        );
        let ClientEvent::Console { level, message, .. } = next().await else {
            panic!("expected a console event")
        };
        assert_eq!(level, "warn");
        assert_eq!(message, format!("{}…", "x".repeat(10_000)));
        assert_eq!(
            next().await,
            ClientEvent::PatchFailed {
                client,
                view_id: "v".into(),
                version: 1,
                reason: "no\\u{d}match".into()
            }
        );
    }

    #[tokio::test]
    async fn send_to_reaches_only_that_page() {
        let hub = Hub::with_token("t");
        let mut events = hub.events();
        let mut first = Page::connect(&hub);
        first.hello(INITIAL_BUILD_ID, 0);
        first.next().await;
        let Ok(ClientEvent::Connected { client, .. }) = events.recv().await else { panic!() };
        let mut second = Page::connect(&hub);
        second.hello(INITIAL_BUILD_ID, 0);
        second.next().await;
        hub.send_to(client, ServerMessage::Reload);
        hub.send(ServerMessage::Css { href: "/main.css".into(), version: 1 });
        assert_eq!(first.next().await, ServerMessage::Reload);
        assert!(matches!(first.next().await, ServerMessage::Css { .. }));
        assert!(matches!(second.next().await, ServerMessage::Css { .. }));
    }
}

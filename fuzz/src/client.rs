//! The oracle for what a page sends: the decoder (`serde_json` into [`ClientMessage`], as the
//! WebSocket endpoint does), the session that reports decoded messages as [`ClientEvent`]s
//! ([`run_session`], driven here through a stream and a sink as its tests drive it), and the
//! terminal sanitizer every page text goes through ([`sanitize_terminal`]).
//!
//! - A decoded message encodes back to JSON that decodes to the same message.
//! - The session reports exactly what its documentation says: `Connected` for the first hello
//!   (later hellos ignored), one event per other message, console messages of unknown levels
//!   dropped, `Disconnected` when the page goes; every text cut to 10,000 chars and sanitized.
//! - Sanitized text holds no control character but `\n` and `\t` and no bidi control, is left
//!   as it is by a second pass, and equals text that had nothing to neutralise.

use std::sync::LazyLock;

use devserve_protocol::ClientMessage;
use devserve_server::{ClientEvent, Hub, run_session, sanitize_terminal};
use futures_util::{sink, stream};

/// The most messages one input sends (the hub's event channel holds 1024).
const MAX_MESSAGES: usize = 64;
/// What the session cuts page texts to.
const MAX_PAGE_TEXT: usize = 10_000;
const CONSOLE_LEVELS: [&str; 3] = ["error", "warn", "exception"];

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime")
});

/// Check the decoder, the session and the sanitizer on `data`: WebSocket text frames separated
/// by `0xff` (a byte UTF-8 never uses).
pub fn check_frames(data: &[u8]) {
    let mut messages = Vec::new();
    for frame in data.split(|&b| b == 0xff).take(MAX_MESSAGES) {
        check_sanitized(&String::from_utf8_lossy(frame));
        // A WebSocket text frame is UTF-8; anything else never reaches the decoder.
        let Ok(text) = std::str::from_utf8(frame) else { continue };
        let Ok(message) = serde_json::from_str::<ClientMessage>(text) else { continue };
        let json = serde_json::to_string(&message).expect("a decoded message encodes");
        let again: ClientMessage = serde_json::from_str(&json).expect("an encoded message decodes");
        assert_eq!(again, message, "round trip through {json}");
        messages.push(message);
    }
    check_session(messages);
}

/// Run one session on `messages` and compare the events with what its documentation promises.
fn check_session(messages: Vec<ClientMessage>) {
    let hub = Hub::with_token("fuzz");
    let mut events = hub.events();
    let expected = expected_events(&messages);
    RUNTIME.block_on(run_session(hub.clone(), sink::drain(), stream::iter(messages)));
    let mut actual = Vec::new();
    while let Ok(event) = events.try_recv() {
        actual.push(event);
    }
    assert_eq!(actual, expected);
    for event in &actual {
        match event {
            ClientEvent::Connected { build_id: text, .. }
            | ClientEvent::PatchApplied { view_id: text, .. }
            | ClientEvent::Console { message: text, .. } => assert_safe(text),
            ClientEvent::PatchFailed { view_id, reason, .. } => {
                assert_safe(view_id);
                assert_safe(reason);
            }
            ClientEvent::Disconnected { .. } => {}
        }
    }
}

/// The events a fresh hub's first session (client 1) reports for `messages`.
fn expected_events(messages: &[ClientMessage]) -> Vec<ClientEvent> {
    let client = 1;
    let mut greeted = false;
    let mut events = Vec::new();
    for message in messages.iter().cloned() {
        events.push(match message {
            ClientMessage::Hello { .. } if greeted => continue,
            ClientMessage::Hello { build_id, applied_version, .. } => {
                greeted = true;
                ClientEvent::Connected { client, build_id: page_text(&build_id), applied_version }
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
            ClientMessage::Console { level, .. } if !CONSOLE_LEVELS.contains(&level.as_str()) => continue,
            ClientMessage::Console { level, message } => {
                ClientEvent::Console { client, level, message: page_text(&message) }
            }
        });
    }
    events.push(ClientEvent::Disconnected { client });
    events
}

/// A page's text as events carry it: its first 10,000 chars (and `…` when cut), sanitized.
fn page_text(text: &str) -> String {
    let mut cut: String = text.chars().take(MAX_PAGE_TEXT).collect();
    if text.chars().nth(MAX_PAGE_TEXT).is_some() {
        cut.push('…');
    }
    sanitize_terminal(&cut)
}

fn check_sanitized(text: &str) {
    let safe = sanitize_terminal(text);
    assert_safe(&safe);
    assert_eq!(sanitize_terminal(&safe), safe, "a second pass changed {safe:?}");
    if !text.chars().any(unsafe_char) {
        assert_eq!(safe, text, "text with nothing to neutralise was changed");
    }
}

fn assert_safe(text: &str) {
    if let Some(c) = text.chars().find(|&c| unsafe_char(c)) {
        panic!("{c:?} left in sanitized text {text:?}");
    }
}

/// A char a page must not get to the terminal: ESC and every other control (C0 but `\n` and
/// `\t`, DEL, C1), and the bidirectional embeddings, overrides and isolates.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

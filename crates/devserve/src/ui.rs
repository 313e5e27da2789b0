//! The terminal: devserve's own lines, cargo's diagnostics as cargo renders them, the build's
//! progress, what browsers report, and the tracing events of devserve's crates, in one format:
//!
//! ```text
//! devserve: serving http://127.0.0.1:3000
//! devserve: app started (pid 4242)
//! devserve: warning: src/app.rs: expected `}`: keeping the last good state
//! devserve: error: build 2 failed after 1.3 s
//! app: listening on http://127.0.0.1:41234
//! ```
//!
//! (`app: ` lines are the app's own output.) Everything is written to stderr through anstream,
//! which drops colour and every other escape code (cargo's coloured diagnostics included) when
//! stderr is not a terminal or `NO_COLOR` is set; the build's progress bar (indicatif) is drawn
//! only on a terminal.
//!
//! For tests only: with `DEVSERVE_TEST_PANIC_AFTER_START=1` in its environment devserve panics
//! right after it says `app restarted in ..`, so that a test can check that a panic leaves no
//! process behind.

use std::io::Write;
use std::sync::{Mutex, OnceLock, PoisonError};

use anstyle::{AnsiColor, Style};
use devserve_protocol::BuildProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

/// What starts each of devserve's own lines.
const PREFIX: &str = "devserve: ";
/// The tracing target under which the app's output is logged (see devserve-server's
/// `app_process`), shown as `app: <line>`.
const APP_TARGET: &str = "devserve::app";
/// The variable that makes devserve panic once the app is up (tests only).
const TEST_PANIC: &str = "DEVSERVE_TEST_PANIC_AFTER_START";

/// How serious a line is: its label and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Plain news: no label.
    Info,
    /// Something the user should look at.
    Warning,
    /// Something went wrong.
    Error,
    /// Detail asked for with `DEVSERVE_LOG`.
    Debug,
}

impl Severity {
    fn label(self) -> Option<(&'static str, Style)> {
        match self {
            Severity::Info => None,
            Severity::Warning => Some(("warning", AnsiColor::Yellow.on_default().bold())),
            Severity::Error => Some(("error", AnsiColor::Red.on_default().bold())),
            Severity::Debug => Some(("debug", Style::new().dimmed())),
        }
    }
}

/// One line of devserve's, with its label styled (anstream drops the style where colour is off).
pub(crate) fn format_line(severity: Severity, message: &str) -> String {
    match severity.label() {
        None => format!("{PREFIX}{message}\n"),
        Some((label, style)) => format!("{PREFIX}{style}{label}{style:#}: {message}\n"),
    }
}

/// A line from devserve.
pub(crate) fn say(message: &str) {
    write(&format_line(Severity::Info, message));
    if message.starts_with("app restarted in") && panic_after_start() {
        panic!("{TEST_PANIC} is set: panicking on purpose once the app is up");
    }
}

/// Something the user should look at.
pub(crate) fn warn(message: &str) {
    write(&format_line(Severity::Warning, message));
}

/// Something went wrong.
pub(crate) fn error(message: &str) {
    write(&format_line(Severity::Error, message));
}

/// A compiler message, exactly as cargo renders it (its colours only where colour is on).
pub(crate) fn diagnostic(rendered: &str) {
    if rendered.ends_with('\n') {
        write(rendered);
    } else {
        write(&format!("{rendered}\n"));
    }
}

/// A console error or uncaught exception in a page (devserve-server has made it harmless text).
pub(crate) fn browser(level: &str, message: &str) {
    write(&format_line(Severity::Info, &format!("[browser {level}] {message}")));
}

/// The build's progress bar, while one is shown.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The build's progress: one bar redrawn in place on a terminal, nothing otherwise. The next line
/// devserve writes removes it.
pub(crate) fn progress(progress: &BuildProgress) {
    let mut bar = BAR.lock().unwrap_or_else(PoisonError::into_inner);
    let bar = bar.get_or_insert_with(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("    Building [{bar:24}] {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    });
    bar.set_message(progress_message(progress));
    match progress.total.unwrap_or(0).max(progress.done) {
        0 => bar.unset_length(),
        total => bar.set_length(u64::from(total)),
    }
    bar.set_position(u64::from(progress.done));
}

/// `12/40 leptos_router 3.1s` (`12 ..` while the total is unknown).
fn progress_message(progress: &BuildProgress) -> String {
    let count = match progress.total {
        Some(total) => format!("{}/{}", progress.done, total.max(progress.done)),
        None => progress.done.to_string(),
    };
    let current = progress.current.as_deref().unwrap_or("");
    let secs = progress.elapsed_ms as f64 / 1000.0;
    format!("{count} {current} {secs:.1}s")
}

/// Writes whole lines to stderr, the progress bar out of the way (it comes back with the next
/// progress).
fn write(text: &str) {
    let mut bar = BAR.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(bar) = bar.take() {
        bar.finish_and_clear();
    }
    let mut stderr = anstream::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

fn panic_after_start() -> bool {
    static REQUESTED: OnceLock<bool> = OnceLock::new();
    *REQUESTED.get_or_init(|| std::env::var_os(TEST_PANIC).is_some_and(|value| value == "1"))
}

/// A panic's report must not be drawn over by (or mixed into) the progress bar.
pub(crate) fn install_panic_hook() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut bar) = BAR.try_lock()
            && let Some(bar) = bar.take()
        {
            bar.finish_and_clear();
        }
        report(info);
    }));
}

/// The tracing events of devserve's crates as devserve's lines: `devserve: <message>` with the
/// level's label, other fields after the message in parentheses; the app's output as
/// `app: <line>`.
#[derive(Debug, Default)]
pub(crate) struct TracingFormat;

impl<S, N> FormatEvent<S, N> for TracingFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        writer.write_str(&format_event(event.metadata().target(), *event.metadata().level(), fields))
    }
}

/// One event as a line (see [`TracingFormat`]).
fn format_event(target: &str, level: Level, fields: Fields) -> String {
    if target == APP_TARGET {
        return format!("app: {}\n", fields.message);
    }
    let severity = match level {
        Level::ERROR => Severity::Error,
        Level::WARN => Severity::Warning,
        Level::INFO => Severity::Info,
        _ => Severity::Debug,
    };
    let mut message = fields.message;
    if !fields.others.is_empty() {
        let others = fields.others.join(", ");
        message = if message.is_empty() { others } else { format!("{message} ({others})") };
    }
    format_line(severity, &message)
}

/// An event's message and its other fields as `name=value`.
#[derive(Debug, Default)]
struct Fields {
    message: String,
    others: Vec<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.others.push(format!("{}={value}", field.name()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.others.push(format!("{}={value:?}", field.name()));
        }
    }
}

/// Where the tracing events go: [`write`], one event at a time.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TracingWriter;

impl<'a> MakeWriter<'a> for TracingWriter {
    type Writer = EventBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        EventBuffer(Vec::new())
    }
}

/// Collects one formatted event and writes it when dropped.
#[derive(Debug)]
pub(crate) struct EventBuffer(Vec<u8>);

impl Write for EventBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for EventBuffer {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            write(&String::from_utf8_lossy(&self.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// `text` as a file or a `NO_COLOR` terminal gets it.
    fn plain(text: &str) -> String {
        anstream::adapter::strip_str(text).to_string()
    }

    #[test]
    fn lines_keep_their_words_and_only_labels_are_styled() {
        let check = |severity, message: &str, expected: &str| {
            let line = format_line(severity, message);
            assert_eq!(plain(&line), expected, "{line:?}");
        };
        check(Severity::Info, "serving http://127.0.0.1:3000", "devserve: serving http://127.0.0.1:3000\n");
        check(
            Severity::Warning,
            "x: keeping the last good state",
            "devserve: warning: x: keeping the last good state\n",
        );
        check(Severity::Error, "build 2 failed after 1.0 s", "devserve: error: build 2 failed after 1.0 s\n");
        check(Severity::Debug, "detail", "devserve: debug: detail\n");
        assert_eq!(format_line(Severity::Info, "plain"), "devserve: plain\n", "no escape codes at all");
        let warning = format_line(Severity::Warning, "w");
        assert!(
            warning.starts_with("devserve: \x1b[") && warning.ends_with("warning\x1b[0m: w\n"),
            "{warning:?}"
        );
    }

    #[test]
    fn progress_reads_count_unit_and_time() {
        let progress = |done, total, current: Option<&str>, elapsed_ms| BuildProgress {
            done,
            total,
            current: current.map(str::to_owned),
            elapsed_ms,
        };
        assert_eq!(progress_message(&progress(12, Some(40), Some("leptos"), 3140)), "12/40 leptos 3.1s");
        assert_eq!(progress_message(&progress(5, None, None, 200)), "5  0.2s");
        assert_eq!(
            progress_message(&progress(7, Some(3), Some("app"), 0)),
            "7/7 app 0.0s",
            "never past 100 %"
        );
    }

    /// A subscriber with devserve's format, writing into a buffer.
    fn capture(events: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl Write for Buffer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(Level::DEBUG)
            .event_format(TracingFormat)
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, events);
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn tracing_events_look_like_devserve_lines() {
        let pid = 123;
        let out = capture(|| {
            tracing::info!("app started (pid {pid})");
            tracing::warn!(origin = "http://evil.test", "WebSocket from a foreign origin refused");
            tracing::error!(code = 3, "something broke");
            tracing::debug!(target: "devserve_build::cargo", "detail");
            tracing::info!(target: "devserve::app", stream = "stdout", "listening on 127.0.0.1:4000");
        });
        assert_eq!(
            plain(&out),
            "devserve: app started (pid 123)\n\
             devserve: warning: WebSocket from a foreign origin refused (origin=http://evil.test)\n\
             devserve: error: something broke (code=3)\n\
             devserve: debug: detail\n\
             app: listening on 127.0.0.1:4000\n"
        );
        assert!(!out.contains("INFO") && !out.contains("pid="), "{out}");
    }
}

//! The terminal: devserve's own lines, cargo's diagnostics as cargo prints them, the build's
//! progress, and what browsers report.

use std::io::{IsTerminal, Write};

use devserve_protocol::BuildProgress;

/// A line from devserve.
pub(crate) fn say(message: &str) {
    clear_progress();
    eprintln!("devserve: {message}");
}

/// Something the user should look at.
pub(crate) fn warn(message: &str) {
    clear_progress();
    eprintln!("devserve: \x1b[33mwarning\x1b[0m: {message}");
}

/// Something went wrong.
pub(crate) fn error(message: &str) {
    clear_progress();
    eprintln!("devserve: \x1b[31merror\x1b[0m: {message}");
}

/// A compiler message, exactly as cargo renders it.
pub(crate) fn diagnostic(rendered: &str) {
    clear_progress();
    eprint!("{rendered}");
    if !rendered.ends_with('\n') {
        eprintln!();
    }
}

/// A console error or uncaught exception in a page.
pub(crate) fn browser(level: &str, message: &str) {
    clear_progress();
    eprintln!("devserve: [browser {level}] {message}");
}

/// The build's progress: one line redrawn in place on a terminal, nothing otherwise.
pub(crate) fn progress(progress: &BuildProgress) {
    let mut stderr = std::io::stderr();
    if !stderr.is_terminal() {
        return;
    }
    const WIDTH: usize = 24;
    let total = progress.total.unwrap_or(0).max(progress.done);
    let filled = if total == 0 { 0 } else { (progress.done as usize * WIDTH) / total as usize };
    let bar: String = (0..WIDTH).map(|i| if i < filled { '=' } else { ' ' }).collect();
    let count = match progress.total {
        Some(_) => format!("{}/{total}", progress.done),
        None => progress.done.to_string(),
    };
    let current = progress.current.as_deref().unwrap_or("");
    let secs = progress.elapsed_ms as f64 / 1000.0;
    let _ = write!(stderr, "\r\x1b[2K    Building [{bar}] {count} {current} {secs:.1}s");
    let _ = stderr.flush();
}

fn clear_progress() {
    let mut stderr = std::io::stderr();
    if stderr.is_terminal() {
        let _ = write!(stderr, "\r\x1b[2K");
    }
}

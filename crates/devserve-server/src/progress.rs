//! The page an HTML request gets while the app is not up: what devserve is doing, or what went
//! wrong. The client script in it reloads the page once the app is up.

use devserve_protocol::BuildProgress;

use crate::hub::AppState;

/// The whole page, with `script` (the client's tag) in its head.
pub(crate) fn render(state: &AppState, script: &str) -> String {
    let (title, body) = match state {
        AppState::Starting | AppState::Up => ("Starting", "<p>The app is starting.</p>".to_owned()),
        AppState::Building(progress) => ("Building", format!("<p>{}</p>", describe(progress))),
        AppState::Failed { diagnostics } => {
            let text = diagnostics.iter().map(|d| strip_ansi(d)).collect::<Vec<_>>().join("\n");
            ("Build failed", format!("<pre>{}</pre>", escape(&text)))
        }
        AppState::Crashed { output } => {
            ("The app stopped", format!("<pre>{}</pre>", escape(&strip_ansi(output))))
        }
    };
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>devserve: {title}</title>{script}\
<style>body{{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#222}}\
pre{{background:#f6f6f6;padding:1rem;overflow:auto;white-space:pre-wrap}}</style></head>\
<body><h1>{title}</h1>{body}<p><small>devserve shows the app here as soon as it is up.</small></p>\
</body></html>\n"
    )
}

fn describe(progress: &BuildProgress) -> String {
    let mut text = match progress.total {
        Some(total) => format!("Compiled {} of {total} crates", progress.done),
        None => format!("Compiled {} crates", progress.done),
    };
    if let Some(current) = &progress.current {
        text.push_str(&format!(", building {}", escape(current)));
    }
    text.push_str(&format!(" ({:.1} s)", progress.elapsed_ms as f64 / 1000.0));
    text
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Removes ANSI escape sequences (`ESC [ ... letter`, and lone `ESC x`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(state: AppState, expected_body: &str) {
        let page = render(&state, "<script></script>");
        let body = page.split("<body>").nth(1).unwrap().split("<p><small>").next().unwrap();
        assert_eq!(body, expected_body);
        assert!(page.contains("</title><script></script><style>"), "the client script is in the head");
    }

    #[test]
    fn building_shows_progress() {
        check(
            AppState::Building(BuildProgress {
                done: 120,
                total: Some(310),
                current: Some("leptos".into()),
                elapsed_ms: 12345,
            }),
            "<h1>Building</h1><p>Compiled 120 of 310 crates, building leptos (12.3 s)</p>",
        );
        check(
            AppState::Building(BuildProgress::default()),
            "<h1>Building</h1><p>Compiled 0 crates (0.0 s)</p>",
        );
    }

    #[test]
    fn failures_show_plain_escaped_text() {
        check(
            AppState::Failed {
                diagnostics: vec![
                    "\x1b[1m\x1b[38;5;9merror[E0308]\x1b[0m: mismatched types".into(),
                    "  --> src/app.rs:3:5 <Vec<u8>>".into(),
                ],
            },
            "<h1>Build failed</h1><pre>error[E0308]: mismatched types\n  --&gt; src/app.rs:3:5 &lt;Vec&lt;u8&gt;&gt;</pre>",
        );
        check(
            AppState::Crashed { output: "thread 'main' panicked & exited with code 101".into() },
            "<h1>The app stopped</h1><pre>thread 'main' panicked &amp; exited with code 101</pre>",
        );
    }

    #[test]
    fn starting() {
        check(AppState::Starting, "<h1>Starting</h1><p>The app is starting.</p>");
    }
}

//! `devserve views` and `devserve diff`: debugging aids that print what the view engine sees.
//!
//! Positions are 1-based lines and columns, as editors show them (inside `tree`, the view
//! engine's own `pos` objects keep its 0-based columns).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use devserve_view::{Change, FileViews, Pos, ViewError};
use serde_json::{Value, json};

/// Print every view of `files` as JSON lines: one object per view, plus one per file that does
/// not parse. Files that cannot be read are reported on stderr and make the exit code 1.
pub(crate) fn views(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut out = io::stdout().lock();
    let mut unreadable = false;
    for file in files {
        let source = match read(file) {
            Ok(source) => source,
            Err(err) => {
                eprintln!("devserve: error: {err:#}");
                unreadable = true;
                continue;
            }
        };
        for line in view_lines(&display_path(file), &source) {
            if let Err(err) = writeln!(out, "{line}") {
                return stdout_closed(err);
            }
        }
    }
    Ok(if unreadable { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Print the classification of OLD -> NEW as one JSON object.
pub(crate) fn diff(old: &Path, new: &Path) -> anyhow::Result<ExitCode> {
    let (old_source, new_source) = (read(old)?, read(new)?);
    let line = diff_json(&display_path(new), &old_source, &new_source);
    match writeln!(io::stdout().lock(), "{line}") {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(err) => stdout_closed(err),
    }
}

/// The JSON lines `devserve views` prints for one file.
fn view_lines(path: &str, source: &str) -> Vec<Value> {
    let views = devserve_view::extract(path, source);
    let mut lines = Vec::new();
    let file_error = views.file_error.clone().or_else(|| devserve_view::syntax_error(source));
    if let Some(error) = file_error {
        lines.push(json!({ "file": path, "status": "error", "error": error_json(&error) }));
    }
    for view in &views.views {
        let Pos { line, column } = view.pos;
        let mut object = json!({
            "file": path,
            "id": view.id,
            "marker_id": view.marker_id,
            "line": line,
            "column": column + 1,
        });
        match &view.tree {
            Ok(tree) => {
                object["status"] = json!("ok");
                object["tree"] = json!(tree);
            }
            Err(error) => {
                object["status"] = json!("error");
                object["error"] = error_json(error);
            }
        }
        lines.push(object);
    }
    lines
}

/// The JSON object `devserve diff` prints.
fn diff_json(path: &str, old: &str, new: &str) -> Value {
    let base: FileViews = devserve_view::extract(path, old);
    match devserve_view::classify_from(&base, &base, &devserve_view::extract(path, new)) {
        Change::None => json!({ "change": "none" }),
        Change::Patch(patches) => json!({ "change": "patch", "patches": patches }),
        Change::Rebuild(reason) => {
            let mut object = json!({ "change": "rebuild", "kind": reason.kind, "reason": reason.message });
            if let Some(Pos { line, column }) = reason.pos {
                object["line"] = json!(line);
                object["column"] = json!(column + 1);
            }
            object
        }
    }
}

fn error_json(error: &ViewError) -> Value {
    json!({ "message": error.message, "line": error.pos.line, "column": error.pos.column + 1 })
}

/// The file's text; invalid UTF-8 is replaced (and said so) rather than refused.
fn read(file: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            eprintln!(
                "devserve: warning: {} is not valid UTF-8; invalid bytes read as U+FFFD",
                file.display()
            );
            String::from_utf8_lossy(err.as_bytes()).into_owned()
        }
    })
}

/// The path as views are identified by it: `/`-separated, without a leading `./`.
fn display_path(file: &Path) -> String {
    let text = file.to_string_lossy().replace('\\', "/");
    let mut rest = text.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_owned()
}

/// A reader that went away (`devserve views .. | head`) is not an error.
fn stdout_closed(err: io::Error) -> anyhow::Result<ExitCode> {
    if err.kind() == io::ErrorKind::BrokenPipe { Ok(ExitCode::SUCCESS) } else { Err(err.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "fn App() -> impl IntoView {\n    view! { <p class=\"a\">\"Hi\" {n}</p> }\n}\n";

    #[test]
    fn views_print_identity_position_and_tree() {
        let lines = view_lines("src/app.rs", APP);
        assert_eq!(lines.len(), 1);
        let view = &lines[0];
        assert_eq!(view["id"], "src/app.rs::App#0");
        assert_eq!(view["marker_id"], "src-app.rs-2");
        assert_eq!((view["line"].as_u64(), view["column"].as_u64()), (Some(2), Some(5)));
        assert_eq!(view["status"], "ok");
        assert_eq!(view["tree"]["nodes"][0]["tag"], "p");
        assert_eq!(view["tree"]["nodes"][0]["children"][1]["hole"]["text"], "{n}");
    }

    #[test]
    fn broken_views_and_files_are_reported() {
        let lines = view_lines("src/app.rs", "fn a() {\n    view! { <p> }\n}\n");
        assert_eq!(lines[0]["status"], "error");
        assert_eq!(lines[0]["error"]["message"], "`<p>` has no closing tag `</p>`");
        assert_eq!(
            (lines[0]["error"]["line"].as_u64(), lines[0]["error"]["column"].as_u64()),
            (Some(2), Some(14))
        );
        let lines = view_lines("src/app.rs", "fn a() {\n    let = 1;\n}\n");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["status"], "error");
        assert!(lines[0].get("id").is_none());
    }

    #[test]
    fn diff_says_none_patch_or_rebuild() {
        assert_eq!(diff_json("src/app.rs", APP, APP), json!({ "change": "none" }));
        let patched = diff_json("src/app.rs", APP, &APP.replace("Hi", "Hello"));
        assert_eq!(patched["change"], "patch");
        assert_eq!(patched["patches"][0]["view_id"], "src/app.rs::App#0");
        let rebuilt = diff_json("src/app.rs", APP, &APP.replace("{n}", "{m}"));
        assert_eq!(rebuilt["change"], "rebuild");
        assert_eq!(rebuilt["kind"], "code");
        assert_eq!(rebuilt["reason"], "`{m}` block changed at src/app.rs:2:31");
        assert_eq!((rebuilt["line"].as_u64(), rebuilt["column"].as_u64()), (Some(2), Some(31)));
    }

    #[test]
    fn paths_are_slash_separated_without_dot_prefix() {
        assert_eq!(display_path(Path::new("./src/app.rs")), "src/app.rs");
        assert_eq!(display_path(Path::new("src\\app.rs")), "src/app.rs");
    }
}

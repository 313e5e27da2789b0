//! `devserve views` and `devserve diff` as a user runs them: the built binary on files on disk.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A file in a fresh temporary folder, removed on drop.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, contents: impl AsRef<[u8]>) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "devserve-inspect-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        Self { dir, path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn devserve(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_devserve")).args(args).output().unwrap()
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

const APP: &str = r#"use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let (count, set_count) = signal(0);
    view! {
        <button on:click=move |_| set_count.update(|n| *n += 1)>"Clicked " {count}</button>
    }
}
"#;

#[test]
fn views_prints_one_json_line_per_view() {
    let file = TempFile::new("app.rs", APP);
    let broken = TempFile::new("broken.rs", "fn a() {\n    view! { <p> }\n}\n");
    let output = devserve(&["views".as_ref(), file.path.as_os_str(), broken.path.as_os_str()]);
    assert!(output.status.success(), "{output:?}");
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2);
    let app = &lines[0];
    assert!(app["id"].as_str().unwrap().ends_with("app.rs::App#0"), "{app}");
    assert!(app["marker_id"].as_str().unwrap().ends_with("app.rs-6"), "{app}");
    assert_eq!(
        (app["line"].as_u64(), app["column"].as_u64(), app["status"].as_str()),
        (Some(6), Some(5), Some("ok"))
    );
    assert_eq!(app["tree"]["nodes"][0]["tag"], "button");
    let broken = &lines[1];
    assert_eq!(broken["status"], "error");
    assert_eq!(broken["error"]["message"], "`<p>` has no closing tag `</p>`");
}

#[test]
fn views_of_an_unreadable_file_fails_naming_it() {
    let file = TempFile::new("app.rs", APP);
    let missing = file.dir.join("missing.rs");
    let output = devserve(&["views".as_ref(), missing.as_os_str(), file.path.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot read") && stderr.contains("missing.rs"), "{stderr}");
    assert_eq!(json_lines(&output).len(), 1, "the readable file is still printed");
}

#[test]
fn views_reads_invalid_utf8_with_a_warning() {
    let mut bytes = APP.replace("Clicked ", "Clicked \u{1}").into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xff;
    let file = TempFile::new("latin1.rs", bytes);
    let output = devserve(&["views".as_ref(), file.path.as_os_str()]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid UTF-8"));
    assert_eq!(json_lines(&output)[0]["tree"]["nodes"][0]["children"][0]["text"], "Clicked \u{fffd}");
}

#[test]
fn diff_prints_none_patch_or_rebuild() {
    let old = TempFile::new("app.rs", APP);
    let same = TempFile::new("app.rs", APP.replace("    let", "    // a comment\n    let"));
    let text = TempFile::new("app.rs", APP.replace("Clicked ", "Pressed "));
    let code = TempFile::new("app.rs", APP.replace("signal(0)", "signal(1)"));
    let run = |new: &TempFile| {
        let output = devserve(&["diff".as_ref(), old.path.as_os_str(), new.path.as_os_str()]);
        assert!(output.status.success(), "{output:?}");
        json_lines(&output).remove(0)
    };
    assert_eq!(run(&same)["change"], "none");
    let patch = run(&text);
    assert_eq!(patch["change"], "patch");
    assert_eq!(patch["patches"][0]["ops"][0]["op"], "set-text");
    let rebuild = run(&code);
    assert_eq!(rebuild["change"], "rebuild");
    assert_eq!(rebuild["kind"], "code");
    assert!(rebuild["reason"].as_str().unwrap().starts_with("code outside views changed at "), "{rebuild}");
}

#[test]
fn diff_of_a_missing_file_fails_naming_it() {
    let old = TempFile::new("app.rs", APP);
    let missing = old.dir.join("gone.rs");
    let output = devserve(&["diff".as_ref(), old.path.as_os_str(), missing.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("gone.rs"));
}

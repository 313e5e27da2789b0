//! The change made before each timed build, and the guarantee that it is undone.
//!
//! - [`find`] picks the edit: a one-word change inside a `view!` text that the view engine
//!   classifies as a patch (what a user does most), or a statement added at the start of a
//!   component's body (a one-line Rust change outside the views).
//! - [`Sources`] writes the edited and original versions in turn and restores every file it
//!   touched byte for byte when dropped: at the end, on an error, on a panic, and when the
//!   benchmark's future is dropped because of Ctrl-C. A journal in the target folder lets the next
//!   run restore what a killed run (SIGKILL, power loss) left edited.
//! - [`check_committed`] refuses files with uncommitted changes (`git status`).

use std::path::{Path, PathBuf};
use std::process::Command;

use devserve_view::{Change, Node, Pos};
use serde::{Deserialize, Serialize};
use syn::visit::Visit;

use crate::BenchError;

/// What a run changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EditKind {
    /// One word of a static text in a `view!`.
    ViewText,
    /// `let _devserve_bench = ::core::hint::black_box(1);` added at the start of a component's
    /// body (same line): a real change of the compiled code (a statement the compiler can drop,
    /// such as `let _x = 1;`, leaves a binary without debug info byte for byte the same, and
    /// devserve then rightly keeps the page).
    CodeLine,
}

impl EditKind {
    /// `view text`, `code line`.
    pub fn name(self) -> &'static str {
        match self {
            EditKind::ViewText => "view text",
            EditKind::CodeLine => "code line",
        }
    }
}

/// One edit: a file and its two versions, written in turn before each round of builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file.
    pub path: PathBuf,
    /// The file, relative to the package (`src/app.rs`).
    pub rel: String,
    /// What the edit changes.
    pub kind: EditKind,
    /// The line it changes (1-based).
    pub line: usize,
    /// The file as found.
    pub original: String,
    /// The file edited.
    pub edited: String,
    /// What changes, for the terminal (`"Welcome" -> "benchmark"`).
    pub change: String,
}

impl Edit {
    /// The edit `devserve bench` makes in the package at `package_dir` (a single-package app,
    /// whose source paths the view engine sees relative to it): see [`EditKind`].
    pub fn find(package_dir: &Path, kind: EditKind) -> Result<Edit, BenchError> {
        find(package_dir, kind, None, str::to_owned)
    }
}

/// The statement a code-line edit adds.
const CODE_LINE: &str = " let _devserve_bench = ::core::hint::black_box(1);";

/// Finds an edit of `kind` in the package at `package_dir` (in `only` when given): files under
/// `src/` in path order, the first that has one. `engine_path` turns a path relative to the
/// package into the one the view engine expects (relative to the workspace root).
pub(crate) fn find(
    package_dir: &Path,
    kind: EditKind,
    only: Option<&Path>,
    engine_path: impl Fn(&str) -> String,
) -> Result<Edit, BenchError> {
    let files = match only {
        Some(file) => {
            let path = if file.is_absolute() { file.to_path_buf() } else { package_dir.join(file) };
            vec![path]
        }
        None => {
            let mut files = Vec::new();
            rust_files(&package_dir.join("src"), &mut files);
            files.sort();
            files
        }
    };
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let rel = path.strip_prefix(package_dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let found = match kind {
            EditKind::ViewText => view_text_edit(&engine_path(&rel), &text),
            EditKind::CodeLine => code_line_edit(&text),
        };
        if let Some((edited, line, change)) = found {
            return Ok(Edit { path, rel, kind, line, original: text, edited, change });
        }
    }
    let what = match kind {
        EditKind::ViewText => "view text",
        EditKind::CodeLine => "component body",
    };
    Err(BenchError::NothingToEdit {
        what,
        dir: only.map_or_else(|| package_dir.join("src"), Path::to_path_buf),
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        match entry.file_type() {
            Ok(t) if t.is_dir() && !hidden => rust_files(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "rs") => out.push(path),
            _ => {}
        }
    }
}

/// The first static text of a view with a word of three letters or more, that word replaced,
/// when the view engine classifies the result as a patch: (new text, line, description).
fn view_text_edit(engine_path: &str, text: &str) -> Option<(String, usize, String)> {
    let views = devserve_view::extract(engine_path, text);
    for view in &views.views {
        let Ok(tree) = &view.tree else { continue };
        let start = byte_offset(text, view.pos)?;
        let mut texts = Vec::new();
        collect_texts(&tree.nodes, &mut texts);
        for t in texts {
            let Some((word_at, word)) = first_word(t) else { continue };
            let literal = format!("\"{t}\"");
            let Some(found) = text[start..].find(&literal) else { continue };
            let at = start + found + 1 + word_at;
            let replacement = if word.eq_ignore_ascii_case("benchmark") { "measured" } else { "benchmark" };
            let edited = format!("{}{replacement}{}", &text[..at], &text[at + word.len()..]);
            if matches!(devserve_view::classify(&views, &edited), Change::Patch(_)) {
                let line = text[..at].matches('\n').count() + 1;
                return Some((edited, line, format!("{word:?} -> {replacement:?} in {literal}")));
            }
        }
    }
    None
}

fn collect_texts<'a>(nodes: &'a [Node], out: &mut Vec<&'a str>) {
    for node in nodes {
        match node {
            Node::Text { text } => out.push(text),
            Node::Element(element) => collect_texts(&element.children, out),
            Node::Component(component) => collect_texts(&component.children, out),
            Node::Block { .. } | Node::Doctype { .. } | Node::Comment { .. } => {}
        }
    }
}

/// The first run of three or more ASCII letters standing as a word: (byte offset, word).
fn first_word(text: &str) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let end = (i..bytes.len()).find(|&j| !bytes[j].is_ascii_alphabetic()).unwrap_or(bytes.len());
            let bounded = end == bytes.len() || !bytes[end].is_ascii_alphanumeric() && bytes[end] != b'_';
            if end - i >= 3 && bounded {
                return Some((i, &text[i..end]));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// The byte offset of a 1-based line and 0-based character column.
fn byte_offset(text: &str, pos: Pos) -> Option<usize> {
    let line_start =
        if pos.line <= 1 { 0 } else { text.match_indices('\n').nth(pos.line - 2).map(|(i, _)| i + 1)? };
    let rest = &text[line_start..];
    let column = rest.char_indices().nth(pos.column).map_or(rest.len(), |(i, _)| i);
    Some(line_start + column)
}

/// A statement added right after the opening brace of the first `#[component]` function whose
/// body holds a `view!` (else the first function of any kind that does): (new text, line,
/// description).
fn code_line_edit(text: &str) -> Option<(String, usize, String)> {
    let file = syn::parse_file(text).ok()?;
    let mut finder = ComponentBody::default();
    finder.visit_file(&file);
    let (name, pos) = finder.component.or(finder.any)?;
    let at = byte_offset(text, Pos { line: pos.line, column: pos.column })? + 1;
    let edited = format!("{}{CODE_LINE}{}", &text[..at], &text[at..]);
    Some((edited, pos.line, format!("`{}` added at the start of `{name}`", CODE_LINE.trim())))
}

/// Finds the first `#[component]` function and the first function (free or in an impl) whose
/// body invokes `view!`.
#[derive(Default)]
struct ComponentBody {
    component: Option<(String, proc_macro2::LineColumn)>,
    any: Option<(String, proc_macro2::LineColumn)>,
}

impl ComponentBody {
    fn consider(&mut self, name: &syn::Ident, attrs: &[syn::Attribute], block: &syn::Block) {
        let is_component =
            attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "component"));
        if self.component.is_some() || (self.any.is_some() && !is_component) {
            return;
        }
        let mut views = HasView(false);
        views.visit_block(block);
        if views.0 {
            let found = Some((name.to_string(), block.brace_token.span.open().start()));
            if is_component {
                self.component = found.clone();
            }
            self.any = self.any.take().or(found);
        }
    }
}

impl<'ast> Visit<'ast> for ComponentBody {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.consider(&item.sig.ident, &item.attrs, &item.block);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.consider(&item.sig.ident, &item.attrs, &item.block);
    }
}

struct HasView(bool);

impl<'ast> Visit<'ast> for HasView {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.segments.last().is_some_and(|s| s.ident == "view") {
            self.0 = true;
        }
    }
}

/// Whether a file may be edited: `Ok(None)` when git says it is committed, `Ok(Some(why))` when
/// git cannot tell (no repository, no git), an error when it has uncommitted changes.
pub(crate) fn check_committed(path: &Path) -> Result<Option<String>, BenchError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let out = Command::new("git")
        .args(["status", "--porcelain", "--ignored", "--"])
        .arg(path)
        .current_dir(dir)
        .output();
    match out {
        Ok(out) if out.status.success() => {
            let status = String::from_utf8_lossy(&out.stdout);
            if status.trim().is_empty() {
                Ok(None)
            } else if status.starts_with("!!") {
                Ok(Some("git ignores it".into()))
            } else {
                Err(BenchError::Dirty { file: path.to_path_buf() })
            }
        }
        Ok(out) => {
            Ok(Some(String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("git failed").to_owned()))
        }
        Err(err) => Ok(Some(format!("cannot run git: {err}"))),
    }
}

/// One file the benchmark edits.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tracked {
    path: PathBuf,
    original: String,
    /// Every version the benchmark wrote: a file holding one of them (or the original) is the
    /// benchmark's to rewrite; anything else was written by someone else.
    ours: Vec<String>,
}

impl Tracked {
    fn holds_ours(&self, current: &[u8]) -> bool {
        current == self.original.as_bytes() || self.ours.iter().any(|v| v.as_bytes() == current)
    }
}

/// The files the benchmark edits. Dropping it restores them.
#[derive(Debug)]
pub struct Sources {
    journal: PathBuf,
    files: Vec<Tracked>,
}

impl Sources {
    /// Sources journaled in `journal`; first restores what a killed earlier run left edited
    /// (only files still holding what it wrote), and says so.
    pub fn new(journal: PathBuf) -> Self {
        if let Ok(text) = std::fs::read_to_string(&journal)
            && let Ok(left) = serde_json::from_str::<Vec<Tracked>>(&text)
        {
            let mut earlier = Sources { journal: journal.clone(), files: left };
            for path in earlier.restore() {
                eprintln!("devserve bench: restored {}, left edited by an interrupted run", path.display());
            }
        }
        Sources { journal, files: Vec::new() }
    }

    /// Writes `content` to `path`, which must hold `original` or a version written before.
    pub fn write(&mut self, path: &Path, original: &str, content: &str) -> Result<(), BenchError> {
        let index = match self.files.iter().position(|t| t.path == path) {
            Some(index) => index,
            None => {
                let tracked =
                    Tracked { path: path.to_path_buf(), original: original.to_owned(), ours: Vec::new() };
                self.files.push(tracked);
                self.files.len() - 1
            }
        };
        let current = std::fs::read(path).map_err(|e| BenchError::io("cannot read", path, e))?;
        if !self.files[index].holds_ours(&current) {
            // Not ours any more: never overwrite it, now or when restoring.
            self.files.remove(index);
            let _ = self.save_journal();
            return Err(BenchError::ChangedMeanwhile { file: path.to_path_buf() });
        }
        // The journal first: a run killed between the two writes finds a version it knows.
        let file = &mut self.files[index];
        if content != file.original && !file.ours.iter().any(|v| v == content) {
            file.ours.push(content.to_owned());
            self.save_journal()?;
        }
        std::fs::write(path, content).map_err(|e| BenchError::io("cannot write", path, e))
    }

    /// Puts every file back as it was; returns those it rewrote. A file someone else changed
    /// meanwhile is left alone.
    pub fn restore(&mut self) -> Vec<PathBuf> {
        let mut restored = Vec::new();
        for file in std::mem::take(&mut self.files) {
            let Ok(current) = std::fs::read(&file.path) else { continue };
            if current == file.original.as_bytes() {
                continue;
            }
            if !file.holds_ours(&current) {
                eprintln!(
                    "devserve bench: {} was changed by another program: left as it is",
                    file.path.display()
                );
                continue;
            }
            match std::fs::write(&file.path, &file.original) {
                Ok(()) => restored.push(file.path),
                Err(err) => eprintln!("devserve bench: cannot restore {}: {err}", file.path.display()),
            }
        }
        let _ = std::fs::remove_file(&self.journal);
        restored
    }

    fn save_journal(&self) -> Result<(), BenchError> {
        if let Some(dir) = self.journal.parent() {
            std::fs::create_dir_all(dir).map_err(|e| BenchError::io("cannot create", dir, e))?;
        }
        let text = serde_json::to_vec(&self.files).unwrap_or_default();
        std::fs::write(&self.journal, text).map_err(|e| BenchError::io("cannot write", &self.journal, e))
    }
}

impl Drop for Sources {
    fn drop(&mut self) {
        self.restore();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = r#"use leptos::prelude::*;

#[component]
pub fn Hello(name: String) -> impl IntoView {
    let n = 1;
    view! {
        <div class="x">
            {name}
            <p>"Hi"</p>
            <p>"Welcome to the app"</p>
        </div>
    }
}
"#;

    #[test]
    fn view_text_edit_changes_one_word_the_engine_calls_a_patch() {
        let (edited, line, change) = view_text_edit("src/app.rs", APP).unwrap();
        assert_eq!(edited, APP.replace("\"Welcome to the app\"", "\"benchmark to the app\""));
        assert_eq!(line, 10);
        assert_eq!(change, r#""Welcome" -> "benchmark" in "Welcome to the app""#);
        // Applied twice, the word changes back and forth.
        let (again, _, _) = view_text_edit("src/app.rs", &edited).unwrap();
        assert_eq!(again, APP.replace("\"Welcome to the app\"", "\"measured to the app\""));
    }

    fn edited_app() -> String {
        APP.replace(
            "-> impl IntoView {\n",
            "-> impl IntoView { let _devserve_bench = ::core::hint::black_box(1);\n",
        )
    }

    #[test]
    fn code_line_edit_adds_a_statement_to_the_component() {
        let (edited, line, _) = code_line_edit(APP).unwrap();
        assert_eq!(edited, edited_app());
        assert_eq!(line, 4);
        assert!(code_line_edit("fn main() {}").is_none());
        // A component is preferred to a plain function that renders a view (`shell`).
        let shell = format!("pub fn shell() -> impl IntoView {{ view! {{ <p/> }} }}\n{APP}");
        let (edited, _, change) = code_line_edit(&shell).unwrap();
        assert_eq!(
            edited,
            format!("pub fn shell() -> impl IntoView {{ view! {{ <p/> }} }}\n{}", edited_app())
        );
        assert!(change.ends_with("`Hello`"), "{change}");
        let (edited, line, _) = code_line_edit("fn shell() {\n    view! { <p/> }\n}\n").unwrap();
        assert_eq!(
            (edited.as_str(), line),
            ("fn shell() { let _devserve_bench = ::core::hint::black_box(1);\n    view! { <p/> }\n}\n", 1)
        );
    }

    #[test]
    fn words() {
        assert_eq!(first_word("Hi there"), Some((3, "there")));
        assert_eq!(first_word("a1bcd x_yz"), None);
        assert_eq!(first_word("  Count: "), Some((2, "Count")));
        assert_eq!(byte_offset("ab\ncdé f", Pos { line: 2, column: 4 }), Some(8));
    }

    #[test]
    fn sources_are_restored_and_foreign_changes_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.rs"), dir.path().join("b.rs"));
        std::fs::write(&a, "A").unwrap();
        std::fs::write(&b, "B").unwrap();
        let journal = dir.path().join("journal.json");
        let mut sources = Sources::new(journal.clone());
        sources.write(&a, "A", "A2").unwrap();
        sources.write(&b, "B", "B2").unwrap();
        assert!(journal.exists());
        std::fs::write(&b, "theirs").unwrap();
        assert!(matches!(sources.write(&b, "B", "B3"), Err(BenchError::ChangedMeanwhile { .. })));
        drop(sources);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "theirs");
        assert!(!journal.exists());
    }

    #[test]
    fn a_journal_left_by_a_killed_run_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.rs");
        std::fs::write(&a, "A").unwrap();
        let journal = dir.path().join("journal.json");
        let mut sources = Sources::new(journal.clone());
        sources.write(&a, "A", "A2").unwrap();
        std::mem::forget(sources);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A2");
        drop(Sources::new(journal.clone()));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A");
    }
}

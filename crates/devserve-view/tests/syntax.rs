//! The syntax corpus: each `tests/fixtures/syntax/NAME.rs` is a real-looking Leptos source; its
//! views, printed as readable trees, must equal `NAME.expect` next to it. The expect files are
//! the spec: review them by eye. `UPDATE_EXPECT=1 cargo test -p devserve-view --test syntax`
//! rewrites them.
//!
//! Print format: one `view` header per view (id, marker id, position), then its nodes indented
//! by two spaces per level. Elements are `<tag>` with their attributes as `@` lines (`@name="v"`
//! static, `@name` valueless, `@name={code}` dynamic, `@{..spread}`), components `<Name>
//! component` with their props the same way, blocks `{code}`, text as a quoted string. Holes end
//! with `@line:column` (1-based column).

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use devserve_view::{Attr, FileViews, Hole, Node, Pos, extract};

#[test]
fn syntax_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 15, "the corpus went missing from {}", dir.display());

    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let name = fixture.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(fixture).unwrap();
        let actual = print(&extract(&format!("src/{name}.rs"), &source));
        let expect_path = fixture.with_extension("expect");
        if update {
            std::fs::write(&expect_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expect_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!("--- {name}.expect\n{expected}\n+++ actual\n{actual}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures differ (UPDATE_EXPECT=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn print(file: &FileViews) -> String {
    let mut out = String::new();
    if let Some(error) = &file.file_error {
        writeln!(out, "file error {}: {}", at(error.pos), error.message).unwrap();
    }
    for view in &file.views {
        let marker = view.marker_id.as_deref().unwrap_or("-");
        writeln!(out, "view {} marker={marker} {}", view.id, at(view.pos)).unwrap();
        match &view.tree {
            Ok(tree) => {
                if let Some(cx) = &tree.cx {
                    writeln!(out, "  cx {}", hole(cx)).unwrap();
                }
                if let Some(class) = &tree.class_prefix {
                    writeln!(out, "  class = {}", hole(class)).unwrap();
                }
                nodes(&mut out, &tree.nodes, 1);
            }
            Err(error) => writeln!(out, "  error {}: {}", at(error.pos), error.message).unwrap(),
        }
    }
    out
}

fn nodes(out: &mut String, nodes: &[Node], depth: usize) {
    let indent = "  ".repeat(depth);
    for node in nodes {
        match node {
            Node::Element(element) => {
                writeln!(out, "{indent}<{}>", element.tag).unwrap();
                attrs(out, &element.attrs, depth + 1);
                self::nodes(out, &element.children, depth + 1);
            }
            Node::Component(component) => {
                writeln!(out, "{indent}<{}> component {}", component.name, hole(&component.hole)).unwrap();
                attrs(out, &component.props, depth + 1);
                self::nodes(out, &component.children, depth + 1);
            }
            Node::Text { text } => writeln!(out, "{indent}{text:?}").unwrap(),
            Node::Block { hole: block } => writeln!(out, "{indent}{}", hole(block)).unwrap(),
            Node::Doctype { value } => writeln!(out, "{indent}<!DOCTYPE {value}>").unwrap(),
            Node::Comment { text } => writeln!(out, "{indent}<!-- {text:?} -->").unwrap(),
        }
    }
}

fn attrs(out: &mut String, attrs: &[Attr], depth: usize) {
    let indent = "  ".repeat(depth);
    for attr in attrs {
        match attr {
            Attr::Static { name, value } => writeln!(out, "{indent}@{name}={value:?}").unwrap(),
            Attr::Valueless { name } => writeln!(out, "{indent}@{name}").unwrap(),
            Attr::Dynamic { name, hole: value } => writeln!(out, "{indent}@{name}={}", hole(value)).unwrap(),
            Attr::Spread { hole: value } => writeln!(out, "{indent}@{}", hole(value)).unwrap(),
            Attr::InnerHtml { value } => writeln!(out, "{indent}@innerHTML={value:?}").unwrap(),
        }
    }
}

/// `{code} @line:column`, the code on one line.
fn hole(hole: &Hole) -> String {
    let code = hole.text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("`{code}` {}", at(hole.pos))
}

fn at(pos: Pos) -> String {
    format!("@{}:{}", pos.line, pos.column + 1)
}

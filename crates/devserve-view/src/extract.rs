//! Find every `view!` in a source file.
//!
//! The file is lexed once (proc-macro2, with span locations); the [`Scanner`] walks the tokens,
//! writes the skeleton, tracks the items around each token and parses each `view!` it meets.
//! Whether the rest of the file is valid Rust is left to [`syntax_error`]: parsing the whole
//! file with syn costs more than everything else here, and it only tells something new when
//! the code changed (code equal to the last build's parsed then).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use proc_macro2::{TokenStream, TokenTree};

use crate::scan::{Found, Level, Scanner, Tokens};
use crate::skeleton::{Out, Skeleton};
use crate::source::{Source, marker_id, pos};
use crate::{FileViews, Pos, View, ViewError};

/// Deepest nesting of `()`, `[]`, `{}` and view elements accepted: deeper files are reported as
/// errors instead of risking the stack.
pub(crate) const MAX_NESTING: usize = 96;

/// Parse `source` (the file at `path`, relative, `/`-separated) into its views and skeleton.
///
/// Never fails: a file that cannot be split into tokens gets [`FileViews::file_error`] and no
/// views; a view that does not parse gets its error in [`View::tree`].
pub fn extract(path: &str, source: &str) -> FileViews {
    let views = extract_spanned(path, source);
    // proc-macro2 keeps every lexed source in a thread-local map for span look-ups; everything
    // above is plain data now, so let the map go instead of growing it with every save.
    proc_macro2::extra::invalidate_current_thread_spans();
    views
}

/// The first syntax error of `source` as Rust (syn's full parse), if any.
pub fn syntax_error(source: &str) -> Option<ViewError> {
    let src = code_part(source);
    let error = match syn::parse_file(src) {
        Ok(_) => None,
        Err(error) => {
            let span = error.span();
            let at = if span.byte_range() == (0..0) { end_of(src) } else { pos(span) };
            Some(ViewError { message: error.to_string(), pos: at })
        }
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    error
}

/// Write the skeleton of `source` again, marking what each piece stands for (to explain a
/// difference between two skeletons).
pub(crate) fn diagnose(source: &str) -> Out {
    let src = code_part(source);
    let text = Source::new(src);
    let mut scanner = Scanner::new(&text, true);
    let mut out = scanner.out();
    if let Ok(tokens) = TokenStream::from_str(src) {
        scanner.code(Tokens::Owned(&mut tokens.into_iter().collect::<Vec<_>>()), &mut out, Level::File);
    }
    drop(scanner);
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

fn extract_spanned(path: &str, source: &str) -> FileViews {
    let src = code_part(source);
    let skeleton_source: Arc<str> = Arc::from(src);
    let failed = |error: ViewError| FileViews {
        path: path.to_owned(),
        views: Vec::new(),
        skeleton: Skeleton::new(String::new(), skeleton_source.clone(), Vec::new()),
        file_error: Some(error),
    };
    let tokens = match TokenStream::from_str(src) {
        Ok(tokens) => tokens,
        Err(error) => {
            return failed(ViewError {
                message: "cannot split the file into tokens: an unclosed delimiter or literal, or a stray character"
                    .to_owned(),
                pos: pos(error.span()),
            });
        }
    };
    let text = Source::new(src);
    let mut scanner = Scanner::new(&text, false);
    let mut out = scanner.out();
    out.text.reserve(src.len());
    scanner.code(Tokens::Owned(&mut tokens.into_iter().collect::<Vec<TokenTree>>()), &mut out, Level::File);
    if let Some(span) = scanner.too_deep {
        return failed(ViewError {
            message: format!("nested more than {MAX_NESTING} levels deep"),
            pos: pos(span),
        });
    }
    let views = identify(path, std::mem::take(&mut scanner.views));
    FileViews {
        path: path.to_owned(),
        views,
        skeleton: Skeleton::new(out.text, skeleton_source, std::mem::take(&mut scanner.placed)),
        file_error: None,
    }
}

/// `source` without a byte-order mark and a `#!` line (which syn and rustc skip too; the line
/// break stays so that line numbers hold).
pub(crate) fn code_part(source: &str) -> &str {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    match source.strip_prefix("#!") {
        Some(rest) if !rest.trim_start().starts_with('[') => {
            source.find('\n').and_then(|at| source.get(at..)).unwrap_or_default()
        }
        _ => source,
    }
}

/// Where `src` ends.
fn end_of(src: &str) -> Pos {
    let line = src.split('\n').count();
    let column = src.rsplit('\n').next().map_or(0, |last| last.chars().count());
    Pos { line, column }
}

/// Give found views their identities: path, innermost item, ordinal within that item.
fn identify(path: &str, found: Vec<Found>) -> Vec<View> {
    let mut ordinals: HashMap<String, usize> = HashMap::new();
    found
        .into_iter()
        .map(|view| {
            let next = ordinals.entry(view.item.clone()).or_default();
            let id = format!("{path}::{}#{next}", view.item);
            *next += 1;
            View {
                id,
                marker_id: view.marked.then(|| marker_id(path, view.pos.line)),
                pos: view.pos,
                tree: view.tree,
                fingerprint: view.fingerprint,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Node;

    fn ids(src: &str) -> Vec<String> {
        extract("src/app.rs", src).views.into_iter().map(|v| v.id).collect()
    }

    #[test]
    fn identity_is_path_item_and_ordinal() {
        let src = r#"
fn App() -> impl IntoView {
    let a = view! { <p>"a"</p> };
    view! { <div>{a}</div> }
}
impl Foo {
    fn render(&self) -> impl IntoView { view! { <i/> } }
}
"#;
        assert_eq!(ids(src), ["src/app.rs::App#0", "src/app.rs::App#1", "src/app.rs::impl Foo::render#0"]);
    }

    #[test]
    fn marker_ids_use_the_macro_start_line() {
        let views = extract("src/app.rs", "fn a() {\n    leptos::view! {\n <p/> }\n}").views;
        assert_eq!(views[0].marker_id.as_deref(), Some("src-app.rs-2"));
        assert_eq!(views[0].pos, Pos { line: 2, column: 4 });
    }

    #[test]
    fn unmarked_roots_have_no_marker_id() {
        let src = r#"fn a() { view! { "text" }; view! { <><p/></> }; view! {}; view! { <p/> "x" }; view! { <A/> } }"#;
        let markers: Vec<_> = extract("a.rs", src).views.into_iter().map(|v| v.marker_id.is_some()).collect();
        assert_eq!(markers, [false, false, false, true, true]);
    }

    #[test]
    fn a_file_that_cannot_be_lexed_has_an_error_and_no_views() {
        let views = extract("src/app.rs", "fn a() { view! { <p/> }");
        assert!(views.views.is_empty());
        assert_eq!(views.file_error.unwrap().pos.line, 1);
    }

    #[test]
    fn syntax_errors_are_found_on_request() {
        assert_eq!(syntax_error("fn a() {\n let x = ;\n}").unwrap().pos, Pos { line: 2, column: 9 });
        assert_eq!(syntax_error("fn a() {}\nfn").unwrap().pos, Pos { line: 2, column: 2 });
        assert_eq!(syntax_error("fn a() { view! { <p> } }"), None, "views are macros to syn");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = format!("fn a() {{ {}{} }}", "(".repeat(5000), ")".repeat(5000));
        let error = extract("a.rs", &src).file_error.unwrap();
        assert!(error.message.contains("nested"), "{error:?}");
    }

    #[test]
    fn shebang_and_bom_are_skipped_without_moving_lines() {
        let views = extract("a.rs", "\u{feff}#!/usr/bin/env run-cargo-script\nfn a() {\n view! { <p/> }\n}");
        assert_eq!(views.file_error, None);
        assert_eq!(views.views[0].pos.line, 3);
        assert!(extract("a.rs", "#![allow(unused)]\nfn a() {}").views.is_empty());
        assert_eq!(syntax_error("#![allow(unused)]\nfn a() {}"), None);
    }

    #[test]
    fn equal_code_gives_equal_skeletons() {
        let a = extract("a.rs", r#"fn a() { view! { <p class="x">"Hi" {n}</p> } }"#);
        let b = extract("a.rs", "// note\nfn a() {\n    view! { <p class=\"y\">\"Hello\" {n}</p> }\n}");
        assert_eq!(a.skeleton, b.skeleton);
        let c = extract("a.rs", r#"fn a() { view! { <p class="x">"Hi" {n + 1}</p> } }"#);
        assert_ne!(a.skeleton, c.skeleton);
    }

    #[test]
    fn diagnosing_writes_the_same_skeleton() {
        let src =
            "fn a() {\n    let n = 1;\n    view! { <p on:click=go>\"x\" {view! { <i>{n}</i> }}</p> }\n}";
        assert_eq!(diagnose(src).text, extract("a.rs", src).skeleton.as_str());
    }

    #[test]
    fn empty_files_have_empty_skeletons() {
        assert!(extract("a.rs", "").skeleton.is_empty());
        assert!(extract("a.rs", "// only a comment\n").skeleton.is_empty());
        assert_eq!(extract("a.rs", ""), FileViews::empty("a.rs"));
    }

    #[test]
    fn spans_do_not_pile_up() {
        for _ in 0..3 {
            let views = extract("a.rs", r#"fn a() { view! { <p>"x"</p> } }"#);
            assert!(matches!(&views.views[0].tree.as_ref().unwrap().nodes[0], Node::Element(_)));
        }
    }
}

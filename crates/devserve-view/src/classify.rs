//! Decide what a file change means: nothing, a hot patch, or a rebuild.

use crate::extract::diagnose;
use crate::skeleton::first_difference;
use crate::{FileViews, Pos, View, ViewError, ViewPatch};

/// Why a change needs a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RebuildKind {
    /// Code outside or inside a view changed.
    Code,
    /// Views were added or removed.
    ViewCount,
    /// The file or a view does not parse: devserve keeps the last good state and shows the error
    /// instead of building.
    ParseError,
}

/// A rebuild reason in words and location: "`{count}` block changed at src/app.rs:42:17".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RebuildReason {
    /// The kind of reason.
    pub kind: RebuildKind,
    /// The sentence for the terminal.
    pub message: String,
    /// Where, in the new source.
    pub pos: Option<Pos>,
}

/// What a file change means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The compiled program would not change (whitespace, comments outside views).
    None,
    /// Only static markup changed: these patches make the page show the new source.
    Patch(Vec<ViewPatch>),
    /// The program changed: rebuild.
    Rebuild(RebuildReason),
}

/// Classify `new_source` against the last build. Only what changed since the last build is parsed
/// again ([`crate::extract_from`] gives exactly what a full [`crate::extract`] would).
pub fn classify(last_build: &FileViews, new_source: &str) -> Change {
    let new = crate::extract_from(last_build, new_source);
    classify_from(last_build, last_build, &new)
}

/// Classify `new` against the last build, with patches relative to `shown` (what pages show now,
/// after earlier patches; equal to `last_build` when nothing was patched since).
///
/// - A file or view that does not parse: [`RebuildKind::ParseError`] (keep the last good state).
///   The file's syntax outside views is checked only when its code changed.
/// - A skeleton that differs from the last build's, or from the shown one's (code changed since
///   the build that is pending): a rebuild whose reason names the first difference.
/// - Otherwise each view whose tree differs from the shown one is diffed: patches, or a rebuild
///   when the diff must move or replace code.
pub fn classify_from(last_build: &FileViews, shown: &FileViews, new: &FileViews) -> Change {
    let path = &new.path;
    if let Some(error) = &new.file_error {
        return parse_error(path, error);
    }
    if let Some(error) = new.views.iter().find_map(|view| view.tree.as_ref().err()) {
        return parse_error(path, error);
    }
    for base in [last_build, shown] {
        if base.skeleton != new.skeleton {
            // The code changed, so it may no longer parse (unchanged code parsed for the build).
            if let Some(error) = crate::syntax_error(new.skeleton.source()) {
                return parse_error(path, &error);
            }
            return Change::Rebuild(code_changed(base, new));
        }
    }

    let mut patches = Vec::new();
    for (index, view) in new.views.iter().enumerate() {
        let Ok(new_tree) = &view.tree else { continue };
        let Some(shown_tree) = same_view(shown, view, index).and_then(|v| v.tree.as_ref().ok()) else {
            return Change::Rebuild(reason(
                RebuildKind::Code,
                format!("view {} has no shown state", view.id),
                None,
            ));
        };
        if shown_tree == new_tree {
            continue;
        }
        match crate::diff(shown_tree, new_tree) {
            Ok(ops) if ops.is_empty() => {}
            Ok(ops) => patches.push(ViewPatch {
                view_id: view.id.clone(),
                marker_id: same_view(last_build, view, index).and_then(|built| built.marker_id.clone()),
                version: 0,
                old_template: crate::template(shown_tree),
                ops,
            }),
            Err(not_patchable) => {
                let message = match not_patchable.pos {
                    Some(at) if !not_patchable.message.contains(path.as_str()) => {
                        format!("{} at {}", not_patchable.message, location(path, at))
                    }
                    _ => not_patchable.message,
                };
                return Change::Rebuild(reason(RebuildKind::Code, message, not_patchable.pos));
            }
        }
    }
    if patches.is_empty() { Change::None } else { Change::Patch(patches) }
}

/// The view of `views` with `view`'s identity (or, failing that, at the same index).
fn same_view<'a>(views: &'a FileViews, view: &View, index: usize) -> Option<&'a View> {
    views.views.iter().find(|v| v.id == view.id).or_else(|| views.views.get(index))
}

fn parse_error(path: &str, error: &ViewError) -> Change {
    let message = format!("parse error at {}: {}", location(path, error.pos), error.message);
    Change::Rebuild(reason(RebuildKind::ParseError, message, Some(error.pos)))
}

/// Why `base` and `new` (whose skeletons differ) are different programs.
fn code_changed(base: &FileViews, new: &FileViews) -> RebuildReason {
    let (what, at) = first_difference(&diagnose(base.skeleton.source()), &diagnose(new.skeleton.source()));
    let place = at.map(|at| format!(" at {}", location(&new.path, at))).unwrap_or_default();
    let (old_count, new_count) = (base.views.len(), new.views.len());
    if old_count == new_count {
        reason(RebuildKind::Code, format!("{what}{place}"), at)
    } else {
        reason(RebuildKind::ViewCount, format!("view count changed ({old_count} -> {new_count}){place}"), at)
    }
}

fn reason(kind: RebuildKind, message: String, pos: Option<Pos>) -> RebuildReason {
    RebuildReason { kind, message, pos }
}

/// `src/app.rs:42:17` (1-based column, as editors and rustc show it).
fn location(path: &str, at: Pos) -> String {
    format!("{path}:{}:{}", at.line, at.column + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rebuild(old: &str, new: &str) -> RebuildReason {
        match classify(&crate::extract("src/app.rs", old), new) {
            Change::Rebuild(reason) => reason,
            other => panic!("expected a rebuild, got {other:?}"),
        }
    }

    #[test]
    fn parse_errors_are_located() {
        let reason = rebuild(
            "fn a() {}",
            "fn a() {
    view! { <p> }
}",
        );
        assert_eq!(reason.kind, RebuildKind::ParseError);
        assert_eq!(reason.message, "parse error at src/app.rs:2:14: `<p>` has no closing tag `</p>`");
    }

    #[test]
    fn syntax_errors_outside_views_are_parse_errors() {
        let reason = rebuild("fn a() { let x = 1; }", "fn a() {\n    let x = ;\n}");
        assert_eq!(reason.kind, RebuildKind::ParseError);
        assert_eq!(reason.message, "parse error at src/app.rs:2:13: expected an expression");
    }

    #[test]
    fn code_changes_name_the_first_difference() {
        let old = "fn a() {
    let n = 1;
    view! { <p on:click=go>{n}</p> }
}";
        let reason = rebuild(
            old,
            "fn a() {
    let n = 2;
    view! { <p on:click=go>{n}</p> }
}",
        );
        assert_eq!(
            (reason.kind, reason.message.as_str()),
            (RebuildKind::Code, "code outside views changed at src/app.rs:2:13")
        );
        let reason = rebuild(
            old,
            "fn a() {
    let n = 1;
    view! { <p on:click=stop>{n}</p> }
}",
        );
        assert_eq!(reason.message, "attribute `on:click` changed at src/app.rs:3:25");
        let reason = rebuild(
            old,
            "fn a() {
    let n = 1;
    view! { <p on:click=go>{n + 1}</p> }
}",
        );
        assert_eq!(reason.message, "`{n + 1}` block changed at src/app.rs:3:28");
    }

    /// Classify an edit of the only view of `fn a()`: the patch's ops as JSON, one per line, or
    /// `rebuild (kind): message`.
    #[track_caller]
    fn check(old_view: &str, new_view: &str, expected: &str) {
        let source = |body: &str| format!("fn a() {{\n    view! {{ {body} }}\n}}\n");
        let actual = match classify(&crate::extract("src/app.rs", &source(old_view)), &source(new_view)) {
            Change::Patch(patches) => patches
                .iter()
                .flat_map(|patch| &patch.ops)
                .map(|op| serde_json::to_string(op).unwrap())
                .collect::<Vec<_>>()
                .join("\n"),
            Change::Rebuild(reason) => format!("rebuild ({:?}): {}", reason.kind, reason.message),
            Change::None => "none".into(),
        };
        assert_eq!(actual, expected.trim());
    }

    #[test]
    fn inner_html_edits() {
        check(
            r#"<h2>"Notes"</h2> <div class="note" inner_html="<i>one</i>"/>"#,
            r#"<h2>"Notes"</h2> <div class="note" inner_html="<i>two</i>"/>"#,
            r#"{"op":"set-inner-html","path":[1],"html":"<i>two</i>"}"#,
        );
        check(
            r#"<section><div inner_html="<i>one</i>"/></section>"#,
            r#"<section><div inner_html="<i>two</i>"/></section>"#,
            r#"{"op":"set-attr","path":[0,0],"name":"inner_html","value":"<i>two</i>"}"#,
        );
        check(
            r#"<div inner_html=move || html.get()/>"#,
            r#"<div inner_html=move || html.get().to_uppercase()/>"#,
            "rebuild (Code): attribute `inner_html` changed at src/app.rs:2:29",
        );
        check(
            r#"<h2>"Notes"</h2> <div inner_html="<i>one</i>"/>"#,
            r#"<div inner_html="<i>one</i>"/>"#,
            r#"{"op":"remove","path":[0]}"#,
        );
        check(
            r#"<h2>"Notes"</h2> <div inner_html="<i>one</i>"/>"#,
            r#"<h2>"Notes"</h2>"#,
            "rebuild (Code): `inner_html` of `<div>` removed",
        );
    }

    #[test]
    fn an_attribute_named_twice_is_a_located_rebuild() {
        check(
            r#"<input type="a" type="b"/>"#,
            r#"<input type="b" type="a"/>"#,
            "rebuild (Code): `type` named twice on `<input>` at src/app.rs:2:14",
        );
    }

    #[test]
    fn templates_tell_the_client_which_children_a_property_sets() {
        let old =
            crate::extract("src/app.rs", r#"fn a() { view! { <div id="n" inner_html="<i>one</i>"/> } }"#);
        let Change::Patch(patches) = classify(&old, r#"fn a() { view! { <div id="n" inner_html="two"/> } }"#)
        else {
            panic!("expected a patch");
        };
        assert_eq!(
            serde_json::to_string(&patches[0].old_template).unwrap(),
            r#"[{"t":"el","tag":"div","attrs":[["id","n"]],"children":[],"content_prop":"innerHTML"}]"#
        );
    }

    #[test]
    fn unchanged_code_is_no_change() {
        let old = "fn a() { view! { <p>{n}</p> } }";
        assert_eq!(
            classify(
                &crate::extract("src/app.rs", old),
                "fn a() {
    // hi
    view! { <p>{ n }</p> }
}"
            ),
            Change::None
        );
    }
}

//! What a save means: no change, hot patches, or a rebuild with a reason. Each case is a file
//! before and after an edit, classified the way devserve classifies a save.
//!
//! Patches are checked by what they do, not by which operations the diff chose: applying each
//! patch to the view's old tree must give its new tree, and every view that changed must have
//! a patch.

#![allow(clippy::unwrap_used)]

use devserve_view::{Change, FileViews, RebuildKind, ViewPatch, ViewTree, apply, classify_from, extract};

const PATH: &str = "src/app.rs";

/// `body` inside a component function, as a whole file (the view's `view!` is on line 5).
fn app(body: &str) -> String {
    format!("use leptos::prelude::*;\n\n#[component]\npub fn App() -> impl IntoView {{\n{body}\n}}\n")
}

fn change(old: &str, new: &str) -> Change {
    let base = extract(PATH, old);
    classify_from(&base, &base, &extract(PATH, new))
}

/// The change must be patches that turn every changed view's old tree into its new one.
fn patches(old: &str, new: &str) -> Vec<ViewPatch> {
    let (base, next) = (extract(PATH, old), extract(PATH, new));
    let patches = match classify_from(&base, &base, &next) {
        Change::Patch(patches) => patches,
        other => panic!("expected patches, got {other:?}"),
    };
    for view in &next.views {
        let (old_tree, new_tree) = (tree(&base, &view.id), tree(&next, &view.id));
        match patches.iter().find(|p| p.view_id == view.id) {
            Some(patch) => {
                assert!(!patch.ops.is_empty(), "empty patch for {}", view.id);
                assert_eq!(
                    &apply(&patch.ops, old_tree).unwrap(),
                    new_tree,
                    "patch of {} misapplies",
                    view.id
                );
            }
            None => assert_eq!(old_tree, new_tree, "{} changed but has no patch", view.id),
        }
    }
    patches
}

fn tree<'a>(file: &'a FileViews, id: &str) -> &'a ViewTree {
    let view = file.views.iter().find(|v| v.id == id).unwrap_or_else(|| panic!("no view {id}"));
    view.tree.as_ref().unwrap()
}

/// The change must be a rebuild of `kind` whose message is `message`.
fn rebuild(old: &str, new: &str, kind: RebuildKind, message: &str) {
    match change(old, new) {
        Change::Rebuild(reason) => {
            assert_eq!((reason.kind, reason.message.as_str()), (kind, message));
        }
        other => panic!("expected a rebuild ({message}), got {other:?}"),
    }
}

fn ids(patches: &[ViewPatch]) -> Vec<&str> {
    patches.iter().map(|p| p.view_id.as_str()).collect()
}

// Patchable edits: static markup only.

#[test]
fn text_edit() {
    let patches = patches(
        &app(r#"    view! { <p class="intro">"Hello " {name}</p> }"#),
        &app(r#"    view! { <p class="intro">"Hi there " {name}</p> }"#),
    );
    assert_eq!(ids(&patches), ["src/app.rs::App#0"]);
    assert_eq!(patches[0].marker_id.as_deref(), Some("src-app.rs-5"));
}

#[test]
fn attribute_added_changed_removed() {
    let old = app(r#"    view! { <a href="/a" class="link">"A"</a> }"#);
    patches(&old, &app(r#"    view! { <a href="/a" class="link" title="Go">"A"</a> }"#));
    patches(&old, &app(r#"    view! { <a href="/b" class="link">"A"</a> }"#));
    patches(&old, &app(r#"    view! { <a href="/a">"A"</a> }"#));
}

#[test]
fn valueless_attribute_added_and_removed() {
    let old = app(r#"    view! { <button on:click=go>"Go"</button> }"#);
    let new = app(r#"    view! { <button on:click=go disabled>"Go"</button> }"#);
    patches(&old, &new);
    patches(&new, &old);
}

#[test]
fn static_element_inserted_removed_moved() {
    let old = app(r#"    view! { <ul><li>"one"</li><li>"two"</li>{more}</ul> }"#);
    patches(&old, &app(r#"    view! { <ul><li>"one"</li><li>"new"</li><li>"two"</li>{more}</ul> }"#));
    patches(&old, &app(r#"    view! { <ul><li>"two"</li>{more}</ul> }"#));
    patches(&old, &app(r#"    view! { <ul><li>"two"</li><li>"one"</li>{more}</ul> }"#));
}

#[test]
fn tag_renamed() {
    patches(
        &app(r#"    view! { <div><h2>"Title"</h2>{body}</div> }"#),
        &app(r#"    view! { <div><h3>"Title"</h3>{body}</div> }"#),
    );
}

#[test]
fn element_to_fragment_root_and_back() {
    let element = app(r#"    view! { <div><p>"a"</p><p>"b"</p></div> }"#);
    let fragment = app(r#"    view! { <><p>"a"</p><p>"b"</p></> }"#);
    patches(&element, &fragment);
    patches(&fragment, &element);
}

#[test]
fn line_inserted_above_a_view_keeps_its_identity_and_marker() {
    let old = app(r#"    view! { <p>"Hello"</p> }"#);
    let new = app("    // A note above the view.\n\n    view! { <p>\"Hello!\"</p> }");
    let patches = patches(&old, &new);
    assert_eq!(ids(&patches), ["src/app.rs::App#0"]);
    // The running binary was built when the view started on line 5.
    assert_eq!(patches[0].marker_id.as_deref(), Some("src-app.rs-5"));
}

#[test]
fn two_views_on_one_line() {
    let old = app(r#"    (view! { <i>"a"</i> }, view! { <b>"b"</b> })"#);
    let patches = patches(&old, &app(r#"    (view! { <i>"a"</i> }, view! { <b>"B"</b> })"#));
    assert_eq!(ids(&patches), ["src/app.rs::App#1"]);
}

#[test]
fn nested_view_edited() {
    let old = app(
        r#"    view! { <ul>{items.iter().map(|i| view! { <li>"item " {i}</li> }).collect_view()}</ul> }"#,
    );
    let new = app(
        r#"    view! { <ul>{items.iter().map(|i| view! { <li>"entry " {i}</li> }).collect_view()}</ul> }"#,
    );
    assert_eq!(ids(&patches(&old, &new)), ["src/app.rs::App#1"]);
}

#[test]
fn nested_view_inside_a_component_prop_edited() {
    let old = app(r#"    view! { <Suspense fallback=|| view! { <p>"Loading"</p> }>{data}</Suspense> }"#);
    let new = app(r#"    view! { <Suspense fallback=|| view! { <p>"Loading…"</p> }>{data}</Suspense> }"#);
    assert_eq!(ids(&patches(&old, &new)), ["src/app.rs::App#1"]);
}

#[test]
fn component_children_are_patchable() {
    patches(
        &app(r#"    view! { <Card title="T"><span>"inside"</span></Card> }"#),
        &app(r#"    view! { <Card title="T"><span>"inside children"</span></Card> }"#),
    );
}

#[test]
fn empty_view() {
    let old = app("    view! {}");
    assert_eq!(change(&old, &app("    view! {\n        // nothing yet\n    }")), Change::None);
    let patches = patches(&old, &app(r#"    view! { <p>"now something"</p> }"#));
    assert_eq!(patches[0].marker_id, None, "Leptos marks no empty view");
}

// No change to the program.

#[test]
fn comment_and_whitespace_edits_are_no_change() {
    let old = app(r#"    let n = 1;
    view! { <p>"n = " {n}</p> }"#);
    let new = app(r#"    // The count.
    let n   =   1; /* one */

    view! {
        // inside the view too
        <p>"n = " { n }</p>
    }"#);
    assert_eq!(change(&old, &new), Change::None);
}

// Rebuilds, with the first difference in words.

#[test]
fn block_edited() {
    rebuild(
        &app(r#"    view! { <p>"Count: " {count}</p> }"#),
        &app(r#"    view! { <p>"Count: " {count * 2}</p> }"#),
        RebuildKind::Code,
        "`{count * 2}` block changed at src/app.rs:5:26",
    );
}

#[test]
fn prop_edited() {
    rebuild(
        &app(r#"    view! { <Counter initial=3/> }"#),
        &app(r#"    view! { <Counter initial=4/> }"#),
        RebuildKind::Code,
        "component `Counter` props changed at src/app.rs:5:14",
    );
}

#[test]
fn static_prop_edited() {
    rebuild(
        &app(r#"    view! { <Card title="Old"/> }"#),
        &app(r#"    view! { <Card title="New"/> }"#),
        RebuildKind::Code,
        "component `Card` props changed at src/app.rs:5:14",
    );
}

#[test]
fn dynamic_attribute_edited() {
    rebuild(
        &app(r#"    view! { <button on:click=move |_| set(1)>"+"</button> }"#),
        &app(r#"    view! { <button on:click=move |_| set(2)>"+"</button> }"#),
        RebuildKind::Code,
        "attribute `on:click` changed at src/app.rs:5:30",
    );
}

#[test]
fn new_view_added() {
    rebuild(
        &app(r#"    view! { <p>"one"</p> }"#),
        &app(r#"    let extra = view! { <p>"two"</p> };
    view! { <p>"one"</p> {extra} }"#),
        RebuildKind::ViewCount,
        "view count changed (1 -> 2) at src/app.rs:5:5",
    );
}

#[test]
fn code_outside_views_edited() {
    rebuild(
        &app("    let (count, set_count) = signal(0);\n    view! { <p>{count}</p> }"),
        &app("    let (count, set_count) = signal(10);\n    view! { <p>{count}</p> }"),
        RebuildKind::Code,
        "code outside views changed at src/app.rs:5:37",
    );
}

#[test]
fn static_element_moved_past_one_holding_code() {
    patches(
        &app(r#"    view! { <div><p>{a}</p><p>"static"</p></div> }"#),
        &app(r#"    view! { <div><p>"static"</p><p>{a}</p></div> }"#),
    );
}

#[test]
fn code_moved_to_another_element() {
    let old = app(r#"    view! { <div><p>{a}</p><span></span></div> }"#);
    let new = app(r#"    view! { <div><p></p><span>{a}</span></div> }"#);
    match change(&old, &new) {
        Change::Rebuild(reason) => {
            assert_eq!(reason.kind, RebuildKind::Code);
            assert!(reason.message.ends_with(" at src/app.rs:5:31"), "{}", reason.message);
        }
        other => panic!("expected a rebuild, got {other:?}"),
    }
}

#[test]
fn view_in_a_file_created_after_start_up() {
    let new = extract("src/new.rs", &app(r#"    view! { <p>"new"</p> }"#));
    match classify_from(&FileViews::empty("src/new.rs"), &FileViews::empty("src/new.rs"), &new) {
        Change::Rebuild(reason) => {
            assert_eq!(reason.kind, RebuildKind::ViewCount);
            assert_eq!(reason.message, "view count changed (0 -> 1) at src/new.rs:1:1");
        }
        other => panic!("expected a rebuild, got {other:?}"),
    }
}

#[test]
fn code_changed_since_the_shown_state_rebuilds() {
    // Built from `a`; `b` changed code (a build is pending); `c` reverts the code and edits text.
    let a = extract(
        PATH,
        &app(r#"    let n = 1;
    view! { <p>"x" {n}</p> }"#),
    );
    let b = extract(
        PATH,
        &app(r#"    let n = 2;
    view! { <p>"x" {n}</p> }"#),
    );
    let c = extract(
        PATH,
        &app(r#"    let n = 1;
    view! { <p>"y" {n}</p> }"#),
    );
    assert!(matches!(classify_from(&a, &b, &c), Change::Rebuild(reason) if reason.kind == RebuildKind::Code));
}

// Broken sources: an error with its place, never a panic; the last good state stays the base.

#[test]
fn malformed_file_is_a_parse_error_and_the_good_state_stays() {
    let good = app(r#"    view! { <p>"Hello"</p> }"#);
    rebuild(
        &good,
        &app(r#"    view! { <p>"Hello"</p> "#),
        RebuildKind::ParseError,
        "parse error at src/app.rs:4:31: cannot split the file into tokens: an unclosed delimiter or literal, or a stray character",
    );
    rebuild(
        &good,
        &app("    let x = ;\n    view! { <p>\"Hello\"</p> }"),
        RebuildKind::ParseError,
        "parse error at src/app.rs:5:13: expected an expression",
    );
    // The orchestrator keeps `good` as the base: the next good save is a patch against it.
    patches(&good, &app(r#"    view! { <p>"Hello again"</p> }"#));
}

#[test]
fn malformed_view_is_a_parse_error() {
    rebuild(
        &app(r#"    view! { <p>"Hello"</p> }"#),
        &app(r#"    view! { <p>"Hello"</b> }"#),
        RebuildKind::ParseError,
        "parse error at src/app.rs:5:25: closing tag `</b>` does not match the open tag `<p>`",
    );
}

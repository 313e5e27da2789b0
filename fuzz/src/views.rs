//! The oracle for `devserve-view`: what must hold for any two versions of a file, beyond "no
//! panic". Every check is a property the crate documents:
//!
//! - `extract` is deterministic, and `extract_from(previous, new)` equals `extract(path, new)`;
//! - an unchanged file is `Change::None`, or a parse error when a view or the file is broken;
//! - `classify` is `classify_from(built, built, extract_from(built, new))`;
//! - a parse error is reported exactly when the new file or one of its views is broken (or the
//!   code changed and no longer parses), and a broken file is never patched;
//! - a patch or `Change::None` means the code skeletons are equal, and for every view the diff
//!   between its shown and new trees applies (`devserve_view::apply`) to the shown tree and gives
//!   the new one: the same template, the same tree up to comments and attribute order;
//! - each patch is that diff, with the shown view's template and the built view's marker id.
//!
//! The same checks run again with the edit undone while pages show the new version (built = old,
//! shown = new, new = old), the state `Baseline` is in after a patch was sent.

use devserve_view::{
    Attr, Change, FileViews, Node, RebuildKind, View, ViewTree, apply, classify, classify_from, diff,
    extract, extract_from, render_html, syntax_error, template,
};

/// The path every fuzzed file has.
pub const PATH: &str = "src/app.rs";

/// What an edit is expected to mean, when the fuzz target knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Nothing is known.
    Anything,
    /// Only static text inside views changed: a patch or no change, if the old file is sound.
    Static,
    /// Only whitespace between tokens changed: no change, if the old file is sound.
    Nothing,
}

/// Run every check on `old` edited into `new`; panics (a libFuzzer crash) when one fails.
pub fn check_edit(old: &str, new: &str, expect: Expect) {
    let built = extract(PATH, old);
    assert_eq!(built, extract(PATH, old), "extract is not deterministic");
    check_unchanged(&built);
    render_all(&built);

    let next = extract_from(&built, new);
    assert_eq!(next, extract(PATH, new), "extract_from differs from extract");
    let change = classify_from(&built, &built, &next);
    assert_eq!(classify(&built, new), change, "classify differs from classify_from");
    check_change(&built, &built, &next, new, &change);

    if expect != Expect::Anything && sound(&built, old) {
        match (&change, expect) {
            (Change::None, _) | (Change::Patch(_), Expect::Static) => {}
            _ => panic!("expected {expect:?}, got {change:?}"),
        }
    }

    if let Change::Patch(_) = change {
        // Pages show `new`; the file goes back to `old` before the next build.
        let back = extract_from(&next, old);
        assert_eq!(back, built, "extract_from back to the old source differs from extract");
        let undo = classify_from(&built, &next, &back);
        check_change(&built, &next, &back, old, &undo);
        assert!(matches!(undo, Change::Patch(_)), "undoing a patched edit is not a patch: {undo:?}");
    }
}

/// The file and its views parse (the precondition of [`Expect`]).
fn sound(views: &FileViews, source: &str) -> bool {
    !broken(views) && syntax_error(source).is_none()
}

/// The file cannot be tokenised, or a view does not parse.
fn broken(views: &FileViews) -> bool {
    views.file_error.is_some() || views.views.iter().any(|view| view.tree.is_err())
}

fn check_unchanged(views: &FileViews) {
    match classify_from(views, views, views) {
        Change::None => assert!(!broken(views), "a broken file classified as unchanged"),
        Change::Rebuild(reason) => {
            assert!(broken(views), "an unchanged sound file needs a rebuild: {reason:?}");
            assert_eq!(reason.kind, RebuildKind::ParseError, "{reason:?}");
        }
        Change::Patch(patches) => panic!("an unchanged file was patched: {patches:?}"),
    }
}

/// Check `change`, the classification of `new` (extracted from `new_source`) against `built` and
/// `shown`.
fn check_change(built: &FileViews, shown: &FileViews, new: &FileViews, new_source: &str, change: &Change) {
    if broken(new) {
        assert!(
            matches!(change, Change::Rebuild(reason) if reason.kind == RebuildKind::ParseError),
            "a broken file was classified as {change:?}"
        );
        return;
    }
    let code_changed = built.skeleton != new.skeleton || shown.skeleton != new.skeleton;
    let patches = match change {
        Change::Rebuild(reason) => {
            assert!(!reason.message.is_empty(), "a rebuild without a reason");
            match reason.kind {
                RebuildKind::ParseError => {
                    assert!(code_changed, "parse error in unchanged code: {reason:?}");
                    assert!(
                        syntax_error(new_source).is_some(),
                        "parse error in a file that parses: {reason:?}"
                    );
                }
                RebuildKind::ViewCount => assert!(
                    code_changed
                        && (built.views.len() != new.views.len() || shown.views.len() != new.views.len()),
                    "view count changed, but the counts are equal: {reason:?}"
                ),
                RebuildKind::Code => {}
            }
            if code_changed {
                assert_eq!(
                    syntax_error(new_source).is_some(),
                    reason.kind == RebuildKind::ParseError,
                    "changed code that does not parse must be a parse error: {reason:?}"
                );
            }
            return;
        }
        Change::None => &[][..],
        Change::Patch(patches) => {
            assert!(!patches.is_empty(), "a patch with no view");
            patches.as_slice()
        }
    };
    assert!(!code_changed, "the code changed but the change is {change:?}");
    render_all(new);

    // Every view's diff applies and gives its new tree; those with operations are the patches,
    // in order.
    let mut patches = patches.iter();
    for (index, view) in new.views.iter().enumerate() {
        let Ok(new_tree) = &view.tree else { unreachable!("a broken view was checked above") };
        let shown_view = same_view(shown, view, index).expect("a view with no shown state was patched");
        let shown_tree = shown_view.tree.as_ref().expect("a shown view does not parse");
        let ops = match diff(shown_tree, new_tree) {
            Ok(ops) => ops,
            Err(refused) => panic!("{} was classified as {change:?} but its diff fails: {refused}", view.id),
        };
        let applied = apply(&ops, shown_tree)
            .unwrap_or_else(|error| panic!("{}: the diff does not apply: {error}\nops: {ops:?}", view.id));
        // This holds for an element that names one attribute twice (`type="a" type="b"`) too:
        // `diff` refuses to edit the attributes of such an element.
        assert_eq!(
            template(&applied),
            template(new_tree),
            "{}: applied template differs\nops: {ops:?}",
            view.id
        );
        assert_eq!(normalized(applied), normalized(new_tree.clone()), "{}: applied tree differs", view.id);
        if ops.is_empty() {
            continue;
        }
        let patch = patches.next().unwrap_or_else(|| panic!("{} changed but is not patched", view.id));
        assert_eq!(patch.view_id, view.id);
        assert_eq!(patch.ops, ops, "{}: the patch is not the diff", view.id);
        assert_eq!(patch.old_template, template(shown_tree), "{}: the patch's old template", view.id);
        let marker = same_view(built, view, index).and_then(|built| built.marker_id.clone());
        assert_eq!(patch.marker_id, marker, "{}: marker id", view.id);
    }
    assert!(patches.next().is_none(), "a patch for no changed view");
}

/// The view of `views` with `view`'s identity or, failing that, at the same index (as
/// `classify_from` pairs them).
fn same_view<'a>(views: &'a FileViews, view: &View, index: usize) -> Option<&'a View> {
    views.views.iter().find(|v| v.id == view.id).or_else(|| views.views.get(index))
}

/// Render every node of every view (a static subtree is rendered for each insert).
fn render_all(views: &FileViews) {
    for tree in views.views.iter().filter_map(|view| view.tree.as_ref().ok()) {
        for node in &tree.nodes {
            let _ = render_html(node);
        }
    }
}

/// Comments dropped (Leptos does not render them), static attributes sorted by name after the
/// others (the DOM has no attribute order): what `apply` must reproduce.
fn normalized(mut tree: ViewTree) -> ViewTree {
    fn walk(nodes: &mut Vec<Node>) {
        nodes.retain(|node| !matches!(node, Node::Comment { .. }));
        for node in nodes {
            match node {
                Node::Element(el) => {
                    el.attrs.sort_by_key(|attr| match attr {
                        Attr::Dynamic { .. } | Attr::Spread { .. } => (0, String::new()),
                        Attr::Static { name, .. } | Attr::Valueless { name } => (1, name.clone()),
                        Attr::InnerHtml { .. } => (2, String::new()),
                    });
                    walk(&mut el.children);
                }
                Node::Component(component) => walk(&mut component.children),
                _ => {}
            }
        }
    }
    walk(&mut tree.nodes);
    tree
}

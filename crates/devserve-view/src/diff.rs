//! Diff two view trees into template operations.
//!
//! Nodes that hold code (a hole somewhere inside, see `shape::code_key`) are anchors: both trees
//! must have the same ones, in the same order, with the same code, or the change needs a rebuild.
//! So are elements whose children a DOM property sets (`inner_html`): a static `innerHTML` is
//! patched in place (`set-inner-html`), and the view's children of such an element are not in
//! the DOM, so a change to them needs a rebuild.
//! Between two anchors, static siblings are compared with `similar` (Myers) over keys that
//! identify a node without its content (`text`, or the element's tag), so edited text and
//! attributes become in-place updates. A removed static node that reappears unchanged elsewhere
//! among its siblings becomes a move; the rest become inserts and removes.

mod explain;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::content::{content_prop, inner_html};
use crate::render::{Parent, render_in};
use crate::shape::{
    ViewCtx, code_key, dom_name, is_code_attr, rendered, same_static, static_attrs, static_hash,
};
use crate::template::node_template;
use crate::{Attr, Element, Node, PatchOp, TemplatePath, ViewTree};

/// The change touches code (holes moved, added, removed or changed), so it needs a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotPatchable {
    /// What differs, in words, with its location where known.
    pub message: String,
    /// Where the difference is, in the new source.
    pub pos: Option<crate::Pos>,
}

/// The operations that turn `old` into `new`, or why there are none that keep every hole in place.
///
/// Operations are applied in order and each path refers to the template as the operations before
/// it left it (see [`crate::apply`]). Comments, which Leptos does not render, are ignored.
pub fn diff(old: &ViewTree, new: &ViewTree) -> Result<Vec<PatchOp>, NotPatchable> {
    if old.cx != new.cx {
        return Err(explain::scope("view scope", old.cx.as_ref(), new.cx.as_ref()));
    }
    if old.class_prefix != new.class_prefix {
        return Err(explain::scope(
            "view class prefix",
            old.class_prefix.as_ref(),
            new.class_prefix.as_ref(),
        ));
    }
    if old.nodes == new.nodes {
        return Ok(Vec::new());
    }
    let mut differ = Differ { ctx: ViewCtx::of(new), ops: Vec::new() };
    differ.children(&mut Vec::new(), &old.nodes, &new.nodes, Parent::Root)?;
    Ok(differ.ops)
}

/// Where a node of the new children list comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The old node at this index, kept in order (possibly with edits inside).
    Matched(usize),
    /// The old node at this index, unchanged but moved among its siblings.
    Moved(usize),
    /// A new static node.
    Inserted,
}

struct Differ {
    ctx: ViewCtx,
    ops: Vec<PatchOp>,
}

impl Differ {
    /// Diff the children of the node at `path` (the view's roots when empty).
    fn children(
        &mut self,
        path: &mut TemplatePath,
        old: &[Node],
        new: &[Node],
        parent: Parent,
    ) -> Result<(), NotPatchable> {
        let old: Vec<&Node> = rendered(old).collect();
        let new: Vec<&Node> = rendered(new).collect();
        let sources = self.match_children(&old, &new)?;
        self.reorder(path, &old, &new, &sources, parent);
        for (index, source) in sources.iter().enumerate() {
            if let Source::Matched(from) = *source {
                path.push(index);
                self.node(path, old[from], new[index], parent)?;
                path.pop();
            }
        }
        Ok(())
    }

    /// Pair the new children with old ones: code nodes one to one, static ones by `similar`,
    /// then unchanged static nodes that changed place.
    fn match_children(&self, old: &[&Node], new: &[&Node]) -> Result<Vec<Source>, NotPatchable> {
        let anchors = |nodes: &[&Node]| -> Vec<(usize, u64)> {
            nodes
                .iter()
                .enumerate()
                .filter_map(|(index, node)| Some((index, code_key(node, self.ctx)?)))
                .collect()
        };
        let (old_anchors, new_anchors) = (anchors(old), anchors(new));
        if old_anchors.len() != new_anchors.len()
            || old_anchors.iter().zip(&new_anchors).any(|(a, b)| a.1 != b.1)
        {
            let old_code: Vec<&Node> = old_anchors.iter().map(|&(index, _)| old[index]).collect();
            let new_code: Vec<&Node> = new_anchors.iter().map(|&(index, _)| new[index]).collect();
            return Err(explain::lists(&old_code, &new_code, self.ctx));
        }

        let mut sources = vec![Source::Inserted; new.len()];
        let mut kept = vec![false; old.len()];
        let mut old_start = 0;
        let mut new_start = 0;
        let ends = old_anchors
            .iter()
            .zip(&new_anchors)
            .map(|(a, b)| (a.0, b.0))
            .chain(std::iter::once((old.len(), new.len())));
        for (old_end, new_end) in ends {
            let keys = |nodes: &[&Node]| nodes.iter().map(|node| static_key(node)).collect::<Vec<_>>();
            let (old_keys, new_keys) = (keys(&old[old_start..old_end]), keys(&new[new_start..new_end]));
            for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
                if let DiffOp::Equal { old_index, new_index, len } = op {
                    for i in 0..len {
                        sources[new_start + new_index + i] = Source::Matched(old_start + old_index + i);
                        kept[old_start + old_index + i] = true;
                    }
                }
            }
            if new_end < new.len() {
                sources[new_end] = Source::Matched(old_end);
                kept[old_end] = true;
            }
            (old_start, new_start) = (old_end + 1, new_end + 1);
        }

        let mut gone: HashMap<u64, Vec<usize>> = HashMap::new();
        for index in (0..old.len()).filter(|&index| !kept[index]) {
            gone.entry(static_hash(old[index])).or_default().push(index);
        }
        for (index, source) in sources.iter_mut().enumerate() {
            if *source != Source::Inserted {
                continue;
            }
            let Some(candidates) = gone.get_mut(&static_hash(new[index])) else { continue };
            if let Some(at) = candidates.iter().position(|&from| same_static(old[from], new[index])) {
                let from = candidates.remove(at);
                *source = Source::Moved(from);
                kept[from] = true;
            }
        }
        Ok(sources)
    }

    /// Emit the removes, moves and inserts that give the children at `path` the new order.
    fn reorder(
        &mut self,
        path: &TemplatePath,
        old: &[&Node],
        new: &[&Node],
        sources: &[Source],
        parent: Parent,
    ) {
        let mut kept = vec![false; old.len()];
        for source in sources {
            if let Source::Matched(from) | Source::Moved(from) = *source {
                kept[from] = true;
            }
        }
        for index in (0..old.len()).rev().filter(|&index| !kept[index]) {
            self.ops.push(PatchOp::Remove { path: child(path, index) });
        }

        // The old indices of the current children, in their current order; `None` for inserts.
        let mut current: Vec<Option<usize>> = (0..old.len()).filter(|&index| kept[index]).map(Some).collect();
        for (index, source) in sources.iter().enumerate() {
            match *source {
                Source::Inserted => {
                    current.insert(index, None);
                    self.ops.push(PatchOp::Insert {
                        path: child(path, index),
                        node: node_template(new[index], self.ctx),
                        html: render_in(new[index], parent),
                    });
                }
                Source::Matched(from) => {
                    // Nodes kept in order stay; a moved node in the way goes to the end for now.
                    while current[index] != Some(from) {
                        let in_the_way = current.remove(index);
                        current.push(in_the_way);
                        self.ops.push(PatchOp::Move {
                            parent: path.clone(),
                            from: index,
                            to: current.len() - 1,
                        });
                    }
                }
                Source::Moved(from) => {
                    let at = current.iter().position(|&node| node == Some(from)).unwrap_or(index);
                    if at != index {
                        current.remove(at);
                        current.insert(index, Some(from));
                        self.ops.push(PatchOp::Move { parent: path.clone(), from: at, to: index });
                    }
                }
            }
        }
    }

    /// Diff two matched nodes at `path`, children of `parent`.
    fn node(
        &mut self,
        path: &mut TemplatePath,
        old: &Node,
        new: &Node,
        parent: Parent,
    ) -> Result<(), NotPatchable> {
        if old == new {
            return Ok(());
        }
        match (old, new) {
            (Node::Text { text: a }, Node::Text { text: b }) => {
                if a != b {
                    self.ops.push(PatchOp::SetText { path: path.clone(), text: b.clone() });
                }
                Ok(())
            }
            (Node::Element(a), Node::Element(b)) if a.tag == b.tag => {
                if code_attrs(a, self.ctx) != code_attrs(b, self.ctx) {
                    return Err(explain::attrs(a, b, self.ctx));
                }
                if a.attrs != b.attrs
                    && let Some(name) = named_twice(a, self.ctx).or_else(|| named_twice(b, self.ctx))
                {
                    return Err(explain::named_twice(b, name));
                }
                self.attrs(path, a, b);
                match content_prop(b) {
                    Some(prop) => self.content(path, a, b, prop),
                    None => self.children(path, &a.children, &b.children, parent.of_children(b)),
                }
            }
            (Node::Component(a), Node::Component(b)) if a.hole == b.hole => {
                self.children(path, &a.children, &b.children, Parent::Root)
            }
            (Node::Block { hole: a }, Node::Block { hole: b }) if a == b => Ok(()),
            (Node::Doctype { value: a }, Node::Doctype { value: b }) if a == b => Ok(()),
            _ => Err(explain::lists(&[old], &[new], self.ctx)),
        }
    }

    /// Static attribute edits. A new attribute is appended (as `setAttribute` does), so when the
    /// new order differs, the attributes after the first one out of place are removed and set
    /// again in the new order.
    fn attrs(&mut self, path: &TemplatePath, old: &Element, new: &Element) {
        let old = static_attrs(old, self.ctx);
        let new = static_attrs(new, self.ctx);
        if old == new {
            return;
        }
        let position = |name: &str| old.iter().position(|(old_name, _)| *old_name == name);
        let mut last = None;
        let in_place = new
            .iter()
            .take_while(|(name, _)| match position(name) {
                Some(at) if last.is_none_or(|last| at > last) => {
                    last = Some(at);
                    true
                }
                _ => false,
            })
            .count();
        let (kept, appended) = new.split_at(in_place);
        for (name, _) in &old {
            if !kept.iter().any(|(kept_name, _)| kept_name == name) {
                self.ops.push(PatchOp::RemoveAttr { path: path.clone(), name: (*name).to_owned() });
            }
        }
        for &(name, value) in kept {
            if old.iter().any(|&(old_name, old_value)| old_name == name && old_value != value) {
                self.set_attr(path, name, value);
            }
        }
        for &(name, value) in appended {
            self.set_attr(path, name, value);
        }
    }

    /// An element whose children the DOM property `prop` sets: its static `innerHTML` may change,
    /// the view's children (not in the DOM) may not.
    fn content(
        &mut self,
        path: &TemplatePath,
        old: &Element,
        new: &Element,
        prop: &str,
    ) -> Result<(), NotPatchable> {
        if !rendered(&old.children).eq(rendered(&new.children)) {
            return Err(explain::content(new, prop));
        }
        match (inner_html(old), inner_html(new)) {
            (Some(a), Some(b)) if a != b => {
                self.ops.push(PatchOp::SetInnerHtml { path: path.clone(), html: b.to_owned() });
                Ok(())
            }
            (Some(_), Some(_)) | (None, None) => Ok(()),
            _ => Err(explain::attrs(old, new, self.ctx)),
        }
    }

    fn set_attr(&mut self, path: &TemplatePath, name: &str, value: Option<&str>) {
        self.ops.push(PatchOp::SetAttr {
            path: path.clone(),
            name: name.to_owned(),
            value: value.map(str::to_owned),
        });
    }
}

/// What identifies a static node among its siblings, its content aside: `similar` pairs nodes
/// with equal keys, and paired nodes are updated in place.
fn static_key(node: &Node) -> u64 {
    let mut h = DefaultHasher::new();
    match node {
        Node::Element(el) => (0u8, &el.tag).hash(&mut h),
        _ => 1u8.hash(&mut h),
    }
    h.finish()
}

/// A name that `el` gives two of its attributes where one of them is patchable (static, valueless
/// or a static `inner_html`): operations address attributes by name, and the DOM keeps one of
/// the two, so edits of such an element cannot be ordered. Code attributes with one name
/// (`on:click` twice) are left to the code comparison.
fn named_twice(el: &Element, ctx: ViewCtx) -> Option<&str> {
    fn name(attr: &Attr) -> Option<&str> {
        match attr {
            Attr::Static { name, .. } | Attr::Valueless { name } | Attr::Dynamic { name, .. } => {
                Some(dom_name(name))
            }
            Attr::InnerHtml { .. } => Some("inner_html"),
            Attr::Spread { .. } => None,
        }
    }
    let patchable = |attr: &Attr| !is_code_attr(attr, el, ctx);
    el.attrs.iter().enumerate().filter(|(_, attr)| patchable(attr)).find_map(|(index, attr)| {
        let named = name(attr)?;
        el.attrs
            .iter()
            .enumerate()
            .any(|(other, attr)| other != index && name(attr) == Some(named))
            .then_some(named)
    })
}

fn code_attrs(el: &Element, ctx: ViewCtx) -> Vec<&Attr> {
    el.attrs.iter().filter(|attr| is_code_attr(attr, el, ctx)).collect()
}

fn child(path: &TemplatePath, index: usize) -> TemplatePath {
    let mut path = path.clone();
    path.push(index);
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TemplateNode;
    use crate::test_trees::*;

    /// Diff two views and compare the result, one operation per line, with `expected`; also check
    /// that applying the operations gives the new tree.
    #[track_caller]
    fn check(old: ViewTree, new: ViewTree, expected: &str) {
        let actual = match diff(&old, &new) {
            Ok(ops) => {
                let applied = crate::apply(&ops, &old).expect("the ops apply");
                assert_eq!(sorted_attrs(applied), sorted_attrs(strip(new)), "apply(diff(old, new), old)");
                ops.iter().map(show).collect::<Vec<_>>().join("\n")
            }
            Err(err) => format!("error: {} @ {:?}", err.message, err.pos.map(|pos| (pos.line, pos.column))),
        };
        assert_eq!(actual, expected.trim());
    }

    fn show(op: &PatchOp) -> String {
        let path = |path: &TemplatePath| path.iter().map(usize::to_string).collect::<Vec<_>>().join(".");
        match op {
            PatchOp::SetText { path: p, text } => format!("set-text {} {text:?}", path(p)),
            PatchOp::SetAttr { path: p, name, value: Some(value) } => {
                format!("set-attr {} {name}={value:?}", path(p))
            }
            PatchOp::SetAttr { path: p, name, value: None } => format!("set-attr {} {name}", path(p)),
            PatchOp::RemoveAttr { path: p, name } => format!("remove-attr {} {name}", path(p)),
            PatchOp::SetInnerHtml { path: p, html } => format!("set-inner-html {} {html:?}", path(p)),
            PatchOp::Insert { path: p, node, html } => {
                let short = match node {
                    TemplateNode::El { tag, .. } => format!("<{tag}>"),
                    TemplateNode::Text { v } => format!("{v:?}"),
                    TemplateNode::Hole | TemplateNode::Component { .. } => "hole".into(),
                };
                format!("insert {} {short} {html}", path(p))
            }
            PatchOp::Remove { path: p } => format!("remove {}", path(p)),
            PatchOp::Move { parent, from, to } => format!("move {}[{from}->{to}]", path(parent)),
        }
    }

    fn strip(mut tree: ViewTree) -> ViewTree {
        crate::apply::strip_comments(&mut tree.nodes);
        tree
    }

    /// The DOM has no attribute order between static and dynamic attributes.
    fn sorted_attrs(mut tree: ViewTree) -> ViewTree {
        fn sort(nodes: &mut [Node]) {
            for node in nodes {
                match node {
                    Node::Element(el) => {
                        el.attrs
                            .sort_by_key(|attr| matches!(attr, Attr::Static { .. } | Attr::Valueless { .. }));
                        sort(&mut el.children);
                    }
                    Node::Component(c) => sort(&mut c.children),
                    _ => {}
                }
            }
        }
        sort(&mut tree.nodes);
        tree
    }

    /// [`check`] on the only view of `fn app() -> impl IntoView { view! { .. } }`, parsed.
    #[track_caller]
    fn check_src(old: &str, new: &str, expected: &str) {
        let tree = |body: &str| {
            let source = format!("fn app() -> impl IntoView {{\n    view! {{ {body} }}\n}}\n");
            let file = crate::extract("src/app.rs", &source);
            assert_eq!(file.views.len(), 1, "{source}");
            file.views[0].tree.clone().expect("the view parses")
        };
        check(tree(old), tree(new), expected);
    }

    fn p(children: Vec<Node>) -> Node {
        el("p", vec![], children)
    }

    fn li(label: &str) -> Node {
        el("li", vec![], vec![text(label)])
    }

    #[test]
    fn equal_trees_need_nothing() {
        let tree = view(vec![p(vec![text("a"), block("{n}")])]);
        check(tree.clone(), tree, "");
    }

    #[test]
    fn text_edit() {
        check(
            view(vec![p(vec![text("Hello "), el("b", vec![], vec![text("world")]), block("{n}")])]),
            view(vec![p(vec![text("Hi "), el("b", vec![], vec![text("there")]), block("{n}")])]),
            r#"
set-text 0.0 "Hi "
set-text 0.1.0 "there""#,
        );
    }

    #[test]
    fn attribute_added_changed_removed() {
        check(
            view(vec![el("a", vec![stat("href", "/"), stat("title", "x"), bare("hidden")], vec![])]),
            view(vec![el("a", vec![stat("href", "/home"), bare("hidden"), stat("rel", "next")], vec![])]),
            r#"
remove-attr 0 title
set-attr 0 href="/home"
set-attr 0 rel="next""#,
        );
        check(
            view(vec![el("input", vec![stat("disabled", "yes")], vec![])]),
            view(vec![el("input", vec![bare("disabled")], vec![])]),
            "set-attr 0 disabled",
        );
    }

    #[test]
    fn attribute_inserted_before_others_keeps_the_new_order() {
        check(
            view(vec![el("a", vec![stat("href", "/"), stat("id", "x")], vec![])]),
            view(vec![el("a", vec![stat("class", "c"), stat("href", "/"), stat("id", "x")], vec![])]),
            r#"
remove-attr 0 href
remove-attr 0 id
set-attr 0 class="c"
set-attr 0 href="/"
set-attr 0 id="x""#,
        );
    }

    #[test]
    fn static_attributes_beside_code_are_patchable() {
        check(
            view(vec![el("button", vec![stat("class", "btn"), dynamic("on:click", "inc")], vec![text("+")])]),
            view(vec![el(
                "button",
                vec![stat("class", "btn big"), dynamic("on:click", "inc")],
                vec![text("+")],
            )]),
            r#"set-attr 0 class="btn big""#,
        );
    }

    #[test]
    fn static_element_inserted_and_removed() {
        check(
            view(vec![el("ul", vec![], vec![li("a"), block("{rest}")])]),
            view(vec![el("ul", vec![], vec![li("a"), li("b & c"), block("{rest}")])]),
            "insert 0.1 <li> <li>b &amp; c</li>",
        );
        check(
            view(vec![el("ul", vec![], vec![li("a"), li("b"), block("{rest}")])]),
            view(vec![el("ul", vec![], vec![block("{rest}")])]),
            "remove 0.1\nremove 0.0",
        );
    }

    #[test]
    fn inserted_roots_render_as_view_roots() {
        check(
            view(vec![block("{header}")]),
            view(vec![
                block("{header}"),
                el("p", vec![stat("class", " a "), stat("id", "x")], vec![text("")]),
            ]),
            r#"insert 1 <p> <p id="x" class="a"> </p>"#,
        );
    }

    #[test]
    fn static_element_moved_across_code() {
        check(
            view(vec![p(vec![el("b", vec![], vec![text("bold")]), block("{n}"), text("tail")])]),
            view(vec![p(vec![block("{n}"), text("tail"), el("b", vec![], vec![text("bold")])])]),
            "move 0[0->2]",
        );
        check(
            view(vec![el("ul", vec![], vec![li("a"), li("b"), li("c")])]),
            view(vec![el("ul", vec![], vec![li("c"), li("a"), li("b")])]),
            r#"
set-text 0.0.0 "c"
set-text 0.1.0 "a"
set-text 0.2.0 "b""#,
        );
        check(
            view(vec![el("ul", vec![], vec![li("a"), el("hr", vec![], vec![]), li("b")])]),
            view(vec![el("ul", vec![], vec![li("a"), li("b"), el("hr", vec![], vec![])])]),
            "move 0[2->1]",
        );
    }

    #[test]
    fn moved_node_in_the_way_of_kept_ones() {
        check(
            view(vec![el("hr", vec![], vec![]), el("p", vec![], vec![]), el("div", vec![], vec![])]),
            view(vec![el("p", vec![], vec![]), el("div", vec![], vec![]), el("hr", vec![], vec![])]),
            "move [0->2]",
        );
    }

    #[test]
    fn tag_rename_of_a_static_element_is_remove_and_insert() {
        check(
            view(vec![p(vec![el("b", vec![], vec![text("x")]), block("{n}")])]),
            view(vec![p(vec![el("strong", vec![], vec![text("x")]), block("{n}")])]),
            "remove 0.0\ninsert 0.0 <strong> <strong>x</strong>",
        );
    }

    #[test]
    fn component_children_are_patched_through_the_component() {
        check(
            view(vec![p(vec![component(
                "Card",
                vec![el("span", vec![], vec![text("inside")]), block("{x}")],
            )])]),
            view(vec![p(vec![component(
                "Card",
                vec![el("span", vec![], vec![text("inside!")]), block("{x}"), text("after")],
            )])]),
            r#"
insert 0.0.2 "after" after
set-text 0.0.0.0 "inside!""#,
        );
    }

    #[test]
    fn comments_are_not_counted() {
        check(
            view(vec![comment("a"), p(vec![comment("b"), text("x")])]),
            view(vec![p(vec![text("y"), comment("c")])]),
            r#"set-text 0.0 "y""#,
        );
    }

    #[test]
    fn code_changes_are_not_patchable() {
        check(
            view(vec![p(vec![text("Count: "), block("{count}")])]),
            view(vec![p(vec![text("Count: "), Node::Block { hole: hole_at("{count + 1}", 3, 8) }])]),
            "error: `{count + 1}` block changed @ Some((3, 8))",
        );
        check(
            view(vec![el("button", vec![dynamic("on:click", "inc")], vec![])]),
            view(vec![el("button", vec![dynamic("on:click", "dec")], vec![])]),
            "error: attribute `on:click` changed @ Some((1, 0))",
        );
        check(
            view(vec![p(vec![block("{a}")])]),
            view(vec![p(vec![block("{a}"), block("{b}")])]),
            "error: `{b}` block added @ Some((1, 0))",
        );
        check(
            view(vec![p(vec![block("{a}"), block("{b}")])]),
            view(vec![p(vec![block("{b}")])]),
            "error: `{a}` block removed @ None",
        );
        check(
            view(vec![component("Card", vec![])]),
            view(vec![component("Panel", vec![])]),
            "error: component `<Panel>` changed @ Some((1, 0))",
        );
        check(
            view(vec![el("input", vec![spread("{..attrs}")], vec![])]),
            view(vec![el("input", vec![], vec![])]),
            "error: attribute spread `{..attrs}` removed @ None",
        );
    }

    #[test]
    fn code_moved_or_rewrapped_is_not_patchable() {
        check(
            view(vec![el("div", vec![], vec![block("{a}")]), el("span", vec![], vec![block("{b}")])]),
            view(vec![el("span", vec![], vec![block("{b}")]), el("div", vec![], vec![block("{a}")])]),
            "error: element `<span>` holding code moved @ Some((1, 0))",
        );
        check(
            view(vec![p(vec![block("{a}")])]),
            view(vec![p(vec![el("em", vec![], vec![block("{a}")])])]),
            "error: element `<em>` holding code added @ Some((1, 0))",
        );
        check(
            view(vec![el("div", vec![], vec![block("{a}")])]),
            view(vec![el("section", vec![], vec![block("{a}")])]),
            "error: element `<div>` holding code renamed to `<section>` @ Some((1, 0))",
        );
        check(
            view(vec![block("{a}"), block("{b}")]),
            view(vec![block("{b}"), block("{a}")]),
            "error: `{b}` block moved @ Some((1, 0))",
        );
    }

    #[test]
    fn class_shared_with_code_is_not_patchable() {
        check(
            view(vec![el("li", vec![stat("class", "item"), dynamic("class:done", "done")], vec![])]),
            view(vec![el("li", vec![stat("class", "entry"), dynamic("class:done", "done")], vec![])]),
            "error: attribute `class` changed @ None",
        );
    }

    #[test]
    fn scope_doctype_and_class_prefix() {
        let mut old = view(vec![p(vec![text("a")])]);
        old.cx = Some(hole("cx"));
        let mut new = old.clone();
        new.cx = Some(hole_at("scope", 2, 10));
        check(old, new, "error: view scope `scope` changed @ Some((2, 10))");

        check(
            view(vec![doctype("html"), el("html", vec![], vec![])]),
            view(vec![doctype("html5"), el("html", vec![], vec![])]),
            "error: `<!DOCTYPE html5>` changed @ None",
        );

        let mut old = view(vec![el("div", vec![stat("class", "a")], vec![text("x")])]);
        old.class_prefix = Some(hole("STYLE"));
        let mut new = old.clone();
        new.nodes = vec![el("div", vec![stat("class", "a"), stat("id", "i")], vec![text("y")])];
        check(old.clone(), new, "set-attr 0 id=\"i\"\nset-text 0.0 \"y\"");
        let mut new = old.clone();
        new.nodes.push(p(vec![]));
        check(
            old,
            new,
            "error: element `<p>` holding code added (in a view with a `class = ..` prefix, every element's \
             class is code) @ None",
        );
    }

    #[test]
    fn edits_of_parsed_views() {
        check_src(
            r#"<p class="intro">"Hello " <b>"world"</b> {count}</p>"#,
            r#"<p class="lead">"Hello " <b>"there"</b> {count}</p>"#,
            r#"
set-attr 0 class="lead"
set-text 0.1.0 "there""#,
        );
        check_src(
            r#"<ul><li>"a"</li> {rest}</ul>"#,
            r#"<ul><li>"a"</li> <li class="new" hidden>"b"</li> {rest}</ul>"#,
            r#"insert 0.1 <li> <li class="new" hidden>b</li>"#,
        );
        check_src(
            r#"<Card title="x"><span>"inside"</span></Card>"#,
            r#"<Card title="x"><span>"inside!"</span></Card>"#,
            r#"set-text 0.0.0 "inside!""#,
        );
        check_src(r#"<p>"a" <!-- note --></p>"#, r#"<p>"a"</p>"#, "");
    }

    #[test]
    fn inner_html_set_as_the_property_is_patched_in_place() {
        check_src(
            r#"<div class="note" inner_html="<i>one</i>"/>"#,
            r#"<div class="note" inner_html="<i>two</i> & <b>more</b>"/>"#,
            r#"set-inner-html 0 "<i>two</i> & <b>more</b>""#,
        );
        check_src(
            r#"<h2>"Notes"</h2> <div class="note" inner_html="<i>one</i>"/> <p>"Count: " {count}</p>"#,
            r#"<h2>"Journal"</h2> <div class="note big" inner_html="<i>two</i>"/> <p>"Total: " {count}</p>"#,
            r#"
set-text 0.0 "Journal"
set-attr 1 class="note big"
set-inner-html 1 "<i>two</i>"
set-text 2.0 "Total: ""#,
        );
        check_src(
            r#"<main><div on:click=go inner_html="<i>one</i>"/></main>"#,
            r#"<main><div on:click=go inner_html="<i>two</i>"/></main>"#,
            r#"set-inner-html 0.0 "<i>two</i>""#,
        );
        check_src(
            r#"<Card><div inner_html="<i>one</i>"/></Card>"#,
            r#"<Card><div inner_html="<i>two</i>"/></Card>"#,
            r#"set-inner-html 0.0 "<i>two</i>""#,
        );
        check_src(
            r#"class = STYLE, <main><div inner_html="<i>one</i>"/></main>"#,
            r#"class = STYLE, <main><div inner_html="<i>two</i>"/></main>"#,
            r#"set-inner-html 0.0 "<i>two</i>""#,
        );
        check_src(
            r#"<div inner_html="<i>one</i>"/> <p>"x"</p>"#,
            r#"<p>"x"</p> <div inner_html="<i>one</i>"/>"#,
            "move [1->0]",
        );
    }

    #[test]
    fn inner_html_written_as_an_attribute_is_patched_as_one() {
        // A static element below the top of a view is inert HTML: Leptos writes the attribute.
        check_src(
            r#"<main>{count}<div inner_html="<i>one</i>"/></main>"#,
            r#"<main>{count}<div inner_html="<i>two</i>"/></main>"#,
            r#"set-attr 0.1 inner_html="<i>two</i>""#,
        );
        check_src(
            r#"<my-el inner_html="<i>one</i>"/>"#,
            r#"<my-el inner_html="<i>two</i>"/>"#,
            r#"set-attr 0 inner_html="<i>two</i>""#,
        );
    }

    #[test]
    fn content_set_by_a_property_needs_a_rebuild_where_it_is_code() {
        check_src(
            r#"<div inner_html=move || html.get()/>"#,
            r#"<div inner_html=move || other.get()/>"#,
            "error: attribute `inner_html` changed @ Some((2, 28))",
        );
        check_src(
            r#"<div inner_html="<i>one</i>"/>"#,
            r#"<div inner_html=html/>"#,
            "error: attribute `inner_html` changed @ Some((2, 28))",
        );
        check_src(
            r#"<div class="note"/>"#,
            r#"<div class="note" inner_html="<i>one</i>"/>"#,
            "error: `inner_html` of `<div>` added @ None",
        );
        check_src(
            r#"<h2>"Notes"</h2> <div inner_html="<i>one</i>"/>"#,
            r#"<h2>"Notes"</h2>"#,
            "error: `inner_html` of `<div>` removed @ None",
        );
        check_src(
            r#"<p prop:textContent=label>"a"</p>"#,
            r#"<p prop:textContent=label>"b"</p>"#,
            "error: children of `<p>` changed, but its `textContent` property replaces them in the DOM @ Some((2, 32))",
        );
    }

    #[test]
    fn an_attribute_named_twice_makes_its_element_unpatchable() {
        // Found by cargo-fuzz: set-attr `type` cannot say which of the two it sets.
        check_src(
            r#"<input type="a" type="b"/>"#,
            r#"<input type="b" type="a"/>"#,
            "error: `type` named twice on `<input>` @ Some((2, 13))",
        );
        check_src(
            r#"<p>"x"</p> <input type="a"/>"#,
            r#"<p>"x"</p> <input type="a" type="b"/>"#,
            "error: `type` named twice on `<input>` @ Some((2, 24))",
        );
        check_src(
            r#"<input type="a" type="b" id="i"/>"#,
            r#"<input type="a" id="i"/>"#,
            "error: `type` named twice on `<input>` @ Some((2, 13))",
        );
        check_src(
            r#"<input r#type="a" type="b" id="i"/>"#,
            r#"<input r#type="a" type="b" id="j"/>"#,
            "error: `type` named twice on `<input>` @ Some((2, 13))",
        );
        check_src(
            r#"<input type="a" type=kind/>"#,
            r#"<input type="b" type=kind/>"#,
            "error: `type` named twice on `<input>` @ Some((2, 13))",
        );
        check_src(
            r#"<div inner_html="<i>a</i>" inner_html="<i>b</i>"/>"#,
            r#"<div inner_html="<i>c</i>" inner_html="<i>b</i>"/>"#,
            "error: `inner_html` named twice on `<div>` @ Some((2, 13))",
        );
    }

    #[test]
    fn an_attribute_named_twice_is_left_alone_by_other_edits() {
        check_src(
            r#"<label type="a" type="b">"old"</label> <p>"x"</p>"#,
            r#"<label type="a" type="b">"new"</label> <p class="c">"x"</p>"#,
            r#"
set-text 0.0 "new"
set-attr 1 class="c""#,
        );
        check_src(
            r#"<ul><li>"a"</li></ul>"#,
            r#"<ul><li>"a"</li><li type="a" type="b">"b"</li></ul>"#,
            r#"insert 0.1 <li> <li type="a" type="b">b</li>"#,
        );
        check_src(
            r#"<button on:click=a on:click=b class="x">"+"</button>"#,
            r#"<button on:click=a on:click=b class="y">"+"</button>"#,
            r#"set-attr 0 class="y""#,
        );
    }

    #[test]
    fn code_edits_of_parsed_views_name_the_code_and_where_it_is() {
        check_src(
            r#"<p>"Count: " {count}</p>"#,
            r#"<p>"Count: " {count + 1}</p>"#,
            "error: `{count + 1}` block changed @ Some((2, 25))",
        );
        check_src(
            r#"<button on:click=move |_| inc()>"+"</button>"#,
            r#"<button on:click=move |_| dec()>"+"</button>"#,
            "error: attribute `on:click` changed @ Some((2, 29))",
        );
        check_src(
            r#"<Card title="x"/>"#,
            r#"<Card title="y"/>"#,
            "error: component `<Card>` changed @ Some((2, 13))",
        );
    }
}

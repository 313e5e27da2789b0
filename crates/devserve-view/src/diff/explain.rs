//! Say in words why two trees are not patchable: the first piece of code that differs.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::NotPatchable;
use crate::shape::{ViewCtx, code_key, is_code_attr, rendered};
use crate::{Attr, Element, Hole, Node, Pos};

/// A view-level hole (`cx`, the class prefix) differs.
pub(super) fn scope(what: &str, old: Option<&Hole>, new: Option<&Hole>) -> NotPatchable {
    match (old, new) {
        (_, Some(new)) => {
            let verb = if old.is_some() { "changed" } else { "added" };
            not_patchable(format!("{what} `{}` {verb}", short(&new.text)), Some(new.pos))
        }
        (Some(old), None) => not_patchable(format!("{what} `{}` removed", short(&old.text)), None),
        (None, None) => not_patchable(format!("{what} changed"), None),
    }
}

/// The code nodes of one children list differ (`old` and `new` hold only nodes with code).
pub(super) fn lists(old: &[&Node], new: &[&Node], ctx: ViewCtx) -> NotPatchable {
    if let Some(moved) = reordered(old, new, ctx) {
        return not_patchable(format!("{} moved", describe(moved)), first_pos(moved));
    }
    let (old_items, new_items) = (node_items(old, ctx), node_items(new, ctx));
    if let Some(found) = first_difference(&old_items, &new_items) {
        return found;
    }
    structure(old, new, ctx)
}

/// The code attributes of two matched elements differ.
pub(super) fn attrs(old: &Element, new: &Element, ctx: ViewCtx) -> NotPatchable {
    let items = |el: &Element| {
        let mut items = Vec::new();
        attr_items(el, ctx, &mut items);
        items
    };
    first_difference(&items(old), &items(new))
        .unwrap_or_else(|| not_patchable(format!("attributes of `<{}>` changed", new.tag), None))
}

/// An element whose attributes changed names one of them twice (`name`).
pub(super) fn named_twice(el: &Element, name: &str) -> NotPatchable {
    not_patchable(format!("`{name}` named twice on `<{}>`", el.tag), Some(el.pos))
}

/// The view's children of an element changed, but a DOM property (`prop`) replaces them.
pub(super) fn content(el: &Element, prop: &str) -> NotPatchable {
    not_patchable(
        format!("children of `<{}>` changed, but its `{prop}` property replaces them in the DOM", el.tag),
        attr_pos(el),
    )
}

/// One piece of code, in source order.
struct Item {
    /// `` `{count}` block ``, ``attribute `on:click` ``.
    what: String,
    /// Same kind of code at the same place (a block, the attribute `x`): a difference is a change.
    kind: u64,
    /// Equal items are the same code.
    id: u64,
    pos: Option<Pos>,
}

fn first_difference(old: &[Item], new: &[Item]) -> Option<NotPatchable> {
    let same = |a: Option<&Item>, b: Option<&Item>| matches!((a, b), (Some(a), Some(b)) if a.id == b.id);
    let at = (0..old.len().max(new.len())).find(|&i| !same(old.get(i), new.get(i)))?;
    let (a, b) = (old.get(at), new.get(at));
    Some(match (a, b) {
        (Some(a), None) => not_patchable(format!("{} removed", a.what), None),
        (None, Some(b)) => not_patchable(format!("{} added", b.what), b.pos),
        (Some(a), Some(b)) if same(old.get(at + 1), Some(b)) => {
            not_patchable(format!("{} removed", a.what), None)
        }
        (Some(a), Some(b)) if same(Some(a), new.get(at + 1)) => {
            not_patchable(format!("{} added", b.what), b.pos)
        }
        (Some(a), Some(b)) if a.kind == b.kind => not_patchable(format!("{} changed", b.what), b.pos),
        (Some(a), Some(b)) => not_patchable(format!("{} replaced by {}", a.what, b.what), b.pos),
        (None, None) => return None,
    })
}

/// The same code nodes in another order: the first one out of place.
fn reordered<'a>(old: &[&Node], new: &[&'a Node], ctx: ViewCtx) -> Option<&'a Node> {
    let keys = |nodes: &[&Node]| nodes.iter().map(|node| code_key(node, ctx)).collect::<Vec<_>>();
    let (old_keys, new_keys) = (keys(old), keys(new));
    let (mut old_sorted, mut new_sorted) = (old_keys.clone(), new_keys.clone());
    old_sorted.sort_unstable();
    new_sorted.sort_unstable();
    if old_sorted != new_sorted {
        return None;
    }
    let at = old_keys.iter().zip(&new_keys).position(|(a, b)| a != b)?;
    Some(new[at])
}

/// Same code, in elements that were added, removed or renamed around it.
fn structure(old: &[&Node], new: &[&Node], ctx: ViewCtx) -> NotPatchable {
    let (old_outline, new_outline) = (outline(old, ctx), outline(new, ctx));
    let at = (0..old_outline.len().max(new_outline.len())).find(|&i| {
        old_outline.get(i).map(|e| (e.0, &e.1.tag)) != new_outline.get(i).map(|e| (e.0, &e.1.tag))
    });
    let hint = if ctx.class_prefix {
        " (in a view with a `class = ..` prefix, every element's class is code)"
    } else {
        ""
    };
    let Some(at) = at else {
        return not_patchable("code changed".into(), None);
    };
    let element_pos = |el: &Element| attr_pos(el).or_else(|| el.children.iter().find_map(first_pos));
    match (old_outline.get(at), new_outline.get(at)) {
        (Some((_, a)), Some((_, b))) if old_outline.len() == new_outline.len() && a.tag != b.tag => {
            not_patchable(
                format!("element `<{}>` holding code renamed to `<{}>`{hint}", a.tag, b.tag),
                element_pos(b),
            )
        }
        (_, Some((_, b))) if new_outline.len() >= old_outline.len() => {
            let verb = if new_outline.len() > old_outline.len() { "added" } else { "moved" };
            not_patchable(format!("element `<{}>` holding code {verb}{hint}", b.tag), element_pos(b))
        }
        (Some((_, a)), _) => not_patchable(format!("element `<{}>` holding code removed{hint}", a.tag), None),
        _ => not_patchable("code changed".into(), None),
    }
}

/// The elements holding code, in pre-order, with their depth.
fn outline<'a>(nodes: &[&'a Node], ctx: ViewCtx) -> Vec<(usize, &'a Element)> {
    fn walk<'a>(node: &'a Node, depth: usize, ctx: ViewCtx, out: &mut Vec<(usize, &'a Element)>) {
        let children = match node {
            Node::Element(el) if code_key(node, ctx).is_some() => {
                out.push((depth, el));
                &el.children
            }
            Node::Component(component) => &component.children,
            _ => return,
        };
        for child in rendered(children) {
            walk(child, depth + 1, ctx, out);
        }
    }
    let mut out = Vec::new();
    for node in nodes {
        walk(node, 0, ctx, &mut out);
    }
    out
}

fn node_items(nodes: &[&Node], ctx: ViewCtx) -> Vec<Item> {
    fn walk(node: &Node, ctx: ViewCtx, out: &mut Vec<Item>) {
        match node {
            Node::Block { hole } => out.push(item(block(hole), "block", hole.fingerprint, Some(hole.pos))),
            Node::Doctype { value } => {
                out.push(item(format!("`<!DOCTYPE {value}>`"), "doctype", hash(value), None));
            }
            Node::Component(component) => {
                let hole = &component.hole;
                let what = format!("component `<{}>`", short(&component.name));
                out.push(item(what, "component", hole.fingerprint, Some(hole.pos)));
                rendered(&component.children).for_each(|child| walk(child, ctx, out));
            }
            Node::Element(el) => {
                attr_items(el, ctx, out);
                rendered(&el.children).for_each(|child| walk(child, ctx, out));
            }
            Node::Text { .. } | Node::Comment { .. } => {}
        }
    }
    let mut out = Vec::new();
    nodes.iter().for_each(|node| walk(node, ctx, &mut out));
    out
}

/// The code attributes of `el`, and its static `innerHTML` property (which makes it an anchor,
/// see `shape::code_key`; its value is not part of the item).
fn attr_items(el: &Element, ctx: ViewCtx, out: &mut Vec<Item>) {
    let counted = |attr: &&Attr| is_code_attr(attr, el, ctx) || matches!(attr, Attr::InnerHtml { .. });
    for attr in el.attrs.iter().filter(counted) {
        out.push(match attr {
            Attr::Dynamic { name, hole } => {
                item(format!("attribute `{name}`"), name, hole.fingerprint, Some(hole.pos))
            }
            Attr::Spread { hole } => item(
                format!("attribute spread `{}`", short(&hole.text)),
                "..",
                hole.fingerprint,
                Some(hole.pos),
            ),
            Attr::Static { name, value } => item(format!("attribute `{name}`"), name, hash(value), None),
            Attr::Valueless { name } => item(format!("attribute `{name}`"), name, 0, None),
            Attr::InnerHtml { .. } => item(format!("`inner_html` of `<{}>`", el.tag), "inner_html", 0, None),
        });
    }
}

fn item(what: String, kind: &str, code: u64, pos: Option<Pos>) -> Item {
    let kind = hash(kind);
    Item { what, kind, id: hash(&(kind, code)), pos }
}

fn describe(node: &Node) -> String {
    match node {
        Node::Element(el) => format!("element `<{}>` holding code", el.tag),
        Node::Block { hole } => block(hole),
        Node::Component(component) => format!("component `<{}>`", short(&component.name)),
        Node::Doctype { value } => format!("`<!DOCTYPE {value}>`"),
        Node::Text { .. } | Node::Comment { .. } => "static markup".into(),
    }
}

/// `` `{count}` block ``.
fn block(hole: &Hole) -> String {
    let code = short(&hole.text);
    if code.starts_with('{') { format!("`{code}` block") } else { format!("`{{{code}}}` block") }
}

/// Where the first hole inside `node` starts.
fn first_pos(node: &Node) -> Option<Pos> {
    match node {
        Node::Block { hole } => Some(hole.pos),
        Node::Component(component) => Some(component.hole.pos),
        Node::Element(el) => attr_pos(el).or_else(|| el.children.iter().find_map(first_pos)),
        Node::Text { .. } | Node::Comment { .. } | Node::Doctype { .. } => None,
    }
}

fn attr_pos(el: &Element) -> Option<Pos> {
    el.attrs.iter().find_map(|attr| match attr {
        Attr::Dynamic { hole, .. } | Attr::Spread { hole } => Some(hole.pos),
        Attr::Static { .. } | Attr::Valueless { .. } | Attr::InnerHtml { .. } => None,
    })
}

/// Code as one short line for a message.
fn short(code: &str) -> String {
    const MAX: usize = 40;
    let line = code.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= MAX {
        line
    } else {
        format!("{}…", line.chars().take(MAX - 1).collect::<String>())
    }
}

fn hash(value: &(impl Hash + ?Sized)) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

fn not_patchable(message: String, pos: Option<Pos>) -> NotPatchable {
    NotPatchable { message, pos }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn long_code_is_shortened_to_one_line() {
        assert_eq!(short("{move ||\n    count.get()}"), "{move || count.get()}");
        let long = format!("{{{}}}", "x".repeat(60));
        assert_eq!(short(&long).chars().count(), 40);
        assert!(short(&long).ends_with('…'));
    }
}

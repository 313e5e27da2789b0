//! Which parts of a view are code: the nodes that hold holes, the static attributes whose DOM value
//! code also writes, and a hash of a node's code shape. The template, the diff and `apply` all read
//! a view through these rules, so they agree on what the client may touch.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::content::content_prop;
use crate::{Attr, Element, Node, ViewTree};

/// Facts about a whole view that change how each of its nodes is read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ViewCtx {
    /// `view! { class = STYLE, .. }`: every element's `class` also holds that code.
    pub(crate) class_prefix: bool,
}

impl ViewCtx {
    pub(crate) fn of(tree: &ViewTree) -> Self {
        Self { class_prefix: tree.class_prefix.is_some() }
    }
}

/// The attribute name the DOM sees: Rust raw identifiers (`r#type`) lose their prefix.
pub(crate) fn dom_name(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Whether a static `class` or `style` attribute shares its DOM value with code on the same
/// element (`class:active=..`, `style:color=..`, a spread, the view's class prefix). Such an
/// attribute is not in the template and cannot be patched: the DOM value is a merge.
pub(crate) fn is_entangled(name: &str, el: &Element, ctx: ViewCtx) -> bool {
    let written_by_code = |base: &str| {
        el.attrs.iter().any(|attr| match attr {
            Attr::Spread { .. } => true,
            Attr::Dynamic { name, .. } => {
                name == base || name.strip_prefix(base).is_some_and(|rest| rest.starts_with(':'))
            }
            Attr::Static { .. } | Attr::Valueless { .. } | Attr::InnerHtml { .. } => false,
        })
    };
    match dom_name(name) {
        "class" => ctx.class_prefix || written_by_code("class"),
        "style" => written_by_code("style"),
        _ => false,
    }
}

/// Whether `attr` of `el` is code (dynamic, spread, or entangled static). A static `innerHTML`
/// property is not: it is patched by itself.
pub(crate) fn is_code_attr(attr: &Attr, el: &Element, ctx: ViewCtx) -> bool {
    match attr {
        Attr::Dynamic { .. } | Attr::Spread { .. } => true,
        Attr::Static { name, .. } | Attr::Valueless { name } => is_entangled(name, el, ctx),
        Attr::InnerHtml { .. } => false,
    }
}

/// The patchable attributes of `el` as the DOM sees them: `(name, value)`, `None` when valueless.
/// An `innerHTML` property is not an attribute.
pub(crate) fn static_attrs(el: &Element, ctx: ViewCtx) -> Vec<(&str, Option<&str>)> {
    el.attrs
        .iter()
        .filter(|attr| !is_code_attr(attr, el, ctx))
        .filter_map(|attr| match attr {
            Attr::Static { name, value } => Some((dom_name(name), Some(value.as_str()))),
            Attr::Valueless { name } => Some((dom_name(name), None)),
            Attr::Dynamic { .. } | Attr::Spread { .. } | Attr::InnerHtml { .. } => None,
        })
        .collect()
}

/// A hash of everything in `node` that is code, or `None` when the node is static (no holes, so
/// the client may insert, remove and move it). Two code nodes with equal keys have the same holes
/// in the same places; static content around them is free to differ.
///
/// An element whose children come from a DOM property (`inner_html`, see [`content_prop`]) is
/// not static either, even when the property's value is: the template cannot describe its
/// children, so the client could not check such an element's HTML when inserting it. Its key
/// names the property, not the value, which stays patchable in place.
pub(crate) fn code_key(node: &Node, ctx: ViewCtx) -> Option<u64> {
    let mut h = DefaultHasher::new();
    match node {
        Node::Text { .. } | Node::Comment { .. } => return None,
        Node::Block { hole } => (0u8, hole.fingerprint).hash(&mut h),
        Node::Doctype { value } => (1u8, value).hash(&mut h),
        Node::Component(component) => {
            (2u8, component.hole.fingerprint).hash(&mut h);
            hash_children(&component.children, ctx, &mut h);
        }
        Node::Element(el) => {
            (3u8, &el.tag).hash(&mut h);
            let mut code = ctx.class_prefix;
            for attr in el.attrs.iter().filter(|attr| is_code_attr(attr, el, ctx)) {
                code = true;
                hash_code_attr(attr, &mut h);
            }
            if let Some(prop) = content_prop(el) {
                code = true;
                (4u8, prop).hash(&mut h);
            }
            code |= hash_children(&el.children, ctx, &mut h);
            if !code {
                return None;
            }
        }
    }
    Some(h.finish())
}

/// Whether `node` holds code (see [`code_key`]).
pub(crate) fn holds_code(node: &Node, ctx: ViewCtx) -> bool {
    code_key(node, ctx).is_some()
}

fn hash_children(children: &[Node], ctx: ViewCtx, h: &mut DefaultHasher) -> bool {
    let mut code = false;
    for key in children.iter().filter_map(|child| code_key(child, ctx)) {
        code = true;
        key.hash(h);
    }
    code
}

fn hash_code_attr(attr: &Attr, h: &mut DefaultHasher) {
    match attr {
        Attr::Dynamic { name, hole } => (0u8, name, hole.fingerprint).hash(h),
        Attr::Spread { hole } => (1u8, hole.fingerprint).hash(h),
        Attr::Static { name, value } => (2u8, name, value).hash(h),
        Attr::Valueless { name } => (3u8, name).hash(h),
        // Never code (see `is_code_attr`); `code_key` names the property instead.
        Attr::InnerHtml { .. } => 4u8.hash(h),
    }
}

/// Whether two static nodes render the same (comments, which render nothing, ignored).
pub(crate) fn same_static(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Text { text: x }, Node::Text { text: y }) => x == y,
        (Node::Element(x), Node::Element(y)) => {
            x.tag == y.tag && x.attrs == y.attrs && same_static_lists(&x.children, &y.children)
        }
        _ => false,
    }
}

fn same_static_lists(a: &[Node], b: &[Node]) -> bool {
    let (mut a, mut b) = (rendered(a), rendered(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if same_static(x, y) => {}
            _ => return false,
        }
    }
}

/// A hash of a static node's content, consistent with [`same_static`].
pub(crate) fn static_hash(node: &Node) -> u64 {
    fn feed(node: &Node, h: &mut DefaultHasher) {
        match node {
            Node::Text { text } => (0u8, text).hash(h),
            Node::Element(el) => {
                (1u8, &el.tag, el.attrs.len()).hash(h);
                rendered(&el.children).for_each(|child| feed(child, h));
                2u8.hash(h);
            }
            _ => 3u8.hash(h),
        }
    }
    let mut h = DefaultHasher::new();
    feed(node, &mut h);
    h.finish()
}

/// The nodes of a list that Leptos renders: everything but `<!-- -->` comments, which the
/// `view!` macro drops. Template paths count these nodes only.
pub(crate) fn rendered(nodes: &[Node]) -> impl Iterator<Item = &Node> + Clone {
    nodes.iter().filter(|node| !matches!(node, Node::Comment { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Hole, Pos};

    fn hole(text: &str) -> Hole {
        Hole { fingerprint: text.len() as u64 * 31 + 7, pos: Pos::default(), text: text.into() }
    }

    fn el(tag: &str, attrs: Vec<Attr>, children: Vec<Node>) -> Element {
        Element { tag: tag.into(), attrs, children, pos: Pos::default() }
    }

    fn stat(name: &str, value: &str) -> Attr {
        Attr::Static { name: name.into(), value: value.into() }
    }

    #[test]
    fn static_class_is_entangled_with_class_directives_spreads_and_prefixes() {
        let plain = el("p", vec![stat("class", "a"), stat("style", "b")], vec![]);
        assert!(!is_entangled("class", &plain, ViewCtx::default()));
        assert!(is_entangled("class", &plain, ViewCtx { class_prefix: true }));
        assert!(!is_entangled("style", &plain, ViewCtx { class_prefix: true }));

        let mut toggled = plain.clone();
        toggled.attrs.push(Attr::Dynamic { name: "class:active".into(), hole: hole("x") });
        assert!(is_entangled("class", &toggled, ViewCtx::default()));
        assert!(!is_entangled("style", &toggled, ViewCtx::default()));

        let mut spread = plain.clone();
        spread.attrs.push(Attr::Spread { hole: hole("{..attrs}") });
        assert!(is_entangled("style", &spread, ViewCtx::default()));
        assert_eq!(static_attrs(&spread, ViewCtx::default()), vec![]);

        let mut classy = plain;
        classy.attrs.push(Attr::Dynamic { name: "classy".into(), hole: hole("x") });
        assert!(!is_entangled("class", &classy, ViewCtx::default()));
    }

    #[test]
    fn only_nodes_with_holes_have_a_code_key() {
        let ctx = ViewCtx::default();
        let text = Node::Text { text: "a".into() };
        let static_el = Node::Element(el("p", vec![stat("id", "x")], vec![text.clone()]));
        assert_eq!(code_key(&static_el, ctx), None);
        assert!(code_key(&static_el, ViewCtx { class_prefix: true }).is_some());

        let with_block = |text: &str| {
            Node::Element(el(
                "p",
                vec![stat("id", text)],
                vec![Node::Text { text: text.into() }, Node::Block { hole: hole("{n}") }],
            ))
        };
        let key = code_key(&with_block("a"), ctx);
        assert!(key.is_some());
        assert_eq!(key, code_key(&with_block("static text differs"), ctx));
        let other_block = Node::Element(el("p", vec![], vec![Node::Block { hole: hole("{count}") }]));
        assert_ne!(key, code_key(&other_block, ctx));
    }

    #[test]
    fn comments_do_not_count_as_content() {
        let a = Node::Element(el("p", vec![], vec![Node::Comment { text: "x".into() }]));
        let b = Node::Element(el("p", vec![], vec![]));
        assert!(same_static(&a, &b));
        assert_eq!(static_hash(&a), static_hash(&b));
        assert!(!same_static(&a, &Node::Element(el("b", vec![], vec![]))));
    }
}

//! Reference semantics of [`PatchOp`]s on a [`ViewTree`]: `apply(diff(a, b), a) == b`.
//!
//! This is what the browser client does to the DOM, done to the model: paths count the nodes
//! Leptos renders (comments are not rendered, so `apply` drops them first), a new attribute is
//! appended like `setAttribute` appends it, `set-inner-html` sets the static `innerHTML`
//! property ([`Attr::InnerHtml`]) of an element that has one, and an operation that would touch
//! code (remove or move a node holding a hole, insert one) is refused, as the client refuses it.

use crate::shape::{ViewCtx, dom_name, holds_code};
use crate::{Attr, Element, Node, PatchOp, Pos, TemplateNode, ViewTree};

/// An operation did not fit the tree it was applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("patch operation {index} does not apply: {message}")]
pub struct ApplyError {
    /// Which operation.
    pub index: usize,
    /// Why.
    pub message: String,
}

/// Apply `ops` in order to a copy of `tree` (without its comments, which Leptos does not render).
pub fn apply(ops: &[PatchOp], tree: &ViewTree) -> Result<ViewTree, ApplyError> {
    let mut tree = tree.clone();
    strip_comments(&mut tree.nodes);
    let ctx = ViewCtx::of(&tree);
    for (index, op) in ops.iter().enumerate() {
        apply_one(op, &mut tree.nodes, ctx).map_err(|message| ApplyError { index, message })?;
    }
    Ok(tree)
}

fn apply_one(op: &PatchOp, roots: &mut Vec<Node>, ctx: ViewCtx) -> Result<(), String> {
    match op {
        PatchOp::SetText { path, text } => match node_mut(roots, path)? {
            Node::Text { text: old } => {
                old.clone_from(text);
                Ok(())
            }
            _ => Err(format!("{path:?} is not static text")),
        },
        PatchOp::SetAttr { path, name, value } => {
            let el = element_mut(roots, path)?;
            let attr = |name: String| match value {
                Some(value) => Attr::Static { name, value: value.clone() },
                None => Attr::Valueless { name },
            };
            match el.attrs.iter_mut().find(|attr| is_static_named(attr, name)) {
                Some(old) => *old = attr(written_name(old)),
                None => el.attrs.push(attr(name.clone())),
            }
            Ok(())
        }
        PatchOp::SetInnerHtml { path, html } => {
            let el = element_mut(roots, path)?;
            match el.attrs.iter_mut().find_map(|attr| match attr {
                Attr::InnerHtml { value } => Some(value),
                _ => None,
            }) {
                Some(value) => {
                    value.clone_from(html);
                    Ok(())
                }
                None => Err(format!("{path:?} has no static `inner_html` property")),
            }
        }
        PatchOp::RemoveAttr { path, name } => {
            let el = element_mut(roots, path)?;
            let at = el
                .attrs
                .iter()
                .position(|attr| is_static_named(attr, name))
                .ok_or_else(|| format!("{path:?} has no static attribute `{name}`"))?;
            el.attrs.remove(at);
            Ok(())
        }
        PatchOp::Insert { path, node, html: _ } => {
            let (parent, index) = split(path)?;
            let node = from_template(node)?;
            if holds_code(&node, ctx) {
                return Err(format!("the node inserted at {path:?} would hold code"));
            }
            let siblings = children_mut(roots, parent)?;
            if index > siblings.len() {
                return Err(format!("{path:?} is past the end of its siblings"));
            }
            siblings.insert(index, node);
            Ok(())
        }
        PatchOp::Remove { path } => {
            let (parent, index) = split(path)?;
            let siblings = children_mut(roots, parent)?;
            static_at(siblings, index, ctx).map_err(|why| format!("cannot remove {path:?}: {why}"))?;
            siblings.remove(index);
            Ok(())
        }
        PatchOp::Move { parent, from, to } => {
            let siblings = children_mut(roots, parent)?;
            static_at(siblings, *from, ctx)
                .map_err(|why| format!("cannot move child {from} of {parent:?}: {why}"))?;
            let node = siblings.remove(*from);
            if *to > siblings.len() {
                return Err(format!("cannot move child {from} of {parent:?} to {to}: past the end"));
            }
            siblings.insert(*to, node);
            Ok(())
        }
    }
}

/// Check that `siblings[index]` exists and holds no code.
fn static_at(siblings: &[Node], index: usize, ctx: ViewCtx) -> Result<(), String> {
    match siblings.get(index) {
        None => Err("no such node".into()),
        Some(node) if holds_code(node, ctx) => Err("it holds code".into()),
        Some(_) => Ok(()),
    }
}

fn is_static_named(attr: &Attr, name: &str) -> bool {
    matches!(attr, Attr::Static { name: n, .. } | Attr::Valueless { name: n } if dom_name(n) == name)
}

fn written_name(attr: &Attr) -> String {
    match attr {
        Attr::Static { name, .. } | Attr::Valueless { name } | Attr::Dynamic { name, .. } => name.clone(),
        Attr::InnerHtml { .. } => "inner_html".to_owned(),
        Attr::Spread { .. } => String::new(),
    }
}

fn split(path: &[usize]) -> Result<(&[usize], usize), String> {
    match path.split_last() {
        Some((&index, parent)) => Ok((parent, index)),
        None => Err("empty path".into()),
    }
}

fn node_mut<'a>(roots: &'a mut Vec<Node>, path: &[usize]) -> Result<&'a mut Node, String> {
    let (parent, index) = split(path)?;
    children_mut(roots, parent)?.get_mut(index).ok_or_else(|| format!("{path:?} does not exist"))
}

fn element_mut<'a>(roots: &'a mut Vec<Node>, path: &[usize]) -> Result<&'a mut Element, String> {
    match node_mut(roots, path)? {
        Node::Element(el) => Ok(el),
        _ => Err(format!("{path:?} is not an element")),
    }
}

/// The children of the node at `path`: an element's, or a component's (its nested template).
fn children_mut<'a>(roots: &'a mut Vec<Node>, path: &[usize]) -> Result<&'a mut Vec<Node>, String> {
    let mut children = roots;
    for (depth, &index) in path.iter().enumerate() {
        children = match children.get_mut(index) {
            Some(Node::Element(el)) => &mut el.children,
            Some(Node::Component(component)) => &mut component.children,
            Some(_) => return Err(format!("{:?} has no children", &path[..=depth])),
            None => return Err(format!("{:?} does not exist", &path[..=depth])),
        };
    }
    Ok(children)
}

fn from_template(node: &TemplateNode) -> Result<Node, String> {
    Ok(match node {
        TemplateNode::El { content_prop: Some(prop), .. } => {
            return Err(format!("an inserted node's children come from its `{prop}` property"));
        }
        TemplateNode::El { tag, attrs, children, content_prop: None } => Node::Element(Element {
            tag: tag.clone(),
            attrs: attrs
                .iter()
                .map(|(name, value)| match value {
                    Some(value) => Attr::Static { name: name.clone(), value: value.clone() },
                    None => Attr::Valueless { name: name.clone() },
                })
                .collect(),
            children: children.iter().map(from_template).collect::<Result<_, _>>()?,
            pos: Pos::default(),
        }),
        TemplateNode::Text { v } => Node::Text { text: v.clone() },
        TemplateNode::Hole | TemplateNode::Component { .. } => {
            return Err("an inserted node holds a hole".into());
        }
    })
}

/// Drop the comments written in a view: Leptos does not render them.
pub(crate) fn strip_comments(nodes: &mut Vec<Node>) {
    nodes.retain(|node| !matches!(node, Node::Comment { .. }));
    for node in nodes {
        match node {
            Node::Element(el) => strip_comments(&mut el.children),
            Node::Component(component) => strip_comments(&mut component.children),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_trees::*;

    fn check(ops: &[PatchOp], old: ViewTree, expected: Result<ViewTree, &str>) {
        let actual = apply(ops, &old).map_err(|err| err.to_string());
        assert_eq!(actual, expected.map_err(str::to_owned));
    }

    fn li(label: &str) -> Node {
        el("li", vec![], vec![text(label)])
    }

    fn list(items: Vec<Node>) -> ViewTree {
        view(vec![el("ul", vec![stat("id", "l"), dynamic("on:click", "f")], items)])
    }

    #[test]
    fn set_text_and_attributes() {
        check(
            &[
                PatchOp::SetText { path: vec![0, 0, 0], text: "A".into() },
                PatchOp::SetAttr { path: vec![0], name: "id".into(), value: None },
                PatchOp::SetAttr { path: vec![0], name: "title".into(), value: Some("t".into()) },
            ],
            list(vec![li("a")]),
            Ok(view(vec![el(
                "ul",
                vec![bare("id"), dynamic("on:click", "f"), stat("title", "t")],
                vec![li("A")],
            )])),
        );
        check(
            &[PatchOp::RemoveAttr { path: vec![0], name: "id".into() }],
            list(vec![]),
            Ok(view(vec![el("ul", vec![dynamic("on:click", "f")], vec![])])),
        );
        check(
            &[PatchOp::RemoveAttr { path: vec![0], name: "on:click".into() }],
            list(vec![]),
            Err("patch operation 0 does not apply: [0] has no static attribute `on:click`"),
        );
    }

    #[test]
    fn insert_remove_move() {
        let b = TemplateNode::El {
            tag: "li".into(),
            attrs: vec![],
            children: vec![TemplateNode::Text { v: "b".into() }],
            content_prop: None,
        };
        check(
            &[
                PatchOp::Insert { path: vec![0, 1], node: b, html: "<li>b</li>".into() },
                PatchOp::Move { parent: vec![0], from: 0, to: 2 },
                PatchOp::Remove { path: vec![0, 0] },
            ],
            list(vec![li("a"), comment("dropped"), li("c")]),
            Ok(list(vec![li("c"), li("a")])),
        );
    }

    #[test]
    fn code_is_never_touched() {
        check(
            &[PatchOp::Remove { path: vec![0, 1] }],
            list(vec![li("a"), block("{rest}")]),
            Err("patch operation 0 does not apply: cannot remove [0, 1]: it holds code"),
        );
        check(
            &[PatchOp::Move { parent: vec![], from: 0, to: 0 }],
            list(vec![]),
            Err("patch operation 0 does not apply: cannot move child 0 of []: it holds code"),
        );
        check(
            &[PatchOp::Insert { path: vec![0], node: TemplateNode::Hole, html: String::new() }],
            view(vec![]),
            Err("patch operation 0 does not apply: an inserted node holds a hole"),
        );
    }

    #[test]
    fn set_inner_html() {
        let note = |html: &str| view(vec![el("div", vec![stat("class", "note"), inner(html)], vec![])]);
        check(
            &[PatchOp::SetInnerHtml { path: vec![0], html: "<i>two</i>".into() }],
            note("<i>one</i>"),
            Ok(note("<i>two</i>")),
        );
        check(
            &[PatchOp::SetInnerHtml { path: vec![0], html: "x".into() }],
            view(vec![el("div", vec![stat("inner_html", "<i>one</i>")], vec![])]),
            Err("patch operation 0 does not apply: [0] has no static `inner_html` property"),
        );
        let content = TemplateNode::El {
            tag: "div".into(),
            attrs: vec![],
            children: vec![],
            content_prop: Some("innerHTML".into()),
        };
        check(
            &[PatchOp::Insert { path: vec![0], node: content, html: "<div>x</div>".into() }],
            view(vec![]),
            Err(
                "patch operation 0 does not apply: an inserted node's children come from its `innerHTML` property",
            ),
        );
    }

    #[test]
    fn paths_go_through_components_and_must_exist() {
        check(
            &[PatchOp::SetText { path: vec![0, 0], text: "new".into() }],
            view(vec![component("Card", vec![text("old")])]),
            Ok(view(vec![component("Card", vec![text("new")])])),
        );
        check(
            &[PatchOp::SetText { path: vec![0, 0], text: "x".into() }],
            view(vec![block("{a}")]),
            Err("patch operation 0 does not apply: [0] has no children"),
        );
        check(
            &[PatchOp::SetText { path: vec![3], text: "x".into() }],
            view(vec![]),
            Err("patch operation 0 does not apply: [3] does not exist"),
        );
        check(
            &[PatchOp::SetText { path: vec![], text: "x".into() }],
            view(vec![]),
            Err("patch operation 0 does not apply: empty path"),
        );
    }
}

//! Property tests of `diff` and `apply` over random view trees and random edits of them.
//!
//! The oracle is the rule DESIGN.md states: a change is patchable exactly when the code of the
//! view keeps its shape. `code_shape` below spells that rule out independently of the crate: the
//! tree pruned to its holes (blocks, dynamic attributes, spreads, components, doctypes), the
//! elements that enclose them, and the static `class`/`style` values that code also writes.
//! Then for every pair of trees:
//! - `diff` succeeds if and only if the code shapes are equal;
//! - applying its operations to the old tree gives the new tree (comments, which Leptos does not
//!   render, dropped; static attributes compared by name, as the DOM has no attribute order),
//!   and exactly the new template.

#![allow(clippy::unwrap_used)]

use std::hash::{DefaultHasher, Hash, Hasher};

use devserve_view::{Attr, Component, Element, Hole, Node, Pos, ViewTree, apply, diff, template};
use proptest::prelude::*;
use proptest::sample::{Index, select};

// ---------------------------------------------------------------------------------------------
// Random trees

fn hole(code: &str) -> Hole {
    let mut h = DefaultHasher::new();
    code.hash(&mut h);
    Hole { fingerprint: h.finish(), pos: Pos { line: 1, column: 0 }, text: code.into() }
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec!["Hello ", "b & c", "<x>", "", " ", "item"]).prop_map(str::to_owned),
        "[a-c<&> ]{0,4}",
    ]
}

fn static_attr() -> impl Strategy<Value = Attr> {
    prop_oneof![
        3 => (select(vec!["id", "title", "class", "style", "data-x", "href"]), select(vec!["1", "2", "a b", "\"q\""]))
            .prop_map(|(name, value)| Attr::Static { name: name.into(), value: value.into() }),
        1 => select(vec!["disabled", "hidden", "checked"]).prop_map(|name| Attr::Valueless { name: name.into() }),
    ]
}

fn code_attr() -> impl Strategy<Value = Attr> {
    prop_oneof![
        4 => (select(vec!["on:click", "class:active", "style:color", "value", "prop:checked"]), select(vec!["x", "y", "move || z"]))
            .prop_map(|(name, code)| Attr::Dynamic { name: name.into(), hole: hole(code) }),
        1 => select(vec!["{..a}", "{..b}"]).prop_map(|code| Attr::Spread { hole: hole(code) }),
    ]
}

fn attrs(code: bool) -> BoxedStrategy<Vec<Attr>> {
    let attr =
        if code { prop_oneof![3 => static_attr(), 1 => code_attr()].boxed() } else { static_attr().boxed() };
    prop::collection::vec(attr, 0..4).prop_map(unique_names).boxed()
}

/// Attributes where one name often comes twice (`type="a" type="b"`, which Leptos may not
/// accept, but an editor can be saved with).
fn repeated_attrs() -> BoxedStrategy<Vec<Attr>> {
    let attr = prop_oneof![
        3 => (select(vec!["type", "id"]), select(vec!["a", "b"]))
            .prop_map(|(name, value)| Attr::Static { name: name.into(), value: value.into() }),
        1 => select(vec!["type", "hidden"]).prop_map(|name| Attr::Valueless { name: name.into() }),
        1 => select(vec!["type", "on:click"]).prop_map(|name| Attr::Dynamic { name: name.into(), hole: hole("x") }),
    ];
    prop::collection::vec(attr, 0..4).boxed()
}

/// Leptos refuses two attributes of one name; keep the first.
fn unique_names(attrs: Vec<Attr>) -> Vec<Attr> {
    let mut seen = Vec::new();
    attrs
        .into_iter()
        .filter(|attr| {
            let name = attr_name(attr).to_owned();
            let fresh = !seen.contains(&name);
            seen.push(name);
            fresh
        })
        .collect()
}

fn attr_name(attr: &Attr) -> &str {
    match attr {
        Attr::Static { name, .. } | Attr::Valueless { name } | Attr::Dynamic { name, .. } => name,
        Attr::Spread { .. } => "..",
        Attr::InnerHtml { .. } => "inner_html",
    }
}

fn tag() -> impl Strategy<Value = String> {
    select(vec!["div", "p", "span", "li", "b", "br", "svg", "script", "ul"]).prop_map(str::to_owned)
}

/// A subtree without holes.
fn static_node() -> impl Strategy<Value = Node> {
    let leaf = text_value().prop_map(|text| Node::Text { text });
    leaf.prop_recursive(3, 12, 3, |inner| {
        (tag(), attrs(false), prop::collection::vec(inner, 0..3)).prop_map(|(tag, attrs, children)| {
            Node::Element(Element { tag, attrs, children, pos: Pos::default() })
        })
    })
}

/// Any node: static markup, blocks, components, comments, now and then a doctype.
fn node() -> impl Strategy<Value = Node> {
    node_with(|| attrs(true))
}

/// [`node`], its elements' attributes drawn from `attrs`.
fn node_with(attrs: fn() -> BoxedStrategy<Vec<Attr>>) -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        6 => text_value().prop_map(|text| Node::Text { text }),
        3 => select(vec!["{a}", "{b}", "{move || c}"]).prop_map(|code| Node::Block { hole: hole(code) }),
        1 => "[a-z ]{0,3}".prop_map(|text| Node::Comment { text }),
        1 => Just(Node::Doctype { value: "html".into() }),
    ];
    leaf.prop_recursive(4, 40, 4, move |inner| {
        prop_oneof![
            4 => (tag(), attrs(), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(tag, attrs, children)| Node::Element(Element { tag, attrs, children, pos: Pos::default() })),
            1 => (select(vec!["Card", "Panel"]), prop::collection::vec(inner, 0..3)).prop_map(|(name, children)| {
                Node::Component(Component { name: name.into(), hole: hole(name), props: vec![], children })
            }),
        ]
    })
}

fn tree() -> impl Strategy<Value = ViewTree> {
    tree_of(node().boxed())
}

fn tree_of(node: BoxedStrategy<Node>) -> impl Strategy<Value = ViewTree> {
    let scope = prop_oneof![6 => Just(None), 1 => Just(Some(hole("cx")))];
    let prefix = prop_oneof![7 => Just(None), 1 => Just(Some(hole("STYLE")))];
    (scope, prefix, prop::collection::vec(node, 0..4)).prop_map(|(cx, class_prefix, nodes)| ViewTree {
        cx,
        class_prefix,
        nodes,
    })
}

// ---------------------------------------------------------------------------------------------
// Random edits

#[derive(Debug, Clone)]
enum Edit {
    Text(Index, String),
    SetAttr(Index, Attr),
    RemoveAttr(Index, Index),
    Insert(Index, Index, Node),
    Remove(Index),
    Move(Index, Index),
    Rename(Index, String),
    Wrap(Index, String),
    ChangeBlock(Index, String),
    AddCode(Index, Attr),
    ChangeScope,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (any::<Index>(), text_value()).prop_map(|(at, text)| Edit::Text(at, text)),
        4 => (any::<Index>(), static_attr()).prop_map(|(at, attr)| Edit::SetAttr(at, attr)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, which)| Edit::RemoveAttr(at, which)),
        4 => (any::<Index>(), any::<Index>(), static_node()).prop_map(|(list, at, node)| Edit::Insert(list, at, node)),
        1 => (any::<Index>(), any::<Index>(), node()).prop_map(|(list, at, node)| Edit::Insert(list, at, node)),
        4 => any::<Index>().prop_map(Edit::Remove),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, to)| Edit::Move(at, to)),
        2 => (any::<Index>(), tag()).prop_map(|(at, tag)| Edit::Rename(at, tag)),
        1 => (any::<Index>(), tag()).prop_map(|(at, tag)| Edit::Wrap(at, tag)),
        1 => (any::<Index>(), select(vec!["{a}", "{b}", "{z}"])).prop_map(|(at, code)| Edit::ChangeBlock(at, code.into())),
        1 => (any::<Index>(), code_attr()).prop_map(|(at, attr)| Edit::AddCode(at, attr)),
        1 => Just(Edit::ChangeScope),
    ]
}

fn tree_pair() -> impl Strategy<Value = (ViewTree, ViewTree)> {
    edited(tree().boxed())
}

/// Trees whose elements often name an attribute twice, and edits of them.
fn repeated_pair() -> impl Strategy<Value = (ViewTree, ViewTree)> {
    edited(tree_of(node_with(repeated_attrs).boxed()).boxed())
}

fn edited(tree: BoxedStrategy<ViewTree>) -> impl Strategy<Value = (ViewTree, ViewTree)> {
    (tree, prop::collection::vec(edit(), 1..4)).prop_map(|(old, edits)| {
        let mut new = old.clone();
        for edit in &edits {
            apply_edit(&mut new, edit);
        }
        (old, new)
    })
}

type Path = Vec<usize>;

/// Paths of all nodes (comments included) in pre-order.
fn node_paths(tree: &ViewTree) -> Vec<Path> {
    fn walk(nodes: &[Node], path: &mut Path, out: &mut Vec<Path>) {
        for (index, node) in nodes.iter().enumerate() {
            path.push(index);
            out.push(path.clone());
            if let Some(children) = children(node) {
                walk(children, path, out);
            }
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(&tree.nodes, &mut Vec::new(), &mut out);
    out
}

fn children(node: &Node) -> Option<&Vec<Node>> {
    match node {
        Node::Element(el) => Some(&el.children),
        Node::Component(c) => Some(&c.children),
        _ => None,
    }
}

fn list_mut<'a>(tree: &'a mut ViewTree, parent: &[usize]) -> &'a mut Vec<Node> {
    let mut list = &mut tree.nodes;
    for &index in parent {
        list = match &mut list[index] {
            Node::Element(el) => &mut el.children,
            Node::Component(c) => &mut c.children,
            _ => unreachable!("only nodes with children are parents"),
        };
    }
    list
}

fn node_mut<'a>(tree: &'a mut ViewTree, path: &[usize]) -> &'a mut Node {
    let (&last, parent) = path.split_last().unwrap();
    &mut list_mut(tree, parent)[last]
}

fn node_at<'a>(tree: &'a ViewTree, path: &[usize]) -> &'a Node {
    let mut list = &tree.nodes;
    let (&last, parent) = path.split_last().unwrap();
    for &index in parent {
        list = children(&list[index]).unwrap();
    }
    &list[last]
}

/// The paths of the nodes that `keep` accepts, one picked by `at`.
fn pick(tree: &ViewTree, at: &Index, keep: impl Fn(&Node) -> bool) -> Option<Path> {
    let paths: Vec<Path> = node_paths(tree).into_iter().filter(|path| keep(node_at(tree, path))).collect();
    (!paths.is_empty()).then(|| at.get(&paths).clone())
}

fn apply_edit(tree: &mut ViewTree, edit: &Edit) {
    let is_element = |node: &Node| matches!(node, Node::Element(_));
    match edit {
        Edit::Text(at, new_text) => {
            if let Some(path) = pick(tree, at, |node| matches!(node, Node::Text { .. })) {
                *node_mut(tree, &path) = Node::Text { text: new_text.clone() };
            }
        }
        Edit::SetAttr(at, attr) => {
            if let Some(path) = pick(tree, at, is_element) {
                let Node::Element(el) = node_mut(tree, &path) else { unreachable!() };
                match el.attrs.iter_mut().find(|old| attr_name(old) == attr_name(attr)) {
                    Some(old) => *old = attr.clone(),
                    None => el.attrs.push(attr.clone()),
                }
            }
        }
        Edit::RemoveAttr(at, which) => {
            if let Some(path) =
                pick(tree, at, |node| matches!(node, Node::Element(el) if !el.attrs.is_empty()))
            {
                let Node::Element(el) = node_mut(tree, &path) else { unreachable!() };
                let index = which.index(el.attrs.len());
                el.attrs.remove(index);
            }
        }
        Edit::Insert(parent, at, node) => {
            let mut parents: Vec<Path> = vec![vec![]];
            parents
                .extend(node_paths(tree).into_iter().filter(|path| children(node_at(tree, path)).is_some()));
            let parent = parent.get(&parents).clone();
            let list = list_mut(tree, &parent);
            let index = at.index(list.len() + 1);
            list.insert(index, node.clone());
        }
        Edit::Remove(at) => {
            if let Some(path) = pick(tree, at, |_| true) {
                let (&last, parent) = path.split_last().unwrap();
                list_mut(tree, parent).remove(last);
            }
        }
        Edit::Move(at, to) => {
            if let Some(path) = pick(tree, at, |_| true) {
                let (&last, parent) = path.split_last().unwrap();
                let list = list_mut(tree, parent);
                let node = list.remove(last);
                let index = to.index(list.len() + 1);
                list.insert(index, node);
            }
        }
        Edit::Rename(at, tag) => {
            if let Some(path) = pick(tree, at, is_element) {
                let Node::Element(el) = node_mut(tree, &path) else { unreachable!() };
                el.tag.clone_from(tag);
            }
        }
        Edit::Wrap(at, tag) => {
            if let Some(path) = pick(tree, at, |_| true) {
                let node = node_mut(tree, &path);
                let inner = std::mem::replace(node, Node::Text { text: String::new() });
                *node = Node::Element(Element {
                    tag: tag.clone(),
                    attrs: vec![],
                    children: vec![inner],
                    pos: Pos::default(),
                });
            }
        }
        Edit::ChangeBlock(at, code) => {
            if let Some(path) = pick(tree, at, |node| matches!(node, Node::Block { .. })) {
                *node_mut(tree, &path) = Node::Block { hole: hole(code) };
            }
        }
        Edit::AddCode(at, attr) => {
            if let Some(path) = pick(tree, at, is_element) {
                let Node::Element(el) = node_mut(tree, &path) else { unreachable!() };
                if !el.attrs.iter().any(|old| attr_name(old) == attr_name(attr)) {
                    el.attrs.push(attr.clone());
                }
            }
        }
        Edit::ChangeScope => {
            tree.cx = if tree.cx.is_some() { None } else { Some(hole("cx")) };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle

/// The code of a view and where it sits: what must not change for a patch to be exact.
#[derive(Debug, PartialEq)]
enum Shape {
    Block(u64),
    Doctype(String),
    Component(u64, Vec<Shape>),
    Element(String, Vec<(String, String)>, Vec<Shape>),
}

fn code_shape(tree: &ViewTree) -> (Option<u64>, Option<u64>, Vec<Shape>) {
    let prefix = tree.class_prefix.is_some();
    let fingerprint = |hole: &Option<Hole>| hole.as_ref().map(|hole| hole.fingerprint);
    (fingerprint(&tree.cx), fingerprint(&tree.class_prefix), shapes(&tree.nodes, prefix))
}

fn shapes(nodes: &[Node], prefix: bool) -> Vec<Shape> {
    nodes.iter().filter_map(|node| shape(node, prefix)).collect()
}

fn shape(node: &Node, prefix: bool) -> Option<Shape> {
    match node {
        Node::Text { .. } | Node::Comment { .. } => None,
        Node::Block { hole } => Some(Shape::Block(hole.fingerprint)),
        Node::Doctype { value } => Some(Shape::Doctype(value.clone())),
        Node::Component(c) => Some(Shape::Component(c.hole.fingerprint, shapes(&c.children, prefix))),
        Node::Element(el) => {
            let written_by_code = |base: &str| {
                el.attrs.iter().any(|attr| match attr {
                    Attr::Spread { .. } => true,
                    Attr::Dynamic { name, .. } => name == base || name.starts_with(&format!("{base}:")),
                    _ => false,
                })
            };
            let code: Vec<(String, String)> = el
                .attrs
                .iter()
                .filter_map(|attr| match attr {
                    Attr::Dynamic { name, hole } => Some((name.clone(), hole.fingerprint.to_string())),
                    Attr::Spread { hole } => Some(("..".into(), hole.fingerprint.to_string())),
                    Attr::Static { name, value }
                        if name == "class" && (prefix || written_by_code("class")) =>
                    {
                        Some((name.clone(), value.clone()))
                    }
                    Attr::Static { name, value } if name == "style" && written_by_code("style") => {
                        Some((name.clone(), value.clone()))
                    }
                    _ => None,
                })
                .collect();
            let children = shapes(&el.children, prefix);
            (prefix || !code.is_empty() || !children.is_empty())
                .then(|| Shape::Element(el.tag.clone(), code, children))
        }
    }
}

/// Comments dropped, static attributes sorted by name after the others.
fn normalized(mut tree: ViewTree) -> ViewTree {
    fn walk(nodes: &mut Vec<Node>) {
        nodes.retain(|node| !matches!(node, Node::Comment { .. }));
        for node in nodes {
            match node {
                Node::Element(el) => {
                    el.attrs.sort_by(|a, b| {
                        let key = |attr: &Attr| match attr {
                            Attr::Static { name, .. } | Attr::Valueless { name } => (1, name.clone()),
                            Attr::Dynamic { .. } | Attr::Spread { .. } => (0, String::new()),
                            Attr::InnerHtml { .. } => (2, String::new()),
                        };
                        key(a).cmp(&key(b))
                    });
                    walk(&mut el.children);
                }
                Node::Component(c) => walk(&mut c.children),
                _ => {}
            }
        }
    }
    walk(&mut tree.nodes);
    tree
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn diff_is_exact_and_refuses_only_code_changes((old, new) in tree_pair()) {
        let same_code = code_shape(&old) == code_shape(&new);
        match diff(&old, &new) {
            Ok(ops) => {
                prop_assert!(same_code, "a code change was patched: {:?}", ops);
                let applied = apply(&ops, &old).map_err(|err| TestCaseError::fail(err.to_string()))?;
                prop_assert_eq!(template(&applied), template(&new));
                prop_assert_eq!(normalized(applied), normalized(new));
            }
            Err(err) => prop_assert!(!same_code, "a static change was refused: {}", err.message),
        }
    }

    /// The DOM keeps one of two attributes of one name and operations address attributes by
    /// name, so an element naming one twice is patched only where its attributes stay as they
    /// are; whatever `diff` patches, it patches exactly.
    #[test]
    fn a_name_given_twice_is_patched_exactly_or_refused((old, new) in repeated_pair()) {
        let same_code = code_shape(&old) == code_shape(&new);
        match diff(&old, &new) {
            Ok(ops) => {
                prop_assert!(same_code, "a code change was patched: {:?}", ops);
                let applied = apply(&ops, &old).map_err(|err| TestCaseError::fail(err.to_string()))?;
                prop_assert_eq!(template(&applied), template(&new));
                prop_assert_eq!(normalized(applied), normalized(new));
            }
            Err(err) => prop_assert!(
                !same_code || err.message.contains("named twice"),
                "a static change was refused: {}",
                err.message
            ),
        }
    }

    #[test]
    fn equal_trees_need_no_operations(tree in tree()) {
        prop_assert_eq!(diff(&tree, &tree), Ok(vec![]));
    }

    #[test]
    fn a_static_edit_is_always_patchable((old, edit) in (tree(), prop_oneof![
        (any::<Index>(), text_value()).prop_map(|(at, text)| Edit::Text(at, text)),
        (any::<Index>(), any::<Index>(), static_node().prop_filter("text only with a class prefix", |n| matches!(n, Node::Text { .. })))
            .prop_map(|(list, at, node)| Edit::Insert(list, at, node)),
    ])) {
        let mut new = old.clone();
        apply_edit(&mut new, &edit);
        let ops = diff(&old, &new).map_err(|err| TestCaseError::fail(err.message))?;
        let applied = apply(&ops, &old).map_err(|err| TestCaseError::fail(err.to_string()))?;
        prop_assert_eq!(normalized(applied), normalized(new));
    }
}

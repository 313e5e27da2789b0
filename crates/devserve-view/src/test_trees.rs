//! Terse builders for view trees in unit tests.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::{Attr, Component, Element, Hole, Node, Pos, ViewTree};

pub(crate) fn view(nodes: Vec<Node>) -> ViewTree {
    ViewTree { cx: None, class_prefix: None, nodes }
}

/// A hole whose fingerprint is its text's hash, at line 1.
pub(crate) fn hole(text: &str) -> Hole {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    Hole { fingerprint: h.finish(), pos: Pos { line: 1, column: 0 }, text: text.into() }
}

/// A hole at a given position.
pub(crate) fn hole_at(text: &str, line: usize, column: usize) -> Hole {
    Hole { pos: Pos { line, column }, ..hole(text) }
}

pub(crate) fn el(tag: &str, attrs: Vec<Attr>, children: Vec<Node>) -> Node {
    Node::Element(Element { tag: tag.into(), attrs, children, pos: Pos { line: 1, column: 0 } })
}

pub(crate) fn text(text: &str) -> Node {
    Node::Text { text: text.into() }
}

pub(crate) fn block(code: &str) -> Node {
    Node::Block { hole: hole(code) }
}

pub(crate) fn comment(text: &str) -> Node {
    Node::Comment { text: text.into() }
}

pub(crate) fn doctype(value: &str) -> Node {
    Node::Doctype { value: value.into() }
}

/// A component without props; its hole is its name.
pub(crate) fn component(name: &str, children: Vec<Node>) -> Node {
    Node::Component(Component { name: name.into(), hole: hole(name), props: vec![], children })
}

pub(crate) fn stat(name: &str, value: &str) -> Attr {
    Attr::Static { name: name.into(), value: value.into() }
}

pub(crate) fn bare(name: &str) -> Attr {
    Attr::Valueless { name: name.into() }
}

pub(crate) fn dynamic(name: &str, code: &str) -> Attr {
    Attr::Dynamic { name: name.into(), hole: hole(code) }
}

/// A static `inner_html` that Leptos sets as the `innerHTML` property.
pub(crate) fn inner(html: &str) -> Attr {
    Attr::InnerHtml { value: html.into() }
}

pub(crate) fn spread(code: &str) -> Attr {
    Attr::Spread { hole: hole(code) }
}

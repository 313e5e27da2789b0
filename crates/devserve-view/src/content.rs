//! Elements whose children come from a DOM property rather than from the view.
//!
//! What Leptos 0.8 does with `inner_html=..` depends on how it renders the element:
//!
//! - an element it builds (a view's root, a root of a component's children, an element holding
//!   code, every element of a view with a `class = ..` prefix) gets its `innerHTML` property set,
//!   and the server renders the HTML verbatim in place of the element's children;
//! - an element that the `view!` macro compiles into an inert HTML string (a static element
//!   below the top of a view, see [`crate::render`]) gets a plain attribute named `inner_html`,
//!   escaped like any other, and so does a custom element (a tag with a `-`), built or not.
//!
//! A static `inner_html` of the first kind becomes [`Attr::InnerHtml`] when a view is parsed, so
//! the rest of the crate reads the DOM from the model. `prop:innerHTML`, `prop:textContent` and
//! `prop:innerText` replace an element's children too, in the browser (the server renders
//! nothing for a `prop:`); their values are code.

use crate::render::Parent;
use crate::{Attr, Element, Node, ViewTree};

/// The `prop:` names whose property replaces an element's children.
const CONTENT_PROPS: [&str; 3] = ["innerHTML", "textContent", "innerText"];

/// Turn every static `inner_html` that Leptos sets as the `innerHTML` property into
/// [`Attr::InnerHtml`]; those it writes as an attribute stay [`Attr::Static`].
pub(crate) fn resolve_inner_html(tree: &mut ViewTree) {
    resolve(&mut tree.nodes, Parent::Root, tree.class_prefix.is_some());
}

/// `all_built`: the view has a class prefix, which turns Leptos's inert HTML off.
fn resolve(nodes: &mut [Node], parent: Parent, all_built: bool) {
    for node in nodes {
        match node {
            Node::Element(el) => {
                let children = parent.of_children(el);
                let built = all_built || !matches!(children, Parent::Inert { .. });
                if built && !is_custom(&el.tag) {
                    for attr in &mut el.attrs {
                        if let Attr::Static { name, value } = attr
                            && name == "inner_html"
                        {
                            *attr = Attr::InnerHtml { value: std::mem::take(value) };
                        }
                    }
                }
                resolve(&mut el.children, children, all_built);
            }
            Node::Component(component) => resolve(&mut component.children, Parent::Root, all_built),
            Node::Text { .. } | Node::Block { .. } | Node::Doctype { .. } | Node::Comment { .. } => {}
        }
    }
}

/// The DOM property that gives `el` its children, if one does: `innerHTML` for an `inner_html`
/// that is the property (static, or dynamic on an element that is not custom), or the property of
/// a `prop:innerHTML`, `prop:textContent` or `prop:innerText`.
pub(crate) fn content_prop(el: &Element) -> Option<&str> {
    el.attrs.iter().find_map(|attr| match attr {
        Attr::InnerHtml { .. } => Some("innerHTML"),
        Attr::Dynamic { name, .. } if name == "inner_html" && !is_custom(&el.tag) => Some("innerHTML"),
        Attr::Dynamic { name, .. } => name.strip_prefix("prop:").filter(|prop| CONTENT_PROPS.contains(prop)),
        Attr::Static { .. } | Attr::Valueless { .. } | Attr::Spread { .. } => None,
    })
}

/// The static HTML of `el`'s `innerHTML` property ([`Attr::InnerHtml`]).
pub(crate) fn inner_html(el: &Element) -> Option<&str> {
    el.attrs.iter().find_map(|attr| match attr {
        Attr::InnerHtml { value } => Some(value.as_str()),
        _ => None,
    })
}

/// A custom element: Leptos writes any attribute of it as it is, `inner_html` included.
fn is_custom(tag: &str) -> bool {
    tag.contains('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pos;
    use crate::test_trees::*;

    /// Parse `body` as the only view of a function and list, in pre-order, each element that has
    /// an `inner_html`: `tag: property` or `tag: attribute`.
    #[track_caller]
    fn check(body: &str, expected: &[&str]) {
        let source = format!("fn app() -> impl IntoView {{ view! {{ {body} }} }}");
        let file = crate::extract("src/app.rs", &source);
        let tree = file.views[0].tree.clone().expect("the view parses");
        fn walk(nodes: &[Node], out: &mut Vec<String>) {
            for node in nodes {
                match node {
                    Node::Element(el) => {
                        for attr in &el.attrs {
                            match attr {
                                Attr::InnerHtml { .. } => out.push(format!("{}: property", el.tag)),
                                Attr::Static { name, .. } if name == "inner_html" => {
                                    out.push(format!("{}: attribute", el.tag));
                                }
                                _ => {}
                            }
                        }
                        walk(&el.children, out);
                    }
                    Node::Component(component) => walk(&component.children, out),
                    _ => {}
                }
            }
        }
        let mut actual = Vec::new();
        walk(&tree.nodes, &mut actual);
        assert_eq!(actual, expected, "{body}");
    }

    #[test]
    fn inner_html_is_the_property_where_leptos_builds_the_element() {
        // What Leptos 0.8.20's `view!` renders for each (checked with `to_html()`).
        check(r#"<div inner_html="<i>x</i>"/>"#, &["div: property"]);
        check(r#"<main><div inner_html="<i>x</i>"/></main>"#, &["div: attribute"]);
        check(r#"<main><div on:click=go inner_html="<i>x</i>"/></main>"#, &["div: property"]);
        check(r#"<main on:click=go><div inner_html="<i>x</i>"/></main>"#, &["div: attribute"]);
        check(r#"<Card><div inner_html="<i>x</i>"/></Card>"#, &["div: property"]);
        check(r#"<my-el inner_html="<i>x</i>"/>"#, &["my-el: attribute"]);
        check(r#"<main>{x}<svg><g inner_html="<b>q</b>"></g></svg></main>"#, &["g: attribute"]);
        check(r#"<main>{x}<math inner_html="<mi>q</mi>"></math></main>"#, &["math: property"]);
        check(r#"class = STYLE, <main><div inner_html="<i>x</i>"/></main>"#, &["div: property"]);
        check(r#"<main><div inner_html=html/></main>"#, &[]);
    }

    #[test]
    fn content_props() {
        let prop = |attrs| {
            content_prop(&Element { tag: "div".into(), attrs, children: vec![], pos: Pos::default() })
                .map(str::to_owned)
        };
        assert_eq!(prop(vec![Attr::InnerHtml { value: "<i>x</i>".into() }]).as_deref(), Some("innerHTML"));
        assert_eq!(prop(vec![dynamic("inner_html", "html")]).as_deref(), Some("innerHTML"));
        assert_eq!(prop(vec![dynamic("prop:textContent", "t")]).as_deref(), Some("textContent"));
        assert_eq!(prop(vec![dynamic("prop:value", "v"), stat("inner_html", "x")]), None);
        let custom = Element {
            tag: "my-el".into(),
            attrs: vec![dynamic("inner_html", "html")],
            children: vec![],
            pos: Pos::default(),
        };
        assert_eq!(content_prop(&custom), None);
    }
}

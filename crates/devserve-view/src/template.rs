//! The wire form of a view's static shape, for the client.
//!
//! The template lists what Leptos renders, node for node: elements with the static attributes the
//! DOM shows verbatim, static text, and a hole for everything decided at run time. `<!-- -->`
//! comments written in a view are left out because the `view!` macro drops them, so template
//! paths count the same nodes as the DOM.

use crate::content::content_prop;
use crate::shape::{ViewCtx, rendered, static_attrs};
use crate::{Node, TemplateNode, ViewTree};

/// The template the client matches against the DOM.
///
/// - An element becomes [`TemplateNode::El`] with its static and valueless attributes only:
///   dynamic attributes and spreads may have any value in the DOM, and a static `class`/`style`
///   that code also writes (`class:x=..`, `style:x=..`, a spread, a `class = ..` view prefix) is
///   left out for the same reason. An element whose children a DOM property sets (`inner_html`,
///   `prop:innerHTML`, `prop:textContent`, `prop:innerText`) names that property in
///   `content_prop` and lists no children: the DOM's are not the view's.
/// - Static text becomes [`TemplateNode::Text`].
/// - A `{block}` becomes a [`TemplateNode::Hole`], and so does `<!DOCTYPE ..>` (the document's
///   doctype node, which no patch may touch).
/// - A component becomes a [`TemplateNode::Component`] carrying its children's template, which
///   `diff` addresses through the component's index.
pub fn template(tree: &ViewTree) -> Vec<TemplateNode> {
    nodes_template(&tree.nodes, ViewCtx::of(tree))
}

/// The template of a list of sibling nodes.
pub(crate) fn nodes_template(nodes: &[Node], ctx: ViewCtx) -> Vec<TemplateNode> {
    rendered(nodes).map(|node| node_template(node, ctx)).collect()
}

/// The template of one rendered node (not a comment).
pub(crate) fn node_template(node: &Node, ctx: ViewCtx) -> TemplateNode {
    match node {
        Node::Element(el) => {
            let content_prop = content_prop(el);
            TemplateNode::El {
                tag: el.tag.clone(),
                attrs: static_attrs(el, ctx)
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value.map(str::to_owned)))
                    .collect(),
                children: match content_prop {
                    Some(_) => Vec::new(),
                    None => nodes_template(&el.children, ctx),
                },
                content_prop: content_prop.map(str::to_owned),
            }
        }
        Node::Text { text } => TemplateNode::Text { v: text.clone() },
        Node::Component(component) => TemplateNode::Component {
            name: component.name.clone(),
            children: nodes_template(&component.children, ctx),
        },
        Node::Block { .. } | Node::Doctype { .. } | Node::Comment { .. } => TemplateNode::Hole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_trees::*;

    fn check(tree: ViewTree, expected: &str) {
        let actual = serde_json::to_string(&template(&tree)).unwrap();
        assert_eq!(actual, expected);
    }

    #[test]
    fn element_keeps_static_and_valueless_attributes_in_source_order() {
        check(
            view(vec![el(
                "input",
                vec![stat("type", "checkbox"), dynamic("on:click", "move |_| ()"), bare("checked")],
                vec![],
            )]),
            r#"[{"t":"el","tag":"input","attrs":[["type","checkbox"],["checked",null]],"children":[]}]"#,
        );
    }

    #[test]
    fn text_blocks_and_components() {
        check(
            view(vec![el(
                "p",
                vec![],
                vec![
                    text("Count: "),
                    block("{count}"),
                    component("Card", vec![el("span", vec![], vec![text("inside")])]),
                ],
            )]),
            r#"[{"t":"el","tag":"p","attrs":[],"children":[{"t":"text","v":"Count: "},{"t":"hole"},{"t":"component","name":"Card","children":[{"t":"el","tag":"span","attrs":[],"children":[{"t":"text","v":"inside"}]}]}]}]"#,
        );
    }

    #[test]
    fn comments_are_left_out_and_doctype_is_a_hole() {
        check(
            view(vec![doctype("html"), comment(" the page "), el("html", vec![], vec![])]),
            r#"[{"t":"hole"},{"t":"el","tag":"html","attrs":[],"children":[]}]"#,
        );
    }

    #[test]
    fn class_written_by_code_is_left_out() {
        check(
            view(vec![el(
                "li",
                vec![stat("class", "item"), dynamic("class:done", "done"), stat("style", "a: b")],
                vec![],
            )]),
            r#"[{"t":"el","tag":"li","attrs":[["style","a: b"]],"children":[]}]"#,
        );
        let mut prefixed = view(vec![el("li", vec![stat("class", "item"), stat("id", "x")], vec![])]);
        prefixed.class_prefix = Some(hole("STYLE"));
        check(prefixed, r#"[{"t":"el","tag":"li","attrs":[["id","x"]],"children":[]}]"#);
    }

    #[test]
    fn children_set_by_a_property_are_left_out() {
        check(
            view(vec![el("div", vec![stat("class", "note"), inner("<i>one</i>")], vec![])]),
            r#"[{"t":"el","tag":"div","attrs":[["class","note"]],"children":[],"content_prop":"innerHTML"}]"#,
        );
        check(
            view(vec![el("div", vec![dynamic("inner_html", "move || html.get()")], vec![])]),
            r#"[{"t":"el","tag":"div","attrs":[],"children":[],"content_prop":"innerHTML"}]"#,
        );
        check(
            view(vec![el("p", vec![dynamic("prop:textContent", "label")], vec![text("fallback")])]),
            r#"[{"t":"el","tag":"p","attrs":[],"children":[],"content_prop":"textContent"}]"#,
        );
        // Inert HTML and custom elements: `inner_html` is an attribute, the children are the view's.
        check(
            view(vec![el("my-el", vec![stat("inner_html", "<i>x</i>")], vec![text("kid")])]),
            r#"[{"t":"el","tag":"my-el","attrs":[["inner_html","<i>x</i>"]],"children":[{"t":"text","v":"kid"}]}]"#,
        );
    }

    #[test]
    fn raw_identifier_attribute_names_lose_their_prefix() {
        check(
            view(vec![el("label", vec![stat("r#for", "name")], vec![])]),
            r#"[{"t":"el","tag":"label","attrs":[["for","name"]],"children":[]}]"#,
        );
    }
}

//! Static HTML of a subtree, as Leptos 0.8 SSR renders it.
//!
//! Leptos renders a static element in one of two ways, and the output differs in details the
//! client can see (text-node separators, attribute order, `class`/`style` normalisation):
//!
//! - **Inert**: an element below the top of a view whose whole subtree is static markup (string
//!   attribute values, text, elements; no comments), which has attributes or children and is not
//!   MathML, is compiled into one HTML string: attributes in source order (`inner_html` too,
//!   as an attribute), text escaped with `&`, `<`, `>` (not inside `script`, `style`,
//!   `textarea`), attribute values with `&`, `<`, `>`, `"`.
//! - **Built** by tachys element by element otherwise (view roots, component children, MathML,
//!   elements holding code): `class` values are joined and trimmed and `style` values get a `;`,
//!   both written after the other attributes; adjacent text nodes are separated by `<!>`, and empty
//!   text renders as one space. A non-empty `innerHTML` property ([`Attr::InnerHtml`]) is written
//!   verbatim in place of the children.
//!
//! Void elements (`<br>`, `<img>`, ..) have no closing tag; any other self-closed element gets
//! one. Valueless attributes render as the bare name. Comments render nothing.

use crate::shape::dom_name;
use crate::{Attr, Element, Node};

/// How the parent of a node renders its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parent {
    /// The view's roots, or a component's children: elements are built, never inert.
    Root,
    /// An element built by tachys: a child element is inert when it qualifies.
    Built {
        /// `script`/`style` content is written as is.
        raw_text: bool,
    },
    /// An element inside an inert string: everything below is inert too.
    Inert {
        /// `script`/`style`/`textarea` content is written as is.
        raw_text: bool,
    },
}

impl Parent {
    /// How `el`, rendered as a child of `self`, renders its own children.
    pub(crate) fn of_children(self, el: &Element) -> Parent {
        let inert = match self {
            Parent::Inert { .. } => true,
            Parent::Root => false,
            Parent::Built { .. } => is_inert(el),
        };
        if inert {
            Parent::Inert { raw_text: matches!(el.tag.as_str(), "script" | "style" | "textarea") }
        } else {
            Parent::Built { raw_text: matches!(el.tag.as_str(), "script" | "style") }
        }
    }
}

/// Render a static node (no holes) to HTML, as Leptos renders it as a child of an element that
/// holds code. Holes render nothing: their output is only known when the app runs.
pub fn render_html(node: &Node) -> String {
    render_in(node, Parent::Built { raw_text: false })
}

/// Render `node` as a child of `parent`.
pub(crate) fn render_in(node: &Node, parent: Parent) -> String {
    let mut out = String::new();
    render_node(node, parent, &mut false, &mut out);
    out
}

/// `after_text`: the sibling rendered just before was text (built parents separate the two).
fn render_node(node: &Node, parent: Parent, after_text: &mut bool, out: &mut String) {
    match node {
        Node::Text { text } => {
            let (raw, built) = match parent {
                Parent::Root => (false, true),
                Parent::Built { raw_text } => (raw_text, true),
                Parent::Inert { raw_text } => (raw_text, false),
            };
            if built && *after_text {
                out.push_str("<!>");
            }
            if built && !raw && text.is_empty() {
                out.push(' ');
            } else if raw {
                out.push_str(text);
            } else {
                escape_into(text, false, out);
            }
            *after_text = true;
        }
        Node::Element(el) => {
            let children = parent.of_children(el);
            match children {
                Parent::Inert { .. } => open_inert(el, out),
                Parent::Built { .. } | Parent::Root => open_built(el, out),
            }
            if !is_void(&el.tag) {
                let built = !matches!(children, Parent::Inert { .. });
                match crate::content::inner_html(el) {
                    Some(html) if built && !html.is_empty() => out.push_str(html),
                    _ => {
                        let mut after_text = false;
                        for child in &el.children {
                            render_node(child, children, &mut after_text, out);
                        }
                    }
                }
                out.push_str("</");
                out.push_str(&el.tag);
                out.push('>');
            }
            *after_text = false;
        }
        Node::Doctype { value } => {
            out.push_str("<!DOCTYPE ");
            out.push_str(value);
            out.push('>');
            *after_text = false;
        }
        Node::Comment { .. } | Node::Block { .. } | Node::Component(_) => {}
    }
}

fn open_inert(el: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&el.tag);
    for attr in &el.attrs {
        match attr {
            // Leptos writes a valueless `class` as nothing at all.
            Attr::Valueless { name } if dom_name(name) == "class" => {}
            Attr::Valueless { name } => {
                out.push(' ');
                out.push_str(dom_name(name));
            }
            Attr::Static { name, value } => {
                push_attr(dom_name(name), value, out);
            }
            Attr::InnerHtml { value } => push_attr("inner_html", value, out),
            Attr::Dynamic { .. } | Attr::Spread { .. } => {}
        }
    }
    out.push('>');
}

fn open_built(el: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&el.tag);
    let (mut class, mut style) = (String::new(), String::new());
    for attr in &el.attrs {
        match attr {
            Attr::Static { name, value } if dom_name(name) == "class" => {
                class.push(' ');
                class.push_str(value);
            }
            Attr::Static { name, value } if dom_name(name) == "style" => {
                style.push_str(value);
                style.push(';');
            }
            Attr::Static { name, value } => {
                push_attr(dom_name(name), value, out);
            }
            Attr::Valueless { name } => {
                out.push(' ');
                out.push_str(dom_name(name));
            }
            Attr::Dynamic { .. } | Attr::Spread { .. } | Attr::InnerHtml { .. } => {}
        }
    }
    for (name, value) in [("class", class), ("style", style)] {
        if !value.is_empty() {
            push_attr(name, value.trim(), out);
        }
    }
    out.push('>');
}

/// ` name="value"`, the value escaped.
fn push_attr(name: &str, value: &str, out: &mut String) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape_into(value, true, out);
    out.push('"');
}

/// Whether Leptos compiles `el` (below the top of a view) into one inert HTML string. Only a
/// MathML element is never inert: `leptos_macro` 0.8 compiles a static SVG subtree below the top
/// of a view into inert HTML like any other.
fn is_inert(el: &Element) -> bool {
    fn static_subtree(el: &Element) -> bool {
        el.attrs
            .iter()
            .all(|attr| matches!(attr, Attr::Static { .. } | Attr::Valueless { .. } | Attr::InnerHtml { .. }))
            && el.children.iter().all(|child| match child {
                Node::Text { .. } => true,
                Node::Element(child) => static_subtree(child),
                Node::Block { .. } | Node::Component(_) | Node::Doctype { .. } | Node::Comment { .. } => {
                    false
                }
            })
    }
    let empty = el.attrs.is_empty() && el.children.is_empty();
    !empty && !is_mathml(&el.tag) && static_subtree(el)
}

/// Elements without a closing tag (Leptos's list).
fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// MathML elements the `view!` macro recognises.
fn is_mathml(tag: &str) -> bool {
    const MATHML: [&str; 31] = [
        "annotation",
        "maction",
        "math",
        "menclose",
        "merror",
        "mfenced",
        "mfrac",
        "mi",
        "mmultiscripts",
        "mn",
        "mo",
        "mover",
        "mpadded",
        "mphantom",
        "mprescripts",
        "mroot",
        "mrow",
        "ms",
        "mspace",
        "msqrt",
        "mstyle",
        "msub",
        "msubsup",
        "msup",
        "mtable",
        "mtd",
        "mtext",
        "mtr",
        "munder",
        "munderover",
        "semantics",
    ];
    MATHML.binary_search(&tag).is_ok()
}

/// `html_escape::encode_text` (`&`, `<`, `>`), plus `"` for double-quoted attribute values
/// (`encode_double_quoted_attribute`), as Leptos uses them.
fn escape_into(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_trees::*;

    /// Render `node` as a child of an element holding code (what [`render_html`] does).
    fn check(node: Node, expected: &str) {
        assert_eq!(render_html(&node), expected);
    }

    fn check_in(node: Node, parent: Parent, expected: &str) {
        assert_eq!(render_in(&node, parent), expected);
    }

    #[test]
    fn text_is_escaped() {
        check(text(r#"Tom & "Jerry" <3 > 2"#), r#"Tom &amp; "Jerry" &lt;3 &gt; 2"#);
        check(text("caf\u{e9} \u{1f600}"), "caf\u{e9} \u{1f600}");
    }

    #[test]
    fn attribute_values_are_escaped() {
        check(
            el("a", vec![stat("title", r#"say "hi" & <go>"#), stat("href", "/?a=1&b=2")], vec![]),
            r#"<a title="say &quot;hi&quot; &amp; &lt;go&gt;" href="/?a=1&amp;b=2"></a>"#,
        );
    }

    #[test]
    fn void_elements_have_no_closing_tag() {
        check(el("br", vec![], vec![]), "<br>");
        check(
            el("img", vec![stat("src", "/a.png"), stat("alt", "A")], vec![]),
            r#"<img src="/a.png" alt="A">"#,
        );
        check(
            el("input", vec![stat("type", "text"), bare("disabled")], vec![]),
            r#"<input type="text" disabled>"#,
        );
        for tag in ["meta", "link", "hr", "area", "base", "col", "embed", "source", "track", "wbr", "param"] {
            check(el(tag, vec![], vec![]), &format!("<{tag}>"));
        }
    }

    #[test]
    fn self_closed_non_void_elements_get_a_closing_tag() {
        check(el("div", vec![], vec![]), "<div></div>");
        check(el("my-widget", vec![stat("size", "2")], vec![]), r#"<my-widget size="2"></my-widget>"#);
    }

    #[test]
    fn valueless_attributes_render_as_the_bare_name() {
        check(
            el("button", vec![bare("disabled"), stat("type", "submit")], vec![text("Go")]),
            r#"<button disabled type="submit">Go</button>"#,
        );
    }

    #[test]
    fn nested_static_markup_renders_inert_in_source_order() {
        check(
            el(
                "p",
                vec![stat("style", "color: red"), stat("class", " intro "), stat("id", "p1")],
                vec![text("Hello "), el("b", vec![], vec![text("world")]), text("!"), text("?")],
            ),
            r#"<p style="color: red" class=" intro " id="p1">Hello <b>world</b>!?</p>"#,
        );
    }

    #[test]
    fn view_roots_are_built_by_tachys() {
        check_in(
            el(
                "p",
                vec![stat("style", "color: red"), stat("class", " intro "), stat("id", "p1")],
                vec![
                    text("Hello "),
                    el("b", vec![stat("class", "x")], vec![text("world")]),
                    text("!"),
                    text(""),
                ],
            ),
            Parent::Root,
            r#"<p id="p1" class="intro" style="color: red;">Hello <b class="x">world</b>!<!> </p>"#,
        );
        check_in(text("a < b"), Parent::Root, "a &lt; b");
    }

    #[test]
    fn comments_render_nothing_and_make_a_subtree_built() {
        check(
            el("ul", vec![], vec![comment("first"), el("li", vec![], vec![text("a")]), text("b"), text("c")]),
            "<ul><li>a</li>b<!>c</ul>",
        );
    }

    #[test]
    fn svg_renders_as_is() {
        check(
            el(
                "svg",
                vec![stat("viewBox", "0 0 10 10")],
                vec![
                    el("path", vec![stat("d", "M0 0L10 10")], vec![]),
                    el("text", vec![stat("x", "1")], vec![text("a<b")]),
                ],
            ),
            r#"<svg viewBox="0 0 10 10"><path d="M0 0L10 10"></path><text x="1">a&lt;b</text></svg>"#,
        );
    }

    #[test]
    fn script_and_style_content_is_not_escaped() {
        check(el("script", vec![], vec![text("if (a < b && c) {}")]), "<script>if (a < b && c) {}</script>");
        check(
            el("style", vec![stat("id", "s")], vec![text("a > b {}")]),
            r#"<style id="s">a > b {}</style>"#,
        );
        check(el("textarea", vec![stat("id", "t")], vec![text("<b>")]), r#"<textarea id="t"><b></textarea>"#);
        check_in(el("textarea", vec![], vec![text("<b>")]), Parent::Root, "<textarea>&lt;b&gt;</textarea>");
    }

    #[test]
    fn svg_below_the_top_is_inert_and_mathml_is_built() {
        // As Leptos 0.8.20 renders `<main>{x}<svg ..>..</svg><math ..>..</math></main>`.
        check(
            el(
                "svg",
                vec![stat("class", " a "), stat("style", "x:y"), stat("id", "i")],
                vec![
                    el(
                        "g",
                        vec![stat("class", " c "), stat("id", "d"), stat("inner_html", "<b>q</b>")],
                        vec![],
                    ),
                    el("text", vec![], vec![text("a"), text("b")]),
                ],
            ),
            r#"<svg class=" a " style="x:y" id="i"><g class=" c " id="d" inner_html="&lt;b&gt;q&lt;/b&gt;"></g><text>ab</text></svg>"#,
        );
        check(
            el(
                "math",
                vec![stat("class", " a "), stat("id", "i")],
                vec![el("mi", vec![stat("class", " c "), stat("id", "d")], vec![text("a"), text("b")])],
            ),
            r#"<math id="i" class="a"><mi id="d" class="c">a<!>b</mi></math>"#,
        );
    }

    #[test]
    fn inner_html_is_the_content_of_a_built_element_and_an_attribute_of_an_inert_one() {
        // As Leptos 0.8.20 renders `<div inner_html=".."/>` as a view root and below the top.
        check_in(
            el("div", vec![stat("class", "note"), inner("a &amp; <b>b</b>")], vec![]),
            Parent::Root,
            r#"<div class="note">a &amp; <b>b</b></div>"#,
        );
        check_in(el("div", vec![inner("")], vec![]), Parent::Root, "<div></div>");
        check(
            el("div", vec![stat("inner_html", "<i>one</i>")], vec![]),
            r#"<div inner_html="&lt;i&gt;one&lt;/i&gt;"></div>"#,
        );
    }

    #[test]
    fn doctype_and_raw_identifier_names() {
        check(doctype("html"), "<!DOCTYPE html>");
        check(el("label", vec![stat("r#for", "x")], vec![]), r#"<label for="x"></label>"#);
    }
}

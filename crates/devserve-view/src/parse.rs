//! Parse the tokens of one `view!` into a [`crate::ViewTree`].
//!
//! A hand-written recursive-descent parser for the syntax of Leptos 0.1 to 0.8 (rstml's grammar,
//! see [`crate::markup`] for tags, names and attributes):
//!
//! - nodes: elements, void elements (`<br>`), components and slots, fragments `<>..</>` (whose
//!   children join their parent's), `<!DOCTYPE ..>`, `<!-- .. -->`, `{block}`, `"quoted"` and
//!   `r#"raw"#` text, and unquoted text (a run of any other tokens);
//! - the view may open with `cx,` (Leptos <= 0.4) and `class = STYLE,`.
//!
//! Every hole is handed to the [`Scanner`], which writes its code into the view's skeleton
//! record (finding views nested in it). Errors carry a message and the position of the token
//! where parsing stopped; the parser never panics and nests no deeper than [`MAX_NESTING`].

use proc_macro2::{Delimiter, Span, TokenTree};

use crate::extract::MAX_NESTING;
use crate::fingerprint::fingerprint;
use crate::literal::string_value;
use crate::markup::{
    Error, Input, Name, RawAttr, Result, attributes, close_tag, doctype_or_comment, generics, is_punct,
    is_void, name, open_tag_rest, skip_void_close,
};
use crate::scan::Scanner;
use crate::skeleton::{HOLE, Out, PROP, What};
use crate::source::{Source, abbreviate, pos};
use crate::{Attr, Component, Element, Hole, Node, ViewError, ViewTree};

/// A parsed view.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) tree: ViewTree,
    /// Whether Leptos wraps it in hot-reload markers: it has several roots, or one element or
    /// component root.
    pub(crate) marked: bool,
}

/// Parse the tokens of a `view!` group (whose closing delimiter is at `end`), writing its holes
/// into `record`.
pub(crate) fn parse_view(
    tokens: &[TokenTree],
    end: Span,
    scan: &mut Scanner<'_>,
    record: &mut Out,
) -> std::result::Result<Parsed, ViewError> {
    let mut input = Input::new(tokens, end);
    let mut parser = ViewParser { scan, record };
    parser.view(&mut input).map_err(|error| ViewError { message: error.message, pos: pos(error.span) })
}

/// What a hole stands for, for its skeleton record and messages.
#[derive(Debug, Clone, Copy)]
enum Role<'a> {
    Scope,
    Class,
    Block,
    Attr(&'a str),
    Spread,
}

/// Kinds of root nodes, to tell whether Leptos marks the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An element or a component.
    Tag,
    /// Anything else: text, block, fragment, comment, doctype, `<{..} ../>` spread.
    Other,
}

struct ViewParser<'p, 's> {
    scan: &'p mut Scanner<'s>,
    record: &'p mut Out,
}

impl ViewParser<'_, '_> {
    fn view(&mut self, input: &mut Input<'_>) -> Result<Parsed> {
        let mut tree = ViewTree { cx: self.scope(input), ..ViewTree::default() };
        tree.class_prefix = self.class_prefix(input)?;
        let mut kinds = Vec::new();
        while !input.is_empty() {
            if input.puncts("</") {
                return Err(input.error("closing tag without an open tag"));
            }
            kinds.push(self.node(input, &mut tree.nodes)?);
        }
        crate::content::resolve_inner_html(&mut tree);
        let marked = match kinds.as_slice() {
            [] => false,
            [kind] => *kind == Kind::Tag,
            _ => true,
        };
        Ok(Parsed { tree, marked })
    }

    /// `cx,` (Leptos <= 0.4), when a view follows it.
    fn scope(&mut self, input: &mut Input<'_>) -> Option<Hole> {
        let (Some(scope @ TokenTree::Ident(ident)), true) =
            (input.peek(), is_punct(input.tokens.get(input.at + 1), ','))
        else {
            return None;
        };
        let next = input.tokens.get(input.at + 2);
        let view_follows = match next {
            None => true,
            Some(TokenTree::Punct(punct)) => punct.as_char() == '<',
            Some(TokenTree::Ident(ident)) => ident == "class",
            Some(TokenTree::Group(group)) => group.delimiter() == Delimiter::Brace,
            Some(TokenTree::Literal(_)) => string_value(next).is_some(),
        };
        if ident == "class" || !view_follows {
            return None;
        }
        input.at += 2;
        Some(self.hole(std::slice::from_ref(scope), Role::Scope, scope.span()))
    }

    /// `class = STYLE,` (the view's class, added to every element).
    fn class_prefix(&mut self, input: &mut Input<'_>) -> Result<Option<Hole>> {
        let is_prefix = matches!(input.peek(), Some(TokenTree::Ident(ident)) if ident == "class")
            && is_punct(input.tokens.get(input.at + 1), '=')
            && !is_punct(input.tokens.get(input.at + 2), '=');
        if !is_prefix {
            return Ok(None);
        }
        input.at += 1;
        let eq = input.eat('=')?;
        let start = input.at;
        while !input.puncts(",") {
            if input.is_empty() || input.puncts("<") {
                return Err(Error {
                    message:
                        "a view class needs a comma after its value: `view! { class = STYLE, <div>..</div> }`"
                            .to_owned(),
                    span: eq,
                });
            }
            input.bump();
        }
        let value = input.since(start);
        input.bump();
        Ok(Some(self.hole(value, Role::Class, eq)))
    }

    /// Nodes up to a closing tag or the end, one level deeper.
    fn children(&mut self, input: &mut Input<'_>, out: &mut Vec<Node>) -> Result<()> {
        if self.scan.depth >= MAX_NESTING {
            return Err(input.error(format!("view nested more than {MAX_NESTING} levels deep")));
        }
        self.scan.depth += 1;
        let mut result = Ok(());
        while result.is_ok() && !input.is_empty() && !input.puncts("</") {
            result = self.node(input, out).map(drop);
        }
        self.scan.depth -= 1;
        result
    }

    /// One node (a fragment adds its children to `out`).
    fn node(&mut self, input: &mut Input<'_>, out: &mut Vec<Node>) -> Result<Kind> {
        let Some(token) = input.peek() else { return Err(input.error("expected a node")) };
        if is_punct(Some(token), '<') {
            if input.puncts("<!") {
                out.push(doctype_or_comment(self.scan.src, input)?);
                return Ok(Kind::Other);
            }
            if input.puncts("<>") {
                self.fragment(input, out)?;
                return Ok(Kind::Other);
            }
            let (node, kind) = self.tag(input)?;
            out.push(node);
            return Ok(kind);
        }
        if input.brace() {
            input.bump();
            let hole = self.hole(std::slice::from_ref(token), Role::Block, token.span());
            out.push(Node::Block { hole });
        } else if let Some(text) = string_value(Some(token)) {
            input.bump();
            out.push(Node::Text { text });
        } else {
            let start = input.at;
            while !input.is_empty()
                && !input.puncts("<")
                && !input.brace()
                && string_value(input.peek()).is_none()
            {
                input.bump();
            }
            out.push(Node::Text { text: self.scan.src.spaced(input.since(start)) });
        }
        Ok(Kind::Other)
    }

    /// `<>..</>`: its children join `out`.
    fn fragment(&mut self, input: &mut Input<'_>, out: &mut Vec<Node>) -> Result<()> {
        let open = input.eat('<')?;
        input.eat('>')?;
        self.children(input, out)?;
        if input.is_empty() {
            return Err(Error { message: "fragment `<>` has no closing `</>`".to_owned(), span: open });
        }
        input.eat('<')?;
        input.eat('/')?;
        if !input.puncts(">") {
            return Err(input.error("expected `</>` to close the fragment `<>`"));
        }
        input.eat('>')?;
        Ok(())
    }

    /// An element or a component, with its children.
    fn tag(&mut self, input: &mut Input<'_>) -> Result<(Node, Kind)> {
        input.eat('<')?;
        let name = name(input)?;
        let generics = if input.puncts("<") { generics(input)? } else { &[] };
        let (attr_tokens, self_closing, end) = open_tag_rest(input, &name)?;
        let attrs = attributes(attr_tokens, end)?;

        if name.is_component() {
            let (mut component, kind) = self.component_head(&name, generics, attrs);
            if !self_closing {
                self.children(input, &mut component.children)?;
                close_tag(input, &name)?;
            }
            self.record.text.push(HOLE);
            self.record.text.push('/');
            return Ok((Node::Component(component), kind));
        }

        let attrs = attrs.into_iter().map(|attr| self.element_attr(attr)).collect();
        let mut element =
            Element { tag: name.text.clone(), attrs, children: Vec::new(), pos: pos(name.span()) };
        if is_void(&name.text) && !self_closing {
            skip_void_close(input, &name);
        } else if !self_closing {
            self.children(input, &mut element.children)?;
            close_tag(input, &name)?;
        }
        Ok((Node::Element(element), Kind::Tag))
    }

    /// A component's name, generics and props: one hole record.
    fn component_head(
        &mut self,
        name: &Name<'_>,
        generics: &[TokenTree],
        attrs: Vec<RawAttr<'_>>,
    ) -> (Component, Kind) {
        let src = self.scan.src;
        // The record is written in place: the hole marker, then its code (`c`, name, generics,
        // props), which the fingerprint covers.
        let start = self.record.text.len();
        self.record.text.push(HOLE);
        let code_start = self.record.text.len();
        self.record.text.push('c');
        self.record.text.push_str(&name.text);
        self.scan.hole_code(generics, self.record);
        let mut props = Vec::with_capacity(attrs.len());
        let mut last = generics.last().map_or_else(|| name.last_span(), TokenTree::span);
        for attr in attrs {
            self.record.text.push(PROP);
            let prop = match attr {
                RawAttr::Block(block) => {
                    last = block.span();
                    let tokens = std::slice::from_ref(block);
                    let code = self.scan.hole_code(tokens, self.record);
                    Attr::Spread { hole: plain_hole(src, tokens, code, last) }
                }
                RawAttr::Keyed { name: prop, value: tokens } => {
                    let tokens = tokens.unwrap_or_default();
                    last = tokens.last().map_or_else(|| prop.last_span(), TokenTree::span);
                    self.record.text.push_str(&prop.text);
                    self.record.text.push('=');
                    let code = self.scan.hole_code(tokens, self.record);
                    keyed_attr(prop, tokens, |name, tokens| plain_hole(src, tokens, code, name.span()))
                }
            };
            props.push(prop);
        }
        let first = name.span();
        let written = if name.block.is_some() { src.slice(first, name.last_span()) } else { &name.text };
        let shown_name = match (generics.first(), generics.last()) {
            (Some(open), Some(close)) => format!("{written}{}", src.slice(open.span(), close.span())),
            _ => written.to_owned(),
        };
        let hole = Hole {
            fingerprint: fingerprint(self.record.text.get(code_start..).unwrap_or_default()),
            pos: pos(first),
            text: src.slice(first, last).to_owned(),
        };
        if self.record.diagnosing() {
            self.record.mark(start, hole.pos, What::Hole(format!("component `{shown_name}` props")));
        }
        let kind = if name.is_spread_marker() { Kind::Other } else { Kind::Tag };
        (Component { name: shown_name, hole, props, children: Vec::new() }, kind)
    }

    /// An element's attribute; its code (if any) becomes a hole record.
    fn element_attr(&mut self, attr: RawAttr<'_>) -> Attr {
        match attr {
            RawAttr::Block(block) => {
                Attr::Spread { hole: self.hole(std::slice::from_ref(block), Role::Spread, block.span()) }
            }
            RawAttr::Keyed { name, value } => keyed_attr(name, value.unwrap_or_default(), |name, tokens| {
                self.hole(tokens, Role::Attr(&name.text), name.span())
            }),
        }
    }

    /// A hole of `tokens`, recorded in the view's skeleton record.
    fn hole(&mut self, tokens: &[TokenTree], role: Role<'_>, fallback: Span) -> Hole {
        let start = self.record.text.len();
        self.record.text.push(HOLE);
        match role {
            Role::Scope => self.record.text.push('x'),
            Role::Class => self.record.text.push('k'),
            Role::Block => self.record.text.push('b'),
            Role::Spread => self.record.text.push('s'),
            Role::Attr(name) => {
                self.record.text.push('a');
                self.record.text.push_str(name);
                self.record.text.push('=');
            }
        }
        let code = self.scan.hole_code(tokens, self.record);
        let hole = plain_hole(self.scan.src, tokens, code, fallback);
        if self.record.diagnosing() {
            let shown = abbreviate(&hole.text, 40);
            let what = match role {
                Role::Scope => format!("view scope `{shown}`"),
                Role::Class => format!("view class `{shown}`"),
                Role::Block => format!("`{shown}` block"),
                Role::Spread => format!("spread `{shown}`"),
                Role::Attr(name) => format!("attribute `{name}`"),
            };
            self.record.mark(start, hole.pos, What::Hole(what));
        }
        hole
    }
}

/// `name`, `name="literal"` or `name=code`, with `hole` making the hole of code.
fn keyed_attr<'t>(
    name: Name<'t>,
    tokens: &'t [TokenTree],
    hole: impl FnOnce(&Name<'t>, &'t [TokenTree]) -> Hole,
) -> Attr {
    if name.is_directive() {
        let hole = hole(&name, tokens);
        return Attr::Dynamic { name: name.text, hole };
    }
    match tokens {
        [] => Attr::Valueless { name: name.text },
        [literal] => match string_value(Some(literal)) {
            Some(value) => Attr::Static { name: name.text, value },
            None => {
                let hole = hole(&name, tokens);
                Attr::Dynamic { name: name.text, hole }
            }
        },
        _ => {
            let hole = hole(&name, tokens);
            Attr::Dynamic { name: name.text, hole }
        }
    }
}

/// A hole of `tokens` whose code has the fingerprint `code`.
fn plain_hole(src: &Source<'_>, tokens: &[TokenTree], code: u64, fallback: Span) -> Hole {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => Hole {
            fingerprint: code,
            pos: pos(first.span()),
            text: src.slice(first.span(), last.span()).to_owned(),
        },
        _ => Hole { fingerprint: code, pos: pos(fallback), text: String::new() },
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;
    use crate::skeleton::VIEW;

    /// Parse `body` as a view's tokens: the tree (or error) and the skeleton record, with the
    /// control characters shown as `|` (hole) and `;` (prop).
    fn parse(body: &str) -> (std::result::Result<Parsed, ViewError>, String) {
        let tokens: Vec<TokenTree> = TokenStream::from_str(body).unwrap().into_iter().collect();
        let source = Source::new(body);
        let mut scanner = Scanner::new(&source, false);
        let mut record = scanner.out();
        let parsed = parse_view(&tokens, Span::call_site(), &mut scanner, &mut record);
        let record = record.text.replace(HOLE, "|").replace(PROP, ";").replace(VIEW, "<view>");
        (parsed, record)
    }

    #[test]
    fn holes_are_recorded_in_order_with_their_roles() {
        let (parsed, record) = parse(r#"cx, <p on:click=f class="static">{a}<Card x=1 y>{b}</Card></p>"#);
        assert!(parsed.is_ok());
        assert_eq!(record, "|xcx |aon:click=f |b{a } |cCard;x=1 ;y=|b{b } |/");
    }

    #[test]
    fn static_parts_stay_out_of_the_record() {
        let (_, with_text) = parse(r#"<p class="a">"Hello" {n}</p>"#);
        let (_, other_text) = parse(r#"<div id="b"><span>"Bye"</span> {n}</div>"#);
        assert_eq!(with_text, other_text);
    }

    #[test]
    fn fragments_give_their_children_to_the_parent() {
        let tree = parse(r#"<ul><><li>"a"</li><li>"b"</li></></ul>"#).0.unwrap().tree;
        let Node::Element(list) = &tree.nodes[0] else { panic!("{tree:?}") };
        assert_eq!(list.children.len(), 2);
    }

    #[test]
    fn void_elements_take_no_children() {
        let tree = parse(r#"<br><input type="text"></input>"x""#).0.unwrap().tree;
        assert_eq!(tree.nodes.len(), 3);
        assert!(matches!(&tree.nodes[2], Node::Text { text } if text == "x"));
    }

    #[test]
    fn leptos_marks_element_and_component_roots_and_several_roots() {
        let marked = |body: &str| parse(body).0.unwrap().marked;
        assert!(marked("<p/>"));
        assert!(marked("<Card/>"));
        assert!(marked(r#""a" <p/>"#));
        assert!(!marked(r#""text""#));
        assert!(!marked("{block}"));
        assert!(!marked("<><p/><p/></>"));
        assert!(!marked("<{..} class=\"a\"/>"));
        assert!(!marked(""));
    }

    #[test]
    fn errors_point_at_the_token_where_parsing_stopped() {
        let error = parse("\n  <div>\n    <p>\"x\"</div>").0.unwrap_err();
        assert_eq!(
            (error.message.as_str(), error.pos.line, error.pos.column),
            ("closing tag `</div>` does not match the open tag `<p>`", 3, 12)
        );
    }

    #[test]
    fn nesting_is_capped() {
        let body = format!("{}{}", "<b>".repeat(200), "</b>".repeat(200));
        let error = parse(&body).0.unwrap_err();
        assert_eq!(error.message, format!("view nested more than {MAX_NESTING} levels deep"));
    }

    #[test]
    fn class_prefix_needs_a_comma() {
        assert!(parse(r#"class = STYLE, <p/>"#).0.unwrap().tree.class_prefix.is_some());
        let error = parse("class = STYLE <p/>").0.unwrap_err();
        assert!(error.message.starts_with("a view class needs a comma"), "{error:?}");
    }
}

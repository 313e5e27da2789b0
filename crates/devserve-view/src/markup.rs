//! Reading the markup tokens of a `view!`: tag and attribute names, open and close tags,
//! attribute lists, comments and doctypes. Works on slices of token trees through [`Input`];
//! errors are [`Error`]s with the span where reading stopped.
//!
//! The grammar is rstml's (Leptos's parser):
//!
//! - an open tag ends at its first `>` or `/>` (so `a > b` in an attribute value needs braces,
//!   as in Leptos); an attribute value is one Rust expression (see [`crate::expr`]), a block, or
//!   a `(binding)`;
//! - names are paths (`ui::Card`), single identifiers (keywords included), or identifiers, int
//!   literals and empty parts joined by `:`, `-` and `.` (`on:click:undelegated`, `data-1`,
//!   `style:--gap`); a tag whose name is a path or starts with an uppercase letter is a component
//!   and may carry generics (`<Foo<T> ..>`); a `{..}` tag name is an attribute spread.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Group, Ident, Span, TokenTree};

use crate::Node;
use crate::expr::expr_end;
use crate::literal::string_value;
use crate::source::Source;

/// Elements that never have children or a closing tag.
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr",
];

/// Whether `tag` is a void element (no children, no closing tag).
pub(crate) fn is_void(tag: &str) -> bool {
    VOID_ELEMENTS.contains(&tag)
}

/// Attribute name prefixes whose value is always code, even a string literal.
const DIRECTIVES: [&str; 9] =
    ["on:", "class:", "style:", "prop:", "attr:", "use:", "bind:", "clone:", "let:"];

/// Why a view does not parse, and where.
#[derive(Debug)]
pub(crate) struct Error {
    pub(crate) message: String,
    pub(crate) span: Span,
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

/// A position in a slice of tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'t> {
    pub(crate) tokens: &'t [TokenTree],
    pub(crate) at: usize,
    /// Where errors at the end point.
    end: Span,
}

impl<'t> Input<'t> {
    /// The tokens of a group whose closing delimiter is at `end`.
    pub(crate) fn new(tokens: &'t [TokenTree], end: Span) -> Self {
        Self { tokens, at: 0, end }
    }

    pub(crate) fn peek(&self) -> Option<&'t TokenTree> {
        self.tokens.get(self.at)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.at >= self.tokens.len()
    }

    pub(crate) fn bump(&mut self) -> Option<&'t TokenTree> {
        let token = self.peek();
        self.at += usize::from(token.is_some());
        token
    }

    /// The next tokens are these punctuation chars (spacing ignored).
    pub(crate) fn puncts(&self, chars: &str) -> bool {
        chars.chars().enumerate().all(|(k, ch)| is_punct(self.tokens.get(self.at + k), ch))
    }

    pub(crate) fn brace(&self) -> bool {
        matches!(self.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
    }

    pub(crate) fn span(&self) -> Span {
        self.peek().map_or(self.end, TokenTree::span)
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error { message: message.into(), span: self.span() }
    }

    /// Take the punctuation `ch`.
    pub(crate) fn eat(&mut self, ch: char) -> Result<Span> {
        if is_punct(self.peek(), ch) {
            Ok(self.bump().map_or(self.end, TokenTree::span))
        } else {
            Err(self.error(format!("expected `{ch}`")))
        }
    }

    /// The tokens from `start` to here.
    pub(crate) fn since(&self, start: usize) -> &'t [TokenTree] {
        self.tokens.get(start..self.at).unwrap_or_default()
    }
}

pub(crate) fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

/// A tag or attribute name.
#[derive(Debug)]
pub(crate) struct Name<'t> {
    /// As written, `r#` dropped from identifiers (`on:click`, `ui::Card`, `{..}`).
    pub(crate) text: String,
    pub(crate) tokens: &'t [TokenTree],
    /// `a::b` or a single identifier.
    is_path: bool,
    /// A `{..}` name.
    pub(crate) block: Option<&'t Group>,
}

impl Name<'_> {
    pub(crate) fn span(&self) -> Span {
        self.tokens.first().map_or_else(Span::call_site, TokenTree::span)
    }

    pub(crate) fn last_span(&self) -> Span {
        self.tokens.last().map_or_else(|| self.span(), TokenTree::span)
    }

    pub(crate) fn is_component(&self) -> bool {
        self.block.is_some()
            || (self.is_path && (self.text.contains("::") || self.text.starts_with(char::is_uppercase)))
    }

    pub(crate) fn is_directive(&self) -> bool {
        DIRECTIVES.iter().any(|prefix| self.text.starts_with(prefix))
    }

    /// `{..}`: the attribute-spread tag of Leptos 0.7+.
    pub(crate) fn is_spread_marker(&self) -> bool {
        self.block.is_some_and(|group| {
            let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
            matches!(tokens.as_slice(), [TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == '.' && b.as_char() == '.')
        })
    }
}

/// An attribute as written, before it becomes an [`Attr`].
#[derive(Debug)]
pub(crate) enum RawAttr<'t> {
    /// `name`, `name=value`, `name(binding)`.
    Keyed { name: Name<'t>, value: Option<&'t [TokenTree]> },
    /// `{..attrs}` or any other block.
    Block(&'t TokenTree),
}

/// A tag or attribute name.
pub(crate) fn name<'t>(input: &mut Input<'t>) -> Result<Name<'t>> {
    let start = input.at;
    match input.peek() {
        Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
            input.bump();
            let text = group.to_string();
            return Ok(Name { text, tokens: input.since(start), is_path: false, block: Some(group) });
        }
        Some(TokenTree::Ident(_)) => {}
        Some(TokenTree::Literal(_)) => return Err(input.error("a name must start with a letter")),
        _ => return Err(input.error("expected a tag or attribute name")),
    }
    let mut text = String::with_capacity(16);
    if input.puncts_after(1, "::") {
        // A path: `ui::Card`.
        loop {
            if let Some(TokenTree::Ident(ident)) = input.bump() {
                let _ = write!(text, "{ident}");
            }
            if !(input.puncts("::") && matches!(input.tokens.get(input.at + 2), Some(TokenTree::Ident(_)))) {
                break;
            }
            input.at += 2;
            text.push_str("::");
        }
        return Ok(Name { text, tokens: input.since(start), is_path: true, block: None });
    }
    if !input.separator_after(1) {
        if let Some(TokenTree::Ident(ident)) = input.bump() {
            push_unraw(&mut text, ident);
        }
        return Ok(Name { text, tokens: input.since(start), is_path: true, block: None });
    }
    // Parts joined by `:`, `-`, `.`: `on:click`, `data-1`, `style:--gap`.
    loop {
        match input.peek() {
            Some(TokenTree::Ident(ident)) => {
                push_unraw(&mut text, ident);
                input.bump();
            }
            Some(TokenTree::Literal(literal)) => {
                let digits = literal.to_string();
                if digits.starts_with(|c: char| c.is_ascii_digit()) {
                    text.push_str(&digits);
                    input.bump();
                }
            }
            _ => {}
        }
        if !input.separator_after(0) {
            break;
        }
        if let Some(TokenTree::Punct(punct)) = input.bump() {
            text.push(punct.as_char());
        }
    }
    Ok(Name { text, tokens: input.since(start), is_path: false, block: None })
}

/// Append `ident` to `text` without the `r#` of a raw identifier (`r#type` -> `type`).
fn push_unraw(text: &mut String, ident: &Ident) {
    let start = text.len();
    let _ = write!(text, "{ident}");
    if text.get(start..).is_some_and(|written| written.starts_with("r#")) {
        text.replace_range(start..start + 2, "");
    }
}

impl Input<'_> {
    /// The tokens `offset` ahead are these punctuation chars.
    fn puncts_after(&self, offset: usize, chars: &str) -> bool {
        chars.chars().enumerate().all(|(k, ch)| is_punct(self.tokens.get(self.at + offset + k), ch))
    }

    /// The token `offset` ahead joins name parts: `:` (not `::`), `-` or `.`.
    fn separator_after(&self, offset: usize) -> bool {
        match self.tokens.get(self.at + offset) {
            Some(TokenTree::Punct(punct)) => match punct.as_char() {
                ':' => !self.puncts_after(offset + 1, ":"),
                '-' | '.' => true,
                _ => false,
            },
            _ => false,
        }
    }
}

/// `<T, U>` after a component's name (`->` inside is not a closing `>`).
pub(crate) fn generics<'t>(input: &mut Input<'t>) -> Result<&'t [TokenTree]> {
    let start = input.at;
    let open = input.span();
    let mut depth = 0usize;
    let mut after_dash = false;
    while let Some(token) = input.bump() {
        if let TokenTree::Punct(punct) = token {
            match punct.as_char() {
                '<' => depth += 1,
                '>' if !after_dash => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(input.since(start));
                    }
                }
                _ => {}
            }
            after_dash = punct.as_char() == '-';
        } else {
            after_dash = false;
        }
    }
    Err(Error { message: "generics `<` are not closed with `>`".to_owned(), span: open })
}

/// The rest of an open tag up to `>` or `/>`: its attribute tokens, whether it closes itself,
/// and the span of its end.
pub(crate) fn open_tag_rest<'t>(
    input: &mut Input<'t>,
    name: &Name<'_>,
) -> Result<(&'t [TokenTree], bool, Span)> {
    let start = input.at;
    loop {
        if input.puncts("/>") {
            let attrs = input.since(start);
            input.at += 1;
            return Ok((attrs, true, input.eat('>')?));
        }
        if input.puncts(">") {
            let attrs = input.since(start);
            return Ok((attrs, false, input.eat('>')?));
        }
        if input.bump().is_none() {
            return Err(Error {
                message: format!("open tag `<{}` is not ended with `>`", name.text),
                span: name.span(),
            });
        }
    }
}

/// An open tag's attributes.
pub(crate) fn attributes(tokens: &[TokenTree], end: Span) -> Result<Vec<RawAttr<'_>>> {
    let mut input = Input { tokens, at: 0, end };
    let mut attrs = Vec::new();
    while !input.is_empty() {
        attrs.push(attribute(&mut input)?);
    }
    Ok(attrs)
}

/// One attribute: `name`, `name=value`, `name(binding)`, `{..spread}`.
fn attribute<'t>(input: &mut Input<'t>) -> Result<RawAttr<'t>> {
    if input.brace() {
        let block = input.bump().ok_or_else(|| input.error("expected a block"))?;
        return Ok(RawAttr::Block(block));
    }
    let name = name(input)?;
    if matches!(input.peek(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis) {
        let start = input.at;
        input.bump();
        return Ok(RawAttr::Keyed { name, value: Some(input.since(start)) });
    }
    if !input.puncts("=") {
        return Ok(RawAttr::Keyed { name, value: None });
    }
    let eq = input.eat('=')?;
    if input.is_empty() {
        return Err(Error { message: format!("attribute `{}` has no value after `=`", name.text), span: eq });
    }
    let start = input.at;
    input.at = match expr_end(input.tokens, start) {
        Some(end) => end,
        None => syn_expr_end(input)?,
    };
    Ok(RawAttr::Keyed { name, value: Some(input.since(start)) })
}

/// Where the expression at `input` ends, as syn sees it (for values [`expr_end`] leaves open).
fn syn_expr_end(input: &Input<'_>) -> Result<usize> {
    use syn::parse::{ParseStream, Parser};
    let rest = input.tokens.get(input.at..).unwrap_or_default();
    let parse = |stream: ParseStream<'_>| -> syn::Result<usize> {
        stream.parse::<syn::Expr>()?;
        let remaining: proc_macro2::TokenStream = stream.parse()?;
        Ok(remaining.into_iter().count())
    };
    match parse.parse2(rest.iter().cloned().collect()) {
        Ok(remaining) => Ok(input.tokens.len().saturating_sub(remaining)),
        Err(_) if input.brace() => Ok(input.at + 1),
        Err(error) => {
            let span = error.span();
            let span = if span.byte_range() == (0..0) { input.end } else { span };
            Err(Error { message: error.to_string(), span })
        }
    }
}

/// `</name>` (generics allowed) matching the open tag `name`.
pub(crate) fn close_tag(input: &mut Input<'_>, open: &Name<'_>) -> Result<()> {
    if input.is_empty() {
        return Err(Error {
            message: format!("`<{0}>` has no closing tag `</{0}>`", open.text),
            span: open.span(),
        });
    }
    input.eat('<')?;
    input.eat('/')?;
    if input.puncts(">") {
        return Err(input.error(format!("expected `</{}>`, found `</>`", open.text)));
    }
    let close = name(input)?;
    if input.puncts("<") {
        generics(input)?;
    }
    input.eat('>')?;
    if close.text != open.text {
        return Err(Error {
            message: format!("closing tag `</{}>` does not match the open tag `<{}>`", close.text, open.text),
            span: close.span(),
        });
    }
    Ok(())
}

/// After a void element written without `/>`, skip a `</name>` that closes it.
pub(crate) fn skip_void_close(input: &mut Input<'_>, open: &Name<'_>) {
    let mut ahead = *input;
    let closes = ahead.eat('<').is_ok()
        && ahead.eat('/').is_ok()
        && name(&mut ahead).is_ok_and(|close| close.text == open.text)
        && ahead.eat('>').is_ok();
    if closes {
        *input = ahead;
    }
}

/// `<!DOCTYPE ..>` or `<!-- .. -->`.
pub(crate) fn doctype_or_comment(src: &Source<'_>, input: &mut Input<'_>) -> Result<Node> {
    let open = input.eat('<')?;
    input.eat('!')?;
    if let Some(TokenTree::Ident(keyword)) = input.peek() {
        if !keyword.to_string().eq_ignore_ascii_case("doctype") {
            return Err(input.error("expected `<!DOCTYPE ..>` or `<!-- .. -->`"));
        }
        input.bump();
        let start = input.at;
        while !input.puncts(">") {
            if input.bump().is_none() {
                return Err(Error { message: "`<!DOCTYPE` is not ended with `>`".to_owned(), span: open });
            }
        }
        let value = src.spaced(input.since(start));
        input.eat('>')?;
        return Ok(Node::Doctype { value });
    }
    if !input.puncts("--") {
        return Err(input.error("expected `<!DOCTYPE ..>` or `<!-- .. -->`"));
    }
    input.at += 2;
    let start = input.at;
    while !input.puncts("-->") {
        if input.bump().is_none() {
            return Err(Error { message: "comment `<!--` is not closed with `-->`".to_owned(), span: open });
        }
    }
    let body = input.since(start);
    input.at += 3;
    let text = match body {
        [literal] => string_value(Some(literal)).unwrap_or_else(|| src.spaced(body)),
        _ => src.spaced(body),
    };
    Ok(Node::Comment { text })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;

    fn tokens(src: &str) -> Vec<TokenTree> {
        TokenStream::from_str(src).unwrap().into_iter().collect()
    }

    fn read<T>(src: &str, f: impl FnOnce(&mut Input<'_>) -> T) -> T {
        let tokens = tokens(src);
        f(&mut Input::new(&tokens, Span::call_site()))
    }

    fn name_of(src: &str) -> String {
        read(src, |input| name(input).map(|n| n.text).unwrap_or_else(|e| format!("error: {}", e.message)))
    }

    #[test]
    fn names() {
        assert_eq!(name_of("div class"), "div");
        assert_eq!(name_of("on:click:undelegated=x"), "on:click:undelegated");
        assert_eq!(name_of("data-1=\"a\""), "data-1");
        assert_eq!(name_of("style:--gap=x"), "style:--gap");
        assert_eq!(name_of("xlink:href"), "xlink:href");
        assert_eq!(name_of("ui::widgets::Card title"), "ui::widgets::Card");
        assert_eq!(name_of("r#type=\"a\""), "type");
        assert_eq!(name_of("1x"), "error: a name must start with a letter");
        assert_eq!(name_of("= x"), "error: expected a tag or attribute name");
    }

    #[test]
    fn components_are_paths_or_capitalised() {
        let is_component = |src: &str| read(src, |input| name(input).unwrap().is_component());
        assert!(is_component("Counter"));
        assert!(is_component("ui::card"));
        assert!(is_component("{..}"));
        assert!(!is_component("div"));
        assert!(!is_component("my-widget"));
    }

    /// The attributes of an open tag's tokens, as `name=value` texts.
    fn attrs(src: &str) -> Vec<String> {
        let tokens = tokens(src);
        let show = |t: &[TokenTree]| t.iter().cloned().collect::<TokenStream>().to_string();
        attributes(&tokens, Span::call_site())
            .unwrap()
            .into_iter()
            .map(|attr| match attr {
                RawAttr::Keyed { name, value: None } => name.text,
                RawAttr::Keyed { name, value: Some(value) } => format!("{}={}", name.text, show(value)),
                RawAttr::Block(block) => block.to_string(),
            })
            .collect()
    }

    #[test]
    fn attribute_values_end_where_the_expression_ends() {
        assert_eq!(
            attrs(r#"a=1 b c="x" d=move || e.get() {..f} let(h) i=if x { 1 } else { 2 } j=k"#),
            [
                "a=1",
                "b",
                "c=\"x\"",
                "d=move || e . get ()",
                "{ .. f }",
                "let=(h)",
                "i=if x { 1 } else { 2 }",
                "j=k"
            ]
        );
    }

    #[test]
    fn a_missing_value_is_an_error() {
        let tokens = tokens("value=");
        let error = attributes(&tokens, Span::call_site()).unwrap_err();
        assert_eq!(error.message, "attribute `value` has no value after `=`");
    }

    #[test]
    fn open_tags_end_at_the_first_angle_bracket() {
        let rest = |src: &str| {
            read(src, |input| {
                let name = name(input).unwrap();
                let (attrs, self_closing, _) = open_tag_rest(input, &name).unwrap();
                (attrs.len(), self_closing, input.at)
            })
        };
        assert_eq!(rest("p class=a > b>"), (3, false, 5));
        assert_eq!(rest("br/> x"), (0, true, 3));
    }

    #[test]
    fn close_tags_must_match() {
        let close = |open: &str, src: &str| {
            let open_tokens = tokens(open);
            let open = name(&mut Input::new(&open_tokens, Span::call_site())).unwrap();
            read(src, |input| close_tag(input, &open).map_err(|e| e.message))
        };
        assert_eq!(close("div", "</div>"), Ok(()));
        assert_eq!(close("Foo", "</Foo<T>>"), Ok(()));
        assert_eq!(
            close("div", "</span>"),
            Err("closing tag `</span>` does not match the open tag `<div>`".into())
        );
        assert_eq!(close("div", ""), Err("`<div>` has no closing tag `</div>`".into()));
    }

    #[test]
    fn generics_skip_arrows() {
        let len = |src: &str| read(src, |input| generics(input).map(<[_]>::len).map_err(|e| e.message));
        assert_eq!(len("<F: Fn() -> u8> x"), Ok(9));
        assert_eq!(len("<Vec<T>>"), Ok(6));
        assert_eq!(len("<T"), Err("generics `<` are not closed with `>`".into()));
    }

    #[test]
    fn comments_and_doctypes() {
        let source = "<!-- \"quoted\" --> <!-- two  words --> <!DOCTYPE html>";
        let text = Source::new(source);
        let nodes = read(source, |input| {
            (0..3).map(|_| doctype_or_comment(&text, input).unwrap()).collect::<Vec<_>>()
        });
        assert_eq!(
            nodes,
            [
                Node::Comment { text: "quoted".into() },
                Node::Comment { text: "two words".into() },
                Node::Doctype { value: "html".into() }
            ]
        );
    }
}

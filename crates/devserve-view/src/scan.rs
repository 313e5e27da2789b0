//! Walk code tokens: write them into skeleton text and find every `view!` call among them, at any
//! depth (closures, blocks, other macros' tokens, holes of other views).

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Group, Spacing, Span, TokenTree};

use crate::extract::MAX_NESTING;
use crate::fingerprint::fingerprint;
use crate::items::{Pending, const_start, item_start};
use crate::skeleton::{BROKEN_VIEW, Out, Placed, TOO_DEEP, VIEW, VIEW_END, What};
use crate::source::{Source, pos};
use crate::{Pos, ViewError, ViewTree};

/// A `view!` call found while scanning.
#[derive(Debug)]
pub(crate) struct Found {
    /// Where the macro's path starts.
    pub(crate) pos: Pos,
    /// The innermost item around it (`App`, `impl Foo::render`).
    pub(crate) item: String,
    /// The tree, or why the macro does not parse.
    pub(crate) tree: Result<ViewTree, ViewError>,
    /// Whether Leptos wraps the view in hot-reload markers.
    pub(crate) marked: bool,
    /// Fingerprint of the view's skeleton record.
    pub(crate) fingerprint: u64,
}

/// What scanning a view again, alone, needs to know about the place where it was found: the
/// scanner's state there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Context {
    /// The items around the view, joined (`App`, `impl Foo::render`).
    pub(crate) item: String,
    /// How many of them are function bodies.
    pub(crate) in_fn: usize,
    /// Nesting of groups and view elements at the view.
    pub(crate) depth: usize,
}

/// How tokens at some place are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// The file's own code: views are found, tokens marked when diagnosing.
    File,
    /// Code in a hole of a view: views are found.
    Hole,
    /// Code whose views are not views (a `macro_rules!` body, a view that does not parse).
    Opaque,
}

/// Scans one source; collects the views it finds in source order (outer before nested).
#[derive(Debug)]
pub(crate) struct Scanner<'s> {
    /// The lexed source, for token text.
    pub(crate) src: &'s Source<'s>,
    /// Views found so far.
    pub(crate) views: Vec<Found>,
    /// Current nesting of groups and view elements.
    pub(crate) depth: usize,
    /// The first group nested deeper than [`MAX_NESTING`] (its contents were not scanned).
    pub(crate) too_deep: Option<Span>,
    /// The items around the current token.
    path: Vec<String>,
    /// How many of them are function bodies.
    in_fn: usize,
    /// How many views the current token is inside.
    in_view: usize,
    /// Where each outermost view (one inside no other view) stands, in source order.
    pub(crate) placed: Vec<Placed>,
    diagnose: bool,
}

impl<'s> Scanner<'s> {
    pub(crate) fn new(src: &'s Source<'s>, diagnose: bool) -> Self {
        Self {
            src,
            views: Vec::new(),
            depth: 0,
            too_deep: None,
            path: Vec::new(),
            in_fn: 0,
            in_view: 0,
            placed: Vec::new(),
            diagnose,
        }
    }

    /// Scan the view `group` (whose macro path starts `at`) alone, as if found where `context`
    /// says: its skeleton record and the views found (itself first, then the nested ones).
    /// `None` when it nests too deeply.
    pub(crate) fn lone_view(
        src: &'s Source<'s>,
        context: &Context,
        group: Group,
        at: Pos,
    ) -> Option<(Out, Vec<Found>)> {
        let mut scanner = Self::new(src, false);
        if !context.item.is_empty() {
            scanner.path.push(context.item.clone());
        }
        scanner.in_fn = context.in_fn;
        scanner.depth = context.depth;
        let mut record = scanner.out();
        scanner.view(GroupRef::Owned(group), at, &mut record);
        scanner.too_deep.is_none().then_some((record, scanner.views))
    }

    /// A fresh text to write into.
    pub(crate) fn out(&self) -> Out {
        Out::new(self.diagnose)
    }

    /// Write `tokens` into `out`, replacing each `view!` group with its skeleton record.
    pub(crate) fn code(&mut self, mut tokens: Tokens<'_>, out: &mut Out, level: Level) {
        let mut next_group_opaque = false;
        // The item whose body (or macro group) comes next, and whether a const/static's name is
        // on the path until the next `;`.
        let mut pending: Option<Pending> = None;
        let mut in_const = false;
        let mut i = 0;
        while let Some(token) = tokens.get(i) {
            if level != Level::Opaque {
                if let Some(start) = view_call(tokens.slice(), i) {
                    let at = pos(start);
                    self.token(tokens.slice().get(i..i + 2).unwrap_or_default(), out, level);
                    if let Some(group) = tokens.take_group(i + 2) {
                        self.view(group, at, out);
                    }
                    i += 3;
                    continue;
                }
                next_group_opaque |= is_macro_rules(tokens.slice(), i);
            }
            match token {
                TokenTree::Group(group) => {
                    let inner = if next_group_opaque { Level::Opaque } else { level };
                    next_group_opaque = false;
                    let item = match pending.take() {
                        Some(Pending::Body { name, is_fn }) if group.delimiter() == Delimiter::Brace => {
                            Some((name, is_fn))
                        }
                        Some(Pending::Macro(name)) => Some((name, false)),
                        waiting => {
                            pending = waiting;
                            None
                        }
                    };
                    let Some(group) = tokens.take_group(i) else { break };
                    match item {
                        Some((name, is_fn)) => {
                            self.path.push(name);
                            self.in_fn += usize::from(is_fn);
                            self.group(group, out, level, inner);
                            self.in_fn -= usize::from(is_fn);
                            self.path.pop();
                        }
                        None => self.group(group, out, level, inner),
                    }
                }
                TokenTree::Ident(_) => {
                    if pending.is_none() && !in_const {
                        if let Some(name) = const_start(tokens.slice(), i) {
                            self.path.push(name);
                            in_const = true;
                        } else {
                            pending = item_start(tokens.slice(), i, self.in_fn > 0);
                        }
                    }
                    self.token(std::slice::from_ref(token), out, level);
                }
                TokenTree::Punct(punct) => {
                    if punct.as_char() == ';' {
                        pending = None;
                        if std::mem::take(&mut in_const) {
                            self.path.pop();
                        }
                    }
                    self.token(std::slice::from_ref(token), out, level);
                }
                TokenTree::Literal(_) => self.token(std::slice::from_ref(token), out, level),
            }
            i += 1;
        }
        if in_const {
            self.path.pop();
        }
    }

    /// Write the skeleton text of a hole's tokens into `out` (views inside are found and
    /// recorded); the fingerprint of that text.
    pub(crate) fn hole_code(&mut self, tokens: &[TokenTree], out: &mut Out) -> u64 {
        let start = out.text.len();
        self.code(Tokens::Borrowed(tokens), out, Level::Hole);
        fingerprint(out.text.get(start..).unwrap_or_default())
    }

    /// Write non-group tokens.
    fn token(&self, tokens: &[TokenTree], out: &mut Out, level: Level) {
        for token in tokens {
            let start = out.text.len();
            match token {
                TokenTree::Ident(ident) => {
                    let _ = write!(out.text, "{ident} ");
                }
                TokenTree::Literal(literal) => {
                    let _ = write!(out.text, "{literal} ");
                }
                TokenTree::Punct(punct) => {
                    out.text.push(punct.as_char());
                    if punct.spacing() == Spacing::Alone {
                        out.text.push(' ');
                    }
                }
                TokenTree::Group(group) => {
                    let _ = write!(out.text, "{group} ");
                }
            }
            if level == Level::File && out.diagnosing() {
                out.mark(start, pos(token.span()), What::Code);
            }
        }
    }

    fn group(&mut self, group: GroupRef<'_>, out: &mut Out, level: Level, inner: Level) {
        let (open, close) = match group.get().delimiter() {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::None => ("", ""),
        };
        let marked = level == Level::File && out.diagnosing();
        let (span_open, span_close) = (group.get().span_open(), group.get().span_close());
        let start = out.text.len();
        out.text.push_str(open);
        if marked {
            out.mark(start, pos(span_open), What::Code);
        }
        if self.depth >= MAX_NESTING {
            // Too deep to walk safely: the file is reported as an error.
            self.too_deep.get_or_insert(span_open);
            out.text.push(TOO_DEEP);
        } else {
            self.depth += 1;
            let mut tokens = group.into_tokens();
            self.code(Tokens::Owned(&mut tokens), out, inner);
            self.depth -= 1;
        }
        let start = out.text.len();
        out.text.push_str(close);
        out.text.push(' ');
        if marked {
            out.mark(start, pos(span_close), What::Code);
        }
    }

    /// Record the view whose group is `group` and write its skeleton record.
    fn view(&mut self, group: GroupRef<'_>, at: Pos, out: &mut Out) {
        let slot = self.views.len();
        let item = self.path.join("::");
        let outermost = self.in_view == 0 && !self.diagnose;
        let (open, close) = (group.get().span_open(), group.get().span_close());
        let context = outermost.then(|| Context { item: item.clone(), in_fn: self.in_fn, depth: self.depth });
        self.views.push(Found {
            pos: at,
            item,
            tree: Err(ViewError { message: String::new(), pos: at }),
            marked: false,
            fingerprint: 0,
        });
        let start = out.text.len();
        let tokens = group.into_tokens();
        let mut record = self.out();
        self.in_view += 1;
        let (tree, marked, mark) = match crate::parse::parse_view(&tokens, close, self, &mut record) {
            Ok(parsed) => (Ok(parsed.tree), parsed.marked, VIEW),
            Err(error) => {
                // Opaque: whatever the parser found inside is part of this one hole.
                self.views.truncate(slot + 1);
                record = self.out();
                self.code(Tokens::Borrowed(&tokens), &mut record, Level::Opaque);
                (Err(error), false, BROKEN_VIEW)
            }
        };
        self.in_view -= 1;
        let fingerprint = fingerprint(&record.text);
        out.text.push(mark);
        out.append(record);
        out.text.push(VIEW_END);
        out.mark(start, at, What::View);
        if let Some(found) = self.views.get_mut(slot) {
            found.tree = tree;
            found.marked = marked;
            found.fingerprint = fingerprint;
        }
        if let Some(context) = context {
            self.placed.push(Placed {
                group: self.src.byte(open.start())..self.src.byte(close.end()),
                open: pos(open),
                record: start..out.text.len(),
                views: slot..self.views.len(),
                context,
            });
        }
    }
}

/// Tokens to scan: owned ones give their groups away (so proc-macro2 need not copy a group's
/// tokens to hand them out), borrowed ones are copied group by group.
#[derive(Debug)]
pub(crate) enum Tokens<'a> {
    Owned(&'a mut [TokenTree]),
    Borrowed(&'a [TokenTree]),
}

impl Tokens<'_> {
    fn slice(&self) -> &[TokenTree] {
        match self {
            Tokens::Owned(tokens) => tokens,
            Tokens::Borrowed(tokens) => tokens,
        }
    }

    fn get(&self, i: usize) -> Option<&TokenTree> {
        self.slice().get(i)
    }

    /// The group at `i`; an owned one is replaced by an empty group with the same delimiter
    /// (which is all that looking back at it needs).
    fn take_group(&mut self, i: usize) -> Option<GroupRef<'_>> {
        match self {
            Tokens::Owned(tokens) => match tokens.get_mut(i) {
                Some(TokenTree::Group(group)) => {
                    let empty = Group::new(group.delimiter(), proc_macro2::TokenStream::new());
                    Some(GroupRef::Owned(std::mem::replace(group, empty)))
                }
                _ => None,
            },
            Tokens::Borrowed(tokens) => match tokens.get(i) {
                Some(TokenTree::Group(group)) => Some(GroupRef::Borrowed(group)),
                _ => None,
            },
        }
    }
}

/// A group taken from [`Tokens`].
#[derive(Debug)]
pub(crate) enum GroupRef<'a> {
    Owned(Group),
    Borrowed(&'a Group),
}

impl GroupRef<'_> {
    fn get(&self) -> &Group {
        match self {
            GroupRef::Owned(group) => group,
            GroupRef::Borrowed(group) => group,
        }
    }

    /// The group's tokens (without copying them when the group is owned).
    fn into_tokens(self) -> Vec<TokenTree> {
        let stream = match self {
            GroupRef::Owned(group) => group.stream(), // the group is dropped: the stream is unique
            GroupRef::Borrowed(group) => group.stream(),
        };
        stream.into_iter().collect()
    }
}

/// If `tokens[i..]` starts a `view!` call (`view`, `!`, a group) that is Leptos's, the span of the
/// first token of its path (`view`, or `leptos` of `leptos::view`, or the leading `::`).
fn view_call(tokens: &[TokenTree], i: usize) -> Option<Span> {
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(_))) =
        (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
    else {
        return None;
    };
    if name != "view" || bang.as_char() != '!' {
        return None;
    }
    // Walk back over `segment ::` pairs to the path's first segment (or its leading `::`).
    let mut start = i;
    let mut first_segment = None;
    while start >= 2 && is_path_sep(tokens, start - 2) {
        match start.checked_sub(3).and_then(|k| tokens.get(k)) {
            Some(TokenTree::Ident(segment)) => {
                first_segment = Some(segment);
                start -= 3;
            }
            _ => {
                start -= 2; // a leading `::`
                break;
            }
        }
    }
    if start != i && first_segment.is_none_or(|segment| segment != "leptos") {
        return None; // another crate's `view!`
    }
    tokens.get(start).map(TokenTree::span)
}

/// `tokens[i]`, `tokens[i + 1]` are `::`.
fn is_path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(
        (tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
            if a.as_char() == ':' && a.spacing() == Spacing::Joint && b.as_char() == ':'
    )
}

/// `tokens[i..]` starts `macro_rules!`: its body holds patterns, not views.
fn is_macro_rules(tokens: &[TokenTree], i: usize) -> bool {
    matches!(
        (tokens.get(i), tokens.get(i + 1)),
        (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang))) if name == "macro_rules" && bang.as_char() == '!'
    )
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;

    fn scan(src: &str) -> (String, Vec<Found>) {
        let mut tokens: Vec<TokenTree> = TokenStream::from_str(src).unwrap().into_iter().collect();
        let source = Source::new(src);
        let mut scanner = Scanner::new(&source, false);
        let mut out = scanner.out();
        scanner.code(Tokens::Owned(&mut tokens), &mut out, Level::File);
        let views = std::mem::take(&mut scanner.views);
        (out.text, views)
    }

    fn lines(views: &[Found]) -> Vec<(usize, usize)> {
        views.iter().map(|v| (v.pos.line, v.pos.column)).collect()
    }

    #[test]
    fn code_is_written_token_by_token() {
        assert_eq!(scan("fn a(x: u8) -> u8 { x += 1; x }").0, "fn a (x : u8 ) -> u8 {x += 1 ; x } ");
    }

    #[test]
    fn whitespace_and_comments_do_not_matter() {
        assert_eq!(scan("fn a() { 1 }").0, scan("fn  a ( ) /* c */ {\n  1 // d\n}").0);
    }

    #[test]
    fn finds_views_by_every_path() {
        let src = "fn a() {\n view! { <p/> };\n leptos::view! { <p/> };\n ::leptos::view! { <p/> };\n leptos::prelude::view!(<p/>);\n}";
        assert_eq!(lines(&scan(src).1), [(2, 1), (3, 1), (4, 1), (5, 1)]);
    }

    #[test]
    fn other_crates_views_and_macro_rules_bodies_are_code() {
        let src =
            "fn a() { sycamore::view! { p {} }; x.view(); }\nmacro_rules! m { () => { view! { <p/> } } }";
        assert!(scan(src).1.is_empty());
    }

    #[test]
    fn nested_views_come_after_their_outer_view() {
        let src = "fn a() {\n view! { <ul>{items.map(|i| view! { <li>{i}</li> })}</ul> }\n}";
        let (text, views) = scan(src);
        assert_eq!(lines(&views), [(2, 1), (2, 28)]);
        assert!(!text.contains("li"), "static parts of the nested view leak: {text:?}");
        assert!(text.contains("items"));
    }

    #[test]
    fn views_inside_other_macros_are_found() {
        let src = "fn a() { println!(\"{}\", render(view! { <b/> })); }";
        assert_eq!(scan(src).1.len(), 1);
    }

    #[test]
    fn a_broken_view_is_one_opaque_record() {
        let (text, views) = scan("fn a() { view! { <p>{view! { <i/> }}</b> } }");
        assert_eq!(views.len(), 1);
        assert!(views[0].tree.is_err());
        assert!(text.contains(BROKEN_VIEW));
    }
}

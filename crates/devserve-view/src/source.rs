//! Where tokens stand in the source and what they look like there.
//!
//! Spans come from proc-macro2's `span-locations` feature: lines are 1-based, columns 0-based and
//! counted in chars, byte ranges index the string that was lexed.

use proc_macro2::{LineColumn, Span, TokenTree};

use crate::Pos;

/// Where `span` starts.
pub(crate) fn pos(span: Span) -> Pos {
    let start = span.start();
    Pos { line: start.line, column: start.column }
}

/// The id Leptos gives the hot-reload markers of a `view!` whose invocation starts on `line` of
/// the file at `path` (leptos_hot_reload's `span_to_stable_id`): `src/app.rs`, 12 ->
/// `src-app.rs-12`. Leptos takes the line from the macro's call-site span, which starts at the
/// first token of the macro's path (`leptos` in `leptos::view!`).
pub(crate) fn marker_id(path: &str, line: usize) -> String {
    format!("{}-{line}", path.replace(['/', '\\'], "-"))
}

/// A lexed source with an index of its lines, to turn spans into text.
///
/// proc-macro2's `Span::byte_range` keeps a map of char offsets per look-up; positions plus this
/// line index cost much less.
#[derive(Debug)]
pub(crate) struct Source<'s> {
    text: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> Source<'s> {
    pub(crate) fn new(text: &'s str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        Self { text, line_starts }
    }

    /// Byte offset of a line and char column.
    pub(crate) fn byte(&self, at: LineColumn) -> usize {
        let Some(&start) = at.line.checked_sub(1).and_then(|line| self.line_starts.get(line)) else {
            return self.text.len();
        };
        let line = self.text.get(start..).unwrap_or_default();
        match line.get(..at.column) {
            Some(prefix) if prefix.is_ascii() => start + at.column,
            _ => start + line.char_indices().nth(at.column).map_or(line.len(), |(offset, _)| offset),
        }
    }

    /// The source text from the start of `first` to the end of `last` (empty if the spans do not
    /// belong to this source).
    pub(crate) fn slice(&self, first: Span, last: Span) -> &'s str {
        self.text.get(self.byte(first.start())..self.byte(last.end())).unwrap_or_default()
    }

    /// The source text of a run of tokens with each gap (whitespace, comments) between two
    /// tokens shown as one space, the way the compiler prints unquoted `view!` text
    /// (`Hello,   world!` -> `Hello, world!`). A single token is shown exactly as written.
    pub(crate) fn spaced(&self, tokens: &[TokenTree]) -> String {
        let mut text = String::new();
        let mut last_end = None;
        for token in tokens {
            let span = token.span();
            let (start, end) = (self.byte(span.start()), self.byte(span.end()));
            if last_end.is_some_and(|last| last < start) {
                text.push(' ');
            }
            text.push_str(self.text.get(start..end).unwrap_or_default());
            last_end = Some(end);
        }
        text
    }
}

/// `text` on one line, whitespace runs collapsed, cut to about `max` chars: for messages.
pub(crate) fn abbreviate(text: &str, max: usize) -> String {
    let mut words = text.split_whitespace();
    let mut out = words.next().unwrap_or_default().to_owned();
    for word in words {
        out.push(' ');
        out.push_str(word);
    }
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;

    fn tokens(src: &str) -> Vec<TokenTree> {
        TokenStream::from_str(src).unwrap().into_iter().collect()
    }

    #[test]
    fn marker_ids_follow_leptos() {
        assert_eq!(marker_id("src/app.rs", 12), "src-app.rs-12");
        assert_eq!(marker_id("examples/todo/src/app.rs", 3), "examples-todo-src-app.rs-3");
        assert_eq!(marker_id(r"src\app.rs", 7), "src-app.rs-7");
    }

    #[test]
    fn spaced_text_keeps_tokens_and_collapses_gaps() {
        let src = "Hello,   world /* hi */ !  (a  b)";
        assert_eq!(Source::new(src).spaced(&tokens(src)), "Hello, world ! (a  b)");
    }

    #[test]
    fn slices_span_from_first_to_last_token() {
        let src = "let x = { a + b };\nlet é = \"ü\";";
        let toks = tokens(src);
        let source = Source::new(src);
        assert_eq!(source.slice(toks[1].span(), toks[3].span()), "x = { a + b }");
        assert_eq!(source.slice(toks[6].span(), toks[8].span()), "é = \"ü\"");
    }

    #[test]
    fn abbreviate_collapses_and_cuts() {
        assert_eq!(abbreviate("{\n    count\n}", 40), "{ count }");
        assert_eq!(abbreviate("abcdefgh", 5), "abcd…");
    }
}

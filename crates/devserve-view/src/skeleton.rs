//! The code skeleton of a file: its tokens as text, each view's static parts left out and its holes
//! kept in order. Two versions of a file with equal skeletons compile to programs that differ
//! only in static markup.
//!
//! Layout of the text: code tokens are written one after the other (a space after each identifier,
//! literal and lone punctuation, none after a joint one such as the first `=` of `==`), comments
//! and whitespace dropped. A view's group is replaced by [`VIEW`], its hole records and
//! [`VIEW_END`] (a view that does not parse: [`BROKEN_VIEW`], all its tokens, [`VIEW_END`]). A hole
//! record is [`HOLE`], a role letter and the hole's code, e.g. `a` + `on:click=` + `move |_| ..`.
//! Views nested in a hole appear in the hole's code the same way, so their static parts never
//! reach the skeleton either.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::Pos;
use crate::scan::Context;

/// Stands for a `view!` group in the skeleton.
pub(crate) const VIEW: char = '\u{1}';
/// Ends a view in the skeleton.
pub(crate) const VIEW_END: char = '\u{2}';
/// Stands for a `view!` group that does not parse (followed by all its tokens).
pub(crate) const BROKEN_VIEW: char = '\u{3}';
/// Stands for the contents of a group nested too deeply to walk.
pub(crate) const TOO_DEEP: char = '\u{4}';
/// Starts a hole record.
pub(crate) const HOLE: char = '\u{1f}';
/// Separates the props inside a component's hole record.
pub(crate) const PROP: char = '\u{1e}';

/// A file's code skeleton (see [`crate::FileViews::skeleton`]).
///
/// Two skeletons are equal when their text is equal. The skeleton also keeps the source it was
/// made from, so that a difference can be explained in words and located, and where each view
/// stands in both, so that an edit inside one view can be re-extracted alone
/// ([`crate::extract_from`]).
#[derive(Clone, Default)]
pub struct Skeleton {
    text: String,
    source: Arc<str>,
    placed: Vec<Placed>,
}

/// Where an outermost view (one inside no other view) stands in the source and in the skeleton.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placed {
    /// Bytes of the macro's delimited group in the source, delimiters included.
    pub(crate) group: Range<usize>,
    /// Where the group's opening delimiter stands.
    pub(crate) open: Pos,
    /// Bytes of the view's record in the skeleton text ([`VIEW`] to [`VIEW_END`]).
    pub(crate) record: Range<usize>,
    /// Indices of the view and the views nested in it in [`crate::FileViews::views`].
    pub(crate) views: Range<usize>,
    /// The scanner's state at the view.
    pub(crate) context: Context,
}

impl Skeleton {
    pub(crate) fn new(text: String, source: Arc<str>, placed: Vec<Placed>) -> Self {
        Self { text, source, placed }
    }

    /// The skeleton's text (not meant for humans: it contains control characters).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for a file without tokens (empty, only comments, or missing).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The source the skeleton was made from.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Where each outermost view stands, in source order.
    pub(crate) fn placed(&self) -> &[Placed] {
        &self.placed
    }
}

impl PartialEq for Skeleton {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Skeleton {}

impl fmt::Debug for Skeleton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Skeleton").field(&self.text).finish()
    }
}

/// Skeleton text being written, and, when diagnosing, what each piece of it stands for.
#[derive(Debug, Default)]
pub(crate) struct Out {
    pub(crate) text: String,
    marks: Option<Vec<Mark>>,
}

/// What a range of skeleton text stands for, and where that is in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    start: usize,
    end: usize,
    pos: Pos,
    what: What,
}

/// The kinds of [`Mark`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum What {
    /// A code token outside views.
    Code,
    /// A whole view.
    View,
    /// A hole record, described in words ("`{count}` block", "attribute `on:click`").
    Hole(String),
}

impl Out {
    /// An empty text; with `diagnose`, marks are recorded (which costs a span look-up each).
    pub(crate) fn new(diagnose: bool) -> Self {
        Self { text: String::new(), marks: diagnose.then(Vec::new) }
    }

    /// Whether marks are recorded.
    pub(crate) fn diagnosing(&self) -> bool {
        self.marks.is_some()
    }

    /// Mark the text written since byte `start` (when diagnosing).
    pub(crate) fn mark(&mut self, start: usize, pos: Pos, what: What) {
        let end = self.text.len();
        if let Some(marks) = &mut self.marks {
            marks.push(Mark { start, end, pos, what });
        }
    }

    /// Append another text, with its marks.
    pub(crate) fn append(&mut self, other: Out) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        if let (Some(marks), Some(other_marks)) = (&mut self.marks, other.marks) {
            marks.extend(other_marks.into_iter().map(|m| Mark {
                start: m.start + base,
                end: m.end + base,
                ..m
            }));
        }
    }
}

/// The first difference between two diagnosed skeletons, in words and located in `new`.
pub(crate) fn first_difference(old: &Out, new: &Out) -> (String, Option<Pos>) {
    let at = common_prefix(&old.text, &new.text);
    let new_marks = new.marks.as_deref().unwrap_or_default();
    let old_marks = old.marks.as_deref().unwrap_or_default();

    if let Some((mark, desc)) = innermost_hole(new_marks, at) {
        let added = mark.start == at && innermost_hole(old_marks, at).is_none_or(|(m, _)| m.start != at);
        let verb = if added { "added" } else { "changed" };
        return (format!("{desc} {verb}"), Some(mark.pos));
    }
    if let Some(view) = innermost(new_marks, at, |w| *w == What::View) {
        let what = match innermost_hole(old_marks, at) {
            Some((_, desc)) => format!("{desc} removed"),
            None => "code inside a `view!` changed".to_owned(),
        };
        return (what, Some(view.pos));
    }
    let before =
        new_marks.iter().filter(|m| m.start <= at).max_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let first = new_marks.first();
    ("code outside views changed".to_owned(), before.or(first).map(|m| m.pos))
}

/// Bytes compared at once when looking for the first difference (slice equality is a `memcmp`).
const CHUNK: usize = 64;

/// Byte length of the longest common prefix of `a` and `b`, at a char boundary of both.
pub(crate) fn common_prefix(a: &str, b: &str) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let equal: usize =
        x.chunks(CHUNK).zip(y.chunks(CHUNK)).take_while(|(p, q)| p == q).map(|(p, _)| p.len()).sum();
    let (x, y) = (x.get(equal..).unwrap_or_default(), y.get(equal..).unwrap_or_default());
    let mut len = equal + x.iter().zip(y).take_while(|(p, q)| p == q).count();
    while !(a.is_char_boundary(len) && b.is_char_boundary(len)) {
        len -= 1;
    }
    len
}

/// Byte length of the longest common suffix of `a` and `b`, at a char boundary of both.
pub(crate) fn common_suffix(a: &str, b: &str) -> usize {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let equal: usize =
        x.rchunks(CHUNK).zip(y.rchunks(CHUNK)).take_while(|(p, q)| p == q).map(|(p, _)| p.len()).sum();
    let (x, y) = (x.get(..x.len() - equal).unwrap_or_default(), y.get(..y.len() - equal).unwrap_or_default());
    let mut len = equal + x.iter().rev().zip(y.iter().rev()).take_while(|(p, q)| p == q).count();
    while !(a.is_char_boundary(a.len() - len) && b.is_char_boundary(b.len() - len)) {
        len -= 1;
    }
    len
}

/// The smallest mark of a kind that contains byte `at`.
fn innermost(marks: &[Mark], at: usize, kind: impl Fn(&What) -> bool) -> Option<&Mark> {
    marks.iter().filter(|m| kind(&m.what) && m.start <= at && at < m.end).min_by_key(|m| m.end - m.start)
}

fn innermost_hole(marks: &[Mark], at: usize) -> Option<(&Mark, &str)> {
    let mark = innermost(marks, at, |w| matches!(w, What::Hole(_)))?;
    match &mark.what {
        What::Hole(desc) => Some((mark, desc)),
        What::Code | What::View => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize) -> Pos {
        Pos { line, column: 0 }
    }

    /// `parts`: (text, what) pieces, written in order; `None` is unmarked text.
    fn out(parts: &[(&str, Option<What>)]) -> Out {
        let mut out = Out::new(true);
        for (line, (text, what)) in parts.iter().enumerate() {
            let start = out.text.len();
            out.text.push_str(text);
            if let Some(what) = what {
                out.mark(start, pos(line + 1), what.clone());
            }
        }
        out
    }

    fn hole(desc: &str) -> Option<What> {
        Some(What::Hole(desc.to_owned()))
    }

    #[test]
    fn equality_ignores_the_source() {
        let a = Skeleton::new("fn a ( ) ".into(), Arc::from("fn a() {}"), Vec::new());
        let b = Skeleton::new("fn a ( ) ".into(), Arc::from("fn  a ( )  {}"), Vec::new());
        assert_eq!(a, b);
        assert_ne!(a, Skeleton::default());
        assert!(Skeleton::default().is_empty());
    }

    #[test]
    fn appended_marks_move_with_their_text() {
        let mut outer = out(&[("fn ", Some(What::Code))]);
        outer.append(out(&[("x ", Some(What::Code))]));
        assert_eq!(outer.text, "fn x ");
        assert_eq!(outer.marks.as_ref().unwrap()[1].start, 3);
    }

    #[test]
    fn a_changed_hole_is_named() {
        let old = out(&[("let ", Some(What::Code)), ("\u{1}\u{1f}b{ a }\u{2}", Some(What::View))]);
        let mut new = out(&[("let ", Some(What::Code))]);
        let view = new.text.len();
        new.text.push(VIEW);
        let start = new.text.len();
        new.text.push_str("\u{1f}b{ b }");
        new.mark(start, pos(7), What::Hole("`{b}` block".into()));
        new.text.push(VIEW_END);
        new.mark(view, pos(6), What::View);
        assert_eq!(first_difference(&old, &new), ("`{b}` block changed".into(), Some(pos(7))));
    }

    #[test]
    fn code_changes_are_located_at_their_token() {
        let old = out(&[("fn ", Some(What::Code)), ("a ", Some(What::Code)), ("( ", Some(What::Code))]);
        let new = out(&[("fn ", Some(What::Code)), ("b ", Some(What::Code)), ("( ", Some(What::Code))]);
        assert_eq!(first_difference(&old, &new), ("code outside views changed".into(), Some(pos(2))));
    }

    #[test]
    fn added_and_removed_holes() {
        let old = out(&[("x ", None), ("\u{1f}b{ a }", hole("`{a}` block"))]);
        let new = out(&[
            ("x ", None),
            ("\u{1f}b{ a }", hole("`{a}` block")),
            ("\u{1f}b{ c }", hole("`{c}` block")),
        ]);
        assert_eq!(first_difference(&old, &new).0, "`{c}` block added");
        let new_view = out(&[("x ", None), ("\u{1}\u{2}", Some(What::View))]);
        let old_view = out(&[("x ", None), ("\u{1}", None), ("\u{1f}b{ a }", hole("`{a}` block"))]);
        assert_eq!(first_difference(&old_view, &new_view).0, "`{a}` block removed");
    }

    #[test]
    fn common_prefix_stops_at_char_boundaries() {
        assert_eq!(common_prefix("aé", "aè"), 1);
        assert_eq!(common_prefix("abc", "abc"), 3);
        assert_eq!(common_suffix("éa", "èa"), 1);
        assert_eq!(common_suffix("abc", "xbc"), 2);
    }

    #[test]
    fn common_ends_agree_with_a_byte_by_byte_count_across_chunks() {
        let long = "0123456789".repeat(30);
        for at in [0, 1, 63, 64, 65, 127, 128, 200, 299] {
            let mut changed = long.clone().into_bytes();
            changed[at] = b'x';
            let changed = String::from_utf8(changed).unwrap();
            assert_eq!(common_prefix(&long, &changed), at, "{at}");
            assert_eq!(common_suffix(&long, &changed), long.len() - at - 1, "{at}");
            assert_eq!(common_prefix(&long, &long[..at]), at);
            assert_eq!(common_suffix(&long, &long[at..]), long.len() - at);
        }
    }
}

//! Re-extract a file after an edit inside one view.
//!
//! A save usually changes a few characters inside one `view!`, and lexing the whole file again
//! costs most of a full [`extract`]. [`extract_from`] finds the bytes that changed; when they lie
//! inside the delimiters of one outermost view, it lexes and scans that view alone (padded so
//! that its tokens get the lines and columns they have in the file), keeps every other view and
//! the rest of the skeleton, and moves the positions after the edit by the lines and columns it
//! added. Any other edit is extracted in full. Either way the result equals [`extract`] of the
//! new source.
//!
//! Why that is exact: the text before the view's opening delimiter and after its closing one is
//! unchanged, so it lexes into the same tokens as before, provided the new group lexes alone
//! into one group that ends at the old closing delimiter (checked). Skeleton text holds no
//! positions, so the rest of it stays; views outside the group only move. The views in the
//! group are scanned with the scanner's state where the group stands (items around it, nesting
//! depth); if they stand in the same items as before, they have the same ordinals, so the same
//! identities.

use std::str::FromStr;
use std::sync::Arc;

use proc_macro2::{TokenStream, TokenTree};

use crate::extract::code_part;
use crate::scan::{Found, Scanner};
use crate::skeleton::{Out, Placed, Skeleton, common_prefix, common_suffix};
use crate::source::{Source, marker_id};
use crate::{Attr, FileViews, Hole, Node, Pos, View, ViewTree, extract};

/// The views of `source`, the new version of the file that `previous` was extracted from (by
/// [`extract`] or `extract_from`, for the same path).
///
/// Always equal to `extract(&previous.path, source)`; much faster when the edit lies inside one
/// view, the usual case on a save (a text or attribute edited, lines added inside a view).
///
/// ```
/// use devserve_view::{extract, extract_from};
///
/// let old = extract("src/app.rs", "fn app() {\n    view! { <p>\"Hello\"</p> }\n}");
/// let new = "fn app() {\n    view! { <p>\"Hello,\"\n    \"world\"</p> }\n}";
/// assert_eq!(extract_from(&old, new), extract("src/app.rs", new));
/// ```
pub fn extract_from(previous: &FileViews, source: &str) -> FileViews {
    let new = code_part(source);
    if new == previous.skeleton.source() {
        return previous.clone();
    }
    inside_one_view(previous, new).unwrap_or_else(|| extract(&previous.path, source))
}

/// `previous` updated for `new` (its code part) by scanning only the view holding the edit;
/// `None` when the edit does not lie inside one view, or that view alone does not lex as one
/// group, or its nested views changed items.
pub(crate) fn inside_one_view(previous: &FileViews, new: &str) -> Option<FileViews> {
    let old = previous.skeleton.source();
    let edit = Edit::between(old, new);
    let all_placed = previous.skeleton.placed();
    let index = all_placed
        .iter()
        .position(|placed| placed.group.start < edit.start && edit.old_end < placed.group.end)?;
    let placed = all_placed.get(index)?;
    let group = placed.group.start..edit.moved(placed.group.end);
    let at = previous.views.get(placed.views.start)?.pos;

    let padded = padded(placed.open, new.get(group.clone())?);
    let lexed = TokenStream::from_str(&padded).ok();
    let scanned = lexed.and_then(|tokens| {
        let mut tokens = tokens.into_iter();
        let (Some(TokenTree::Group(group)), None) = (tokens.next(), tokens.next()) else { return None };
        Scanner::lone_view(&Source::new(&padded), &placed.context, group, at)
    });
    // The trees are plain data: let proc-macro2 forget the padded text, as `extract` does.
    proc_macro2::extra::invalidate_current_thread_spans();
    let (record, found) = scanned?;

    let path = previous.path.as_str();
    let shift =
        Shift::of(placed, old.get(placed.group.start..edit.old_end)?, new.get(group.start..edit.new_end)?);
    let mut views = Vec::with_capacity(previous.views.len());
    views.extend_from_slice(previous.views.get(..placed.views.start)?);
    views.extend(rescanned(path, previous.views.get(placed.views.clone())?, found)?);
    views.extend(previous.views.get(placed.views.end..)?.iter().map(|view| shift.view(path, view)));

    let (text, record) = splice(previous.skeleton.as_str(), placed, &record)?;
    let mut moved_placed = Vec::with_capacity(all_placed.len());
    moved_placed.extend_from_slice(all_placed.get(..index)?);
    moved_placed.push(Placed { group, record: record.clone(), ..placed.clone() });
    moved_placed.extend(all_placed.get(index + 1..)?.iter().map(|after| Placed {
        group: edit.moved(after.group.start)..edit.moved(after.group.end),
        open: shift.pos(after.open),
        record: (after.record.start + record.end).saturating_sub(placed.record.end)
            ..(after.record.end + record.end).saturating_sub(placed.record.end),
        ..after.clone()
    }));

    Some(FileViews {
        path: previous.path.clone(),
        views,
        skeleton: Skeleton::new(text, Arc::from(new), moved_placed),
        file_error: None,
    })
}

/// The views found by scanning a group again, with the identities of the views they replace;
/// `None` unless they stand in the same items in the same order (then their ordinals, and so
/// their identities, are the same).
fn rescanned(path: &str, replaced: &[View], found: Vec<Found>) -> Option<Vec<View>> {
    if found.len() != replaced.len() {
        return None;
    }
    found
        .into_iter()
        .zip(replaced)
        .map(|(found, old)| {
            (item_of(path, &old.id) == Some(found.item.as_str())).then(|| View {
                id: old.id.clone(),
                marker_id: found.marked.then(|| marker_id(path, found.pos.line)),
                pos: found.pos,
                tree: found.tree,
                fingerprint: found.fingerprint,
            })
        })
        .collect()
}

/// The item part of a view identity made by [`extract`]: `src/app.rs::impl Foo::render#0` ->
/// `impl Foo::render` (the ordinal has no `#`, so the last one separates it).
fn item_of<'a>(path: &str, id: &'a str) -> Option<&'a str> {
    let (item, _ordinal) = id.strip_prefix(path)?.strip_prefix("::")?.rsplit_once('#')?;
    Some(item)
}

/// `skeleton` with the record of the view at `placed` replaced by `record`, and where that now
/// stands.
fn splice(skeleton: &str, placed: &Placed, record: &Out) -> Option<(String, std::ops::Range<usize>)> {
    let (before, after) = (skeleton.get(..placed.record.start)?, skeleton.get(placed.record.end..)?);
    let mut text = String::with_capacity(before.len() + record.text.len() + after.len());
    text.push_str(before);
    text.push_str(&record.text);
    text.push_str(after);
    Some((text, placed.record.start..placed.record.start + record.text.len()))
}

/// `group` preceded by line breaks and spaces up to `open`, so that lexed alone its tokens get
/// the lines and columns (in chars) they have in the file.
fn padded(open: Pos, group: &str) -> String {
    let lines = open.line.saturating_sub(1);
    let mut text = String::with_capacity(lines + open.column + group.len());
    text.extend(std::iter::repeat_n('\n', lines));
    text.extend(std::iter::repeat_n(' ', open.column));
    text.push_str(group);
    text
}

/// The bytes that differ between two texts: `old[start..old_end]` became `new[start..new_end]`,
/// the rest is equal. The smallest such range, at char boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edit {
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Edit {
    fn between(old: &str, new: &str) -> Self {
        let start = common_prefix(old, new);
        let suffix =
            common_suffix(old.get(start..).unwrap_or_default(), new.get(start..).unwrap_or_default());
        Self { start, old_end: old.len() - suffix, new_end: new.len() - suffix }
    }

    /// Where byte `at` of the old text, at or after the edit, is in the new text.
    fn moved(&self, at: usize) -> usize {
        (at + self.new_end).saturating_sub(self.old_end)
    }
}

/// How the positions after an edit move: those on the line where the old text ended move to
/// where the new text ends, those on later lines move by the lines added.
#[derive(Debug, Clone, Copy)]
struct Shift {
    /// Where the edit ended in the old text.
    from: Pos,
    /// Where it ends in the new text.
    to: Pos,
}

impl Shift {
    /// The shift of an edit inside the group at `placed`: `old` and `new` are the texts from the
    /// group's opening delimiter to the end of the edit.
    fn of(placed: &Placed, old: &str, new: &str) -> Self {
        Self { from: advance(placed.open, old), to: advance(placed.open, new) }
    }

    /// Where `at`, a position after the edit, moves.
    fn pos(&self, at: Pos) -> Pos {
        if at.line == self.from.line {
            Pos { line: self.to.line, column: (at.column + self.to.column).saturating_sub(self.from.column) }
        } else {
            Pos { line: (at.line + self.to.line).saturating_sub(self.from.line), column: at.column }
        }
    }

    /// `view`, which stands after the edit, moved.
    fn view(&self, path: &str, view: &View) -> View {
        let mut view = view.clone();
        if self.from == self.to {
            return view;
        }
        let at = self.pos(view.pos);
        if at.line != view.pos.line {
            view.marker_id = view.marker_id.map(|_| marker_id(path, at.line));
        }
        view.pos = at;
        match &mut view.tree {
            Ok(tree) => self.tree(tree),
            Err(error) => error.pos = self.pos(error.pos),
        }
        view
    }

    fn tree(&self, tree: &mut ViewTree) {
        for hole in tree.cx.iter_mut().chain(tree.class_prefix.iter_mut()) {
            self.hole(hole);
        }
        self.nodes(&mut tree.nodes);
    }

    fn nodes(&self, nodes: &mut [Node]) {
        for node in nodes {
            match node {
                Node::Element(element) => {
                    element.pos = self.pos(element.pos);
                    self.attrs(&mut element.attrs);
                    self.nodes(&mut element.children);
                }
                Node::Component(component) => {
                    self.hole(&mut component.hole);
                    self.attrs(&mut component.props);
                    self.nodes(&mut component.children);
                }
                Node::Block { hole } => self.hole(hole),
                Node::Text { .. } | Node::Doctype { .. } | Node::Comment { .. } => {}
            }
        }
    }

    fn attrs(&self, attrs: &mut [Attr]) {
        for attr in attrs {
            match attr {
                Attr::Dynamic { hole, .. } | Attr::Spread { hole } => self.hole(hole),
                Attr::Static { .. } | Attr::Valueless { .. } | Attr::InnerHtml { .. } => {}
            }
        }
    }

    fn hole(&self, hole: &mut Hole) {
        hole.pos = self.pos(hole.pos);
    }
}

/// The position reached from `at` by reading `text` (lines split at `\n`, columns in chars, as
/// proc-macro2 counts them).
fn advance(at: Pos, text: &str) -> Pos {
    match text.rfind('\n') {
        None => Pos { line: at.line, column: at.column + text.chars().count() },
        Some(last) => Pos {
            line: at.line + text.bytes().filter(|&byte| byte == b'\n').count(),
            column: text.get(last + 1..).unwrap_or_default().chars().count(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "src/app.rs";

    /// `extract_from` of `old`'s views and `new` equals a full extract of `new`, in every detail
    /// (positions of holes and where the views stand included); `fast` says whether the view
    /// holding the edit was scanned alone.
    fn check(old: &str, new: &str, fast: bool) {
        let previous = extract(PATH, old);
        let expected = extract(PATH, new);
        assert_same(&extract_from(&previous, new), &expected);
        let alone = inside_one_view(&previous, new);
        assert_eq!(alone.is_some(), fast, "scanned alone?\n{old}\n->\n{new}");
    }

    fn assert_same(actual: &FileViews, expected: &FileViews) {
        assert_eq!(format!("{actual:#?}"), format!("{expected:#?}"));
        assert_eq!(actual.skeleton.source(), expected.skeleton.source());
        assert_eq!(actual.skeleton.placed(), expected.skeleton.placed());
    }

    const APP: &str = r#"use leptos::prelude::*;

#[component]
fn App() -> impl IntoView {
    let (n, set_n) = signal(0);
    view! {
        <main class="app">
            <h1>"Héllo, wörld"</h1>
            <button on:click=move |_| set_n.update(|n| *n += 1)>"+1"</button>
            <p>"Count: " {n}</p>
            {move || (n.get() > 2).then(|| view! { <b>"big"</b> })}
        </main>
    }
}

impl Card {
    fn render(&self) -> impl IntoView {
        let a = view! { <i>"a"</i> }; let b = view! { <Inner x=1>"b"</Inner> };
        view! { <div title="card" class:wide=self.wide>{a}{b}</div> }
    }
}

fn broken() -> impl IntoView {
    view! { <p>"never closed" }
}
"#;

    fn edited(from: &str, to: &str) -> String {
        assert!(APP.contains(from), "{from}");
        APP.replacen(from, to, 1)
    }

    #[test]
    fn text_edits_rescan_one_view() {
        check(APP, &edited("Héllo, wörld", "Hello, world"), true);
        check(APP, &edited("\"+1\"", "\"plus one\""), true);
        check(APP, &edited("Count: ", ""), true);
    }

    #[test]
    fn attribute_and_block_edits_rescan_one_view() {
        check(APP, &edited(r#"class="app""#, r#"class="app dark" id="main""#), true);
        check(APP, &edited("{n}</p>", "{n.get() * 2}</p>"), true);
        check(APP, &edited("*n += 1", "*n += 2"), true);
    }

    #[test]
    fn lines_added_inside_a_view_move_the_views_after_it() {
        check(APP, &edited("<p>\"Count: \"", "<p>\n\n\"Count: \""), true);
        check(APP, &edited("            <p>\"Count: \" {n}</p>\n", ""), true);
        check(APP, &edited("title=\"card\"", "title=\"card\"\n            data-x=\"\r\n\""), true);
    }

    #[test]
    fn an_edit_moves_a_later_view_on_the_same_line() {
        check(APP, &edited("<i>\"a\"</i>", "<i>\"aé\"</i> <br/>"), true);
        check(APP, &edited("<i>\"a\"</i>", "<i>\n\"a\"</i>"), true);
    }

    #[test]
    fn nested_views_are_rescanned_with_their_outer_view() {
        check(APP, &edited("\"big\"", "\"large\""), true);
        check(APP, &edited("<b>\"big\"</b>", "<b>\n\"big\"\n</b>"), true);
        // In a function body, `log!` is a call, not an item the nested view stands in.
        let with_macro = edited("<p>\"Count: \"", "<p>{log!(view! { <i/> })}\"Count: \"");
        check(&with_macro, &with_macro.replacen("Count: ", "Total: ", 1), true);
    }

    #[test]
    fn a_view_that_stops_or_starts_parsing() {
        check(APP, &edited("\"never closed\" }", "\"never closed\" </p> }"), true);
        check(APP, &edited("{a}{b}</div>", "{a}{b}</dvi>"), true);
        // A view that does not parse is one hole: the view nested in it is no longer found.
        check(APP, &edited("<h1>\"Héllo, wörld\"</h1>", "<h1>\"Héllo, wörld\""), false);
    }

    #[test]
    fn other_edits_extract_the_whole_file() {
        check(APP, &edited("signal(0)", "signal(1)"), false);
        check(APP, &edited("view! {\n        <main", "view! {\n        <main>{n}</main><main"), true);
        check(APP, &edited("}; let b", "}; let c = 1; let b"), false);
        check(APP, &edited("<i>\"a\"</i> }; let b = view! { <Inner", "<i/> }; let b = view! { <X"), false);
        check(APP, &edited("{a}{b}", "{a}{b}{view! { <hr/> }}"), false);
        check(APP, &edited("{a}{b}", "{a}{b}{fn f() {}}"), true);
        check(APP, &edited("{a}{b}", "{a}{b}{view! { <hr/> }; fn f() { view! { <a/> } }}"), false);
    }

    #[test]
    fn edits_that_unbalance_the_group_extract_the_whole_file() {
        check(APP, &edited("<p>\"Count: \" {n}</p>", "<p>\"Count: \" {n</p>"), false);
        check(APP, &edited("\"big\"</b> })}", "\"big\"</b> }))}"), false);
        check(APP, &edited("<h1>\"Héllo", "<h1>/* \"Héllo"), false);
        check(APP, &edited("<h1>\"Héllo", "<h1>\"Héllo\""), false);
    }

    #[test]
    fn nesting_limits_count_what_stands_around_the_view() {
        let file = |body: String| {
            format!("fn a() {{ let x = {}view! {{ {body} }}{}; }}", "(".repeat(40), ")".repeat(40))
        };
        let divs = |n: usize| file(format!("{}\"x\"{}", "<div>".repeat(n), "</div>".repeat(n)));
        assert!(extract(PATH, &divs(50)).views[0].tree.is_ok());
        assert!(extract(PATH, &divs(60)).views[0].tree.is_err(), "the view crosses the limit");
        check(&divs(50), &divs(60), true);
        let parens = |n: usize| file(format!("<p>{{{}1{}}}</p>", "(".repeat(n), ")".repeat(n)));
        assert!(extract(PATH, &parens(60)).file_error.is_some(), "the block crosses the limit");
        check(&parens(10), &parens(60), false);
    }

    #[test]
    fn unchanged_code_is_the_previous_views() {
        check(APP, APP, false);
        check("", "", false);
        check(APP, &format!("\u{feff}{APP}"), false);
    }

    #[test]
    fn edits_chain() {
        let steps = [
            edited("Héllo", "Hi"),
            edited("Héllo", "Hi\n\n"),
            edited("Héllo", "Hi\n\n").replacen("<i>\"a\"</i>", "<i>\"ab\"</i>", 1),
            edited("Héllo", "Hi\n\n").replacen("<i>\"a\"</i>", "<i>\"ab\"</i>", 1).replacen("card", "c", 1),
        ];
        let mut views = extract(PATH, APP);
        for step in &steps {
            views = extract_from(&views, step);
            assert_same(&views, &extract(PATH, step));
        }
    }

    #[test]
    fn item_of_inverts_identities() {
        assert_eq!(item_of(PATH, "src/app.rs::impl Foo::render#12"), Some("impl Foo::render"));
        assert_eq!(item_of(PATH, "src/app.rs::r#type#0"), Some("r#type"));
        assert_eq!(item_of(PATH, "src/app.rs::#0"), Some(""));
        assert_eq!(item_of(PATH, "src/other.rs::App#0"), None);
    }

    #[test]
    fn edits_are_found_at_char_boundaries() {
        let edit = Edit::between("aéb", "aèb");
        assert_eq!(edit, Edit { start: 1, old_end: 3, new_end: 3 });
        let edit = Edit::between("aaa", "aaaa");
        assert_eq!(edit, Edit { start: 3, old_end: 3, new_end: 4 });
        assert_eq!(edit.moved(3), 4);
    }

    #[test]
    fn positions_after_an_edit_move_by_its_lines_and_columns() {
        let at = |line, column| Pos { line, column };
        let shift = Shift { from: at(3, 10), to: at(5, 2) };
        assert_eq!(shift.pos(at(3, 12)), at(5, 4));
        assert_eq!(shift.pos(at(4, 7)), at(6, 7));
        assert_eq!(advance(at(2, 4), "ab"), at(2, 6));
        assert_eq!(advance(at(2, 4), "ab\ncé\r\nx"), at(4, 1));
    }
}

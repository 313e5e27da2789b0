//! The view model: what one `view!` invocation looks like once its static parts are separated from
//! its code (holes).

use serde::Serialize;

use crate::Skeleton;

/// A line (1-based) and column (0-based, in chars) in a source file, as proc-macro2 reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 0-based column.
    pub column: usize,
}

/// A piece of code inside a view: a `{block}`, a dynamic attribute value, a spread, a component's
/// name and props. Two holes are equal when their tokens are equal, wherever they stand.
#[derive(Debug, Clone, Serialize)]
pub struct Hole {
    /// Hash of the hole's tokens as text (positions excluded).
    pub fingerprint: u64,
    /// Where the hole starts.
    pub pos: Pos,
    /// The tokens as text, for messages (`{count}`).
    pub text: String,
}

impl PartialEq for Hole {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
    }
}
impl Eq for Hole {}

/// One attribute of an element or one prop of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Attr {
    /// `class="a"` (string literal value, raw strings included): patchable.
    Static {
        /// Name as written (`class`, `data-x`, `xlink:href`).
        name: String,
        /// Literal value, unescaped.
        value: String,
    },
    /// `disabled`: patchable.
    Valueless {
        /// Name as written.
        name: String,
    },
    /// `inner_html="<i>x</i>"` on an element that Leptos builds (a view's root, a root of a
    /// component's children, an element holding code, any element of a view with a `class = ..`
    /// prefix; never a custom element): not an attribute but the element's `innerHTML`
    /// property, so its children in the DOM are this HTML's nodes, not the view's. Patchable
    /// (`set-inner-html`). Where Leptos renders the element as inert HTML instead (a static
    /// element below the top of a view) or it is a custom element, `inner_html` is a plain
    /// attribute and stays [`Attr::Static`].
    InnerHtml {
        /// The HTML, unescaped, as the server renders it.
        value: String,
    },
    /// Anything with a code value or a directive: `class=move || ..`, `value=x`, `on:click=..`,
    /// `class:name=..`, `style:prop=..`, `prop:`, `attr:`, `bind:`, `use:`, `clone:`, `let:`,
    /// `let(x)`.
    Dynamic {
        /// Name as written, with its prefix (`on:click`).
        name: String,
        /// The value's tokens (empty text when the directive has no value, e.g. `clone:x`).
        hole: Hole,
    },
    /// `{..attrs}`.
    Spread {
        /// The spread expression.
        hole: Hole,
    },
}

/// An element: `<div ..>..</div>`, `<br/>`, `<svg>`, `<my-widget>`. Two elements are equal when
/// their tag, attributes and children are: where they stand is not part of the markup.
#[derive(Debug, Clone, Serialize)]
pub struct Element {
    /// Tag as written.
    pub tag: String,
    /// Attributes in source order.
    pub attrs: Vec<Attr>,
    /// Children in source order.
    pub children: Vec<Node>,
    /// Where its tag name starts (for messages; the default for an element a patch inserted).
    pub pos: Pos,
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag && self.attrs == other.attrs && self.children == other.children
    }
}
impl Eq for Element {}

/// A component or slot: `<Counter initial=3/>`, `<ui::Card>`, `<Foo<T> ..>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Component {
    /// Name as written, generics included (`Foo<T>`, `ui::Card`).
    pub name: String,
    /// Name, generics and props as one hole: any change to them is a code change.
    pub hole: Hole,
    /// Props in source order (informative; `hole` decides equality).
    pub props: Vec<Attr>,
    /// The children: a nested template whose static parts are patchable.
    pub children: Vec<Node>,
}

/// A node of a view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Node {
    /// An HTML/SVG/MathML/custom element.
    Element(Element),
    /// Static text (quoted, unquoted or raw string), unescaped.
    Text {
        /// The text.
        text: String,
    },
    /// A `{block}` child.
    Block {
        /// Its tokens.
        hole: Hole,
    },
    /// A component or slot.
    Component(Component),
    /// `<!DOCTYPE html>`.
    Doctype {
        /// What follows `DOCTYPE`.
        value: String,
    },
    /// `<!-- .. -->` written in the view.
    Comment {
        /// The comment's text.
        text: String,
    },
}

/// The static shape of one `view!` invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ViewTree {
    /// `view! { cx, .. }` (Leptos <= 0.4): the scope argument, as a hole.
    pub cx: Option<Hole>,
    /// `view! { class = STYLE, .. }`: the class expression, as a hole.
    pub class_prefix: Option<Hole>,
    /// Root nodes.
    pub nodes: Vec<Node>,
}

/// A `view!` that could not be parsed. The whole macro is one opaque hole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewError {
    /// syn's message.
    pub message: String,
    /// Where syn stopped.
    pub pos: Pos,
}

/// One `view!` invocation found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    /// Stable identity: `relative/path.rs::item::path#ordinal` (ordinal within the item).
    pub id: String,
    /// The id Leptos gives this view's hot-reload markers when built now: the path with `/` and
    /// `\` turned into `-`, then `-` and the start line (`src-app.rs-12`). `None` when Leptos
    /// marks nothing: the view's only root is text, a `{block}` or a `<>..</>` fragment, or the
    /// view is empty.
    pub marker_id: Option<String>,
    /// Where the macro starts.
    pub pos: Pos,
    /// What the macro holds: the tree, or the parse error (an opaque hole).
    pub tree: Result<ViewTree, ViewError>,
    /// Fingerprint of the macro's code: its holes in order (all its tokens when `tree` is an
    /// error).
    pub fingerprint: u64,
}

/// Everything devserve knows about one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileViews {
    /// Path relative to the package (or workspace) root, with `/` separators.
    pub path: String,
    /// Every view in the file, in source order (outer before nested).
    pub views: Vec<View>,
    /// The code skeleton: the file's tokens with each view's static parts replaced by one
    /// placeholder, holes kept. Equal skeletons mean only static markup differs.
    pub skeleton: Skeleton,
    /// Set when the file cannot be split into tokens or nests too deeply (then `views` is
    /// empty). Other syntax errors are found by [`crate::syntax_error`], which
    /// [`crate::classify_from`] runs when the code changed (unchanged code parsed for the build).
    pub file_error: Option<ViewError>,
}

impl FileViews {
    /// A file with no views and no code: the baseline of a file that did not exist.
    pub fn empty(path: &str) -> Self {
        Self { path: path.to_owned(), views: Vec::new(), skeleton: Skeleton::default(), file_error: None }
    }
}

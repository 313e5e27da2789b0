//! Structured inputs for the view parser: a small file of items holding `view!`s made of
//! view-like tokens (elements, attributes, quoted and raw text, `{blocks}`, components,
//! fragments, nested views, comments, and now and then a stray token), generated from the
//! fuzzer's bytes with `arbitrary`, rendered to Rust source, and edited.
//!
//! Random bytes rarely get past the lexer and the view parser; these files always do (unless a
//! stray token breaks them on purpose), so the fuzzer spends its time in the scanner, the
//! classifier and the diff.

use std::fmt::Write as _;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::views::Expect;

const MAX_DEPTH: usize = 6;
const MAX_NODES: usize = 48;

const ITEM_NAMES: &[&str] = &["app", "App", "Counter", "list", "header", "r#type", "view"];
const CODE: &[&str] = &[
    "let (count, set_count) = signal(0);",
    "let n = 1;",
    "let n = 2;",
    "let items = vec![1, 2, 3];",
    "",
    "let _ = \"view! { <p>\\\"in a string\\\"</p> }\";",
    "let f = |x: u32| x + 1; // view! { <p/> }",
    "/* view! { <b/> } */",
];
const TAGS: &[&str] = &[
    "div",
    "p",
    "span",
    "li",
    "ul",
    "b",
    "br",
    "input",
    "svg",
    "path",
    "my-widget",
    "script",
    "style",
    "textarea",
    "html",
    "body",
    "template",
    "button",
    "a",
    "h1",
    "math",
    "foreignObject",
    "option",
    "main",
];
/// The void elements of `TAGS`: they take no children.
const VOID: &[&str] = &["br", "input"];
const COMPONENTS: &[&str] =
    &["Card", "ui::Card", "Show", "For", "DataTable<u32>", "Suspense", "A", "Select<String, Vec<String>>"];
const STATIC_NAMES: &[&str] =
    &["class", "id", "style", "title", "href", "data-x", "aria-label", "xlink:href", "type", "for"];
const VALUELESS_NAMES: &[&str] = &["disabled", "hidden", "checked", "clone:items", "let:row", "elevated"];
const DYNAMIC_NAMES: &[&str] = &[
    "on:click",
    "class:active",
    "class:is-open",
    "style:color",
    "prop:value",
    "prop:innerHTML",
    "value",
    "attr:data-state",
    "bind:checked",
    "use:tooltip",
    "on:click:undelegated",
    "node_ref",
    "class",
    "inner_html",
];
const DYNAMIC_CODE: &[&str] = &[
    "x",
    "move || z.get()",
    "move |_| set_count.update(|n| *n += 1)",
    "true",
    "1",
    "{x}",
    "-1",
    "|| ()",
    "[1, 2]",
];
const SPREADS: &[&str] = &["{..attrs}", "{..rest}", "{..}"];
const BLOCKS: &[&str] = &[
    "{n}",
    "{count}",
    "{move || count.get()}",
    "{\"literal\"}",
    "{x + 1}",
    "{()}",
    "{children()}",
    "{move || if n > 1 { \"a\" } else { \"b\" }}",
    "{items.iter().map(|i| i * 2).collect::<Vec<_>>()}",
    "{ n }",
];
const WORDS: &[&str] = &["Hello", "world", "Count", "é", "r#fn", "x", "42", "'a'"];
const PREFIXES: &[&str] = &["STYLE", "\"scoped-3f2a\"", "class_name"];
const STRAY: &[&str] =
    &["<", ">", "/>", "</", "=", "{", "}", "(", ")", "\"", "<>", "</>", ",", "::", "<!--", "-->", "#", "'"];

/// A file: items (functions, components, methods, modules) around views.
#[derive(Debug, Clone)]
pub struct File {
    /// The items in order.
    pub items: Vec<Item>,
}

/// One item and its view.
#[derive(Debug, Clone)]
pub struct Item {
    kind: ItemKind,
    name: usize,
    code: usize,
    view: ViewMacro,
}

#[derive(Debug, Clone, Copy)]
enum ItemKind {
    Fn,
    Component,
    Method,
    Closure,
    Module,
    NoView,
}

/// `view! { [cx,] [class = X,] nodes }`.
#[derive(Debug, Clone)]
struct ViewMacro {
    scope: bool,
    prefix: Option<usize>,
    nodes: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum Tok {
    Element { tag: usize, attrs: Vec<AttrTok>, children: Vec<Tok>, closed: bool },
    Component { name: usize, props: Vec<AttrTok>, children: Vec<Tok>, closed: bool },
    Fragment(Vec<Tok>),
    Text(Text),
    Block(usize),
    View { closure: bool, view: ViewMacro },
    Comment(usize),
    Doctype,
    Stray(usize),
}

#[derive(Debug, Clone)]
enum Text {
    Quoted(String),
    Raw(String),
    Word(usize),
}

#[derive(Debug, Clone)]
enum AttrTok {
    Static { name: usize, value: String },
    Valueless(usize),
    Dynamic { name: usize, code: usize },
    Spread(usize),
    InnerHtml(String),
}

/// How the source is laid out: changing only this changes no token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Pretty,
    Compact,
    Tight,
}

/// A file, its layout, and edits that make the second version. Its `Debug` shows both sources
/// (`cargo fuzz fmt view_tokens <input>`).
pub struct Input {
    /// The old file.
    pub file: File,
    layout: Layout,
    edits: Vec<Edit>,
}

#[derive(Debug, Clone)]
enum Edit {
    /// Replace the content of the `at`-th text node.
    Text {
        at: usize,
        text: Text,
    },
    /// Change the value of a static attribute of the `at`-th element.
    AttrValue {
        at: usize,
        which: usize,
        value: String,
    },
    AddAttr {
        at: usize,
        attr: AttrTok,
    },
    RemoveAttr {
        at: usize,
        which: usize,
    },
    Insert {
        list: usize,
        at: usize,
        tok: Tok,
    },
    Remove {
        at: usize,
    },
    Move {
        at: usize,
        to: usize,
    },
    Rename {
        at: usize,
        tag: usize,
    },
    Wrap {
        at: usize,
        tag: usize,
    },
    Block {
        at: usize,
        code: usize,
    },
    Code {
        item: usize,
        code: usize,
    },
    SwapItems {
        a: usize,
        b: usize,
    },
    RemoveItem {
        item: usize,
    },
    Layout(Layout),
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // A quarter of the files get stray tokens (which mostly break them), a third of the
        // edits touch only text and layout (so that their meaning is known).
        let stray = u.ratio(1, 4)?;
        let static_only = u.ratio(1, 3)?;
        let mut g = Gen { u, nodes: 0, stray };
        let file = g.file()?;
        let layout = g.layout()?;
        let mut edits = Vec::new();
        for _ in 0..g.u.int_in_range(1..=3)? {
            edits.push(if static_only { g.static_edit()? } else { g.edit()? });
        }
        Ok(Input { file, layout, edits })
    }
}

impl Input {
    /// The old source, the new source, and what the edits are known to mean.
    pub fn sources(&self) -> (String, String, Expect) {
        let old = render(&self.file, self.layout);
        let mut file = self.file.clone();
        let mut layout = self.layout;
        let mut expect = Expect::Nothing;
        for edit in &self.edits {
            let kind = apply(&mut file, &mut layout, edit);
            expect = match (expect, kind) {
                (_, EditKind::Other) | (Expect::Anything, _) => Expect::Anything,
                (_, EditKind::Text) | (Expect::Static, _) => Expect::Static,
                (Expect::Nothing, EditKind::Layout) => Expect::Nothing,
            };
        }
        if has_stray(&self.file) || has_stray(&file) {
            expect = Expect::Anything;
        }
        (old, render(&file, layout), expect)
    }
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (old, new, expect) = self.sources();
        write!(f, "// old\n{old}\n// new, expected: {expect:?}\n{new}\n// edits: {:?}", self.edits)
    }
}

// ---------------------------------------------------------------------------------------------
// Generation

struct Gen<'u, 'a> {
    u: &'u mut Unstructured<'a>,
    /// Nodes generated so far.
    nodes: usize,
    /// Whether stray tokens may be generated.
    stray: bool,
}

impl Gen<'_, '_> {
    fn pick(&mut self, options: &[&str]) -> Result<usize> {
        self.u.choose_index(options.len())
    }

    fn file(&mut self) -> Result<File> {
        let mut items = Vec::new();
        for _ in 0..self.u.int_in_range(1..=3)? {
            items.push(self.item()?);
        }
        Ok(File { items })
    }

    fn item(&mut self) -> Result<Item> {
        let kind = match self.u.int_in_range(0..=11)? {
            0..=3 => ItemKind::Component,
            4..=6 => ItemKind::Fn,
            7 => ItemKind::Method,
            8 => ItemKind::Closure,
            9 => ItemKind::Module,
            _ => ItemKind::NoView,
        };
        Ok(Item { kind, name: self.pick(ITEM_NAMES)?, code: self.pick(CODE)?, view: self.view(0)? })
    }

    fn view(&mut self, depth: usize) -> Result<ViewMacro> {
        let scope = self.u.ratio(1, 8)?;
        let prefix = if self.u.ratio(1, 8)? { Some(self.pick(PREFIXES)?) } else { None };
        Ok(ViewMacro { scope, prefix, nodes: self.nodes(depth)? })
    }

    fn nodes(&mut self, depth: usize) -> Result<Vec<Tok>> {
        let mut nodes = Vec::new();
        if depth >= MAX_DEPTH {
            return Ok(nodes);
        }
        for _ in 0..self.u.int_in_range(0..=4)? {
            if self.nodes >= MAX_NODES || self.u.is_empty() {
                break;
            }
            self.nodes += 1;
            nodes.push(self.tok(depth)?);
        }
        Ok(nodes)
    }

    fn tok(&mut self, depth: usize) -> Result<Tok> {
        Ok(match self.u.int_in_range(0..=99)? {
            0..=34 => Tok::Element {
                tag: self.pick(TAGS)?,
                attrs: self.attrs()?,
                children: self.nodes(depth + 1)?,
                closed: self.u.ratio(1, 6)?,
            },
            35..=44 => Tok::Component {
                name: self.pick(COMPONENTS)?,
                props: self.attrs()?,
                children: self.nodes(depth + 1)?,
                closed: self.u.ratio(1, 4)?,
            },
            45..=48 => Tok::Fragment(self.nodes(depth + 1)?),
            49..=72 => Tok::Text(self.text()?),
            73..=86 => Tok::Block(self.pick(BLOCKS)?),
            87..=91 => Tok::View { closure: self.u.arbitrary()?, view: self.view(depth + 1)? },
            92..=94 => Tok::Comment(self.pick(WORDS)?),
            95 => Tok::Doctype,
            _ if self.stray => Tok::Stray(self.pick(STRAY)?),
            _ => Tok::Text(self.text()?),
        })
    }

    fn text(&mut self) -> Result<Text> {
        Ok(match self.u.int_in_range(0..=5)? {
            0..=3 => Text::Quoted(self.string()?),
            4 => Text::Raw(self.string()?),
            _ => Text::Word(self.pick(WORDS)?),
        })
    }

    /// A short string: mostly plain, now and then any chars (escaped when rendered).
    fn string(&mut self) -> Result<String> {
        if self.u.ratio(1, 4)? {
            let s: &str = self.u.arbitrary()?;
            return Ok(s.chars().take(12).collect());
        }
        let words = ["", "Hi", "Hello, world", " ", "<b>", "a & b", "{x}", "line\nbreak", "\"q\"", "ü"];
        Ok(words[self.u.choose_index(words.len())?].to_owned())
    }

    fn attrs(&mut self) -> Result<Vec<AttrTok>> {
        let mut attrs: Vec<AttrTok> = Vec::new();
        for _ in 0..self.u.int_in_range(0..=3)? {
            let attr = self.attr()?;
            if !attrs.iter().any(|old| attr_name(old) == attr_name(&attr)) {
                attrs.push(attr);
            }
        }
        Ok(attrs)
    }

    fn attr(&mut self) -> Result<AttrTok> {
        Ok(match self.u.int_in_range(0..=19)? {
            0..=8 => AttrTok::Static { name: self.pick(STATIC_NAMES)?, value: self.string()? },
            9..=10 => AttrTok::Valueless(self.pick(VALUELESS_NAMES)?),
            11..=16 => AttrTok::Dynamic { name: self.pick(DYNAMIC_NAMES)?, code: self.pick(DYNAMIC_CODE)? },
            17 => AttrTok::Spread(self.pick(SPREADS)?),
            _ => AttrTok::InnerHtml(self.string()?),
        })
    }

    fn layout(&mut self) -> Result<Layout> {
        Ok(match self.u.int_in_range(0..=2)? {
            0 => Layout::Pretty,
            1 => Layout::Compact,
            _ => Layout::Tight,
        })
    }

    fn static_edit(&mut self) -> Result<Edit> {
        Ok(if self.u.ratio(3, 4)? {
            Edit::Text { at: self.u.int_in_range(0..=255)?, text: self.text()? }
        } else {
            Edit::Layout(self.layout()?)
        })
    }

    fn edit(&mut self) -> Result<Edit> {
        let index = |g: &mut Self| g.u.int_in_range(0..=255usize);
        Ok(match self.u.int_in_range(0..=29)? {
            0..=6 => Edit::Text { at: index(self)?, text: self.text()? },
            7..=9 => Edit::AttrValue { at: index(self)?, which: index(self)?, value: self.string()? },
            10..=11 => Edit::AddAttr { at: index(self)?, attr: self.attr()? },
            12..=13 => Edit::RemoveAttr { at: index(self)?, which: index(self)? },
            14..=15 => {
                let (list, at) = (index(self)?, index(self)?);
                Edit::Insert { list, at, tok: self.tok(MAX_DEPTH - 2)? }
            }
            16..=17 => Edit::Remove { at: index(self)? },
            18..=19 => Edit::Move { at: index(self)?, to: index(self)? },
            20 => Edit::Rename { at: index(self)?, tag: self.pick(TAGS)? },
            21 => Edit::Wrap { at: index(self)?, tag: self.pick(TAGS)? },
            22 => Edit::Block { at: index(self)?, code: self.pick(BLOCKS)? },
            23 => Edit::Code { item: index(self)?, code: self.pick(CODE)? },
            24 => Edit::SwapItems { a: index(self)?, b: index(self)? },
            25 => Edit::RemoveItem { item: index(self)? },
            _ => Edit::Layout(self.layout()?),
        })
    }
}

fn attr_name(attr: &AttrTok) -> &str {
    match attr {
        AttrTok::Static { name, .. } => STATIC_NAMES[*name],
        AttrTok::Valueless(name) => VALUELESS_NAMES[*name],
        AttrTok::Dynamic { name, .. } => DYNAMIC_NAMES[*name],
        AttrTok::Spread(_) => "..",
        AttrTok::InnerHtml(_) => "inner_html",
    }
}

// ---------------------------------------------------------------------------------------------
// Edits

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditKind {
    /// Only whitespace.
    Layout,
    /// Only the content of a text node that Leptos renders as a DOM text node.
    Text,
    /// Anything else (or an edit that found nothing to edit and changed nothing: also fine).
    Other,
}

/// The children lists of a token, if it has one.
fn children_mut(tok: &mut Tok) -> Option<&mut Vec<Tok>> {
    match tok {
        Tok::Element { children, .. } | Tok::Component { children, .. } | Tok::Fragment(children) => {
            Some(children)
        }
        Tok::View { view, .. } => Some(&mut view.nodes),
        _ => None,
    }
}

/// Every list of sibling tokens in the file, in pre-order, as a path: item, then child indices.
fn lists(file: &mut File) -> Vec<(usize, Vec<usize>)> {
    fn walk(nodes: &mut [Tok], item: usize, path: &mut Vec<usize>, out: &mut Vec<(usize, Vec<usize>)>) {
        for (index, tok) in nodes.iter_mut().enumerate() {
            if let Some(children) = children_mut(tok) {
                path.push(index);
                out.push((item, path.clone()));
                walk(children, item, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    for (item, it) in file.items.iter_mut().enumerate() {
        if matches!(it.kind, ItemKind::NoView) {
            continue;
        }
        out.push((item, Vec::new()));
        walk(&mut it.view.nodes, item, &mut Vec::new(), &mut out);
    }
    out
}

fn list_mut<'f>(file: &'f mut File, item: usize, path: &[usize]) -> &'f mut Vec<Tok> {
    let mut list = &mut file.items[item].view.nodes;
    for &index in path {
        list = children_mut(&mut list[index]).expect("paths lead through parents");
    }
    list
}

/// Of the nodes `keep` accepts, the `at`-th (wrapping), if any: its list and its index there.
fn pick(file: &mut File, at: usize, keep: impl Fn(&Tok) -> bool) -> Option<((usize, Vec<usize>), usize)> {
    let mut found = Vec::new();
    for (item, path) in lists(file) {
        let list = list_mut(file, item, &path);
        for (index, tok) in list.iter().enumerate() {
            if keep(tok) {
                found.push(((item, path.clone()), index));
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    let len = found.len();
    Some(found.swap_remove(at % len))
}

/// Whether text at `path` in `item` is a text node of its view whatever its content: inside no
/// element whose children a DOM property sets (`inner_html`, `prop:innerHTML`), whose view
/// children are not in the DOM, so that editing them needs a rebuild.
fn plain_text(file: &mut File, item: usize, path: &[usize]) -> bool {
    let mut list = &mut file.items[item].view.nodes;
    for &at in path {
        let tok = &mut list[at];
        if let Tok::Element { attrs, .. } = tok {
            let sets_content = attrs.iter().any(|attr| match attr {
                AttrTok::InnerHtml(_) => true,
                AttrTok::Dynamic { name, .. } => {
                    matches!(DYNAMIC_NAMES[*name], "prop:innerHTML" | "inner_html")
                }
                _ => false,
            });
            if sets_content {
                return false;
            }
        }
        list = children_mut(tok).expect("paths lead through parents");
    }
    true
}

fn apply(file: &mut File, layout: &mut Layout, edit: &Edit) -> EditKind {
    let is_text = |tok: &Tok| matches!(tok, Tok::Text(Text::Quoted(_) | Text::Raw(_)));
    let is_element = |tok: &Tok| matches!(tok, Tok::Element { .. });
    match edit {
        Edit::Layout(new) => {
            *layout = *new;
            EditKind::Layout
        }
        Edit::Text { at, text } => {
            let Some(((item, path), index)) = pick(file, *at, is_text) else { return EditKind::Other };
            let plain = plain_text(file, item, &path) && !matches!(text, Text::Word(_));
            list_mut(file, item, &path)[index] = Tok::Text(text.clone());
            if plain { EditKind::Text } else { EditKind::Other }
        }
        Edit::AttrValue { at, which, value } => {
            if let Some(((item, path), index)) = pick(file, *at, is_element)
                && let Tok::Element { attrs, .. } = &mut list_mut(file, item, &path)[index]
            {
                let statics: Vec<usize> = (0..attrs.len())
                    .filter(|&i| matches!(attrs[i], AttrTok::Static { .. } | AttrTok::InnerHtml(_)))
                    .collect();
                if let Some(&i) = statics.get(which % statics.len().max(1)) {
                    match &mut attrs[i] {
                        AttrTok::Static { value: old, .. } | AttrTok::InnerHtml(old) => old.clone_from(value),
                        _ => {}
                    }
                }
            }
            EditKind::Other
        }
        Edit::AddAttr { at, attr } => {
            if let Some(((item, path), index)) = pick(file, *at, is_element)
                && let Tok::Element { attrs, .. } = &mut list_mut(file, item, &path)[index]
                && !attrs.iter().any(|old| attr_name(old) == attr_name(attr))
            {
                attrs.push(attr.clone());
            }
            EditKind::Other
        }
        Edit::RemoveAttr { at, which } => {
            if let Some(((item, path), index)) = pick(file, *at, is_element)
                && let Tok::Element { attrs, .. } = &mut list_mut(file, item, &path)[index]
                && !attrs.is_empty()
            {
                attrs.remove(which % attrs.len());
            }
            EditKind::Other
        }
        Edit::Insert { list, at, tok } => {
            let lists = lists(file);
            if !lists.is_empty() {
                let (item, path) = &lists[list % lists.len()];
                let siblings = list_mut(file, *item, path);
                siblings.insert(at % (siblings.len() + 1), tok.clone());
            }
            EditKind::Other
        }
        Edit::Remove { at } => {
            if let Some(((item, path), index)) = pick(file, *at, |_| true) {
                list_mut(file, item, &path).remove(index);
            }
            EditKind::Other
        }
        Edit::Move { at, to } => {
            if let Some(((item, path), index)) = pick(file, *at, |_| true) {
                let siblings = list_mut(file, item, &path);
                let tok = siblings.remove(index);
                siblings.insert(to % (siblings.len() + 1), tok);
            }
            EditKind::Other
        }
        Edit::Rename { at, tag: new } => {
            if let Some(((item, path), index)) = pick(file, *at, is_element)
                && let Tok::Element { tag, .. } = &mut list_mut(file, item, &path)[index]
            {
                *tag = *new;
            }
            EditKind::Other
        }
        Edit::Wrap { at, tag } => {
            if let Some(((item, path), index)) = pick(file, *at, |_| true) {
                let slot = &mut list_mut(file, item, &path)[index];
                let inner = std::mem::replace(slot, Tok::Doctype);
                *slot = Tok::Element { tag: *tag, attrs: Vec::new(), children: vec![inner], closed: false };
            }
            EditKind::Other
        }
        Edit::Block { at, code: new } => {
            if let Some(((item, path), index)) = pick(file, *at, |tok| matches!(tok, Tok::Block(_)))
                && let Tok::Block(code) = &mut list_mut(file, item, &path)[index]
            {
                *code = *new;
            }
            EditKind::Other
        }
        Edit::Code { item, code } => {
            let len = file.items.len();
            file.items[item % len].code = *code;
            EditKind::Other
        }
        Edit::SwapItems { a, b } => {
            let len = file.items.len();
            file.items.swap(a % len, b % len);
            EditKind::Other
        }
        Edit::RemoveItem { item } => {
            if file.items.len() > 1 {
                let len = file.items.len();
                file.items.remove(item % len);
            }
            EditKind::Other
        }
    }
}

fn has_stray(file: &File) -> bool {
    fn any(nodes: &[Tok]) -> bool {
        nodes.iter().any(|tok| match tok {
            Tok::Stray(_) => true,
            Tok::Element { children, .. } | Tok::Component { children, .. } | Tok::Fragment(children) => {
                any(children)
            }
            Tok::View { view, .. } => any(&view.nodes),
            _ => false,
        })
    }
    file.items.iter().any(|item| !matches!(item.kind, ItemKind::NoView) && any(&item.view.nodes))
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// The file as Rust source.
fn render(file: &File, layout: Layout) -> String {
    let mut out = String::from("use leptos::prelude::*;\n\n");
    for item in &file.items {
        let name = ITEM_NAMES[item.name];
        let code = CODE[item.code];
        let view = || {
            let mut text = String::new();
            write_view(&mut text, &item.view, layout, 1);
            text
        };
        let _ = match item.kind {
            ItemKind::Fn => {
                writeln!(out, "fn {name}() -> impl IntoView {{\n    {code}\n    {}\n}}\n", view())
            }
            ItemKind::Component => writeln!(
                out,
                "#[component]\npub fn {name}() -> impl IntoView {{\n    {code}\n    {}\n}}\n",
                view()
            ),
            ItemKind::Method => writeln!(
                out,
                "impl Page {{\n    fn {name}(&self) -> impl IntoView {{\n        {code}\n        {}\n    }}\n}}\n",
                view()
            ),
            ItemKind::Closure => writeln!(
                out,
                "fn {name}() -> impl IntoView {{\n    {code}\n    let v = move || {};\n    v\n}}\n",
                view()
            ),
            ItemKind::Module => writeln!(
                out,
                "mod {name} {{\n    use super::*;\n    pub fn render() -> impl IntoView {{ {code} {} }}\n}}\n",
                view()
            ),
            ItemKind::NoView => writeln!(out, "fn {name}() -> u32 {{\n    {code}\n    1\n}}\n"),
        };
    }
    out
}

fn write_view(out: &mut String, view: &ViewMacro, layout: Layout, depth: usize) {
    out.push_str("view! {");
    let mut head = Vec::new();
    if view.scope {
        head.push("cx,".to_owned());
    }
    if let Some(prefix) = view.prefix {
        head.push(format!("class = {},", PREFIXES[prefix]));
    }
    if !head.is_empty() {
        out.push(' ');
        out.push_str(&head.join(" "));
    }
    write_nodes(out, &view.nodes, layout, depth + 1);
    newline(out, layout, depth);
    out.push('}');
}

fn newline(out: &mut String, layout: Layout, depth: usize) {
    match layout {
        Layout::Pretty => {
            out.push('\n');
            out.push_str(&"    ".repeat(depth));
        }
        Layout::Compact => out.push(' '),
        Layout::Tight => {}
    }
}

fn write_nodes(out: &mut String, nodes: &[Tok], layout: Layout, depth: usize) {
    let mut last_word = false;
    for tok in nodes {
        // Tokens that would merge keep a space in every layout: `Hello` `world`, `<` `/`, and a
        // literal followed by `r#".."#` (which would become the literal's suffix `r`).
        let word = matches!(tok, Tok::Text(Text::Word(_)) | Tok::Stray(_));
        let raw = matches!(tok, Tok::Text(Text::Raw(_)));
        if layout == Layout::Tight && (word || raw || last_word) {
            out.push(' ');
        }
        newline(out, layout, depth);
        write_tok(out, tok, layout, depth);
        last_word = word;
    }
}

fn write_tok(out: &mut String, tok: &Tok, layout: Layout, depth: usize) {
    match tok {
        Tok::Element { tag, attrs, children, closed } => {
            let tag = TAGS[*tag];
            if VOID.contains(&tag) {
                // No children: `<br/>`, `<br>`, or `<br></br>` (the children only pick the form).
                write_open(out, tag, attrs, *closed);
                if !*closed && !children.is_empty() {
                    let _ = write!(out, "</{tag}>");
                }
                return;
            }
            write_open(out, tag, attrs, *closed && children.is_empty());
            if !(*closed && children.is_empty()) {
                write_nodes(out, children, layout, depth + 1);
                newline(out, layout, depth);
                let _ = write!(out, "</{tag}>");
            }
        }
        Tok::Component { name, props, children, closed } => {
            let name = COMPONENTS[*name];
            write_open(out, name, props, *closed && children.is_empty());
            if !(*closed && children.is_empty()) {
                write_nodes(out, children, layout, depth + 1);
                newline(out, layout, depth);
                // The closing tag of a generic component has no generics.
                let _ = write!(out, "</{}>", name.split('<').next().unwrap_or(name));
            }
        }
        Tok::Fragment(children) => {
            out.push_str("<>");
            write_nodes(out, children, layout, depth + 1);
            newline(out, layout, depth);
            out.push_str("</>");
        }
        Tok::Text(text) => write_text(out, text),
        Tok::Block(code) => out.push_str(BLOCKS[*code]),
        Tok::View { closure, view } => {
            out.push_str(if *closure { "{move || " } else { "{" });
            write_view(out, view, layout, depth);
            out.push('}');
        }
        Tok::Comment(word) => {
            let _ = write!(out, "<!-- \"{}\" -->", WORDS[*word].replace('"', ""));
        }
        Tok::Doctype => out.push_str("<!DOCTYPE html>"),
        Tok::Stray(piece) => out.push_str(STRAY[*piece]),
    }
}

fn write_open(out: &mut String, name: &str, attrs: &[AttrTok], closed: bool) {
    out.push('<');
    out.push_str(name);
    for attr in attrs {
        out.push(' ');
        match attr {
            AttrTok::Static { name, value } => {
                let _ = write!(out, "{}={}", STATIC_NAMES[*name], quoted(value));
            }
            AttrTok::Valueless(name) => out.push_str(VALUELESS_NAMES[*name]),
            AttrTok::Dynamic { name, code } => {
                let _ = write!(out, "{}={}", DYNAMIC_NAMES[*name], DYNAMIC_CODE[*code]);
            }
            AttrTok::Spread(spread) => out.push_str(SPREADS[*spread]),
            AttrTok::InnerHtml(html) => {
                let _ = write!(out, "inner_html={}", quoted(html));
            }
        }
    }
    out.push_str(if closed { "/>" } else { ">" });
}

fn write_text(out: &mut String, text: &Text) {
    match text {
        Text::Quoted(s) => out.push_str(&quoted(s)),
        // A raw string cannot hold `"#`, nor a lone `\r` (rustc refuses it): quote those.
        Text::Raw(s) if !s.contains("\"#") && !s.contains('\r') => {
            let _ = write!(out, "r#\"{s}\"#");
        }
        Text::Raw(s) => out.push_str(&quoted(s)),
        Text::Word(word) => out.push_str(WORDS[*word]),
    }
}

/// A Rust string literal holding `s` (`Debug` escapes exactly what a literal needs).
fn quoted(s: &str) -> String {
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_views_that_parse() {
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        let input = Input::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        let (old, new, _) = input.sources();
        assert!(old.contains("view!"), "{old}");
        let _ = new;
    }
}

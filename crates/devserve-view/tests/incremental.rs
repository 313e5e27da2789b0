//! `extract_from` is `extract`, only faster: over random edits of real-looking files (the syntax
//! corpus and a file of components), chained as saves follow each other, the views it returns
//! equal a full extract of the new source in every detail, positions and marker ids included.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::LazyLock;

use devserve_view::{FileViews, extract, extract_from};
use proptest::prelude::*;
use proptest::sample::Index;

/// The syntax corpus, plus a file of components much like the ones users write.
static SOURCES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax");
    let mut sources: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    sources.sort();
    assert!(sources.len() >= 15, "the corpus went missing from {}", dir.display());
    sources.push((0..3).map(component).collect());
    sources
});

fn component(i: usize) -> String {
    format!(
        r#"
#[component]
pub fn Widget{i}(initial: i32) -> impl IntoView {{
    let (count, set_count) = signal(initial);
    let pair = (view! {{ <i>"{i}"</i> }}, view! {{ <b title="b">{{count}}</b> }});
    view! {{
        <section class="widget" id="widget-{i}">
            <h2>"Widget number {i}"</h2>
            <button class="btn" on:click=move |_| set_count.update(|n| *n += 1)>"Increment"</button>
            <span class="count">"Count: " {{count}}</span>
            <ul>{{move || (0..count.get()).map(|n| view! {{ <li>"Item " {{n}}</li> }}).collect_view()}}</ul>
            <Card title="Details"><p>"Nested content"</p>{{pair}}</Card>
        </section>
    }}
}}
"#
    )
}

/// What an edit inserts: text, markup, code, line breaks, delimiters and quotes that unbalance
/// the file, multi-byte chars.
const INSERTS: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "\n\n    ",
    "\r\n",
    "é",
    "\"",
    "\"text\"",
    "r#\"raw\"#",
    "<p>",
    "</p>",
    "<b>\"bold\"</b>",
    "<br/>",
    "<Card x=1/>",
    "class=\"c\"",
    "disabled",
    "on:click=go",
    "{n}",
    "{n + 1}",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "view! { <i>\"v\"</i> }",
    "{view! { <hr/> }}",
    "// comment\n",
    "/*",
    "*/",
    "<!-- note -->",
    "let x = 1;",
    "fn f() {}",
    "cx,",
];

/// One edit: where (which char of the file), how many chars to delete, what to insert.
fn edit() -> impl Strategy<Value = (Index, usize, &'static str)> {
    (any::<Index>(), 0usize..12, prop::sample::select(INSERTS))
}

fn apply(source: &str, (at, delete, insert): (Index, usize, &str)) -> String {
    let boundaries: Vec<usize> = source.char_indices().map(|(i, _)| i).chain([source.len()]).collect();
    let start = boundaries[at.index(boundaries.len())];
    let end = source[start..].char_indices().nth(delete).map_or(source.len(), |(i, _)| start + i);
    format!("{}{insert}{}", &source[..start], &source[end..])
}

fn same(actual: &FileViews, expected: &FileViews) -> bool {
    format!("{actual:#?}") == format!("{expected:#?}")
}

// Cases per property: 256, or `PROPTEST_CASES`.
proptest! {
    #[test]
    fn extract_from_equals_a_full_extract(
        file in 0..SOURCES.len(),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let mut source = SOURCES[file].clone();
        let mut views = extract("src/app.rs", &source);
        for edit in edits {
            source = apply(&source, edit);
            views = extract_from(&views, &source);
            let expected = extract("src/app.rs", &source);
            prop_assert!(same(&views, &expected), "after {edit:?}:\n{source}\n{views:#?}\n!=\n{expected:#?}");
        }
    }
}

#[test]
fn every_one_char_insertion_into_a_component() {
    let source = component(0);
    let before = extract("src/app.rs", &source);
    for at in (0..source.len()).filter(|&at| source.is_char_boundary(at)) {
        for insert in ["x", "\n", "}"] {
            let new = format!("{}{insert}{}", &source[..at], &source[at..]);
            assert!(
                same(&extract_from(&before, &new), &extract("src/app.rs", &new)),
                "{insert:?} at {at}:\n{new}"
            );
        }
    }
}

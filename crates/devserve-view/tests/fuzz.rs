//! Robustness: whatever the input (arbitrary bytes, arbitrary text, token soups shaped like
//! views, absurd nesting), extract and classify return, deterministically, without panicking.

#![allow(clippy::unwrap_used)]

use devserve_view::{Change, RebuildKind, classify, classify_from, extract};
use proptest::prelude::*;

/// Pieces that views and Rust code are made of, including every punctuation the parser looks at.
const PIECES: &[&str] = &[
    "<",
    ">",
    "/",
    "</",
    "/>",
    "<>",
    "</>",
    "=",
    "==",
    ":",
    "::",
    "-",
    ".",
    "..",
    "!",
    "|",
    "||",
    ",",
    ";",
    "&",
    "*",
    "?",
    "#",
    "->",
    "=>",
    "<!--",
    "-->",
    "<!DOCTYPE",
    "div",
    "p",
    "br",
    "input",
    "Counter",
    "ui",
    "T",
    "on",
    "click",
    "class",
    "style",
    "let",
    "clone",
    "move",
    "if",
    "else",
    "as",
    "cx",
    "view",
    "leptos",
    "fn",
    "impl",
    "mod",
    "const",
    "static",
    "macro_rules",
    "r#type",
    "\"text\"",
    "r#\"raw\"#",
    "\"esc\\n\\\"\"",
    "b\"bytes\"",
    "42",
    "1.5",
    "'c'",
    "'a",
];

/// Balanced token soup: pieces and groups of soup.
fn soup() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(PIECES).prop_map(str::to_owned);
    leaf.prop_recursive(6, 96, 12, |inner| {
        (prop::collection::vec(inner, 0..12), 0..4usize).prop_map(|(parts, delimiter)| {
            let body = parts.join(" ");
            match delimiter {
                0 => format!("{{{body}}}"),
                1 => format!("({body})"),
                2 => format!("[{body}]"),
                _ => body,
            }
        })
    })
}

fn file_with_view(soup: &str) -> String {
    format!("fn app() -> impl IntoView {{\n    view! {{ {soup} }}\n}}\n")
}

// Cases per property: 256, or `PROPTEST_CASES`.
proptest! {
    #[test]
    fn token_soup_views_never_panic(a in soup(), b in soup()) {
        let (old, new) = (file_with_view(&a), file_with_view(&b));
        let base = extract("src/app.rs", &old);
        prop_assert_eq!(&base, &extract("src/app.rs", &old), "extract is not deterministic");
        let next = extract("src/app.rs", &new);
        let _ = classify_from(&base, &base, &next);
        let _ = classify(&next, &old);
        let broken = base.file_error.is_some() || base.views.iter().any(|v| v.tree.is_err());
        match classify(&base, &old) {
            Change::None => prop_assert!(!broken),
            Change::Rebuild(reason) => prop_assert!(broken && reason.kind == RebuildKind::ParseError),
            Change::Patch(_) => prop_assert!(false, "an unchanged file was patched"),
        }
    }

    #[test]
    fn token_soup_files_never_panic(a in soup(), b in soup()) {
        let base = extract("src/lib.rs", &a);
        let _ = classify(&base, &b);
    }

    #[test]
    fn arbitrary_text_never_panics(a in ".{0,400}", b in ".{0,400}") {
        let base = extract("src/app.rs", &a);
        let _ = classify(&base, &b);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = classify(&extract("src/app.rs", &text), &file_with_view(&text));
    }

    #[test]
    fn edited_real_views_never_panic(cut in 0usize..400, insert in prop::sample::select(PIECES)) {
        let mut source = REAL.to_owned();
        let at = (0..=cut.min(source.len())).rev().find(|&i| source.is_char_boundary(i)).unwrap_or(0);
        source.insert_str(at, insert);
        let _ = classify(&extract("src/app.rs", REAL), &source);
    }
}

const REAL: &str = r#"
#[component]
pub fn App() -> impl IntoView {
    let (count, set_count) = signal(0);
    view! {
        <main class="app">
            <h1>"Counter"</h1>
            <button on:click=move |_| set_count.update(|n| *n += 1)>"+1"</button>
            <p>"Count: " {count}</p>
            <For each=move || 0..count.get() key=|i| *i let:i>
                <li>{i}</li>
            </For>
        </main>
    }
}
"#;

#[test]
fn deeply_nested_brackets_are_an_error_not_a_crash() {
    let source = format!("fn a() {{ let x = {}1{}; }}", "(".repeat(100_000), ")".repeat(100_000));
    let file = extract("src/app.rs", &source);
    assert!(file.file_error.unwrap().message.contains("nested"));
}

#[test]
fn deeply_nested_elements_are_an_error_not_a_crash() {
    let source = file_with_view(&format!("{}{}", "<div>".repeat(100_000), "</div>".repeat(100_000)));
    let file = extract("src/app.rs", &source);
    let error = file.views[0].tree.as_ref().unwrap_err();
    assert!(error.message.contains("nested"), "{error:?}");
}

#[test]
fn deeply_nested_views_are_an_error_not_a_crash() {
    let source = file_with_view(&format!("{}{}", "<p>{ view! { ".repeat(5_000), "} }</p>".repeat(5_000)));
    assert!(extract("src/app.rs", &source).file_error.is_some());
}

#[test]
fn nesting_just_under_the_limits_works() {
    let source = file_with_view(&format!("{}{}", "<div>".repeat(80), "</div>".repeat(80)));
    assert!(extract("src/app.rs", &source).views[0].tree.is_ok());
    let source = format!("fn a() {{ let x = {}1{}; }}", "(".repeat(80), ")".repeat(80));
    assert_eq!(extract("src/app.rs", &source).file_error, None);
}

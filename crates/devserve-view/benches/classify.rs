//! What one save costs: a 2,000-line file holding 40 `view!`s, after a one-word text edit in one of
//! them. Goal: at most 2 ms. Two measures of the same edit:
//!
//! - from scratch: a full `extract` of the new source, then `classify_from`: every token of the
//!   file lexed and parsed again;
//! - `classify(last_build, new_source)`, the public API devserve runs on every save: it extracts
//!   incrementally (`extract_from` re-lexes only the edited view; equal to a full `extract`,
//!   which the crate's proptests check) and classifies.
//!
//! Run with `cargo bench -p devserve-view --bench classify`; it prints the median of its own
//! timed runs of both first, then criterion's estimates.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use devserve_view::{Change, FileViews, classify, classify_from, diff, extract, extract_from, template};

const VIEWS: usize = 40;
const EDITED: usize = 20;

/// One realistic component (50 lines): signals, a handler, a derived closure, a helper function,
/// and a view with attributes of every kind, text, blocks, a list and a component with children.
fn component(out: &mut String, i: usize) {
    write!(
        out,
        r#"
/// Widget {i}: a counter with a list and a details card.
#[component]
pub fn Widget{i}(initial: i32, #[prop(optional)] label: Option<String>) -> impl IntoView {{
    let (count, set_count) = signal(initial);
    let double = move || count.get() * 2;
    let label = label.unwrap_or_else(|| "widget {i}".to_string());
    let on_reset = move |_| set_count.set(initial);
    view! {{
        <section class="widget" id="widget-{i}" data-index="{i}">
            <header class="widget__header">
                <h2>"Widget number {i}"</h2>
                <p class="subtitle">"A short description of what this widget does for the user."</p>
            </header>
            <div class="widget__body">
                <button class="btn btn-primary" on:click=move |_| set_count.update(|n| *n += 1)>
                    "Increment"
                </button>
                <button class="btn" on:click=on_reset disabled=move || count.get() == initial>"Reset"</button>
                <span class="count">"Count: " {{count}}</span>
                <span class="double" class:big=move || double() > 10>"Double: " {{double}}</span>
                <ul class="list">
                    <li>"First static item"</li>
                    <li>"Second static item"</li>
                    <li>"Third static item"</li>
                </ul>
                <input type="text" placeholder="Type here" prop:value=label.clone() readonly/>
                <Card title="Details">
                    <p>"Nested content inside the card component."</p>
                    <a href="/docs" class="link">"Read the docs"</a>
                </Card>
            </div>
            <footer class="widget__footer">
                <small>"Last updated: today"</small>
            </footer>
        </section>
    }}
}}

fn helper_{i}(values: &[i32]) -> i32 {{
    let mut total = 0;
    for value in values {{
        if *value > {i} {{
            total += value;
        }} else {{
            total -= 1;
        }}
    }}
    total
}}
"#
    )
    .unwrap();
}

fn source() -> String {
    let mut out = String::from("use leptos::prelude::*;\n");
    for i in 0..VIEWS {
        component(&mut out, i);
    }
    out
}

/// `source` with one word of one view's text changed.
fn edited(source: &str) -> String {
    let marker = format!("pub fn Widget{EDITED}(");
    let start = source.find(&marker).unwrap();
    let at = start + source[start..].find("Second static item").unwrap();
    format!("{}Second stable item{}", &source[..at], &source[at + "Second static item".len()..])
}

fn bench(c: &mut Criterion) {
    let old = source();
    let new = edited(&old);
    assert!((1_950..=2_100).contains(&old.lines().count()), "{} lines", old.lines().count());

    let baseline = extract("src/widgets.rs", &old);
    assert_eq!(baseline.views.len(), VIEWS, "every view is found");
    let change = classify(&baseline, &new);
    assert!(matches!(change, Change::Patch(_)), "a text edit is a patch: {change:?}");

    let from_scratch = |baseline: &FileViews, new: &str| {
        let views = extract("src/widgets.rs", new);
        classify_from(baseline, baseline, &views)
    };
    assert_eq!(extract_from(&baseline, &new), extract("src/widgets.rs", &new), "extract_from is extract");
    assert_eq!(from_scratch(&baseline, &new), change, "both paths see the same change");

    let full = median(|| drop(black_box(from_scratch(black_box(&baseline), black_box(&new)))));
    let save = median(|| drop(black_box(classify(black_box(&baseline), black_box(&new)))));
    println!("a one-word edit in a 2,000-line file with 40 views, median of 200 runs:");
    println!("  from scratch (extract + classify_from):   {full:?}");
    println!("  classify (incremental extract_from):      {save:?}");

    let edited = extract("src/widgets.rs", &new);
    let pairs: Vec<_> = baseline
        .views
        .iter()
        .zip(&edited.views)
        .map(|(old, new)| (old.tree.as_ref().unwrap(), new.tree.as_ref().unwrap()))
        .collect();
    c.bench_function("diff of 40 view pairs", |b| {
        b.iter(|| pairs.iter().map(|(old, new)| diff(old, new).unwrap().len()).sum::<usize>())
    });
    c.bench_function("template of 40 views", |b| {
        b.iter(|| pairs.iter().map(|(old, _)| template(old).len()).sum::<usize>())
    });
    c.bench_function("extract 2,000 lines / 40 views", |b| {
        b.iter(|| extract("src/widgets.rs", black_box(&new)))
    });
    c.bench_function("extract_from after a one-word edit", |b| {
        b.iter(|| extract_from(black_box(&baseline), black_box(&new)))
    });
    c.bench_function("from scratch: extract + classify_from after a one-word edit", |b| {
        b.iter(|| from_scratch(black_box(&baseline), black_box(&new)))
    });
    c.bench_function("classify after a one-word edit (incremental)", |b| {
        b.iter(|| classify(black_box(&baseline), black_box(&new)))
    });
}

/// The median time of 200 runs of `run`.
fn median(mut run: impl FnMut()) -> Duration {
    let mut runs: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}

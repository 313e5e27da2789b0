//! A large app for scale tests: the example app plus thousands of generated Rust sources, each a
//! module with components and `view!`s, spread over nested folders under `src/scale/`.
//!
//! The generated files are not modules of the crate (the build is not slowed down by them), except
//! one, the *probe*: `src/app.rs` declares it and the home page renders its card, so an edit of a
//! generated file can be seen in the page.
//!
//! ```
//! let files = devserve_e2e::scale::sources(100);
//! assert_eq!(files.iter().filter(|(rel, _)| rel.starts_with("src/scale/")).count(), 100);
//! assert!(files.iter().any(|(rel, _)| rel == "src/app.rs"));
//! ```

use crate::{EXAMPLE_APP, workspace_root};

/// The probe's number among the generated files.
const PROBE: usize = 7;

/// The static text of the probe's card title as generated; the page shows it in `#card-7 h2`.
pub const PROBE_TITLE: &str = "Card number 7";
/// JavaScript for the text the page shows in the probe's card title.
pub const PROBE_TITLE_JS: &str = "document.querySelector('#card-7 h2')?.textContent";

/// Generated files per folder, and folders per parent folder.
const PER_FOLDER: usize = 50;
const FOLDERS_PER_GROUP: usize = 10;

/// The path of generated file `n`, relative to the app: `src/scale/g<..>/d<..>/view_<n>.rs`.
pub fn path(n: usize) -> String {
    let folder = n / PER_FOLDER;
    format!("src/scale/g{:02}/d{:02}/view_{n}.rs", folder / FOLDERS_PER_GROUP, folder % FOLDERS_PER_GROUP)
}

/// The path of the probe, relative to the app.
pub fn probe_path() -> String {
    path(PROBE)
}

/// `count` generated sources (at least the probe's), and `src/app.rs` changed to declare the probe
/// and render it: (path relative to the app, content), for [`crate::DevserveOptions::files`].
pub fn sources(count: usize) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = (0..count.max(PROBE + 1)).map(|n| (path(n), source(n))).collect();
    files.push(("src/app.rs".to_owned(), app_with_probe()));
    files
}

/// Generated module `n`: two components and a row function, five `view!`s (one nested in a
/// closure), static text, attributes, holes and a component with children.
pub fn source(n: usize) -> String {
    format!(
        r#"//! Generated module {n} of the scale test.

use leptos::prelude::*;

/// Card {n}: a title, a counter and a list that opens.
#[component]
pub fn Card{n}(count: u32) -> impl IntoView {{
    let (open, set_open) = signal(false);
    view! {{
        <section class="card card-{n}" id="card-{n}">
            <h2 class="card-title">"Card number {n}"</h2>
            <p class="card-body">"Static text of card " <b>"{n}"</b> " with a count of " {{count}}</p>
            <button type="button" on:click=move |_| set_open.update(|o| *o = !*o)>"Toggle"</button>
            <Show when=move || open.get()>
                <ul class="items">
                    <li>"first item"</li>
                    <li>"second item"</li>
                </ul>
            </Show>
            <Badge{n} label="new"/>
        </section>
    }}
}}

/// The badge of card {n}.
#[component]
pub fn Badge{n}(label: &'static str) -> impl IntoView {{
    let rows = (0..3).map(|i| view! {{ <span class="dot">{{i}}</span> }}).collect_view();
    view! {{
        <span class="badge" title="badge {n}">{{label}} {{rows}}</span>
    }}
}}

/// A table row of module {n}.
pub fn row_{n}(i: usize) -> impl IntoView {{
    view! {{ <tr class="row"><td>"row {n}"</td><td>{{i}}</td></tr> }}
}}
"#
    )
}

/// The example's `src/app.rs` with the probe declared as a module and its card on the home page.
fn app_with_probe() -> String {
    let original = std::fs::read_to_string(workspace_root().join(EXAMPLE_APP).join("src/app.rs"))
        .expect("the example app's src/app.rs");
    let module = probe_path().trim_start_matches("src/").to_owned();
    let anchor = "use std::sync::atomic";
    let module = format!("#[path = \"{module}\"]\n#[allow(dead_code)]\nmod probe;\n\n{anchor}");
    let declared = original.replacen(anchor, &module, 1);
    let card = format!("<ItemList/>\n            <probe::Card{PROBE} count=3/>");
    let rendered = declared.replacen("<ItemList/>", &card, 1);
    assert!(declared != original && rendered != declared, "the example's src/app.rs changed shape");
    rendered
}

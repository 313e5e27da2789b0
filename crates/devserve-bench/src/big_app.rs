//! A real-sized Leptos app for benchmarks, generated: the size and shape of an app people ship
//! (the Leptos hackernews example's layout, scaled up), so that rebuild figures are not those of
//! a toy.
//!
//! The app is a hydrated cargo-leptos project (`[lib] crate-type = ["cdylib", "rlib"]`, features
//! `ssr` and `hydrate`, `[package.metadata.leptos]`) with [`BigApp::groups`] component files of
//! eight components each (cards with children, `<For>` lists, forms with `bind:`, tabs, server
//! data under `<Suspense>`), [`BigApp::pages`] routed pages with a `<ParentRoute>`, one server
//! function module per page (a list, a count and an `<ActionForm>` action each), shared model
//! types, a stylesheet and a `public/` folder. Its dependencies are those of a typical Leptos app
//! (leptos, leptos_meta, leptos_router, leptos_axum, axum, tokio, tower, tower-http, serde,
//! serde_json, thiserror, chrono, uuid, tracing, wasm-bindgen, console_error_panic_hook) at the
//! versions of the committed `Cargo.lock` (Leptos 0.8.23, as `examples/leptos-app`).
//!
//! The generated text is deterministic: the same [`BigApp`] always writes the same bytes, so
//! figures measured on it can be reproduced.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// The lock file the app is built with (Leptos 0.8.23, the versions `examples/leptos-app` locks).
const LOCK: &str = include_str!("big_app/Cargo.lock");

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigApp {
    /// Component files (`src/components/gNN.rs`), eight components each.
    pub groups: usize,
    /// Routed pages (`src/pages/pNN.rs`), each with its server functions (`src/api/sNN.rs`).
    pub pages: usize,
}

impl Default for BigApp {
    /// 24 component files (192 components) and 12 pages with 36 server functions: 55 Rust
    /// files, 210 components in all, 15 routes.
    fn default() -> Self {
        Self { groups: 24, pages: 12 }
    }
}

/// What [`BigApp::write`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Rust source files.
    pub rust_files: usize,
    /// `#[component]` functions.
    pub components: usize,
    /// `#[server]` functions.
    pub server_fns: usize,
    /// Routes (`<Route>`), nested ones included.
    pub routes: usize,
    /// Lines of Rust.
    pub lines: usize,
}

impl BigApp {
    /// Every file of the app as (path relative to the app, content).
    pub fn files(&self) -> Vec<(String, String)> {
        let groups = self.groups.max(1);
        let pages = self.pages.max(1);
        let mut files = vec![
            ("Cargo.toml".to_owned(), CARGO_TOML.to_owned()),
            ("Cargo.lock".to_owned(), LOCK.to_owned()),
            (".gitignore".to_owned(), "/target\n".to_owned()),
            ("README.md".to_owned(), README.to_owned()),
            ("style/main.scss".to_owned(), stylesheet(groups)),
            ("public/robots.txt".to_owned(), "User-agent: *\nDisallow:\n".to_owned()),
            ("src/main.rs".to_owned(), MAIN_RS.to_owned()),
            ("src/lib.rs".to_owned(), LIB_RS.to_owned()),
            ("src/model.rs".to_owned(), MODEL_RS.to_owned()),
            ("src/app.rs".to_owned(), app_rs(pages)),
            ("src/components/mod.rs".to_owned(), mod_rs("Component groups", "g", groups)),
            ("src/pages/mod.rs".to_owned(), pages_mod_rs(pages, groups)),
            ("src/api/mod.rs".to_owned(), mod_rs("Server functions, one module per page", "s", pages)),
        ];
        for g in 0..groups {
            files.push((format!("src/components/g{g:02}.rs"), group_rs(g, pages)));
        }
        for p in 0..pages {
            files.push((format!("src/pages/p{p:02}.rs"), page_rs(p, groups)));
            files.push((format!("src/api/s{p:02}.rs"), api_rs(p)));
        }
        files
    }

    /// Writes the app into `dir` (created if need be). Files whose content is already right are
    /// not touched, so a build there stays incremental.
    pub fn write(&self, dir: &Path) -> io::Result<Written> {
        let mut written = Written::default();
        for (rel, content) in self.files() {
            let path = dir.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            if std::fs::read(&path).ok().as_deref() != Some(content.as_bytes()) {
                std::fs::write(&path, &content)?;
            }
            if rel.ends_with(".rs") {
                written.rust_files += 1;
                written.lines += content.lines().count();
                written.components += content.matches("#[component]").count();
                written.server_fns += content.matches("#[server]").count();
                written.routes += content.matches("<Route ").count();
            }
        }
        Ok(written)
    }
}

const WORDS: [&str; 48] = [
    "account",
    "activity",
    "archive",
    "balance",
    "billing",
    "board",
    "budget",
    "calendar",
    "campaign",
    "catalog",
    "channel",
    "checkout",
    "comment",
    "contact",
    "contract",
    "customer",
    "dashboard",
    "delivery",
    "document",
    "draft",
    "event",
    "expense",
    "feedback",
    "forecast",
    "invoice",
    "journal",
    "ledger",
    "library",
    "message",
    "milestone",
    "network",
    "notice",
    "order",
    "payment",
    "pipeline",
    "planner",
    "portfolio",
    "project",
    "receipt",
    "report",
    "review",
    "schedule",
    "shipment",
    "survey",
    "ticket",
    "timeline",
    "vendor",
    "workflow",
];

/// `n` words picked deterministically from `seed`, as a sentence without a full stop.
fn sentence(seed: usize, n: usize) -> String {
    let mut out = String::new();
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(97);
    for i in 0..n {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let word = WORDS[(x >> 33) % WORDS.len()];
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out
}

fn fill(template: &str, pairs: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in pairs {
        out = out.replace(key, value);
    }
    out
}

const CARGO_TOML: &str = r#"[package]
name = "big-app"
version = "0.1.0"
edition = "2024"
publish = false
description = "A real-sized Leptos 0.8 app generated by devserve-bench for rebuild benchmarks"

# Its own workspace.
[workspace]

[lib]
crate-type = ["cdylib", "rlib"]

[[bin]]
name = "big-app"
path = "src/main.rs"

[dependencies]
leptos = "0.8"
leptos_meta = "0.8"
leptos_router = "0.8"
serde = { version = "1", features = ["derive"] }
serde_json = "1"
thiserror = "2"
chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }
uuid = { version = "1", features = ["serde"] }
tracing = "0.1"
# Front end (wasm) only.
console_error_panic_hook = { version = "0.1", optional = true }
wasm-bindgen = { version = "0.2", optional = true }
# Server only.
axum = { version = "0.8", optional = true }
leptos_axum = { version = "0.8", optional = true }
tokio = { version = "1", features = ["rt-multi-thread", "macros", "signal", "time"], optional = true }
tower = { version = "0.5", optional = true }
tower-http = { version = "0.6", features = ["fs", "compression-gzip", "trace"], optional = true }

[features]
hydrate = ["leptos/hydrate", "dep:console_error_panic_hook", "dep:wasm-bindgen"]
ssr = [
    "dep:axum",
    "dep:tokio",
    "dep:tower",
    "dep:tower-http",
    "dep:leptos_axum",
    "leptos/ssr",
    "leptos_meta/ssr",
    "leptos_router/ssr",
    "chrono/clock",
    "uuid/v4",
]

[package.metadata.leptos]
output-name = "big_app"
site-root = "target/site"
site-pkg-dir = "pkg"
style-file = "style/main.scss"
assets-dir = "public"
site-addr = "127.0.0.1:3000"
reload-port = 3001
bin-features = ["ssr"]
bin-default-features = false
lib-features = ["hydrate"]
lib-default-features = false
env = "DEV"
"#;

const README: &str = "A real-sized Leptos 0.8 app generated by `cargo run -p devserve-bench --example big_app` \
for rebuild benchmarks. Do not edit: generate it again.\n";

const MAIN_RS: &str = r#"//! Run with `devserve --hot-reload` (or `cargo leptos watch`) from this folder.
//!
//! The server: axum rendering the app's routes, its server functions, and the site root's files.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use axum::Router;
    use big_app::app::{App, shell};
    use leptos::config::get_configuration;
    use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
    use tower_http::compression::CompressionLayer;

    let options = get_configuration(None)?.leptos_options;
    let addr = options.site_addr;
    let routes = generate_route_list(App);

    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler(shell))
        .layer(CompressionLayer::new())
        .with_state(options);

    let listener = tokio::net::TcpListener::bind(addr).await?;
    leptos::logging::log!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// Without `ssr` there is no server: the front end is the library, built for wasm32.
#[cfg(not(feature = "ssr"))]
fn main() {}
"#;

const LIB_RS: &str = r#"//! The app, shared by the server (feature `ssr`) and the wasm front end (feature `hydrate`).

pub mod api;
pub mod app;
pub mod components;
pub mod model;
pub mod pages;

/// Entry point of the wasm front end.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
"#;

const MODEL_RS: &str = r#"//! Data shared by the server functions and the components.

use serde::{Deserialize, Serialize};

/// How urgent an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    /// Can wait.
    Low,
    /// Soon.
    Medium,
    /// Now.
    High,
}

impl Level {
    /// Text shown for the level.
    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// One row of a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Key.
    pub id: u32,
    /// Shown name.
    pub name: String,
    /// Urgency.
    pub level: Level,
    /// Amount in cents.
    pub amount: i64,
}

impl Entry {
    /// `rows` sample entries for group `group`.
    pub fn sample(group: u32, rows: u32) -> Vec<Entry> {
        (0..rows)
            .map(|i| Entry {
                id: group * 1000 + i,
                name: format!("Entry {i} of group {group}"),
                level: match i % 3 {
                    0 => Level::Low,
                    1 => Level::Medium,
                    _ => Level::High,
                },
                amount: i64::from(i) * 1250 - 300,
            })
            .collect()
    }
}

/// An item stored by a server function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Unique id.
    pub id: uuid::Uuid,
    /// Title.
    pub title: String,
    /// When it was added (RFC 3339).
    pub created: chrono::DateTime<chrono::Utc>,
    /// Tags.
    pub tags: Vec<String>,
}

/// Why a server function refused.
#[derive(Clone, Debug, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The title was empty.
    #[error("a title is required")]
    EmptyTitle,
    /// Too many items.
    #[error("at most {0} items")]
    Full(usize),
}

/// Formats cents as an amount.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}
"#;

fn mod_rs(doc: &str, prefix: &str, n: usize) -> String {
    let mut out = format!("//! {doc}.\n\n");
    for i in 0..n {
        let _ = writeln!(out, "mod {prefix}{i:02};");
    }
    out.push('\n');
    for i in 0..n {
        let _ = writeln!(out, "pub use {prefix}{i:02}::*;");
    }
    out
}

fn pages_mod_rs(pages: usize, groups: usize) -> String {
    let mut out = mod_rs("Routed pages", "p", pages);
    let group_links: String = (0..groups)
        .map(|g| format!("                <li><A href=\"/groups/{g}\">\"Group {g}\"</A></li>\n"))
        .collect();
    let group_arms: String = (0..groups)
        .map(|g| {
            format!("            Some({g}) => view! {{ <crate::components::Group{g:02}/> }}.into_any(),\n")
        })
        .collect();
    out.push_str(&fill(
        r#"
use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_params_map;

/// `/`: links to every page.
#[component]
pub fn Home() -> impl IntoView {
    let answer = 6 * 7;
    view! {
        <h1>"Welcome to the big app"</h1>
        <p class="intro">"A generated application with many components, pages and server functions"</p>
        <p id="answer">"The answer is " <span id="answer-value">{answer}</span></p>
        <crate::components::Group00/>
    }
}

/// `/groups`: the list of groups and the selected one.
#[component]
pub fn GroupsLayout() -> impl IntoView {
    view! {
        <div class="groups">
            <ul class="group-links">
@LINKS@            </ul>
            <Outlet/>
        </div>
    }
}

/// `/groups/`: nothing selected yet.
#[component]
pub fn GroupIndex() -> impl IntoView {
    view! { <p class="muted">"Pick a group from the list"</p> }
}

/// `/groups/:id`: one group.
#[component]
pub fn GroupDetail() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<usize>().ok());
    move || match id() {
@ARMS@            _ => view! { <p class="error">"There is no such group"</p> }.into_any(),
    }
}

/// Any other path.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>"Not found"</h1>
        <p>"The page you asked for does not exist"</p>
        <A href="/">"Back to the start page"</A>
    }
}
"#,
        &[("@LINKS@", group_links), ("@ARMS@", group_arms)],
    ));
    out
}

fn app_rs(pages: usize) -> String {
    let links: String = (0..pages)
        .map(|p| format!("                <A href=\"/p/{p}\">\"{}\"</A>\n", sentence(p * 7 + 3, 1)))
        .collect();
    let routes: String = (0..pages)
        .map(|p| format!("                    <Route path=path!(\"/p/{p}\") view=pages::Page{p:02}/>\n"))
        .collect();
    fill(
        r#"//! The HTML document (`shell`, server side) and the routed `App` (both sides).

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::pages;

/// The full document the server sends for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: metadata and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/big_app.css"/>
        <Title text="Big app"/>
        <Router>
            <nav id="nav">
                <A href="/">"Start"</A>
                <A href="/groups">"Groups"</A>
@LINKS@            </nav>
            <main id="main">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home/>
@ROUTES@                    <ParentRoute path=path!("/groups") view=pages::GroupsLayout>
                        <Route path=path!(":id") view=pages::GroupDetail/>
                        <Route path=path!("") view=pages::GroupIndex/>
                    </ParentRoute>
                </Routes>
            </main>
            <footer id="footer">"Generated by devserve-bench"</footer>
        </Router>
    }
}
"#,
        &[("@LINKS@", links), ("@ROUTES@", routes)],
    )
}

fn group_rs(g: usize, pages: usize) -> String {
    let seed = g * 31;
    let s = |i: usize, n: usize| sentence(seed + i, n);
    let pairs = [
        ("@G@", format!("{g:02}")),
        ("@GN@", g.to_string()),
        ("@PAGE@", format!("{:02}", g % pages)),
        ("@PAGEN@", (g % pages).to_string()),
        ("@T1@", s(1, 6)),
        ("@T2@", s(2, 4)),
        ("@T3@", s(3, 5)),
        ("@T4@", s(4, 3)),
        ("@T5@", s(5, 7)),
        ("@T6@", s(6, 4)),
        ("@T7@", s(7, 5)),
        ("@T8@", s(8, 3)),
        ("@T9@", s(9, 6)),
        ("@T10@", s(10, 4)),
        ("@T11@", s(11, 5)),
        ("@T12@", s(12, 6)),
    ];
    fill(GROUP_RS, &pairs)
}

const GROUP_RS: &str = r#"//! Components of group @GN@.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::{Entry, Level, money};

/// A card with a title, a text and whatever children it is given.
#[component]
pub fn Card@G@(
    /// Heading.
    #[prop(into)]
    title: String,
    /// Shown below the text.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" id="card-@G@">
            <header class="card-header">
                <h3>{title}</h3>
                <span class="badge">"Group @GN@"</span>
            </header>
            <p class="lead">"@T1@"</p>
            <div class="card-body">{children()}</div>
            <A href="/p/@PAGEN@">"Open the page of this group"</A>
        </section>
    }
}

/// A list of entries that can be removed one by one.
#[component]
pub fn List@G@(
    /// How many entries to start with.
    #[prop(default = 5)]
    rows: u32,
) -> impl IntoView {
    let entries = RwSignal::new(Entry::sample(@GN@, rows));
    let remove = move |id: u32| entries.update(|e| e.retain(|entry| entry.id != id));
    let total = Memo::new(move |_| entries.with(|e| e.iter().map(|entry| entry.amount).sum::<i64>()));
    view! {
        <div class="list" id="list-@G@">
            <h4>"@T2@"</h4>
            <ul>
                <For
                    each=move || entries.get()
                    key=|entry| entry.id
                    children=move |entry: Entry| {
                        let id = entry.id;
                        let urgent = entry.level == Level::High;
                        view! {
                            <li class="entry" class:urgent=urgent>
                                <span class="name">{entry.name}</span>
                                <span class="level">{entry.level.label()}</span>
                                <span class="amount">{money(entry.amount)}</span>
                                <button on:click=move |_| remove(id)>"Remove"</button>
                            </li>
                        }
                    }
                />
            </ul>
            <p class="total">"Total: " {move || money(total.get())}</p>
            <p class="hint">"@T3@"</p>
        </div>
    }
}

/// A form with two-way bound inputs.
#[component]
pub fn Form@G@() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let agree = RwSignal::new(false);
    let sent = RwSignal::new(0u32);
    view! {
        <form class="form" id="form-@G@" on:submit=move |ev| {
            ev.prevent_default();
            *sent.write() += 1;
        }>
            <label>"Your name" <input type="text" bind:value=name placeholder="Name"/></label>
            <label><input type="checkbox" bind:checked=agree/> "@T4@"</label>
            <p>"Hello, " {move || name.get()}</p>
            <button type="submit" disabled=move || !agree.get()>"Send the form"</button>
            <Show when=move || { sent.get() > 0 }>
                <p class="done">"Sent " {move || sent.get()} " time(s)"</p>
            </Show>
        </form>
    }
}

/// Figures with a counter and details shown on demand.
#[component]
pub fn Stats@G@(
    /// Starting value.
    #[prop(default = 0)]
    start: i32,
) -> impl IntoView {
    let count = RwSignal::new(start);
    let open = RwSignal::new(false);
    let doubled = Memo::new(move |_| count.get() * 2);
    view! {
        <div class="stats" id="stats-@G@">
            <p class="lead">"@T5@"</p>
            <div class="controls">
                <button class="inc" on:click=move |_| *count.write() += 1>"Add one"</button>
                <button class="toggle" on:click=move |_| open.update(|o| *o = !*o)>"Show the details"</button>
                <span class="value">"Count " {move || count.get()} " doubled " {move || doubled.get()}</span>
            </div>
            <Show when=move || open.get() fallback=|| view! { <p class="muted">"Details are hidden"</p> }>
                <table class="details">
                    <tr><th>"Field"</th><th>"Value"</th></tr>
                    <tr><td>"Start"</td><td>{start}</td></tr>
                    <tr><td>"Now"</td><td>{move || count.get()}</td></tr>
                </table>
            </Show>
        </div>
    }
}

/// Which tab of [`Tabs@G@`] is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab@G@ {
    Overview,
    History,
    Settings,
}

/// Three tabs.
#[component]
pub fn Tabs@G@() -> impl IntoView {
    let tab = RwSignal::new(Tab@G@::Overview);
    let button = move |which: Tab@G@, label: &'static str| {
        view! {
            <button class="tab" class:active=move || tab.get() == which on:click=move |_| tab.set(which)>
                {label}
            </button>
        }
    };
    view! {
        <div class="tabs" id="tabs-@G@">
            <div class="tab-bar">
                {button(Tab@G@::Overview, "Overview")}
                {button(Tab@G@::History, "History")}
                {button(Tab@G@::Settings, "Settings")}
            </div>
            {move || match tab.get() {
                Tab@G@::Overview => view! { <p>"@T6@"</p> }.into_any(),
                Tab@G@::History => view! {
                    <ol class="history">
                        <li>"@T7@"</li>
                        <li>"@T8@"</li>
                    </ol>
                }.into_any(),
                Tab@G@::Settings => view! {
                    <label>"Notifications" <input type="checkbox" checked/></label>
                }.into_any(),
            }}
        </div>
    }
}

/// Items from the server, under a `<Suspense>`.
#[component]
pub fn Feed@G@() -> impl IntoView {
    let items = Resource::new(|| (), |_| crate::api::list_items_@PAGE@(3));
    view! {
        <div class="feed" id="feed-@G@">
            <h4>"@T9@"</h4>
            <Suspense fallback=|| view! { <p class="muted">"Loading the feed"</p> }>
                <ul>
                    {move || items.get().map(|result| match result {
                        Ok(items) => items
                            .into_iter()
                            .map(|item| view! { <li>{item.title} " (" {item.tags.join(", ")} ")"</li> })
                            .collect_view()
                            .into_any(),
                        Err(err) => view! { <li class="error">{err.to_string()}</li> }.into_any(),
                    })}
                </ul>
            </Suspense>
        </div>
    }
}

/// A static table.
#[component]
pub fn Table@G@() -> impl IntoView {
    view! {
        <table class="table" id="table-@G@">
            <thead>
                <tr><th>"Name"</th><th>"Owner"</th><th>"State"</th></tr>
            </thead>
            <tbody>
                <tr><td>"@T10@"</td><td>"Ada"</td><td>"open"</td></tr>
                <tr><td>"@T11@"</td><td>"Grace"</td><td>"closed"</td></tr>
                <tr><td>"@T12@"</td><td>"Linus"</td><td>"waiting"</td></tr>
            </tbody>
        </table>
    }
}

/// Everything of group @GN@.
#[component]
pub fn Group@G@() -> impl IntoView {
    view! {
        <div class="group" id="group-@G@">
            <h2>"Group @GN@"</h2>
            <Card@G@ title="Summary">
                <Stats@G@ start=@GN@/>
            </Card@G@>
            <List@G@ rows=4/>
            <Form@G@/>
            <Tabs@G@/>
            <Feed@G@/>
            <Table@G@/>
        </div>
    }
}
"#;

fn page_rs(p: usize, groups: usize) -> String {
    let seed = 1000 + p * 17;
    let pairs = [
        ("@P@", format!("{p:02}")),
        ("@PN@", p.to_string()),
        ("@GA@", format!("{:02}", (2 * p) % groups)),
        ("@GB@", format!("{:02}", (2 * p + 1) % groups)),
        ("@TITLE@", sentence(p * 7 + 3, 1)),
        ("@T1@", sentence(seed, 8)),
        ("@T2@", sentence(seed + 1, 5)),
    ];
    fill(
        r#"//! Page @PN@.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{AddItem@P@, count_items_@P@, list_items_@P@};
use crate::components::{Group@GA@, Group@GB@};

/// `/p/@PN@`.
#[component]
pub fn Page@P@() -> impl IntoView {
    let add = ServerAction::<AddItem@P@>::new();
    let count = Resource::new(move || add.version().get(), |_| count_items_@P@());
    let items = Resource::new(move || add.version().get(), |_| list_items_@P@(10));
    view! {
        <Title text="@TITLE@"/>
        <h1>"@TITLE@"</h1>
        <p class="intro">"@T1@"</p>
        <ActionForm action=add>
            <input type="text" name="title" placeholder="Title"/>
            <input type="submit" value="Add an item"/>
        </ActionForm>
        <Suspense fallback=|| view! { <p>"Counting"</p> }>
            <p class="count">"Items: " {move || count.get().map(|c| c.unwrap_or(0))}</p>
            <ul class="items">
                {move || items.get().map(|r| r.unwrap_or_default().into_iter().map(|item| view! {
                    <li>{item.title} " " <small>{item.created.to_rfc3339()}</small></li>
                }).collect_view())}
            </ul>
        </Suspense>
        <p class="hint">"@T2@"</p>
        <Group@GA@/>
        <Group@GB@/>
    }
}
"#,
        &pairs,
    )
}

fn api_rs(p: usize) -> String {
    fill(
        r#"//! Server functions of page @PN@.

use leptos::prelude::*;

use crate::model::Item;

#[cfg(feature = "ssr")]
mod store {
    use std::sync::{LazyLock, Mutex};

    use crate::model::Item;

    /// The items added so far.
    pub(super) static ITEMS: LazyLock<Mutex<Vec<Item>>> = LazyLock::new(|| {
        let now = chrono::Utc::now();
        Mutex::new(
            (0..3)
                .map(|i| Item {
                    id: uuid::Uuid::new_v4(),
                    title: format!("Seed item {i} of page @PN@"),
                    created: now,
                    tags: vec!["seed".to_owned(), format!("page-@PN@")],
                })
                .collect(),
        )
    });
}

/// The last `limit` items.
#[server]
pub async fn list_items_@P@(limit: usize) -> Result<Vec<Item>, ServerFnError> {
    let items = store::ITEMS.lock().map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(items.iter().rev().take(limit).cloned().collect())
}

/// How many items there are.
#[server]
pub async fn count_items_@P@() -> Result<usize, ServerFnError> {
    let items = store::ITEMS.lock().map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(items.len())
}

/// Adds an item.
#[server]
pub async fn add_item_@P@(title: String) -> Result<usize, ServerFnError> {
    if title.trim().is_empty() {
        return Err(ServerFnError::new(crate::model::AppError::EmptyTitle.to_string()));
    }
    let mut items = store::ITEMS.lock().map_err(|e| ServerFnError::new(e.to_string()))?;
    if items.len() >= 1000 {
        return Err(ServerFnError::new(crate::model::AppError::Full(1000).to_string()));
    }
    tracing::info!(%title, "adding an item on page @PN@");
    items.push(Item {
        id: uuid::Uuid::new_v4(),
        title,
        created: chrono::Utc::now(),
        tags: vec![format!("page-@PN@")],
    });
    Ok(items.len())
}
"#,
        &[("@P@", format!("{p:02}")), ("@PN@", p.to_string())],
    )
}

fn stylesheet(groups: usize) -> String {
    let mut out = String::from(
        "// Compiled to /pkg/big_app.css.\n\n$accent: #2a6fdb;\n\nbody {\n  font-family: system-ui, sans-serif;\n  \
         margin: 0 auto;\n  max-width: 60rem;\n}\n\n#nav a {\n  color: $accent;\n  margin-right: 0.5rem;\n}\n",
    );
    for g in 0..groups {
        let _ = write!(out, "\n#group-{g:02} h2 {{\n  color: hsl({}, 60%, 40%);\n}}\n", (g * 37) % 360);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_size_the_issue_asks_for() {
        let dir = tempfile::tempdir().unwrap();
        let written = BigApp::default().write(dir.path()).unwrap();
        assert!(written.components >= 150, "{written:?}");
        assert!(written.rust_files >= 20, "{written:?}");
        assert!(written.server_fns >= 30 && written.routes >= 10, "{written:?}");
        // Deterministic: writing again changes nothing.
        let before = std::fs::metadata(dir.path().join("src/components/g03.rs")).unwrap().modified().unwrap();
        BigApp::default().write(dir.path()).unwrap();
        let after = std::fs::metadata(dir.path().join("src/components/g03.rs")).unwrap().modified().unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn every_view_parses() {
        let small = BigApp { groups: 3, pages: 2 };
        for (rel, text) in small.files() {
            if !rel.ends_with(".rs") {
                continue;
            }
            let views = devserve_view::extract(&rel, &text);
            assert!(views.file_error.is_none(), "{rel}: {:?}", views.file_error);
            for view in &views.views {
                assert!(view.tree.is_ok(), "{rel}: {:?}", view.tree);
            }
        }
    }
}

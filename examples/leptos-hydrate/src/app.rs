//! The HTML document (`shell`, server side only) and the routed `App` (both sides).

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::{Counter, Footer, NavBar};

/// The full document the server sends for every page. The front end only hydrates `<body>`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.ico"/>
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

/// The application: metadata (title, stylesheet) and client-side routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/leptos_hydrate.css"/>
        <Title text="devserve hydrated example"/>
        <Router>
            <NavBar/>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/about") view=AboutPage/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}

/// `/`: an introduction and an interactive counter (it only counts once the wasm has hydrated).
#[component]
fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home | devserve hydrated example"/>
        <h1 id="title">"Leptos, hydrated"</h1>
        <p id="intro">"Welcome to the hydrated example"</p>
        <Counter/>
    }
}

/// `/about`: reached with the nav link, it is rendered in the browser without a page load.
#[component]
fn AboutPage() -> impl IntoView {
    view! {
        <Title text="About | devserve hydrated example"/>
        <h1 id="about-title">"About"</h1>
        <p id="about-text">"This page is rendered by the wasm front end after navigation"</p>
    }
}

/// Any other path.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1 id="not-found">"Page not found"</h1>
    }
}

//! The HTML shell and the routed `App` component.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_query_map;
use leptos_router::path;

use crate::components::{GreetingForm, Header, ItemList, Stats};

/// Pages rendered since the server started (a server-side value shown in the page).
static VISITS: AtomicU64 = AtomicU64::new(0);

/// The whole document: server-rendered only, no hydration scripts.
pub(crate) fn shell(_options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"devserve example"</title>
                <link rel="stylesheet" href="/style/main.css"/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Routes of the app.
#[component]
pub(crate) fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| view! { <p id="not-found">"Page not found."</p> }>
                <Route path=path!("/") view=HomePage/>
            </Routes>
        </Router>
    }
}

/// The home page: header, stats, a list of cards and a greeting form.
#[component]
fn HomePage() -> impl IntoView {
    let visits = VISITS.fetch_add(1, Ordering::Relaxed) + 1;
    let answer = 6 * 7;
    let name = use_query_map().get_untracked().get("name").filter(|name| !name.is_empty());

    view! {
        <Header/>
        <main id="main" class="page">
            <p class="intro">
                "A small " <b>"Leptos"</b> " app, served by " <code>"axum"</code> "."
            </p>
            <Stats answer visits/>
            <ItemList/>
            <GreetingForm name/>
        </main>
        <footer id="footer">
            <p>"Made with Leptos 0.8."</p>
        </footer>
    }
}

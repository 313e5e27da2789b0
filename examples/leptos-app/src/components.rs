//! The components of the home page.

use leptos::prelude::*;

/// Names shown as cards in the item list.
const ITEMS: [&str; 4] = ["Alpha", "Bravo", "Charlie", "Delta"];

/// Page header: logo and title.
#[component]
pub(crate) fn Header() -> impl IntoView {
    view! {
        <header id="header">
            <Logo/>
            <h1 id="title">"Hello from Leptos"</h1>
            <p class="tagline">"Edit a view and watch it change."</p>
        </header>
    }
}

/// An inline SVG logo.
#[component]
fn Logo() -> impl IntoView {
    view! {
        <svg
            id="logo"
            class="logo"
            width="48"
            height="48"
            viewBox="0 0 48 48"
            xmlns="http://www.w3.org/2000/svg"
        >
            <circle
                class="logo-ring"
                cx="24"
                cy="24"
                r="20"
                fill="none"
                stroke="currentColor"
                stroke-width="4"
            />
            <path class="logo-bolt" d="M26 8 L14 27 H23 L21 40 L34 20 H25 Z" fill="currentColor"/>
        </svg>
    }
}

/// Server-side values: a constant computed in Rust and the visit counter.
#[component]
pub(crate) fn Stats(answer: u32, visits: u64) -> impl IntoView {
    view! {
        <section id="stats" class="stats">
            <p id="answer" class=move || { if answer > 40 { "answer big" } else { "answer" } }>
                "The answer is " <strong id="answer-value">{answer}</strong>
            </p>
            <p id="visits">"Page views: " <span id="visits-value">{visits}</span></p>
        </section>
    }
}

/// The list of cards, one `ItemCard` per entry of `ITEMS`.
#[component]
pub(crate) fn ItemList() -> impl IntoView {
    view! {
        <section id="items">
            <h2>"Items"</h2>
            <ul id="item-list" class="items">
                <For
                    each=|| ITEMS.into_iter().enumerate()
                    key=|(index, _)| *index
                    children=|(index, name)| view! { <ItemCard index name/> }
                />
            </ul>
        </section>
    }
}

/// One card of the item list.
#[component]
fn ItemCard(index: usize, name: &'static str) -> impl IntoView {
    view! {
        <li class="item" data-index=index>
            <span class="item-name">{name}</span>
            <span class="item-label">" is item number "</span>
            <span class="item-number">{index + 1}</span>
        </li>
    }
}

/// A form with a text input; submitting it greets the name given in `?name=`.
#[component]
pub(crate) fn GreetingForm(name: Option<String>) -> impl IntoView {
    let value = name.clone().unwrap_or_default();
    view! {
        <section id="greet">
            <form id="greet-form" method="get" action="/">
                <label for="name-input">"Your name"</label>
                <input type="text" id="name-input" name="name" placeholder="Ferris" value=value/>
                <button type="submit" id="greet-button">"Greet"</button>
            </form>
            {move || match name.clone() {
                Some(name) => {
                    view! { <p id="greeting" class="greeting">"Hello, " {name} "!"</p> }.into_any()
                }
                None => {
                    view! { <p id="greeting" class="greeting muted">"Nobody greeted yet."</p> }
                        .into_any()
                }
            }}
        </section>
    }
}

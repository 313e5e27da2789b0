//! Small components used by the pages in `app`.

use leptos::prelude::*;
use leptos_router::components::A;

/// Links between the two pages: `<A>` navigates in the browser once hydrated (no page load).
#[component]
pub fn NavBar() -> impl IntoView {
    view! {
        <nav id="nav">
            <A href="/">"Home"</A>
            " | "
            <A href="/about">"About"</A>
        </nav>
    }
}

/// A button counting its clicks; the label is reactive, so it changes only after hydration.
#[component]
pub fn Counter(
    /// Value to start from.
    #[prop(default = 0)]
    initial: i32,
) -> impl IntoView {
    let count = RwSignal::new(initial);
    let increment = move |_| *count.write() += 1;

    view! {
        <section id="counter-box" class="counter">
            <button id="counter" class="counter-button" on:click=increment>
                "Count: " {move || count.get()}
            </button>
            <p class="hint">"Click the button: the count goes up in the browser."</p>
        </section>
    }
}

/// Page footer.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer id="footer">
            <p>"Served by axum, hydrated by wasm."</p>
        </footer>
    }
}

//! Library half of the example: the app itself (`app`, `components`), shared by the server binary
//! (feature `ssr`) and the wasm front end (feature `hydrate`), which exports `hydrate()`.

pub mod app;
pub mod components;

/// Entry point of the wasm front end: the generated JS glue calls it once the module is loaded.
/// It attaches the reactive system and event listeners to the server-rendered `<body>`.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

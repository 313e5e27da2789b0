//! Run with: cargo run
//! (or `devserve --hot-reload` from this folder).
//!
//! A small Leptos 0.8 server-rendered app on axum, the example devserve is developed and tested
//! against. Configuration comes from `[package.metadata.leptos]` in Cargo.toml, overridable by the
//! usual `LEPTOS_*` environment variables (e.g. `LEPTOS_SITE_ADDR=127.0.0.1:4000`).
//!
//! Routes: `/` (the page), `/style/*` (files under `style/`), `/api/hello` (JSON).

mod api;
mod app;
mod components;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use leptos::config::get_configuration;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::services::ServeDir;

/// Cargo.toml of this package: its `[package.metadata.leptos]` table is the app's configuration.
const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
/// Folder served under `/style/`.
const STYLE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/style");
/// How long requests in flight may take to finish once a shutdown signal arrived.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = get_configuration(Some(MANIFEST))?.leptos_options;
    let addr = options.site_addr;
    let routes = generate_route_list(app::App);

    let router = Router::new()
        .route("/api/hello", get(api::hello))
        .nest_service("/style", ServeDir::new(STYLE_DIR))
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || app::shell(options.clone())
        })
        .with_state(options);

    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("leptos-app: listening on http://{}", listener.local_addr()?);
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel();
    let server = axum::serve(listener, router).with_graceful_shutdown(async {
        shutdown_signal().await;
        let _ = stopping_tx.send(());
    });
    // Requests still in flight after a signal get a short grace period, then the process exits.
    tokio::select! {
        served = server => served?,
        _ = async {
            let _ = stopping_rx.await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {}
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM: the server then stops accepting and closes idle connections.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("install SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}

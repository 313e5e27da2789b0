//! Run with `devserve --hot-reload` (or `cargo leptos watch`) from this folder.
//!
//! The server half of the example: an axum server rendering the app's routes, and serving the
//! files of the site root (`/pkg/leptos_hydrate.{js,wasm,css}` built by the front-end pipeline, and
//! the assets copied from `public/`). Its configuration comes from `LEPTOS_*` environment
//! variables, which cargo-leptos (and devserve) set from `[package.metadata.leptos]`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use axum::Router;
    use leptos::config::get_configuration;
    use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
    use leptos_hydrate::app::{App, shell};

    let options = get_configuration(None)?.leptos_options;
    let addr = options.site_addr;
    let routes = generate_route_list(App);

    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler(shell))
        .with_state(options);

    let listener = tokio::net::TcpListener::bind(addr).await?;
    leptos::logging::log!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; the server then stops accepting and finishes open requests.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// Without `ssr` there is no server: the front end is the library, built for wasm32.
#[cfg(not(feature = "ssr"))]
fn main() {}

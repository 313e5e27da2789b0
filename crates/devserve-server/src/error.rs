//! What can stop the dev server.

use std::net::SocketAddr;

/// An error that stops the dev server (a failed build or a crashed app is not one: those are
/// states shown to the user).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listening address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Accepting connections failed.
    #[error("the server stopped: {0}")]
    Serve(#[source] std::io::Error),
}

//! Integration tests of devserve-server over real sockets on 127.0.0.1: an axum app stands in
//! for the user's app, devserve proxies to it, and real clients talk to devserve.

#![allow(clippy::unwrap_used)]

mod hold;
mod hosts;
mod live_reload;
mod open_proxy;
mod proxy;
mod supervisor;
mod support;
mod websocket;

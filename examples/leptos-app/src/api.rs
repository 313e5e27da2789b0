//! The JSON API: small handlers outside Leptos, so a handler change is observable with curl.

use axum::Json;
use serde_json::{Value, json};

/// `GET /api/hello`: a fixed greeting.
pub(crate) async fn hello() -> Json<Value> {
    Json(json!({ "message": "Hello from leptos-app" }))
}

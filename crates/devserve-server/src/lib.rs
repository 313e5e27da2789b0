//! The dev server: reverse proxy with client injection, WebSocket hub, app supervision.

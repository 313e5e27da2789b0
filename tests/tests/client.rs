//! The browser client (`client-js/devserve-client.js`) in headless Chromium: pages that look like
//! Leptos 0.8 server output, messages delivered through `window.__devserve.handleMessage` (or a
//! stand-in WebSocket), and the DOM checked afterwards.

mod engine;
mod finding;
mod inner_html;
mod patch;
mod ui;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use devserve_e2e::{Browser, FixtureServer, Page, client_script_tag};
use serde_json::{Value, json};

/// How long anything asynchronous in the page may take.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// A browser tab on a local site that serves the client.
pub(crate) struct ClientPage {
    pub(crate) page: Page,
    pub(crate) site: FixtureServer,
    _browser: Browser,
    pages: AtomicUsize,
}

impl ClientPage {
    /// Start the browser and the site, or `None` (test skipped) without a browser.
    pub(crate) async fn start() -> Option<Self> {
        let browser = Browser::start_or_skip().await?;
        let page = browser.page().await.unwrap();
        let site = FixtureServer::start().await.unwrap();
        Some(Self { page, site, _browser: browser, pages: AtomicUsize::new(0) })
    }

    /// Load a fresh page whose `<div id="app">` holds `body`, with the client injected in
    /// `<head>` as devserve does, and mark the document (see [`ClientPage::assert_not_reloaded`]).
    pub(crate) async fn load(&self, body: &str) {
        self.load_page(PageParts { body, ..PageParts::default() }).await;
    }

    /// Load a page made of `parts`.
    pub(crate) async fn load_page(&self, parts: PageParts<'_>) {
        let PageParts { head, body, tail, applied_version } = parts;
        let n = self.pages.fetch_add(1, Ordering::SeqCst);
        let path = format!("/page{n}.html");
        let script = client_script_tag("test-token", "build-1", applied_version);
        let html = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>fixture</title>{script}{head}</head>\
             <body><div id=\"app\">{body}</div>{tail}</body></html>"
        );
        self.site.put_page(&path, &html);
        self.page.goto(&self.site.url(&path)).await.unwrap();
        self.page.wait_for("document.readyState === 'complete' && window.__devserve", WAIT).await.unwrap();
        self.page.mark().await.unwrap();
    }

    /// Serve a whole document with the client injected before `</head>`, as devserve does.
    pub(crate) async fn load_document(&self, html: &str) {
        let n = self.pages.fetch_add(1, Ordering::SeqCst);
        let path = format!("/document{n}.html");
        let script = client_script_tag("test-token", "build-1", 0);
        self.site.put_page(&path, &html.replacen("</head>", &format!("{script}</head>"), 1));
        self.page.goto(&self.site.url(&path)).await.unwrap();
        self.page.wait_for("document.readyState === 'complete' && window.__devserve", WAIT).await.unwrap();
        self.page.mark().await.unwrap();
    }

    /// Deliver a server message to the client.
    pub(crate) async fn send(&self, msg: &Value) {
        self.page
            .exec("window.__devserve.handleMessage(arguments[0]); return null;", vec![msg.clone()])
            .await
            .unwrap();
    }

    /// `#app`'s inner HTML.
    pub(crate) async fn app_html(&self) -> String {
        let html = self.page.eval("document.getElementById('app').innerHTML").await.unwrap();
        html.as_str().unwrap().to_string()
    }

    /// `html` as the browser serializes it (`<!>` reads `<!---->`, attributes get quotes).
    pub(crate) async fn serialized(&self, html: &str) -> String {
        let body =
            "const t = document.createElement('template'); t.innerHTML = arguments[0]; return t.innerHTML;";
        self.page.exec(body, vec![json!(html)]).await.unwrap().as_str().unwrap().to_string()
    }

    /// Assert that `#app` holds `html` (compared as the browser serializes both).
    pub(crate) async fn assert_app(&self, html: &str, context: &str) {
        assert_eq!(self.app_html().await, self.serialized(html).await, "{context}");
    }

    /// The client's state (`window.__devserve.state()`).
    pub(crate) async fn state(&self) -> Value {
        self.page.eval("window.__devserve.state()").await.unwrap()
    }

    /// Messages the client sent (or queued) of one type.
    pub(crate) async fn sent(&self, kind: &str) -> Vec<Value> {
        let state = self.state().await;
        state["sent"].as_array().unwrap().iter().filter(|msg| msg["type"] == kind).cloned().collect()
    }

    pub(crate) async fn assert_not_reloaded(&self) {
        assert!(self.page.same_document().await.unwrap(), "the page was reloaded");
    }
}

/// What a test page holds besides the client script.
#[derive(Default)]
pub(crate) struct PageParts<'a> {
    /// More `<head>` content (stylesheets).
    pub(crate) head: &'a str,
    /// The content of `<div id="app">`.
    pub(crate) body: &'a str,
    /// What follows `#app` in `<body>` (scripts standing in for hydration).
    pub(crate) tail: &'a str,
    /// The patch version the HTML was served at (`data-applied-version`).
    pub(crate) applied_version: u64,
}

/// `inner` wrapped in Leptos's hot-reload markers for view `id`.
pub(crate) fn marked(id: &str, inner: &str) -> String {
    format!("<!--hot-reload|{id}|open-->{inner}<!--hot-reload|{id}|close-->")
}

// --- templates, ops and messages as the server sends them (see devserve-protocol)

pub(crate) fn el(tag: &str, attrs: &[(&str, &str)], children: Vec<Value>) -> Value {
    json!({ "t": "el", "tag": tag, "attrs": attrs, "children": children })
}

pub(crate) fn text(v: &str) -> Value {
    json!({ "t": "text", "v": v })
}

pub(crate) fn hole() -> Value {
    json!({ "t": "hole" })
}

pub(crate) fn component(name: &str, children: Vec<Value>) -> Value {
    json!({ "t": "component", "name": name, "children": children })
}

pub(crate) fn set_text(path: &[usize], text: &str) -> Value {
    json!({ "op": "set-text", "path": path, "text": text })
}

pub(crate) fn set_attr(path: &[usize], name: &str, value: Option<&str>) -> Value {
    json!({ "op": "set-attr", "path": path, "name": name, "value": value })
}

pub(crate) fn remove_attr(path: &[usize], name: &str) -> Value {
    json!({ "op": "remove-attr", "path": path, "name": name })
}

pub(crate) fn insert(path: &[usize], node: Value, html: &str) -> Value {
    json!({ "op": "insert", "path": path, "node": node, "html": html })
}

pub(crate) fn remove(path: &[usize]) -> Value {
    json!({ "op": "remove", "path": path })
}

pub(crate) fn move_node(parent: &[usize], from: usize, to: usize) -> Value {
    json!({ "op": "move", "parent": parent, "from": from, "to": to })
}

/// One view patch (version 1 of view `src/app.rs::App#0`).
pub(crate) fn view_patch(marker_id: Option<&str>, old_template: Vec<Value>, ops: Vec<Value>) -> Value {
    json!({ "view_id": "src/app.rs::App#0", "marker_id": marker_id, "version": 1, "old_template": old_template, "ops": ops })
}

/// A `patch` message.
pub(crate) fn patch_message(patches: Vec<Value>) -> Value {
    json!({ "type": "patch", "patches": patches })
}

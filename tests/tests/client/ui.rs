//! Everything but view patches: stylesheets, status badge, error overlay, reloads, console
//! forwarding and the WebSocket itself.

use fantoccini::key::Key;
use serde_json::json;

use super::*;

const RED: &str = "p { color: rgb(255, 0, 0) }";
const BLUE: &str = "p { color: rgb(0, 0, 255) }";

#[tokio::test]
async fn a_changed_stylesheet_is_swapped_in_place_load_then_swap() {
    let Some(client) = ClientPage::start().await else { return };
    client.site.put("/style/other.css", "text/css", "body { margin: 3px }");
    for (name, linked, changed) in [
        ("same path", "/style/main.css", "/style/main.css"),
        ("hashed file name", "/pkg/app-3f9a2b1c.css", "/pkg/app.css"),
    ] {
        client.site.put(linked, "text/css", RED);
        let head = format!(
            r#"<link rel="stylesheet" href="/style/other.css"><link rel="stylesheet" href="{linked}">"#
        );
        client.load_page(PageParts { head: &head, body: "<p>styled</p>", ..PageParts::default() }).await;
        let color = "getComputedStyle(document.querySelector('#app p')).color";
        assert_eq!(client.page.eval(color).await.unwrap(), "rgb(255, 0, 0)", "{name}");

        client.site.put(changed, "text/css", BLUE);
        // Right after the message, the old sheet is still there: the page is never unstyled.
        let links_at_once = client
            .page
            .exec(
                "window.__devserve.handleMessage({ type: 'css', href: arguments[0], version: 7 });
                 return [...document.querySelectorAll('link')].map((l) => l.getAttribute('href'));",
                vec![json!(changed)],
            )
            .await
            .unwrap();
        assert_eq!(links_at_once[1], linked, "{name}: {links_at_once}");
        assert_eq!(links_at_once.as_array().unwrap().len(), 3, "{name}: {links_at_once}");

        client.page.wait_for(&format!("{color} === 'rgb(0, 0, 255)'"), WAIT).await.unwrap();
        let links = "[...document.querySelectorAll('link')].map((l) => new URL(l.href).pathname + new URL(l.href).search)";
        client.page.wait_for(&format!("{links}.length === 2"), WAIT).await.unwrap();
        assert_eq!(
            client.page.eval(links).await.unwrap(),
            json!(["/style/other.css", format!("{changed}?v=7")]),
            "{name}"
        );
        assert!(client.site.requests().contains(&format!("{changed}?v=7")), "{name}");
        client.assert_not_reloaded().await;
    }
}

#[tokio::test]
async fn build_errors_show_in_an_overlay_with_ansi_colours() {
    let Some(client) = ClientPage::start().await else { return };
    client.load("<p>app</p>").await;
    let rustc = "\u{1b}[0m\u{1b}[1m\u{1b}[38;5;9merror[E0425]\u{1b}[0m\u{1b}[0m\u{1b}[1m: cannot find value `x` in this scope\u{1b}[0m\n\
                 \u{1b}[0m  \u{1b}[0m\u{1b}[0m\u{1b}[1m\u{1b}[38;5;12m--> \u{1b}[0m\u{1b}[0msrc/app.rs:12:5\u{1b}[0m\n\
                 <img src=x onerror=\"window.__injected = 1\">";
    let failed =
        json!({ "type": "build-failed", "diagnostics": [rustc, "warning: unused\n --> src/lib.rs:3:1"] });
    client.send(&failed).await;

    let overlay = "document.querySelector('devserve-error-overlay').shadowRoot";
    let shown = client
        .page
        .eval(&format!(
            "(() => {{
                const root = {overlay};
                const error = [...root.querySelectorAll('span')].find((s) => s.textContent === 'error[E0425]');
                const style = getComputedStyle(error);
                return {{
                    title: root.querySelector('h1').textContent,
                    places: [...root.querySelectorAll('.where')].map((w) => w.textContent),
                    text: root.textContent.includes(': cannot find value `x` in this scope'),
                    escapes: root.textContent.includes('\\x1b'),
                    color: style.color,
                    bold: style.fontWeight,
                    img: root.querySelector('img') !== null || document.querySelector('img') !== null,
                    injected: window.__injected === 1,
                    markup: root.textContent.includes('<img src=x'),
                }};
            }})()"
        ))
        .await
        .unwrap();
    assert_eq!(
        shown,
        json!({
            "title": "Build failed: 2 errors",
            "places": ["src/app.rs:12:5", "src/lib.rs:3:1"],
            "text": true,
            "escapes": false,
            "color": "rgb(241, 76, 76)",
            "bold": "700",
            "img": false,
            "injected": false,
            "markup": true,
        })
    );
    let badge = "document.querySelector('devserve-badge').shadowRoot.querySelector('div').textContent";
    assert_eq!(client.page.eval(badge).await.unwrap(), "build failed");

    let overlay_shown = "document.querySelector('devserve-error-overlay') !== null";
    client.page.press(Key::Escape.into()).await.unwrap();
    client.page.wait_for(&format!("!({overlay_shown})"), WAIT).await.unwrap();

    client.send(&failed).await;
    client.page.click_at(5.0, 5.0).await.unwrap(); // on the backdrop, outside the panel
    client.page.wait_for(&format!("!({overlay_shown})"), WAIT).await.unwrap();

    client.send(&failed).await;
    assert_eq!(client.page.eval(overlay_shown).await.unwrap(), true);
    client.send(&json!({ "type": "build-ok", "build_id": "build-2" })).await;
    assert_eq!(client.page.eval(overlay_shown).await.unwrap(), false);
    assert_eq!(client.page.eval(badge).await.unwrap(), "build ok");
    client.assert_not_reloaded().await;
}

#[tokio::test]
async fn the_badge_shows_build_progress() {
    let Some(client) = ClientPage::start().await else { return };
    client.load("<p>app</p>").await;
    let badge = "(() => { const b = document.querySelector('devserve-badge'); return b && !b.hidden && b.shadowRoot.querySelector('div').textContent })()";
    let progress = |done: u32, total: Option<u32>, current: Option<&str>| json!({ "type": "building", "progress": { "done": done, "total": total, "current": current, "elapsed_ms": 10 } });
    client.send(&progress(12, Some(340), Some("serde"))).await;
    assert_eq!(client.page.eval(badge).await.unwrap(), "building 12/340 serde");
    client.send(&progress(3, None, None)).await;
    assert_eq!(client.page.eval(badge).await.unwrap(), "building 3/?");
    client.send(&json!({ "type": "build-ok", "build_id": "build-2" })).await;
    assert_eq!(client.page.eval(badge).await.unwrap(), "build ok");
    client.page.wait_for(&format!("{badge} === false"), WAIT).await.unwrap();
    client.assert_not_reloaded().await;
}

#[tokio::test]
async fn a_reload_message_reloads_and_unknown_messages_are_ignored() {
    let Some(client) = ClientPage::start().await else { return };
    client.load("<p>app</p>").await;
    client.send(&json!({ "type": "from-the-future", "x": 1 })).await;
    client.assert_not_reloaded().await;
    client.send(&json!({ "type": "reload" })).await;
    client
        .page
        .wait_for("window.__devserve_e2e_mark === undefined && document.readyState === 'complete' && window.__devserve", WAIT)
        .await
        .unwrap();
}

#[tokio::test]
async fn console_errors_and_uncaught_exceptions_are_forwarded() {
    let Some(client) = ClientPage::start().await else { return };
    // Errors thrown by the page's own scripts (those run through WebDriver are muted).
    let tail = "<script>
        window.failLater = () => {
            setTimeout(() => { throw new Error('kaput') });
            Promise.reject(new Error('nope'));
        };
    </script>";
    client.load_page(PageParts { body: "<p>app</p>", tail, ..PageParts::default() }).await;
    client
        .page
        .exec(
            "console.error('boom', { a: 1 });
             console.warn('careful');
             console.log('not forwarded');
             failLater();
             window.__devserve.handleMessage({ type: 'patch', patches: [{ view_id: 'v', marker_id: null,
                 version: 1, old_template: [{ t: 'text', v: 'absent' }], ops: [] }] });
             return null;",
            vec![],
        )
        .await
        .unwrap();
    client
        .page
        .wait_for("window.__devserve.state().sent.filter((m) => m.type === 'console').length >= 4", WAIT)
        .await
        .unwrap();
    let console = client.sent("console").await;
    let messages: Vec<(&str, &str)> = console
        .iter()
        .map(|msg| (msg["level"].as_str().unwrap(), msg["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        messages.len(),
        4,
        "the client's own warning about the failed patch is not forwarded: {messages:?}"
    );
    assert_eq!(messages[0], ("error", r#"boom {"a":1}"#));
    assert_eq!(messages[1], ("warn", "careful"));
    let rest = &messages[2..];
    assert!(
        rest.iter()
            .any(|(level, m)| *level == "exception" && m.starts_with("Uncaught Error: kaput (http://")),
        "{rest:?}"
    );
    assert!(
        rest.iter()
            .any(|(level, m)| *level == "exception" && m.starts_with("Unhandled rejection: Error: nope")),
        "{rest:?}"
    );
}

#[tokio::test]
async fn the_socket_says_hello_carries_patches_and_reconnects() {
    let Some(client) = ClientPage::start().await else { return };
    let body = marked("src-app.rs-3", "<p>Hello</p>");
    client.load_page(PageParts { body: &body, applied_version: 4, ..PageParts::default() }).await;
    let hello = |applied: u64| json!({ "type": "hello", "protocol": 1, "build_id": "build-1", "applied_version": applied });
    wait_until(|| client.site.received().contains(&hello(4))).await;
    assert!(client.site.requests().contains(&"/__devserve/ws?token=test-token".to_string()));

    client.site.send(&json!({ "type": "hello", "protocol": 1, "build_id": "build-1" }));
    let mut patch = view_patch(
        Some("src-app.rs-3"),
        vec![el("p", &[], vec![text("Hello")])],
        vec![set_text(&[0, 0], "Hi")],
    );
    patch["version"] = json!(5);
    client.site.send(&patch_message(vec![patch]));
    let applied =
        json!({ "type": "patch-applied", "view_id": "src/app.rs::App#0", "version": 5, "matches": 1 });
    wait_until(|| client.site.received().contains(&applied)).await;
    client.assert_app(&marked("src-app.rs-3", "<p>Hi</p>"), "patched over the socket").await;
    client.page.wait_for("window.__devserve.state().connected", WAIT).await.unwrap();

    // devserve goes away and comes back: the client reconnects and reports what it applied.
    client.site.close_sockets();
    client.page.wait_for("!window.__devserve.state().connected", WAIT).await.unwrap();
    wait_until(|| client.site.received().contains(&hello(5))).await;
    client.page.exec("console.error('after reconnect'); return null;", vec![]).await.unwrap();
    let console = json!({ "type": "console", "level": "error", "message": "after reconnect" });
    wait_until(|| client.site.received().contains(&console)).await;
    client.assert_not_reloaded().await;
}

async fn wait_until(condition: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !condition() {
        assert!(start.elapsed() < WAIT, "timed out");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_restarted_devserve_is_picked_up_with_one_reload_never_a_loop() {
    let Some(client) = ClientPage::start().await else { return };
    client.load("<p>app</p>").await;
    wait_until(|| client.site.sockets() == 1).await;
    client.site.send(&json!({ "type": "hello", "protocol": 1, "build_id": "build-1" }));
    client.page.wait_for("window.__devserve.state().connected", WAIT).await.unwrap();

    // devserve restarts with a new token: it answers HTTP but refuses this page's socket.
    client.site.refuse_sockets(true);
    client.site.close_sockets();
    client
        .page
        .wait_for("window.__devserve_e2e_mark === undefined && document.readyState === 'complete'", WAIT)
        .await
        .unwrap();

    // Connected again, and refused again with the same token: no second reload, only retries.
    client.page.wait_for("window.__devserve", WAIT).await.unwrap();
    client.page.mark().await.unwrap();
    client.site.refuse_sockets(false);
    wait_until(|| client.site.sockets() == 1).await;
    client.site.send(&json!({ "type": "hello", "protocol": 1, "build_id": "build-1" }));
    client.page.wait_for("window.__devserve.state().connected", WAIT).await.unwrap();
    client.site.refuse_sockets(true);
    client.site.close_sockets();
    let attempts = || client.site.requests().iter().filter(|r| r.starts_with("/__devserve/ws")).count();
    let before = attempts();
    wait_until(|| attempts() >= before + 5).await;
    client.assert_not_reloaded().await;
}

//! Patches made by the real view engine (`devserve_view::classify`) from edits of the example
//! app's source, applied to the HTML that Leptos 0.8 rendered for that source.

use devserve_protocol::ServerMessage;
use devserve_view::Change;
use serde_json::json;

use super::*;

/// `examples/leptos-app/src/components.rs` as it was when `leptos-app.html` was rendered from it.
const SOURCE: &str = include_str!("../../fixtures/leptos-app-components.rs");
/// The example's home page as Leptos 0.8.23 served it (built with `LEPTOS_WATCH=1`).
const PAGE: &str = include_str!("../../fixtures/leptos-app.html");

/// The `patch` message for the edit `from` -> `to` of the source, versioned from 1 as devserve
/// numbers them.
fn engine_patch(from: &str, to: &str) -> serde_json::Value {
    assert_eq!(SOURCE.matches(from).count(), 1, "{from:?} must occur once in the source");
    let last_build = devserve_view::extract("src/components.rs", SOURCE);
    let mut patches = match devserve_view::classify(&last_build, &SOURCE.replacen(from, to, 1)) {
        Change::Patch(patches) => patches,
        other => panic!("{from:?} -> {to:?}: expected a hot patch, got {other:?}"),
    };
    for (patch, version) in patches.iter_mut().zip(1..) {
        patch.version = version;
    }
    serde_json::to_value(ServerMessage::Patch { patches }).unwrap()
}

#[tokio::test]
async fn edits_of_the_example_patch_its_server_rendered_page() {
    let Some(client) = ClientPage::start().await else { return };
    let text_of = |css: &str| format!("[...document.querySelectorAll('{css}')].map((e) => e.textContent)");
    let cases = [
        (
            "text edit",
            r#""Hello from Leptos""#,
            r#""Hello from devserve""#,
            text_of("#title"),
            json!(["Hello from devserve"]),
        ),
        (
            "class attribute edit",
            r#"<p class="tagline">"#,
            r#"<p class="tagline shiny">"#,
            "document.querySelector('#header p').className".into(),
            json!("tagline shiny"),
        ),
        (
            "static element inserted",
            r#"<p class="tagline">"Edit a view and watch it change."</p>"#,
            r#"<p class="tagline">"Edit a view and watch it change."</p> <p class="note">"New"</p>"#,
            text_of("#header > p"),
            json!(["Edit a view and watch it change.", "New"]),
        ),
        ("static element removed", r#"<h2>"Items"</h2>"#, "", text_of("#items h2"), json!([])),
        (
            "static element moved",
            "<h1 id=\"title\">\"Hello from Leptos\"</h1>\n            <p class=\"tagline\">\"Edit a view and watch it change.\"</p>",
            "<p class=\"tagline\">\"Edit a view and watch it change.\"</p>\n            <h1 id=\"title\">\"Hello from Leptos\"</h1>",
            "[...document.querySelector('#header').children].map((e) => e.localName)".into(),
            json!(["svg", "p", "h1"]),
        ),
        (
            "a view rendered in a list: every instance",
            r#"" is item number ""#,
            r#"" is card number ""#,
            text_of(".item-label"),
            json!([" is card number ", " is card number ", " is card number ", " is card number "]),
        ),
        (
            "a nested view inside a block",
            r#""Nobody greeted yet.""#,
            r#""Nobody here yet.""#,
            text_of("#greeting"),
            json!(["Nobody here yet."]),
        ),
        (
            "an SVG attribute",
            r#"r="20""#,
            r#"r="16""#,
            "document.querySelector('#logo circle').getAttribute('r')".into(),
            json!("16"),
        ),
    ];
    for (name, from, to, probe, expected) in cases {
        let message = engine_patch(from, to);
        client.load_document(PAGE).await;
        client.page.type_text("#name-input", "Ferris").await.unwrap();
        client.send(&message).await;
        assert_eq!(client.state().await["lastFailure"], serde_json::Value::Null, "{name}: {message}");
        assert_eq!(client.page.eval(&probe).await.unwrap(), expected, "{name}: {message}");
        assert_eq!(
            client.page.eval("document.getElementById('name-input').value").await.unwrap(),
            "Ferris",
            "{name}"
        );
        client.assert_not_reloaded().await;
    }
}

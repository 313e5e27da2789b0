//! `inner_html`: an element whose children come from its `innerHTML` property. The view engine
//! patches a static one with `set-inner-html`, template matching accepts whatever children such
//! an element has, and no attribute named `inner_html` appears where Leptos sets the property.

use devserve_protocol::ServerMessage;
use devserve_view::Change;
use serde_json::{Value, json};

use super::*;

/// A component of a Leptos 0.8 app, as its `src/main.rs` starts (its `main` follows).
const SOURCE: &str = r#"use leptos::prelude::*;

#[component]
pub fn Notes() -> impl IntoView {
    let count = RwSignal::new(3);
    view! {
        <h2 class="title">"Notes"</h2>
        <div class="note" inner_html="<i>one</i> and <b>two</b>"/>
        <p>"Count: " {move || count.get()}</p>
        <p class="lead" inner_html="plain words"/>
        <section on:click=move |_| count.update(|n| *n += 1)>
            <div class="quote" inner_html="<q>quoted</q>"/>
            <div class="live" inner_html=move || format!("<b>{}</b>", count.get())/>
        </section>
    }
}
"#;

/// What Leptos 0.8.23 (`leptos_macro` 0.8.20, built with `LEPTOS_WATCH=1`) renders for
/// `<Notes/>`: the view's roots are built, so their `inner_html` is the property and its HTML
/// their children; `.quote` is static below the top of the view, so Leptos compiles it into
/// inert HTML with an attribute named `inner_html`; `.live`'s content is code.
const NOTES: &str = concat!(
    r#"<!--hot-reload|src-main.rs-6|open--><h2 class="title">Notes</h2>"#,
    r#"<div class="note"><i>one</i> and <b>two</b></div><p>Count: <!>3</p><p class="lead">plain words</p>"#,
    r#"<section><div class="quote" inner_html="&lt;q&gt;quoted&lt;/q&gt;"></div><div class="live"><b>3</b></div>"#,
    r#"</section><!--hot-reload|src-main.rs-6|close-->"#,
);

/// The `patch` message the view engine makes for the edits `(from, to)` of [`SOURCE`].
fn engine_patch(edits: &[(&str, &str)]) -> Value {
    let mut source = SOURCE.to_owned();
    for (from, to) in edits {
        assert_eq!(source.matches(from).count(), 1, "{from:?} must occur once in the source");
        source = source.replacen(from, to, 1);
    }
    let last_build = devserve_view::extract("src/main.rs", SOURCE);
    let mut patches = match devserve_view::classify(&last_build, &source) {
        Change::Patch(patches) => patches,
        other => panic!("{edits:?}: expected a hot patch, got {other:?}"),
    };
    for (patch, version) in patches.iter_mut().zip(1..) {
        patch.version = version;
    }
    serde_json::to_value(ServerMessage::Patch { patches }).unwrap()
}

/// The ops of the message's only patch, by name.
fn op_names(message: &Value) -> Vec<&str> {
    message["patches"][0]["ops"].as_array().unwrap().iter().map(|op| op["op"].as_str().unwrap()).collect()
}

/// Load [`NOTES`], send `message`, and expect it applied to the one instance, without a failure
/// or a reload.
async fn apply(client: &ClientPage, message: &Value, context: &str) {
    client.load(NOTES).await;
    client.send(message).await;
    assert_eq!(client.state().await["failures"], json!([]), "{context}: {message}");
    let matches: Vec<Value> =
        client.sent("patch-applied").await.iter().map(|msg| msg["matches"].clone()).collect();
    assert_eq!(matches, [json!(1)], "{context}: {message}");
    client.assert_not_reloaded().await;
}

/// `innerHTML` of the element `css` finds in `#app`.
async fn inner(client: &ClientPage, css: &str) -> String {
    let html =
        client.page.exec("return document.querySelector(arguments[0]).innerHTML", vec![json!(css)]).await;
    html.unwrap().as_str().unwrap().to_owned()
}

/// The classes of the elements in `#app` that have an attribute named `inner_html`.
async fn with_inner_html_attribute(client: &ClientPage) -> Value {
    client
        .page
        .eval("[...document.querySelectorAll('#app [inner_html]')].map((e) => e.className)")
        .await
        .unwrap()
}

#[tokio::test]
async fn static_inner_html_is_patched_as_the_property() {
    let Some(client) = ClientPage::start().await else { return };
    let message = engine_patch(&[("<i>one</i> and <b>two</b>", "<i>uno</i> &amp; <b>dos</b>")]);
    assert_eq!(op_names(&message), ["set-inner-html"]);
    apply(&client, &message, "inner_html of a view root").await;
    assert_eq!(inner(&client, ".note").await, "<i>uno</i> &amp; <b>dos</b>");
    assert_eq!(
        with_inner_html_attribute(&client).await,
        json!(["quote"]),
        "only the inert element Leptos writes the attribute for has one"
    );

    let message = engine_patch(&[("\"plain words\"", "\"other <em>words</em>\"")]);
    apply(&client, &message, "inner_html of a <p> with phrasing content").await;
    assert_eq!(inner(&client, ".lead").await, "other <em>words</em>");
    assert_eq!(with_inner_html_attribute(&client).await, json!(["quote"]));
}

#[tokio::test]
async fn patches_around_such_an_element_still_match() {
    let Some(client) = ClientPage::start().await else { return };
    // `.note`'s and `.live`'s children are not in the template: the view matches all the same.
    let message = engine_patch(&[
        (r#""Notes""#, r#""Journal""#),
        (
            r#"<div class="note" inner_html="<i>one</i> and <b>two</b>"/>"#,
            r#"<div class="note big" inner_html="<i>two</i>"/>"#,
        ),
        (r#""Count: ""#, r#""Total: ""#),
        (r#"class="live""#, r#"class="live now""#),
    ]);
    assert_eq!(op_names(&message), ["set-text", "set-attr", "set-inner-html", "set-text", "set-attr"]);
    apply(&client, &message, "edits before, on, after and inside the view's elements").await;
    client
        .assert_app(
            &NOTES
                .replace("Notes", "Journal")
                .replace(
                    r#"<div class="note"><i>one</i> and <b>two</b></div>"#,
                    r#"<div class="note big"><i>two</i></div>"#,
                )
                .replace("Count: ", "Total: ")
                .replace(r#"class="live""#, r#"class="live now""#),
            "every edit landed, the rest of the page is as it was",
        )
        .await;
    assert_eq!(with_inner_html_attribute(&client).await, json!(["quote"]));

    // An inert element's `inner_html` is the attribute Leptos writes: patched as one.
    let message = engine_patch(&[("<q>quoted</q>", "<q>cited</q>")]);
    assert_eq!(op_names(&message), ["set-attr"]);
    apply(&client, &message, "inner_html of an inert element").await;
    let attribute =
        client.page.eval("document.querySelector('.quote').getAttribute('inner_html')").await.unwrap();
    assert_eq!(attribute, json!("<q>cited</q>"));
    assert_eq!(inner(&client, ".quote").await, "", "Leptos renders no children for it");
}

#[tokio::test]
async fn content_the_page_would_parse_otherwise_is_not_patched() {
    let Some(client) = ClientPage::start().await else { return };
    for (name, to, reason) in [
        (
            "a <div> in a <p>, which the document parser closes",
            "<div>block</div>",
            "parse the new HTML differently",
        ),
        ("an end tag that closes the element", "a</p>b", "parse the new HTML differently"),
        ("a script, which only a page load runs", "<script>window.ran = 1</script>", "holds a script"),
    ] {
        let message = engine_patch(&[("\"plain words\"", format!("{to:?}").as_str())]);
        assert_eq!(op_names(&message), ["set-inner-html"], "{name}");
        client.load(NOTES).await;
        client.send(&message).await;
        let failed = client.sent("patch-failed").await;
        assert_eq!(failed.len(), 1, "{name}: {message}");
        let why = failed[0]["reason"].as_str().unwrap();
        assert!(why.contains(reason), "{name}: {why}");
        client.assert_app(NOTES, name).await;
        client.assert_not_reloaded().await;
    }
}

/// An element whose content a property sets, in a template.
fn el_with_content(tag: &str, attrs: &[(&str, &str)], prop: &str) -> Value {
    json!({ "t": "el", "tag": tag, "attrs": attrs, "children": [], "content_prop": prop })
}

fn set_inner_html(path: &[usize], html: &str) -> Value {
    json!({ "op": "set-inner-html", "path": path, "html": html })
}

#[tokio::test]
async fn template_matching_accepts_any_children_set_by_a_property() {
    let Some(client) = ClientPage::start().await else { return };
    let card = |body: &str, footer: &str| {
        format!(r#"<div class="card"><div class="body">{body}</div><p>{footer}</p></div>"#)
    };
    let template = || {
        vec![el(
            "div",
            &[("class", "card")],
            vec![
                el_with_content("div", &[("class", "body")], "innerHTML"),
                el("p", &[], vec![text("Footer")]),
            ],
        )]
    };
    client.load(&format!("{}{}", card("<p>Hi <b>there</b></p>", "Footer"), card("plain", "Footer"))).await;
    client
        .send(&patch_message(vec![view_patch(
            None,
            template(),
            vec![set_inner_html(&[0, 0], "<p>Bye</p>"), set_text(&[0, 1, 0], "End")],
        )]))
        .await;
    assert_eq!(client.state().await["failures"], json!([]));
    client
        .assert_app(&format!("{}{}", card("<p>Bye</p>", "End"), card("<p>Bye</p>", "End")), "both cards")
        .await;
    let matches: Vec<Value> =
        client.sent("patch-applied").await.iter().map(|msg| msg["matches"].clone()).collect();
    assert_eq!(matches, [json!(2)]);

    // `prop:textContent` sets children too; `set-inner-html` is only for `innerHTML`.
    client.load(&card("text", "Footer")).await;
    client
        .send(&patch_message(vec![view_patch(
            None,
            vec![el(
                "div",
                &[("class", "card")],
                vec![
                    el_with_content("div", &[("class", "body")], "textContent"),
                    el("p", &[], vec![text("Footer")]),
                ],
            )],
            vec![set_inner_html(&[0, 0], "<p>Bye</p>")],
        )]))
        .await;
    let failed = client.sent("patch-failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["reason"].as_str().unwrap().contains("has no innerHTML property"), "{failed:?}");
    client.assert_app(&card("text", "Footer"), "untouched").await;
}

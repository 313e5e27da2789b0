//! Finding a view's DOM: views that are not on the page (kept, patched when they appear), marker
//! ids of an older build (never the wrong view), and the document shell (`<html>`, `<head>`).

use serde_json::{Value, json};

use super::*;

/// Patch `version` of view `src/app.rs::{item}#0`.
fn patch(item: &str, marker_id: &str, version: u64, old_template: Vec<Value>, ops: Vec<Value>) -> Value {
    json!({
        "view_id": format!("src/app.rs::{item}#0"),
        "marker_id": marker_id,
        "version": version,
        "old_template": old_template,
        "ops": ops,
    })
}

fn p(text_: &str) -> Vec<Value> {
    vec![el("p", &[], vec![text(text_)])]
}

/// A `hello` from devserve naming the build it runs.
fn hello(build_id: &str) -> Value {
    json!({ "type": "hello", "protocol": 1, "build_id": build_id })
}

fn build_ok(build_id: &str) -> Value {
    json!({ "type": "build-ok", "build_id": build_id })
}

/// The client reported no failure, sent no `patch-failed`, and the page was not reloaded.
async fn assert_no_failure(client: &ClientPage, context: &str) {
    assert_eq!(client.state().await["failures"], json!([]), "{context}");
    assert!(client.sent("patch-failed").await.is_empty(), "{context}");
    client.assert_not_reloaded().await;
}

/// `(view_id, matches)` of every `patch-applied` the client sent.
async fn applied(client: &ClientPage) -> Vec<(String, u64)> {
    let sent = client.sent("patch-applied").await;
    sent.iter().map(|m| (m["view_id"].as_str().unwrap().to_owned(), m["matches"].as_u64().unwrap())).collect()
}

#[tokio::test]
async fn a_view_not_on_the_page_keeps_its_patches_until_it_is_rendered() {
    let Some(client) = ClientPage::start().await else { return };
    let about = |title: &str, body: &str| {
        vec![el(
            "section",
            &[("class", "about")],
            vec![el("h1", &[], vec![text(title)]), el("p", &[], vec![text(body)])],
        )]
    };
    // The page's own (old) code renders the view later, as a client-side route or a <Show> does.
    let tail = r#"<script type="module">
        window.renderAbout = () => {
            const section = document.createElement('section');
            section.className = 'about';
            section.innerHTML = '<h1>About</h1><p>Old text</p>';
            document.getElementById('app').append(section);
        };
    </script>"#;
    let home = marked("src-app.rs-3", r#"<p id="home">Home</p>"#);
    for (context, build) in
        [("the page runs the patch's build", "build-1"), ("a newer build runs", "build-2")]
    {
        client.load_page(PageParts { body: &home, tail, ..PageParts::default() }).await;
        client.send(&hello(build)).await;
        client
            .send(&patch_message(vec![
                patch(
                    "About",
                    "src-app.rs-20",
                    1,
                    about("About", "Old text"),
                    vec![set_text(&[0, 1, 0], "New text")],
                ),
                patch(
                    "About",
                    "src-app.rs-20",
                    2,
                    about("About", "New text"),
                    vec![set_text(&[0, 0, 0], "About us")],
                ),
            ]))
            .await;
        assert_no_failure(&client, context).await;
        client.assert_app(&home, context).await;
        let kept = [("src/app.rs::About#0".to_owned(), 0), ("src/app.rs::About#0".to_owned(), 0)];
        assert_eq!(applied(&client).await, kept, "{context}: kept, not failed");
        assert_eq!(client.state().await["appliedVersion"], 2, "{context}");

        client.page.exec("renderAbout(); return null;", vec![]).await.unwrap();
        client
            .page
            .wait_for("document.querySelector('.about p').textContent === 'New text'", WAIT)
            .await
            .unwrap();
        let after = format!(r#"{home}<section class="about"><h1>About us</h1><p>New text</p></section>"#);
        client.assert_app(&after, &format!("{context}: both kept patches, in order")).await;
        assert_no_failure(&client, context).await;
    }
}

#[tokio::test]
async fn a_replayed_patch_for_a_view_not_on_the_page_is_kept() {
    let Some(client) = ClientPage::start().await else { return };
    let body = marked("src-app.rs-3", "<p>Hello</p>");
    client.load(&body).await;
    // A patch right after hello is a replay; neither it nor a same-file view with another
    // template makes a failure.
    client.send(&hello("build-1")).await;
    client
        .send(&patch_message(vec![patch(
            "NotFound",
            "src-app.rs-38",
            1,
            p("Page not found."),
            vec![set_text(&[0, 0], "Nothing here.")],
        )]))
        .await;
    assert_no_failure(&client, "replayed").await;
    client.assert_app(&body, "replayed").await;
    assert_eq!(applied(&client).await, [("src/app.rs::NotFound#0".to_owned(), 0)]);
}

#[tokio::test]
async fn marker_ids_of_another_build_never_patch_a_view_with_an_equal_template() {
    let Some(client) = ClientPage::start().await else { return };
    let a = |t: &str| marked("src-app.rs-3", &format!("<p>{t}</p>"));
    let c = |t: &str| marked("src-app.rs-9", &format!("<p>{t}</p>"));

    // The page runs the patch's build: its markers are the patch's, and a view whose id is not
    // among them is not on the page, even if another view of the file shows the same template.
    client.load(&a("Hello")).await;
    client.send(&hello("build-1")).await;
    client.send(&build_ok("build-1")).await;
    client
        .send(&patch_message(vec![patch("C", "src-app.rs-9", 1, p("Hello"), vec![set_text(&[0, 0], "Hey")])]))
        .await;
    client.assert_app(&a("Hello"), "an equal view of the same file is left alone").await;
    assert_no_failure(&client, "the view is not on the page").await;

    // A page that lived through a build that moved lines knows C under line 9 while devserve
    // names line 11. A was patched through line 3 before: that id is A's, so C is the only
    // candidate, although both show <p>Hi</p> now.
    client.load(&format!("{}{}", a("Hello"), c("Hi"))).await;
    client.send(&hello("build-1")).await;
    client.send(&build_ok("build-1")).await;
    client
        .send(&patch_message(vec![patch("A", "src-app.rs-3", 1, p("Hello"), vec![set_text(&[0, 0], "Hi")])]))
        .await;
    client.send(&build_ok("build-2")).await;
    client
        .send(&patch_message(vec![patch("C", "src-app.rs-11", 2, p("Hi"), vec![set_text(&[0, 0], "Hey")])]))
        .await;
    client.assert_app(&format!("{}{}", a("Hi"), c("Hey")), "only the right one").await;
    assert_no_failure(&client, "only the right one").await;

    // C was patched through its id before the build: that id is remembered, A is left alone.
    client.load(&format!("{}{}", a("Hi"), c("Hello"))).await;
    client.send(&hello("build-1")).await;
    client.send(&build_ok("build-1")).await;
    client
        .send(&patch_message(vec![patch("C", "src-app.rs-9", 1, p("Hello"), vec![set_text(&[0, 0], "Hi")])]))
        .await;
    client.send(&build_ok("build-2")).await;
    client
        .send(&patch_message(vec![patch("C", "src-app.rs-11", 2, p("Hi"), vec![set_text(&[0, 0], "Hey")])]))
        .await;
    client.assert_app(&format!("{}{}", a("Hi"), c("Hey")), "the remembered id").await;
    assert_no_failure(&client, "the remembered id").await;

    // Nothing tells the two apart: nothing is patched, and the page reports it (devserve reloads
    // it after the build) rather than guess.
    let twins = format!("{}{}", a("Hi"), c("Hi"));
    client.load(&twins).await;
    client.send(&hello("build-2")).await;
    client.send(&build_ok("build-2")).await;
    client
        .send(&patch_message(vec![patch("C", "src-app.rs-11", 1, p("Hi"), vec![set_text(&[0, 0], "Hey")])]))
        .await;
    client.assert_app(&twins, "ambiguous: nothing patched").await;
    let failures = client.sent("patch-failed").await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0]["reason"].as_str().unwrap().contains("cannot tell which"), "{failures:?}");

    // One view of the file fits: a page from an older build still gets its patch.
    client.load(&format!("{}{}", a("Hello"), c("Hi"))).await;
    client.send(&hello("build-2")).await;
    client.send(&build_ok("build-2")).await;
    client
        .send(&patch_message(vec![patch("C", "src-app.rs-11", 1, p("Hi"), vec![set_text(&[0, 0], "Hey")])]))
        .await;
    client.assert_app(&format!("{}{}", a("Hello"), c("Hey")), "the one that fits").await;
    assert_no_failure(&client, "the one that fits").await;
}

/// What Leptos 0.8 renders for the example's `shell` (markers at the document level), with a
/// trailing script that the parser moves into `<body>`.
fn shell_document(lang: &str, head: &str, body_attrs: &str) -> String {
    format!(
        "<!--hot-reload|src-app.rs-17|open--><!DOCTYPE html><html lang=\"{lang}\"><head>{head}</head>\
         <body{body_attrs}><!--hot-reload|src-app.rs-36|open--><main id=\"main\"><p>App</p></main>\
         <!--hot-reload|src-app.rs-36|close--></body></html><!--hot-reload|src-app.rs-17|close-->\
         <script>window.__resources = []</script>"
    )
}

const HEAD: &str = r#"<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>devserve example</title><link rel="stylesheet" href="/style/main.css">"#;

/// The template of that shell: the doctype is a hole, `<App/>` a component.
fn shell_template(body_attrs: &[(&str, &str)]) -> Vec<Value> {
    vec![
        hole(),
        el(
            "html",
            &[("lang", "en")],
            vec![
                el(
                    "head",
                    &[],
                    vec![
                        el("meta", &[("charset", "utf-8")], vec![]),
                        el(
                            "meta",
                            &[("name", "viewport"), ("content", "width=device-width, initial-scale=1")],
                            vec![],
                        ),
                        el("title", &[], vec![text("devserve example")]),
                        el("link", &[("rel", "stylesheet"), ("href", "/style/main.css")], vec![]),
                    ],
                ),
                el("body", body_attrs, vec![component("App", vec![])]),
            ],
        ),
    ]
}

#[tokio::test]
async fn the_document_shell_is_found_and_patched_in_head_html_and_body() {
    let Some(client) = ClientPage::start().await else { return };
    client.site.put("/style/main.css", "text/css", "body { color: rgb(1, 2, 3) }");
    client.site.put("/style/extra.css", "text/css", "body { background-color: rgb(4, 5, 6) }");
    client.load_document(&shell_document("en", HEAD, r#" class="page""#)).await;
    client.page.wait_for("getComputedStyle(document.body).color === 'rgb(1, 2, 3)'", WAIT).await.unwrap();
    // devserve's own nodes: its script in <head> (injected), its badge appended to <html>, and a
    // swapped stylesheet (`?v=1`) all leave the shell matching.
    client.send(&json!({ "type": "building", "progress": { "done": 1, "total": 9, "current": null, "elapsed_ms": 5 } })).await;
    client.send(&json!({ "type": "css", "href": "/style/main.css", "version": 1 })).await;
    client.page.wait_for("document.querySelector('link[href*=\"main.css?v=1\"]') !== null && document.querySelectorAll('link').length === 1", WAIT).await.unwrap();

    let ops = vec![
        set_text(&[1, 0, 2, 0], "devserve, patched"),
        set_attr(&[1], "lang", Some("fr")),
        set_attr(&[1, 1], "class", Some("page dark")),
        set_attr(&[1, 1], "data-theme", Some("night")),
        set_attr(&[1, 0, 1], "content", Some("width=device-width")),
        insert(
            &[1, 0, 2],
            el("meta", &[("name", "description"), ("content", "An example")], vec![]),
            r#"<meta name="description" content="An example">"#,
        ),
        insert(
            &[1, 0, 5],
            el("link", &[("rel", "stylesheet"), ("href", "/style/extra.css")], vec![]),
            r#"<link rel="stylesheet" href="/style/extra.css">"#,
        ),
    ];
    client
        .send(&patch_message(vec![patch(
            "shell",
            "src-app.rs-17",
            1,
            shell_template(&[("class", "page")]),
            ops,
        )]))
        .await;
    assert_no_failure(&client, "the shell").await;
    assert_eq!(applied(&client).await, [("src/app.rs::shell#0".to_owned(), 1)]);
    let probe = "[document.title, document.documentElement.lang, document.body.className, document.body.dataset.theme, \
                 document.querySelector('meta[name=viewport]').content, document.querySelector('meta[name=description]').content]";
    assert_eq!(
        client.page.eval(probe).await.unwrap(),
        json!(["devserve, patched", "fr", "page dark", "night", "width=device-width", "An example"])
    );
    client
        .page
        .wait_for("getComputedStyle(document.body).backgroundColor === 'rgb(4, 5, 6)'", WAIT)
        .await
        .unwrap();
    assert_eq!(
        client.page.eval("getComputedStyle(document.body).color").await.unwrap(),
        json!("rgb(1, 2, 3)")
    );

    // The next patch matches the template the first one left: the added link removed, the
    // stylesheet's href changed (the swapped one still counts as /style/main.css).
    let mut template = shell_template(&[("class", "page dark"), ("data-theme", "night")]);
    template[1]["attrs"] = json!([["lang", "fr"]]);
    let head = template[1]["children"][0]["children"].as_array_mut().unwrap();
    head[1]["attrs"] = json!([["name", "viewport"], ["content", "width=device-width"]]);
    head[2]["children"] = json!([text("devserve, patched")]);
    head.insert(2, el("meta", &[("name", "description"), ("content", "An example")], vec![]));
    head.push(el("link", &[("rel", "stylesheet"), ("href", "/style/extra.css")], vec![]));
    client.site.put("/style/other.css", "text/css", "body { color: rgb(7, 8, 9) }");
    let ops =
        vec![remove(&[1, 0, 5]), remove(&[1, 0, 2]), set_attr(&[1, 0, 3], "href", Some("/style/other.css"))];
    client.send(&patch_message(vec![patch("shell", "src-app.rs-17", 2, template, ops)])).await;
    assert_no_failure(&client, "the second shell patch").await;
    client.page.wait_for("getComputedStyle(document.body).color === 'rgb(7, 8, 9)'", WAIT).await.unwrap();
    let left = "[document.querySelectorAll('meta[name=description]').length, getComputedStyle(document.body).backgroundColor, \
                [...document.head.children].map((e) => e.localName).join(' ')]";
    assert_eq!(
        client.page.eval(left).await.unwrap(),
        json!([0, "rgba(0, 0, 0, 0)", "meta meta title link script"])
    );
}

/// Serves one stylesheet on a port of its own, answering each request after `delay`.
async fn slow_stylesheet(css: &'static str, delay: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                tokio::time::sleep(delay).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/css\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    css.len()
                );
                let _ = stream.write_all(format!("{head}{css}").as_bytes()).await;
            });
        }
    });
    format!("http://127.0.0.1:{port}/slow.css")
}

#[tokio::test]
async fn a_stylesheet_href_patched_keeps_the_old_sheet_until_the_new_one_has_loaded() {
    let Some(client) = ClientPage::start().await else { return };
    client.site.put("/style/main.css", "text/css", "body { color: rgb(1, 2, 3) }");
    let slow = slow_stylesheet("body { color: rgb(7, 8, 9) }", Duration::from_millis(1500)).await;
    client.load_document(&shell_document("en", HEAD, "")).await;
    let color = "getComputedStyle(document.body).color";
    client.page.wait_for(&format!("{color} === 'rgb(1, 2, 3)'"), WAIT).await.unwrap();
    let ops = vec![set_attr(&[1, 0, 3], "href", Some(&slow))];
    client.send(&patch_message(vec![patch("shell", "src-app.rs-17", 1, shell_template(&[]), ops)])).await;
    assert_no_failure(&client, "href patched").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(client.page.eval(color).await.unwrap(), json!("rgb(1, 2, 3)"), "unstyled while loading");
    client.page.wait_for(&format!("{color} === 'rgb(7, 8, 9)'"), WAIT).await.unwrap();
    let links = "[...document.querySelectorAll('link')].map((l) => l.getAttribute('href'))";
    assert_eq!(client.page.eval(links).await.unwrap(), json!([slow]), "the same element, its href changed");
}

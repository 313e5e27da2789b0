//! View patches: found by markers or template matching, applied in place, all or nothing.

use serde_json::{Value, json};

use super::*;

/// Load `before` into `#app`, apply `patches`, and expect `#app` to read `after`, with no failure
/// reported and no reload.
async fn check(client: &ClientPage, name: &str, before: &str, patches: Vec<Value>, after: &str) {
    client.load(before).await;
    client.send(&patch_message(patches)).await;
    let state = client.state().await;
    assert_eq!(state["lastFailure"], Value::Null, "{name}: the patch failed");
    client.assert_app(after, name).await;
    client.assert_not_reloaded().await;
}

/// The `matches` the client reported for each `patch-applied`.
async fn applied_matches(client: &ClientPage) -> Vec<u64> {
    client.sent("patch-applied").await.iter().map(|msg| msg["matches"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn text_and_attribute_edits() {
    let Some(client) = ClientPage::start().await else { return };
    let intro =
        || vec![el("p", &[("class", "intro")], vec![text("Hello "), el("b", &[], vec![text("world")])])];
    check(
        &client,
        "text inside a marked view",
        &marked("src-app.rs-3", r#"<p class="intro">Hello <b>world</b></p>"#),
        vec![view_patch(Some("src-app.rs-3"), intro(), vec![set_text(&[0, 1, 0], "Rust")])],
        &marked("src-app.rs-3", r#"<p class="intro">Hello <b>Rust</b></p>"#),
    )
    .await;
    check(
        &client,
        "text next to a hole",
        &marked("src-app.rs-3", "<li>item <!>0</li>"),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("li", &[], vec![text("item "), hole()])],
            vec![set_text(&[0, 0], "entry ")],
        )],
        &marked("src-app.rs-3", "<li>entry <!>0</li>"),
    )
    .await;
    check(
        &client,
        "attributes set and changed; a class added by class:active stays",
        &marked("src-app.rs-3", r#"<p class="intro active" id="p1" title="old">A</p>"#),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("p", &[("class", "intro"), ("title", "old")], vec![text("A")])],
            vec![
                set_attr(&[0], "class", Some("lead")),
                set_attr(&[0], "title", Some("new")),
                set_attr(&[0], "lang", Some("en")),
            ],
        )],
        &marked("src-app.rs-3", r#"<p class="active lead" id="p1" title="new" lang="en">A</p>"#),
    )
    .await;
    check(
        &client,
        "attributes removed, a valueless one included",
        &marked("src-app.rs-3", r#"<p class="intro active" title="t" hidden="">A</p>"#),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![json!({ "t": "el", "tag": "p", "attrs": [["class", "intro"], ["title", "t"], ["hidden", null]], "children": [text("A")] })],
            vec![remove_attr(&[0], "class"), remove_attr(&[0], "title"), remove_attr(&[0], "hidden")],
        )],
        &marked("src-app.rs-3", r#"<p class="active">A</p>"#),
    )
    .await;
    check(
        &client,
        "a static style changes; a style:margin declaration stays",
        &marked("src-app.rs-3", r#"<p style="color: red; margin: 0px;">A</p>"#),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("p", &[("style", "color: red")], vec![text("A")])],
            vec![set_attr(&[0], "style", Some("color: blue; font-weight: bold"))],
        )],
        &marked("src-app.rs-3", r#"<p style="color: blue; margin: 0px; font-weight: bold;">A</p>"#),
    )
    .await;
    check(
        &client,
        "an SVG attribute",
        &marked("src-app.rs-3", r#"<svg viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"></circle></svg>"#),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el(
                "svg",
                &[("viewBox", "0 0 10 10")],
                vec![el("circle", &[("cx", "5"), ("cy", "5"), ("r", "4")], vec![])],
            )],
            vec![set_attr(&[0, 0], "r", Some("2"))],
        )],
        &marked("src-app.rs-3", r#"<svg viewBox="0 0 10 10"><circle cx="5" cy="5" r="2"></circle></svg>"#),
    )
    .await;
}

#[tokio::test]
async fn static_elements_inserted_removed_and_moved() {
    let Some(client) = ClientPage::start().await else { return };
    let menu = || {
        vec![el(
            "ul",
            &[("class", "menu")],
            vec![el("li", &[], vec![text("One")]), el("li", &[], vec![text("Two")])],
        )]
    };
    let before = marked("src-app.rs-3", r#"<ul class="menu"><li>One</li><li>Two</li></ul>"#);
    let li = |t: &str| el("li", &[], vec![text(t)]);
    for (name, ops, after) in [
        (
            "insert",
            vec![insert(&[0, 1], li("Half"), "<li>Half</li>")],
            "<li>One</li><li>Half</li><li>Two</li>",
        ),
        (
            "insert at the end",
            vec![insert(&[0, 2], li("Three"), "<li>Three</li>")],
            "<li>One</li><li>Two</li><li>Three</li>",
        ),
        ("remove", vec![remove(&[0, 0])], "<li>Two</li>"),
        ("move", vec![move_node(&[0], 0, 1)], "<li>Two</li><li>One</li>"),
        (
            "paths refer to the template after the ops before them",
            vec![insert(&[0, 0], li("Zero"), "<li>Zero</li>"), set_text(&[0, 1, 0], "ONE"), remove(&[0, 2])],
            "<li>Zero</li><li>ONE</li>",
        ),
    ] {
        let after = marked("src-app.rs-3", &format!(r#"<ul class="menu">{after}</ul>"#));
        check(&client, name, &before, vec![view_patch(Some("src-app.rs-3"), menu(), ops)], &after).await;
    }
    check(
        &client,
        "a root inserted after a hole, before the close marker",
        &marked("src-app.rs-3", "<h1>Title</h1>3<!>"),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("h1", &[], vec![text("Title")]), hole()],
            vec![insert(&[2], el("p", &[], vec![text("Footer")]), "<p>Footer</p>")],
        )],
        &marked("src-app.rs-3", "<h1>Title</h1>3<!><p>Footer</p>"),
    )
    .await;
    check(
        &client,
        "a text node inserted",
        &marked("src-app.rs-3", "<p><b>a</b><i>b</i></p>"),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("p", &[], vec![el("b", &[], vec![text("a")]), el("i", &[], vec![text("b")])])],
            vec![insert(&[0, 1], text(" and "), " and ")],
        )],
        &marked("src-app.rs-3", "<p><b>a</b> and <i>b</i></p>"),
    )
    .await;
    check(
        &client,
        "a static element moved across a hole, which stays put",
        &marked("src-app.rs-3", "<div><p>A</p>x<!><p>B</p></div>"),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("div", &[], vec![el("p", &[], vec![text("A")]), hole(), el("p", &[], vec![text("B")])])],
            vec![move_node(&[0], 2, 0)],
        )],
        &marked("src-app.rs-3", "<div><p>B</p><p>A</p>x<!></div>"),
    )
    .await;
    check(
        &client,
        "an SVG element inserted",
        &marked("src-app.rs-3", r#"<svg viewBox="0 0 10 10"><circle r="4"></circle></svg>"#),
        vec![view_patch(
            Some("src-app.rs-3"),
            vec![el("svg", &[("viewBox", "0 0 10 10")], vec![el("circle", &[("r", "4")], vec![])])],
            vec![insert(&[0, 1], el("rect", &[("width", "2")], vec![]), r#"<rect width="2"></rect>"#)],
        )],
        &marked(
            "src-app.rs-3",
            r#"<svg viewBox="0 0 10 10"><circle r="4"></circle><rect width="2"></rect></svg>"#,
        ),
    )
    .await;
    let is_svg =
        client.page.eval("document.querySelector('#app rect') instanceof SVGRectElement").await.unwrap();
    assert_eq!(is_svg, json!(true), "the inserted <rect> is an SVG element");
}

#[tokio::test]
async fn views_are_found_in_lists_nested_views_and_by_template() {
    let Some(client) = ClientPage::start().await else { return };
    let item = |i: usize| marked("src-main.rs-24", &format!("<li>item <!>{i}</li>"));
    let entry = |i: usize| marked("src-main.rs-24", &format!("<li>entry <!>{i}</li>"));
    let li_template = || vec![el("li", &[], vec![text("item "), hole()])];
    check(
        &client,
        "every instance of a view in a list",
        &format!("<ul>{}{}{}<!></ul>", item(0), item(1), item(2)),
        vec![view_patch(Some("src-main.rs-24"), li_template(), vec![set_text(&[0, 0], "entry ")])],
        &format!("<ul>{}{}{}<!></ul>", entry(0), entry(1), entry(2)),
    )
    .await;
    assert_eq!(applied_matches(&client).await, [3]);

    let outer = |title: &str, inner: &str| {
        marked("src-main.rs-16", &format!("<main><h1>{title}</h1><ul>{inner}<!></ul></main>"))
    };
    let mut inner_patch =
        view_patch(Some("src-main.rs-24"), li_template(), vec![set_text(&[0, 0], "entry ")]);
    inner_patch["view_id"] = json!("src/main.rs::App#1");
    inner_patch["version"] = json!(2);
    check(
        &client,
        "a nested view and its outer view, in one message",
        &outer("Shop", &item(0)),
        vec![
            view_patch(
                Some("src-main.rs-16"),
                vec![el("main", &[], vec![el("h1", &[], vec![text("Shop")]), el("ul", &[], vec![hole()])])],
                vec![set_text(&[0, 0, 0], "Store")],
            ),
            inner_patch,
        ],
        &outer("Store", &entry(0)),
    )
    .await;
    assert_eq!(applied_matches(&client).await, [1, 1]);

    let leaf = |text: &str| format!("<p>{text}</p>");
    let x = |inner: &str| marked("src-tree.rs-5", inner);
    check(
        &client,
        "nested markers of the same view pair up like brackets",
        &x(&format!("{}{}", x(&leaf("leaf")), leaf("leaf"))),
        vec![view_patch(
            Some("src-tree.rs-5"),
            vec![hole(), el("p", &[], vec![text("leaf")])],
            vec![set_text(&[1, 0], "LEAF")],
        )],
        &x(&format!("{}{}", x(&leaf("LEAF")), leaf("LEAF"))),
    )
    .await;
    assert_eq!(applied_matches(&client).await, [2]);

    let card = |class: &str, title: &str, body: &str| {
        format!(r#"<div class="{class}"><h2>{title}</h2><p>{body}</p></div>"#)
    };
    check(
        &client,
        "no markers: candidates by tag and static attributes, every match patched",
        &format!(
            "{}{}{}",
            card("card", "One", "Body"),
            card("other", "Two", "Body"),
            card("card", "Three", "Body")
        ),
        vec![view_patch(
            None,
            vec![el(
                "div",
                &[("class", "card")],
                vec![el("h2", &[], vec![hole()]), el("p", &[], vec![text("Body")])],
            )],
            vec![set_text(&[0, 1, 0], "Text")],
        )],
        &format!(
            "{}{}{}",
            card("card", "One", "Text"),
            card("other", "Two", "Body"),
            card("card", "Three", "Text")
        ),
    )
    .await;
    assert_eq!(applied_matches(&client).await, [2]);

    check(
        &client,
        "several roots, a text root first, text compared after whitespace normalisation",
        "<section>Intro <h1>\n  Big   title\n</h1><p>End</p></section>",
        vec![view_patch(
            None,
            vec![text("Intro "), el("h1", &[], vec![text("Big title")]), el("p", &[], vec![text("End")])],
            vec![set_text(&[0], "Preface "), set_text(&[1, 0], "Huge title")],
        )],
        "<section>Preface <h1>Huge title</h1><p>End</p></section>",
    )
    .await;
    check(
        &client,
        "a page from an older build knows the view under an older line; other files are left alone",
        &format!("{}{}", marked("src-app.rs-3", "<p>Hello</p>"), marked("src-other.rs-5", "<p>Hello</p>")),
        vec![view_patch(
            Some("src-app.rs-5"),
            vec![el("p", &[], vec![text("Hello")])],
            vec![set_text(&[0, 0], "Hi")],
        )],
        &format!("{}{}", marked("src-app.rs-3", "<p>Hi</p>"), marked("src-other.rs-5", "<p>Hello</p>")),
    )
    .await;
    check(
        &client,
        "overlapping candidates of a view with several roots are patched once",
        "<p>A</p><p>A</p><p>A</p>",
        vec![view_patch(
            None,
            vec![el("p", &[], vec![text("A")]), el("p", &[], vec![text("A")])],
            vec![set_attr(&[1], "class", Some("second"))],
        )],
        r#"<p>A</p><p class="second">A</p><p>A</p>"#,
    )
    .await;
    assert_eq!(applied_matches(&client).await, [1]);
    check(
        &client,
        "holes match framework comments",
        r#"<div class="row"><!---->x<!----><span>s</span></div>"#,
        vec![view_patch(
            None,
            vec![el("div", &[("class", "row")], vec![hole(), el("span", &[], vec![text("s")])])],
            vec![set_text(&[0, 1, 0], "S")],
        )],
        r#"<div class="row"><!---->x<!----><span>S</span></div>"#,
    )
    .await;
}

#[tokio::test]
async fn component_children_are_patched_in_every_instance() {
    let Some(client) = ClientPage::start().await else { return };
    // What Leptos 0.8 renders for the App of DESIGN.md ("Patches and the client").
    let app = |after: &str, children: &str| {
        marked(
            "src-main.rs-16",
            &format!(
                r#"<main><p class="intro">Hello <b>world</b></p>3<!>{after}{}<ul>{}<!></ul></main>"#,
                marked(
                    "src-main.rs-5",
                    &format!(r#"<div class="card"><h2>T</h2><span>{children}</span></div>"#)
                ),
                marked("src-main.rs-24", "<li>item <!>0</li>"),
            ),
        )
    };
    let template = vec![el(
        "main",
        &[],
        vec![
            el("p", &[("class", "intro")], vec![text("Hello "), el("b", &[], vec![text("world")])]),
            hole(),
            text(" static after"),
            component("Card", vec![el("span", &[], vec![text("inside children")])]),
            el("ul", &[], vec![hole()]),
        ],
    )];
    check(
        &client,
        "children of a component inside the view's markers",
        &app(" static after", "inside children"),
        vec![view_patch(
            Some("src-main.rs-16"),
            template,
            vec![set_text(&[0, 3, 0, 0], "children changed"), set_text(&[0, 2], " static changed")],
        )],
        &app(" static changed", "children changed"),
    )
    .await;

    let list = |label: &str, class: &str| {
        marked(
            "src-app.rs-9",
            &format!(r#"<ul><li{class}>{label}<!>1</li><li{class}>{label}<!>2</li><!></ul>"#),
        )
    };
    check(
        &client,
        "children rendered once per item (<For let:x>)",
        &list("x: ", ""),
        vec![view_patch(
            Some("src-app.rs-9"),
            vec![el("ul", &[], vec![component("For", vec![el("li", &[], vec![text("x: "), hole()])])])],
            vec![set_text(&[0, 0, 0, 0], "y: "), set_attr(&[0, 0, 0], "class", Some("row"))],
        )],
        &list("y: ", r#" class="row""#),
    )
    .await;

    let bar = |label: &str| {
        marked(
            "src-app.rs-9",
            &format!(
                r#"<div class="bar">{}</div>"#,
                marked("src-button.rs-4", &format!(r#"<button class="btn">{label}</button>"#))
            ),
        )
    };
    check(
        &client,
        "text-only children",
        &bar("Click me"),
        vec![view_patch(
            Some("src-app.rs-9"),
            vec![el("div", &[("class", "bar")], vec![component("Button", vec![text("Click me")])])],
            vec![set_text(&[0, 0, 0], "Press me")],
        )],
        &bar("Press me"),
    )
    .await;
}

#[tokio::test]
async fn listeners_and_framework_references_survive_a_patch() {
    let Some(client) = ClientPage::start().await else { return };
    let body = marked(
        "src-app.rs-3",
        r#"<div class="counter"><p>Clicks: <!>0</p><button id="inc">Add one</button></div>"#,
    );
    // Stands in for hydration: a listener and references to the nodes, as a framework keeps them.
    let tail = r#"<script>
        const p = document.querySelector('.counter p');
        const count = p.lastChild;
        const button = document.getElementById('inc');
        window.__clicks = 0;
        button.addEventListener('click', () => { window.__clicks++; count.data = String(window.__clicks) });
        window.__nodes = { p, count, button };
    </script>"#;
    client.load_page(PageParts { body: &body, tail, ..PageParts::default() }).await;
    client.page.click("#inc").await.unwrap();
    let template = vec![el(
        "div",
        &[("class", "counter")],
        vec![
            el("p", &[], vec![text("Clicks: "), hole()]),
            el("button", &[("id", "inc")], vec![text("Add one")]),
        ],
    )];
    client
        .send(&patch_message(vec![view_patch(
            Some("src-app.rs-3"),
            template,
            vec![
                set_text(&[0, 0, 0], "Count: "),
                set_text(&[0, 1, 0], "Increment"),
                set_attr(&[0, 1], "title", Some("add one")),
            ],
        )]))
        .await;
    client.page.click("#inc").await.unwrap();
    let after = marked(
        "src-app.rs-3",
        r#"<div class="counter"><p>Count: <!>2</p><button id="inc" title="add one">Increment</button></div>"#,
    );
    client.assert_app(&after, "after two clicks").await;
    let same_nodes = "__nodes.p === document.querySelector('.counter p') && __nodes.button === document.getElementById('inc') \
                      && __nodes.count.parentNode === __nodes.p && window.__clicks === 2";
    assert_eq!(client.page.eval(same_nodes).await.unwrap(), json!(true));
    client.assert_not_reloaded().await;
}

#[tokio::test]
async fn a_patch_that_cannot_be_applied_changes_nothing_and_is_reported() {
    let Some(client) = ClientPage::start().await else { return };
    // A view with no match is not on the page: kept, not failed (see `finding.rs`).
    let cases = [
        (
            "an op that would remove dynamic content, after a good one",
            marked("src-app.rs-3", "<div><p>A</p>x<!></div>"),
            view_patch(
                Some("src-app.rs-3"),
                vec![el("div", &[], vec![el("p", &[], vec![text("A")]), hole()])],
                vec![set_text(&[0, 0, 0], "B"), remove(&[0, 1])],
            ),
            "dynamic content",
        ),
        (
            "a marked instance that does not match the old template",
            format!("{}<p>Hello</p>", marked("src-app.rs-3", "<p>Other</p>")),
            view_patch(
                Some("src-app.rs-3"),
                vec![el("p", &[], vec![text("Hello")])],
                vec![set_text(&[0, 0], "Hi")],
            ),
            "no longer match",
        ),
        (
            "a path that leads nowhere",
            marked("src-app.rs-3", "<p>A</p>"),
            view_patch(
                Some("src-app.rs-3"),
                vec![el("p", &[], vec![text("A")])],
                vec![set_text(&[0, 3], "B")],
            ),
            "is not text",
        ),
    ];
    for (name, before, patch, reason) in cases {
        client.load(&before).await;
        client.send(&patch_message(vec![patch])).await;
        client.assert_app(&before, &format!("{name}: the page changed")).await;
        let failure = client.state().await["lastFailure"].clone();
        assert_eq!(failure["view_id"], "src/app.rs::App#0", "{name}");
        assert_eq!(failure["version"], 1, "{name}");
        assert!(failure["reason"].as_str().unwrap().contains(reason), "{name}: {failure}");
        let sent = client.sent("patch-failed").await;
        assert_eq!(
            sent,
            [
                json!({ "type": "patch-failed", "view_id": "src/app.rs::App#0", "version": 1, "reason": failure["reason"] })
            ]
        );
        assert!(client.sent("patch-applied").await.is_empty(), "{name}");
        assert_eq!(client.page.eval("window.__devserve.applied()").await.unwrap(), 0, "{name}");
    }
}

#[tokio::test]
async fn patches_apply_once_in_order_and_the_new_template_is_kept() {
    let Some(client) = ClientPage::start().await else { return };
    let body = marked("src-app.rs-3", "<p>Hello</p>");
    let p = |t: &str| vec![el("p", &[], vec![text(t)])];
    let versioned = |version: u64, old: &str, new: &str| {
        let mut patch = view_patch(Some("src-app.rs-3"), p(old), vec![set_text(&[0, 0], new)]);
        patch["version"] = json!(version);
        patch
    };

    // HTML served by a build that already holds patch 2: replayed patches up to 2 are skipped.
    client.load_page(PageParts { body: &body, applied_version: 2, ..PageParts::default() }).await;
    client.send(&patch_message(vec![versioned(2, "Hello", "Skipped")])).await;
    client.assert_app(&body, "a patch the page already has").await;
    client.send(&patch_message(vec![versioned(3, "Hello", "Hi")])).await;
    client.assert_app(&marked("src-app.rs-3", "<p>Hi</p>"), "a newer patch").await;
    assert_eq!(client.page.eval("window.__devserve.applied()").await.unwrap(), 3);

    // A chain of patches to one view, and a replay of the first: applied once each, in order.
    client.load(&body).await;
    let first = versioned(1, "Hello", "Hi");
    client.send(&patch_message(vec![first.clone(), versioned(2, "Hi", "Hey")])).await;
    client.send(&patch_message(vec![first])).await;
    client.assert_app(&marked("src-app.rs-3", "<p>Hey</p>"), "a chain of patches").await;
    let state = client.state().await;
    assert_eq!(state["views"]["src/app.rs::App#0"]["template"], json!(p("Hey")));
    assert_eq!(state["appliedVersion"], 2);
    assert_eq!(state["lastFailure"], Value::Null);
    assert_eq!(applied_matches(&client).await, [1, 1]);
    client.assert_not_reloaded().await;
}

#[tokio::test]
async fn client_rendered_instances_are_patched_even_later_and_others_are_left_alone() {
    let Some(client) = ClientPage::start().await else { return };
    let item =
        |label: &str, i: usize| marked("src-app.rs-9", &format!(r#"<li class="item">{label}<!>{i}</li>"#));
    let body = format!(
        r#"{}<div id="elsewhere"><li class="item">item <!>9</li></div>"#,
        marked("src-app.rs-3", &format!(r#"<ul id="list">{}<!></ul>"#, item("item ", 0)))
    );
    // The page's own code renders an unmarked instance of the view, as a hydrated app does (in a
    // module script, which runs once the HTML is parsed).
    let tail = r#"<script type="module">
        window.renderItem = (i) => {
            const li = document.createElement('li');
            li.className = 'item';
            li.append('item ', document.createComment(''), String(i));
            const list = document.getElementById('list');
            list.insertBefore(li, list.lastChild);
        };
        renderItem(1);
    </script>"#;
    client.load_page(PageParts { body: &body, tail, ..PageParts::default() }).await;
    let template = vec![el("li", &[("class", "item")], vec![text("item "), hole()])];
    client
        .send(&patch_message(vec![view_patch(
            Some("src-app.rs-9"),
            template,
            vec![set_text(&[0, 0], "entry ")],
        )]))
        .await;
    assert_eq!(applied_matches(&client).await, [2], "the marked and the client-rendered instance");

    client.page.exec("renderItem(2); return null;", vec![]).await.unwrap();
    client
        .page
        .wait_for("document.querySelector('#list li:nth-of-type(3)').firstChild.data === 'entry '", WAIT)
        .await
        .unwrap();
    let expected = format!(
        r#"{}<div id="elsewhere"><li class="item">item <!>9</li></div>"#,
        marked(
            "src-app.rs-3",
            &format!(
                r#"<ul id="list">{}<li class="item">entry <!---->1</li><li class="item">entry <!---->2</li><!></ul>"#,
                item("entry ", 0)
            )
        )
    );
    client.assert_app(&expected, "the server-rendered look-alike without markers is left alone").await;

    // The observer does not feed on its own mutations.
    let passes = client.state().await["observerPasses"].clone();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(client.state().await["observerPasses"], passes);
    assert!(passes.as_u64().unwrap() <= 2, "{passes} passes for one render");
    client.assert_not_reloaded().await;
}

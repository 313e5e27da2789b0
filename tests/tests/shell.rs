//! Edits in the document shell (`<html>`, `<head>`, `<body>` of the example's `shell` view) patch
//! the open page without a reload: `<title>`, `<meta>`, stylesheet and icon `<link>`s,
//! `<html lang>` and `<body>` attributes. leptos_meta's components (`<Title/>`, `<Meta/>`,
//! `<Stylesheet/>`) are components: a change to their props is a rebuild, never a patch.

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions, EXAMPLE_HYDRATE, Page, workspace_root};
use devserve_view::Change;
use serde_json::{Value, json};

/// How long a hot patch may take to show.
const PATCH: Duration = Duration::from_secs(10);
/// How long a background build may take.
const BUILD: Duration = Duration::from_secs(6 * 60);
/// How long to watch for a reload that must not happen.
const SETTLE: Duration = Duration::from_millis(1500);

const APP: &str = "src/app.rs";
const TYPED: &str = "typed before the edit";

/// Stylesheets the shell links in the test (written into the app before devserve starts).
const EXTRA_CSS: &str = "#footer { letter-spacing: 3px; }";
const OTHER_CSS: &str = "#footer { letter-spacing: 5px; }";
const FOOTER_SPACING: &str = "getComputedStyle(document.getElementById('footer')).letterSpacing";

/// devserve on the example and a tab showing its home page, typed into and marked.
struct Shell {
    page: Page,
    app: DevserveApp,
    _browser: Browser,
    saves: usize,
}

impl Shell {
    async fn start() -> Option<Self> {
        let browser = Browser::start_or_skip().await?;
        let files = vec![
            ("style/extra.css".to_owned(), EXTRA_CSS.to_owned()),
            ("style/other.css".to_owned(), OTHER_CSS.to_owned()),
        ];
        let app = DevserveApp::start(DevserveOptions { files, ..DevserveOptions::default() }).await.unwrap();
        let page = browser.page().await.unwrap();
        app.open(&page, "/").await.unwrap();
        page.type_text("#name-input", TYPED).await.unwrap();
        Some(Self { page, app, _browser: browser, saves: 0 })
    }

    /// Save `from` -> `to` in the shell, wait until `probe` reads `expected`, and check the page
    /// was patched (one patch per save, applied to one place), not reloaded.
    async fn edit(&mut self, what: &str, (from, to): (&str, &str), probe: &str, expected: Value) {
        self.app.edit(APP, from, to).unwrap();
        self.saves += 1;
        self.app.wait_for_log_count("src/app.rs: patched 1 view(s)", self.saves, PATCH).await.unwrap();
        self.wait_value(probe, &expected, PATCH).await;
        self.assert_kept(what).await;
        let applied =
            "window.__devserve.state().sent.filter((m) => m.type === 'patch-applied').map((m) => m.matches)";
        let applied = self.page.eval(applied).await.unwrap();
        assert_eq!(applied, json!(vec![1; self.saves]), "{what}: every patch applied to the shell once");
    }

    async fn wait_value(&self, expr: &str, expected: &Value, timeout: Duration) {
        let start = std::time::Instant::now();
        loop {
            let value = self.page.eval(expr).await.unwrap();
            if value == *expected {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "after {timeout:?}, `{expr}` is {value}, not {expected}\n--- devserve ---\n{}",
                self.app.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn assert_kept(&self, context: &str) {
        let log = self.app.log();
        assert!(self.page.same_document().await.unwrap(), "{context}: the page was reloaded\n{log}");
        let typed = self.page.eval("document.getElementById('name-input').value").await.unwrap();
        assert_eq!(typed, TYPED, "{context}: the typed text is gone");
        let failures = self.page.eval("window.__devserve.state().failures").await.unwrap();
        assert_eq!(failures, json!([]), "{context}: the page could not patch\n{log}");
        assert!(!log.contains("could not apply patch"), "{context}: a page reported a failed patch\n{log}");
        assert_eq!(self.app.count_log("rebuild:"), 0, "{context}: a static edit rebuilt\n{log}");
    }

    /// Wait until the background build after the last save has landed (the app restarted, or kept
    /// running when the sources are back to what it was built from), then check that nothing was
    /// reloaded and that the app serves `served`.
    async fn assert_quiet_build(&self, served: &[&str]) -> String {
        let start = std::time::Instant::now();
        loop {
            let log = self.app.log();
            let last_save = log.rfind("src/app.rs: patched").unwrap_or(0);
            let after = &log[last_save..];
            let up = after.contains("app restarted in") || after.contains("binary unchanged");
            if after.contains(" finished in ") && up {
                break;
            }
            assert!(start.elapsed() < BUILD, "no build landed after the last save:\n{log}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(SETTLE).await;
        self.assert_kept("after the background build").await;
        let fetch = "return fetch('/', { cache: 'no-store' }).then((r) => r.text());";
        let html = self.page.exec(fetch, Vec::new()).await.unwrap().as_str().unwrap().to_owned();
        for needle in served {
            assert!(html.contains(needle), "the app does not serve {needle:?}:\n{html}");
        }
        html
    }
}

#[tokio::test]
async fn title_text_is_patched() {
    let Some(mut shell) = Shell::start().await else { return };
    assert_eq!(shell.page.eval("document.title").await.unwrap(), json!("devserve example"));
    let title = (r#"<title>"devserve example"</title>"#, r#"<title>"devserve, patched"</title>"#);
    shell.edit("<title>", title, "document.title", json!("devserve, patched")).await;
    shell.assert_quiet_build(&["<title>devserve, patched</title>"]).await;
    // The build moved the baseline: the next edit patches against it.
    let again = (r#"<title>"devserve, patched"</title>"#, r#"<title>"devserve, again"</title>"#);
    shell.edit("<title> after the build", again, "document.title", json!("devserve, again")).await;
    shell.app.stop().await.unwrap();
}

#[tokio::test]
async fn meta_tags_are_edited_added_and_removed() {
    let Some(mut shell) = Shell::start().await else { return };
    let viewport = "document.querySelector('meta[name=viewport]')?.content ?? null";
    let description = "[...document.querySelectorAll('meta[name=description]')].map((m) => m.content)";
    shell
        .edit(
            "a meta edited",
            (
                r#"content="width=device-width, initial-scale=1""#,
                r#"content="width=device-width, initial-scale=2""#,
            ),
            viewport,
            json!("width=device-width, initial-scale=2"),
        )
        .await;
    shell
        .edit(
            "a meta added",
            (
                r#"<title>"devserve example"</title>"#,
                r#"<title>"devserve example"</title> <meta name="description" content="An example"/>"#,
            ),
            description,
            json!(["An example"]),
        )
        .await;
    shell
        .edit(
            "the added meta edited",
            (r#"content="An example""#, r#"content="The example""#),
            description,
            json!(["The example"]),
        )
        .await;
    shell
        .edit(
            "a meta removed",
            (r#"<meta name="viewport" content="width=device-width, initial-scale=2"/>"#, ""),
            viewport,
            Value::Null,
        )
        .await;
    let order = "[...document.head.children].map((e) => e.getAttribute('name') ?? e.localName).join(' ')";
    assert_eq!(shell.page.eval(order).await.unwrap(), json!("meta title description link script"));
    let served = shell.assert_quiet_build(&[r#"<meta name="description" content="The example">"#]).await;
    assert!(!served.contains("viewport"), "{served}");
    shell.app.stop().await.unwrap();
}

#[tokio::test]
async fn stylesheet_and_icon_links_are_added_changed_and_removed() {
    let Some(mut shell) = Shell::start().await else { return };
    let main_applies = "getComputedStyle(document.body).maxWidth";
    assert_eq!(shell.page.eval(main_applies).await.unwrap(), json!("640px"));
    assert_eq!(shell.page.eval(FOOTER_SPACING).await.unwrap(), json!("normal"));
    let main_link = r#"<link rel="stylesheet" href="/style/main.css"/>"#;
    shell
        .edit(
            "a stylesheet added: it loads and applies",
            (main_link, &format!(r#"{main_link} <link rel="stylesheet" href="/style/extra.css"/>"#)),
            FOOTER_SPACING,
            json!("3px"),
        )
        .await;
    // Watch the footer while the href changes: the old sheet applies until the new one has
    // loaded (never unstyled in between).
    let watch = format!(
        "window.__spacings = []; (function poll() {{ window.__spacings.push({FOOTER_SPACING}); \
         if (window.__spacings.length < 2000) requestAnimationFrame(poll) }})(); return null;"
    );
    shell.page.exec(&watch, Vec::new()).await.unwrap();
    shell
        .edit(
            "a stylesheet's href changed",
            (r#"href="/style/extra.css""#, r#"href="/style/other.css""#),
            FOOTER_SPACING,
            json!("5px"),
        )
        .await;
    let seen = shell.page.eval("[...new Set(window.__spacings)]").await.unwrap();
    assert!(!seen.as_array().unwrap().contains(&json!("normal")), "unstyled in between: {seen}");
    shell
        .edit(
            "a stylesheet removed",
            (r#" <link rel="stylesheet" href="/style/other.css"/>"#, ""),
            FOOTER_SPACING,
            json!("normal"),
        )
        .await;
    assert_eq!(shell.page.eval(main_applies).await.unwrap(), json!("640px"), "main.css still applies");

    let icon = "[...document.querySelectorAll('link[rel=icon]')].map((l) => l.getAttribute('href'))";
    shell
        .edit(
            "an icon added",
            (main_link, &format!(r#"{main_link} <link rel="icon" href="/style/icon-a.svg"/>"#)),
            icon,
            json!(["/style/icon-a.svg"]),
        )
        .await;
    shell
        .edit(
            "an icon's href changed",
            (r#"href="/style/icon-a.svg""#, r#"href="/style/icon-b.svg""#),
            icon,
            json!(["/style/icon-b.svg"]),
        )
        .await;
    shell
        .edit("an icon removed", (r#" <link rel="icon" href="/style/icon-b.svg"/>"#, ""), icon, json!([]))
        .await;
    let links = "document.querySelectorAll('link').length";
    assert_eq!(shell.page.eval(links).await.unwrap(), json!(1), "only main.css is linked");
    let served = shell.assert_quiet_build(&[r#"<link rel="stylesheet" href="/style/main.css">"#]).await;
    assert_eq!(served.matches("<link").count(), 1, "{served}");
    shell.app.stop().await.unwrap();
}

#[tokio::test]
async fn html_lang_and_body_attributes_are_patched() {
    let Some(mut shell) = Shell::start().await else { return };
    let lang = "document.documentElement.lang";
    shell.edit("<html lang>", (r#"<html lang="en">"#, r#"<html lang="fr">"#), lang, json!("fr")).await;
    let body = "[document.body.className, document.body.dataset.theme ?? null]";
    shell
        .edit("a <body> attribute added", ("<body>", r#"<body class="shell">"#), body, json!(["shell", null]))
        .await;
    shell
        .edit(
            "a <body> attribute edited, another added",
            (r#"<body class="shell">"#, r#"<body class="shell dark" data-theme="night">"#),
            body,
            json!(["shell dark", "night"]),
        )
        .await;
    // Leptos renders `class` after the other attributes.
    let served = [r#"<html lang="fr">"#, r#"<body data-theme="night" class="shell dark">"#];
    shell.assert_quiet_build(&served).await;
    shell.app.stop().await.unwrap();
}

/// leptos_meta's `<Title/>`, `<Meta/>` and `<Stylesheet/>` (in the hydrated example) are
/// components: changing their props changes code, so it rebuilds; static edits in a shell whose
/// `<head>` holds components (`<AutoReload/>`, `<HydrationScripts/>`, `<MetaTags/>`) patch.
#[test]
fn leptos_meta_props_rebuild_and_static_shell_edits_patch() {
    let path = workspace_root().join("examples/leptos-hydrate/src/app.rs");
    let source = std::fs::read_to_string(&path).unwrap();
    let built = devserve_view::extract("src/app.rs", &source);
    let classify = |from: &str, to: &str| {
        assert_eq!(source.matches(from).count(), 1, "{from}");
        devserve_view::classify(&built, &source.replacen(from, to, 1))
    };
    for (from, to) in [
        (r#"<Title text="devserve hydrated example"/>"#, r#"<Title text="devserve, edited"/>"#),
        (r#"<Title text="Home | devserve hydrated example"/>"#, r#"<Title text="Home"/>"#),
        (
            r#"<Stylesheet id="leptos" href="/pkg/leptos_hydrate.css"/>"#,
            r#"<Stylesheet id="leptos" href="/pkg/other.css"/>"#,
        ),
        (
            r#"<Title text="devserve hydrated example"/>"#,
            r#"<Title text="devserve hydrated example"/> <Meta name="description" content="An example"/>"#,
        ),
    ] {
        assert!(matches!(classify(from, to), Change::Rebuild(_)), "{to}: {:?}", classify(from, to));
    }
    for (from, to) in [
        (r#"<html lang="en">"#, r#"<html lang="de">"#),
        (r#"<link rel="icon" href="/favicon.ico"/>"#, r#"<link rel="icon" href="/icon.svg"/>"#),
        (
            r#"<meta charset="utf-8"/>"#,
            r#"<meta charset="utf-8"/> <meta name="description" content="An example"/>"#,
        ),
    ] {
        let change = classify(from, to);
        let Change::Patch(patches) = &change else { panic!("{to}: {change:?}") };
        assert_eq!(patches.len(), 1, "{to}: {patches:?}");
        assert_eq!(patches[0].view_id, "src/app.rs::shell#0", "{to}");
    }
}

/// The hydrated example: shell patches (in `<html>`, `<head>` and `<body>`'s attributes) wait for
/// hydration and leave it alone, in the open tab and in a tab opened later (served by the old
/// binary, the build held back, the patches replayed).
#[tokio::test]
async fn shell_patches_leave_hydration_alone() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let options = DevserveOptions {
        example: EXAMPLE_HYDRATE,
        startup_timeout: Duration::from_secs(30 * 60),
        ..DevserveOptions::with_args(&["--build-debounce", "60000"])
    };
    let app = DevserveApp::start(options).await.unwrap();
    let hydrated = |page: &Page| {
        let page = page.clone();
        async move {
            page.wait_for("window.__devserve && window.__devserve.state().hydrated", BUILD).await.unwrap();
        }
    };
    let count = |page: &Page, n: u32| {
        let page = page.clone();
        async move {
            page.click("#counter").await.unwrap();
            let expr = format!("document.getElementById('counter').textContent === 'Count: {n}'");
            page.wait_for(&expr, PATCH).await.unwrap();
        }
    };
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    hydrated(&page).await;
    count(&page, 1).await;

    let icon = r#"<link rel="icon" href="/favicon.ico"/>"#;
    for (i, (from, to)) in [
        (r#"<html lang="en">"#, r#"<html lang="de">"#),
        (icon, r#"<link rel="icon" href="/icon.svg"/> <meta name="description" content="Hydrated"/>"#),
        ("<body>\n", "<body class=\"shell-patched\">\n"),
    ]
    .into_iter()
    .enumerate()
    {
        app.edit("src/app.rs", from, to).unwrap();
        app.wait_for_log_count("src/app.rs: patched 1 view(s)", i + 1, PATCH).await.unwrap();
    }
    let probe = "[document.documentElement.lang, document.querySelector('link[rel=icon]').getAttribute('href'), \
                 document.querySelector('meta[name=description]')?.content ?? null, document.body.className].join(' ')";
    let expected = "de /icon.svg Hydrated shell-patched";
    for (name, tab) in [("the open tab", page.clone()), ("a tab opened later", page.new_tab().await.unwrap())]
    {
        if name != "the open tab" {
            app.open(&tab, "/").await.unwrap();
            hydrated(&tab).await;
        }
        tab.wait_for(&format!("({probe}) === '{expected}'"), PATCH).await.unwrap();
        count(&tab, if name == "the open tab" { 2 } else { 1 }).await;
        assert!(tab.same_document().await.unwrap(), "{name}: reloaded\n{}", app.log());
        let failures = tab.eval("window.__devserve.state().failures").await.unwrap();
        assert_eq!(failures, json!([]), "{name}\n{}", app.log());
    }
    let log = app.log();
    assert_eq!(log.matches("src/app.rs: patched 1 view(s)").count(), 3, "{log}");
    let console: Vec<&str> = log.lines().filter(|line| line.contains("[browser ")).collect();
    assert!(console.is_empty(), "the browser console reported:\n{}", console.join("\n"));
    assert!(!log.contains("could not apply patch"), "{log}");
    drop(page);
    app.stop().await.unwrap();
}

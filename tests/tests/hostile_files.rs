//! Files that are not what devserve expects never stop it (issue 10, item 9): a 10 MB source, a
//! file that is not UTF-8, a file replaced by a folder, and a `view!` nested 500 elements deep.
//! (An unreadable file is not among them: the tests run as root in CI, where permissions do not
//! stop a read.) After each, devserve still runs and the next ordinary edit is patched into
//! the open page without a reload.

use std::time::Duration;

use devserve_e2e::{Browser, DevserveApp, DevserveOptions};
use serde_json::json;

/// One hostile thing done to the app's folder.
type Step = Box<dyn Fn(&DevserveApp)>;

/// How long a patch may take to show.
const PATCH: Duration = Duration::from_secs(10);

#[tokio::test]
async fn hostile_files_do_not_stop_devserve() {
    let Some(browser) = Browser::start_or_skip().await else { return };
    let app = DevserveApp::start(DevserveOptions::default()).await.unwrap();
    let page = browser.page().await.unwrap();
    app.open(&page, "/").await.unwrap();
    let title = "document.getElementById('title').textContent";

    // Not modules of the crate: the build is not affected, the watcher and parser are.
    let deep = {
        let open = "<div>".repeat(500);
        let close = "</div>".repeat(500);
        format!("fn deep() -> impl IntoView {{\n    view! {{ {open}\"deep\"{close} }}\n}}\n")
    };
    let huge =
        format!("// a big generated file\n{}", "const X: &str = \"0123456789abcdef\";\n".repeat(300_000));
    assert!(huge.len() > 10_000_000);
    let steps: Vec<(&str, Step)> = vec![
        ("a 10 MB file", Box::new(move |app| app.write("src/huge.rs", &huge).unwrap())),
        (
            "a file that is not UTF-8",
            Box::new(|app| std::fs::write(app.path("src/latin1.rs"), b"// caf\xe9\nfn f() {}\n").unwrap()),
        ),
        (
            "a file replaced by a folder",
            Box::new(|app| {
                let path = app.path("src/folder.rs");
                std::fs::write(&path, "fn folder() {}\n").unwrap();
                std::thread::sleep(Duration::from_millis(300));
                std::fs::remove_file(&path).unwrap();
                std::fs::create_dir(&path).unwrap();
                std::fs::write(path.join("inner.rs"), "fn inner() {}\n").unwrap();
            }),
        ),
        ("a view nested 500 deep", Box::new(move |app| app.write("src/deep.rs", &deep).unwrap())),
    ];
    let texts = ["Hello, one", "Hello, two", "Hello, three", "Hello, four"];
    let mut previous = r#""Hello from Leptos""#.to_owned();
    for ((what, step), text) in steps.iter().zip(texts) {
        step(&app);
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.assert_running().unwrap_or_else(|e| panic!("after {what}: {e}"));
        let next = format!("\"{text}\"");
        app.edit("src/components.rs", &previous, &next).unwrap();
        previous = next;
        let start = std::time::Instant::now();
        while page.eval(title).await.unwrap() != json!(text) {
            assert!(start.elapsed() < PATCH, "after {what}, an edit was not patched:\n{}", app.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(page.same_document().await.unwrap(), "after {what}, the page was reloaded:\n{}", app.log());
    }
    drop(page);
    app.stop().await.unwrap();
}

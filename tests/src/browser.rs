//! Headless Chromium driven over WebDriver (chromedriver + fantoccini).

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MouseActions, PointerAction,
};
use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::{ChildGroup, HarnessError, Result, free_port};

/// Where Debian puts the browser; `DEVSERVE_E2E_CHROMIUM` overrides it.
const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian puts the driver; `DEVSERVE_E2E_CHROMEDRIVER` overrides it.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process. Each [`Browser::page`] is a new headless Chromium with a fresh
/// profile; everything is killed when the `Browser` is dropped.
#[derive(Debug)]
pub struct Browser {
    // Field order matters: the driver (and the browsers it started) die before the profiles
    // are deleted.
    driver: ChildGroup,
    url: String,
    chromium: PathBuf,
    profiles: Mutex<Vec<tempfile::TempDir>>,
}

impl Browser {
    /// Start chromedriver. Fails with [`HarnessError::Missing`] when chromium or chromedriver
    /// is not installed.
    pub async fn start() -> Result<Self> {
        let chromium = program("DEVSERVE_E2E_CHROMIUM", CHROMIUM)?;
        let chromedriver = program("DEVSERVE_E2E_CHROMEDRIVER", CHROMEDRIVER)?;
        let port = free_port()?;
        let mut driver =
            ChildGroup::spawn("chromedriver", Command::new(chromedriver).arg(format!("--port={port}")))?;
        driver.wait_for_output("started successfully", Duration::from_secs(20)).await?;
        let url = format!("http://127.0.0.1:{port}");
        Ok(Self { driver, url, chromium, profiles: Mutex::default() })
    }

    /// [`Browser::start`]. A missing browser fails the test with the install command, unless
    /// `DEVSERVE_TESTS_ALLOW_SKIP` is set: then the skip is announced and counted
    /// ([`devserve_skip`]) and this returns `None`. Any other failure panics.
    pub async fn start_or_skip() -> Option<Self> {
        match Self::start().await {
            Ok(browser) => Some(browser),
            Err(HarnessError::Missing(reason)) => {
                devserve_skip::cannot_run(
                    &current_test(),
                    &reason,
                    "apt-get install chromium chromium-driver",
                );
                None
            }
            Err(err) => panic!("could not start the browser: {err}"),
        }
    }

    /// Open a new headless Chromium (one WebDriver session) showing `about:blank`.
    pub async fn page(&self) -> Result<Page> {
        let profile = tempfile::Builder::new()
            .prefix("devserve-e2e-chromium-")
            .tempdir()
            .map_err(|e| HarnessError::io("create a chromium profile", e))?;
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let options = json!({ "binary": self.chromium, "args": args });
        let capabilities = [("goog:chromeOptions".to_string(), options)].into_iter().collect();
        let client =
            ClientBuilder::new(HttpConnector::new()).capabilities(capabilities).connect(&self.url).await?;
        self.profiles.lock().unwrap_or_else(|e| e.into_inner()).push(profile);
        let handle = client.window().await?;
        let session = Arc::new(Session { client, current: tokio::sync::Mutex::new(handle.clone()) });
        Ok(Page { session, handle })
    }

    /// chromedriver's output so far.
    pub fn driver_output(&self) -> String {
        self.driver.output()
    }
}

fn program(env: &str, default: &str) -> Result<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if path.exists() {
        Ok(path)
    } else {
        Err(HarnessError::Missing(format!(
            "{} not found (apt install chromium chromium-driver)",
            path.display()
        )))
    }
}

/// One WebDriver session: a browser whose tabs share one command channel.
#[derive(Debug)]
struct Session {
    client: Client,
    /// The tab WebDriver commands go to; locked for the whole of a command, so tabs can be
    /// driven from concurrent tasks.
    current: tokio::sync::Mutex<WindowHandle>,
}

/// One browser tab.
#[derive(Debug, Clone)]
pub struct Page {
    session: Arc<Session>,
    handle: WindowHandle,
}

impl Page {
    /// Run `f` with WebDriver switched to this tab.
    async fn with<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let mut current = self.session.current.lock().await;
        if *current != self.handle {
            self.session.client.switch_to_window(self.handle.clone()).await?;
            *current = self.handle.clone();
        }
        Ok(f(self.session.client.clone()).await?)
    }

    /// Open another tab in the same browser.
    pub async fn new_tab(&self) -> Result<Page> {
        let window = self.with(|client| async move { client.new_window(true).await }).await?;
        Ok(Page { session: self.session.clone(), handle: window.handle })
    }

    /// Navigate and wait for the load event.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.with(|client| async move { client.goto(url).await }).await
    }

    /// Run a function body (`return ...;` gives the result; `arguments[i]` are `args`).
    pub async fn exec(&self, body: &str, args: Vec<Value>) -> Result<Value> {
        self.with(|client| async move { client.execute(body, args).await }).await
    }

    /// Evaluate a JavaScript expression and return its value as JSON.
    pub async fn eval(&self, expr: &str) -> Result<Value> {
        self.exec(&format!("return ({expr});"), Vec::new()).await
    }

    /// Poll a JavaScript expression every 20 ms until it is truthy; returns its value.
    pub async fn wait_for(&self, expr: &str, timeout: Duration) -> Result<Value> {
        let start = Instant::now();
        loop {
            let value = self.eval(expr).await?;
            if truthy(&value) {
                return Ok(value);
            }
            if start.elapsed() > timeout {
                return Err(HarnessError::Timeout { what: expr.into(), timeout, last: value.to_string() });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Click the first element matching a CSS selector, as a user would (real input events).
    pub async fn click(&self, css: &str) -> Result<()> {
        self.with(|client| async move { client.find(Locator::Css(css)).await?.click().await }).await
    }

    /// Click at a point of the viewport (CSS pixels from its top-left corner), whatever is there.
    pub async fn click_at(&self, x: f64, y: f64) -> Result<()> {
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo { duration: None, x, y })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        self.with(|client| async move { client.perform_actions(mouse).await }).await
    }

    /// Type into the first element matching a CSS selector.
    pub async fn type_text(&self, css: &str, text: &str) -> Result<()> {
        self.with(|client| async move { client.find(Locator::Css(css)).await?.send_keys(text).await }).await
    }

    /// Press and release one key (`fantoccini::key::Key::Escape.into()` for special keys) on
    /// whatever has focus.
    pub async fn press(&self, key: char) -> Result<()> {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.with(|client| async move { client.perform_actions(keys).await }).await
    }

    /// Mark the current document, for [`Page::same_document`].
    pub async fn mark(&self) -> Result<()> {
        self.exec("window.__devserve_e2e_mark = 'kept'; return null;", Vec::new()).await.map(drop)
    }

    /// Whether the document marked by [`Page::mark`] is still the one shown (no reload).
    pub async fn same_document(&self) -> Result<bool> {
        Ok(self.eval("window.__devserve_e2e_mark === 'kept'").await? == Value::Bool(true))
    }

    /// The WebDriver client, switched to this tab, for anything the helpers above lack.
    pub async fn client(&self) -> Result<Client> {
        self.with(|client| async move { Ok(client) }).await
    }
}

/// JavaScript truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The running test's name (libtest names its thread after it), for skip messages.
fn current_test() -> String {
    std::thread::current().name().unwrap_or("a browser test").to_owned()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_javascript() {
        for (value, expected) in [
            (json!(null), false),
            (json!(false), false),
            (json!(0), false),
            (json!(""), false),
            (json!(true), true),
            (json!(1), true),
            (json!("x"), true),
            (json!([]), true),
            (json!({}), true),
        ] {
            assert_eq!(truthy(&value), expected, "{value}");
        }
    }
}

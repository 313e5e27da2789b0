//! The harness's error type.

use std::time::Duration;

/// What can go wrong while setting up or driving a test.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A program the test needs is not installed (chromium, chromedriver). Tests skip on this.
    #[error("{0}")]
    Missing(String),
    /// A file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What the harness was doing.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// chromedriver refused to start a browser session.
    #[error("could not start a browser session: {0}")]
    Session(#[from] fantoccini::error::NewSessionError),
    /// A WebDriver command failed (a JavaScript exception included).
    #[error("webdriver: {0}")]
    WebDriver(#[from] fantoccini::error::CmdError),
    /// A condition did not become true in time.
    #[error("timed out after {timeout:?} waiting for {what}; last seen: {last}")]
    Timeout {
        /// The condition.
        what: String,
        /// How long the harness waited.
        timeout: Duration,
        /// The last value or output seen, for the failure message.
        last: String,
    },
    /// A child process failed or exited early.
    #[error("{0}")]
    Process(String),
}

impl HarnessError {
    /// An [`HarnessError::Io`] with context.
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io { what: what.into(), source }
    }
}

/// The harness's result type.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;

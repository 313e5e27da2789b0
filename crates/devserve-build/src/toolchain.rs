//! Rust toolchains as rustc and rustup describe them.

use serde::{Deserialize, Serialize};

/// A Rust toolchain that the probe looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toolchain {
    /// rustup's name (`stable-x86_64-unknown-linux-gnu`, `nightly-2025-12-01-x86_64-..`);
    /// `None` when rustc is not managed by rustup.
    pub name: Option<String>,
    /// `rustc -vV`'s `release` (`1.95.0`, `1.93.0-nightly`).
    pub release: String,
    /// `rustc -vV`'s `commit-date`.
    pub commit_date: Option<String>,
    /// The host target triple.
    pub host: String,
    /// The `rustc-codegen-cranelift` component is installed.
    pub cranelift_component: bool,
    /// Whether rustc's default linker on this host is its own bundled `rust-lld` (learned from
    /// the test binary, `None` before verification).
    pub default_linker_is_lld: Option<bool>,
    /// What pins this toolchain for the app (`/w/rust-toolchain.toml`, `environment variable
    /// RUSTUP_TOOLCHAIN`), as rustup says; `None` when it is merely rustup's default. A pinned
    /// toolchain is the only one the app is built with: Cranelift only if it has it.
    #[serde(default)]
    pub pinned_by: Option<String>,
}

impl Toolchain {
    /// rustup's name without the host suffix (`nightly-2025-12-01`), or the release.
    pub fn short_name(&self) -> String {
        match &self.name {
            Some(name) => name.strip_suffix(&format!("-{}", self.host)).unwrap_or(name).to_owned(),
            None => self.release.clone(),
        }
    }

    /// Whether this is a nightly (or locally built dev) toolchain.
    pub fn is_nightly(&self) -> bool {
        self.release.contains("-nightly") || self.release.contains("-dev")
    }
}

/// `rustc -vV` parsed: `(release, commit-date, host)`.
pub(crate) fn parse_rustc_version(text: &str) -> Option<(String, Option<String>, String)> {
    let field = |key: &str| {
        text.lines().find_map(|line| line.strip_prefix(key)?.strip_prefix(':').map(|v| v.trim().to_owned()))
    };
    Some((field("release")?, field("commit-date").filter(|d| d != "unknown"), field("host")?))
}

/// Toolchain names from `rustup toolchain list` (one per line, with `(active, default)` notes).
pub(crate) fn parse_toolchain_list(text: &str) -> Vec<String> {
    text.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect()
}

/// The name from `rustup show active-toolchain` (`stable-x86_64-.. (default)`).
pub(crate) fn parse_active_toolchain(text: &str) -> Option<String> {
    text.lines().next()?.split_whitespace().next().map(str::to_owned)
}

/// Whether the override rustup names is only `RUSTUP_TOOLCHAIN` as rustup's own proxies set it
/// for the programs they run (`cargo run`, `cargo test`): `RUSTUP_TOOLCHAIN_SOURCE` then says
/// where the proxy found it (`default`, `toolchain-file` of another folder), not `env`.
pub(crate) fn inherited_pin(pin: &str) -> bool {
    pin.contains("RUSTUP_TOOLCHAIN")
        && std::env::var("RUSTUP_TOOLCHAIN_SOURCE").is_ok_and(|source| source != "env")
}

/// What overrides rustup's default in `rustup show active-toolchain`'s output
/// (`nightly-.. (overridden by '/w/rust-toolchain.toml')` -> `/w/rust-toolchain.toml`).
pub(crate) fn parse_override(text: &str) -> Option<String> {
    let line = text.lines().next()?;
    let (_, rest) = line.split_once("overridden by ")?;
    let rest = rest.trim_end().trim_end_matches(')');
    Some(rest.trim_matches('\'').to_owned())
}

/// Whether `rustup component list --installed` lists the Cranelift backend (installed as
/// `rustc-codegen-cranelift-<host>`, requested as `rustc-codegen-cranelift-preview`).
pub(crate) fn lists_cranelift(text: &str) -> bool {
    text.lines().any(|line| line.trim().starts_with("rustc-codegen-cranelift"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rustc_version() {
        let text = "rustc 1.93.0-nightly (b84478a1c 2025-11-30)\nbinary: rustc\ncommit-hash: b84478a1c\n\
                    commit-date: 2025-11-30\nhost: x86_64-unknown-linux-gnu\nrelease: 1.93.0-nightly\n\
                    LLVM version: 21.1.5\n";
        let (release, date, host) = parse_rustc_version(text).unwrap();
        assert_eq!(
            (release.as_str(), date.as_deref(), host.as_str()),
            ("1.93.0-nightly", Some("2025-11-30"), "x86_64-unknown-linux-gnu")
        );
        assert_eq!(parse_rustc_version("garbage"), None);
    }

    #[test]
    fn parses_rustup_listings() {
        let list = "stable-x86_64-unknown-linux-gnu (active, default)\nnightly-x86_64-unknown-linux-gnu\n\
                    nightly-2025-12-01-x86_64-unknown-linux-gnu\n";
        assert_eq!(
            parse_toolchain_list(list),
            [
                "stable-x86_64-unknown-linux-gnu",
                "nightly-x86_64-unknown-linux-gnu",
                "nightly-2025-12-01-x86_64-unknown-linux-gnu"
            ]
        );
        let active = "nightly-2025-12-01-x86_64-unknown-linux-gnu (overridden by '/w/rust-toolchain.toml')\n";
        assert_eq!(
            parse_active_toolchain(active).as_deref(),
            Some("nightly-2025-12-01-x86_64-unknown-linux-gnu")
        );
        assert_eq!(parse_override(active).as_deref(), Some("/w/rust-toolchain.toml"));
        assert_eq!(
            parse_override(
                "stable-x86_64-unknown-linux-gnu (overridden by environment variable RUSTUP_TOOLCHAIN)\n"
            )
            .as_deref(),
            Some("environment variable RUSTUP_TOOLCHAIN")
        );
        assert_eq!(parse_override("stable-x86_64-unknown-linux-gnu (default)\n"), None);
        assert!(lists_cranelift(
            "cargo-x86_64-unknown-linux-gnu\nrustc-codegen-cranelift-x86_64-unknown-linux-gnu\n"
        ));
        assert!(!lists_cranelift("cargo-x86_64-unknown-linux-gnu\nrustc-x86_64-unknown-linux-gnu\n"));
    }

    #[test]
    fn names() {
        let tc = Toolchain {
            name: Some("nightly-2025-12-01-x86_64-unknown-linux-gnu".into()),
            release: "1.93.0-nightly".into(),
            commit_date: None,
            host: "x86_64-unknown-linux-gnu".into(),
            cranelift_component: true,
            default_linker_is_lld: None,
            pinned_by: None,
        };
        assert_eq!(tc.short_name(), "nightly-2025-12-01");
        assert!(tc.is_nightly());
    }
}

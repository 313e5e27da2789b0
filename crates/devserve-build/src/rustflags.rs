//! Adding the fast profile's rustflags without dropping the user's.
//!
//! cargo takes rustflags from the first of these that is set, and ignores the rest:
//! `CARGO_ENCODED_RUSTFLAGS`, `RUSTFLAGS`, all matching `target.<triple|cfg>.rustflags` (joined),
//! `build.rustflags`. Within one key, arrays from config files, `CARGO_*` variables and
//! `--config` are concatenated, but a config file holding the key as a *string* cannot be
//! merged with a `--config` array (cargo stops with "failed to merge key"). So:
//!
//! 1. `CARGO_ENCODED_RUSTFLAGS` set: append ours to it.
//! 2. `RUSTFLAGS` set: pass its words plus ours as `CARGO_ENCODED_RUSTFLAGS`.
//! 3. Some `target.*.rustflags` in a config file or `CARGO_TARGET_*_RUSTFLAGS`: ours go to
//!    `target.'cfg(all())'.rustflags`, a key no user writes, which matches every target and is
//!    joined with theirs.
//! 4. `build.rustflags` as a string in a config file: cargo would drop `build.rustflags` once
//!    ours sit in a `target` key, so its words are copied in front of ours there.
//! 5. Otherwise: `--config build.rustflags=[..]`, merged with any array the user has.

use std::path::{Path, PathBuf};

use crate::verify::toml_array;

/// Where the profile's rustflags go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// A `--config KEY=VALUE` argument.
    Config(String),
    /// An environment variable to set.
    Env(String, String),
}

/// The separator of `CARGO_ENCODED_RUSTFLAGS`.
const SEP: char = '\u{1f}';

/// Places `ours` for an app in `manifest_dir` given the user's environment `env`.
pub(crate) fn place(ours: &[String], manifest_dir: &Path, env: &[(String, String)]) -> Option<Placement> {
    if ours.is_empty() {
        return None;
    }
    let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if let Some(encoded) = var("CARGO_ENCODED_RUSTFLAGS") {
        let mut all: Vec<&str> = if encoded.is_empty() { vec![] } else { encoded.split(SEP).collect() };
        all.extend(ours.iter().map(String::as_str));
        return Some(Placement::Env("CARGO_ENCODED_RUSTFLAGS".into(), all.join(&SEP.to_string())));
    }
    if let Some(rustflags) = var("RUSTFLAGS") {
        let mut all: Vec<&str> = rustflags.split_whitespace().collect();
        all.extend(ours.iter().map(String::as_str));
        return Some(Placement::Env("CARGO_ENCODED_RUSTFLAGS".into(), all.join(&SEP.to_string())));
    }
    let configs = UserConfig::discover(manifest_dir, var("CARGO_HOME").map(PathBuf::from), var("HOME"));
    let env_target = env.iter().any(|(k, _)| k.starts_with("CARGO_TARGET_") && k.ends_with("_RUSTFLAGS"));
    let target_key = |flags: Vec<String>| {
        Placement::Config(format!("target.'cfg(all())'.rustflags={}", toml_array(&flags)))
    };
    if configs.target_rustflags || env_target {
        return Some(target_key(ours.to_vec()));
    }
    if let Some(user) = configs.build_rustflags_string {
        let mut all: Vec<String> = user.split_whitespace().map(str::to_owned).collect();
        if let Some(env_flags) = var("CARGO_BUILD_RUSTFLAGS") {
            all.extend(env_flags.split_whitespace().map(str::to_owned));
        }
        all.extend(ours.iter().cloned());
        return Some(target_key(all));
    }
    Some(Placement::Config(format!("build.rustflags={}", toml_array(ours))))
}

/// What the user's cargo config files say about rustflags.
#[derive(Debug, Default, PartialEq, Eq)]
struct UserConfig {
    /// Some config file sets `target.<anything>.rustflags`.
    target_rustflags: bool,
    /// The highest-precedence `build.rustflags` written as a string, if any.
    build_rustflags_string: Option<String>,
}

impl UserConfig {
    /// Reads the files cargo reads for a build started in `dir`: `.cargo/config.toml` (and the
    /// legacy `.cargo/config`) in `dir` and each parent, then `$CARGO_HOME/config.toml`.
    fn discover(dir: &Path, cargo_home: Option<PathBuf>, home: Option<&str>) -> Self {
        let cargo_home = cargo_home.or_else(|| home.map(|h| Path::new(h).join(".cargo")));
        let mut dirs: Vec<PathBuf> = dir.ancestors().map(|d| d.join(".cargo")).collect();
        if let Some(home) = cargo_home
            && !dirs.contains(&home)
        {
            dirs.push(home);
        }
        let mut found = UserConfig::default();
        // Deepest first: the first string found is the one cargo uses.
        for file in dirs.iter().flat_map(|d| [d.join("config.toml"), d.join("config")]) {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            let Ok(table) = text.parse::<toml::Table>() else { continue };
            found.read(&table);
        }
        found
    }

    fn read(&mut self, table: &toml::Table) {
        if let Some(targets) = table.get("target").and_then(toml::Value::as_table) {
            self.target_rustflags |= targets.values().any(|t| t.get("rustflags").is_some());
        }
        let build = table.get("build").and_then(|b| b.get("rustflags"));
        if let Some(toml::Value::String(flags)) = build
            && self.build_rustflags_string.is_none()
        {
            self.build_rustflags_string = Some(flags.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: [&str; 2] = ["-C", "link-arg=-fuse-ld=mold"];

    /// Places OURS for an app at `<tmp>/ws/app` with `files` (path relative to `<tmp>`, text)
    /// and `env`; `<tmp>/home` is CARGO_HOME.
    fn check(files: &[(&str, &str)], env: &[(&str, &str)], expected: Placement) {
        let tmp = tempfile::tempdir().unwrap();
        let app = tmp.path().join("ws/app");
        std::fs::create_dir_all(&app).unwrap();
        for (path, text) in files {
            let file = tmp.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        let mut env: Vec<(String, String)> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        env.push(("CARGO_HOME".into(), tmp.path().join("home").display().to_string()));
        let ours: Vec<String> = OURS.map(str::to_owned).to_vec();
        assert_eq!(place(&ours, &app, &env), Some(expected));
    }

    fn config(value: &str) -> Placement {
        Placement::Config(value.to_owned())
    }

    fn encoded(value: &str) -> Placement {
        Placement::Env("CARGO_ENCODED_RUSTFLAGS".into(), value.replace('|', "\u{1f}"))
    }

    #[test]
    fn nothing_set_merges_into_build_rustflags() {
        check(&[], &[], config(r#"build.rustflags=["-C","link-arg=-fuse-ld=mold"]"#));
        check(
            &[("ws/.cargo/config.toml", "[build]\nrustflags = [\"--cfg\", \"mine\"]\n")],
            &[],
            config(r#"build.rustflags=["-C","link-arg=-fuse-ld=mold"]"#),
        );
    }

    #[test]
    fn rustflags_variables_are_extended() {
        check(
            &[],
            &[("RUSTFLAGS", "  --cfg mine -Dwarnings ")],
            encoded("--cfg|mine|-Dwarnings|-C|link-arg=-fuse-ld=mold"),
        );
        check(
            &[],
            &[
                ("CARGO_ENCODED_RUSTFLAGS", "--cfg|a b".replace('|', "\u{1f}").as_str()),
                ("RUSTFLAGS", "--ignored"),
            ],
            encoded("--cfg|a b|-C|link-arg=-fuse-ld=mold"),
        );
        check(&[], &[("CARGO_ENCODED_RUSTFLAGS", "")], encoded("-C|link-arg=-fuse-ld=mold"));
    }

    #[test]
    fn target_rustflags_are_joined_through_a_cfg_key() {
        let ours = r#"target.'cfg(all())'.rustflags=["-C","link-arg=-fuse-ld=mold"]"#;
        check(
            &[(
                "ws/app/.cargo/config.toml",
                "[target.x86_64-unknown-linux-gnu]\nrustflags = \"--cfg mine\"\n",
            )],
            &[],
            config(ours),
        );
        check(
            &[("home/config.toml", "[target.'cfg(unix)']\nrustflags = [\"--cfg\", \"mine\"]\n")],
            &[],
            config(ours),
        );
        check(&[], &[("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS", "--cfg mine")], config(ours));
    }

    #[test]
    fn string_build_rustflags_are_copied() {
        check(
            &[
                ("ws/app/.cargo/config.toml", "build.rustflags = \"--cfg deep\"\n"),
                ("ws/.cargo/config", "[build]\nrustflags = \"--cfg shallow\"\n"),
            ],
            &[],
            config(r#"target.'cfg(all())'.rustflags=["--cfg","deep","-C","link-arg=-fuse-ld=mold"]"#),
        );
    }

    #[test]
    fn no_flags_no_placement() {
        assert_eq!(place(&[], Path::new("/"), &[("RUSTFLAGS".into(), "x".into())]), None);
    }
}

//! The `[package.metadata.leptos]` / `[[workspace.metadata.leptos]]` configuration, read the way
//! cargo-leptos reads it: manifest values, overridden by `.env`, overridden by the environment.
//!
//! Checked against cargo-leptos 0.3.6 (`src/config/{project,dotenvs,lib_package,bin_package}.rs`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::{DotEnv, ProjectError};

/// cargo-leptos replaces a leading `CARGO_TARGET_DIR` (or `CARGO_BUILD_TARGET_DIR`) component of
/// `site-root` with cargo's target directory.
const TARGET_DIR_MARKERS: [&str; 2] = ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"];

/// Which kind of table the configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    /// `[package.metadata.leptos]` of the named package, which is both the bin and the lib package.
    /// `name`, `bin-package` and `lib-package` in the table are ignored, as cargo-leptos does.
    Package {
        /// The package's name.
        name: String,
    },
    /// One `[[workspace.metadata.leptos]]` entry: it must name the project (`name`) and its
    /// `bin-package` and `lib-package`.
    Workspace,
}

/// Where a Leptos table was found, and the folders its relative values resolve against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The `Cargo.toml` holding the table. Its folder is the one `style-file`, `tailwind-input-file`,
    /// `tailwind-config-file` and `assets-dir` are relative to.
    pub manifest: PathBuf,
    /// Package or workspace table.
    pub section: Section,
    /// The workspace root: a relative `site-root` is relative to it.
    pub workspace_root: PathBuf,
    /// cargo's target directory: the default site root is `<it>/site`.
    pub target_dir: PathBuf,
}

impl Source {
    /// `<manifest>: [package.metadata.leptos]`, the start of messages about the table's keys.
    pub(crate) fn origin(&self) -> String {
        format!("{}: {}", self.manifest.display(), self.header())
    }

    fn header(&self) -> &'static str {
        match self.section {
            Section::Package { .. } => "[package.metadata.leptos]",
            Section::Workspace => "[[workspace.metadata.leptos]]",
        }
    }

    fn config_dir(&self) -> &Path {
        self.manifest.parent().unwrap_or(Path::new(""))
    }
}

/// How one of the two builds is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSide {
    /// The package built (cargo `-p`): `bin-package` / `lib-package`, else the package holding the
    /// configuration.
    pub package: String,
    /// `bin-features` / `lib-features`, followed by the shared `features`.
    pub features: Vec<String>,
    /// `bin-default-features` / `lib-default-features`; `false` by default (`--no-default-features`).
    pub default_features: bool,
    /// `bin-profile-dev` / `lib-profile-dev`: the cargo profile of a dev build, `None` for `dev`.
    pub profile_dev: Option<String>,
}

/// The Leptos configuration of the app, with cargo-leptos's defaults applied and paths resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leptos {
    /// `output-name`: the file stem of the front's `.js`, `.wasm` and `.css`. Defaults to the
    /// project's name as is: the package name for `[package.metadata.leptos]`, the entry's `name`
    /// for `[[workspace.metadata.leptos]]` (cargo-leptos 0.3.6 fills it in before the `-` → `_`
    /// fallback in its `LibPackage` could apply, so dashes are kept).
    pub output_name: String,
    /// `site-root`, absolute. Default `<target dir>/site`; a leading `CARGO_TARGET_DIR` component is
    /// the target dir; any other relative value is relative to the workspace root (cargo-leptos
    /// runs with the workspace root as its working directory).
    pub site_root: PathBuf,
    /// `site-pkg-dir`, relative to the site root; default `pkg`.
    pub site_pkg_dir: String,
    /// `style-file` (Sass/SCSS/CSS), absolute: relative to the manifest's folder.
    pub style_file: Option<PathBuf>,
    /// `tailwind-input-file`, absolute: relative to the manifest's folder.
    pub tailwind_input_file: Option<PathBuf>,
    /// `tailwind-config-file` (Tailwind v3), absolute: relative to the manifest's folder.
    pub tailwind_config_file: Option<PathBuf>,
    /// `assets-dir`, absolute: relative to the manifest's folder; copied into the site root.
    pub assets_dir: Option<PathBuf>,
    /// `site-addr`: where the user expects the site; default `127.0.0.1:3000`.
    pub site_addr: SocketAddr,
    /// `reload-port`: the port of Leptos's `<AutoReload/>` WebSocket; default 3001.
    pub reload_port: u16,
    /// `env` as written (`DEV`, `PROD`, or their lowercase/long forms); default `DEV`. cargo-leptos
    /// ignores it, Leptos's `get_configuration` reads it from the manifest or `LEPTOS_ENV`.
    pub env: String,
    /// `hash-files`: whether cargo-leptos adds content hashes to the front's file names.
    pub hash_files: bool,
    /// The server build.
    pub bin: BuildSide,
    /// The front (wasm) build.
    pub lib: BuildSide,
    /// `bin-target`: the binary to build and run, when the package has several.
    pub bin_target: Option<String>,
    /// `bin-target-triple`: a target triple for the server build (cross compilation).
    pub bin_target_triple: Option<String>,
    /// The name of the cdylib target of [`Leptos::lib`]'s package: the front is built only when it
    /// exists (an SSR-only app has none). [`Leptos::from_table`] leaves it `None`;
    /// [`Project::load`](crate::Project::load) fills it in from cargo's metadata.
    pub lib_target: Option<String>,
    /// `server-fn-prefix`: passed to both builds as `SERVER_FN_PREFIX` (read at compile time).
    pub server_fn_prefix: Option<String>,
    /// `disable-server-fn-hash`: passed to both builds as `DISABLE_SERVER_FN_HASH`.
    pub disable_server_fn_hash: bool,
    /// `server-fn-mod-path`: passed to both builds as `SERVER_FN_MOD_PATH`.
    pub server_fn_mod_path: bool,
    /// Whether a dev build gets `--cfg erase_components`: yes unless `disable-erase-components`,
    /// always with `always-erase-components`.
    pub erase_components: bool,
    /// The wasm-bindgen CLI version the front needs: `LEPTOS_WASM_BINDGEN_VERSION` when set, else
    /// the `wasm-bindgen` version in the workspace's `Cargo.lock` (filled in by
    /// [`Project::load`](crate::Project::load)); `None` when neither says.
    pub wasm_bindgen_version: Option<String>,
}

/// A value and where it was read, for values checked only once all layers are applied.
#[derive(Debug, Clone)]
struct Sourced<T> {
    value: T,
    origin: String,
    key: String,
}

/// The configuration as read, before defaults: one field per key, later layers overwrite.
#[derive(Debug, Default)]
struct Raw {
    name: Option<String>,
    bin_package: Option<String>,
    lib_package: Option<String>,
    output_name: Option<String>,
    site_root: Option<Sourced<PathBuf>>,
    site_pkg_dir: Option<String>,
    style_file: Option<PathBuf>,
    tailwind_input_file: Option<PathBuf>,
    tailwind_config_file: Option<PathBuf>,
    assets_dir: Option<PathBuf>,
    site_addr: Option<SocketAddr>,
    reload_port: Option<u16>,
    env: Option<String>,
    hash_files: Option<bool>,
    features: Vec<String>,
    bin_features: Vec<String>,
    lib_features: Vec<String>,
    bin_default_features: Option<bool>,
    lib_default_features: Option<bool>,
    bin_profile_dev: Option<String>,
    lib_profile_dev: Option<String>,
    bin_target: Option<String>,
    bin_target_triple: Option<String>,
    server_fn_prefix: Option<String>,
    disable_server_fn_hash: Option<bool>,
    server_fn_mod_path: Option<bool>,
    disable_erase_components: Option<bool>,
    always_erase_components: Option<bool>,
    wasm_bindgen_version: Option<String>,
}

const EXPECTED_ENV: &str = "DEV or PROD (or dev, development, prod, production)";
const EXPECTED_PORT: &str = "a port number";
const EXPECTED_ADDR: &str = "a socket address like \"127.0.0.1:3000\"";
const EXPECTED_BOOL: &str = "true or false";
const EXPECTED_STRING: &str = "a string";
const EXPECTED_STRINGS: &str = "an array of strings";

/// The values Leptos accepts for `env` (case-insensitively).
fn is_env(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "dev" | "development" | "prod" | "production")
}

/// Reads typed values out of one table, with errors that name the table and the key.
struct TableReader<'a> {
    origin: String,
    table: &'a Map<String, Value>,
}

impl TableReader<'_> {
    fn error(&self, key: &str, expected: &'static str, found: &Value) -> ProjectError {
        ProjectError::Value {
            origin: self.origin.clone(),
            key: key.to_owned(),
            expected,
            found: found.to_string(),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(key, EXPECTED_STRING, other)),
        }
    }

    fn path(&self, key: &str) -> Result<Option<PathBuf>, ProjectError> {
        Ok(self.string(key)?.map(PathBuf::from))
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.error(key, EXPECTED_BOOL, other)),
        }
    }

    fn port(&self, key: &str) -> Result<Option<u16>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(value) => match value.as_u64().and_then(|n| u16::try_from(n).ok()) {
                Some(port) => Ok(Some(port)),
                None => Err(self.error(key, EXPECTED_PORT, value)),
            },
        }
    }

    fn addr(&self, key: &str) -> Result<Option<SocketAddr>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(value) => match value.as_str().and_then(|s| s.parse().ok()) {
                Some(addr) => Ok(Some(addr)),
                None => Err(self.error(key, EXPECTED_ADDR, value)),
            },
        }
    }

    fn env(&self, key: &str) -> Result<Option<String>, ProjectError> {
        match self.table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if is_env(s) => Ok(Some(s.clone())),
            Some(other) => Err(self.error(key, EXPECTED_ENV, other)),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, ProjectError> {
        match self.table.get(key) {
            None => Ok(Vec::new()),
            Some(value @ Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().map(str::to_owned).ok_or_else(|| self.error(key, EXPECTED_STRINGS, value))
                })
                .collect(),
            Some(other) => Err(self.error(key, EXPECTED_STRINGS, other)),
        }
    }

    fn site_root(&self, key: &str) -> Result<Option<Sourced<PathBuf>>, ProjectError> {
        Ok(self.path(key)?.map(|value| Sourced { value, origin: self.origin.clone(), key: key.to_owned() }))
    }
}

impl Raw {
    /// The keys of one table; `name`, `bin-package` and `lib-package` only in a workspace entry
    /// (cargo-leptos ignores them in a package table).
    fn from_table(reader: &TableReader<'_>, section: &Section) -> Result<Self, ProjectError> {
        let workspace_key = |key| if *section == Section::Workspace { reader.string(key) } else { Ok(None) };
        Ok(Self {
            name: workspace_key("name")?,
            bin_package: workspace_key("bin-package")?,
            lib_package: workspace_key("lib-package")?,
            output_name: reader.string("output-name")?,
            site_root: reader.site_root("site-root")?,
            site_pkg_dir: reader.string("site-pkg-dir")?,
            style_file: reader.path("style-file")?,
            tailwind_input_file: reader.path("tailwind-input-file")?,
            tailwind_config_file: reader.path("tailwind-config-file")?,
            assets_dir: reader.path("assets-dir")?,
            site_addr: reader.addr("site-addr")?,
            reload_port: reader.port("reload-port")?,
            env: reader.env("env")?,
            hash_files: reader.bool("hash-files")?,
            features: reader.strings("features")?,
            bin_features: reader.strings("bin-features")?,
            lib_features: reader.strings("lib-features")?,
            bin_default_features: reader.bool("bin-default-features")?,
            lib_default_features: reader.bool("lib-default-features")?,
            bin_profile_dev: reader.string("bin-profile-dev")?,
            lib_profile_dev: reader.string("lib-profile-dev")?,
            bin_target: reader.string("bin-target")?,
            bin_target_triple: reader.string("bin-target-triple")?,
            server_fn_prefix: reader.string("server-fn-prefix")?,
            disable_server_fn_hash: reader.bool("disable-server-fn-hash")?,
            server_fn_mod_path: reader.bool("server-fn-mod-path")?,
            disable_erase_components: reader.bool("disable-erase-components")?,
            always_erase_components: reader.bool("always-erase-components")?,
            wasm_bindgen_version: None,
        })
    }

    /// Apply one variable from `.env` or the environment, as cargo-leptos's `overlay` does;
    /// variables it does not know are ignored.
    fn overlay(&mut self, key: &str, value: &str, origin: &str) -> Result<(), ProjectError> {
        let invalid = |expected: &'static str| ProjectError::Value {
            origin: origin.to_owned(),
            key: key.to_owned(),
            expected,
            found: format!("{value:?}"),
        };
        let bool = || value.parse::<bool>().map_err(|_| invalid(EXPECTED_BOOL));
        match key {
            "LEPTOS_OUTPUT_NAME" => self.output_name = Some(value.to_owned()),
            "LEPTOS_SITE_ROOT" => {
                self.site_root =
                    Some(Sourced { value: value.into(), origin: origin.to_owned(), key: key.to_owned() });
            }
            "LEPTOS_SITE_PKG_DIR" => self.site_pkg_dir = Some(value.to_owned()),
            "LEPTOS_STYLE_FILE" => self.style_file = Some(value.into()),
            "LEPTOS_ASSETS_DIR" => self.assets_dir = Some(value.into()),
            "LEPTOS_SITE_ADDR" => self.site_addr = Some(value.parse().map_err(|_| invalid(EXPECTED_ADDR))?),
            "LEPTOS_RELOAD_PORT" => {
                self.reload_port = Some(value.parse().map_err(|_| invalid(EXPECTED_PORT))?)
            }
            "LEPTOS_ENV" if is_env(value) => self.env = Some(value.to_owned()),
            "LEPTOS_ENV" => return Err(invalid(EXPECTED_ENV)),
            "LEPTOS_HASH_FILES" => self.hash_files = Some(bool()?),
            "LEPTOS_BIN_TARGET" => self.bin_target = Some(value.to_owned()),
            "LEPTOS_BIN_TARGET_TRIPLE" => self.bin_target_triple = Some(value.to_owned()),
            "SERVER_FN_PREFIX" => self.server_fn_prefix = Some(value.to_owned()),
            // cargo-leptos sets it whatever the value.
            "DISABLE_SERVER_FN_HASH" => self.disable_server_fn_hash = Some(true),
            "LEPTOS_WASM_BINDGEN_VERSION" => self.wasm_bindgen_version = Some(value.to_owned()),
            _ => {}
        }
        Ok(())
    }
}

impl Leptos {
    /// Read a Leptos table (`package.metadata.leptos`, or one `workspace.metadata.leptos` entry, as
    /// `cargo metadata` gives it), then apply `dotenv`, then `env` (the process environment, or any
    /// list of variables): environment wins over `.env`, which wins over the manifest.
    ///
    /// Unknown keys and variables are ignored. A value of the wrong type, an unparsable address or
    /// port, an `env` Leptos would reject, or a `site-root` cargo-leptos refuses (`/`, `.`, the bare
    /// target dir: it empties the site root) is an error naming the key and where it was read.
    pub fn from_table(
        table: &Value,
        source: &Source,
        dotenv: Option<&DotEnv>,
        env: &[(String, String)],
    ) -> Result<Self, ProjectError> {
        let origin = source.origin();
        let Some(table) = table.as_object() else {
            return Err(ProjectError::Value {
                origin: format!("{}:", source.manifest.display()),
                key: source.header().to_owned(),
                expected: "a table",
                found: table.to_string(),
            });
        };
        let mut raw = Raw::from_table(&TableReader { origin: origin.clone(), table }, &source.section)?;
        if let Some(dotenv) = dotenv {
            for (key, value, line) in dotenv.vars_with_lines() {
                raw.overlay(key, value, &format!("{}:{line}", dotenv.path().display()))?;
            }
        }
        for (key, value) in env {
            raw.overlay(key, value, "environment variable")?;
        }
        Self::resolve(raw, source, &origin)
    }

    fn resolve(raw: Raw, source: &Source, origin: &str) -> Result<Self, ProjectError> {
        let required = |value: Option<String>, key: &'static str| {
            value.ok_or_else(|| ProjectError::MissingKey { origin: origin.to_owned(), key })
        };
        let (name, bin_package, lib_package) = match &source.section {
            Section::Package { name } => (name.clone(), name.clone(), name.clone()),
            Section::Workspace => (
                required(raw.name, "name")?,
                required(raw.bin_package, "bin-package")?,
                required(raw.lib_package, "lib-package")?,
            ),
        };
        let config_dir = source.config_dir();
        let site_root = match raw.site_root {
            None => source.target_dir.join("site"),
            Some(Sourced { value, origin, key }) => {
                resolve_site_root(&value, &source.target_dir, &source.workspace_root).ok_or_else(|| {
                    ProjectError::Value {
                        origin,
                        key,
                        expected: "a folder of its own (cargo-leptos empties the site root when it builds)",
                        found: format!("{:?}", value.display().to_string()),
                    }
                })?
            }
        };
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        let side =
            |package: String, specific: Vec<String>, default_features: Option<bool>, profile| BuildSide {
                package,
                features: specific.into_iter().chain(raw.features.iter().cloned()).collect(),
                default_features: default_features.unwrap_or(false),
                profile_dev: profile,
            };
        Ok(Self {
            output_name: non_empty(raw.output_name).unwrap_or(name),
            site_root,
            site_pkg_dir: raw.site_pkg_dir.unwrap_or_else(|| "pkg".to_owned()),
            style_file: raw.style_file.map(|p| config_dir.join(p)),
            tailwind_input_file: raw.tailwind_input_file.map(|p| config_dir.join(p)),
            tailwind_config_file: raw.tailwind_config_file.map(|p| config_dir.join(p)),
            assets_dir: raw.assets_dir.map(|p| config_dir.join(p)),
            site_addr: raw.site_addr.unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 3000)),
            reload_port: raw.reload_port.unwrap_or(3001),
            env: raw.env.unwrap_or_else(|| "DEV".to_owned()),
            hash_files: raw.hash_files.unwrap_or(false),
            bin: side(bin_package, raw.bin_features, raw.bin_default_features, raw.bin_profile_dev),
            lib: side(lib_package, raw.lib_features, raw.lib_default_features, raw.lib_profile_dev),
            bin_target: non_empty(raw.bin_target),
            bin_target_triple: non_empty(raw.bin_target_triple),
            lib_target: None,
            server_fn_prefix: raw.server_fn_prefix,
            disable_server_fn_hash: raw.disable_server_fn_hash.unwrap_or(false),
            server_fn_mod_path: raw.server_fn_mod_path.unwrap_or(false),
            erase_components: !raw.disable_erase_components.unwrap_or(false)
                || raw.always_erase_components.unwrap_or(false),
            wasm_bindgen_version: non_empty(raw.wasm_bindgen_version),
        })
    }

    /// The folder the front's files go to: `<site root>/<site pkg dir>`.
    pub fn pkg_dir(&self) -> PathBuf {
        self.site_root.join(&self.site_pkg_dir)
    }

    /// `<pkg dir>/<output name>.js`, wasm-bindgen's `--target web` glue.
    pub fn js_file(&self) -> PathBuf {
        self.pkg_dir().join(format!("{}.js", self.output_name))
    }

    /// `<pkg dir>/<output name>.wasm`: cargo-leptos renames wasm-bindgen's `<output name>_bg.wasm`
    /// to this (Leptos's `HydrationScripts` loads this name).
    pub fn wasm_file(&self) -> PathBuf {
        self.pkg_dir().join(format!("{}.wasm", self.output_name))
    }

    /// `<pkg dir>/<output name>.css`, the compiled style file or Tailwind output.
    pub fn css_file(&self) -> PathBuf {
        self.pkg_dir().join(format!("{}.css", self.output_name))
    }

    /// The variables cargo-leptos 0.3.6 gives both builds and the app (its `Project::to_envs` in
    /// watch mode), with devserve's addresses: `app_addr` is where the app listens behind devserve's
    /// proxy, `reload_port` the port devserve answers Leptos's live-reload socket on.
    ///
    /// Differences from cargo-leptos, on purpose: `LEPTOS_SITE_ROOT` is absolute (cargo-leptos
    /// passes it as configured, relative to the workspace root it runs the app in; devserve runs
    /// the app in its package folder); `LEPTOS_ENV` is passed (cargo-leptos leaves it to the
    /// environment; Leptos defaults it to `DEV`); `LEPTOS_LIB_DIR`, `LEPTOS_BIN_DIR`,
    /// `LEPTOS_JS_MINIFY` and `LEPTOS_HASH_FILE_NAME`, which Leptos does not read, are left out.
    /// `RUSTFLAGS` (see [`Leptos::erase_components`]) is the build's business.
    ///
    /// `LEPTOS_OUTPUT_NAME`, `LEPTOS_WATCH` and the `SERVER_FN_*` variables are read at compile
    /// time (`option_env!`), so they belong to the build's identity.
    pub fn env_vars(&self, app_addr: SocketAddr, reload_port: u16) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = [
            ("LEPTOS_OUTPUT_NAME", self.output_name.clone()),
            ("LEPTOS_SITE_ROOT", self.site_root.display().to_string()),
            ("LEPTOS_SITE_PKG_DIR", self.site_pkg_dir.clone()),
            ("LEPTOS_SITE_ADDR", app_addr.to_string()),
            ("LEPTOS_RELOAD_PORT", reload_port.to_string()),
            ("LEPTOS_HASH_FILES", self.hash_files.to_string()),
            ("LEPTOS_ENV", self.env.clone()),
            ("LEPTOS_WATCH", "true".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(prefix) = &self.server_fn_prefix {
            vars.push(("SERVER_FN_PREFIX".to_owned(), prefix.clone()));
        }
        if self.disable_server_fn_hash {
            vars.push(("DISABLE_SERVER_FN_HASH".to_owned(), "true".to_owned()));
        }
        if self.server_fn_mod_path {
            vars.push(("SERVER_FN_MOD_PATH".to_owned(), "true".to_owned()));
        }
        vars
    }
}

/// The absolute site root for a configured `site-root`, or `None` for the values cargo-leptos
/// refuses because building would empty them.
fn resolve_site_root(value: &Path, target_dir: &Path, workspace_root: &Path) -> Option<PathBuf> {
    let refused =
        [Path::new("/"), Path::new("."), Path::new(TARGET_DIR_MARKERS[0]), Path::new(TARGET_DIR_MARKERS[1])];
    if refused.contains(&value) {
        return None;
    }
    for marker in TARGET_DIR_MARKERS {
        if let Ok(rest) = value.strip_prefix(marker) {
            return Some(target_dir.join(rest));
        }
    }
    Some(workspace_root.join(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table, source and (for `[[workspace.metadata.leptos]]`) entry of a fixture manifest in
    /// `/ws/app` (package `my-app`) or, for a workspace table, `/ws`.
    fn fixture(manifest: &str) -> (Value, Source) {
        let toml: toml::Table = manifest.parse().unwrap_or_else(|e| panic!("fixture: {e}"));
        let json = serde_json::to_value(&toml).unwrap_or_else(|e| panic!("fixture: {e}"));
        let package = &json["package"]["metadata"]["leptos"];
        let (table, manifest, section) = if package.is_null() {
            let entry = json["workspace"]["metadata"]["leptos"][0].clone();
            (entry, "/ws/Cargo.toml", Section::Workspace)
        } else {
            (package.clone(), "/ws/app/Cargo.toml", Section::Package { name: "my-app".to_owned() })
        };
        let source = Source {
            manifest: manifest.into(),
            section,
            workspace_root: "/ws".into(),
            target_dir: "/ws/target".into(),
        };
        (table, source)
    }

    /// One `field = value` line per field.
    fn render(l: &Leptos) -> String {
        let side = |s: &BuildSide| {
            format!(
                "{} {:?} default-features={} profile={:?}",
                s.package, s.features, s.default_features, s.profile_dev
            )
        };
        [
            format!("output_name = {}", l.output_name),
            format!("site_root = {}", l.site_root.display()),
            format!("site_pkg_dir = {}", l.site_pkg_dir),
            format!("style_file = {:?}", l.style_file),
            format!("tailwind_input_file = {:?}", l.tailwind_input_file),
            format!("tailwind_config_file = {:?}", l.tailwind_config_file),
            format!("assets_dir = {:?}", l.assets_dir),
            format!("site_addr = {}", l.site_addr),
            format!("reload_port = {}", l.reload_port),
            format!("env = {}", l.env),
            format!("hash_files = {}", l.hash_files),
            format!("bin = {}", side(&l.bin)),
            format!("lib = {}", side(&l.lib)),
            format!("bin_target = {:?}", l.bin_target),
            format!("bin_target_triple = {:?}", l.bin_target_triple),
            format!("server_fn_prefix = {:?}", l.server_fn_prefix),
            format!("disable_server_fn_hash = {}", l.disable_server_fn_hash),
            format!("server_fn_mod_path = {}", l.server_fn_mod_path),
            format!("erase_components = {}", l.erase_components),
            format!("wasm_bindgen_version = {:?}", l.wasm_bindgen_version),
        ]
        .join("\n")
    }

    /// Parse `manifest` with `.env` text `dotenv` and variables `env`, and compare with `expected`:
    /// the lines of [`render`] that differ from an empty table's, or `error: <message>`.
    fn check_with(manifest: &str, dotenv: &str, env: &[(&str, &str)], expected: &str) {
        let (table, source) = fixture(manifest);
        let dotenv = DotEnv::parse(Path::new("/ws/app/.env"), dotenv).unwrap_or_else(|e| panic!("{e}"));
        let env: Vec<(String, String)> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let actual = match Leptos::from_table(&table, &source, Some(&dotenv), &env) {
            Ok(leptos) => {
                let empty = match source.section {
                    Section::Package { .. } => serde_json::json!({}),
                    Section::Workspace => {
                        serde_json::json!({ "name": "my-app", "bin-package": "my-app", "lib-package": "my-app" })
                    }
                };
                let defaults =
                    Leptos::from_table(&empty, &source, None, &[]).unwrap_or_else(|e| panic!("{e}"));
                let defaults = render(&defaults);
                render(&leptos)
                    .lines()
                    .filter(|line| !defaults.lines().any(|d| d == *line))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            Err(error) => format!("error: {error}"),
        };
        assert_eq!(actual, expected.trim(), "for manifest:\n{manifest}");
    }

    fn check(manifest: &str, expected: &str) {
        check_with(manifest, "", &[], expected);
    }

    #[test]
    fn defaults() {
        let (table, source) = fixture("[package.metadata.leptos]");
        let leptos = Leptos::from_table(&table, &source, None, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            render(&leptos),
            r#"output_name = my-app
site_root = /ws/target/site
site_pkg_dir = pkg
style_file = None
tailwind_input_file = None
tailwind_config_file = None
assets_dir = None
site_addr = 127.0.0.1:3000
reload_port = 3001
env = DEV
hash_files = false
bin = my-app [] default-features=false profile=None
lib = my-app [] default-features=false profile=None
bin_target = None
bin_target_triple = None
server_fn_prefix = None
disable_server_fn_hash = false
server_fn_mod_path = false
erase_components = true
wasm_bindgen_version = None"#
        );
        assert_eq!(leptos.lib_target, None);
        assert_eq!(leptos.pkg_dir(), Path::new("/ws/target/site/pkg"));
        assert_eq!(leptos.js_file(), Path::new("/ws/target/site/pkg/my-app.js"));
        assert_eq!(leptos.wasm_file(), Path::new("/ws/target/site/pkg/my-app.wasm"));
        assert_eq!(leptos.css_file(), Path::new("/ws/target/site/pkg/my-app.css"));
    }

    #[test]
    fn start_axum_template() {
        check(
            r#"
[package.metadata.leptos]
output-name = "my_app"
site-root = "target/site"
site-pkg-dir = "pkg"
style-file = "style/main.scss"
assets-dir = "public"
site-addr = "127.0.0.1:3000"
reload-port = 3001
end2end-cmd = "npx playwright test"
end2end-dir = "end2end"
browserquery = "defaults"
env = "DEV"
bin-features = ["ssr"]
bin-default-features = false
lib-features = ["hydrate"]
lib-default-features = false
lib-profile-release = "wasm-release"
"#,
            r#"
output_name = my_app
style_file = Some("/ws/app/style/main.scss")
assets_dir = Some("/ws/app/public")
bin = my-app ["ssr"] default-features=false profile=None
lib = my-app ["hydrate"] default-features=false profile=None
"#,
        );
    }

    #[test]
    fn unknown_keys_are_ignored() {
        check("[package.metadata.leptos]\nsome-future-key = { a = 1 }\nsite_addr = 5", "");
    }

    #[test]
    fn empty_output_name_means_the_default() {
        check("[package.metadata.leptos]\noutput-name = \"\"", "");
    }

    #[test]
    fn site_root_forms() {
        // Relative values are relative to the workspace root, not the package folder.
        check("[package.metadata.leptos]\nsite-root = \"site\"", "site_root = /ws/site");
        check("[package.metadata.leptos]\nsite-root = \"/srv/site\"", "site_root = /srv/site");
        check(
            "[package.metadata.leptos]\nsite-root = \"CARGO_TARGET_DIR/web\"",
            "site_root = /ws/target/web",
        );
        check(
            "[package.metadata.leptos]\nsite-root = \"CARGO_BUILD_TARGET_DIR/a/b\"",
            "site_root = /ws/target/a/b",
        );
        check("[package.metadata.leptos]\nsite-pkg-dir = \"assets/pkg\"", "site_pkg_dir = assets/pkg");
    }

    #[test]
    fn site_roots_that_would_be_emptied_are_refused() {
        check(
            "[package.metadata.leptos]\nsite-root = \".\"",
            r#"error: /ws/app/Cargo.toml: [package.metadata.leptos] site-root: expected a folder of its own (cargo-leptos empties the site root when it builds), found ".""#,
        );
        check(
            "[package.metadata.leptos]\nsite-root = \"CARGO_TARGET_DIR\"",
            r#"error: /ws/app/Cargo.toml: [package.metadata.leptos] site-root: expected a folder of its own (cargo-leptos empties the site root when it builds), found "CARGO_TARGET_DIR""#,
        );
        // Only the value in effect counts.
        check_with(
            "[package.metadata.leptos]\nsite-root = \"/\"",
            "",
            &[("LEPTOS_SITE_ROOT", "out")],
            "site_root = /ws/out",
        );
    }

    #[test]
    fn style_and_asset_paths() {
        check(
            r#"
[package.metadata.leptos]
tailwind-input-file = "style/tailwind.css"
tailwind-config-file = "tailwind.config.js"
style-file = "/abs/main.css"
"#,
            r#"
style_file = Some("/abs/main.css")
tailwind_input_file = Some("/ws/app/style/tailwind.css")
tailwind_config_file = Some("/ws/app/tailwind.config.js")
"#,
        );
    }

    #[test]
    fn addresses_and_env() {
        check(
            "[package.metadata.leptos]\nsite-addr = \"0.0.0.0:8080\"\nreload-port = 8081\nenv = \"prod\"\nhash-files = true",
            "site_addr = 0.0.0.0:8080\nreload_port = 8081\nenv = prod\nhash_files = true",
        );
        check("[package.metadata.leptos]\nsite-addr = \"[::1]:3000\"", "site_addr = [::1]:3000");
    }

    #[test]
    fn features_and_profiles() {
        check(
            r#"
[package.metadata.leptos]
features = ["shared"]
bin-features = ["ssr"]
bin-default-features = true
bin-profile-dev = "server-dev"
lib-features = ["hydrate", "csr"]
lib-profile-dev = "wasm-dev"
bin-target = "server"
bin-target-triple = "x86_64-unknown-linux-musl"
"#,
            r#"
bin = my-app ["ssr", "shared"] default-features=true profile=Some("server-dev")
lib = my-app ["hydrate", "csr", "shared"] default-features=false profile=Some("wasm-dev")
bin_target = Some("server")
bin_target_triple = Some("x86_64-unknown-linux-musl")
"#,
        );
    }

    #[test]
    fn server_fn_and_erase_components() {
        check(
            r#"
[package.metadata.leptos]
server-fn-prefix = "/rpc"
disable-server-fn-hash = true
server-fn-mod-path = true
disable-erase-components = true
"#,
            r#"
server_fn_prefix = Some("/rpc")
disable_server_fn_hash = true
server_fn_mod_path = true
erase_components = false
"#,
        );
        check(
            "[package.metadata.leptos]\ndisable-erase-components = true\nalways-erase-components = true",
            "",
        );
    }

    #[test]
    fn package_table_ignores_workspace_keys() {
        check("[package.metadata.leptos]\nbin-package = \"other\"\nname = 5", "");
    }

    #[test]
    fn workspace_entry() {
        check(
            r#"
[workspace]
members = ["server", "front"]

[[workspace.metadata.leptos]]
name = "site"
bin-package = "server"
lib-package = "front"
style-file = "style/main.scss"
"#,
            r#"
output_name = site
style_file = Some("/ws/style/main.scss")
bin = server [] default-features=false profile=None
lib = front [] default-features=false profile=None
"#,
        );
    }

    #[test]
    fn workspace_entry_needs_its_packages() {
        check(
            "[[workspace.metadata.leptos]]\nname = \"site\"\nlib-package = \"front\"",
            "error: /ws/Cargo.toml: [[workspace.metadata.leptos]] bin-package: missing (each [[workspace.metadata.leptos]] entry needs name, bin-package and lib-package)",
        );
    }

    #[test]
    fn malformed_values_name_the_key_and_file() {
        let cases = [
            ("reload-port = \"abc\"", r#"reload-port: expected a port number, found "abc""#),
            ("reload-port = 70000", "reload-port: expected a port number, found 70000"),
            ("site-addr = 5", r#"site-addr: expected a socket address like "127.0.0.1:3000", found 5"#),
            (
                "site-addr = \"localhost\"",
                r#"site-addr: expected a socket address like "127.0.0.1:3000", found "localhost""#,
            ),
            (
                "bin-default-features = \"yes\"",
                r#"bin-default-features: expected true or false, found "yes""#,
            ),
            ("output-name = 1", "output-name: expected a string, found 1"),
            ("lib-features = \"hydrate\"", r#"lib-features: expected an array of strings, found "hydrate""#),
            ("features = [1]", "features: expected an array of strings, found [1]"),
            (
                "env = \"staging\"",
                r#"env: expected DEV or PROD (or dev, development, prod, production), found "staging""#,
            ),
        ];
        for (line, message) in cases {
            check(
                &format!("[package.metadata.leptos]\n{line}"),
                &format!("error: /ws/app/Cargo.toml: [package.metadata.leptos] {message}"),
            );
        }
    }

    #[test]
    fn not_a_table() {
        check(
            "[package.metadata]\nleptos = 5",
            "error: /ws/app/Cargo.toml: [package.metadata.leptos]: expected a table, found 5",
        );
    }

    #[test]
    fn dotenv_overrides_the_manifest() {
        check_with(
            "[package.metadata.leptos]\nsite-addr = \"127.0.0.1:4000\"\nstyle-file = \"a.css\"",
            "LEPTOS_SITE_ADDR=127.0.0.1:5000\nLEPTOS_STYLE_FILE=b.css\nOTHER=ignored\nLEPTOS_UNKNOWN=1",
            &[],
            "style_file = Some(\"/ws/app/b.css\")\nsite_addr = 127.0.0.1:5000",
        );
    }

    #[test]
    fn environment_overrides_dotenv() {
        check_with(
            "[package.metadata.leptos]\nreload-port = 4001",
            "LEPTOS_RELOAD_PORT=5001\nLEPTOS_OUTPUT_NAME=from_dotenv",
            &[("LEPTOS_RELOAD_PORT", "6001"), ("PATH", "/bin")],
            "output_name = from_dotenv\nreload_port = 6001",
        );
    }

    #[test]
    fn every_variable() {
        check_with(
            "[package.metadata.leptos]",
            "",
            &[
                ("LEPTOS_OUTPUT_NAME", "out"),
                ("LEPTOS_SITE_ROOT", "CARGO_TARGET_DIR/s"),
                ("LEPTOS_SITE_PKG_DIR", "p"),
                ("LEPTOS_STYLE_FILE", "s.scss"),
                ("LEPTOS_ASSETS_DIR", "/assets"),
                ("LEPTOS_SITE_ADDR", "0.0.0.0:1"),
                ("LEPTOS_RELOAD_PORT", "2"),
                ("LEPTOS_ENV", "PROD"),
                ("LEPTOS_HASH_FILES", "true"),
                ("LEPTOS_BIN_TARGET", "srv"),
                ("LEPTOS_BIN_TARGET_TRIPLE", "t"),
                ("SERVER_FN_PREFIX", "/f"),
                ("DISABLE_SERVER_FN_HASH", "0"),
                ("LEPTOS_WASM_BINDGEN_VERSION", "0.2.100"),
            ],
            r#"
output_name = out
site_root = /ws/target/s
site_pkg_dir = p
style_file = Some("/ws/app/s.scss")
assets_dir = Some("/assets")
site_addr = 0.0.0.0:1
reload_port = 2
env = PROD
hash_files = true
bin_target = Some("srv")
bin_target_triple = Some("t")
server_fn_prefix = Some("/f")
disable_server_fn_hash = true
wasm_bindgen_version = Some("0.2.100")
"#,
        );
    }

    #[test]
    fn malformed_variables_name_the_variable_and_source() {
        check_with(
            "[package.metadata.leptos]",
            "# x\nLEPTOS_RELOAD_PORT=abc",
            &[],
            r#"error: /ws/app/.env:2 LEPTOS_RELOAD_PORT: expected a port number, found "abc""#,
        );
        check_with(
            "[package.metadata.leptos]",
            "",
            &[("LEPTOS_HASH_FILES", "yes")],
            r#"error: environment variable LEPTOS_HASH_FILES: expected true or false, found "yes""#,
        );
        check_with(
            "[package.metadata.leptos]",
            "",
            &[("LEPTOS_SITE_ADDR", "3000")],
            r#"error: environment variable LEPTOS_SITE_ADDR: expected a socket address like "127.0.0.1:3000", found "3000""#,
        );
    }

    #[test]
    fn env_vars_for_the_builds_and_the_app() {
        let (table, source) =
            fixture("[package.metadata.leptos]\nserver-fn-prefix = \"/rpc\"\nenv = \"dev\"");
        let leptos = Leptos::from_table(&table, &source, None, &[]).unwrap_or_else(|e| panic!("{e}"));
        let vars = leptos.env_vars("127.0.0.1:41234".parse().unwrap_or_else(|e| panic!("{e}")), 3000);
        let rendered: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            rendered,
            [
                "LEPTOS_OUTPUT_NAME=my-app",
                "LEPTOS_SITE_ROOT=/ws/target/site",
                "LEPTOS_SITE_PKG_DIR=pkg",
                "LEPTOS_SITE_ADDR=127.0.0.1:41234",
                "LEPTOS_RELOAD_PORT=3000",
                "LEPTOS_HASH_FILES=false",
                "LEPTOS_ENV=dev",
                "LEPTOS_WATCH=true",
                "SERVER_FN_PREFIX=/rpc",
            ]
        );
    }
}

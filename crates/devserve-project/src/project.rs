//! The app's package as cargo describes it, and its Leptos configuration.

use std::path::{Path, PathBuf};

use cargo_metadata::{CrateType, Metadata, MetadataCommand, Package};
use serde_json::Value;

use crate::leptos::{Section, Source};
use crate::{DotEnv, Leptos, ProjectError};

/// Everything devserve needs to know about the app it serves, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The bin package's folder (where its `Cargo.toml` is), canonical.
    pub package_dir: PathBuf,
    /// The workspace root, canonical (the package folder for a package without a workspace).
    pub workspace_root: PathBuf,
    /// The bin package's name (cargo `-p`).
    pub package: String,
    /// The binary target to build and run: `bin-target`, else the package's `default-run`, else
    /// its binary named like the package, else its only binary.
    pub bin: String,
    /// [`Project::package_dir`] relative to [`Project::workspace_root`], `/`-separated, empty at
    /// the root. Leptos's view markers hold paths relative to the workspace root.
    pub prefix: String,
    /// cargo's target directory.
    pub target_dir: PathBuf,
    /// The Leptos configuration, when the package has `[package.metadata.leptos]` or a
    /// `[[workspace.metadata.leptos]]` entry is about it; `None` for a plain server app.
    pub leptos: Option<Leptos>,
    /// The names of the workspace's member packages (the user's own crates, as opposed to
    /// dependencies), in `cargo metadata`'s order.
    pub members: Vec<String>,
}

impl Project {
    /// Read the app in `dir` (a folder with a `Cargo.toml`): runs `cargo metadata --no-deps`, reads
    /// the Leptos configuration with its `.env`, and applies the `LEPTOS_*` variables of `env`
    /// (usually `std::env::vars().collect()`).
    ///
    /// Which configuration applies:
    /// - the package's `[package.metadata.leptos]`;
    /// - else the `[[workspace.metadata.leptos]]` entry whose `bin-package` or `lib-package` is the
    ///   package (the project is then its `bin-package`);
    /// - at the workspace root (virtual manifest or root package not named by an entry), the only
    ///   entry; several entries is an error, and a virtual manifest without entries too;
    /// - else none: a plain binary package.
    pub fn load(dir: &Path, env: &[(String, String)]) -> Result<Self, ProjectError> {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            return Err(ProjectError::NoManifest { dir: dir.to_owned() });
        }
        let metadata = MetadataCommand::new()
            .manifest_path(&manifest)
            .no_deps()
            .exec()
            .map_err(|source| ProjectError::Metadata { manifest: manifest.clone(), source })?;
        let manifest = canonical(&manifest)?;
        Self::from_metadata(&metadata, &manifest, env)
    }

    /// [`Project::load`] with `cargo metadata`'s output at hand: `manifest` is the canonical path
    /// of the `Cargo.toml` devserve was pointed at. Reads `.env` and `Cargo.lock`.
    pub fn from_metadata(
        metadata: &Metadata,
        manifest: &Path,
        env: &[(String, String)],
    ) -> Result<Self, ProjectError> {
        let workspace_root = canonical(metadata.workspace_root.as_std_path())?;
        let target_dir = metadata.target_directory.clone().into_std_path_buf();
        let members = metadata.workspace_packages();
        let mut here = None;
        for package in &members {
            if canonical(package.manifest_path.as_std_path())? == manifest {
                here = Some(*package);
            }
        }
        let workspace_manifest = workspace_root.join("Cargo.toml");
        let at_root = manifest.parent() == Some(workspace_root.as_path());

        let config = match here {
            Some(package) if package.metadata.get("leptos").is_some() => Some((
                &package.metadata["leptos"],
                manifest.to_owned(),
                Section::Package { name: package.name.to_string() },
            )),
            _ => workspace_entry(&metadata.workspace_metadata, &workspace_manifest, here, at_root)?
                .map(|entry| (entry, workspace_manifest.clone(), Section::Workspace)),
        };

        let (package, leptos) = match config {
            None => {
                let package =
                    here.ok_or_else(|| ProjectError::VirtualManifest { manifest: manifest.to_owned() })?;
                (package, None)
            }
            Some((table, config_manifest, section)) => {
                let source = Source {
                    manifest: config_manifest,
                    section,
                    workspace_root: workspace_root.clone(),
                    target_dir: target_dir.clone(),
                };
                let config_dir = source.manifest.parent().unwrap_or(&workspace_root);
                let dotenv = DotEnv::find(config_dir, &workspace_root)?;
                let mut leptos = Leptos::from_table(table, &source, dotenv.as_ref(), env)?;
                let member = |name: &str, key: &'static str| {
                    members.iter().copied().find(|p| p.name.as_str() == name).ok_or_else(|| {
                        ProjectError::UnknownPackage { origin: source.origin(), key, name: name.to_owned() }
                    })
                };
                let bin_package = member(&leptos.bin.package, "bin-package")?;
                let lib_package = member(&leptos.lib.package, "lib-package")?;
                leptos.lib_target = lib_package
                    .targets
                    .iter()
                    .find(|t| t.crate_types.contains(&CrateType::CDyLib))
                    .map(|t| t.name.clone());
                if leptos.wasm_bindgen_version.is_none() {
                    leptos.wasm_bindgen_version = read_wasm_bindgen_version(&workspace_root);
                }
                (bin_package, Some(leptos))
            }
        };

        let bin = pick_bin(package, leptos.as_ref().and_then(|l| l.bin_target.as_deref()))?;
        let package_manifest = canonical(package.manifest_path.as_std_path())?;
        let package_dir = package_manifest.parent().unwrap_or(&workspace_root).to_path_buf();
        let prefix = package_dir
            .strip_prefix(&workspace_root)
            .map(|rel| {
                rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
            })
            .unwrap_or_default();
        Ok(Self {
            package_dir,
            workspace_root,
            package: package.name.to_string(),
            bin,
            prefix,
            target_dir,
            leptos,
            members: members.iter().map(|p| p.name.to_string()).collect(),
        })
    }

    /// The packages that hold the app's own code, each once: the bin package, the Leptos lib
    /// package, then the workspace's other members (a workspace's shared `app` crate). What
    /// `--debug-info` builds with debug info.
    pub fn own_packages(&self) -> Vec<String> {
        let lib = self.leptos.as_ref().map(|l| l.lib.package.clone());
        let mut own: Vec<String> = Vec::new();
        for name in std::iter::once(self.package.clone()).chain(lib).chain(self.members.iter().cloned()) {
            if !own.contains(&name) {
                own.push(name);
            }
        }
        own
    }

    /// The path the view engine gets for a file at `rel` in the package (`src/app.rs`): relative
    /// to the workspace root, like the paths rustc sees.
    pub fn source_path(&self, rel: &str) -> String {
        if self.prefix.is_empty() { rel.to_owned() } else { format!("{}/{rel}", self.prefix) }
    }

    /// Whether devserve builds a front end: the app has a Leptos configuration and its lib package
    /// has a `cdylib` target (a hydrated or CSR app). Without one the app is served as SSR only.
    /// (cargo-leptos refuses a configuration without a cdylib; devserve treats it as SSR only.)
    pub fn has_front(&self) -> bool {
        self.leptos.as_ref().is_some_and(|l| l.lib_target.is_some())
    }
}

fn canonical(path: &Path) -> Result<PathBuf, ProjectError> {
    path.canonicalize().map_err(|source| ProjectError::Io { path: path.to_owned(), source })
}

/// The `[[workspace.metadata.leptos]]` entry that applies to `here` (the package devserve was
/// pointed at, `None` for a virtual manifest), if any.
fn workspace_entry<'a>(
    workspace_metadata: &'a Value,
    workspace_manifest: &Path,
    here: Option<&Package>,
    at_root: bool,
) -> Result<Option<&'a Value>, ProjectError> {
    let entries: &[Value] = match workspace_metadata.get("leptos") {
        None => &[],
        Some(Value::Array(entries)) => entries,
        // cargo-leptos silently ignores a `[workspace.metadata.leptos]` table; say it.
        Some(other) => {
            return Err(ProjectError::Value {
                origin: format!("{}:", workspace_manifest.display()),
                key: "workspace.metadata.leptos".to_owned(),
                expected: "an array of tables ([[workspace.metadata.leptos]])",
                found: other.to_string(),
            });
        }
    };
    let key = |entry: &'a Value, key: &str| entry.get(key).and_then(Value::as_str);
    let name = here.map(|p| p.name.as_str());
    let mut candidates: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            name.is_some_and(|n| key(e, "bin-package") == Some(n) || key(e, "lib-package") == Some(n))
        })
        .collect();
    if candidates.is_empty() && (here.is_none() || at_root) {
        candidates = entries.iter().collect();
    }
    match candidates.as_slice() {
        [] => Ok(None),
        [entry] => Ok(Some(entry)),
        several => Err(ProjectError::SeveralProjects {
            manifest: workspace_manifest.to_owned(),
            names: several.iter().map(|e| key(e, "name").unwrap_or("?").to_owned()).collect(),
        }),
    }
}

/// The binary of `package` to run: `requested` (`bin-target`), else `default-run`, else the one
/// named like the package, else the only one.
fn pick_bin(package: &Package, requested: Option<&str>) -> Result<String, ProjectError> {
    let bins: Vec<&str> = package.targets.iter().filter(|t| t.is_bin()).map(|t| t.name.as_str()).collect();
    let owned = |bins: &[&str]| bins.iter().map(|b| (*b).to_owned()).collect::<Vec<_>>();
    if bins.is_empty() {
        return Err(ProjectError::NoBinTarget { package: package.name.to_string() });
    }
    if let Some(requested) = requested {
        return if bins.contains(&requested) {
            Ok(requested.to_owned())
        } else {
            Err(ProjectError::UnknownBinTarget {
                package: package.name.to_string(),
                target: requested.to_owned(),
                available: owned(&bins),
            })
        };
    }
    let preferred = [package.default_run.as_deref(), Some(package.name.as_str())];
    if let Some(bin) = preferred.into_iter().flatten().find(|b| bins.contains(b)) {
        return Ok(bin.to_owned());
    }
    match bins.as_slice() {
        [only] => Ok((*only).to_owned()),
        _ => Err(ProjectError::SeveralBinTargets { package: package.name.to_string(), bins: owned(&bins) }),
    }
}

/// The `wasm-bindgen` version in the workspace's `Cargo.lock`, as cargo-leptos finds it: the
/// first `wasm-bindgen` package listed (the lowest version if there are several).
fn read_wasm_bindgen_version(workspace_root: &Path) -> Option<String> {
    let path = workspace_root.join("Cargo.lock");
    let text = std::fs::read_to_string(&path).ok()?;
    let version = wasm_bindgen_in_lock(&text);
    tracing::debug!(path = %path.display(), ?version, "wasm-bindgen in Cargo.lock");
    version
}

fn wasm_bindgen_in_lock(lock: &str) -> Option<String> {
    let lock: toml::Table = lock.parse().ok()?;
    lock.get("package")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(toml::Value::as_str) == Some("wasm-bindgen"))?
        .get("version")?
        .as_str()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A workspace on disk: `(path, content)` files under a temp dir.
    fn tree(files: &[(&str, &str)]) -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        for (path, content) in files {
            let path = dir.path().join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, content)?;
        }
        Ok(dir)
    }

    const MAIN: &str = "fn main() {}";
    const LIB: &str = "";

    #[test]
    fn plain_binary_package() -> TestResult {
        let dir = tree(&[
            ("Cargo.toml", "[package]\nname = \"plain-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/main.rs", MAIN),
        ])?;
        let project = Project::load(dir.path(), &[])?;
        let root = dir.path().canonicalize()?;
        assert_eq!(project.package_dir, root);
        assert_eq!(project.workspace_root, root);
        assert_eq!(project.package, "plain-app");
        assert_eq!(project.bin, "plain-app");
        assert_eq!(project.prefix, "");
        assert_eq!(project.leptos, None);
        assert!(!project.has_front());
        assert_eq!(project.source_path("src/main.rs"), "src/main.rs");
        assert_eq!(project.own_packages(), ["plain-app"]);
        Ok(())
    }

    #[test]
    fn leptos_package_with_dotenv_and_lock() -> TestResult {
        let dir = tree(&[
            (
                "Cargo.toml",
                r#"
[package]
name = "my-app"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["cdylib", "rlib"]

[package.metadata.leptos]
output-name = "my_app"
site-root = "target/site"
style-file = "style/main.scss"
bin-features = ["ssr"]
lib-features = ["hydrate"]
"#,
            ),
            ("src/main.rs", MAIN),
            ("src/lib.rs", LIB),
            (".env", "LEPTOS_SITE_ADDR=127.0.0.1:4000\nLEPTOS_OUTPUT_NAME=from_dotenv\n"),
            (
                "Cargo.lock",
                "version = 4\n\n[[package]]\nname = \"my-app\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.100\"\n",
            ),
        ])?;
        let env = [("LEPTOS_OUTPUT_NAME".to_owned(), "from_env".to_owned())];
        let project = Project::load(dir.path(), &env)?;
        let root = dir.path().canonicalize()?;
        let leptos = project.leptos.as_ref().ok_or("no leptos config")?;
        assert_eq!(leptos.output_name, "from_env");
        assert_eq!(leptos.site_addr.to_string(), "127.0.0.1:4000");
        assert_eq!(leptos.site_root, root.join("target/site"));
        assert_eq!(leptos.style_file, Some(root.join("style/main.scss")));
        assert_eq!(leptos.bin.features, ["ssr"]);
        assert_eq!(leptos.lib.package, "my-app");
        assert_eq!(leptos.lib_target.as_deref(), Some("my_app"));
        assert_eq!(leptos.wasm_bindgen_version.as_deref(), Some("0.2.100"));
        assert_eq!(project.bin, "my-app");
        assert!(project.has_front());
        // Its bin and lib are one package.
        assert_eq!(project.own_packages(), ["my-app"]);
        Ok(())
    }

    #[test]
    fn ssr_only_package_has_no_front() -> TestResult {
        let dir = tree(&[
            (
                "Cargo.toml",
                "[package]\nname = \"ssr\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[package.metadata.leptos]\n",
            ),
            ("src/main.rs", MAIN),
            ("src/lib.rs", LIB),
        ])?;
        let project = Project::load(dir.path(), &[])?;
        let leptos = project.leptos.as_ref().ok_or("no leptos config")?;
        assert_eq!(leptos.lib_target, None);
        assert_eq!(leptos.wasm_bindgen_version, None);
        assert!(!project.has_front());
        Ok(())
    }

    const WORKSPACE: &[(&str, &str)] = &[
        (
            "Cargo.toml",
            r#"
[workspace]
members = ["crates/server", "crates/front"]
resolver = "2"

[[workspace.metadata.leptos]]
name = "site"
bin-package = "server"
lib-package = "front"
style-file = "style/main.scss"
"#,
        ),
        (
            "crates/server/Cargo.toml",
            "[package]\nname = \"server\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        ),
        ("crates/server/src/main.rs", MAIN),
        (
            "crates/front/Cargo.toml",
            "[package]\nname = \"front\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[lib]\ncrate-type = [\"cdylib\"]\n",
        ),
        ("crates/front/src/lib.rs", LIB),
        ("crates/server/.env", "LEPTOS_RELOAD_PORT=4001"),
        (".env", "LEPTOS_RELOAD_PORT=5001"),
    ];

    #[test]
    fn workspace_entry_from_the_virtual_root_or_a_member() -> TestResult {
        let dir = tree(WORKSPACE)?;
        let root = dir.path().canonicalize()?;
        for folder in ["", "crates/server", "crates/front"] {
            let project = Project::load(&dir.path().join(folder), &[])?;
            assert_eq!(project.package, "server", "from {folder:?}");
            assert_eq!(project.bin, "server");
            assert_eq!(project.package_dir, root.join("crates/server"));
            assert_eq!(project.prefix, "crates/server");
            assert_eq!(project.source_path("src/main.rs"), "crates/server/src/main.rs");
            let leptos = project.leptos.as_ref().ok_or("no leptos config")?;
            assert_eq!(leptos.output_name, "site");
            assert_eq!(leptos.lib.package, "front");
            assert_eq!(leptos.lib_target.as_deref(), Some("front"));
            // Workspace entries resolve against the workspace root, and read its `.env`.
            assert_eq!(leptos.style_file, Some(root.join("style/main.scss")));
            assert_eq!(leptos.reload_port, 5001);
            assert!(project.has_front());
            assert_eq!(project.own_packages(), ["server", "front"], "from {folder:?}");
        }
        Ok(())
    }

    #[test]
    fn virtual_manifest_without_leptos_entries_is_an_error() -> TestResult {
        let dir = tree(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n"),
            ("app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("app/src/main.rs", MAIN),
        ])?;
        let error = Project::load(dir.path(), &[]).err().ok_or("loaded")?;
        assert!(matches!(error, ProjectError::VirtualManifest { .. }), "{error}");
        assert!(error.to_string().contains("run devserve in the app's package folder"), "{error}");

        // The member itself loads, with the prefix of its folder.
        let project = Project::load(&dir.path().join("app"), &[])?;
        assert_eq!(project.prefix, "app");
        Ok(())
    }

    #[test]
    fn several_workspace_entries_at_the_root_is_an_error() -> TestResult {
        let mut files = WORKSPACE.to_vec();
        let manifest = format!(
            "{}\n[[workspace.metadata.leptos]]\nname = \"other\"\nbin-package = \"x\"\nlib-package = \"y\"\n",
            WORKSPACE[0].1
        );
        files[0] = ("Cargo.toml", &manifest);
        let dir = tree(&files)?;
        let error = Project::load(dir.path(), &[]).err().ok_or("loaded")?;
        assert!(error.to_string().contains("several Leptos projects (site, other)"), "{error}");
        // In the member's folder, its entry is the one.
        assert_eq!(Project::load(&dir.path().join("crates/server"), &[])?.package, "server");
        Ok(())
    }

    #[test]
    fn package_without_binary_is_an_error() -> TestResult {
        let dir = tree(&[
            ("Cargo.toml", "[package]\nname = \"just-lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/lib.rs", LIB),
        ])?;
        let error = Project::load(dir.path(), &[]).err().ok_or("loaded")?;
        assert_eq!(
            error.to_string(),
            "package `just-lib` has no binary target to run (devserve serves a server binary)"
        );
        Ok(())
    }

    #[test]
    fn binary_choice() -> TestResult {
        let package = |extra: &str| {
            format!("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n{extra}\n")
        };
        let cases = [
            ("", Ok("app")),
            ("default-run = \"tool\"", Ok("tool")),
            ("[package.metadata.leptos]\nbin-target = \"tool\"", Ok("tool")),
            (
                "[package.metadata.leptos]\nbin-target = \"nope\"",
                Err("bin-target `nope` is not a binary of package `app` (it has: app, tool)"),
            ),
        ];
        for (extra, expected) in cases {
            let manifest = package(extra);
            let dir = tree(&[("Cargo.toml", &manifest), ("src/main.rs", MAIN), ("src/bin/tool.rs", MAIN)])?;
            let actual = Project::load(dir.path(), &[]).map(|p| p.bin).map_err(|e| e.to_string());
            assert_eq!(actual.as_deref().map_err(String::as_str), expected, "for {extra:?}");
        }

        // Two binaries, none named like the package.
        let manifest = package("");
        let dir = tree(&[("Cargo.toml", &manifest), ("src/bin/a.rs", MAIN), ("src/bin/b.rs", MAIN)])?;
        let error = Project::load(dir.path(), &[]).err().ok_or("loaded")?;
        assert!(matches!(error, ProjectError::SeveralBinTargets { .. }), "{error}");
        Ok(())
    }

    #[test]
    fn malformed_value_names_the_manifest() -> TestResult {
        let dir = tree(&[
            (
                "Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[package.metadata.leptos]\nreload-port = \"abc\"\n",
            ),
            ("src/main.rs", MAIN),
        ])?;
        let error = Project::load(dir.path(), &[]).err().ok_or("loaded")?;
        let manifest = dir.path().canonicalize()?.join("Cargo.toml");
        assert_eq!(
            error.to_string(),
            format!(
                "{}: [package.metadata.leptos] reload-port: expected a port number, found \"abc\"",
                manifest.display()
            )
        );
        Ok(())
    }

    #[test]
    fn missing_manifest_is_an_error() -> TestResult {
        let dir = tempfile::tempdir()?;
        let error = Project::load(dir.path(), &[]).err().ok_or("loaded")?;
        assert!(matches!(error, ProjectError::NoManifest { .. }), "{error}");
        Ok(())
    }

    #[test]
    fn wasm_bindgen_version_from_lock_text() {
        let lock = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.99"

[[package]]
name = "wasm-bindgen"
version = "0.2.100"

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.101"
"#;
        assert_eq!(wasm_bindgen_in_lock(lock).as_deref(), Some("0.2.99"));
        assert_eq!(wasm_bindgen_in_lock("version = 4\n").as_deref(), None);
        assert_eq!(wasm_bindgen_in_lock("not toml [").as_deref(), None);
    }
}

//! What devserve needs to know about the app it serves, read with `cargo metadata`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use cargo_metadata::{MetadataCommand, TargetKind};

/// The app's package, as cargo and cargo-leptos describe it.
#[derive(Debug, Clone)]
pub(crate) struct AppInfo {
    /// The package's folder (where its Cargo.toml is): the root devserve watches.
    pub(crate) package_dir: PathBuf,
    /// The package name.
    pub(crate) package: String,
    /// The binary target devserve builds and runs.
    pub(crate) bin: String,
    /// The package folder relative to the workspace root, `/`-separated, empty when the package is
    /// the workspace root. Leptos's marker ids use paths relative to the workspace root.
    pub(crate) prefix: String,
    /// cargo's target directory for the app (devserve builds under `<it>/devserve/<profile>`).
    pub(crate) target_dir: PathBuf,
}

impl AppInfo {
    /// Read the package in `dir`.
    pub(crate) fn load(dir: &Path) -> anyhow::Result<Self> {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            bail!(
                "{} has no Cargo.toml: run devserve in a Leptos app's folder or pass --app DIR",
                dir.display()
            );
        }
        let metadata = MetadataCommand::new()
            .manifest_path(&manifest)
            .no_deps()
            .exec()
            .with_context(|| format!("cargo metadata failed for {}", manifest.display()))?;
        let manifest = manifest.canonicalize().context("cannot resolve the app's Cargo.toml")?;
        let package =
            metadata.packages.iter().find(|p| p.manifest_path.as_std_path() == manifest).with_context(
                || {
                    format!(
                        "{} is a virtual workspace manifest: run devserve in the app's package folder",
                        manifest.display()
                    )
                },
            )?;
        let bin = package
            .targets
            .iter()
            .find(|t| t.kind.contains(&TargetKind::Bin))
            .with_context(|| format!("package `{}` has no binary target to run", package.name))?;
        let package_dir = manifest.parent().context("Cargo.toml has no folder")?.to_path_buf();
        let prefix = package_dir
            .strip_prefix(metadata.workspace_root.as_std_path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        Ok(Self {
            package_dir,
            package: package.name.to_string(),
            bin: bin.name.clone(),
            prefix,
            target_dir: metadata.target_directory.clone().into_std_path_buf(),
        })
    }

    /// The path the view engine gets for a file at `rel` in the package: relative to the workspace
    /// root, like the paths rustc sees.
    pub(crate) fn source_path(&self, rel: &str) -> String {
        if self.prefix.is_empty() { rel.to_owned() } else { format!("{}/{rel}", self.prefix) }
    }
}

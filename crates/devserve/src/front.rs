//! The wasm front end of a hydrated cargo-leptos app: its cargo build (beside the server's, in its
//! own target folder, always LLVM), wasm-bindgen into a staging folder, and the switch of the
//! site's pkg files, done together with the server's restart so that no page gets new server
//! HTML with old wasm or the reverse.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use devserve_build::{BinaryHash, BuildEvent, BuildProfile, BuildRequest, Builder, WASM_TARGET};
use devserve_project::{Leptos, Project};
use tokio::sync::OnceCell;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::app_runner::Switch;

/// The wasm-bindgen CLI, resolved (and installed if need be) once per session.
type Tool = Arc<OnceCell<Result<PathBuf, String>>>;

/// wasm-bindgen ran for a front build: the files wait in the staging folder.
#[derive(Debug)]
pub(crate) struct Bound {
    /// The build.
    pub(crate) id: u64,
    /// The staged files, or why there are none.
    pub(crate) result: Result<Staged, String>,
}

/// The output of one front build, ready to be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Staged {
    dir: PathBuf,
    wasm_hash: BinaryHash,
}

/// Builds and publishes the front end.
pub(crate) struct Front {
    builder: Builder,
    profile: BuildProfile,
    manifest_dir: PathBuf,
    package: String,
    features: Vec<String>,
    target_dir: PathBuf,
    env: Vec<(String, String)>,
    output_name: String,
    pkg_dir: PathBuf,
    bindgen_version: Option<String>,
    tool: Tool,
    bound_tx: UnboundedSender<Bound>,
    /// The wasm the published files come from.
    published: Option<BinaryHash>,
}

impl Front {
    /// The front of `project` (`None` for an app without a wasm front end), its build events
    /// and the channel on which wasm-bindgen's results arrive.
    pub(crate) fn new(
        project: &Project,
        profile: BuildProfile,
        env: Vec<(String, String)>,
    ) -> Option<(Front, UnboundedReceiver<BuildEvent>, UnboundedReceiver<Bound>)> {
        let leptos = project.leptos.as_ref().filter(|_| project.has_front())?;
        let (builder, events) = Builder::new();
        let (bound_tx, bound_rx) = tokio::sync::mpsc::unbounded_channel();
        let front = Front {
            builder,
            manifest_dir: project.package_dir.clone(),
            package: leptos.lib.package.clone(),
            features: feature_args(leptos),
            target_dir: project.target_dir.join("devserve").join(&profile.name),
            profile,
            env,
            output_name: leptos.output_name.clone(),
            pkg_dir: leptos.pkg_dir(),
            bindgen_version: leptos.wasm_bindgen_version.clone(),
            tool: Tool::default(),
            bound_tx,
            published: None,
        };
        Some((front, events, bound_rx))
    }

    /// Makes sure the wasm target is installed for the app's toolchain (before the first front
    /// build), and resolves the matching wasm-bindgen in the background: installing it can take
    /// minutes, so it runs beside the first build.
    pub(crate) async fn prepare(&self) {
        if let Err(err) = devserve_build::ensure_wasm_target(&self.manifest_dir, None).await {
            crate::ui::error(&format!("{err}"));
        }
        let (tool, version) = (self.tool.clone(), self.bindgen_version.clone());
        tokio::spawn(async move {
            if let Err(err) = resolve_tool(&tool, version).await {
                crate::ui::error(&err);
            }
        });
    }

    /// Starts the front build `id`, cancelling the one under way.
    pub(crate) fn start(&self, id: u64) {
        let mut extra_args = vec!["--target".to_owned(), WASM_TARGET.to_owned()];
        extra_args.extend(self.features.iter().cloned());
        self.builder.start(BuildRequest {
            id,
            manifest_dir: self.manifest_dir.clone(),
            package: Some(self.package.clone()),
            bin: None,
            wasm_lib: true,
            profile: self.profile.clone(),
            env: self.env.clone(),
            extra_args,
            target_dir: self.target_dir.clone(),
        });
    }

    /// Cancels the front build under way.
    pub(crate) fn cancel(&self) {
        self.builder.cancel();
    }

    /// Whether `hash` is the wasm the site already serves.
    pub(crate) fn is_published(&self, hash: BinaryHash) -> bool {
        self.published == Some(hash)
    }

    /// Runs wasm-bindgen on the wasm of build `id` into a staging folder, in the background; the
    /// result arrives as a [`Bound`].
    pub(crate) fn bind(&self, id: u64, wasm: PathBuf, wasm_hash: BinaryHash) {
        let (tool, version) = (self.tool.clone(), self.bindgen_version.clone());
        let dir = self.target_dir.join("staging").join(format!("b{id}"));
        let name = self.output_name.clone();
        let tx = self.bound_tx.clone();
        tokio::spawn(async move {
            let result = async {
                let tool = resolve_tool(&tool, version).await?;
                let _ = std::fs::remove_dir_all(&dir);
                devserve_build::run_wasm_bindgen(&tool, &wasm, &dir, &name)
                    .await
                    .map_err(|err| format!("wasm-bindgen failed: {err}"))?;
                Ok(Staged { dir, wasm_hash })
            }
            .await;
            let _ = tx.send(Bound { id, result });
        });
    }

    /// The switch to the staged files, run while no app answers (see [`crate::app_runner`]):
    /// moves them into the site's pkg folder.
    pub(crate) fn switch(&self, staged: &Staged) -> Switch {
        let (staged, pkg_dir, name) = (staged.dir.clone(), self.pkg_dir.clone(), self.output_name.clone());
        Box::new(move || {
            if let Err(err) = publish(&staged, &pkg_dir, &name) {
                crate::ui::error(&format!(
                    "cannot write the wasm front end into {}: {err}",
                    pkg_dir.display()
                ));
            }
        })
    }

    /// The site serves the files of `staged` now.
    pub(crate) fn published(&mut self, staged: &Staged) {
        self.published = Some(staged.wasm_hash);
    }
}

/// Moves the staged files into the site's pkg folder: `<output>.js` and `<output>.wasm` (what
/// Leptos's `<HydrationScripts/>` asks for when `LEPTOS_OUTPUT_NAME` is set), each by an atomic
/// rename so a request never sees half a file.
fn publish(staged: &Path, pkg_dir: &Path, name: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(pkg_dir)?;
    let moves =
        [(format!("{name}_bg.wasm"), format!("{name}.wasm")), (format!("{name}.js"), format!("{name}.js"))];
    for (from, to) in moves {
        let from = staged.join(from);
        if from.exists() {
            std::fs::rename(&from, pkg_dir.join(to))?;
        }
    }
    let snippets = staged.join("snippets");
    if snippets.exists() {
        let target = pkg_dir.join("snippets");
        let _ = std::fs::remove_dir_all(&target);
        std::fs::rename(snippets, target)?;
    }
    let _ = std::fs::remove_dir_all(staged);
    Ok(())
}

/// `--no-default-features`, `--features=a,b` and `--profile=<lib-profile-dev>` for the lib side.
fn feature_args(leptos: &Leptos) -> Vec<String> {
    let mut args = Vec::new();
    if !leptos.lib.default_features {
        args.push("--no-default-features".to_owned());
    }
    if !leptos.lib.features.is_empty() {
        args.push(format!("--features={}", leptos.lib.features.join(",")));
    }
    if let Some(profile) = &leptos.lib.profile_dev {
        args.push(format!("--profile={profile}"));
    }
    args
}

/// The wasm-bindgen CLI matching the app's Cargo.lock, resolved once.
async fn resolve_tool(tool: &Tool, version: Option<String>) -> Result<PathBuf, String> {
    tool.get_or_init(|| async move {
        let Some(version) = version else {
            return Err("the app's Cargo.lock has no wasm-bindgen: add the `wasm-bindgen` dependency \
                        of a hydrated Leptos app and run `cargo generate-lockfile`"
                .to_owned());
        };
        let Some(cache) = devserve_build::default_cache_dir() else {
            return Err("no home folder to install wasm-bindgen-cli into".to_owned());
        };
        // devserve-build says what it decided (a matching one on PATH, the cache, an install).
        let result = devserve_build::ensure_wasm_bindgen(&version, &cache, |line| {
            tracing::debug!(target: "devserve::install", "{line}");
        })
        .await;
        result.map_err(|err| err.to_string())
    })
    .await
    .clone()
}

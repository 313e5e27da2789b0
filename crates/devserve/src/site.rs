//! The site folder of a cargo-leptos app besides the wasm: the style-file compiled to
//! `<site-root>/<pkg>/<output-name>.css`, and the assets-dir kept in sync with site-root.

use std::path::{Path, PathBuf};

use devserve_project::Leptos;
use devserve_styles::{Assets, StyleError, Stylesheet};

/// Styles and assets of one app.
pub(crate) struct Site {
    style: Option<Style>,
    assets: Option<Assets>,
    /// The stylesheet as pages link it (`/pkg/app.css`).
    pub(crate) css_href: String,
}

struct Style {
    file: PathBuf,
    out: PathBuf,
    /// Files the last compile read (successful or not): a save of any of them recompiles.
    inputs: Vec<PathBuf>,
}

/// What a style compile did.
pub(crate) enum StyleOutcome {
    /// New CSS was written.
    Written,
    /// The CSS is the same as before.
    Unchanged,
    /// The style-file does not compile: the last good CSS stays.
    Failed(String),
}

impl Site {
    /// The site of `leptos`.
    pub(crate) fn new(leptos: &Leptos) -> Site {
        let style = leptos.style_file.as_ref().map(|file| Style {
            file: file.clone(),
            out: leptos.css_file(),
            inputs: vec![file.clone()],
        });
        let assets = leptos
            .assets_dir
            .as_ref()
            .map(|dir| Assets::new(dir, &leptos.site_root).reserve(Path::new(&leptos.site_pkg_dir)));
        let css_href = format!("/{}/{}.css", leptos.site_pkg_dir.trim_matches('/'), leptos.output_name);
        Site { style, assets, css_href }
    }

    /// Whether a save of `path` needs the stylesheet compiled again.
    pub(crate) fn is_style_input(&self, path: &Path) -> bool {
        let Some(style) = &self.style else { return false };
        let sass = matches!(path.extension().and_then(|e| e.to_str()), Some("scss" | "sass"));
        // A partial that the last (failed) compile did not reach yet may be what fixes it.
        sass || style.inputs.iter().any(|input| same_file(input, path))
    }

    /// Compiles the style-file (if there is one) and writes the CSS when it changed.
    pub(crate) fn compile_style(&mut self) -> Option<StyleOutcome> {
        let style = self.style.as_mut()?;
        Some(match devserve_styles::compile(&style.file) {
            Ok(sheet) => {
                style.inputs.clone_from(&sheet.inputs);
                match write_if_changed(&style.out, &sheet) {
                    Ok(true) => StyleOutcome::Written,
                    Ok(false) => StyleOutcome::Unchanged,
                    Err(err) => StyleOutcome::Failed(format!("cannot write {}: {err}", style.out.display())),
                }
            }
            Err(err) => {
                if !err.inputs().is_empty() {
                    style.inputs = err.inputs().to_vec();
                }
                StyleOutcome::Failed(describe(&err))
            }
        })
    }

    /// Copies the whole assets folder into site-root.
    pub(crate) fn sync_assets(&mut self) -> Result<bool, String> {
        let Some(assets) = &mut self.assets else { return Ok(false) };
        assets.sync_all().map(|report| report.changed()).map_err(|err| err.to_string())
    }

    /// Brings one changed, added or deleted path of the assets folder over.
    pub(crate) fn sync_asset(&mut self, path: &Path) -> Result<bool, String> {
        let Some(assets) = &mut self.assets else { return Ok(false) };
        assets.sync_path(path).map(|report| report.changed()).map_err(|err| err.to_string())
    }
}

fn describe(err: &StyleError) -> String {
    format!("style error: {err}")
}

fn write_if_changed(out: &Path, sheet: &Stylesheet) -> std::io::Result<bool> {
    if std::fs::read(out).is_ok_and(|old| old == sheet.css.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = out.with_extension("css.devserve-tmp");
    std::fs::write(&tmp, &sheet.css)?;
    std::fs::rename(&tmp, out)?;
    Ok(true)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

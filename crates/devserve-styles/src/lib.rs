//! Styles and assets of a cargo-leptos project, the way devserve serves them in development.
//!
//! - [`compile`] turns the style file (`style-file`) into a [`Stylesheet`]: plain CSS passed
//!   through, Sass/SCSS compiled in-process with grass (no external binary), plus the list of
//!   every file the compile read so that a saved partial can be traced to it
//!   ([`Stylesheet::is_input`]). A Sass error is a [`StyleError`] with file, line and column,
//!   shown as `path:line:col: message`.
//! - [`Assets`] mirrors the assets folder (`assets-dir`) into the site root (`site-root`): it
//!   copies the folder's contents, removes what it copied once the source is gone, and never
//!   touches anything else there (`pkg/` and whatever the builds write), nor anything outside it.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! std::fs::create_dir(dir.path().join("style"))?;
//! std::fs::write(dir.path().join("style/main.scss"), "@use 'colors';\nh1 { color: colors.$brand; }\n")?;
//! std::fs::write(dir.path().join("style/_colors.scss"), "$brand: #0a7;\n")?;
//!
//! let sheet = devserve_styles::compile(&dir.path().join("style/main.scss"))?;
//! assert_eq!(sheet.css, "h1 {\n  color: #0a7;\n}\n");
//! assert!(sheet.is_input(&dir.path().join("style/_colors.scss")));
//!
//! std::fs::create_dir(dir.path().join("assets"))?;
//! std::fs::write(dir.path().join("assets/favicon.ico"), "icon")?;
//! let mut assets = devserve_styles::Assets::new(&dir.path().join("assets"), &dir.path().join("site"))
//!     .reserve(std::path::Path::new("pkg"));
//! let report = assets.sync_all()?;
//! assert_eq!(report.copied, [std::path::PathBuf::from("favicon.ico")]);
//! assert_eq!(std::fs::read(dir.path().join("site/favicon.ico"))?, b"icon");
//! # Ok(())
//! # }
//! ```

mod assets;
mod style;

pub use assets::{AssetAction, AssetError, Assets, SkipReason, Skipped, SyncReport, sync_all};
pub use style::{StyleError, Stylesheet, compile};

//! The pure core of devserve: find every `view!` in a Rust source file, model it as a
//! [`ViewTree`], diff two trees into [`PatchOp`]s, render static subtrees to HTML, and classify a
//! file change as no change, a hot patch or a rebuild.
//!
//! This crate does no I/O and never fails: it returns what it understood plus the errors it
//! collected.
//!
//! - [`extract`] parses a file into [`FileViews`]: every view with its identity, marker id, tree
//!   and the file's code skeleton.
//! - [`extract_from`] does the same for a new version of a file, re-extracting only the view
//!   that holds the edit when it can (what devserve runs on every save).
//! - [`classify`] compares a file's new source with the last build's [`FileViews`].
//! - [`diff`] turns two trees into template operations; [`apply`] is their reference semantics.
//! - [`render_html`] renders a static subtree the way Leptos SSR does.
//!
//! ```
//! let old = devserve_view::extract("src/app.rs", r#"fn app() -> impl IntoView { view! { <p>"Hello"</p> } }"#);
//! let change = devserve_view::classify(&old, r#"fn app() -> impl IntoView { view! { <p>"Hi"</p> } }"#);
//! assert!(matches!(change, devserve_view::Change::Patch(_)));
//! ```

mod apply;
mod classify;
mod content;
mod diff;
mod expr;
mod extract;
mod fingerprint;
mod incremental;
mod items;
mod literal;
mod markup;
mod model;
mod parse;
mod render;
mod scan;
mod shape;
mod skeleton;
mod source;
mod template;
#[cfg(test)]
mod test_trees;

pub use apply::{ApplyError, apply};
pub use classify::{Change, RebuildKind, RebuildReason, classify, classify_from};
pub use devserve_protocol::{PatchOp, TemplateNode, TemplatePath, ViewPatch};
pub use diff::{NotPatchable, diff};
pub use extract::{extract, syntax_error};
pub use incremental::extract_from;
pub use model::{Attr, Component, Element, FileViews, Hole, Node, Pos, View, ViewError, ViewTree};
pub use render::render_html;
pub use skeleton::Skeleton;
pub use template::template;

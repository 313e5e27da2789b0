//! Decide what a file change means: nothing, a hot patch, or a rebuild.

use crate::{FileViews, Pos, ViewPatch};

/// Why a change needs a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RebuildKind {
    /// Code outside or inside a view changed.
    Code,
    /// Views were added or removed.
    ViewCount,
    /// The file or a view does not parse: devserve keeps the last good state and shows the error
    /// instead of building.
    ParseError,
}

/// A rebuild reason in words and location: "`{count}` block changed at src/app.rs:42:17".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RebuildReason {
    /// The kind of reason.
    pub kind: RebuildKind,
    /// The sentence for the terminal.
    pub message: String,
    /// Where, in the new source.
    pub pos: Option<Pos>,
}

/// What a file change means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The compiled program would not change (whitespace, comments outside views).
    None,
    /// Only static markup changed: these patches make the page show the new source.
    Patch(Vec<ViewPatch>),
    /// The program changed: rebuild.
    Rebuild(RebuildReason),
}

/// Classify `new_source` against the last build.
pub fn classify(last_build: &FileViews, new_source: &str) -> Change {
    let new = crate::extract(&last_build.path, new_source);
    classify_from(last_build, last_build, &new)
}

/// Classify `new` against the last build, with patches relative to `shown` (what pages show now,
/// after earlier patches; equal to `last_build` when nothing was patched since).
pub fn classify_from(last_build: &FileViews, shown: &FileViews, new: &FileViews) -> Change {
    let _ = (last_build, shown, new);
    Change::None // TODO(parser helper)
}

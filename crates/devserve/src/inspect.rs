//! `devserve views` and `devserve diff`: debugging aids that print what the view engine sees.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print every view of `files` as JSON lines.
pub(crate) fn views(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let _ = files;
    anyhow::bail!("not implemented yet") // TODO(parser helper)
}

/// Print the classification of OLD -> NEW as one JSON object.
pub(crate) fn diff(old: &Path, new: &Path) -> anyhow::Result<ExitCode> {
    let _ = (old, new);
    anyhow::bail!("not implemented yet") // TODO(parser helper)
}

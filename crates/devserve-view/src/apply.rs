//! Reference semantics of [`PatchOp`]s on a [`ViewTree`]: `apply(diff(a, b), a) == b`.

use crate::{PatchOp, ViewTree};

/// An operation did not fit the tree it was applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("patch operation {index} does not apply: {message}")]
pub struct ApplyError {
    /// Which operation.
    pub index: usize,
    /// Why.
    pub message: String,
}

/// Apply `ops` in order to a copy of `tree`.
pub fn apply(ops: &[PatchOp], tree: &ViewTree) -> Result<ViewTree, ApplyError> {
    let _ = ops;
    Ok(tree.clone()) // TODO(diff helper)
}

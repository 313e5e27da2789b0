//! The wire form of a view's static shape, for the client.

use crate::{TemplateNode, ViewTree};

/// The template the client matches against the DOM.
pub fn template(tree: &ViewTree) -> Vec<TemplateNode> {
    let _ = tree;
    Vec::new() // TODO(diff helper)
}

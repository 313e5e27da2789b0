//! Static HTML of a subtree, as Leptos SSR renders it.

use crate::Node;

/// Render a static node (no holes) to HTML.
pub fn render_html(node: &Node) -> String {
    let _ = node;
    String::new() // TODO(diff helper)
}

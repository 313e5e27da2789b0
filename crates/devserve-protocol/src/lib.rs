//! The data that crosses devserve's boundaries: the WebSocket messages between devserve and the
//! browser client, and the patch operations that the view engine produces and the client applies.
//!
//! Everything here is plain data with serde derives and no behaviour, so every other crate can
//! depend on it cheaply. The client script (`client-js/devserve-client.js`) mirrors these types in
//! one `switch`; unknown messages are ignored on both sides.
//!
//! ```
//! use devserve_protocol::{ServerMessage, PROTOCOL_VERSION};
//! let hello = ServerMessage::Hello { protocol: PROTOCOL_VERSION, build_id: "b1".into() };
//! let json = serde_json::to_string(&hello).unwrap();
//! assert_eq!(json, r#"{"type":"hello","protocol":1,"build_id":"b1"}"#);
//! ```

use serde::{Deserialize, Serialize};

/// Bumped whenever a message changes shape incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;

/// A path of child indices into a view's *template*: the first index picks a root node of the
/// view, each further index a child of the node before. Holes count as one child each.
pub type TemplatePath = Vec<usize>;

/// The static shape of a view as the client matches it against the DOM.
///
/// A view's template is a list of root nodes (a `view!` may have several roots).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "kebab-case")]
pub enum TemplateNode {
    /// An element with its static attributes. Dynamic attributes are not listed: they may have
    /// any value in the DOM.
    El {
        /// Tag name as written (`div`, `svg`, `my-widget`).
        tag: String,
        /// Static attributes in source order: `(name, value)`, `None` for a valueless attribute.
        attrs: Vec<(String, Option<String>)>,
        /// Child nodes (none when `content_prop` is set).
        children: Vec<TemplateNode>,
        /// The DOM property that gives the element its children, when one does: `innerHTML` for
        /// `inner_html=..` on an element Leptos builds, or the property of a `prop:innerHTML`,
        /// `prop:textContent` or `prop:innerText`. The element's children in the DOM are then
        /// not the view's: `children` is empty and the element matches whatever children it has.
        /// Left out of the JSON when `None`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content_prop: Option<String>,
    },
    /// Static text, exactly as written in the source (unescaped).
    Text {
        /// The text.
        v: String,
    },
    /// Anything dynamic: a `{block}`, a nested view. Matches any run of DOM nodes, framework
    /// comments included.
    Hole,
    /// A component: matches any run of DOM nodes like a hole; its children's template is found
    /// inside that run by template matching. Path index `i` under it means `children[i]`.
    Component {
        /// The component's name as written (`Card`, `ui::Card`).
        name: String,
        /// The template of its children.
        children: Vec<TemplateNode>,
    },
}

/// One edit of a view's template. Operations are applied in order; each path refers to the
/// template as it is after the operations before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum PatchOp {
    /// Replace the text of a static text node.
    SetText {
        /// The text node.
        path: TemplatePath,
        /// Its new text (unescaped).
        text: String,
    },
    /// Add or change a static attribute. `value: None` is a valueless attribute (`disabled`).
    SetAttr {
        /// The element.
        path: TemplatePath,
        /// Attribute name.
        name: String,
        /// New value.
        value: Option<String>,
    },
    /// Remove a static attribute.
    RemoveAttr {
        /// The element.
        path: TemplatePath,
        /// Attribute name.
        name: String,
    },
    /// Replace the content of an element whose children come from its `innerHTML` property
    /// (a static `inner_html="..."` that Leptos sets as the property; the template element has
    /// `content_prop: Some("innerHTML")`): the client sets `innerHTML` to `html`, as Leptos does
    /// when it builds the element, and the server renders `html` verbatim as its children.
    SetInnerHtml {
        /// The element.
        path: TemplatePath,
        /// The new inner HTML, verbatim (not escaped).
        html: String,
    },
    /// Insert a static subtree (holding no holes) so that it becomes child `path.last()` of the
    /// node at `path[..len-1]` (or root `path[0]` of the view).
    Insert {
        /// Where the new node ends up.
        path: TemplatePath,
        /// The node, for the template the client keeps.
        node: TemplateNode,
        /// The same node rendered to HTML the way Leptos SSR renders it.
        html: String,
    },
    /// Remove the node at `path` (a static subtree holding no holes).
    Remove {
        /// The node to remove.
        path: TemplatePath,
    },
    /// Move a node among its siblings: remove it from index `from` of the parent at `parent`, then
    /// insert it at index `to` of the same parent (indices after the removal).
    Move {
        /// The parent (empty for the view's roots).
        parent: TemplatePath,
        /// Index before the move.
        from: usize,
        /// Index after the move, counted with the node removed.
        to: usize,
    },
}

/// All edits of one view, enough for the client to find the view in the page and patch it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewPatch {
    /// Stable identity of the view: `relative/path.rs::item::path#ordinal`.
    pub view_id: String,
    /// The id of this view's `hot-reload` markers in the running binary (`src-app.rs-12`), if the
    /// view is a top-level `view!` that Leptos marks.
    pub marker_id: Option<String>,
    /// Increases with every patch devserve sends (all views share one counter).
    pub version: u64,
    /// The template the page currently shows (what the client matches against).
    pub old_template: Vec<TemplateNode>,
    /// The edits, in order.
    pub ops: Vec<PatchOp>,
}

/// Build progress for the status badge and the progress page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildProgress {
    /// Compilation units finished.
    pub done: u32,
    /// Compilation units in total, when known.
    pub total: Option<u32>,
    /// The crate being built.
    pub current: Option<String>,
    /// Milliseconds since the build started.
    pub elapsed_ms: u64,
}

/// A message from devserve to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// First message on every connection.
    Hello {
        /// [`PROTOCOL_VERSION`].
        protocol: u32,
        /// The build the app currently runs.
        build_id: String,
    },
    /// Static markup changed: patch these views in place.
    Patch {
        /// The views to patch, in order.
        patches: Vec<ViewPatch>,
    },
    /// A stylesheet changed: reload it in place.
    Css {
        /// Path of the stylesheet as the page links it (`/pkg/app.css`).
        href: String,
        /// Cache-busting version.
        version: u64,
    },
    /// A build is running.
    Building {
        /// How far it got.
        progress: BuildProgress,
    },
    /// The build failed: show these diagnostics (rendered with ANSI colours) in an overlay.
    BuildFailed {
        /// One entry per diagnostic.
        diagnostics: Vec<String>,
    },
    /// A build succeeded; any overlay goes.
    BuildOk {
        /// The build now running.
        build_id: String,
    },
    /// Reload the page: the app was restarted with new code.
    Reload,
}

/// A message from the browser to devserve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ClientMessage {
    /// Sent on connect.
    Hello {
        /// [`PROTOCOL_VERSION`].
        protocol: u32,
        /// The build id the page's HTML was served from (devserve writes it into the script).
        build_id: String,
        /// The highest patch version this page has already applied.
        applied_version: u64,
    },
    /// A patch could not be applied safely; devserve reloads the page after the next build.
    PatchFailed {
        /// The view.
        view_id: String,
        /// The patch version.
        version: u64,
        /// Why, for the terminal.
        reason: String,
    },
    /// A patch was applied to this many places in the page.
    PatchApplied {
        /// The view.
        view_id: String,
        /// The patch version.
        version: u64,
        /// Number of matches patched.
        matches: u32,
    },
    /// A console error or an uncaught exception in the page.
    Console {
        /// `error`, `warn`, `exception`.
        level: String,
        /// The message.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_ops_have_stable_json() {
        let op = PatchOp::SetText { path: vec![0, 2], text: "hi".into() };
        assert_eq!(serde_json::to_string(&op).unwrap(), r#"{"op":"set-text","path":[0,2],"text":"hi"}"#);
        let node = TemplateNode::El {
            tag: "b".into(),
            attrs: vec![("x".into(), None)],
            children: vec![],
            content_prop: None,
        };
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            r#"{"t":"el","tag":"b","attrs":[["x",null]],"children":[]}"#
        );
    }

    #[test]
    fn inner_html_ops_and_content_props_round_trip() {
        let op = PatchOp::SetInnerHtml { path: vec![1], html: "<i>two</i> & more".into() };
        let json = r#"{"op":"set-inner-html","path":[1],"html":"<i>two</i> & more"}"#;
        assert_eq!(serde_json::to_string(&op).unwrap(), json);
        assert_eq!(serde_json::from_str::<PatchOp>(json).unwrap(), op);

        let node = TemplateNode::El {
            tag: "div".into(),
            attrs: vec![("class".into(), Some("note".into()))],
            children: vec![],
            content_prop: Some("innerHTML".into()),
        };
        let json =
            r#"{"t":"el","tag":"div","attrs":[["class","note"]],"children":[],"content_prop":"innerHTML"}"#;
        assert_eq!(serde_json::to_string(&node).unwrap(), json);
        assert_eq!(serde_json::from_str::<TemplateNode>(json).unwrap(), node);
        let without = r#"{"t":"el","tag":"b","attrs":[],"children":[]}"#;
        assert!(matches!(
            serde_json::from_str::<TemplateNode>(without).unwrap(),
            TemplateNode::El { content_prop: None, .. }
        ));

        let patch = ServerMessage::Patch {
            patches: vec![ViewPatch {
                view_id: "src/app.rs::app#0".into(),
                marker_id: Some("src-app.rs-3".into()),
                version: 7,
                old_template: vec![node, TemplateNode::Hole],
                ops: vec![op],
            }],
        };
        let json = serde_json::to_string(&patch).unwrap();
        assert_eq!(serde_json::from_str::<ServerMessage>(&json).unwrap(), patch);
    }

    #[test]
    fn client_messages_round_trip() {
        let json = r#"{"type":"patch-failed","view_id":"v","version":3,"reason":"no match"}"#;
        let msg: ClientMessage = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&msg).unwrap(), json);
    }
}

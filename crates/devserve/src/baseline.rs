//! What devserve remembers of every Rust source: the views of the running binary's sources
//! (`built`), the views pages show now (`shown`, which runs ahead of `built` by the patches sent
//! since the last build), and the last good parse of the file on disk (`latest`, what the next
//! build is made from). A change that needs a rebuild moves `latest` only: the pages still show
//! what they showed, so a later save that is static again is patched from what they really show
//! (saves in quick succession can be read mid-write).
//!
//! A source is parsed when it first changes, not at start-up: until then its start-up text is
//! all three states, and it is kept as text (an app of 10,000 sources starts without parsing
//! them, and holds their text instead of their parses: a fraction of the memory). Once parsed,
//! the three states are shared (`Arc`) while they are equal, so a build's [`Snapshot`] copies
//! pointers, not parses.

use std::collections::BTreeMap;
use std::sync::Arc;

use devserve_view::{Change, FileViews, RebuildKind};

#[derive(Debug, Clone)]
struct FileState {
    built: Arc<FileViews>,
    shown: Arc<FileViews>,
    latest: Arc<FileViews>,
}

impl FileState {
    fn all(views: FileViews) -> Self {
        Self::shared(Arc::new(views))
    }

    fn shared(views: Arc<FileViews>) -> Self {
        FileState { built: Arc::clone(&views), shown: Arc::clone(&views), latest: views }
    }
}

/// The views of all sources, as built and as shown.
#[derive(Debug, Default)]
pub(crate) struct Baseline {
    files: BTreeMap<String, FileState>,
    /// Files unchanged since start-up, not parsed yet: their text then, which every build since
    /// was made from.
    unparsed: BTreeMap<String, Box<str>>,
    /// Files too large to parse on a save ([`MAX_PARSED`]): content hashes, as built and as shown.
    opaque: BTreeMap<String, (Option<u64>, Option<u64>)>,
}

/// Larger sources are not parsed for views: they are generated code, not markup someone edits,
/// and parsing megabytes on the save path would hold up the patches of every other file. A
/// change to one is a code change.
pub(crate) const MAX_PARSED: usize = 1 << 20;

fn content_hash(source: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut hasher);
    hasher.finish()
}

/// The views that a build was started from; it becomes the new `built` state if the build lands.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    files: BTreeMap<String, Arc<FileViews>>,
    opaque: BTreeMap<String, Option<u64>>,
}

impl Baseline {
    /// Record a file as it was at start-up, when the first build is made from it. It is parsed
    /// when it first changes.
    pub(crate) fn insert_built(&mut self, rel: &str, source: impl Into<Box<str>>) {
        let source = source.into();
        self.files.remove(rel);
        if source.len() > MAX_PARSED {
            let hash = Some(content_hash(&source));
            self.opaque.insert(rel.to_owned(), (hash, hash));
            return;
        }
        self.unparsed.insert(rel.to_owned(), source);
    }

    /// How many sources are known (parsed or not, and too large to parse).
    pub(crate) fn files(&self) -> usize {
        self.files.len() + self.unparsed.len() + self.opaque.len()
    }

    /// How many sources have been parsed (those that changed since start-up).
    #[cfg(test)]
    pub(crate) fn parsed(&self) -> usize {
        self.files.len()
    }

    /// Parse `rel`'s start-up text if it is not parsed yet: it becomes its built, shown and
    /// latest state.
    fn parse_pending(&mut self, rel: &str) {
        if let Some(source) = self.unparsed.remove(rel) {
            let views = devserve_view::extract(rel, &source);
            self.files.insert(rel.to_owned(), FileState::all(views));
        }
    }

    /// Classify a new version of `rel` and remember it as shown unless it does not parse (the last
    /// good state is kept). A file that is new since the last build is compared against nothing.
    ///
    /// The new version is extracted from the shown one: when the edit lies inside one view, only
    /// that view is parsed again.
    pub(crate) fn update(&mut self, rel: &str, source: &str) -> Change {
        self.parse_pending(rel);
        if source.len() > MAX_PARSED || self.opaque.contains_key(rel) {
            return self.update_opaque(rel, source);
        }
        let state = self.files.entry(rel.to_owned()).or_insert_with(|| FileState::all(FileViews::empty(rel)));
        let new = Arc::new(devserve_view::extract_from(&state.latest, source));
        let mut change = devserve_view::classify_from(&state.built, &state.shown, &new);
        if change == Change::None && new.skeleton != state.latest.skeleton && new.file_error.is_none() {
            // Back to what pages show (an undo), but not to what the last build was asked to
            // compile: a build must follow, if only to say the running binary is right after all.
            change = Change::Rebuild(devserve_view::RebuildReason {
                kind: RebuildKind::Code,
                message: format!("{rel}: code changed back"),
                pos: None,
            });
        }
        match &change {
            Change::Rebuild(reason) if reason.kind == RebuildKind::ParseError => {}
            Change::Rebuild(_) => state.latest = new,
            Change::None | Change::Patch(_) => {
                state.shown = Arc::clone(&new);
                state.latest = new;
            }
        }
        change
    }

    /// Forget a removed file (pages lose it after the next build).
    /// A save of a file too large to parse (or that was): compared by content only.
    fn update_opaque(&mut self, rel: &str, source: &str) -> Change {
        let built = match self.files.remove(rel) {
            // It was parsed before: from now on its built state is what it was.
            Some(state) if state.built.skeleton.is_empty() && state.built.views.is_empty() => None,
            Some(_) => Some(0),
            None => self.opaque.get(rel).and_then(|(built, _)| *built),
        };
        let hash = content_hash(source);
        let shown = self.opaque.get(rel).and_then(|(_, shown)| *shown);
        self.opaque.insert(rel.to_owned(), (built, Some(hash)));
        if shown == Some(hash) {
            return Change::None;
        }
        Change::Rebuild(devserve_view::RebuildReason {
            kind: RebuildKind::Code,
            message: format!("{rel} changed ({} kB: too large to look for views)", source.len() / 1024),
            pos: None,
        })
    }

    pub(crate) fn remove(&mut self, rel: &str) {
        self.parse_pending(rel);
        if let Some((_, shown)) = self.opaque.get_mut(rel) {
            *shown = None;
        }
        if let Some(state) = self.files.get_mut(rel) {
            state.latest = Arc::new(FileViews::empty(rel));
        }
    }

    /// Whether the program the sources describe now differs from the last build's in anything but
    /// static markup: a file's code skeleton changed, or a file was added or removed. A build made
    /// now must reload the pages exactly then. Decided from the current state, never accumulated
    /// per save: a half-written prefix that parsed differently leaves nothing behind once the full
    /// write is in.
    #[cfg(test)]
    pub(crate) fn code_differs(&self) -> bool {
        self.code_differs_in(|_| true)
    }

    /// [`Baseline::code_differs`], counting only the files `compiled` accepts (the ones the last
    /// build read, from cargo's dep-info: a `.rs` file that is no module of the crate cannot
    /// change the program).
    pub(crate) fn code_differs_in(&self, compiled: impl Fn(&str) -> bool) -> bool {
        self.files.iter().any(|(rel, state)| {
            compiled(rel)
                && !Arc::ptr_eq(&state.built, &state.latest)
                && state.built.skeleton != state.latest.skeleton
        }) || self.opaque.iter().any(|(rel, (built, shown))| compiled(rel) && built != shown)
    }

    /// What a build started now is built from.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            files: self.files.iter().map(|(rel, state)| (rel.clone(), Arc::clone(&state.latest))).collect(),
            opaque: self.opaque.iter().map(|(rel, (_, shown))| (rel.clone(), *shown)).collect(),
        }
    }

    /// A build made from `snapshot` now runs: it is the new baseline for classification. With
    /// `reloaded`, the pages were reloaded and show it too.
    pub(crate) fn landed(&mut self, snapshot: Snapshot, reloaded: bool) {
        for (rel, views) in snapshot.files {
            match self.files.get_mut(&rel) {
                Some(state) => {
                    if reloaded {
                        state.shown = Arc::clone(&views);
                    }
                    state.built = views;
                }
                None => {
                    self.files.insert(rel, FileState::shared(views));
                }
            }
        }
        self.files.retain(|_, state| {
            !(state.built.skeleton.is_empty()
                && state.shown.skeleton.is_empty()
                && state.latest.skeleton.is_empty())
        });
        for (rel, hash) in snapshot.opaque {
            if let Some((built, _)) = self.opaque.get_mut(&rel) {
                *built = hash;
            }
        }
        self.opaque.retain(|_, (built, shown)| built.is_some() || shown.is_some());
    }
}

#[cfg(test)]
mod tests {
    use devserve_view::{TemplateNode, ViewPatch};

    use super::*;

    const PATH: &str = "src/app.rs";
    const APP: &str = r#"fn app() -> impl IntoView {
    view! { <p>"one"</p> }
}

fn other() -> impl IntoView {
    view! { <p>"two"</p> }
}
"#;

    fn patches(change: Change) -> Vec<ViewPatch> {
        match change {
            Change::Patch(patches) => patches,
            other => panic!("expected a patch, got {other:?}"),
        }
    }

    /// The text of the first element of the template the page showed before the patch.
    fn shown_text(patch: &ViewPatch) -> &str {
        match patch.old_template.as_slice() {
            [TemplateNode::El { children, .. }] => match children.as_slice() {
                [TemplateNode::Text { v }] => v,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn saves_patch_what_pages_show_and_keep_the_built_marker_ids() {
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        let first = APP.replace("\"one\"", "\"uno\"\n\n");
        let patch = patches(baseline.update(PATH, &first)).remove(0);
        assert_eq!((patch.view_id.as_str(), shown_text(&patch)), ("src/app.rs::app#0", "one"));

        // The lines added above move the second view; pages still carry the built marker id.
        let second = first.replace("\"two\"", "\"dos\"");
        let patch = patches(baseline.update(PATH, &second)).remove(0);
        assert_eq!((patch.marker_id.as_deref(), shown_text(&patch)), (Some("src-app.rs-6"), "two"));
        let again = patches(baseline.update(PATH, &second.replace("\"uno\"", "\"eins\""))).remove(0);
        assert_eq!(shown_text(&again), "uno");
    }

    #[test]
    fn sources_are_parsed_when_they_first_change_against_their_start_up_text() {
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        baseline.insert_built("src/other.rs", APP.replace("one", "other"));
        assert_eq!((baseline.files(), baseline.parsed()), (2, 0));
        assert!(!baseline.code_differs(), "nothing changed");
        // A build started before any change lands without parsing anything.
        baseline.landed(baseline.snapshot(), true);
        assert_eq!(baseline.parsed(), 0);

        let patch = patches(baseline.update(PATH, &APP.replace("\"one\"", "\"uno\""))).remove(0);
        assert_eq!(shown_text(&patch), "one", "patched from the start-up text");
        assert_eq!((baseline.files(), baseline.parsed()), (2, 1));
        assert!(!baseline.code_differs());
        // A code change to the other file is seen against its start-up text too.
        let renamed = APP.replace("one", "other").replace("fn other()", "fn renamed()");
        assert!(matches!(baseline.update("src/other.rs", &renamed), Change::Rebuild(_)));
        assert!(baseline.code_differs());
        // A file removed before it ever changed is a code change.
        let mut untouched = Baseline::default();
        untouched.insert_built(PATH, APP);
        untouched.remove(PATH);
        assert!(untouched.code_differs());
    }

    #[test]
    fn the_need_to_reload_follows_the_last_state_not_the_saves_on_the_way() {
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        assert!(!baseline.code_differs());
        // A prefix of the file that happens to parse (the second function not written yet) ...
        let prefix = &APP[..APP.find("fn other").unwrap()];
        assert!(matches!(baseline.update(PATH, prefix), Change::Rebuild(_)));
        assert!(baseline.code_differs());
        // ... then the full write, differing only in a text: nothing sticks.
        let _ = baseline.update(PATH, &APP.replace("\"two\"", "\"deux\""));
        assert!(!baseline.code_differs());
        // Code that differs, and a removed file, do differ.
        let _ = baseline.update(PATH, &APP.replace("fn other()", "fn renamed()"));
        assert!(baseline.code_differs());
        let _ = baseline.update(PATH, APP);
        baseline.remove(PATH);
        assert!(baseline.code_differs());
        let snapshot = baseline.snapshot();
        baseline.landed(snapshot, true);
        assert!(!baseline.code_differs());
    }

    #[test]
    fn files_too_large_to_parse_are_compared_by_content() {
        let mut baseline = Baseline::default();
        let big = format!("{}\n", "const X: u8 = 1;\n".repeat(MAX_PARSED / 10));
        baseline.insert_built("src/gen.rs", big.as_str());
        assert_eq!(baseline.update("src/gen.rs", &big), Change::None);
        assert!(!baseline.code_differs());
        let changed = big.replacen("1;", "2;", 1);
        assert!(
            matches!(baseline.update("src/gen.rs", &changed), Change::Rebuild(r) if r.kind == RebuildKind::Code)
        );
        assert!(baseline.code_differs());
        let snapshot = baseline.snapshot();
        baseline.landed(snapshot, true);
        assert!(!baseline.code_differs());
        // A parsed file that grows too large is a code change too.
        baseline.insert_built(PATH, APP);
        assert!(matches!(baseline.update(PATH, &big), Change::Rebuild(_)));
        assert!(baseline.code_differs());
    }

    #[test]
    fn a_read_mid_write_does_not_move_what_pages_show() {
        // Saves in quick succession: the file is read right after the next save truncated it,
        // then in full with a new text.
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        assert!(matches!(baseline.update(PATH, ""), Change::Rebuild(_)));
        let patch = patches(baseline.update(PATH, &APP.replace("\"one\"", "\"uno\""))).remove(0);
        assert_eq!(shown_text(&patch), "one", "patched from what the page shows");
        assert!(!baseline.code_differs());
    }

    #[test]
    fn undoing_a_code_change_asks_for_a_build() {
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        assert!(matches!(baseline.update(PATH, &APP.replace("fn other", "fn another")), Change::Rebuild(_)));
        assert!(matches!(baseline.update(PATH, APP), Change::Rebuild(r) if r.kind == RebuildKind::Code));
        assert!(!baseline.code_differs());
        assert_eq!(baseline.update(PATH, APP), Change::None);
    }

    #[test]
    fn a_save_that_does_not_parse_keeps_the_last_good_state() {
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        let broken = baseline.update(PATH, &APP.replace("</p> }\n}\n\nfn other", " }\n}\n\nfn other"));
        assert!(matches!(broken, Change::Rebuild(reason) if reason.kind == RebuildKind::ParseError));
        let patch = patches(baseline.update(PATH, &APP.replace("\"one\"", "\"uno\""))).remove(0);
        assert_eq!(shown_text(&patch), "one");
    }

    #[test]
    fn code_changes_rebuild_and_new_files_start_from_nothing() {
        let mut baseline = Baseline::default();
        baseline.insert_built(PATH, APP);
        assert!(matches!(baseline.update(PATH, &APP.replace("fn other", "fn another")), Change::Rebuild(_)));
        assert!(
            matches!(baseline.update("src/new.rs", APP), Change::Rebuild(reason) if reason.kind == RebuildKind::ViewCount)
        );
        assert!(matches!(baseline.update("src/new.rs", APP), Change::Rebuild(_)), "not built yet");
        baseline.landed(baseline.snapshot(), true);
        assert_eq!(baseline.update("src/new.rs", APP), Change::None);
        let patch = patches(baseline.update("src/new.rs", &APP.replace("\"one\"", "\"uno\""))).remove(0);
        assert_eq!((patch.marker_id.as_deref(), shown_text(&patch)), (Some("src-new.rs-2"), "one"));
    }
}

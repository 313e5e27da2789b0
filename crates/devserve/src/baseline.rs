//! What devserve remembers of every Rust source: the views of the running binary's sources
//! (`built`) and the views pages show now (`shown`, which runs ahead of `built` by the patches sent
//! since the last build).

use std::collections::BTreeMap;

use devserve_view::{Change, FileViews, RebuildKind};

#[derive(Debug, Clone)]
struct FileState {
    built: FileViews,
    shown: FileViews,
}

/// The views of all sources, as built and as shown.
#[derive(Debug, Default)]
pub(crate) struct Baseline {
    files: BTreeMap<String, FileState>,
}

/// The views that a build was started from; it becomes the new `built` state if the build lands.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    files: BTreeMap<String, FileViews>,
}

impl Baseline {
    /// Record a file as it was at start-up, when the first build is made from it.
    pub(crate) fn insert_built(&mut self, rel: &str, source: &str) {
        let views = devserve_view::extract(rel, source);
        self.files.insert(rel.to_owned(), FileState { built: views.clone(), shown: views });
    }

    /// Classify a new version of `rel` and remember it as shown unless it does not parse (the last
    /// good state is kept). A file that is new since the last build is compared against nothing.
    pub(crate) fn update(&mut self, rel: &str, source: &str) -> Change {
        let new = devserve_view::extract(rel, source);
        let state = self
            .files
            .entry(rel.to_owned())
            .or_insert_with(|| FileState { built: FileViews::empty(rel), shown: FileViews::empty(rel) });
        let change = devserve_view::classify_from(&state.built, &state.shown, &new);
        if !matches!(&change, Change::Rebuild(reason) if reason.kind == RebuildKind::ParseError) {
            state.shown = new;
        }
        change
    }

    /// Forget a removed file (pages lose it after the next build).
    pub(crate) fn remove(&mut self, rel: &str) {
        if let Some(state) = self.files.get_mut(rel) {
            state.shown = FileViews::empty(rel);
        }
    }

    /// What a build started now is built from.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot { files: self.files.iter().map(|(rel, state)| (rel.clone(), state.shown.clone())).collect() }
    }

    /// A build made from `snapshot` now runs: it is the new baseline for classification.
    pub(crate) fn landed(&mut self, snapshot: Snapshot) {
        for (rel, views) in snapshot.files {
            match self.files.get_mut(&rel) {
                Some(state) => state.built = views,
                None => {
                    self.files.insert(rel, FileState { built: views.clone(), shown: views });
                }
            }
        }
        self.files.retain(|_, state| !(state.built.skeleton.is_empty() && state.shown.skeleton.is_empty()));
    }
}

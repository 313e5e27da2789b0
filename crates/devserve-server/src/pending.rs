//! Patches sent but not compiled into the running build yet, kept for pages that connect later
//! (see [`crate::Hub`]), coalesced per view so that they do not grow with the count of saves.
//!
//! A page needs, per view, the edits from what it was served with to what pages show now. The
//! successive patches of one view chain (each one's `old_template` is what the one before made),
//! so they compose into one: the first one's `old_template`, the ops of all of them in order
//! ([`compose`]), with edits that later ones override left out ([`compact`]). A run of one
//! view's patches never spans the start of a build that may still land (a *cut*): the pages that
//! build serves have the patches up to it, and need exactly the ones after.
//!
//! A page that applied only part of a run (its socket dropped mid-run and came back) cannot be
//! brought up to date from it: [`Pending::replay`] says so, and the page is reloaded.

use devserve_protocol::{PatchOp, ViewPatch};

/// The pending patches of every view.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Coalesced runs, by increasing last version.
    runs: Vec<Run>,
    /// The versions at which builds that may still land started (each includes the patches up
    /// to its version); sorted, with repeats.
    cuts: Vec<u64>,
}

/// Successive patches of one view, composed.
#[derive(Debug, Clone)]
struct Run {
    /// The version of the first patch of the run.
    first: u64,
    /// Their composition; its `version` is the last one's.
    patch: ViewPatch,
}

/// What a page that applied every patch up to a version needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Replay {
    /// The patches, by increasing version.
    pub(crate) patches: Vec<ViewPatch>,
    /// The page applied part of a run: `patches` leaves that view out, only a reload brings the
    /// page up to date.
    pub(crate) partial: bool,
}

impl Pending {
    /// A patch was sent (its version is higher than any before).
    pub(crate) fn push(&mut self, patch: ViewPatch) {
        let joins = self.runs.iter().rposition(|run| run.patch.view_id == patch.view_id).filter(|&index| {
            let last = self.runs[index].patch.version;
            !self.cuts.iter().any(|&cut| cut >= last && cut < patch.version)
        });
        match joins {
            Some(index) => {
                let run = self.runs.remove(index);
                self.runs.push(Run { first: run.first, patch: compose(run.patch, patch) });
            }
            None => self.runs.push(Run { first: patch.version, patch }),
        }
    }

    /// A build started that includes every patch up to `version`.
    pub(crate) fn cut(&mut self, version: u64) {
        let at = self.cuts.partition_point(|&cut| cut <= version);
        self.cuts.insert(at, version);
    }

    /// The build started at `version` will not land (cancelled, failed, or its app did not
    /// start): the runs it separated join.
    pub(crate) fn uncut(&mut self, version: u64) {
        let Some(at) = self.cuts.iter().position(|&cut| cut == version) else { return };
        self.cuts.remove(at);
        let runs = std::mem::take(&mut self.runs);
        for run in runs {
            let joins =
                self.runs.iter().rposition(|earlier| earlier.patch.view_id == run.patch.view_id).filter(
                    |&index| {
                        let last = self.runs[index].patch.version;
                        !self.cuts.iter().any(|&cut| cut >= last && cut < run.first)
                    },
                );
            match joins {
                Some(index) => {
                    let earlier = self.runs.remove(index);
                    self.runs.push(Run { first: earlier.first, patch: compose(earlier.patch, run.patch) });
                }
                None => self.runs.push(run),
            }
        }
    }

    /// A build that includes every patch up to `included` runs: those patches are no longer
    /// pending, and builds started before it will not land any more.
    pub(crate) fn landed(&mut self, included: u64) {
        self.runs.retain(|run| run.patch.version > included);
        self.cuts.retain(|&cut| cut > included);
    }

    /// What a page that applied every patch up to `applied` lacks.
    pub(crate) fn replay(&self, applied: u64) -> Replay {
        let mut replay = Replay::default();
        for run in self.runs.iter().filter(|run| run.patch.version > applied) {
            if run.first > applied {
                replay.patches.push(run.patch.clone());
            } else {
                replay.partial = true;
            }
        }
        replay
    }

    /// Every pending run, by increasing version.
    pub(crate) fn patches(&self) -> Vec<ViewPatch> {
        self.runs.iter().map(|run| run.patch.clone()).collect()
    }
}

/// `earlier` then `later`, as one patch: `later` must edit what `earlier` made (the same view,
/// `later.old_template` is `earlier`'s result).
fn compose(earlier: ViewPatch, later: ViewPatch) -> ViewPatch {
    let mut ops = earlier.ops;
    ops.extend(later.ops);
    ViewPatch { old_template: earlier.old_template, ops: compact(ops), ..later }
}

/// `ops` without the edits that later ones make void, applying to any template as `ops` do
/// (or succeeding where they would fail on a node that a later op removes):
/// - a text, inner HTML or attribute value set again later (no insert or remove between that
///   can change which node the path names, no move);
/// - edits inside a node removed later (since the last structural op), and a node inserted and
///   removed again with only edits of other nodes between;
/// - a move undone by the next one.
pub(crate) fn compact(ops: Vec<PatchOp>) -> Vec<PatchOp> {
    let mut out: Vec<PatchOp> = Vec::with_capacity(ops.len());
    for op in ops {
        push(&mut out, op);
    }
    out
}

/// Appends `op` to the compacted `out`, keeping it compacted.
fn push(out: &mut Vec<PatchOp>, op: PatchOp) {
    match &op {
        PatchOp::Remove { path } => {
            // The edits since the last structural op that lie inside the removed node go.
            let since = out.iter().rposition(is_structural).map_or(0, |at| at + 1);
            let mut kept = out.split_off(since);
            kept.retain(|earlier| !target(earlier).is_some_and(|at| at.starts_with(path)));
            let inserted = matches!(out.last(), Some(PatchOp::Insert { path: p, .. }) if p == path);
            if inserted && !kept.iter().any(|earlier| target(earlier).is_some_and(|at| shifts(path, at))) {
                // Inserted and removed again, with only edits elsewhere between: nothing.
                out.pop();
                for earlier in kept {
                    push(out, earlier);
                }
                return;
            }
            out.extend(kept);
        }
        PatchOp::Move { parent, from, to } => {
            let undoes = |earlier: &PatchOp| matches!(earlier, PatchOp::Move { parent: p, from: f, to: t } if p == parent && f == to && t == from);
            if out.last().is_some_and(undoes) {
                out.pop();
                return;
            }
        }
        PatchOp::Insert { .. } => {}
        _ => {
            // Back to the first structural op that may change what the path means.
            for at in (0..out.len()).rev() {
                let earlier = &out[at];
                if overrides(&op, earlier) {
                    out.remove(at);
                    break;
                }
                let moved = match earlier {
                    PatchOp::Insert { path, .. } | PatchOp::Remove { path } => {
                        target(&op).is_none_or(|at| shifts(path, at))
                    }
                    PatchOp::Move { .. } => true,
                    _ => false,
                };
                if moved {
                    break;
                }
            }
        }
    }
    out.push(op);
}

/// Whether inserting or removing the node at `changed` can change which node `path` names (or
/// remove it): `path` lies under its parent, at its index or after.
fn shifts(changed: &[usize], path: &[usize]) -> bool {
    let Some((&index, parent)) = changed.split_last() else { return true };
    path.len() > parent.len() && path.starts_with(parent) && path[parent.len()] >= index
}

fn is_structural(op: &PatchOp) -> bool {
    matches!(op, PatchOp::Insert { .. } | PatchOp::Remove { .. } | PatchOp::Move { .. })
}

/// The node a non-structural op edits.
fn target(op: &PatchOp) -> Option<&[usize]> {
    match op {
        PatchOp::SetText { path, .. }
        | PatchOp::SetAttr { path, .. }
        | PatchOp::RemoveAttr { path, .. }
        | PatchOp::SetInnerHtml { path, .. } => Some(path),
        PatchOp::Insert { .. } | PatchOp::Remove { .. } | PatchOp::Move { .. } => None,
    }
}

/// Whether `later`, applied after `earlier` with no structural op between, leaves nothing of
/// what `earlier` did. (Removing an attribute that was set does not: it may not have been there
/// before, and the removal would then fail alone.)
fn overrides(later: &PatchOp, earlier: &PatchOp) -> bool {
    match (later, earlier) {
        (PatchOp::SetText { path: a, .. }, PatchOp::SetText { path: b, .. })
        | (PatchOp::SetInnerHtml { path: a, .. }, PatchOp::SetInnerHtml { path: b, .. }) => a == b,
        (PatchOp::SetAttr { path: a, name: x, .. }, PatchOp::SetAttr { path: b, name: y, .. }) => {
            a == b && x == y
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use devserve_protocol::TemplateNode;

    use super::*;

    fn text(path: &[usize], text: &str) -> PatchOp {
        PatchOp::SetText { path: path.to_vec(), text: text.into() }
    }

    fn attr(path: &[usize], name: &str, value: &str) -> PatchOp {
        PatchOp::SetAttr { path: path.to_vec(), name: name.into(), value: Some(value.into()) }
    }

    fn insert(path: &[usize]) -> PatchOp {
        let node = TemplateNode::Text { v: "new".into() };
        PatchOp::Insert { path: path.to_vec(), node, html: "new".into() }
    }

    fn remove(path: &[usize]) -> PatchOp {
        PatchOp::Remove { path: path.to_vec() }
    }

    fn check(ops: Vec<PatchOp>, expected: Vec<PatchOp>) {
        assert_eq!(compact(ops.clone()), expected, "{ops:?}");
    }

    #[test]
    fn later_values_override_earlier_ones_between_structural_ops() {
        check(vec![text(&[0, 0], "a"), text(&[0, 0], "b")], vec![text(&[0, 0], "b")]);
        check(vec![text(&[0, 0], "a"), text(&[0, 1], "b")], vec![text(&[0, 0], "a"), text(&[0, 1], "b")]);
        check(
            vec![attr(&[0], "class", "a"), attr(&[0], "id", "x"), attr(&[0], "class", "b")],
            vec![attr(&[0], "id", "x"), attr(&[0], "class", "b")],
        );
        // Paths may mean other nodes across an insert: both stay.
        check(
            vec![text(&[0, 1], "a"), insert(&[0, 0]), text(&[0, 1], "b")],
            vec![text(&[0, 1], "a"), insert(&[0, 0]), text(&[0, 1], "b")],
        );
        // A removal does not override a set: the attribute may not have been there before.
        let unset = PatchOp::RemoveAttr { path: vec![0], name: "class".into() };
        check(vec![attr(&[0], "class", "a"), unset.clone()], vec![attr(&[0], "class", "a"), unset]);
    }

    #[test]
    fn inserted_then_removed_is_nothing_and_edits_inside_removed_nodes_go() {
        check(vec![insert(&[0, 2]), remove(&[0, 2])], vec![]);
        check(vec![insert(&[0, 2]), text(&[0, 2, 0], "x"), remove(&[0, 2])], vec![]);
        check(
            vec![text(&[0, 1, 0], "x"), text(&[0, 0], "y"), remove(&[0, 1])],
            vec![text(&[0, 0], "y"), remove(&[0, 1])],
        );
        check(vec![insert(&[0, 2]), remove(&[0, 3])], vec![insert(&[0, 2]), remove(&[0, 3])]);
        let there = PatchOp::Move { parent: vec![0], from: 1, to: 3 };
        let back = PatchOp::Move { parent: vec![0], from: 3, to: 1 };
        check(vec![there.clone(), back], vec![]);
        check(vec![there.clone(), there.clone()], vec![there.clone(), there]);
    }

    #[test]
    fn alternating_edits_stay_small() {
        let mut ops = Vec::new();
        for i in 0..1000 {
            ops.push(text(&[0, 1, 0], &format!("value {}", i % 3)));
            ops = compact(ops);
            ops.push(if i % 2 == 0 { insert(&[0, 4]) } else { remove(&[0, 4]) });
            ops = compact(ops);
        }
        assert!(ops.len() <= 3, "{ops:?}");
    }

    fn patch(view: &str, version: u64, old: &str, new: &str) -> ViewPatch {
        ViewPatch {
            view_id: view.into(),
            marker_id: None,
            version,
            old_template: vec![TemplateNode::Text { v: old.into() }],
            ops: vec![text(&[0], new)],
        }
    }

    fn versions(patches: &[ViewPatch]) -> Vec<(&str, u64)> {
        patches.iter().map(|p| (p.view_id.as_str(), p.version)).collect()
    }

    #[test]
    fn a_view_s_patches_compose_into_one_from_what_pages_were_served() {
        let mut pending = Pending::default();
        for version in 1..=10_000 {
            let (old, new) = (format!("v{}", version - 1), format!("v{version}"));
            pending.push(patch("a", version, &old, &new));
        }
        pending.push(patch("b", 10_001, "b0", "b1"));
        let replay = pending.replay(0);
        assert_eq!(versions(&replay.patches), [("a", 10_000), ("b", 10_001)]);
        assert_eq!(replay.patches[0].old_template, vec![TemplateNode::Text { v: "v0".into() }]);
        assert_eq!(replay.patches[0].ops, vec![text(&[0], "v10000")]);
        assert!(!replay.partial);
        // A page that has everything of `a` needs only `b`; one that has part of `a`'s run is reloaded.
        assert_eq!(
            pending.replay(10_000),
            Replay { patches: vec![patch("b", 10_001, "b0", "b1")], partial: false }
        );
        assert!(pending.replay(5).partial);
    }

    #[test]
    fn runs_split_at_builds_that_may_land_and_join_when_they_will_not() {
        let mut pending = Pending::default();
        pending.push(patch("a", 1, "0", "1"));
        pending.cut(1);
        pending.push(patch("a", 2, "1", "2"));
        pending.cut(2);
        pending.push(patch("a", 3, "2", "3"));
        assert_eq!(versions(&pending.patches()), [("a", 1), ("a", 2), ("a", 3)]);
        // The build started at 2 was cancelled: 2 and 3 join; the one started at 1 lands.
        pending.uncut(2);
        assert_eq!(versions(&pending.patches()), [("a", 1), ("a", 3)]);
        pending.landed(1);
        let replay = pending.replay(1);
        assert_eq!(versions(&replay.patches), [("a", 3)]);
        assert_eq!(replay.patches[0].old_template, vec![TemplateNode::Text { v: "1".into() }]);
        assert_eq!(replay.patches[0].ops, vec![text(&[0], "3")]);
        // A later save joins the run: no build started since.
        pending.push(patch("a", 4, "3", "4"));
        assert_eq!(versions(&pending.patches()), [("a", 4)]);
        pending.landed(4);
        assert!(pending.patches().is_empty());
    }
}

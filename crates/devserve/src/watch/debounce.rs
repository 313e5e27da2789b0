//! The watcher's one debounce: per path, on the trailing edge, and only for what is not final.
//!
//! A complete file passes at once. A file still being written waits until its writer has been
//! quiet for [`SETTLE`]; a path that vanished waits [`GRACE`], and any later sighting of a file
//! there (an editor putting the new version in place) replaces the wait, so it never becomes a
//! deletion.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::FileState;

/// How long a writer may pause without closing the file before what it wrote so far is read.
/// Writers that close (every editor) never wait for it: the close is the signal.
pub(super) const SETTLE: Duration = Duration::from_millis(30);

/// How long a path must stay empty before it counts as deleted. Saves that move the original
/// away put the new file in place within a millisecond or so; a deletion only starts a build, so
/// waiting costs little.
pub(super) const GRACE: Duration = Duration::from_millis(100);

/// Paths waiting for quiet: when each is due and what it will be reported as.
#[derive(Debug, Default)]
pub(super) struct Debounce {
    waiting: HashMap<PathBuf, (Instant, FileState)>,
}

impl Debounce {
    /// Takes what was just seen at `path`: a complete file is returned to be read now (and
    /// cancels whatever waited there); otherwise the path waits, its deadline moved to the
    /// trailing edge of this sighting, reported as what was seen last.
    pub(super) fn push(
        &mut self,
        path: PathBuf,
        state: FileState,
        now: Instant,
    ) -> Option<(PathBuf, FileState)> {
        let wait = match state {
            FileState::Complete => {
                self.waiting.remove(&path);
                return Some((path, state));
            }
            FileState::Writing => SETTLE,
            FileState::Missing => GRACE,
        };
        self.waiting.insert(path, (now + wait, state));
        None
    }

    /// The paths whose wait is over at `now`, in path order; they wait no more.
    pub(super) fn pop_due(&mut self, now: Instant) -> Vec<(PathBuf, FileState)> {
        let mut due: Vec<(PathBuf, FileState)> = self
            .waiting
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(path, (_, state))| (path.clone(), *state))
            .collect();
        due.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, _) in &due {
            self.waiting.remove(path);
        }
        due
    }

    /// When the next path is due, if any waits.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.waiting.values().map(|(at, _)| *at).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use FileState::{Complete, Missing, Writing};

    /// Feeds `sightings` (milliseconds from the start, path, state) to a debounce that is asked
    /// for due paths every millisecond, and compares what comes out, and when, with `expected`.
    fn check(sightings: &[(u64, &str, FileState)], expected: &[(u64, &str, FileState)]) {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut debounce = Debounce::default();
        let mut out = Vec::new();
        let end = sightings.iter().map(|(ms, ..)| *ms).max().unwrap_or(0) + 500;
        for ms in 0..=end {
            for (_, path, state) in sightings.iter().filter(|(when, ..)| *when == ms) {
                out.extend(debounce.push(PathBuf::from(path), *state, at(ms)).map(|ready| (ms, ready)));
            }
            out.extend(debounce.pop_due(at(ms)).into_iter().map(|ready| (ms, ready)));
        }
        assert_eq!(debounce.deadline(), None, "something still waits");
        let got: Vec<(u64, String, FileState)> =
            out.into_iter().map(|(ms, (path, state))| (ms, path.display().to_string(), state)).collect();
        let expected: Vec<(u64, String, FileState)> =
            expected.iter().map(|(ms, path, state)| (*ms, (*path).to_owned(), *state)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_closed_file_goes_out_at_once() {
        check(&[(0, "a.rs", Complete)], &[(0, "a.rs", Complete)]);
    }

    #[test]
    fn a_write_and_its_close_go_out_once_at_the_close() {
        // Truncation, two chunks, close: in-place save.
        check(
            &[(0, "a.rs", Writing), (2, "a.rs", Writing), (9, "a.rs", Writing), (10, "a.rs", Complete)],
            &[(10, "a.rs", Complete)],
        );
    }

    #[test]
    fn an_unclosed_write_waits_for_its_writer_to_pause() {
        // Each write moves the deadline: one read, SETTLE after the last write.
        check(
            &[(0, "a.rs", Writing), (20, "a.rs", Writing), (40, "a.rs", Writing)],
            &[(70, "a.rs", Writing)],
        );
    }

    #[test]
    fn a_vanished_path_is_missing_only_after_the_grace() {
        check(&[(0, "a.rs", Missing)], &[(100, "a.rs", Missing)]);
        check(
            &[(0, "a.rs", Complete), (5, "a.rs", Missing)],
            &[(0, "a.rs", Complete), (105, "a.rs", Missing)],
        );
    }

    #[test]
    fn a_file_back_within_the_grace_is_a_save() {
        // vim and Emacs: the original renamed to a backup, a new file written and closed.
        check(&[(0, "a.rs", Missing), (1, "a.rs", Writing), (2, "a.rs", Complete)], &[(2, "a.rs", Complete)]);
        // JetBrains and atomic writes: a finished file renamed over the path.
        check(&[(0, "a.rs", Missing), (1, "a.rs", Complete)], &[(1, "a.rs", Complete)]);
        // Back but never closed: read once its writer paused, as a write.
        check(&[(0, "a.rs", Missing), (50, "a.rs", Writing)], &[(80, "a.rs", Writing)]);
    }

    #[test]
    fn paths_wait_independently() {
        // `git checkout` of two files: each unlinked, then created and closed.
        check(
            &[
                (0, "a.rs", Missing),
                (0, "b.rs", Missing),
                (1, "a.rs", Complete),
                (3, "c.rs", Writing),
                (4, "b.rs", Complete),
            ],
            &[(1, "a.rs", Complete), (4, "b.rs", Complete), (33, "c.rs", Writing)],
        );
    }
}

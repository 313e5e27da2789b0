//! The live watcher: one thread that owns the notify watcher, keeps a watch on every folder the
//! filter keeps (and on no other), looks at the disk for every event, runs the debounce and
//! sends what is ready to the session.
//!
//! notify's recursive mode would put a watch on every folder, `target/` included, where a build
//! writes thousands of files; here the root and each kept folder get a watch of their own, and a
//! folder that appears later gets one when its event arrives, after which it is scanned so files
//! written into it before the watch existed are not missed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use tokio::sync::mpsc;

use super::debounce::Debounce;
use super::{FileState, Filter, Touched, walk};

/// The running watcher; it stops when dropped.
#[derive(Debug)]
pub(crate) struct Watcher {
    inbox: Sender<Message>,
    #[cfg(test)]
    folders: Arc<Mutex<BTreeSet<PathBuf>>>,
    #[cfg(test)]
    deaf: Arc<std::sync::atomic::AtomicBool>,
}

/// What the watcher's thread receives.
enum Message {
    Notify(notify::Result<notify::Event>),
    Stop,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.inbox.send(Message::Stop);
    }
}

/// Watches `root` and sends every file the filter keeps when it changed, appeared or was deleted
/// (see the module documentation of `watch`). It starts by naming every file once, so a change
/// made since the caller's [`scan`](super::scan) is not missed either.
pub(crate) fn watch(
    root: &Path,
    filter: Filter,
) -> notify::Result<(Watcher, mpsc::UnboundedReceiver<Touched>)> {
    let (out, changes) = mpsc::unbounded_channel();
    let (inbox, messages) = std::sync::mpsc::channel();
    #[cfg(test)]
    let deaf = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let notify = {
        let inbox = inbox.clone();
        #[cfg(test)]
        let deaf = Arc::clone(&deaf);
        notify::recommended_watcher(move |event| {
            #[cfg(test)]
            if deaf.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            let _ = inbox.send(Message::Notify(event));
        })?
    };
    let mut state = State {
        root: root.to_path_buf(),
        filter,
        notify,
        folders: Arc::default(),
        files: BTreeSet::new(),
        debounce: Debounce::default(),
        out,
    };
    state.notify.watch(root, RecursiveMode::NonRecursive)?;
    state.rescan(Instant::now());
    let watcher = Watcher {
        inbox,
        #[cfg(test)]
        folders: Arc::clone(&state.folders),
        #[cfg(test)]
        deaf,
    };
    std::thread::Builder::new()
        .name("devserve-watch".to_owned())
        .spawn(move || state.run(&messages))
        .map_err(notify::Error::io)?;
    Ok((watcher, changes))
}

#[cfg(test)]
impl Watcher {
    /// The folders watched now.
    pub(crate) fn folders(&self) -> Vec<PathBuf> {
        self.folders.lock().map(|folders| folders.iter().cloned().collect()).unwrap_or_default()
    }

    /// Drop notify's events from now on (`true`), as the kernel does when its queue overflows,
    /// or hear them again.
    pub(crate) fn lose_events(&self, lose: bool) {
        self.deaf.store(lose, std::sync::atomic::Ordering::SeqCst);
    }

    /// What notify sends when the kernel's event queue overflowed.
    pub(crate) fn overflow(&self) {
        let notice = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        let _ = self.inbox.send(Message::Notify(Ok(notice)));
    }
}

/// The watcher thread's state.
struct State {
    root: PathBuf,
    filter: Filter,
    notify: RecommendedWatcher,
    /// The folders with a watch.
    folders: Arc<Mutex<BTreeSet<PathBuf>>>,
    /// The files the filter keeps that were there when last seen: a rescan reports those it no
    /// longer finds as deleted.
    files: BTreeSet<PathBuf>,
    debounce: Debounce,
    out: mpsc::UnboundedSender<Touched>,
}

impl State {
    fn run(mut self, messages: &Receiver<Message>) {
        while !self.out.is_closed() {
            let message = match self.debounce.deadline() {
                Some(at) => messages.recv_timeout(at.saturating_duration_since(Instant::now())),
                None => messages.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match message {
                Ok(Message::Notify(Ok(event))) => self.on_event(event, Instant::now()),
                Ok(Message::Notify(Err(err))) => {
                    tracing::warn!("file watcher: {err}; looking at every file again");
                    self.rescan(Instant::now());
                }
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            for (path, state) in self.debounce.pop_due(Instant::now()) {
                self.send(path, state);
            }
        }
    }

    fn on_event(&mut self, event: notify::Event, now: Instant) {
        if event.need_rescan() {
            tracing::warn!("file watcher: events were lost (queue overflow); looking at every file again");
            self.rescan(now);
            return;
        }
        // Final content: the writer closed the file, or a finished file was renamed into place.
        let complete = matches!(
            event.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
        );
        if event.kind.is_access() && !complete {
            return;
        }
        let new_folder = matches!(event.kind, EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)));
        for path in event.paths {
            self.look_at(path, complete, new_folder, now);
        }
    }

    /// What is at `path` now, after an event named it.
    fn look_at(&mut self, path: PathBuf, complete: bool, new_folder: bool, now: Instant) {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                if new_folder || !self.is_watched(&path) {
                    self.add_folder(&path, now);
                }
            }
            Ok(_) => {
                if self.filter.classify(&path).is_some() {
                    self.files.insert(path.clone());
                    let state = if complete { FileState::Complete } else { FileState::Writing };
                    self.sight(path, state, now);
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => self.vanished(&path, now),
            Err(err) => tracing::warn!("file watcher: cannot look at {}: {err}", path.display()),
        }
    }

    /// A folder appeared (created, moved in): watch it and what it holds, and read the files
    /// already in it, since their events came before its watch.
    fn add_folder(&mut self, dir: &Path, now: Instant) {
        if !self.filter.watches_dir(dir) {
            return;
        }
        let (folders, files) = walk(dir, &self.filter);
        self.watch_folders(folders);
        for file in files {
            self.files.insert(file.clone());
            self.sight(file, FileState::Writing, now);
        }
    }

    /// Nothing is at `path` any more: if it was a file, it may be deleted; if it was a folder,
    /// everything in it may be (notify already dropped the watches under it).
    fn vanished(&mut self, path: &Path, now: Instant) {
        if let Ok(mut folders) = self.folders.lock() {
            folders.retain(|folder| !folder.starts_with(path));
        }
        let gone: Vec<PathBuf> = self.files.iter().filter(|file| file.starts_with(path)).cloned().collect();
        if gone.is_empty() && self.filter.classify(path).is_some() {
            self.sight(path.to_path_buf(), FileState::Missing, now);
        }
        for file in gone {
            self.sight(file, FileState::Missing, now);
        }
    }

    /// Look at every file again, after events were lost: every folder gets its watch (again),
    /// every file found goes out to be read (the session drops what it has seen already), every
    /// file known before and not found now waits out the grace as missing.
    fn rescan(&mut self, now: Instant) {
        let (folders, files) = walk(&self.root, &self.filter);
        if let Ok(mut watched) = self.folders.lock() {
            watched.clear();
        }
        self.watch_folders(folders);
        let files: BTreeSet<PathBuf> = files.into_iter().collect();
        for (path, state) in rescan_diff(&self.files, &files) {
            self.sight(path, state, now);
        }
        self.files = files;
    }

    fn watch_folders(&mut self, folders: Vec<PathBuf>) {
        for folder in folders {
            match self.notify.watch(&folder, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    if let Ok(mut watched) = self.folders.lock() {
                        watched.insert(folder);
                    }
                }
                // Gone again already: its parent's watch reports that.
                Err(err) if matches!(err.kind, notify::ErrorKind::PathNotFound) => {}
                Err(err) => tracing::warn!("file watcher: cannot watch {}: {err}", folder.display()),
            }
        }
    }

    fn is_watched(&self, dir: &Path) -> bool {
        self.folders.lock().is_ok_and(|folders| folders.contains(dir))
    }

    fn sight(&mut self, path: PathBuf, state: FileState, now: Instant) {
        if let Some((path, state)) = self.debounce.push(path, state, now) {
            self.send(path, state);
        }
    }

    fn send(&mut self, path: PathBuf, state: FileState) {
        if state == FileState::Missing {
            self.files.remove(&path);
        }
        if let Some((rel, kind)) = self.filter.classify(&path) {
            let _ = self.out.send(Touched { path, rel, kind, state });
        }
    }
}

/// What a rescan reports: every file found, to be read, and every file known before that is not
/// there any more, as missing.
fn rescan_diff(known: &BTreeSet<PathBuf>, found: &BTreeSet<PathBuf>) -> Vec<(PathBuf, FileState)> {
    let found_all = found.iter().map(|path| (path.clone(), FileState::Complete));
    let lost = known.difference(found).map(|path| (path.clone(), FileState::Missing));
    found_all.chain(lost).collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::os::unix::fs::MetadataExt as _;
    use std::process::Command;
    use std::time::Duration;

    use super::super::debounce::{GRACE, SETTLE};
    use super::super::tests::TempDir;
    use super::super::{FileChange, Seen, read_change, scan};
    use super::*;

    #[test]
    fn a_rescan_reads_every_file_and_reports_the_lost_ones_missing() {
        let set = |paths: &[&str]| paths.iter().map(PathBuf::from).collect::<BTreeSet<_>>();
        let diff = rescan_diff(&set(&["a.rs", "b.rs", "gone.rs"]), &set(&["a.rs", "b.rs", "new.rs"]));
        let expected =
            [("a.rs", FileState::Complete), ("b.rs", FileState::Complete), ("new.rs", FileState::Complete)]
                .into_iter()
                .chain([("gone.rs", FileState::Missing)])
                .map(|(path, state)| (PathBuf::from(path), state))
                .collect::<Vec<_>>();
        assert_eq!(diff, expected);
        assert_eq!(rescan_diff(&set(&["a.rs"]), &set(&[])), [(PathBuf::from("a.rs"), FileState::Missing)]);
    }

    /// A folder with sources, the real watcher on it and the session's side of it (`Seen`,
    /// filled by a first scan as the session does).
    struct Live {
        dir: TempDir,
        seen: Seen,
        watcher: Watcher,
        changes: mpsc::UnboundedReceiver<Touched>,
    }

    /// A change read from the watcher, and when it was read.
    type Read = (Instant, FileChange);

    impl Live {
        async fn start(files: &[(&str, &str)]) -> Self {
            let dir = TempDir::new();
            for (rel, content) in files {
                let path = dir.path().join(rel);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, content).unwrap();
            }
            let filter = Filter::new(dir.path());
            let mut seen = Seen::default();
            for touched in scan(dir.path(), &filter) {
                read_change(&mut seen, touched);
            }
            let (watcher, changes) = watch(dir.path(), filter).unwrap();
            let mut live = Self { dir, seen, watcher, changes };
            // The watcher names every file once at start: nothing new.
            assert_eq!(live.reads().await, [], "a change at start-up");
            live
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.dir.path().join(rel)
        }

        /// The changes the session reads until nothing came for longer than the grace period.
        async fn reads(&mut self) -> Vec<FileChange> {
            self.timed_reads().await.into_iter().map(|(_, change)| change).collect()
        }

        async fn timed_reads(&mut self) -> Vec<Read> {
            let quiet = GRACE + SETTLE + Duration::from_millis(200);
            let mut reads = Vec::new();
            while let Ok(touched) = tokio::time::timeout(quiet, self.changes.recv()).await {
                let touched = touched.expect("the watcher stopped");
                if let Some(change) = read_change(&mut self.seen, touched) {
                    reads.push((Instant::now(), change));
                }
            }
            reads
        }
    }

    fn content(rel: &str, text: &str) -> FileChange {
        let content = Some(super::super::Content { text: text.to_owned(), lossy: false });
        FileChange { rel: rel.to_owned(), kind: super::super::FileKind::Rust, content }
    }

    fn deleted(rel: &str) -> FileChange {
        FileChange { rel: rel.to_owned(), kind: super::super::FileKind::Rust, content: None }
    }

    /// Applies `save` three times (each writing new text, on a thread of its own while the
    /// session reads, as an editor is a process of its own) and checks that each time the session
    /// reads exactly the new content, once, with no deletion and without waiting for the grace
    /// period (the fastest of the three, so a busy machine does not fail it).
    async fn check_save(save: fn(&Path, &str)) {
        let mut live = Live::start(&[("src/app.rs", "fn a() {}\n"), ("src/lib.rs", "mod app;\n")]).await;
        let mut latencies = Vec::new();
        for round in 0..3 {
            let text = format!("fn a() {{ let round = {round}; }}\n{}", "// padding\n".repeat(20));
            let (path, written) = (live.path("src/app.rs"), text.clone());
            let saving = tokio::task::spawn_blocking(move || {
                save(&path, &written);
                Instant::now()
            });
            let reads = live.timed_reads().await;
            let saved = saving.await.unwrap();
            let changes: Vec<&FileChange> = reads.iter().map(|(_, change)| change).collect();
            assert_eq!(changes, [&content("src/app.rs", &text)], "round {round}");
            latencies.push(reads[0].0.saturating_duration_since(saved));
        }
        eprintln!("save read after {latencies:?}");
        let fastest = latencies.iter().min().copied().unwrap_or_default();
        assert!(fastest < GRACE, "a save waited for the deletion grace: {latencies:?}");
    }

    /// How long the saves below leave the path empty or the file half-written: a slow disk or a busy
    /// machine (well under the grace period, well over the time the watcher needs to see it).
    const PAUSE: Duration = Duration::from_millis(20);

    fn in_place(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap();
    }

    fn in_place_two_chunks(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new().write(true).truncate(true).open(path).unwrap();
        let (first, second) = text.split_at(text.len() / 2);
        file.write_all(first.as_bytes()).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(5));
        file.write_all(second.as_bytes()).unwrap();
    }

    fn temp_and_rename(path: &Path, text: &str) {
        let temp = path.with_file_name(".app.rs.tmp-1234");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, path).unwrap();
    }

    /// vim's default (`backupcopy=auto`, `writebackup`): the original becomes the backup, a new
    /// file is written, the backup is deleted.
    fn vim(path: &Path, text: &str) {
        let backup = path.with_file_name("app.rs~");
        std::fs::write(path.with_file_name("4913"), "").unwrap();
        std::fs::remove_file(path.with_file_name("4913")).unwrap();
        std::fs::rename(path, &backup).unwrap();
        std::thread::sleep(PAUSE);
        std::fs::write(path, text).unwrap();
        std::fs::remove_file(&backup).unwrap();
    }

    /// JetBrains "safe write".
    fn jetbrains(path: &Path, text: &str) {
        let temp = path.with_file_name("app.rs___jb_tmp___");
        let old = path.with_file_name("app.rs___jb_old___");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(path, &old).unwrap();
        std::thread::sleep(PAUSE);
        std::fs::rename(&temp, path).unwrap();
        std::fs::remove_file(&old).unwrap();
    }

    /// Emacs's first save of a session: the original renamed to the backup, which stays.
    fn emacs_first_save(path: &Path, text: &str) {
        std::fs::rename(path, path.with_file_name("app.rs~")).unwrap();
        std::thread::sleep(PAUSE);
        std::fs::write(path, text).unwrap();
    }

    #[tokio::test]
    async fn an_in_place_save_is_one_change() {
        check_save(in_place).await;
    }

    #[tokio::test]
    async fn an_in_place_save_in_two_chunks_is_one_change() {
        check_save(in_place_two_chunks).await;
    }

    #[tokio::test]
    async fn a_save_by_rename_over_is_one_change() {
        check_save(temp_and_rename).await;
    }

    #[tokio::test]
    async fn a_vim_save_is_one_change() {
        check_save(vim).await;
    }

    #[tokio::test]
    async fn a_jetbrains_safe_write_is_one_change() {
        check_save(jetbrains).await;
    }

    #[tokio::test]
    async fn an_emacs_first_save_is_one_change() {
        check_save(emacs_first_save).await;
    }

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=devserve",
                "-c",
                "user.email=devserve@localhost",
                "-c",
                "core.hooksPath=/dev/null",
            ])
            .args(args)
            .current_dir(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("git is installed");
        assert!(status.success(), "git {args:?}");
    }

    #[tokio::test]
    async fn a_git_checkout_of_several_files_is_one_change_each() {
        let files = ["src/a.rs", "src/b.rs", "src/pages/c.rs"];
        let old: Vec<(&str, &str)> = files.iter().map(|rel| (*rel, "fn old() {}\n")).collect();
        let mut live = Live::start(&old).await;
        let dir = live.dir.path().to_path_buf();
        git(&dir, &["init", "-q"]);
        git(&dir, &["add", "."]);
        git(&dir, &["commit", "-q", "-m", "old"]);
        for rel in files {
            std::fs::write(live.path(rel), format!("fn new() {{}} // {rel}\n")).unwrap();
        }
        git(&dir, &["commit", "-q", "-a", "-m", "new"]);
        let mut edits = live.reads().await;
        edits.sort_by(|a, b| a.rel.cmp(&b.rel));
        let new: Vec<FileChange> =
            files.iter().map(|rel| content(rel, &format!("fn new() {{}} // {rel}\n"))).collect();
        assert_eq!(edits, new);

        git(&dir, &["checkout", "-q", "HEAD~1", "--", "."]);
        let mut checked_out = live.reads().await;
        checked_out.sort_by(|a, b| a.rel.cmp(&b.rel));
        let expected: Vec<FileChange> = files.iter().map(|rel| content(rel, "fn old() {}\n")).collect();
        assert_eq!(checked_out, expected, "one change per file, no deletion");
    }

    #[tokio::test]
    async fn a_deleted_file_is_reported_deleted_after_the_grace() {
        let mut live = Live::start(&[("src/app.rs", "fn a() {}\n"), ("src/old/x.rs", "fn x() {}\n")]).await;
        std::fs::remove_file(live.path("src/app.rs")).unwrap();
        let deleted_at = Instant::now();
        let reads = live.timed_reads().await;
        let changes: Vec<&FileChange> = reads.iter().map(|(_, change)| change).collect();
        assert_eq!(changes, [&deleted("src/app.rs")]);
        let after = reads[0].0.duration_since(deleted_at);
        eprintln!("deletion read after {after:?}");
        assert!(after >= GRACE, "deletion confirmed after {after:?}");
        // A whole folder: every file in it.
        std::fs::remove_dir_all(live.path("src/old")).unwrap();
        assert_eq!(live.reads().await, [deleted("src/old/x.rs")]);
        // Moved out of the tree: the same.
        std::fs::create_dir_all(live.path("src/moved")).unwrap();
        std::fs::write(live.path("src/moved/y.rs"), "fn y() {}").unwrap();
        assert_eq!(live.reads().await, [content("src/moved/y.rs", "fn y() {}")]);
        let outside = TempDir::new();
        std::fs::rename(live.path("src/moved"), outside.path().join("moved")).unwrap();
        assert_eq!(live.reads().await, [deleted("src/moved/y.rs")]);
    }

    #[tokio::test]
    async fn files_in_a_new_folder_are_read_even_when_written_before_its_watch() {
        let mut live = Live::start(&[("src/app.rs", "fn a() {}\n")]).await;
        // Moved in with its files in one go, and created with its files faster than the watcher
        // can add the folder's watch.
        let staged = TempDir::new();
        std::fs::create_dir_all(staged.path().join("deep/er")).unwrap();
        std::fs::write(staged.path().join("deep/er/x.rs"), "fn x() {}").unwrap();
        std::fs::rename(staged.path().join("deep"), live.path("src/deep")).unwrap();
        std::fs::create_dir_all(live.path("src/new/inner")).unwrap();
        std::fs::write(live.path("src/new/inner/y.rs"), "fn y() {}").unwrap();
        let mut reads = live.reads().await;
        reads.sort_by(|a, b| a.rel.cmp(&b.rel));
        assert_eq!(
            reads,
            [content("src/deep/er/x.rs", "fn x() {}"), content("src/new/inner/y.rs", "fn y() {}")]
        );
        // And their later changes arrive through the new watches.
        std::fs::write(live.path("src/deep/er/x.rs"), "fn x2() {}").unwrap();
        assert_eq!(live.reads().await, [content("src/deep/er/x.rs", "fn x2() {}")]);
    }

    #[tokio::test]
    async fn an_overflow_rescans_and_reports_what_changed_meanwhile() {
        let mut live =
            Live::start(&[("src/a.rs", "fn a() {}"), ("src/b.rs", "fn b() {}"), ("src/c.rs", "fn c() {}")])
                .await;
        // The kernel's queue overflows: these events are lost.
        live.watcher.lose_events(true);
        std::fs::write(live.path("src/a.rs"), "fn a2() {}").unwrap();
        std::fs::remove_file(live.path("src/b.rs")).unwrap();
        std::fs::create_dir_all(live.path("src/new")).unwrap();
        std::fs::write(live.path("src/new/d.rs"), "fn d() {}").unwrap();
        assert_eq!(live.reads().await, [], "the events were meant to be lost");
        live.watcher.lose_events(false);
        live.watcher.overflow();
        let mut reads = live.reads().await;
        reads.sort_by(|a, b| a.rel.cmp(&b.rel));
        assert_eq!(
            reads,
            [content("src/a.rs", "fn a2() {}"), deleted("src/b.rs"), content("src/new/d.rs", "fn d() {}")]
        );
        // The folder created while deaf is watched now.
        std::fs::write(live.path("src/new/d.rs"), "fn d2() {}").unwrap();
        assert_eq!(live.reads().await, [content("src/new/d.rs", "fn d2() {}")]);
    }

    /// The inode numbers of every inotify watch of this process (all watchers of all tests).
    fn inotify_watched_inodes() -> BTreeSet<u64> {
        let mut inodes = BTreeSet::new();
        for entry in std::fs::read_dir("/proc/self/fdinfo").unwrap().flatten() {
            let info = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for line in info.lines().filter(|line| line.starts_with("inotify wd:")) {
                let ino = line.split_whitespace().find_map(|field| field.strip_prefix("ino:"));
                inodes.extend(ino.and_then(|hex| u64::from_str_radix(hex, 16).ok()));
            }
        }
        inodes
    }

    #[tokio::test]
    async fn ignored_folders_get_no_watch() {
        let mut live = Live::start(&[
            ("src/app.rs", "fn a() {}"),
            ("src/pages/home.rs", "fn home() {}"),
            (".gitignore", "generated/\n"),
            ("generated/x.rs", ""),
            ("node_modules/pkg/index.rs", ""),
            ("target/debug/build/out/gen.rs", ""),
            ("target/debug/deps/x.rs", ""),
        ])
        .await;
        let root = live.dir.path().to_path_buf();
        let rel: Vec<PathBuf> =
            live.watcher.folders().iter().map(|f| f.strip_prefix(&root).unwrap().to_path_buf()).collect();
        assert_eq!(rel, [PathBuf::new(), PathBuf::from("src"), PathBuf::from("src/pages")]);
        // The kernel agrees: no inotify watch on any folder under target/ (or the other ignored
        // ones), one on each kept folder.
        let inodes = inotify_watched_inodes();
        let ino = |rel: &str| std::fs::metadata(root.join(rel)).unwrap().ino();
        for kept in ["", "src", "src/pages"] {
            assert!(inodes.contains(&ino(kept)), "{kept:?} has no watch");
        }
        for ignored in
            ["target", "target/debug", "target/debug/build", "target/debug/deps", "generated", "node_modules"]
        {
            assert!(!inodes.contains(&ino(ignored)), "{ignored} is watched");
        }
        // A build writing there is not even seen; a new ignored folder gets no watch either.
        std::fs::create_dir_all(root.join("target/debug/incremental/x")).unwrap();
        std::fs::write(root.join("target/debug/incremental/x/y.rs"), "").unwrap();
        std::fs::write(root.join("target/debug/deps/x.rs"), "changed").unwrap();
        assert_eq!(live.reads().await, []);
        assert_eq!(live.watcher.folders().len(), 3);
        assert!(!inotify_watched_inodes().contains(&ino("target/debug/incremental/x")));
    }
}

//! The watcher: turns notify events under the app's folder into [`FileChange`]s.
//!
//! The watcher ([`watch`], in `watch/watcher.rs`) names files ([`Touched`]); the session reads
//! each one ([`read_change`]) and content identical to what was last seen is dropped by hash
//! ([`Seen`]). On the way, one trailing-edge debounce per path (`watch/debounce.rs`) holds back
//! what is not final yet, and nothing else waits:
//!
//! - a file whose writer closed it, or that was renamed into place, goes out at once: a save's
//!   patch never waits for a timer;
//! - a file written but not closed goes out once its writer has paused for a moment, so a file
//!   written in several chunks is read once, whole;
//! - a path that vanished is a deletion only when no file is back at it after a grace period:
//!   editors that save by renaming or deleting the original (vim, Emacs, JetBrains, `git
//!   checkout`) put the new file in place well within it, and then it is just a save.
//!
//! Only folders devserve cares about are watched, one watch each (never `target/`, `.git/`,
//! `node_modules/` or ignored folders); when the kernel's event queue overflows, the tree is
//! scanned again and every file that differs from what was seen is reported. When the kernel's
//! inotify limits are used up, devserve says which sysctl raises them and polls the same folders
//! instead (`watch/limits.rs`). Builds are debounced elsewhere (see `session`).

mod debounce;
mod limits;
mod watcher;

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

pub(crate) use watcher::{Watcher, watch};

/// What kind of file changed, which decides what devserve does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A Rust source: classified, then patched or rebuilt.
    Rust,
    /// A stylesheet: swapped in place.
    Style,
    /// `Cargo.toml`, `build.rs` or anything else the build reads: rebuilt.
    Build,
    /// A file of a cargo-leptos app's assets-dir: copied to the site.
    Asset,
}

/// A file's content changed, or it went away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileChange {
    /// Path relative to the watched root, `/`-separated.
    pub(crate) rel: String,
    /// What the file is.
    pub(crate) kind: FileKind,
    /// The new content (lossy UTF-8 with a flag when it was not valid UTF-8), `None` when the file
    /// was removed.
    pub(crate) content: Option<Content>,
}

/// A file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Content {
    /// The text; invalid UTF-8 sequences are replaced.
    pub(crate) text: String,
    /// The file was not valid UTF-8.
    pub(crate) lossy: bool,
}

/// Decides which paths under the root matter.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    root: PathBuf,
    gitignore: Gitignore,
    /// The assets-dir relative to the root, `/`-separated with a trailing `/`.
    assets: Option<String>,
    /// Folders devserve writes itself (a site-root outside `target/`), same form.
    ignored: Vec<String>,
}

impl Filter {
    /// The filter for `root`, honouring its `.gitignore`.
    pub(crate) fn new(root: &Path) -> Self {
        let mut builder = GitignoreBuilder::new(root);
        // A missing or unreadable .gitignore just means nothing extra is ignored.
        let _ = builder.add(root.join(".gitignore"));
        let gitignore = builder.build().unwrap_or_else(|_| Gitignore::empty());
        Self { root: root.to_path_buf(), gitignore, assets: None, ignored: Vec::new() }
    }

    /// Files under `dir` are assets (of any kind); `dir` may lie outside the root (then it is
    /// not watched).
    pub(crate) fn with_assets(mut self, dir: &Path) -> Self {
        self.assets = self.relative_dir(dir);
        self
    }

    /// Nothing under `dir` is watched.
    pub(crate) fn ignoring(mut self, dir: &Path) -> Self {
        self.ignored.extend(self.relative_dir(dir));
        self
    }

    fn relative_dir(&self, dir: &Path) -> Option<String> {
        let rel = dir.strip_prefix(&self.root).ok()?.to_str()?.replace('\\', "/");
        Some(format!("{}/", rel.trim_end_matches('/')))
    }

    /// The relative path and kind of `path`, or `None` when devserve ignores it.
    pub(crate) fn classify(&self, path: &Path) -> Option<(String, FileKind)> {
        let parts = self.components(path, false)?;
        let name = *parts.last()?;
        if is_editor_temp(name) {
            return None;
        }
        let rel = parts.join("/");
        if self.assets.as_ref().is_some_and(|dir| rel.starts_with(dir.as_str())) {
            return Some((rel, FileKind::Asset));
        }
        let kind = file_kind(name)?;
        Some((rel, kind))
    }

    /// Whether the folder `dir` (the root included) is watched: what [`Filter::classify`] keeps
    /// can only lie in such folders, and no other folder gets a watch.
    pub(crate) fn watches_dir(&self, dir: &Path) -> bool {
        self.components(dir, true).is_some()
    }

    /// The components of `path` relative to the root, `None` when it lies outside the root, in
    /// build output, VCS data, dependencies, an ignored folder or one devserve writes.
    fn components<'p>(&self, path: &'p Path, is_dir: bool) -> Option<Vec<&'p str>> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let mut parts = Vec::new();
        for component in rel.components() {
            let part = component.as_os_str().to_str()?;
            if matches!(part, "target" | ".git" | "node_modules") || part.starts_with(".#") {
                return None;
            }
            parts.push(part);
        }
        if parts.is_empty() {
            return Some(parts);
        }
        if self.gitignore.matched_path_or_any_parents(rel, is_dir).is_ignore() {
            return None;
        }
        let slashed = format!("{}{}", parts.join("/"), if is_dir { "/" } else { "" });
        if self.ignored.iter().any(|dir| slashed.starts_with(dir.as_str())) {
            return None;
        }
        Some(parts)
    }
}

fn file_kind(name: &str) -> Option<FileKind> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("");
    match (name, ext) {
        ("build.rs" | "Cargo.toml" | "Cargo.lock" | "rust-toolchain.toml" | "rust-toolchain", _) => {
            Some(FileKind::Build)
        }
        (_, "rs") => Some(FileKind::Rust),
        (_, "css" | "scss" | "sass") => Some(FileKind::Style),
        _ => None,
    }
}

/// Swap, backup and lock files that editors write next to the real one.
fn is_editor_temp(name: &str) -> bool {
    name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".orig"].iter().any(|ext| name.ends_with(ext))
        || (name.starts_with('.') && name.contains(".sw"))
}

/// Remembers the last content seen per path so identical saves are dropped.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    hashes: HashMap<String, u64>,
    /// Files that could not be read when last named (unreadable, say): each is said once, and
    /// again only after it was read in between.
    unreadable: HashSet<String>,
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

impl Seen {
    /// Record `content` for `rel`; `false` when it equals what was seen last.
    pub(crate) fn update(&mut self, rel: &str, content: Option<&[u8]>) -> bool {
        let hash = content.map(content_hash);
        let previous = match hash {
            Some(hash) => self.hashes.insert(rel.to_owned(), hash),
            None => self.hashes.remove(rel),
        };
        previous != hash
    }

    /// One hash of the content of every file the build reads (stylesheets and assets left out),
    /// as last seen: equal fingerprints mean a build would compile the same sources.
    pub(crate) fn fingerprint(&self) -> u64 {
        let is_input = |rel: &str| {
            matches!(file_kind(rel.rsplit('/').next().unwrap_or(rel)), Some(FileKind::Rust | FileKind::Build))
        };
        let mut entries: Vec<_> = self.hashes.iter().filter(|(rel, _)| is_input(rel)).collect();
        entries.sort_unstable();
        let mut hasher = DefaultHasher::new();
        entries.hash(&mut hasher);
        hasher.finish()
    }

    /// `rel` could not be read: `true` when it could last time (so it is worth saying).
    fn cannot_read(&mut self, rel: &str) -> bool {
        self.unreadable.insert(rel.to_owned())
    }

    /// `rel` was read (or found gone): `true` when it could not be read last time.
    fn can_read(&mut self, rel: &str) -> bool {
        self.unreadable.remove(rel)
    }

    /// Whether the last content seen for `rel` was not empty.
    fn had_content(&self, rel: &str) -> bool {
        self.hashes.get(rel).is_some_and(|&hash| hash != content_hash(b""))
    }
}

/// Read the file the watcher named into a change, `None` when its content is unchanged or still
/// being written.
///
/// The file is read now, so only its latest content counts, however many events led here.
///
/// Saving in place truncates the file before writing it, and the truncation is an event of its
/// own: a file that had content and reads empty is taken as half-written unless its writer closed
/// it ([`FileState::Complete`]). Empty is valid Rust, so taking it would turn a text edit into a
/// rebuild; waiting costs nothing, because the write that follows brings its own event.
///
/// Likewise a file that is not there is a deletion only when the watcher found it missing for
/// its whole grace period ([`FileState::Missing`]): otherwise it vanished under a save in progress
/// (renamed to a backup, or unlinked before the new file is written), and the watcher, which saw
/// it go, either brings the new file or confirms the deletion later.
pub(crate) fn read_change(seen: &mut Seen, touched: Touched) -> Option<FileChange> {
    let Touched { path, rel, kind, state } = touched;
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && state == FileState::Missing => None,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            // Unreadable (permissions), or not a file any more: what was last read of it stands,
            // and the watcher names it again when it changes (a chmod included).
            if seen.cannot_read(&rel) {
                tracing::warn!(
                    "cannot read {rel}: {err}; its changes are ignored until it can be read again \
                     (a build that needs it fails meanwhile)"
                );
            }
            return None;
        }
    };
    if seen.can_read(&rel) {
        tracing::info!("{rel} can be read again");
    }
    let emptied = bytes.as_deref().is_some_and(<[u8]>::is_empty) && seen.had_content(&rel);
    if emptied && state != FileState::Complete {
        return None;
    }
    if !seen.update(&rel, bytes.as_deref()) {
        return None;
    }
    let content = bytes.map(|bytes| match String::from_utf8(bytes) {
        Ok(text) => Content { text, lossy: false },
        Err(err) => Content { text: String::from_utf8_lossy(err.as_bytes()).into_owned(), lossy: true },
    });
    Some(FileChange { rel, kind, content })
}

/// Every file under `root` that the filter keeps, for the first scan.
pub(crate) fn scan(root: &Path, filter: &Filter) -> Vec<Touched> {
    let (_, files) = walk(root, filter);
    files
        .into_iter()
        .filter_map(|path| {
            let (rel, kind) = filter.classify(&path)?;
            Some(Touched { path, rel, kind, state: FileState::Complete })
        })
        .collect()
}

/// The folders under `dir` (itself included) that the filter watches and the files in them that
/// it keeps. Ignored folders are not entered.
fn walk(dir: &Path, filter: &Filter) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let keep = filter.clone();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(move |entry| {
            !entry.file_type().is_some_and(|t| t.is_dir()) || keep.watches_dir(entry.path())
        })
        .build();
    let (mut folders, mut files) = (Vec::new(), Vec::new());
    for entry in walker.filter_map(Result::ok) {
        match entry.file_type() {
            Some(t) if t.is_dir() => folders.push(entry.into_path()),
            Some(t) if t.is_file() && filter.classify(entry.path()).is_some() => {
                files.push(entry.into_path())
            }
            _ => {}
        }
    }
    (folders, files)
}

/// What the watcher saw of a file: whether its content is final, or whether it is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileState {
    /// Written, but the writer may not be done (no close seen): read when it has paused.
    Writing,
    /// Its writer closed it, it was renamed into place, or a scan found it: its content is final.
    Complete,
    /// Not there (seen by the watcher as it happened); once out of the watcher, not there for its
    /// whole grace period either: deleted.
    Missing,
}

/// A file the watcher named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Touched {
    /// Its absolute path.
    pub(crate) path: PathBuf,
    /// Its path relative to the root, `/`-separated.
    pub(crate) rel: String,
    /// What it is.
    pub(crate) kind: FileKind,
    /// What the watcher saw of it.
    pub(crate) state: FileState,
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::mpsc;

    use super::*;

    /// A fresh folder under the system's temporary folder, removed on drop.
    pub(crate) struct TempDir(PathBuf);

    impl TempDir {
        pub(crate) fn new() -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::SeqCst);
            let dir = std::env::temp_dir().join(format!("devserve-watch-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn check(path: &str, expected: Option<(&str, FileKind)>) {
        let filter = Filter::new(Path::new("/app"));
        let got = filter.classify(&Path::new("/app").join(path));
        assert_eq!(got.as_ref().map(|(rel, kind)| (rel.as_str(), *kind)), expected, "{path}");
    }

    #[test]
    fn keeps_sources_styles_and_manifests() {
        check("src/app.rs", Some(("src/app.rs", FileKind::Rust)));
        check("src/deep/mod.rs", Some(("src/deep/mod.rs", FileKind::Rust)));
        check("style/main.css", Some(("style/main.css", FileKind::Style)));
        check("style/main.scss", Some(("style/main.scss", FileKind::Style)));
        check("Cargo.toml", Some(("Cargo.toml", FileKind::Build)));
        // A `cargo update` changes what is built (issue 8, item 5).
        check("Cargo.lock", Some(("Cargo.lock", FileKind::Build)));
        check("rust-toolchain.toml", Some(("rust-toolchain.toml", FileKind::Build)));
        check("build.rs", Some(("build.rs", FileKind::Build)));
    }

    #[test]
    fn ignores_build_output_vcs_and_editor_files() {
        check("target/debug/build/x/out.rs", None);
        check(".git/HEAD", None);
        check("src/.app.rs.swp", None);
        check("src/app.rs~", None);
        check("src/4913", None);
        check("src/#app.rs#", None);
        check("src/.#app.rs", None);
        check("README.md", None);
    }

    #[test]
    fn watches_only_folders_that_can_hold_kept_files() {
        let root = Path::new("/app");
        let mut builder = GitignoreBuilder::new(root);
        builder.add_line(None, "generated/").unwrap();
        builder.add_line(None, "/dist").unwrap();
        let filter =
            Filter { gitignore: builder.build().unwrap(), ..Filter::new(root) }.ignoring(&root.join("site"));
        let watched = |dir: &str| filter.watches_dir(&root.join(dir));
        for dir in ["", "src", "src/pages", "style", "assets", ".cargo", "src/site", "sites", "distant"] {
            assert!(watched(dir), "{dir} should be watched");
        }
        for dir in [
            "target",
            "target/debug",
            "src/target",
            ".git",
            "node_modules",
            "generated",
            "src/generated",
            "dist",
            "site",
            "site/pkg",
        ] {
            assert!(!watched(dir), "{dir} should not be watched");
        }
        assert!(!filter.watches_dir(Path::new("/elsewhere")));
        // The same rules as for files.
        assert_eq!(filter.classify(&root.join("generated/x.rs")), None);
        assert_eq!(filter.classify(&root.join("site/x.css")), None);
        assert_eq!(filter.classify(&root.join("dist/x.rs")), None);
        assert!(filter.classify(&root.join("src/dist/x.rs")).is_some());
    }

    #[test]
    fn the_first_scan_skips_ignored_folders() {
        let dir = TempDir::new();
        let root = dir.path();
        for file in
            ["src/app.rs", "src/pages/home.rs", "target/debug/build/out.rs", "generated/x.rs", "Cargo.toml"]
        {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), "").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "generated/\n").unwrap();
        let mut found: Vec<String> = scan(root, &Filter::new(root)).into_iter().map(|t| t.rel).collect();
        found.sort();
        assert_eq!(found, ["Cargo.toml", "src/app.rs", "src/pages/home.rs"]);
        let (folders, _) = walk(root, &Filter::new(root));
        let folders: Vec<&Path> = folders.iter().map(|f| f.strip_prefix(root).unwrap()).collect();
        assert_eq!(folders, [Path::new(""), Path::new("src"), Path::new("src/pages")]);
    }

    #[test]
    fn identical_content_is_seen_once() {
        let mut seen = Seen::default();
        assert!(seen.update("a.rs", Some(b"x")));
        assert!(!seen.update("a.rs", Some(b"x")));
        assert!(seen.update("a.rs", Some(b"y")));
        assert!(seen.update("a.rs", None));
        assert!(!seen.update("a.rs", None));
    }

    #[test]
    fn fingerprint_follows_content_not_history() {
        let mut seen = Seen::default();
        seen.update("a.rs", Some(b"x"));
        seen.update("b.rs", Some(b"y"));
        let before = seen.fingerprint();
        seen.update("a.rs", Some(b"z"));
        assert_ne!(seen.fingerprint(), before);
        seen.update("a.rs", Some(b"x"));
        assert_eq!(seen.fingerprint(), before);
        seen.update("style/main.css", Some(b"p {}"));
        assert_eq!(seen.fingerprint(), before, "stylesheets are not compiled");
    }

    #[test]
    fn a_truncated_file_waits_for_its_content() {
        let dir = std::env::temp_dir().join(format!("devserve-watch-trunc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.rs");
        let touched =
            |state| Touched { path: file.clone(), rel: "app.rs".into(), kind: FileKind::Rust, state };
        let mut seen = Seen::default();
        std::fs::write(&file, "fn a() {}").unwrap();
        assert!(read_change(&mut seen, touched(FileState::Complete)).is_some());
        // The truncation of an in-place save: skipped, and not remembered.
        std::fs::write(&file, "").unwrap();
        assert_eq!(read_change(&mut seen, touched(FileState::Writing)), None);
        std::fs::write(&file, "fn b() {}").unwrap();
        let change = read_change(&mut seen, touched(FileState::Writing)).unwrap();
        assert_eq!(change.content.unwrap().text, "fn b() {}");
        // A file really emptied is taken once its writer closed it.
        std::fs::write(&file, "").unwrap();
        assert_eq!(read_change(&mut seen, touched(FileState::Writing)), None);
        assert_eq!(read_change(&mut seen, touched(FileState::Complete)).unwrap().content.unwrap().text, "");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_file_is_a_deletion_only_once_the_watcher_confirmed_it() {
        let dir = TempDir::new();
        let file = dir.path().join("app.rs");
        let touched =
            |state| Touched { path: file.clone(), rel: "app.rs".into(), kind: FileKind::Rust, state };
        let mut seen = Seen::default();
        std::fs::write(&file, "fn a() {}").unwrap();
        assert!(read_change(&mut seen, touched(FileState::Complete)).is_some());
        // Renamed away by a save in progress: not a change, and not remembered.
        std::fs::rename(&file, dir.path().join("app.rs~")).unwrap();
        assert_eq!(read_change(&mut seen, touched(FileState::Complete)), None);
        assert_eq!(read_change(&mut seen, touched(FileState::Writing)), None);
        // Back, empty for a moment (created, not written yet): still nothing.
        std::fs::write(&file, "").unwrap();
        assert_eq!(read_change(&mut seen, touched(FileState::Missing)), None);
        // Missing for the whole grace period: deleted, once.
        std::fs::remove_file(&file).unwrap();
        let change = read_change(&mut seen, touched(FileState::Missing)).unwrap();
        assert_eq!(change, FileChange { rel: "app.rs".into(), kind: FileKind::Rust, content: None });
        assert_eq!(read_change(&mut seen, touched(FileState::Missing)), None);
        // Back after the deletion was confirmed: a change like any other.
        std::fs::write(&file, "fn a() {}").unwrap();
        assert!(read_change(&mut seen, touched(FileState::Missing)).unwrap().content.is_some());
    }

    #[test]
    fn a_file_that_cannot_be_read_is_said_once_until_it_can() {
        // Reading a folder fails like reading an unreadable file, also for root.
        let dir = TempDir::new();
        let file = dir.path().join("app.rs");
        let touched = || Touched {
            path: file.clone(),
            rel: "app.rs".into(),
            kind: FileKind::Rust,
            state: FileState::Writing,
        };
        let mut seen = Seen::default();
        std::fs::write(&file, "fn a() {}").unwrap();
        assert!(read_change(&mut seen, touched()).is_some());
        std::fs::remove_file(&file).unwrap();
        std::fs::create_dir(&file).unwrap();
        assert_eq!(read_change(&mut seen, touched()), None);
        assert!(!seen.cannot_read("app.rs"), "already said");
        assert_eq!(read_change(&mut seen, touched()), None);
        // Readable again: its new content is a change, and the next failure is said again.
        std::fs::remove_dir(&file).unwrap();
        std::fs::write(&file, "fn b() {}").unwrap();
        assert_eq!(read_change(&mut seen, touched()).unwrap().content.unwrap().text, "fn b() {}");
        assert!(seen.unreadable.is_empty());
        assert!(seen.cannot_read("app.rs"));
    }

    #[test]
    fn non_utf8_files_are_read_lossily() {
        let dir = std::env::temp_dir().join(format!("devserve-watch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.rs");
        std::fs::write(&file, b"fn a() {}\xff").unwrap();
        let touched =
            Touched { path: file, rel: "bad.rs".into(), kind: FileKind::Rust, state: FileState::Writing };
        let change = read_change(&mut Seen::default(), touched).unwrap();
        let content = change.content.unwrap();
        assert!(content.lossy);
        assert!(content.text.starts_with("fn a() {}"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Waits for the watcher to name `rel`, skipping other events.
    async fn expect_event(rx: &mut mpsc::UnboundedReceiver<Touched>, rel: &str) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let event = tokio::time::timeout_at(deadline, rx.recv()).await;
            let touched = event.expect("no event in time").expect("watcher closed");
            if touched.rel == rel {
                return;
            }
        }
    }

    #[tokio::test]
    async fn follows_writes_renames_and_new_folders() {
        let dir = std::env::temp_dir().join(format!("devserve-watch-live-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join(".gitignore"), "generated/\n").unwrap();
        let (_watcher, mut rx) = watch(&dir, Filter::new(&dir)).unwrap();

        std::fs::write(dir.join("src/app.rs"), "fn a() {}").unwrap();
        expect_event(&mut rx, "src/app.rs").await;

        // Editors that save by writing a temporary file and renaming it over the original.
        std::fs::write(dir.join("src/.app.rs.swp"), "x").unwrap();
        std::fs::write(dir.join("src/app.rs.tmp"), "fn b() {}").unwrap();
        std::fs::rename(dir.join("src/app.rs.tmp"), dir.join("src/app.rs")).unwrap();
        expect_event(&mut rx, "src/app.rs").await;

        // Ignored by .gitignore: never reported; a folder created after start-up is followed.
        std::fs::create_dir_all(dir.join("generated")).unwrap();
        std::fs::write(dir.join("generated/x.rs"), "").unwrap();
        std::fs::create_dir_all(dir.join("src/pages")).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        std::fs::write(dir.join("src/pages/home.rs"), "fn home() {}").unwrap();
        expect_event(&mut rx, "src/pages/home.rs").await;

        std::fs::remove_file(dir.join("src/app.rs")).unwrap();
        expect_event(&mut rx, "src/app.rs").await;
        while let Ok(Touched { rel, .. }) = rx.try_recv() {
            assert!(!rel.starts_with("generated/") && !rel.ends_with(".swp"), "{rel} should be ignored");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

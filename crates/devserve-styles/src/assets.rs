//! The assets folder mirrored into the site root, the way cargo-leptos copies the *contents* of
//! `assets-dir` into `site-root`, but file by file and without touching what others write there.

use std::collections::BTreeSet;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader};
use std::path::{Component, Path, PathBuf};

/// What a sync did. Paths are relative to both the assets folder and the site root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Files written into the site root (new, or their content changed).
    pub copied: Vec<PathBuf>,
    /// Files removed from the site root because they left the assets folder.
    pub removed: Vec<PathBuf>,
    /// Files whose copy in the site root already had the right content.
    pub unchanged: usize,
    /// Paths left alone, with the reason; each was also logged as a warning.
    pub skipped: Vec<Skipped>,
}

impl SyncReport {
    /// Whether the site root changed: something was copied or removed.
    pub fn changed(&self) -> bool {
        !self.copied.is_empty() || !self.removed.is_empty()
    }
}

/// A path a sync refused to copy, remove or follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path as given, or as found under the assets folder.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// Why a path was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The path has a `..` component.
    ParentDir,
    /// The path is not under the assets folder.
    OutsideAssets,
    /// A symbolic link in the assets folder leads outside it.
    SymlinkOutside,
    /// A symbolic link in the assets folder leads to a folder that contains it.
    SymlinkLoop,
    /// Neither a file nor a folder (a broken link, a socket, a pipe...).
    NotAFile,
    /// The path is one the site root keeps for generated files (such as `pkg/`).
    Reserved,
    /// The site root has a symbolic link where the asset would go.
    DestinationSymlink,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::ParentDir => "the path contains `..`",
            SkipReason::OutsideAssets => "the path is outside the assets folder",
            SkipReason::SymlinkOutside => "the symbolic link leads outside the assets folder",
            SkipReason::SymlinkLoop => "the symbolic link leads to a folder that contains it",
            SkipReason::NotAFile => "neither a file nor a folder",
            SkipReason::Reserved => "the site root keeps this path for generated files",
            SkipReason::DestinationSymlink => "the site root has a symbolic link at this path",
        })
    }
}

/// A file operation of a sync that failed.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot {action}: {source}", path.display())]
pub struct AssetError {
    /// The file or folder the operation was on.
    pub path: PathBuf,
    /// What was being done.
    pub action: AssetAction,
    /// What the file system said.
    #[source]
    pub source: io::Error,
}

/// The operation an [`AssetError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetAction {
    /// Reading a file or listing a folder of the assets folder.
    Read,
    /// Creating a folder in the site root.
    CreateDir,
    /// Writing a file into the site root.
    Write,
    /// Removing a file from the site root.
    Remove,
}

impl fmt::Display for AssetAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AssetAction::Read => "read",
            AssetAction::CreateDir => "create folder",
            AssetAction::Write => "write",
            AssetAction::Remove => "remove",
        })
    }
}

fn fail(path: &Path, action: AssetAction) -> impl FnOnce(io::Error) -> AssetError + '_ {
    move |source| AssetError { path: path.to_path_buf(), action, source }
}

/// Copies the contents of `src` into `dst` once. With no memory of earlier syncs it removes
/// nothing; to mirror deletions keep an [`Assets`] and call [`Assets::sync_all`] again.
pub fn sync_all(src: &Path, dst: &Path) -> Result<SyncReport, AssetError> {
    Assets::new(src, dst).sync_all()
}

/// An assets folder mirrored into a site root.
///
/// It remembers which files of the site root it copied from the assets folder (its manifest) and
/// removes only those, so whatever else lives in the site root (`pkg/`, written by the builds) is
/// never touched. It writes and removes only under the site root: paths with `..` and symbolic
/// links that lead out of the assets folder are skipped. A file is written only when its content
/// differs, through a temporary file renamed into place, so a page never loads half a file.
///
/// The manifest lives in memory: files removed from the assets folder while no `Assets` was
/// watching stay in the site root.
#[derive(Debug, Clone)]
pub struct Assets {
    src: PathBuf,
    dst: PathBuf,
    reserved: Vec<PathBuf>,
    manifest: BTreeSet<PathBuf>,
}

/// The two folders, canonicalised for one sync.
struct Roots {
    /// `None` when the assets folder does not exist (everything copied before goes).
    src: Option<PathBuf>,
    dst: PathBuf,
}

impl Assets {
    /// Mirrors the contents of the assets folder `src` into the site root `dst`. Nothing happens
    /// until [`Assets::sync_all`].
    pub fn new(src: &Path, dst: &Path) -> Assets {
        Assets {
            src: src.to_path_buf(),
            dst: dst.to_path_buf(),
            reserved: Vec::new(),
            manifest: BTreeSet::new(),
        }
    }

    /// Keeps `relative` (a path under the site root, e.g. the site-pkg-dir `pkg`) for generated
    /// files: an asset at that path, or under it, is skipped instead of copied. A path with
    /// anything but plain names in it is ignored.
    #[must_use]
    pub fn reserve(mut self, relative: &Path) -> Assets {
        match plain(relative) {
            Ok(path) if !path.as_os_str().is_empty() => self.reserved.push(path),
            _ => tracing::warn!("not reserving {}: not a plain relative path", relative.display()),
        }
        self
    }

    /// The assets folder.
    pub fn src(&self) -> &Path {
        &self.src
    }

    /// The site root.
    pub fn dst(&self) -> &Path {
        &self.dst
    }

    /// The files of the site root that came from the assets folder, relative to it.
    pub fn manifest(&self) -> impl Iterator<Item = &Path> {
        self.manifest.iter().map(PathBuf::as_path)
    }

    /// Brings the site root in line with the whole assets folder: copies what is new or changed,
    /// removes what was copied before and is gone from the assets folder.
    pub fn sync_all(&mut self) -> Result<SyncReport, AssetError> {
        let mut report = SyncReport::default();
        let roots = self.roots()?;
        self.sync_under(&roots, Path::new(""), &mut report)?;
        Ok(report)
    }

    /// Brings one path of the assets folder in line after it was created, changed or deleted: a
    /// file, or a folder with everything under it. `changed` is a path under the assets folder,
    /// spelled from [`Assets::src`] or canonical (as a file watcher reports it).
    pub fn sync_path(&mut self, changed: &Path) -> Result<SyncReport, AssetError> {
        let mut report = SyncReport::default();
        let roots = self.roots()?;
        match self.relative(changed, roots.src.as_deref()) {
            Ok(relative) => self.sync_under(&roots, &relative, &mut report)?,
            Err(reason) => skip(&mut report, changed, reason),
        }
        Ok(report)
    }

    fn roots(&self) -> Result<Roots, AssetError> {
        fs::create_dir_all(&self.dst).map_err(fail(&self.dst, AssetAction::CreateDir))?;
        let dst = fs::canonicalize(&self.dst).map_err(fail(&self.dst, AssetAction::Read))?;
        let src = match fs::canonicalize(&self.src) {
            Ok(src) if src.is_dir() => Some(src),
            Ok(_) => {
                let source =
                    io::Error::new(io::ErrorKind::NotADirectory, "the assets folder is not a folder");
                return Err(AssetError { path: self.src.clone(), action: AssetAction::Read, source });
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                tracing::warn!("assets folder {} does not exist", self.src.display());
                None
            }
            Err(error) => return Err(fail(&self.src, AssetAction::Read)(error)),
        };
        Ok(Roots { src, dst })
    }

    /// `changed` relative to the assets folder, made of plain names only.
    fn relative(&self, changed: &Path, canonical_src: Option<&Path>) -> Result<PathBuf, SkipReason> {
        let relative = changed
            .strip_prefix(&self.src)
            .ok()
            .or_else(|| canonical_src.and_then(|src| changed.strip_prefix(src).ok()))
            .ok_or(SkipReason::OutsideAssets)?;
        plain(relative)
    }

    fn is_reserved(&self, relative: &Path) -> bool {
        self.reserved.iter().any(|reserved| relative.starts_with(reserved))
    }

    /// Syncs `relative` (a file or a folder, or "" for everything): removes the manifest's files
    /// under it that are no longer assets, then copies every asset under it.
    fn sync_under(
        &mut self,
        roots: &Roots,
        relative: &Path,
        report: &mut SyncReport,
    ) -> Result<(), AssetError> {
        let mut present = BTreeSet::new();
        if let Some(src) = &roots.src {
            self.collect(src, &roots.dst, relative, &mut Vec::new(), &mut present, report)?;
        }
        let gone: Vec<PathBuf> = self
            .manifest
            .iter()
            .filter(|path| path.starts_with(relative) && !present.contains(*path))
            .cloned()
            .collect();
        for path in gone {
            self.remove(roots, &path, report)?;
        }
        for path in present {
            self.copy(roots, &path, report)?;
        }
        Ok(())
    }

    /// Adds to `present` every file under `relative` in the assets folder that may be copied.
    /// `stack` holds the canonical folders being walked, to stop at symbolic link loops.
    fn collect(
        &self,
        src: &Path,
        dst: &Path,
        relative: &Path,
        stack: &mut Vec<PathBuf>,
        present: &mut BTreeSet<PathBuf>,
        report: &mut SyncReport,
    ) -> Result<(), AssetError> {
        let path = src.join(relative);
        match fs::symlink_metadata(&path) {
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(fail(&path, AssetAction::Read)(error)),
        }
        if self.is_reserved(relative) {
            skip(report, &path, SkipReason::Reserved);
            return Ok(());
        }
        // Resolving every link on the way tells both where a symbolic link leads and whether a
        // folder on the way is one.
        let real = match fs::canonicalize(&path) {
            Ok(real) => real,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                skip(report, &path, SkipReason::NotAFile);
                return Ok(());
            }
            Err(error) => return Err(fail(&path, AssetAction::Read)(error)),
        };
        if !real.starts_with(src) {
            skip(report, &path, SkipReason::SymlinkOutside);
            return Ok(());
        }
        let meta = fs::metadata(&real).map_err(fail(&path, AssetAction::Read))?;
        if meta.is_file() {
            present.insert(relative.to_path_buf());
        } else if meta.is_dir() {
            if real == dst {
                // The site root inside the assets folder: never copy it into itself.
                return Ok(());
            }
            if stack.contains(&real) {
                skip(report, &path, SkipReason::SymlinkLoop);
                return Ok(());
            }
            let mut names = Vec::new();
            for entry in fs::read_dir(&path).map_err(fail(&path, AssetAction::Read))? {
                names.push(entry.map_err(fail(&path, AssetAction::Read))?.file_name());
            }
            names.sort();
            stack.push(real);
            for name in names {
                self.collect(src, dst, &relative.join(name), stack, present, report)?;
            }
            stack.pop();
        } else {
            skip(report, &path, SkipReason::NotAFile);
        }
        Ok(())
    }

    fn copy(&mut self, roots: &Roots, relative: &Path, report: &mut SyncReport) -> Result<(), AssetError> {
        let Some(src) = &roots.src else { return Ok(()) };
        let from = src.join(relative);
        let to = roots.dst.join(relative);
        if let Some(folder) = relative.parent() {
            let mut dir = roots.dst.clone();
            for name in folder.components() {
                dir.push(name);
                match fs::symlink_metadata(&dir) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        skip(report, &to, SkipReason::DestinationSymlink);
                        return Ok(());
                    }
                    Ok(_) => {}
                    Err(error) if error.kind() == io::ErrorKind::NotFound => {
                        fs::create_dir(&dir).map_err(fail(&dir, AssetAction::CreateDir))?;
                    }
                    Err(error) => return Err(fail(&dir, AssetAction::CreateDir)(error)),
                }
            }
        }
        match fs::symlink_metadata(&to) {
            Ok(meta) if meta.file_type().is_symlink() => {
                skip(report, &to, SkipReason::DestinationSymlink);
                return Ok(());
            }
            Ok(_) if same_content(&from, &to)? => {
                self.manifest.insert(relative.to_path_buf());
                report.unchanged += 1;
                return Ok(());
            }
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(fail(&to, AssetAction::Write)(error)),
        }
        write(&from, &to)?;
        tracing::debug!("asset copied: {}", relative.display());
        self.manifest.insert(relative.to_path_buf());
        report.copied.push(relative.to_path_buf());
        Ok(())
    }

    /// Removes a file of the manifest from the site root, then the folders it leaves empty that
    /// are no longer folders of the assets.
    fn remove(&mut self, roots: &Roots, relative: &Path, report: &mut SyncReport) -> Result<(), AssetError> {
        self.manifest.remove(relative);
        let mut dir = roots.dst.clone();
        for name in relative.parent().into_iter().flat_map(Path::components) {
            dir.push(name);
            match fs::symlink_metadata(&dir) {
                // A folder replaced by a link since: what is behind it is not ours.
                Ok(meta) if !meta.is_dir() => return Ok(()),
                Ok(_) => {}
                Err(_) => return Ok(()),
            }
        }
        let path = roots.dst.join(relative);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => {
                fs::remove_file(&path).map_err(fail(&path, AssetAction::Remove))?;
                tracing::debug!("asset removed: {}", relative.display());
                report.removed.push(relative.to_path_buf());
            }
            // Replaced by a folder or a link since we copied it: not ours any more.
            Ok(_) => return Ok(()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(fail(&path, AssetAction::Remove)(error)),
        }
        for folder in relative.ancestors().skip(1) {
            if folder.as_os_str().is_empty()
                || roots.src.as_ref().is_some_and(|src| src.join(folder).is_dir())
            {
                break;
            }
            let dir = roots.dst.join(folder);
            let empty = fs::read_dir(&dir).map(|mut entries| entries.next().is_none()).unwrap_or(false);
            if !empty || fs::remove_dir(&dir).is_err() {
                break;
            }
        }
        Ok(())
    }
}

/// `path` with `.` dropped, refused if it has anything but plain names.
fn plain(path: &Path) -> Result<PathBuf, SkipReason> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(name) => out.push(name),
            Component::CurDir => {}
            Component::ParentDir => return Err(SkipReason::ParentDir),
            Component::RootDir | Component::Prefix(_) => return Err(SkipReason::OutsideAssets),
        }
    }
    Ok(out)
}

fn skip(report: &mut SyncReport, path: &Path, reason: SkipReason) {
    tracing::warn!("asset {} skipped: {reason}", path.display());
    report.skipped.push(Skipped { path: path.to_path_buf(), reason });
}

/// Whether the asset `from` and its copy `to` hold the same bytes; an unreadable copy differs.
fn same_content(from: &Path, to: &Path) -> Result<bool, AssetError> {
    let read_error = fail(from, AssetAction::Read);
    let source = File::open(from).map_err(fail(from, AssetAction::Read))?;
    let Ok(copy) = File::open(to) else { return Ok(false) };
    let source_len = source.metadata().map_err(fail(from, AssetAction::Read))?.len();
    if copy.metadata().map(|meta| meta.len()).ok() != Some(source_len) {
        return Ok(false);
    }
    let (mut source, mut copy) = (BufReader::new(source), BufReader::new(copy));
    let result = (|| loop {
        let a = source.fill_buf()?;
        let b = copy.fill_buf()?;
        let n = a.len().min(b.len());
        if n == 0 {
            return Ok(a.len() == b.len());
        }
        if a[..n] != b[..n] {
            return Ok(false);
        }
        source.consume(n);
        copy.consume(n);
    })();
    result.map_err(read_error)
}

/// Writes `from`'s content to `to` through a temporary file beside it, renamed into place.
fn write(from: &Path, to: &Path) -> Result<(), AssetError> {
    let name = to.file_name().map(|name| name.to_string_lossy()).unwrap_or_default();
    let temp = to.with_file_name(format!(".{name}.devserve-tmp"));
    // A leftover of an interrupted copy; `create_new` below refuses anything there, links included.
    let _ = fs::remove_file(&temp);
    let mut source = File::open(from).map_err(fail(from, AssetAction::Read))?;
    let result = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| io::copy(&mut source, &mut file))
        .and_then(|_| fs::rename(&temp, to));
    if let Err(error) = result {
        let _ = fs::remove_file(&temp);
        return Err(fail(to, AssetAction::Write)(error));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        src: PathBuf,
        dst: PathBuf,
    }

    fn fixture(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let (src, dst) = (root.join("assets"), root.join("target/site"));
        fs::create_dir_all(&src).unwrap();
        for (name, text) in files {
            put(&src.join(name), text);
        }
        Fixture { _dir: dir, src, dst }
    }

    fn put(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Every file under `root` with its content, `dir/` for empty folders, `name -> target`
    /// for links.
    fn tree(root: &Path) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
            entries.sort();
            if entries.is_empty() && dir != root {
                out.push(format!("{}/", dir.strip_prefix(root).unwrap().display()));
            }
            for path in entries {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                let meta = fs::symlink_metadata(&path).unwrap();
                if meta.file_type().is_symlink() {
                    out.push(format!("{name} -> {}", fs::read_link(&path).unwrap().display()));
                } else if meta.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.push(format!("{name}: {}", fs::read_to_string(&path).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(root, root, &mut out);
        out
    }

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    fn reasons(report: &SyncReport) -> Vec<(String, SkipReason)> {
        report
            .skipped
            .iter()
            .map(|s| (s.path.file_name().unwrap().to_string_lossy().into_owned(), s.reason))
            .collect()
    }

    #[test]
    fn copies_the_contents_not_the_folder() {
        let f = fixture(&[("favicon.ico", "icon"), ("img/logo.svg", "<svg/>"), ("img/deep/a.txt", "a")]);
        let report = sync_all(&f.src, &f.dst).unwrap();
        assert_eq!(report.copied, paths(&["favicon.ico", "img/deep/a.txt", "img/logo.svg"]));
        assert_eq!(tree(&f.dst), ["favicon.ico: icon", "img/deep/a.txt: a", "img/logo.svg: <svg/>"]);
    }

    #[test]
    fn add_change_delete_and_pkg_left_alone() {
        let f = fixture(&[("a.txt", "1"), ("img/b.png", "b"), ("img/c.png", "c")]);
        put(&f.dst.join("pkg/app.js"), "js");
        put(&f.dst.join("pkg/app.css"), "css");
        let mut assets = Assets::new(&f.src, &f.dst);
        assert_eq!(assets.sync_all().unwrap().copied.len(), 3);

        // Nothing changed: nothing written, mtimes kept.
        let mtime = || fs::metadata(f.dst.join("a.txt")).unwrap().modified().unwrap();
        let before = mtime();
        let report = assets.sync_all().unwrap();
        assert!(!report.changed());
        assert_eq!(report.unchanged, 3);
        assert_eq!(mtime(), before);

        put(&f.src.join("a.txt"), "2");
        put(&f.src.join("new/d.txt"), "d");
        fs::remove_dir_all(f.src.join("img")).unwrap();
        let report = assets.sync_all().unwrap();
        assert_eq!(report.copied, paths(&["a.txt", "new/d.txt"]));
        assert_eq!(report.removed, paths(&["img/b.png", "img/c.png"]));
        assert_eq!(tree(&f.dst), ["a.txt: 2", "new/d.txt: d", "pkg/app.css: css", "pkg/app.js: js"]);
        assert_eq!(assets.manifest().collect::<Vec<_>>(), [Path::new("a.txt"), Path::new("new/d.txt")]);
    }

    #[test]
    fn files_it_did_not_copy_are_never_removed() {
        let f = fixture(&[("a.txt", "a")]);
        put(&f.dst.join("index.html"), "hand-made");
        put(&f.dst.join("pkg/app.wasm"), "wasm");
        let mut assets = Assets::new(&f.src, &f.dst);
        assets.sync_all().unwrap();
        fs::remove_dir_all(&f.src).unwrap();
        let report = assets.sync_all().unwrap();
        assert_eq!(report.removed, paths(&["a.txt"]));
        assert_eq!(tree(&f.dst), ["index.html: hand-made", "pkg/app.wasm: wasm"]);
    }

    #[test]
    fn sync_path_for_one_file() {
        let f = fixture(&[("a.txt", "a"), ("css/b.css", "b")]);
        let mut assets = Assets::new(&f.src, &f.dst);
        assets.sync_all().unwrap();

        put(&f.src.join("css/b.css"), "b2");
        put(&f.src.join("a.txt"), "changed but not reported");
        let report = assets.sync_path(&f.src.join("css/b.css")).unwrap();
        assert_eq!(report.copied, paths(&["css/b.css"]));
        assert_eq!(tree(&f.dst), ["a.txt: a", "css/b.css: b2"]);

        fs::remove_file(f.src.join("css/b.css")).unwrap();
        let report = assets.sync_path(&f.src.join("css/b.css")).unwrap();
        assert_eq!(report.removed, paths(&["css/b.css"]));
        // The folder stays as long as the assets folder has it.
        assert_eq!(tree(&f.dst), ["a.txt: a", "css/"]);
    }

    #[test]
    fn sync_path_for_a_folder_added_and_deleted() {
        let f = fixture(&[("a.txt", "a")]);
        let mut assets = Assets::new(&f.src, &f.dst);
        assets.sync_all().unwrap();
        put(&f.src.join("fonts/x.woff"), "x");
        put(&f.src.join("fonts/sub/y.woff"), "y");
        let report = assets.sync_path(&f.src.join("fonts")).unwrap();
        assert_eq!(report.copied, paths(&["fonts/sub/y.woff", "fonts/x.woff"]));

        fs::remove_dir_all(f.src.join("fonts")).unwrap();
        let report = assets.sync_path(&f.src.join("fonts")).unwrap();
        assert_eq!(report.removed, paths(&["fonts/sub/y.woff", "fonts/x.woff"]));
        assert_eq!(tree(&f.dst), ["a.txt: a"]);
    }

    #[test]
    fn a_file_becoming_a_folder_and_back() {
        let f = fixture(&[("x", "file")]);
        let mut assets = Assets::new(&f.src, &f.dst);
        assets.sync_all().unwrap();
        fs::remove_file(f.src.join("x")).unwrap();
        put(&f.src.join("x/y"), "inner");
        assets.sync_path(&f.src.join("x")).unwrap();
        assert_eq!(tree(&f.dst), ["x/y: inner"]);
        fs::remove_dir_all(f.src.join("x")).unwrap();
        put(&f.src.join("x"), "file again");
        assets.sync_all().unwrap();
        assert_eq!(tree(&f.dst), ["x: file again"]);
    }

    #[test]
    fn a_folder_kept_by_others_is_not_pruned() {
        let f = fixture(&[("pkg2/a.txt", "a")]);
        let mut assets = Assets::new(&f.src, &f.dst);
        assets.sync_all().unwrap();
        put(&f.dst.join("pkg2/generated.js"), "g");
        fs::remove_dir_all(f.src.join("pkg2")).unwrap();
        assets.sync_all().unwrap();
        assert_eq!(tree(&f.dst), ["pkg2/generated.js: g"]);
    }

    #[test]
    fn reserved_paths_are_not_overwritten() {
        let f = fixture(&[("pkg/app.css", "from assets"), ("ok.txt", "ok")]);
        put(&f.dst.join("pkg/app.css"), "generated");
        let mut assets = Assets::new(&f.src, &f.dst).reserve(Path::new("pkg"));
        let report = assets.sync_all().unwrap();
        assert_eq!(reasons(&report), [("pkg".to_owned(), SkipReason::Reserved)]);
        let report = assets.sync_path(&f.src.join("pkg/app.css")).unwrap();
        assert_eq!(reasons(&report), [("app.css".to_owned(), SkipReason::Reserved)]);
        assert_eq!(tree(&f.dst), ["ok.txt: ok", "pkg/app.css: generated"]);
    }

    #[test]
    fn parent_dir_and_outside_paths_are_refused() {
        let f = fixture(&[("a.txt", "a")]);
        let secret = f.src.parent().unwrap().join("secret.txt");
        put(&secret, "secret");
        let mut assets = Assets::new(&f.src, &f.dst);
        for (changed, reason) in [
            (f.src.join("../secret.txt"), SkipReason::ParentDir),
            (f.src.join("sub/../../secret.txt"), SkipReason::ParentDir),
            (secret.clone(), SkipReason::OutsideAssets),
            (PathBuf::from("/etc/passwd"), SkipReason::OutsideAssets),
            (PathBuf::from("secret.txt"), SkipReason::OutsideAssets),
        ] {
            let report = assets.sync_path(&changed).unwrap();
            assert_eq!(report.skipped, [Skipped { path: changed, reason }]);
            assert!(!report.changed());
        }
        assert!(tree(&f.dst).is_empty());
        // A `..` in the folders themselves is fine: they are resolved, not trusted per entry.
        let mut assets = Assets::new(&f.src.join("../assets"), &f.dst.join("../site"));
        assert_eq!(assets.sync_all().unwrap().copied, paths(&["a.txt"]));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_assets_folder_are_refused() {
        use std::os::unix::fs::symlink;
        let f = fixture(&[("a.txt", "a"), ("dir/in.txt", "in")]);
        let outside = f.src.parent().unwrap().join("outside");
        put(&outside.join("secret.txt"), "secret");
        symlink(outside.join("secret.txt"), f.src.join("leak.txt")).unwrap();
        symlink(&outside, f.src.join("leakdir")).unwrap();
        symlink(f.src.join("dir/in.txt"), f.src.join("alias.txt")).unwrap();
        symlink(&f.src, f.src.join("dir/loop")).unwrap();
        symlink(f.src.join("nowhere"), f.src.join("broken")).unwrap();
        let mut assets = Assets::new(&f.src, &f.dst);
        let report = assets.sync_all().unwrap();
        assert_eq!(report.copied, paths(&["a.txt", "alias.txt", "dir/in.txt"]));
        assert_eq!(
            reasons(&report),
            [
                ("broken".to_owned(), SkipReason::NotAFile),
                ("loop".to_owned(), SkipReason::SymlinkLoop),
                ("leak.txt".to_owned(), SkipReason::SymlinkOutside),
                ("leakdir".to_owned(), SkipReason::SymlinkOutside),
            ]
        );
        let report = assets.sync_path(&f.src.join("leakdir/secret.txt")).unwrap();
        assert_eq!(reasons(&report), [("secret.txt".to_owned(), SkipReason::SymlinkOutside)]);
        assert_eq!(tree(&f.dst), ["a.txt: a", "alias.txt: in", "dir/in.txt: in"]);

        // An asset that turns into an escaping link is removed, not followed.
        fs::remove_file(f.src.join("a.txt")).unwrap();
        symlink(outside.join("secret.txt"), f.src.join("a.txt")).unwrap();
        let report = assets.sync_path(&f.src.join("a.txt")).unwrap();
        assert_eq!(report.removed, paths(&["a.txt"]));
        assert_eq!(fs::read_to_string(outside.join("secret.txt")).unwrap(), "secret");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_in_the_site_root_are_not_written_through() {
        use std::os::unix::fs::symlink;
        let f = fixture(&[("img/a.png", "a"), ("b.txt", "b")]);
        let outside = f.src.parent().unwrap().join("outside");
        fs::create_dir_all(&outside).unwrap();
        put(&outside.join("b.txt"), "keep");
        fs::create_dir_all(&f.dst).unwrap();
        symlink(&outside, f.dst.join("img")).unwrap();
        symlink(outside.join("b.txt"), f.dst.join("b.txt")).unwrap();
        let report = Assets::new(&f.src, &f.dst).sync_all().unwrap();
        assert!(report.copied.is_empty());
        assert_eq!(
            reasons(&report),
            [
                ("b.txt".to_owned(), SkipReason::DestinationSymlink),
                ("a.png".to_owned(), SkipReason::DestinationSymlink)
            ]
        );
        assert_eq!(tree(&outside), ["b.txt: keep"]);
    }

    #[test]
    fn site_root_inside_the_assets_folder_is_not_copied_into_itself() {
        let f = fixture(&[("a.txt", "a")]);
        let dst = f.src.join("site");
        let report = sync_all(&f.src, &dst).unwrap();
        assert_eq!(report.copied, paths(&["a.txt"]));
        assert_eq!(sync_all(&f.src, &dst).unwrap().unchanged, 1);
        assert_eq!(tree(&dst), ["a.txt: a"]);
    }

    #[test]
    fn errors_name_the_path() {
        let f = fixture(&[]);
        fs::write(f.src.join("../file"), "").unwrap();
        let error = sync_all(&f.src.join("../file"), &f.dst).unwrap_err();
        assert_eq!(error.action, AssetAction::Read);
        assert!(error.to_string().starts_with(&format!("{}: cannot read:", f.src.join("../file").display())));
    }
}

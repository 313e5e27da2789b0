//! The style file: plain CSS passed through, Sass/SCSS compiled in-process with grass, and the list
//! of files each compile read so that a saved partial can be traced back to its style file.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::OsStr;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

// grass hands spans over as `codemap` types without re-exporting the crate.
use codemap::SpanLoc;

/// A compiled style file: the CSS to serve and every file the compile read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stylesheet {
    /// The CSS, in grass's expanded (readable) style for Sass input; a CSS file's text as is.
    pub css: String,
    /// Every file the compile read, the style file first, then each partial in the order it was
    /// loaded. Canonical where the file system could canonicalise them.
    pub inputs: Vec<PathBuf>,
}

impl Stylesheet {
    /// Whether `path` (a saved, created or deleted file) is one this stylesheet was compiled from,
    /// so a change to it calls for a new compile. Paths are compared canonicalised.
    pub fn is_input(&self, path: &Path) -> bool {
        contains(&self.inputs, path)
    }
}

/// Why a style file could not be turned into CSS.
#[derive(Debug, thiserror::Error)]
pub enum StyleError {
    /// The style file, or a file it imports, could not be read.
    #[error("{}: cannot read stylesheet: {source}", path.display())]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// What the file system said.
        source: io::Error,
        /// The files read before the failure (see [`StyleError::inputs`]).
        inputs: Vec<PathBuf>,
    },
    /// The style file's extension is none of `css`, `scss` and `sass`.
    #[error("{}: not a .css, .scss or .sass file", path.display())]
    Unsupported {
        /// The style file.
        path: PathBuf,
    },
    /// Sass rejected the input: a syntax error, an undefined variable, a missing import...
    #[error("{}:{line}:{column}: {message}", file.display())]
    Sass {
        /// The file the error is in: the style file or one of its partials.
        file: PathBuf,
        /// 1-based line of the error's start.
        line: usize,
        /// 1-based column (in characters) of the error's start.
        column: usize,
        /// Sass's message, without the `Error: ` prefix and the source excerpt.
        message: String,
        /// The source line the error points at, for the overlay.
        source_line: String,
        /// The files read before the failure (see [`StyleError::inputs`]).
        inputs: Vec<PathBuf>,
    },
    /// The Sass compiler itself failed (a bug in it, caught so that devserve keeps running).
    #[error("{}: the Sass compiler failed: {message}", path.display())]
    Crashed {
        /// The style file.
        path: PathBuf,
        /// What the compiler said.
        message: String,
        /// The files read before the failure (see [`StyleError::inputs`]).
        inputs: Vec<PathBuf>,
    },
}

impl StyleError {
    /// The files the failed compile had read, the erring one included. A change to any of them
    /// may fix the error, so the caller watches these until the next successful compile.
    pub fn inputs(&self) -> &[PathBuf] {
        match self {
            StyleError::Read { inputs, .. }
            | StyleError::Sass { inputs, .. }
            | StyleError::Crashed { inputs, .. } => inputs,
            StyleError::Unsupported { .. } => &[],
        }
    }

    /// Whether a change to `path` may fix this error: one of [`StyleError::inputs`] or the file
    /// the error names (a style file that does not exist yet, an unreadable partial).
    pub fn is_input(&self, path: &Path) -> bool {
        let named = match self {
            StyleError::Read { path, .. }
            | StyleError::Unsupported { path }
            | StyleError::Crashed { path, .. } => path,
            StyleError::Sass { file, .. } => file,
        };
        contains(std::slice::from_ref(named), path) || contains(self.inputs(), path)
    }
}

/// Compiles `style_file` into CSS. A `.css` file is read and passed through; `.scss` and `.sass`
/// are compiled with grass in its expanded style, `@use`/`@import`/`@forward` resolved relative to
/// the importing file.
pub fn compile(style_file: &Path) -> Result<Stylesheet, StyleError> {
    match Syntax::of(style_file) {
        Some(Syntax::Css) => match std::fs::read_to_string(style_file) {
            Ok(css) => Ok(Stylesheet { css, inputs: vec![canonical(style_file)] }),
            Err(source) => {
                Err(StyleError::Read { path: style_file.to_path_buf(), source, inputs: Vec::new() })
            }
        },
        Some(Syntax::Sass) => compile_sass(style_file),
        None => Err(StyleError::Unsupported { path: style_file.to_path_buf() }),
    }
}

enum Syntax {
    Css,
    Sass,
}

impl Syntax {
    fn of(path: &Path) -> Option<Syntax> {
        let ext = path.extension().and_then(OsStr::to_str)?;
        if ext.eq_ignore_ascii_case("css") {
            Some(Syntax::Css)
        } else if ext.eq_ignore_ascii_case("scss") || ext.eq_ignore_ascii_case("sass") {
            Some(Syntax::Sass)
        } else {
            None
        }
    }
}

fn compile_sass(style_file: &Path) -> Result<Stylesheet, StyleError> {
    let fs = RecordingFs::default();
    let logger = TracingLogger;
    let options = grass::Options::default().fs(&fs).logger(&logger).style(grass::OutputStyle::Expanded);
    // grass 0.13 panics (`unreachable!`) on some failures inside imports, e.g. a partial whose
    // content changed between its checks; a style error must not take the dev server down.
    let result = panic::catch_unwind(AssertUnwindSafe(|| grass::from_path(style_file, &options)));
    let Recorded { read, failed } = fs.into_recorded();
    match result {
        Ok(Ok(css)) => Ok(Stylesheet { css, inputs: read }),
        Ok(Err(error)) => Err(sass_error(style_file, *error, read, failed)),
        Err(payload) => Err(match failed {
            Some((path, source)) => StyleError::Read { path, source, inputs: read },
            None => StyleError::Crashed {
                path: style_file.to_path_buf(),
                message: panic_message(payload.as_ref()),
                inputs: read,
            },
        }),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|message| (*message).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panicked".to_owned())
}

/// Turns grass's error into ours. grass keeps the message and the span apart
/// ([`grass::ErrorKind::ParseError`]), so nothing has to be parsed out of its `Display`.
fn sass_error(
    style_file: &Path,
    error: grass::Error,
    read: Vec<PathBuf>,
    failed: Option<(PathBuf, io::Error)>,
) -> StyleError {
    match error.kind() {
        grass::ErrorKind::ParseError { mut message, loc, .. } => {
            let mut read = read;
            // A partial that exists but cannot be used was hidden from grass (see
            // `RecordingFs::is_file`): say why at the import that wanted it.
            if let Some((path, source)) = failed.filter(|_| message == CANT_FIND) {
                message = format!("cannot read {}: {source}", path.display());
                read.push(canonical(&path));
            }
            sass_at(&loc, message, read)
        }
        grass::ErrorKind::IoError(source) => {
            // The failing read is the one the recorder saw fail; grass's `Arc<io::Error>`
            // cannot be unwrapped, so prefer the recorder's own error.
            let (path, source) = failed.unwrap_or_else(|| {
                (style_file.to_path_buf(), io::Error::new(source.kind(), source.to_string()))
            });
            StyleError::Read { path, source, inputs: read }
        }
        grass::ErrorKind::FromUtf8Error(message) => StyleError::Read {
            // Unreachable through `RecordingFs`, which checks UTF-8 itself; kept for safety.
            path: style_file.to_path_buf(),
            source: io::Error::new(io::ErrorKind::InvalidData, message),
            inputs: read,
        },
        other => StyleError::Crashed {
            path: style_file.to_path_buf(),
            message: format!("{other:?}"),
            inputs: read,
        },
    }
}

/// grass's message for an import it could not resolve.
const CANT_FIND: &str = "Can't find stylesheet to import.";

fn sass_at(loc: &SpanLoc, message: String, mut inputs: Vec<PathBuf>) -> StyleError {
    let file = PathBuf::from(loc.file.name());
    // A file grass parsed but failed in is an input too, even if the recorder missed it.
    if !contains(&inputs, &file) {
        inputs.push(canonical(&file));
    }
    StyleError::Sass {
        source_line: loc.file.source_line(loc.begin.line).trim_end().to_owned(),
        file,
        line: loc.begin.line + 1,
        column: loc.begin.column + 1,
        message,
        inputs,
    }
}

/// What a compile read through [`RecordingFs`].
struct Recorded {
    read: Vec<PathBuf>,
    failed: Option<(PathBuf, io::Error)>,
}

/// The standard file system, recording each file read successfully (canonicalised, once) and the
/// file that could not be used, if the last lookup or read ended on one.
#[derive(Debug, Default)]
struct RecordingFs {
    read: RefCell<Vec<PathBuf>>,
    failed: RefCell<Option<(PathBuf, io::Error)>>,
}

impl RecordingFs {
    fn into_recorded(self) -> Recorded {
        Recorded { read: self.read.into_inner(), failed: self.failed.into_inner() }
    }

    fn fail(&self, path: &Path, error: &io::Error) {
        let copy = io::Error::new(error.kind(), error.to_string());
        *self.failed.borrow_mut() = Some((path.to_path_buf(), copy));
    }
}

/// A file's bytes, refused unless they are UTF-8 (grass's only encoding).
fn load(path: &Path) -> io::Result<Vec<u8>> {
    let bytes = std::fs::read(path)?;
    match std::str::from_utf8(&bytes) {
        Ok(_) => Ok(bytes),
        Err(error) => Err(io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 ({error})"))),
    }
}

impl grass::Fs for RecordingFs {
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    /// A file is one only if it can be read as UTF-8: grass 0.13 panics when reading or decoding
    /// an import fails, so such a file is hidden here and the failure kept for the error.
    fn is_file(&self, path: &Path) -> bool {
        if !path.is_file() {
            return false;
        }
        match load(path) {
            Ok(_) => {
                self.failed.borrow_mut().take();
                true
            }
            Err(error) => {
                self.fail(path, &error);
                false
            }
        }
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match load(path) {
            Ok(bytes) => {
                let path = canonical(path);
                let mut read = self.read.borrow_mut();
                if !read.contains(&path) {
                    read.push(path);
                }
                Ok(bytes)
            }
            Err(error) => {
                self.fail(path, &error);
                Err(error)
            }
        }
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }
}

/// Sass's `@warn` and `@debug` go to the log rather than straight to stderr.
#[derive(Debug)]
struct TracingLogger;

impl grass::Logger for TracingLogger {
    fn debug(&self, location: SpanLoc, message: &str) {
        tracing::debug!("{}:{}: {message}", location.file.name(), location.begin.line + 1);
    }

    fn warn(&self, location: SpanLoc, message: &str) {
        tracing::warn!(
            "{}:{}:{}: {message}",
            location.file.name(),
            location.begin.line + 1,
            location.begin.column + 1
        );
    }
}

/// `path` canonicalised; for a path that no longer exists (a deleted partial), its parent
/// canonicalised joined with its name; else `path` as is.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(path) = std::fs::canonicalize(path) {
        return path;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            std::fs::canonicalize(parent)
                .map(|parent| parent.join(name))
                .unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

fn contains(inputs: &[PathBuf], path: &Path) -> bool {
    let path = canonical(path);
    inputs.iter().any(|input| *input == path || canonical(input) == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn names(inputs: &[PathBuf]) -> Vec<String> {
        inputs.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect()
    }

    /// Compiles `files` (name, text; the first is the style file) and checks the CSS and the
    /// names of the inputs.
    fn check(files: &[(&str, &str)], css: &str, inputs: &[&str]) {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = files.iter().map(|(name, text)| write(dir.path(), name, text)).collect();
        let sheet = compile(&paths[0]).unwrap();
        assert_eq!(sheet.css, css);
        assert_eq!(names(&sheet.inputs), inputs);
        for path in &paths[..inputs.len()] {
            assert!(sheet.is_input(path), "{} is an input", path.display());
        }
    }

    /// Compiles `files` and checks the error's `Display` (with the temp dir shown as `DIR`).
    fn check_error(files: &[(&str, &str)], expected: &str) -> StyleError {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let paths: Vec<_> = files.iter().map(|(name, text)| write(&root, name, text)).collect();
        let error = compile(&paths[0]).unwrap_err();
        let shown = error.to_string().replace(&*root.to_string_lossy(), "DIR");
        assert_eq!(shown, expected);
        error
    }

    #[test]
    fn scss_with_a_partial_used() {
        check(
            &[("main.scss", r#"@use "vars"; p { color: vars.$brand; }"#), ("_vars.scss", "$brand: #f00;")],
            "p {\n  color: #f00;\n}\n",
            &["main.scss", "_vars.scss"],
        );
    }

    #[test]
    fn scss_with_a_partial_imported() {
        check(
            &[
                ("main.scss", "@import 'vars';\n.a { .b { margin: $gap * 2; } }\n"),
                ("_vars.scss", "$gap: 4px;"),
            ],
            ".a .b {\n  margin: 8px;\n}\n",
            &["main.scss", "_vars.scss"],
        );
    }

    #[test]
    fn partials_in_subfolders_and_chains() {
        check(
            &[
                ("style/main.scss", "@use 'theme/colors';\nbody { background: colors.$bg; }\n"),
                ("style/theme/_colors.scss", "@use 'base';\n$bg: base.$dark;\n"),
                ("style/theme/_base.scss", "$dark: #111;\n"),
                ("style/_unused.scss", "oops {"),
            ],
            "body {\n  background: #111;\n}\n",
            &["main.scss", "_colors.scss", "_base.scss"],
        );
    }

    #[test]
    fn indented_sass() {
        check(
            &[("main.sass", "$w: 3px\n.a\n  border: $w solid\n")],
            ".a {\n  border: 3px solid;\n}\n",
            &["main.sass"],
        );
    }

    #[test]
    fn plain_css_passes_through() {
        let text = "/* as is */\n.a{color:red}\n@media (x) { .b { $not: sass } }\n";
        check(&[("main.css", text)], text, &["main.css"]);
    }

    #[test]
    fn syntax_error_in_the_style_file() {
        let error = check_error(
            &[("main.scss", "p {\n  color: red;\n  a { b\n}\n")],
            "DIR/main.scss:4:1: expected \"{\".",
        );
        let StyleError::Sass { line, column, ref source_line, .. } = error else { panic!("{error:?}") };
        assert_eq!((line, column, source_line.as_str()), (4, 1, "}"));
    }

    #[test]
    fn syntax_error_in_a_used_partial() {
        let error = check_error(
            &[("main.scss", "@use 'vars';\np { color: vars.$c; }\n"), ("_vars.scss", "$c: red;\n$d: (;\n")],
            "DIR/_vars.scss:2:6: expected \")\".",
        );
        assert_eq!(names(error.inputs()), ["main.scss", "_vars.scss"]);
    }

    #[test]
    fn syntax_error_in_an_imported_partial() {
        let error = check_error(
            &[("main.scss", "@import 'vars';\n"), ("_vars.scss", "\n\n.x { color: $nope; }\n")],
            "DIR/_vars.scss:3:13: Undefined variable.",
        );
        assert!(error.is_input(&error.inputs()[1]));
    }

    #[test]
    fn missing_import_points_at_the_importing_line() {
        check_error(
            &[("main.scss", "a { b: c; }\n@import 'nowhere';\n")],
            "DIR/main.scss:2:9: Can't find stylesheet to import.",
        );
    }

    #[test]
    fn missing_style_file_names_the_path() {
        for name in ["missing.scss", "missing.css"] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            let error = compile(&path).unwrap_err();
            assert!(matches!(&error, StyleError::Read { path: p, .. } if *p == path), "{error:?}");
            assert!(error.to_string().starts_with(&format!("{}: cannot read stylesheet", path.display())));
            assert!(error.is_input(&path), "creating the style file may fix it");
        }
    }

    #[test]
    fn other_extensions_are_refused() {
        let error = compile(Path::new("style/main.less")).unwrap_err();
        assert_eq!(error.to_string(), "style/main.less: not a .css, .scss or .sass file");
    }

    #[test]
    fn a_partial_that_is_not_utf8_is_named_at_its_import() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let main = write(&root, "main.scss", "a { b: c; }\n@import 'bad';\n");
        fs::write(root.join("_bad.scss"), b"a { b: \xff; }").unwrap();
        let error = compile(&main).unwrap_err();
        let shown = error.to_string().replace(&*root.to_string_lossy(), "DIR");
        assert_eq!(
            shown,
            "DIR/main.scss:2:9: cannot read DIR/_bad.scss: not UTF-8 (invalid utf-8 sequence of 1 bytes from index 7)"
        );
        assert!(error.is_input(&root.join("_bad.scss")));
    }

    #[test]
    fn a_style_file_that_is_not_utf8_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main.scss");
        fs::write(&main, b"\xfe\xff").unwrap();
        let error = compile(&main).unwrap_err();
        assert!(matches!(&error, StyleError::Read { path, .. } if *path == main), "{error:?}");
        assert!(error.is_input(&main));
    }

    #[test]
    fn a_deleted_partial_is_still_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let main = write(dir.path(), "main.scss", "@use 'vars';");
        let vars = write(dir.path(), "_vars.scss", "$a: 1;");
        let sheet = compile(&main).unwrap();
        fs::remove_file(&vars).unwrap();
        assert!(sheet.is_input(&vars));
        assert!(!sheet.is_input(&dir.path().join("_other.scss")));
    }

    #[test]
    fn relative_and_absolute_spellings_match() {
        let dir = tempfile::tempdir().unwrap();
        let main = write(dir.path(), "main.scss", "@use 'vars';");
        write(dir.path(), "_vars.scss", "$a: 1;");
        fs::create_dir(dir.path().join("sub")).unwrap();
        let sheet = compile(&main).unwrap();
        assert!(sheet.is_input(&dir.path().join("sub/.././_vars.scss")));
    }
}

//! The `.env` file cargo-leptos reads next to the app's manifest.

use std::path::{Path, PathBuf};

use crate::ProjectError;

/// A parsed `.env` file: `KEY=VALUE` lines, in order.
///
/// The syntax is the common one (dotenvy's, which cargo-leptos uses): blank lines and `#` comments
/// are skipped, `export ` before a key is allowed, values may be unquoted (trimmed, a ` #` starts
/// a comment), `'single-quoted'` (literal) or `"double-quoted"` (with `\n`, `\t`, `\"`, `\\`
/// escapes); quoted values may span lines. `$VAR` substitution is not done: a `$` is kept as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotEnv {
    path: PathBuf,
    vars: Vec<DotEnvVar>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct DotEnvVar {
    key: String,
    value: String,
    line: usize,
}

impl DotEnv {
    /// Parse `text`, read from `path` (used in messages only).
    pub fn parse(path: &Path, text: &str) -> Result<Self, ProjectError> {
        let error =
            |line: usize, message: String| ProjectError::DotEnv { path: path.to_owned(), line, message };
        let lines: Vec<&str> = text.lines().collect();
        let mut vars = Vec::new();
        let mut index = 0;
        while index < lines.len() {
            let line_no = index + 1;
            let line = lines[index].trim();
            index += 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").map_or(line, str::trim_start);
            let Some((key, rest)) = line.split_once('=') else {
                return Err(error(line_no, format!("expected KEY=VALUE, found {line:?}")));
            };
            let key = key.trim();
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                return Err(error(line_no, format!("invalid variable name {key:?}")));
            }
            let rest = rest.trim_start();
            let value = match rest.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    // A quoted value may continue on the following lines.
                    let mut raw = rest[1..].to_owned();
                    let (value, after) = loop {
                        if let Some(done) = close_quote(&raw, quote) {
                            break done;
                        }
                        let Some(next) = lines.get(index) else {
                            return Err(error(line_no, format!("{key}: unterminated {quote} quote")));
                        };
                        raw.push('\n');
                        raw.push_str(next);
                        index += 1;
                    };
                    let after = after.trim();
                    if !(after.is_empty() || after.starts_with('#')) {
                        return Err(error(
                            line_no,
                            format!("{key}: unexpected {after:?} after the closing quote"),
                        ));
                    }
                    value
                }
                _ => unquoted(rest),
            };
            vars.push(DotEnvVar { key: key.to_owned(), value, line: line_no });
        }
        Ok(Self { path: path.to_owned(), vars })
    }

    /// Read the `.env` cargo-leptos would use for a config in `dir`: `dir/.env`, else the nearest
    /// one in `dir`'s ancestors up to and including `stop` (the workspace root). Only the first one
    /// found is read; `None` when there is none.
    ///
    /// cargo-leptos (0.3.6) walks the same chain, but as paths relative to the workspace root
    /// resolved against the folder it was started in; started at the workspace root, as its docs
    /// say, that is this chain.
    pub fn find(dir: &Path, stop: &Path) -> Result<Option<Self>, ProjectError> {
        for folder in dir.ancestors() {
            let candidate = folder.join(".env");
            if candidate.is_file() {
                let text = std::fs::read_to_string(&candidate)
                    .map_err(|source| ProjectError::Io { path: candidate.clone(), source })?;
                tracing::debug!(path = %candidate.display(), "reading .env");
                return Self::parse(&candidate, &text).map(Some);
            }
            if folder == stop || !folder.starts_with(stop) {
                break;
            }
        }
        Ok(None)
    }

    /// The file this was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The variables, in file order (a later duplicate overrides an earlier one when applied).
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|v| (v.key.as_str(), v.value.as_str()))
    }

    /// The variables with their 1-based line numbers.
    pub(crate) fn vars_with_lines(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.vars.iter().map(|v| (v.key.as_str(), v.value.as_str(), v.line))
    }
}

/// The value of `raw` (text after an opening `quote`) up to its closing quote, and what follows;
/// `None` when the quote is not closed.
fn close_quote(raw: &str, quote: char) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = raw.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c == quote => return Some((value, &raw[at + 1..])),
            '\\' if quote == '"' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, 't')) => value.push('\t'),
                Some((_, c @ ('"' | '\\' | '$' | '\''))) => value.push(c),
                Some((_, c)) => {
                    value.push('\\');
                    value.push(c);
                }
                None => return None,
            },
            c => value.push(c),
        }
    }
    None
}

/// An unquoted value: up to a ` #` comment, trimmed.
fn unquoted(rest: &str) -> String {
    let mut end = rest.len();
    let bytes = rest.as_bytes();
    for (at, b) in bytes.iter().enumerate() {
        if *b == b'#' && (at == 0 || bytes[at - 1].is_ascii_whitespace()) {
            end = at;
            break;
        }
    }
    rest[..end].trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &str) {
        let rendered = match DotEnv::parse(Path::new(".env"), text) {
            Ok(env) => env.vars().map(|(k, v)| format!("{k}={v:?}\n")).collect::<String>(),
            Err(error) => format!("error: {error}\n"),
        };
        assert_eq!(rendered.trim_end(), expected.trim(), "for:\n{text}");
    }

    #[test]
    fn plain_lines() {
        check(
            r#"
# comment
LEPTOS_SITE_ADDR=127.0.0.1:4000

export LEPTOS_ENV = PROD
EMPTY=
"#,
            r#"
LEPTOS_SITE_ADDR="127.0.0.1:4000"
LEPTOS_ENV="PROD"
EMPTY=""
"#,
        );
    }

    #[test]
    fn comments_after_unquoted_values() {
        check(
            "A=x # note\nB=a#b\nC=#all comment",
            r#"A="x"
B="a#b"
C="""#,
        );
    }

    #[test]
    fn quoted_values() {
        check(
            r#"
A='single $x \n'
B="double \"q\" \n end" # comment
C="spans
two lines"
"#,
            r#"
A="single $x \\n"
B="double \"q\" \n end"
C="spans\ntwo lines"
"#,
        );
    }

    #[test]
    fn missing_equals_is_an_error_with_line() {
        check("A=1\nNOT A PAIR\n", r#"error: .env:2: expected KEY=VALUE, found "NOT A PAIR""#);
    }

    #[test]
    fn bad_name_is_an_error() {
        check("MY-VAR=1", r#"error: .env:1: invalid variable name "MY-VAR""#);
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        check("A=1\nB=\"open\nC=2", r#"error: .env:2: B: unterminated " quote"#);
    }

    #[test]
    fn text_after_closing_quote_is_an_error() {
        check("A='x' y", r#"error: .env:1: A: unexpected "y" after the closing quote"#);
    }

    #[test]
    fn find_takes_the_nearest_file_up_to_the_stop_folder() -> Result<(), Box<dyn std::error::Error>> {
        let root = tempfile::tempdir()?;
        let app = root.path().join("crates/app");
        std::fs::create_dir_all(&app)?;
        assert_eq!(DotEnv::find(&app, root.path())?, None);

        std::fs::write(root.path().join(".env"), "A=root\n")?;
        let found = DotEnv::find(&app, root.path())?.ok_or("no .env")?;
        assert_eq!(found.path(), root.path().join(".env"));
        assert_eq!(found.vars().collect::<Vec<_>>(), [("A", "root")]);

        std::fs::write(app.join(".env"), "A=app\n")?;
        let found = DotEnv::find(&app, root.path())?.ok_or("no .env")?;
        assert_eq!(found.vars().collect::<Vec<_>>(), [("A", "app")]);

        // Nothing above the stop folder is read.
        assert_eq!(DotEnv::find(&root.path().join("crates"), &root.path().join("crates"))?, None);
        Ok(())
    }
}

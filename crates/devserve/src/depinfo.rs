//! cargo's dep-info files: the `<artifact>.d` file a build writes next to the executable (and the
//! `.wasm`) lists every local file the artifact was built from: the package's sources, path
//! dependencies, `include_str!`/`include_bytes!` inputs, and what build scripts asked to be
//! rerun on. devserve watches those files too, so that a save of any of them rebuilds.

use std::path::{Path, PathBuf};

/// The inputs listed in the dep-info file of `artifact` (`<artifact>.d`, or `<artifact
/// without extension>.d` for a `.wasm`); empty when there is none.
pub(crate) fn inputs_of(artifact: &Path) -> Vec<PathBuf> {
    let candidates = [artifact.with_extension("d"), PathBuf::from(format!("{}.d", artifact.display()))];
    candidates
        .iter()
        .find_map(|file| std::fs::read_to_string(file).ok())
        .map(|text| parse(&text))
        .unwrap_or_default()
}

/// The prerequisites of every rule in a Makefile-style dep-info text (`target: a.rs b\ c.rs`), in
/// order, without duplicates. Escaped spaces (`\ `) belong to the path; a `\` at the end of a line
/// continues the rule.
pub(crate) fn parse(text: &str) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = Vec::new();
    let joined = text.replace("\\\n", " ");
    for line in joined.lines() {
        let Some(rest) = rule_prerequisites(line) else { continue };
        let mut current = String::new();
        let mut chars = rest.chars().peekable();
        let mut push = |word: &mut String| {
            if !word.is_empty() {
                let path = PathBuf::from(std::mem::take(word));
                if !inputs.contains(&path) {
                    inputs.push(path);
                }
            }
        };
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    current.push(' ');
                    chars.next();
                }
                ' ' | '\t' => push(&mut current),
                _ => current.push(c),
            }
        }
        push(&mut current);
    }
    inputs
}

/// What follows the rule's `target:` (the first `: ` that is not part of an escaped path).
fn rule_prerequisites(line: &str) -> Option<&str> {
    let line = line.trim_end();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut previous = '\0';
    for (i, c) in line.char_indices() {
        if c == ':' && previous != '\\' && line[i + 1..].chars().next().is_none_or(char::is_whitespace) {
            return Some(&line[i + 1..]);
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: &[&str]) {
        let got = parse(text);
        let got: Vec<&str> = got.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(got, expected, "{text:?}");
    }

    #[test]
    fn prerequisites_of_every_rule() {
        check("/t/debug/app: /w/src/main.rs /w/src/app.rs\n", &["/w/src/main.rs", "/w/src/app.rs"]);
        check(
            "/t/debug/app: /w/src/main.rs /w/queries/users.sql\n\n/w/src/main.rs:\n/w/queries/users.sql:\n",
            &["/w/src/main.rs", "/w/queries/users.sql"],
        );
        check("/t/app: /w/my\\ dir/a.rs /w/b.rs\n", &["/w/my dir/a.rs", "/w/b.rs"]);
        check("/t/app: /w/a.rs \\\n  /w/b.rs\n", &["/w/a.rs", "/w/b.rs"]);
        check("", &[]);
        check("# comment\n", &[]);
    }

    #[test]
    fn reads_the_file_next_to_the_artifact() {
        let dir = std::env::temp_dir().join(format!("devserve-depinfo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let exe = dir.join("app");
        std::fs::write(dir.join("app.d"), format!("{}: /w/src/main.rs /w/tpl/page.html\n", exe.display()))
            .unwrap();
        assert_eq!(inputs_of(&exe), [PathBuf::from("/w/src/main.rs"), PathBuf::from("/w/tpl/page.html")]);
        let wasm = dir.join("front.wasm");
        std::fs::write(dir.join("front.d"), "x: /w/src/lib.rs\n").unwrap();
        assert_eq!(inputs_of(&wasm), [PathBuf::from("/w/src/lib.rs")]);
        assert!(inputs_of(&dir.join("none")).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

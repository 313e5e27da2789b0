//! Files for end-to-end tests: copy an app to a scratch folder, edit a source as an editor would.

use std::path::Path;

use crate::{HarnessError, Result};

/// Copy the folder `from` to `to` (created), recursively, leaving out `target/` and `.git/`.
/// Symlinks are copied as the files they point to.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| HarnessError::io(format!("create {}", to.display()), e))?;
    let entries =
        std::fs::read_dir(from).map_err(|e| HarnessError::io(format!("read {}", from.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| HarnessError::io(format!("read {}", from.display()), e))?;
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        if source.is_dir() {
            copy_dir(&source, &dest)?;
        } else {
            std::fs::copy(&source, &dest)
                .map_err(|e| HarnessError::io(format!("copy {}", source.display()), e))?;
        }
    }
    Ok(())
}

/// Replace the one occurrence of `from` in the file at `path` by `to` and write the file in place.
/// Fails when `from` does not occur exactly once, so a test never edits the wrong spot.
pub fn replace_in_file(path: &Path, from: &str, to: &str) -> Result<()> {
    let text =
        std::fs::read_to_string(path).map_err(|e| HarnessError::io(format!("read {}", path.display()), e))?;
    let count = text.matches(from).count();
    if count != 1 {
        return Err(HarnessError::Process(format!(
            "{from:?} occurs {count} times in {}, not once",
            path.display()
        )));
    }
    std::fs::write(path, text.replacen(from, to, 1))
        .map_err(|e| HarnessError::io(format!("write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_sources_but_not_build_output() {
        let from = tempfile::tempdir().unwrap();
        for (path, text) in
            [("Cargo.toml", "[package]"), ("src/app.rs", "fn app() {}"), ("target/debug/app", "bin")]
        {
            let path = from.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let to = tempfile::tempdir().unwrap();
        copy_dir(from.path(), &to.path().join("app")).unwrap();
        assert_eq!(std::fs::read_to_string(to.path().join("app/src/app.rs")).unwrap(), "fn app() {}");
        assert!(to.path().join("app/Cargo.toml").exists());
        assert!(!to.path().join("app/target").exists());
    }

    #[test]
    fn replaces_exactly_one_occurrence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.rs");
        std::fs::write(&path, r#"view! { <p>"Hello"</p> <p>"Hello"</p> <h1>"Title"</h1> }"#).unwrap();
        replace_in_file(&path, r#""Title""#, r#""Heading""#).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            r#"view! { <p>"Hello"</p> <p>"Hello"</p> <h1>"Heading"</h1> }"#
        );
        assert!(replace_in_file(&path, r#""Hello""#, "x").is_err(), "two occurrences");
        assert!(replace_in_file(&path, "absent", "x").is_err(), "no occurrence");
    }
}

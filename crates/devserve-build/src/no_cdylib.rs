//! The "no cdylib" lever: a cargo-leptos app's library is `crate-type = ["cdylib", "rlib"]`, and
//! a server build for the host links the cdylib (every dependency, on every rebuild) although only
//! the wasm front end uses it. This `RUSTC_WORKSPACE_WRAPPER` drops `--crate-type cdylib` from
//! host builds of workspace libraries that also build an rlib, and leaves an empty file where cargo
//! expects the cdylib so that its freshness check still passes. Builds for another target (the
//! wasm front end, `--target`) and cargo's own queries (`--print`) are left alone.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const SCRIPT: &str = r#"#!/bin/sh
# Written by devserve (the no-cdylib lever): see devserve-build's no_cdylib.rs.
rustc="$1"; shift
rlib=0; emit=0
for arg in "$@"; do
  case "$arg" in
    --target|--target=*|--print|--print=*) exec "$rustc" "$@" ;;
    rlib|lib|--crate-type=rlib|--crate-type=lib) rlib=1 ;;
    --emit|--emit=*) emit=1 ;;
  esac
done
[ "$rlib" = 1 ] && [ "$emit" = 1 ] || exec "$rustc" "$@"
cdylib=0; name=""; outdir=""; extra=""; pending=""
for arg in "$@"; do
  shift
  case "$pending" in
    crate-type)
      pending=""
      if [ "$arg" = cdylib ]; then cdylib=1; continue; fi
      set -- "$@" --crate-type "$arg"; continue ;;
    crate-name) name="$arg" ;;
    out-dir) outdir="$arg" ;;
    codegen) case "$arg" in extra-filename=*) extra="${arg#extra-filename=}" ;; esac ;;
  esac
  pending=""
  case "$arg" in
    --crate-type) pending=crate-type; continue ;;
    --crate-type=cdylib) cdylib=1; continue ;;
    --crate-name) pending=crate-name ;;
    --out-dir) pending=out-dir ;;
    -C) pending=codegen ;;
    -Cextra-filename=*) extra="${arg#-Cextra-filename=}" ;;
  esac
  set -- "$@" "$arg"
done
"$rustc" "$@" || exit $?
if [ "$cdylib" = 1 ] && [ -n "$outdir" ] && [ -n "$name" ]; then
  : > "$outdir/lib$name$extra.so"
fi
"#;

/// The environment variable cargo runs workspace members' `rustc` through.
pub const WORKSPACE_WRAPPER: &str = "RUSTC_WORKSPACE_WRAPPER";

/// Writes the wrapper into `dir` (unless it is there already, unchanged) and returns its path.
pub fn write_no_cdylib_wrapper(dir: &Path) -> io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("rustc-no-cdylib.sh");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(SCRIPT) {
        // Written beside and renamed: a build running the old one never sees half a script.
        let tmp = dir.join("rustc-no-cdylib.sh.tmp");
        std::fs::write(&tmp, SCRIPT)?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wrapper run with a fake `rustc` that prints its arguments.
    fn wrap(args: &[&str]) -> (String, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let wrapper = write_no_cdylib_wrapper(dir.path()).unwrap();
        let fake = dir.path().join("rustc");
        std::fs::write(&fake, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n").unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out_dir = dir.path().join("deps");
        std::fs::create_dir(&out_dir).unwrap();
        let args: Vec<String> =
            args.iter().map(|a| a.replace("OUT", &out_dir.display().to_string())).collect();
        let out = std::process::Command::new(&wrapper).arg(&fake).args(&args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut made: Vec<String> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        made.sort();
        (String::from_utf8_lossy(&out.stdout).replace('\n', " ").trim().to_owned(), made)
    }

    #[test]
    fn host_builds_of_a_library_skip_the_cdylib() {
        let lib = [
            "--crate-name",
            "big_app",
            "--edition=2024",
            "src/lib.rs",
            "--emit=dep-info,metadata,link",
            "--crate-type",
            "cdylib",
            "--crate-type",
            "rlib",
            "--out-dir",
            "OUT",
            "-C",
            "incremental=x",
        ];
        let (args, made) = wrap(&lib);
        assert!(
            args.starts_with(
                "--crate-name big_app --edition=2024 src/lib.rs --emit=dep-info,metadata,link --crate-type rlib --out-dir "
            ),
            "{args}"
        );
        assert!(args.ends_with("-C incremental=x"), "{args}");
        assert_eq!(made, ["libbig_app.so"]);

        let mut wasm = lib.to_vec();
        wasm.extend(["--target", "wasm32-unknown-unknown"]);
        let (args, made) = wrap(&wasm);
        assert!(args.contains("--crate-type cdylib --crate-type rlib"), "{args}");
        assert!(made.is_empty());

        let only_cdylib = ["--crate-name", "x", "--emit=link", "--crate-type", "cdylib", "--out-dir", "OUT"];
        assert!(wrap(&only_cdylib).0.contains("--crate-type cdylib"));
        // cargo's query of the file names of every crate type.
        let query = [
            "-",
            "--crate-name",
            "___",
            "--print=file-names",
            "--crate-type",
            "rlib",
            "--crate-type",
            "cdylib",
        ];
        assert!(wrap(&query).0.contains("--crate-type rlib --crate-type cdylib"));
    }
}

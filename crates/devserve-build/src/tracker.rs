//! Turns cargo's JSON message stream into progress, diagnostics and the built executable. Pure:
//! one line in, at most one update out.

use std::path::PathBuf;

use cargo_metadata::diagnostic::DiagnosticLevel as RustcLevel;
use cargo_metadata::{Message, TargetKind};
use devserve_protocol::BuildProgress;

use crate::request::{Diagnostic, DiagnosticLevel};

/// What one line of cargo's stdout changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Update {
    /// A unit finished: progress moved.
    Progress,
    /// rustc said something.
    Diagnostic(Diagnostic),
}

/// A binary target cargo built (or found fresh).
#[derive(Debug, Clone, PartialEq, Eq)]
struct BinArtifact {
    package: String,
    target: String,
    executable: PathBuf,
    fresh: bool,
}

/// Running state of one build's message stream.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    package: Option<String>,
    bin: Option<String>,
    /// Report the library's `.wasm` file instead of a binary.
    wasm_lib: bool,
    done: u32,
    total: Option<u32>,
    current: Option<String>,
    diagnostics: Vec<Diagnostic>,
    bins: Vec<BinArtifact>,
}

impl Tracker {
    /// A tracker looking for `--bin bin` of `-p package` (either may be unset).
    pub(crate) fn new(package: Option<&str>, bin: Option<&str>) -> Self {
        Self { package: package.map(str::to_owned), bin: bin.map(str::to_owned), ..Self::default() }
    }

    /// A tracker looking for the `.wasm` file of `-p package`'s library (a `cdylib` built for a
    /// wasm target).
    pub(crate) fn wasm_lib(package: Option<&str>) -> Self {
        Self { package: package.map(str::to_owned), wasm_lib: true, ..Self::default() }
    }

    /// Feeds one line of cargo's stdout.
    pub(crate) fn on_line(&mut self, line: &str) -> Option<Update> {
        let mut de = serde_json::Deserializer::from_str(line);
        de.disable_recursion_limit();
        let message = serde::Deserialize::deserialize(&mut de).ok()?;
        match message {
            Message::CompilerArtifact(artifact) => {
                self.done += 1;
                let package = package_name(&artifact.package_id.repr);
                let is_build_script = artifact.target.kind.contains(&TargetKind::CustomBuild);
                self.current =
                    Some(if is_build_script { format!("{package} (build script)") } else { package.clone() });
                let wasm = artifact.filenames.iter().find(|f| f.extension() == Some("wasm"));
                if self.wasm_lib
                    && artifact.target.kind.contains(&TargetKind::CDyLib)
                    && let Some(wasm) = wasm
                {
                    self.bins.push(BinArtifact {
                        package,
                        target: artifact.target.name,
                        executable: wasm.clone().into_std_path_buf(),
                        fresh: artifact.fresh,
                    });
                } else if !self.wasm_lib
                    && artifact.target.kind.contains(&TargetKind::Bin)
                    && let Some(executable) = artifact.executable
                {
                    self.bins.push(BinArtifact {
                        package,
                        target: artifact.target.name,
                        executable: executable.into_std_path_buf(),
                        fresh: artifact.fresh,
                    });
                }
                Some(Update::Progress)
            }
            Message::CompilerMessage(msg) => {
                let rendered = msg.message.rendered?;
                let level = match msg.message.level {
                    RustcLevel::Error | RustcLevel::Ice => DiagnosticLevel::Error,
                    RustcLevel::Warning => DiagnosticLevel::Warning,
                    _ => DiagnosticLevel::Note,
                };
                let diagnostic = Diagnostic {
                    level,
                    rendered,
                    package: package_name(&msg.package_id.repr),
                    local: is_local(&msg.package_id.repr),
                };
                self.diagnostics.push(diagnostic.clone());
                Some(Update::Diagnostic(diagnostic))
            }
            _ => None,
        }
    }

    /// Sets the estimated number of units (kept at least as large as what is already done).
    pub(crate) fn set_total(&mut self, total: u32) {
        self.total = Some(total);
    }

    /// Units finished so far.
    pub(crate) fn done(&self) -> u32 {
        self.done
    }

    /// The progress to report, `elapsed_ms` since the start.
    pub(crate) fn progress(&self, elapsed_ms: u64) -> BuildProgress {
        BuildProgress {
            done: self.done,
            total: self.total.map(|total| total.max(self.done)),
            current: self.current.clone(),
            elapsed_ms,
        }
    }

    /// Every diagnostic seen, in order.
    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// The requested executable and whether cargo found it fresh, or why there is none.
    pub(crate) fn executable(&self) -> Result<(PathBuf, bool), String> {
        let wanted: Vec<&BinArtifact> = self
            .bins
            .iter()
            .filter(|b| self.bin.as_ref().is_none_or(|bin| &b.target == bin))
            .filter(|b| self.package.as_ref().is_none_or(|p| &b.package == p))
            .collect();
        let chosen = match wanted.as_slice() {
            [] => None,
            [only] => Some(*only),
            several => {
                several.iter().copied().find(|b| b.target.replace('-', "_") == b.package.replace('-', "_"))
            }
        };
        match chosen {
            Some(b) => Ok((b.executable.clone(), b.fresh)),
            None if wanted.is_empty() => Err(match &self.bin {
                _ if self.wasm_lib => {
                    "cargo built no `.wasm` library (is `crate-type` missing `cdylib`?)".to_owned()
                }
                Some(bin) => format!("cargo built no binary named `{bin}`"),
                None => "cargo built no binary".to_owned(),
            }),
            None => Err(format!(
                "cargo built several binaries ({}): say which one to run",
                wanted.iter().map(|b| b.target.as_str()).collect::<Vec<_>>().join(", ")
            )),
        }
    }
}

/// The package name in a cargo package id, in either format:
/// `registry+https://…#serde@1.0.0`, `path+file:///work/app#0.1.0` (name = last path segment),
/// or the old `serde 1.0.0 (registry+https://…)`.
pub(crate) fn package_name(id: &str) -> String {
    if let Some((source, fragment)) = id.split_once('#') {
        if let Some((name, _version)) = fragment.split_once('@') {
            return name.to_owned();
        }
        let path = source.split(['?']).next().unwrap_or(source).trim_end_matches('/');
        return path.rsplit('/').next().unwrap_or(path).to_owned();
    }
    id.split_whitespace().next().unwrap_or(id).to_owned()
}

/// Whether a package id names a local (path) package.
pub(crate) fn is_local(id: &str) -> bool {
    id.starts_with("path+") || id.contains("(path+")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(id: &str, target: &str, kind: &str, exe: Option<&str>, fresh: bool) -> String {
        let exe = exe.map_or("null".to_owned(), |e| format!("\"{e}\""));
        format!(
            r#"{{"reason":"compiler-artifact","package_id":"{id}","manifest_path":"/m/Cargo.toml","target":{{"kind":["{kind}"],"crate_types":["{kind}"],"name":"{target}","src_path":"/m/src/main.rs","edition":"2021","doc":true,"doctest":false,"test":true}},"profile":{{"opt_level":"0","debuginfo":2,"debug_assertions":true,"overflow_checks":true,"test":false}},"features":[],"filenames":["/t/x"],"executable":{exe},"fresh":{fresh}}}"#
        )
    }

    fn message(id: &str, level: &str, rendered: &str) -> String {
        let rendered = serde_json::to_string(rendered).unwrap();
        format!(
            r#"{{"reason":"compiler-message","package_id":"{id}","manifest_path":"/m/Cargo.toml","target":{{"kind":["bin"],"crate_types":["bin"],"name":"app","src_path":"/m/src/main.rs","edition":"2021","doc":true,"doctest":false,"test":true}},"message":{{"rendered":{rendered},"$message_type":"diagnostic","children":[],"code":null,"level":"{level}","message":"m","spans":[]}}}}"#
        )
    }

    const APP: &str = "path+file:///work/app#0.1.0";
    const SERDE: &str = "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.228";

    #[test]
    fn package_names() {
        let check = |id: &str, name: &str, local: bool| {
            assert_eq!(package_name(id), name, "{id}");
            assert_eq!(is_local(id), local, "{id}");
        };
        check(SERDE, "serde", false);
        check(APP, "app", true);
        check("path+file:///work/ws/crates/web#web-ui@0.2.0", "web-ui", true);
        check("git+https://github.com/o/r?branch=main#thing@0.1.0", "thing", false);
        check("serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)", "serde", false);
        check("app 0.1.0 (path+file:///work/app)", "app", true);
    }

    #[test]
    fn progress_counts_artifacts_and_names_the_last_crate() {
        let mut t = Tracker::new(None, None);
        assert_eq!(
            t.on_line(&artifact(SERDE, "build_script_build", "custom-build", None, false)),
            Some(Update::Progress)
        );
        assert_eq!(t.progress(5).current.as_deref(), Some("serde (build script)"));
        t.on_line(&artifact(SERDE, "serde", "lib", None, true));
        t.set_total(1);
        let p = t.progress(7);
        assert_eq!((p.done, p.total, p.current.as_deref(), p.elapsed_ms), (2, Some(2), Some("serde"), 7));
        assert_eq!(t.on_line(r#"{"reason":"build-finished","success":true}"#), None);
        assert_eq!(t.on_line("not json at all"), None);
    }

    #[test]
    fn diagnostics_keep_cargo_rendering() {
        let mut t = Tracker::new(None, None);
        let red = "\u{1b}[1m\u{1b}[91merror[E0308]\u{1b}[0m: mismatched types\n";
        let update = t.on_line(&message(APP, "error", red));
        let expected = Diagnostic {
            level: DiagnosticLevel::Error,
            rendered: red.into(),
            package: "app".into(),
            local: true,
        };
        assert_eq!(update, Some(Update::Diagnostic(expected.clone())));
        t.on_line(&message(SERDE, "warning", "warning: w\n"));
        t.on_line(&message(APP, "failure-note", "For more information\n"));
        let levels: Vec<_> = t.into_diagnostics().iter().map(|d| (d.level, d.local)).collect();
        assert_eq!(
            levels,
            [
                (DiagnosticLevel::Error, true),
                (DiagnosticLevel::Warning, false),
                (DiagnosticLevel::Note, true)
            ]
        );
    }

    fn pick(
        package: Option<&str>,
        bin: Option<&str>,
        bins: &[(&str, &str)],
    ) -> Result<(PathBuf, bool), String> {
        let mut t = Tracker::new(package, bin);
        for (pkg, target) in bins {
            let id = format!("path+file:///w/{pkg}#0.1.0");
            t.on_line(&artifact(&id, target, "bin", Some(&format!("/t/debug/{target}")), true));
        }
        t.executable()
    }

    #[test]
    fn a_wasm_library_is_reported_by_its_wasm_file() {
        let lib = artifact(APP, "app", "cdylib", None, false)
            .replace(r#"["/t/x"]"#, r#"["/t/wasm32-unknown-unknown/debug/app.wasm","/t/libapp.rlib"]"#);
        let mut tracker = Tracker::wasm_lib(Some("app"));
        tracker.on_line(&artifact(APP, "app", "bin", Some("/t/app"), false));
        tracker.on_line(&lib);
        assert_eq!(
            tracker.executable(),
            Ok((PathBuf::from("/t/wasm32-unknown-unknown/debug/app.wasm"), false))
        );
        let mut rlib_only = Tracker::wasm_lib(Some("app"));
        rlib_only.on_line(&artifact(APP, "app", "lib", None, false));
        assert!(rlib_only.executable().unwrap_err().contains("cdylib"));
    }

    #[test]
    fn executable_selection() {
        let exe = |name: &str| Ok((PathBuf::from(format!("/t/debug/{name}")), true));
        assert_eq!(pick(None, None, &[("app", "app")]), exe("app"));
        assert_eq!(pick(None, None, &[("my-app", "my_app"), ("my-app", "tool")]), exe("my_app"));
        assert_eq!(pick(None, Some("tool"), &[("app", "app"), ("app", "tool")]), exe("tool"));
        assert_eq!(pick(Some("b"), None, &[("a", "a"), ("b", "b")]), exe("b"));
        assert_eq!(pick(None, None, &[]), Err("cargo built no binary".into()));
        assert_eq!(pick(None, Some("x"), &[("a", "a")]), Err("cargo built no binary named `x`".into()));
        assert_eq!(
            pick(None, None, &[("a", "one"), ("a", "two")]),
            Err("cargo built several binaries (one, two): say which one to run".into())
        );
    }
}

//! `devserve doctor`: what the probe found, the profile chosen and why, and how to install what
//! is missing.

use std::fmt::Write as _;

use crate::linker::Backend;
use crate::probe::{Candidate, ProbeReport, Status};
use crate::profile::BuildProfile;

/// The nightly known to ship a working Cranelift backend, for install hints.
pub const KNOWN_GOOD_NIGHTLY: &str = "nightly-2025-12-01";

/// The text `devserve doctor` prints.
pub fn doctor(report: &ProbeReport, profile: &BuildProfile) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "host: {}", report.host);
    let active = &report.active;
    let _ = writeln!(
        out,
        "toolchain: {} (rustc {}){}",
        active.short_name(),
        active.release,
        match active.default_linker_is_lld {
            Some(true) => ", links with its own rust-lld by default",
            _ => "",
        }
    );
    let nightlies: Vec<String> = report
        .nightlies
        .iter()
        .map(|t| {
            format!("{}{}", t.short_name(), if t.cranelift_component { " (with Cranelift)" } else { "" })
        })
        .collect();
    let _ = writeln!(
        out,
        "nightlies: {}",
        if nightlies.is_empty() { "none".into() } else { nightlies.join(", ") }
    );
    let source = if report.from_cache { "cached" } else { "just tested" };
    let _ = write!(out, "\nlinkers and backends ({source}");
    if let Some(file) = &report.cache_file {
        let _ = write!(out, ", {}", file.display());
    }
    let _ = writeln!(out, "):");
    for candidate in &report.candidates {
        let _ = writeln!(out, "  {}", line(candidate, &report.host));
    }
    let hints = install_hints(report);
    if !hints.is_empty() {
        let _ = writeln!(out, "\nto get what is missing:");
        for hint in hints {
            let _ = writeln!(out, "  {hint}");
        }
    }
    let _ = writeln!(out, "\n{}", profile.describe());
    if let Some(notice) = &profile.notice {
        let _ = writeln!(out, "  note: {notice}");
    }
    out
}

fn line(candidate: &Candidate, host: &str) -> String {
    let what = match candidate.backend {
        Backend::Llvm => format!("{}", candidate.linker),
        Backend::Cranelift => format!("Cranelift + {}", candidate.linker),
    };
    let on = candidate.toolchain.as_deref().map(|t| format!(" +{}", short(t, host))).unwrap_or_default();
    let verdict = match &candidate.status {
        Status::Works => "works".to_owned(),
        Status::Missing { need } => format!("missing: {}", need.join(", ")),
        Status::Broken { reason } => format!("broken: {reason}"),
    };
    format!("{:<50} {verdict}", format!("{what}{on}"))
}

/// A rustup toolchain name without the host suffix.
pub(crate) fn short<'a>(toolchain: &'a str, host: &str) -> &'a str {
    toolchain.strip_suffix(&format!("-{host}")).unwrap_or(toolchain)
}

/// One install command per missing thing, in the package manager this machine has.
pub fn install_hints(report: &ProbeReport) -> Vec<String> {
    let mut needs: Vec<&str> = Vec::new();
    for candidate in &report.candidates {
        if let Status::Missing { need } = &candidate.status {
            for n in need {
                if !needs.contains(&n.as_str()) {
                    needs.push(n);
                }
            }
        }
    }
    let system = |package: &str| {
        if report.has_tool("apt-get") {
            format!("apt-get install {package}")
        } else {
            format!("install {package} with your package manager (apt-get/dnf/pacman install {package})")
        }
    };
    let mut hints = Vec::new();
    for need in needs {
        let hint = match need {
            "mold" | "ld.mold" => system("mold"),
            "clang" => system("clang"),
            "ld.lld" => system("lld"),
            "cc" => system("gcc"),
            "wild" => "cargo install --locked wild-linker".to_owned(),
            "rustup" => "install rustup (https://rustup.rs) to get a nightly with Cranelift".to_owned(),
            "rustc-codegen-cranelift-preview" => match report.nightlies.first() {
                Some(nightly) => format!(
                    "rustup component add rustc-codegen-cranelift-preview --toolchain {} \
                     (or: rustup toolchain install {KNOWN_GOOD_NIGHTLY} --profile minimal \
                     --component rustc-codegen-cranelift-preview)",
                    nightly.short_name()
                ),
                None => format!(
                    "rustup toolchain install {KNOWN_GOOD_NIGHTLY} --profile minimal --component rustc-codegen-cranelift-preview"
                ),
            },
            other => system(other),
        };
        if !hints.contains(&hint) {
            hints.push(hint);
        }
    }
    hints
}

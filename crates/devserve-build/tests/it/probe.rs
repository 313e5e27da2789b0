//! The toolchain probe with real linkers and toolchains, and PATHs that lack or break one.

use devserve_build::{
    Backend, FastMode, Linker, Probe, ProfileOptions, Status, choose_profile, doctor, profile_with,
};

use crate::support::*;

fn options(mode: FastMode) -> ProfileOptions {
    ProfileOptions { mode, manifest_dir: std::env::temp_dir(), ..ProfileOptions::default() }
}

#[tokio::test]
async fn mold_in_path_is_verified() {
    if which("mold").is_none() {
        cannot_run("mold_in_path_is_verified", "mold is not installed", "apt-get install mold");
        return;
    }
    let report = default_report().await;
    assert_eq!(report.status(Backend::Llvm, Linker::Mold), Some(&Status::Works), "{report:#?}");
    assert_eq!(report.status(Backend::Llvm, Linker::RustcDefault), Some(&Status::Works));
    let profile = profile_with(report, &options(FastMode::Llvm), Backend::Llvm, Linker::Mold).unwrap();
    assert_eq!(profile.name, "llvm-mold");
    assert!(profile.command_line().contains("link-arg=-fuse-ld=mold"), "{}", profile.command_line());
    // mold, once verified, comes first (faster than rust-lld on the real-sized app).
    let chosen = choose_profile(report, &options(FastMode::Llvm));
    assert_eq!(chosen.linker, Linker::Mold, "{}", chosen.describe());
}

#[tokio::test]
async fn a_path_without_mold_never_chooses_it() {
    let (_keep, path) = path_without(&["mold", "ld.mold"]);
    let cache = tempfile::tempdir().unwrap();
    let probe = Probe { path, cache_dir: Some(cache.path().to_path_buf()), ..Probe::default() };
    let report = probe.run().await.unwrap();
    assert!(!report.from_cache);
    let status = report.status(Backend::Llvm, Linker::Mold).unwrap();
    assert!(matches!(status, Status::Missing { need } if need.contains(&"mold".to_owned())), "{status:?}");
    assert!(!report.candidates.iter().any(|c| c.linker == Linker::Mold && c.status == Status::Works));
    for mode in [FastMode::Auto, FastMode::Llvm] {
        let profile = choose_profile(&report, &options(mode));
        assert_ne!(profile.linker, Linker::Mold, "{}", profile.describe());
        assert!(!profile.command_line().contains("mold"), "{}", profile.command_line());
    }
    let text = doctor(&report, &choose_profile(&report, &options(FastMode::Auto)));
    assert!(text.contains("missing: mold"), "{text}");
    assert!(text.contains("apt-get install mold"), "{text}");

    // Cached per toolchain and tool set: the second run reads the file.
    let file = report.cache_file.clone().unwrap();
    assert!(file.starts_with(cache.path()) && file.exists(), "{file:?}");
    let again = probe.run().await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.candidates, report.candidates);
}

#[tokio::test]
async fn a_broken_mold_is_reported_broken_not_chosen() {
    let fail = "echo 'mold: fake failure for a test' >&2; exit 1";
    let (_keep, path) = path_with_scripts(&[("mold", fail), ("ld.mold", fail)]);
    let report = Probe { path, cache_dir: None, ..Probe::default() }.run().await.unwrap();
    let status = report.status(Backend::Llvm, Linker::Mold).unwrap();
    assert!(matches!(status, Status::Broken { reason } if reason.contains("link")), "{status:?}");
    let profile = choose_profile(&report, &options(FastMode::Auto));
    assert_ne!(profile.linker, Linker::Mold, "{}", profile.describe());
}

#[tokio::test]
async fn cranelift_is_detected_and_verified() {
    let nightly = match nightly_with_cranelift() {
        Ok(nightly) => nightly,
        Err(reason) => {
            cannot_run("cranelift_is_detected_and_verified", &reason, INSTALL_CRANELIFT);
            return;
        }
    };
    let report = default_report().await;
    let cranelift = report
        .candidates
        .iter()
        .find(|c| c.backend == Backend::Cranelift && c.linker == Linker::RustcDefault)
        .expect("no Cranelift candidate");
    assert_eq!(cranelift.status, Status::Works, "{report:#?}");
    assert!(
        cranelift.toolchain.as_deref().is_some_and(|t| t.starts_with("nightly")),
        "{cranelift:?} vs {nightly}"
    );
    let profile = choose_profile(report, &options(FastMode::Auto));
    assert_eq!(profile.backend, Backend::Cranelift, "{}", profile.describe());
    assert!(profile.command_line().contains("-Zcodegen-backend"));
    assert!(profile.notice.is_some(), "a nightly the user did not pin must be announced");
    assert_eq!(profile.llvm_fallback.as_ref().map(|p| p.backend), Some(Backend::Llvm));
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.exists())
}

//! Real builds with the chosen profiles: the user's rustflags survive, the chosen linker and
//! backend are really used, and Cranelift falls back to LLVM when it cannot build an app.

use devserve_build::{
    Backend, BuildEvent, BuildOutcome, Builder, FallbackMemory, FastMode, Linker, ProfileOptions,
    choose_profile, profile_with,
};

use crate::support::*;

const NEEDS_USER_FLAG: &str =
    "#[cfg(not(user_flag))]\ncompile_error!(\"the user's rustflags were dropped\");\nfn main() {}\n";

/// Builds `app` with `profile` into its profile target dir; returns the executable.
async fn build(
    app: &std::path::Path,
    profile: devserve_build::BuildProfile,
    env: &[(&str, &str)],
) -> std::path::PathBuf {
    let (builder, mut events) = Builder::new();
    let mut req = request(1, app, &profile.target_dir(&shared_target()));
    req.profile = profile;
    req.env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    builder.start(req);
    let (seen, outcome) = until_finished(&mut events, 1).await;
    match outcome {
        BuildOutcome::Succeeded { executable, .. } => executable,
        other => panic!("{other:?}\n{seen:#?}"),
    }
}

/// A verified LLVM profile that adds rustflags of its own (a linker other than rustc's default),
/// with the bytes its linker leaves in the binary; `None` if this machine has none.
fn profile_with_rustflags(
    report: &devserve_build::ProbeReport,
    options: &ProfileOptions,
) -> Option<(devserve_build::BuildProfile, &'static [u8])> {
    [(Linker::Mold, &b"mold "[..]), (Linker::ClangLld, &b"LLD "[..]), (Linker::SystemLld, &b"LLD "[..])]
        .into_iter()
        .find_map(|(linker, signature)| {
            Some((profile_with(report, options, Backend::Llvm, linker)?, signature))
        })
}

#[tokio::test]
async fn rustflags_from_the_environment_are_kept() {
    let report = default_report().await;
    let app = temp_crate("ds_env_flags", NEEDS_USER_FLAG, &[]);
    let user_env = [("RUSTFLAGS", "--cfg user_flag")];
    let options = ProfileOptions {
        mode: FastMode::Llvm,
        manifest_dir: app.path().to_path_buf(),
        env: user_env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        fallback_memory: None,
        extra_rustflags: Vec::new(),
        no_cdylib: None,
    };
    let Some((profile, signature)) = profile_with_rustflags(report, &options) else {
        cannot_run(
            "rustflags_from_the_environment_are_kept",
            "no mold or lld works here",
            "apt-get install mold lld",
        );
        return;
    };
    assert!(profile.env.iter().any(|(k, _)| k == "CARGO_ENCODED_RUSTFLAGS"), "{}", profile.describe());
    let exe = build(app.path(), profile, &user_env).await;
    assert!(file_contains(&exe, signature), "the profile's linker flags were dropped");
}

#[tokio::test]
async fn rustflags_from_a_config_string_are_kept() {
    let report = default_report().await;
    let config = "[build]\nrustflags = \"--cfg user_flag\"\n";
    let app = temp_crate("ds_config_flags", NEEDS_USER_FLAG, &[(".cargo/config.toml", config)]);
    let options =
        ProfileOptions { mode: FastMode::Llvm, manifest_dir: app.path().to_path_buf(), ..Default::default() };
    let Some((profile, signature)) = profile_with_rustflags(report, &options) else {
        cannot_run(
            "rustflags_from_a_config_string_are_kept",
            "no mold or lld works here",
            "apt-get install mold lld",
        );
        return;
    };
    let exe = build(app.path(), profile, &[]).await;
    assert!(file_contains(&exe, signature), "the profile's linker flags were dropped");
}

#[tokio::test]
async fn cranelift_profile_builds_with_cranelift() {
    if let Err(reason) = nightly_with_cranelift() {
        cannot_run("cranelift_profile_builds_with_cranelift", &reason, INSTALL_CRANELIFT);
        return;
    }
    let report = default_report().await;
    let app = temp_crate("ds_cranelift", "fn main() { println!(\"clif\"); }\n", &[]);
    let options = ProfileOptions { manifest_dir: app.path().to_path_buf(), ..Default::default() };
    let profile = choose_profile(report, &options);
    assert_eq!(profile.backend, Backend::Cranelift, "{}", profile.describe());
    let linker = profile.linker;
    let exe = build(app.path(), profile, &[]).await;
    assert!(file_contains(&exe, b"with cranelift"), "not compiled by Cranelift");
    if linker == Linker::Mold {
        assert!(file_contains(&exe, b"mold "), "not linked by mold");
    }
}

#[tokio::test]
async fn cranelift_falls_back_to_llvm_once_and_remembers() {
    if let Err(reason) = nightly_with_cranelift() {
        cannot_run("cranelift_falls_back_to_llvm_once_and_remembers", &reason, INSTALL_CRANELIFT);
        return;
    }
    let report = default_report().await;
    let stable = report.active.release.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).unwrap();
    let Some(nightly) = report.cranelift_toolchain() else {
        not_applicable(
            "cranelift_falls_back_to_llvm_once_and_remembers",
            "Cranelift runs on the app's own toolchain",
        );
        return;
    };
    let nightly_minor = report
        .nightlies
        .iter()
        .find(|t| t.name.as_deref() == Some(nightly))
        .and_then(|t| t.release.split('.').nth(1)?.parse::<u32>().ok())
        .unwrap();
    if nightly_minor >= stable {
        not_applicable(
            "cranelift_falls_back_to_llvm_once_and_remembers",
            "the nightly is not older than stable",
        );
        return;
    }
    // Needs a newer rustc than the nightly: Cranelift's build fails, LLVM's succeeds.
    let manifest = format!(
        "[package]\nname = \"ds_msrv\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.{stable}\"\n\n[workspace]\n"
    );
    let app = temp_crate("ds_msrv", "fn main() {}\n", &[("Cargo.toml", &manifest)]);
    let cache = tempfile::tempdir().unwrap();
    let memory = FallbackMemory::in_dir(cache.path());
    let options = ProfileOptions {
        manifest_dir: app.path().to_path_buf(),
        fallback_memory: Some(memory.clone()),
        ..Default::default()
    };
    let profile = choose_profile(report, &options);
    assert_eq!(profile.backend, Backend::Cranelift);

    let (builder, mut events) = Builder::new();
    let mut req = request(1, app.path(), &profile.target_dir(&shared_target()));
    req.profile = profile;
    builder.start(req);
    let (seen, outcome) = until_finished(&mut events, 1).await;
    assert!(matches!(outcome, BuildOutcome::Succeeded { .. }), "{outcome:?}\n{seen:#?}");
    let fell_back: Vec<_> = seen.iter().filter(|e| matches!(e, BuildEvent::FellBack { .. })).collect();
    assert_eq!(fell_back.len(), 1, "{seen:#?}");
    let BuildEvent::FellBack { reason, profile, .. } = fell_back[0] else { unreachable!() };
    assert!(reason.contains("requires rustc"), "{reason}");
    assert_eq!(profile.backend, Backend::Llvm);
    assert!(memory.reason(app.path()).is_some_and(|r| r.contains("requires rustc")));
    // Remembered: the next choice for this app is LLVM straight away.
    assert_eq!(choose_profile(report, &options).backend, Backend::Llvm);
}

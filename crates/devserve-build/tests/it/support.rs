//! Temporary crates, event collection, process-group and PATH helpers.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use devserve_build::{BuildEvent, BuildOutcome, BuildProfile, BuildRequest, Probe, ProbeReport};
use tokio::sync::OnceCell;
use tokio::sync::mpsc::UnboundedReceiver;

/// A target dir shared by the tests' tiny crates (each crate has its own name).
pub(crate) fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("devserve-build-it")
}

/// A binary crate `name` with `main.rs`, and more files (`build.rs`, `.cargo/config.toml`).
pub(crate) fn temp_crate(name: &str, main_rs: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let manifest =
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n");
    std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), main_rs).unwrap();
    for (path, text) in files {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    dir
}

/// A request for the crate in `dir`, plain `cargo build` into `target`.
pub(crate) fn request(id: u64, dir: &Path, target: &Path) -> BuildRequest {
    BuildRequest {
        id,
        manifest_dir: dir.to_path_buf(),
        package: None,
        bin: None,
        wasm_lib: false,
        profile: BuildProfile::plain(),
        env: vec![],
        extra_args: vec![],
        target_dir: target.to_path_buf(),
    }
}

/// Receives events until build `id` finishes; returns all events seen (any id) and its outcome.
pub(crate) async fn until_finished(
    events: &mut UnboundedReceiver<BuildEvent>,
    id: u64,
) -> (Vec<BuildEvent>, BuildOutcome) {
    let mut seen = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(300), events.recv())
            .await
            .expect("no build event for 300 s")
            .expect("the builder stopped");
        if let BuildEvent::Finished { id: done, outcome, .. } = &event
            && *done == id
        {
            let outcome = outcome.clone();
            seen.push(event);
            return (seen, outcome);
        }
        seen.push(event);
    }
}

/// Receives events until build `id` has started; returns its process group.
pub(crate) async fn until_started(events: &mut UnboundedReceiver<BuildEvent>, id: u64) -> u32 {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), events.recv()).await.unwrap().unwrap();
        if let BuildEvent::Started { id: started, process_group } = event
            && started == id
        {
            return process_group;
        }
    }
}

/// The live (not zombie) processes of group `pgid`, as their command lines.
pub(crate) fn group_members(pgid: u32) -> Vec<String> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
        let mut fields = after.split_whitespace();
        let state = fields.next().unwrap_or("Z");
        let pgrp: Option<u32> = fields.nth(1).and_then(|p| p.parse().ok());
        if pgrp == Some(pgid) && state != "Z" && state != "X" {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            members.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    members
}

/// Waits until a process of group `pgid` runs something whose command line contains `needle`.
pub(crate) async fn until_running(pgid: u32, needle: &str) {
    for _ in 0..1200 {
        if group_members(pgid).iter().any(|cmd| cmd.contains(needle)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{needle}` never ran in group {pgid}: {:?}", group_members(pgid));
}

/// Asserts that group `pgid` is empty within 5 s.
pub(crate) async fn assert_group_gone(pgid: u32) {
    for _ in 0..50 {
        if group_members(pgid).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("processes left behind in group {pgid}: {:?}", group_members(pgid));
}

/// The current PATH with `names` hidden: each folder holding one of them is replaced by a
/// folder of symlinks to everything else in it. Keep the TempDir alive while using the PATH.
pub(crate) fn path_without(names: &[&str]) -> (tempfile::TempDir, OsString) {
    let mirrors = tempfile::tempdir().unwrap();
    let path = std::env::var_os("PATH").unwrap();
    let mut dirs = Vec::new();
    for (i, dir) in std::env::split_paths(&path).enumerate() {
        if !names.iter().any(|n| dir.join(n).exists()) {
            dirs.push(dir);
            continue;
        }
        let mirror = mirrors.path().join(i.to_string());
        std::fs::create_dir(&mirror).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name();
            if !names.iter().any(|n| name == *n) {
                std::os::unix::fs::symlink(entry.path(), mirror.join(&name)).unwrap();
            }
        }
        dirs.push(mirror);
    }
    (mirrors, std::env::join_paths(dirs).unwrap())
}

/// The current PATH with a folder in front holding `scripts` (name, shell script body).
pub(crate) fn path_with_scripts(scripts: &[(&str, &str)]) -> (tempfile::TempDir, OsString) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in scripts {
        let file = dir.path().join(name);
        std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut dirs = vec![dir.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    let path = std::env::join_paths(dirs).unwrap();
    (dir, path)
}

/// A probe with this process's PATH and no cache, run once for all tests.
pub(crate) async fn default_report() -> &'static ProbeReport {
    static REPORT: OnceCell<ProbeReport> = OnceCell::const_new();
    REPORT
        .get_or_init(|| async {
            Probe { cache_dir: None, ..Probe::default() }.run().await.expect("probe failed")
        })
        .await
}

/// A rustup nightly with the Cranelift component, found without devserve-build's code.
pub(crate) fn nightly_with_cranelift() -> Result<String, String> {
    let run = |args: &[&str]| -> Result<String, String> {
        let out =
            std::process::Command::new("rustup").args(args).output().map_err(|e| format!("rustup: {e}"))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let list = run(&["toolchain", "list"])?;
    for name in list.lines().filter_map(|l| l.split_whitespace().next()).filter(|n| n.starts_with("nightly"))
    {
        let components = run(&["component", "list", "--installed", "--toolchain", name])?;
        if components.lines().any(|c| c.starts_with("rustc-codegen-cranelift")) {
            return Ok(name.to_owned());
        }
    }
    Err("no rustup nightly with rustc-codegen-cranelift-preview is installed".into())
}

/// Whether the file contains `needle`.
pub(crate) fn file_contains(path: &Path, needle: &[u8]) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// The text without ANSI colour sequences.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, c) if c.is_ascii_alphabetic() => in_escape = false,
            (true, _) => {}
            (false, c) => out.push(c),
        }
    }
    out
}

/// The command that installs the nightly with Cranelift.
pub(crate) const INSTALL_CRANELIFT: &str = "rustup toolchain install nightly-2025-12-01 --profile minimal --component rustc-codegen-cranelift-preview";

pub(crate) use devserve_skip::{cannot_run, not_applicable};

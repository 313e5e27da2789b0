//! The Builder with real cargo: executables and hashes, errors, cancellation.

use devserve_build::{BuildEvent, BuildOutcome, Builder, DiagnosticLevel};

use crate::support::*;

/// A build script that never finishes on its own.
const SLOW_BUILD_RS: &str = "fn main() { std::thread::sleep(std::time::Duration::from_secs(600)); }\n";

#[tokio::test]
async fn reports_the_executable_and_its_hash() {
    let app = temp_crate("ds_hello", "fn main() { println!(\"hello from ds_hello\"); }\n", &[]);
    let (builder, mut events) = Builder::new();
    builder.start(request(1, app.path(), &shared_target()));
    let (seen, outcome) = until_finished(&mut events, 1).await;
    let BuildOutcome::Succeeded { executable, binary_hash, .. } = outcome else {
        panic!("{outcome:?}\n{seen:?}")
    };
    assert!(matches!(seen[0], BuildEvent::Started { id: 1, .. }), "{seen:?}");
    assert!(seen.iter().any(|e| matches!(e, BuildEvent::Progress { progress, .. } if progress.done >= 1)));
    assert_eq!(executable.file_name().unwrap(), "ds_hello");
    let ran = std::process::Command::new(&executable).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "hello from ds_hello\n");
    assert_eq!(binary_hash.0, *blake3::hash(&std::fs::read(&executable).unwrap()).as_bytes());

    // Again, unchanged: fresh, same hash, and the unit total is now known from the first build.
    builder.start(request(2, app.path(), &shared_target()));
    let (seen, outcome) = until_finished(&mut events, 2).await;
    let BuildOutcome::Succeeded { binary_hash: again, fresh, .. } = outcome else { panic!("{outcome:?}") };
    assert!(fresh);
    assert_eq!(again, binary_hash);
    let last = seen.iter().rev().find_map(|e| match e {
        BuildEvent::Progress { progress, .. } => Some(progress.clone()),
        _ => None,
    });
    let last = last.expect("no progress");
    assert_eq!((last.done, last.total, last.current.as_deref()), (1, Some(1), Some("ds_hello")));
}

#[tokio::test]
async fn compile_errors_are_rendered_like_cargo() {
    let app = temp_crate("ds_broken", "fn main() {\n    let n: u32 = \"text\";\n}\n", &[]);
    let (builder, mut events) = Builder::new();
    builder.start(request(7, app.path(), &shared_target()));
    let (seen, outcome) = until_finished(&mut events, 7).await;
    let BuildOutcome::Failed { diagnostics, stderr_tail } = outcome else { panic!("{outcome:?}") };
    let error = diagnostics.iter().find(|d| d.level == DiagnosticLevel::Error).expect("no error");
    let text = plain(&error.rendered);
    assert!(text.contains("error[E0308]: mismatched types"), "{text}");
    assert!(text.contains("src/main.rs:2:18"), "{text}");
    assert!(error.rendered.contains("\u{1b}["), "not coloured: {:?}", error.rendered);
    assert!(error.local && error.package == "ds_broken");
    assert!(
        seen.iter().any(|e| matches!(e, BuildEvent::Diagnostic { diagnostic, .. } if diagnostic == error))
    );
    assert!(plain(&stderr_tail).contains("could not compile `ds_broken`"), "{stderr_tail}");
}

#[tokio::test]
async fn cargo_errors_land_in_the_stderr_tail() {
    let app = temp_crate("ds_manifest", "fn main() {}\n", &[]);
    std::fs::write(app.path().join("Cargo.toml"), "[package\nname = 1\n").unwrap();
    let (builder, mut events) = Builder::new();
    builder.start(request(3, app.path(), &shared_target()));
    let (_, outcome) = until_finished(&mut events, 3).await;
    let BuildOutcome::Failed { diagnostics, stderr_tail } = outcome else { panic!("{outcome:?}") };
    assert!(diagnostics.is_empty());
    let tail = plain(&stderr_tail);
    assert!(tail.contains("error: unclosed table") && tail.contains("Cargo.toml:1:9"), "{tail}");
}

#[tokio::test]
async fn a_new_start_cancels_the_running_build_and_its_process_group() {
    let slow = temp_crate("ds_slow_a", "fn main() {}\n", &[("build.rs", SLOW_BUILD_RS)]);
    let quick = temp_crate("ds_quick", "fn main() {}\n", &[]);
    // Its own target dir: the slow build holds cargo's lock on it.
    let target = tempfile::tempdir().unwrap();
    let (builder, mut events) = Builder::new();
    builder.start(request(1, slow.path(), target.path()));
    let pgid = until_started(&mut events, 1).await;
    until_running(pgid, "build-script-build").await;

    builder.start(request(2, quick.path(), target.path()));
    let (seen, outcome) = until_finished(&mut events, 1).await;
    assert_eq!(outcome, BuildOutcome::Cancelled);
    assert!(seen.iter().all(|e| e.id() == 1), "build 2 reported before build 1 ended: {seen:?}");
    assert_group_gone(pgid).await;
    let (seen, outcome) = until_finished(&mut events, 2).await;
    assert!(matches!(outcome, BuildOutcome::Succeeded { .. }), "{outcome:?}");
    assert!(seen.iter().all(|e| e.id() == 2), "events of the cancelled build after its end: {seen:?}");
}

#[tokio::test]
async fn cancel_and_drop_leave_no_process_behind() {
    let slow = temp_crate("ds_slow_b", "fn main() {}\n", &[("build.rs", SLOW_BUILD_RS)]);
    let target = tempfile::tempdir().unwrap();
    let (builder, mut events) = Builder::new();
    builder.start(request(1, slow.path(), target.path()));
    let pgid = until_started(&mut events, 1).await;
    until_running(pgid, "build-script-build").await;
    builder.cancel();
    let (_, outcome) = until_finished(&mut events, 1).await;
    assert_eq!(outcome, BuildOutcome::Cancelled);
    assert_group_gone(pgid).await;

    builder.start(request(2, slow.path(), target.path()));
    let pgid = until_started(&mut events, 2).await;
    until_running(pgid, "build-script-build").await;
    drop(builder);
    assert_group_gone(pgid).await;
}

//! The supervisor with real child processes: a Python web server and small shell scripts.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use devserve_server::{AppSpec, SuperviseError, Supervisor, SupervisorConfig};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::support::free_addr;

/// `sh -c script`, listening (if at all) on `addr`, which the script gets as `$PORT`.
fn shell(script: &str, addr: SocketAddr) -> AppSpec {
    AppSpec {
        program: "sh".into(),
        args: vec!["-c".into(), script.into()],
        env: vec![("PORT".into(), addr.port().to_string().into())],
        cwd: std::env::temp_dir(),
        addr,
    }
}

const SERVE: &str = "python3 -m http.server --bind 127.0.0.1 $PORT";

fn quick() -> SupervisorConfig {
    SupervisorConfig {
        grace: Duration::from_millis(500),
        ready_timeout: Duration::from_secs(20),
        ..Default::default()
    }
}

async fn accepts(addr: SocketAddr) -> bool {
    TcpStream::connect(addr).await.is_ok()
}

/// Alive and not a zombie.
fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
    stat.is_ok_and(|stat| stat.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')))
}

async fn read_pid(file: &Path) -> u32 {
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(file)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no pid in {}", file.display());
}

async fn gone(pid: u32) -> bool {
    for _ in 0..100 {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn start_returns_once_the_port_accepts_and_stop_is_graceful() {
    let addr = free_addr();
    let mut app = Supervisor::new(shell(&format!("exec {SERVE}"), addr), quick());
    app.start().await.unwrap();
    assert!(accepts(addr).await);
    let started = Instant::now();
    let exit = app.stop().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(500), "exited on SIGTERM, no SIGKILL needed");
    assert_eq!(exit.to_string(), "was killed by SIGTERM");
    assert!(!accepts(addr).await);
    assert_eq!(app.pid(), None);
}

#[tokio::test]
async fn a_program_ignoring_sigterm_is_killed_with_its_whole_group() {
    let addr = free_addr();
    let pid_file = std::env::temp_dir().join(format!("devserve-test-{}.pid", addr.port()));
    let script = format!("trap '' TERM; sleep 1000 & echo $! > {}; exec {SERVE}", pid_file.display());
    let mut app = Supervisor::new(shell(&script, addr), quick());
    app.start().await.unwrap();
    let sleeper = read_pid(&pid_file).await;
    let server = app.pid().unwrap();
    assert!(alive(sleeper) && alive(server));

    let started = Instant::now();
    let exit = app.stop().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(500), "waited the grace period");
    assert_eq!(exit.to_string(), "was killed by SIGKILL");
    assert!(gone(server).await, "the app is gone");
    assert!(gone(sleeper).await, "its child in the same group is gone too");
    std::fs::remove_file(pid_file).unwrap();
}

#[tokio::test]
async fn an_exit_on_its_own_is_reported_with_the_last_output() {
    let addr = free_addr();
    let script = format!(
        "{SERVE} & echo $! > server.pid; echo listening; sleep 3; echo 'thread main panicked' >&2; exit 3"
    );
    let mut spec = shell(&script, addr);
    let dir = std::env::temp_dir().join(format!("devserve-test-{}", addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    spec.cwd = dir.clone();
    let mut app = Supervisor::new(spec, quick());
    app.start().await.unwrap();
    let server = read_pid(&dir.join("server.pid")).await;

    let exit = tokio::time::timeout(Duration::from_secs(10), app.exited()).await.unwrap();
    assert_eq!(exit.to_string(), "exited with status 3");
    let output: Vec<_> = exit.output.iter().filter(|l| !l.contains("HTTP")).cloned().collect();
    assert_eq!(output, ["listening", "thread main panicked"]);
    assert!(exit.report().starts_with("The app exited with status 3. Its last output:\n"));
    assert!(gone(server).await, "what the app left running in its group is stopped");
    assert_eq!(app.pid(), None);
    assert!(tokio::time::timeout(Duration::from_millis(100), app.exited()).await.is_err(), "no app, no exit");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn an_app_that_dies_before_listening_is_an_error_with_its_output() {
    let addr = free_addr();
    let mut app = Supervisor::new(shell("echo 'cannot open database'; exit 2", addr), quick());
    let error = app.start().await.unwrap_err();
    let SuperviseError::ExitedEarly { exit, .. } = &error else { panic!("{error}") };
    assert_eq!(exit.output, ["cannot open database"]);
    assert_eq!(error.to_string(), format!("the app exited with status 2 before listening on {addr}"));
}

#[tokio::test]
async fn an_app_that_never_listens_is_stopped_after_the_timeout() {
    let addr = free_addr();
    let config = SupervisorConfig { ready_timeout: Duration::from_millis(300), ..quick() };
    let mut app = Supervisor::new(shell("echo $$ > /dev/stderr; exec sleep 1000", addr), config);
    let started = Instant::now();
    let error = app.start().await.unwrap_err();
    assert!(matches!(error, SuperviseError::NotReady { .. }), "{error}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(app.pid(), None);
}

#[tokio::test]
async fn a_port_already_in_use_is_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut app = Supervisor::new(shell(&format!("exec {SERVE}"), addr), quick());
    let error = app.start().await.unwrap_err();
    assert_eq!(error.to_string(), format!("{addr} is already in use by another program"));
}

#[tokio::test]
async fn a_missing_program_is_an_error() {
    let mut spec = shell("", free_addr());
    spec.program = "/nonexistent/devserve-app".into();
    let error = Supervisor::new(spec, quick()).start().await.unwrap_err();
    assert!(error.to_string().starts_with("cannot run /nonexistent/devserve-app: "), "{error}");
}

#[tokio::test]
async fn restart_runs_a_new_process_with_the_same_environment() {
    let addr = free_addr();
    let dir = std::env::temp_dir().join(format!("devserve-test-{}", addr.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut spec = shell(&format!("echo \"$MARK $$\" >> runs.txt; exec {SERVE}"), addr);
    spec.env.push(("MARK".into(), "same".into()));
    spec.cwd = dir.clone();
    let mut app = Supervisor::new(spec, quick());
    app.start().await.unwrap();
    let first = app.pid().unwrap();
    app.restart().await.unwrap();
    let second = app.pid().unwrap();
    assert_ne!(first, second);
    assert!(accepts(addr).await);
    assert!(gone(first).await);
    let runs = std::fs::read_to_string(dir.join("runs.txt")).unwrap();
    assert_eq!(runs, format!("same {first}\nsame {second}\n"));
    drop(app);
    assert!(gone(second).await, "dropping the supervisor kills the app");
    std::fs::remove_dir_all(dir).unwrap();
}

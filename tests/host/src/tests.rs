//! Tests of the runner itself.
//!
//! Exit-status mapping and the cache are checked with tiny hand-written
//! components (WAT), which need no guest toolchain; the integration tests
//! (`tests/tests/runner.rs`) run real guests.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use crate::{GuestStatus, RunOptions, Runner, TRAP_EXIT_CODE};

/// A `wasi:cli/run@0.3.0` command whose `run` executes `body`, a core wasm
/// function body returning the async callback code (0 = done). `body` may call
/// `$task-return` (with 0 for `Ok`, 1 for `Err`) and `$exit-with-code`.
fn command(body: &str) -> Vec<u8> {
    let wat = format!(
        r#"
(component
  (import "wasi:cli/exit@0.3.0" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $exit-with-code (canon lower (func $exit "exit-with-code")))
  (core func $task-return (canon task.return (result (result))))
  (core module $m
    (import "host" "task-return" (func $task-return (param i32)))
    (import "host" "exit-with-code" (func $exit-with-code (param i32)))
    (func (export "run") (result i32) {body})
    (func (export "callback") (param i32 i32 i32) (result i32) unreachable))
  (core instance $host
    (export "task-return" (func $task-return))
    (export "exit-with-code" (func $exit-with-code)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $run async (result (result))
    (canon lift (core func $i "run") async (callback (core func $i "callback"))))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-instance)))
"#
    );
    wat::parse_str(wat).expect("test component WAT is valid")
}

/// Writes `wasm` to a fresh file named `name` and returns its path.
fn write_component(name: &str, wasm: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, wasm).expect("write component");
    (dir, path)
}

/// One runner for all tests, as integration tests would share it; no disk
/// cache, so tests never depend on what earlier runs left behind.
static RUNNER: LazyLock<Runner> = LazyLock::new(|| Runner::with_cache_dir(None).expect("runner starts"));

fn run_wat(body: &str) -> crate::RunOutcome {
    let (_dir, path) = write_component("t.wasm", &command(body));
    RUNNER.run(&path, &RunOptions::captured()).expect("component starts")
}

#[test]
fn ok_exits_zero() {
    let outcome = run_wat("(call $task-return (i32.const 0)) (i32.const 0)");
    assert_eq!(outcome.status, GuestStatus::Ok);
    assert_eq!(outcome.exit_code, 0);
    assert!(outcome.stderr.is_empty(), "{}", outcome.stderr_lossy());
}

#[test]
fn err_exits_one() {
    let outcome = run_wat("(call $task-return (i32.const 1)) (i32.const 0)");
    assert_eq!(outcome.status, GuestStatus::Err);
    assert_eq!(outcome.exit_code, 1);
}

#[test]
fn exit_with_code_is_honoured() {
    let outcome = run_wat("(call $exit-with-code (i32.const 42)) unreachable");
    assert_eq!(outcome.status, GuestStatus::Exit(42));
    assert_eq!(outcome.exit_code, 42);
}

#[test]
fn trap_reports_one_line() {
    let outcome = run_wat("unreachable");
    assert_eq!(outcome.exit_code, TRAP_EXIT_CODE);
    assert!(matches!(outcome.status, GuestStatus::Trapped(_)));
    let stderr = outcome.stderr_lossy();
    let line = "wasi-webgpu-run: guest trapped: wasm trap: wasm `unreachable` instruction executed\n";
    assert_eq!(stderr, line);
    assert!(outcome.trap_details.is_some());
}

#[test]
fn invalid_component_is_a_setup_error() {
    let (_dir, path) = write_component("bad.wasm", b"\0asm not really");
    let error = RUNNER.run(&path, &RunOptions::captured()).unwrap_err();
    assert!(format!("{error:#}").contains("bad.wasm"), "{error:#}");
}

#[test]
fn missing_export_is_a_setup_error() {
    let (_dir, path) = write_component("empty.wasm", &wat::parse_str("(component)").unwrap());
    let error = RUNNER.run(&path, &RunOptions::captured()).unwrap_err();
    assert!(format!("{error:#}").contains("instantiate"), "{error:#}");
}

#[test]
fn cache_hits_on_rerun_and_survives_corruption() {
    let cache = tempfile::tempdir().expect("temp dir");
    // A new runner per run, like separate `wasi-webgpu-run` processes, so the
    // disk cache (not the runner's memory) is what is tested.
    let run = |path: &Path| {
        let runner = Runner::with_cache_dir(Some(cache.path().to_owned())).expect("runner");
        let outcome = runner.run(path, &RunOptions::captured()).unwrap();
        assert_eq!(outcome.status, GuestStatus::Ok);
        outcome.compiled_from_cache
    };
    let (_dir, path) = write_component("ok.wasm", &command("(call $task-return (i32.const 0)) (i32.const 0)"));
    assert!(!run(&path), "first run compiles");
    assert!(run(&path), "second run loads the cached entry");

    let entries: Vec<_> = std::fs::read_dir(cache.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "one entry, no leftover temp files");
    std::fs::write(&entries[0], b"garbage").unwrap();
    assert!(!run(&path), "a corrupt entry is recompiled");
    assert!(run(&path), "and rewritten");
}

#[test]
fn a_runner_compiles_each_component_once() {
    let runner = Runner::with_cache_dir(None).expect("runner");
    let (_dir, path) = write_component("ok.wasm", &command("(call $task-return (i32.const 0)) (i32.const 0)"));
    assert!(!runner.run(&path, &RunOptions::captured()).unwrap().compiled_from_cache);
    assert!(runner.run(&path, &RunOptions::captured()).unwrap().compiled_from_cache);
}

#[test]
fn cache_keeps_the_most_recently_used_entries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = std::time::SystemTime::now() - Duration::from_secs(3600);
    let total = crate::cache::MAX_ENTRIES + 3;
    for i in 0..total {
        let path = dir.path().join(format!("{i:04}.cwasm"));
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(base + Duration::from_secs(i as u64)).unwrap();
    }
    std::fs::write(dir.path().join("unrelated.txt"), b"kept").unwrap();
    crate::cache::prune(dir.path());
    let mut left: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left.len(), crate::cache::MAX_ENTRIES + 1);
    assert_eq!(left[0], "0003.cwasm", "the three oldest are gone");
    assert!(left.contains(&"unrelated.txt".to_owned()));
}

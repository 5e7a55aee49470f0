//! What the integration tests share: one runner per test binary, and guest
//! crates built for wasm32-wasip2 once per binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use wasi_webgpu_host::{GuestStatus, RunOptions, RunOutcome, Runner, build_guest};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| Runner::new().expect("the reference host starts"))
}

/// Builds the guest crate at `crate_dir` (relative to the root), once.
pub fn guest(crate_dir: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    built
        .entry(crate_dir.to_owned())
        .or_insert_with(|| {
            build_guest(&root().join(crate_dir)).unwrap_or_else(|e| panic!("building {crate_dir}: {e:#}"))
        })
        .clone()
}

/// Runs a guest crate with `args`, capturing its output.
pub fn run(crate_dir: &str, args: &[&str]) -> RunOutcome {
    run_with(crate_dir, &RunOptions::captured().args(args.iter().copied()))
}

/// Runs a guest crate with `options` (capture them to read the output).
pub fn run_with(crate_dir: &str, options: &RunOptions) -> RunOutcome {
    let wasm = guest(crate_dir);
    runner().run(&wasm, options).unwrap_or_else(|e| panic!("running {crate_dir}: {e:#}"))
}

/// Collatz steps from `n` to 1, the CPU reference for hello-compute.
pub fn collatz_steps(mut n: u32) -> u32 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

/// What hello-compute must print, computed on the CPU.
pub fn hello_compute_expected() -> String {
    let steps: Vec<u32> = [1, 2, 3, 4].into_iter().map(collatz_steps).collect();
    format!("Steps: {steps:?}\n")
}

/// The guest's output, for assertion messages.
pub fn transcript(outcome: &RunOutcome) -> String {
    format!(
        "exit code {}\n--- stdout\n{}--- stderr\n{}",
        outcome.exit_code,
        outcome.stdout_lossy(),
        outcome.stderr_lossy()
    )
}

/// Asserts that a guest using the shared check runner (tests/guests/harness)
/// ended without a trap, host panic or timeout, that none of its `check `
/// lines failed, that at least `at_least` checks ran (a guest that stopped
/// early or lost checks must not pass), that it printed the summary
/// `<suite>: N passed, 0 failed` for exactly those checks, and that it exited
/// with 0. Returns the check lines, for further assertions.
pub fn assert_checks_passed(outcome: &RunOutcome, suite: &str, at_least: usize) -> Vec<String> {
    let transcript = transcript(outcome);
    assert!(
        !matches!(outcome.status, GuestStatus::Trapped(_) | GuestStatus::HostPanicked(_) | GuestStatus::TimedOut(_)),
        "the guest trapped or hung:\n{transcript}"
    );
    let stdout = outcome.stdout_lossy();
    let checks: Vec<String> = stdout.lines().filter(|l| l.starts_with("check ")).map(str::to_owned).collect();
    let failed: Vec<&String> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    assert!(checks.len() >= at_least, "only {} checks ran, expected at least {at_least}\n{transcript}", checks.len());
    let summary = format!("{suite}: {} passed, 0 failed", checks.len());
    assert!(stdout.lines().any(|l| l == summary), "no line `{summary}`\n{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    checks
}

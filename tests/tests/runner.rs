//! How the runner reports guests that fail, stops guests that run too long,
//! and what it caches.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use wasi_webgpu_host::{GuestStatus, RunOptions, TIMEOUT_GRACE, TRAP_EXIT_CODE};

#[test]
fn a_guest_returning_err_prints_it_and_exits_1() {
    let outcome = common::run("tests/guests/api", &["--return-err"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    assert!(outcome.stderr_lossy().contains("Error: failure requested by --return-err"), "{transcript}");
    assert!(outcome.stdout.is_empty(), "{transcript}");
}

#[test]
fn a_panicking_guest_is_reported_with_its_message() {
    let outcome = common::run("tests/guests/api", &["--panic"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, TRAP_EXIT_CODE, "{transcript}");
    assert!(outcome.stderr_lossy().contains("panic requested by --panic"), "{transcript}");
}

#[test]
fn a_second_run_loads_the_compiled_component_from_the_cache() {
    common::run("examples/hello-compute", &[]);
    let again = common::run("examples/hello-compute", &[]);
    assert!(again.compiled_from_cache, "{}", common::transcript(&again));
}

#[test]
fn without_an_adapter_the_message_names_the_fix() {
    let wasm = common::guest("examples/hello-compute");
    let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .arg(&wasm)
        .env("VK_ICD_FILENAMES", "/nonexistent.json")
        .env("VK_DRIVER_FILES", "/nonexistent.json")
        .output()
        .expect("wasi-webgpu-run starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "ran without an adapter:\n{stderr}");
    assert!(stderr.contains("mesa-vulkan-drivers"), "{stderr}");
    assert!(stderr.contains("Error: no GPU adapter found"), "the guest's typed error:\n{stderr}");
}

#[test]
fn the_vendored_wit_is_the_reference_hosts() {
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(common::root())
        .output()
        .expect("cargo metadata runs");
    let metadata = String::from_utf8(metadata.stdout).unwrap();
    let manifest = metadata
        .split("\"manifest_path\":\"")
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .find(|p| p.contains("wasi-webgpu-wasmtime-0.5.0"))
        .expect("wasi-webgpu-wasmtime 0.5.0 is a dependency");
    let theirs = std::path::Path::new(manifest).parent().unwrap().join("wit/deps/wasi-webgpu-0.3.0-rc.2/package.wit");
    let ours = common::root().join("wit/deps/wasi-webgpu-0.3.0-rc.2/package.wit");
    assert_eq!(std::fs::read(ours).unwrap(), std::fs::read(theirs).unwrap(), "wit/ must be byte-identical");
}

/// `tests/guests/stuck` with `args` and a timeout of `limit`; returns the
/// outcome and how long `Runner::run` took.
fn stuck(args: &[&str], limit: Duration) -> (wasi_webgpu_host::RunOutcome, Duration) {
    let start = Instant::now();
    let outcome =
        common::run_with("tests/guests/stuck", &RunOptions::captured().args(args.iter().copied()).timeout(limit));
    (outcome, start.elapsed())
}

#[test]
fn a_timeout_stops_guest_code_that_never_yields() {
    for mode in ["spin", "cpu-kernel"] {
        let (outcome, took) = stuck(&[mode], Duration::from_millis(300));
        let transcript = common::transcript(&outcome);
        assert_eq!(outcome.status, GuestStatus::TimedOut(Duration::from_millis(300)), "{mode}: {transcript}");
        assert_eq!(outcome.exit_code, 124, "{transcript}");
        assert!(!outcome.left_running, "{transcript}");
        assert!(outcome.stdout_lossy().contains(&format!("reached {mode}")), "{transcript}");
        assert!(
            outcome.stderr_lossy().ends_with(
                "wasi-webgpu-run: guest timed out after 300ms (running its own code; stopped by epoch interruption)\n"
            ),
            "{transcript}"
        );
        assert!(outcome.run_time < Duration::from_millis(300) + TIMEOUT_GRACE, "{mode}: {:?}", outcome.run_time);
        assert!(took < Duration::from_secs(20), "{mode}: {took:?}");
    }
}

/// GPU work of 4,000 workgroups of 64 × 65,535 steps (about 40 s on a
/// 2-core lavapipe, 5 s on 16 cores), read back through the host's blocking
/// `map-async`: the run returns one grace period after the deadline, with
/// the thread left inside the call, and the runner goes on running guests:
/// at once where they need no GPU, and GPU work once the stuck work is done
/// (the host's wait holds wgpu-core's device registry until then).
#[test]
fn a_guest_stuck_in_a_host_call_is_given_up_after_the_grace_period() {
    // Long enough for the guest to reach the blocking read on a loaded CI
    // machine (500 ms was not: the guest was still in its own code).
    let limit = Duration::from_secs(3);
    let (outcome, took) = stuck(&["gpu", "4000", "1", "65535"], limit);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.status, GuestStatus::TimedOut(limit), "{transcript}");
    assert!(outcome.left_running, "{transcript}");
    assert!(outcome.stdout_lossy().contains("reached gpu"), "{transcript}");
    let line = outcome.stderr_lossy();
    assert!(line.starts_with("wasi-webgpu-run: guest timed out after 3s and was still inside a host call"), "{line}");
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(outcome.run_time >= limit + TIMEOUT_GRACE, "{:?}", outcome.run_time);
    assert!(outcome.run_time < limit + TIMEOUT_GRACE + Duration::from_secs(1), "{:?}", outcome.run_time);
    assert!(took < Duration::from_secs(20), "{took:?}");

    let (again, _) = stuck(&["trap"], Duration::from_secs(20));
    assert_eq!(again.exit_code, TRAP_EXIT_CODE, "{}", common::transcript(&again));
    let (gpu, _) = stuck(&["gpu", "1", "1", "1000"], Duration::from_secs(120));
    assert_eq!(gpu.status, GuestStatus::Ok, "{}", common::transcript(&gpu));
}

#[test]
fn a_host_function_panic_ends_the_run_in_one_line_and_the_runner_goes_on() {
    let (outcome, _) = stuck(&["host-panic"], Duration::from_secs(60));
    let transcript = common::transcript(&outcome);
    let GuestStatus::HostPanicked(line) = &outcome.status else { panic!("{transcript}") };
    assert!(line.starts_with("host function gpu-queue.label panicked: not yet implemented ("), "{line}");
    assert_eq!(outcome.exit_code, TRAP_EXIT_CODE);
    assert_eq!(outcome.stderr_lossy(), format!("wasi-webgpu-run: {line}\n"));

    let (again, _) = stuck(&["gpu", "1", "1", "1000"], Duration::from_secs(60));
    assert_eq!(again.status, GuestStatus::Ok, "{}", common::transcript(&again));
    assert!(again.stdout_lossy().contains("gpu: 1x1 workgroups of 1000 steps, "), "{}", common::transcript(&again));
}

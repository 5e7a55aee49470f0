//! No leaks: a guest that creates and drops thousands of GPU objects leaves
//! the host's object counts as they were. The host frees an object only when
//! the guest drops its handle, so an SDK handle that forgot to release one
//! would show here. Each test has a runner of its own: counts are per GPU
//! instance, and other runs must not move them.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use wasi_webgpu_host::{RunOptions, Runner};

/// Create-and-drop cycles of buffers, bind groups (with their layouts) and
/// encoders. `WASI_WEBGPU_LEAK_CYCLES` overrides it.
const CYCLES: u32 = 10_000;
/// Shader module, pipeline and bind group rounds; about 1.2 ms each with
/// lavapipe. `WASI_WEBGPU_LEAK_PIPELINES` overrides it.
const PIPELINES: u32 = 10_000;

fn from_env(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs the misuse guest with `args` on a fresh runner; returns the host's
/// counts before and after, and the guest's stdout.
fn counts_around(args: &[&str]) -> (BTreeMap<&'static str, usize>, BTreeMap<&'static str, usize>, String) {
    let wasm = common::guest("tests/guests/misuse");
    let runner = Runner::with_cache_dir(None).expect("the reference host starts");
    let before = runner.gpu_resource_counts();
    let outcome = runner
        .run(&wasm, &RunOptions::captured().args(args.iter().copied()).timeout(Duration::from_secs(600)))
        .expect("the misuse guest runs");
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    let after = runner.gpu_resource_counts();
    (before, after, outcome.stdout_lossy())
}

#[test]
fn create_and_drop_cycles_leave_no_gpu_object_behind() {
    let cycles = from_env("WASI_WEBGPU_LEAK_CYCLES", CYCLES).to_string();
    let pipelines = from_env("WASI_WEBGPU_LEAK_PIPELINES", PIPELINES).to_string();
    let (before, after, stdout) = counts_around(&["leak", &cycles, &pipelines]);
    println!("{stdout}before: {before:?}\nafter:  {after:?}");
    assert!(stdout.contains("leak: done"), "{stdout}");
    assert_eq!(before, after, "GPU objects left behind by the guest\n{stdout}");
}

#[test]
fn a_forgotten_handle_is_seen_as_a_leak() {
    // The guest forgets 3 buffers; each keeps its device (and queue) alive.
    let (before, after, stdout) = counts_around(&["leak-forget", "3"]);
    println!("{stdout}before: {before:?}\nafter:  {after:?}");
    assert_eq!(after["buffers"], before["buffers"] + 3, "{stdout}");
    assert_eq!(after["devices"], before["devices"] + 1, "{stdout}");
}

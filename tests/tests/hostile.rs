//! Runtime WGSL that crashed or hung the reference host must be refused by
//! the SDK's shader guard (`sdk/src/shader_guard`) with
//! `Error::ShaderRefused`, and the host must keep working: runs the hostile
//! guest (`tests/guests/hostile`), the same guest with the SDK's `validate`
//! feature (naga in the guest, whose stack must not overflow either), and a
//! sample of the guard's fuzz programs (`sdk/src/shader_guard/fuzz.rs`) on
//! the real host.
//!
//! `WASI_WEBGPU_FUZZ_HOST_CASES` sets the sample's size per kind (16 by
//! default; tests/BAD_INPUTS.md has a longer run's figures).

mod common;

#[path = "../../sdk/src/shader_guard/fuzz.rs"]
mod fuzz;

use std::time::Duration;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use wasi_webgpu_host::{GuestStatus, RunOptions};

/// The guard's bounds (`wasi_webgpu::shader_guard`) and the default device
/// limits. The hostile guest's checks fail if the guard's differ, as they
/// run programs just within these.
const BOUNDS: fuzz::Bounds = fuzz::Bounds {
    nesting: 64,
    blocks: 16,
    expression_depth: 128,
    private_bytes: 16 * 1024,
    workgroup_bytes: 16384,
    invocations: 256,
};

#[test]
fn hostile_wgsl_is_refused_and_the_host_keeps_working() {
    let outcome = common::run_with("tests/guests/hostile", &RunOptions::captured().timeout(Duration::from_secs(240)));
    common::assert_checks_passed(&outcome, "hostile", 7);
}

#[test]
fn with_validate_the_guests_naga_sees_only_what_the_guard_let_through() {
    let outcome =
        common::run_with("tests/guests/hostile-validate", &RunOptions::captured().timeout(Duration::from_secs(240)));
    common::assert_checks_passed(&outcome, "hostile", 7);
}

#[test]
fn fuzz_programs_on_the_real_host() {
    let per_kind: usize = std::env::var("WASI_WEBGPU_FUZZ_HOST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
    let mut programs = Vec::new();
    for _ in 0..per_kind {
        for strategy in [fuzz::within(BOUNDS).boxed(), fuzz::over(BOUNDS).boxed(), fuzz::anything(BOUNDS).boxed()] {
            programs.push(strategy.new_tree(&mut runner).expect("the strategies never reject").current());
        }
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text: Vec<&str> = programs.iter().map(|(source, _)| source.as_str()).collect();
    // Programs are separated by a line `%%`, which none contains.
    assert!(text.iter().all(|s| !s.contains("\n%%\n")));
    std::fs::write(dir.path().join("programs.wgsl"), text.join("\n%%\n")).expect("writable");
    let options = RunOptions::captured()
        .dir(dir.path(), "/fuzz")
        .args(["fuzz", "/fuzz/programs.wgsl"])
        .timeout(Duration::from_secs(300));
    let outcome = common::run_with("tests/guests/hostile", &options);
    let transcript = common::transcript(&outcome);
    assert!(
        !matches!(outcome.status, GuestStatus::Trapped(_) | GuestStatus::HostPanicked(_) | GuestStatus::TimedOut(_)),
        "{transcript}"
    );
    let stdout = outcome.stdout_lossy();
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("fuzz")).collect();
    assert_eq!(lines.last(), Some(&"fuzz: host still works"), "{transcript}");
    assert_eq!(lines.len(), programs.len() + 1, "{transcript}");
    let (mut accepted, mut refused) = (0, 0);
    for (i, ((source, expect), line)) in programs.iter().zip(&lines).enumerate() {
        let answer = line.strip_prefix(&format!("fuzz {i} ")).unwrap_or_else(|| panic!("line {i}: {line}"));
        match expect {
            fuzz::Expect::Within => assert_eq!(answer, "ok", "program {i}:\n{source}"),
            fuzz::Expect::Over(limit) => assert_eq!(answer, format!("refused {limit}"), "program {i}:\n{source}"),
            fuzz::Expect::Anything => {}
        }
        accepted += usize::from(answer == "ok");
        refused += usize::from(answer.starts_with("refused"));
    }
    println!("{} programs on the host: {accepted} accepted, {refused} refused, the rest host errors", programs.len());
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

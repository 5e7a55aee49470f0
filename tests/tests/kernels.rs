//! Runs the Rust-kernel guest (`tests/guests/kernels`) on the reference
//! host. Every check launches one `#[wasi_webgpu::kernel]` on the GPU
//! (lavapipe) and on the in-guest CPU device through the same call, and
//! compares both with plain Rust.

mod common;

/// The checks the guest lists; a guest that loses one must not pass.
const EXPECTED_CHECKS: usize = 31;

#[test]
fn every_kernel_matches_plain_rust_on_the_gpu_and_the_cpu() {
    let outcome = common::run("tests/guests/kernels", &[]);
    let transcript = common::transcript(&outcome);
    let stdout = outcome.stdout_lossy();
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("check ")).collect();
    let failed: Vec<&&str> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    assert_eq!(checks.len(), EXPECTED_CHECKS, "{transcript}");
    assert!(stdout.contains(&format!("kernels: {EXPECTED_CHECKS} passed, 0 failed")), "{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

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
    let checks = common::assert_checks_passed(&outcome, "kernels", EXPECTED_CHECKS);
    assert_eq!(checks.len(), EXPECTED_CHECKS, "more checks than listed: {checks:#?}");
}

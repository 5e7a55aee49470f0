//! Runs the Rust-kernel guest (`tests/guests/kernels`) on the reference
//! host. Every check launches one `#[wasi_webgpu::kernel]` on the GPU
//! (lavapipe) and on the in-guest CPU device through the same call, and
//! compares both with plain Rust.

mod common;

/// The checks the guest lists; a guest that loses one must not pass.
const EXPECTED_CHECKS: usize = 32;

/// What `launch_misuse` (tests/guests/kernels/src/cpu_device.rs) must print for each bad launch of
/// `copy(x: &[u32], y: &mut [u32])`: the public call and the parameter, with the buffer's label, in
/// the same words on the GPU and the CPU device, never the bind group the GPU path makes.
const LAUNCH_MISUSE: [&str; 6] = [
    "copy::launch: arguments `x` and `y` are the same buffer, and one of them is writable: a dispatch may \
     not use a buffer both as writable storage and read-only, and a launch may not alias a writable buffer at \
     all, on the GPU and the CPU device alike",
    "copy::launch: argument `y` belongs to another device than the call's",
    "copy::launch: argument `y` (buffer \"plain\") needs usage STORAGE, but it has COPY_SRC | COPY_DST",
    "copy::launch: argument `x` (buffer \"gone\") has been destroyed",
    "bind group: copy::launch: argument `x` is empty, and WebGPU cannot bind an empty buffer",
    "copy::launch: argument `x` (buffer \"big\") binds 134217984 bytes, more than the device limit \
     maxStorageBufferBindingSize = 134217728",
];

#[test]
fn every_kernel_matches_plain_rust_on_the_gpu_and_the_cpu() {
    let outcome = common::run("tests/guests/kernels", &[]);
    let checks = common::assert_checks_passed(&outcome, "kernels", EXPECTED_CHECKS);
    assert_eq!(checks.len(), EXPECTED_CHECKS, "more checks than listed: {checks:#?}");
    let stdout = outcome.stdout_lossy();
    for device in ["gpu", "cpu"] {
        let said: Vec<&str> =
            stdout.lines().filter_map(|l| l.strip_prefix(&format!("launch_misuse {device}: "))).collect();
        assert_eq!(said, LAUNCH_MISUSE, "{device}:\n{}", common::transcript(&outcome));
    }
}

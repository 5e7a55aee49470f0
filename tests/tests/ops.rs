//! Runs the ops guest (`tests/guests/ops`) on the reference host: every
//! `wasi-webgpu-ops` operation on lavapipe and on the in-guest CPU device
//! (each check twice), checked against an f64 reference
//! over sizes 1, 7, 1000 and shapes that are not multiples of the tiles, the
//! in-place forms past a million elements, and the typed errors of bad
//! shapes, bad buffers and aliasing, whose messages name the ops call and
//! its parameter.

mod common;

#[test]
fn every_op_matches_the_cpu() {
    let outcome = common::run("tests/guests/ops", &[]);
    // 46 checks, on the GPU and on the CPU device.
    common::assert_checks_passed(&outcome, "ops", 92);
}

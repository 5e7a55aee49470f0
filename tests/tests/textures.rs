//! Runs the textures guest (`tests/guests/textures`) on the reference host:
//! textures of every format family and dimension, mip levels, views, queue
//! writes, padded copies, typed readback, storage textures, samplers and bad
//! inputs, each checked in the guest against a CPU reference (copies and
//! integer results exactly, filtered samples within 0.01).

mod common;

#[test]
fn every_texture_check_passes_on_the_reference_host() {
    let outcome = common::run("tests/guests/textures", &[]);
    common::assert_checks_passed(&outcome, "textures", 18);
}

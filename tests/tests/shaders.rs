//! Runs the shader corpus guest (`tests/guests/shaders`) on the reference
//! host. Each of its WGSL kernels is compiled and validated by
//! `#[wasi_webgpu::shader]` at build time, run through the generated typed
//! bindings, and checked against the same computation on the CPU.

mod common;

#[test]
fn every_shader_in_the_corpus_matches_the_cpu() {
    let outcome = common::run("tests/guests/shaders", &[]);
    common::assert_checks_passed(&outcome, "shaders", 15);
    assert!(!outcome.stdout_lossy().contains("FAILED"), "{}", common::transcript(&outcome));
}

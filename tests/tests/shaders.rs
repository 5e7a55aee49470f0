//! Runs the shader corpus guest (`tests/guests/shaders`) on the reference
//! host. Each of its WGSL kernels is compiled and validated by
//! `#[wasi_webgpu::shader]` at build time, run through the generated typed
//! bindings, and checked against the same computation on the CPU.

mod common;

#[test]
fn every_shader_in_the_corpus_matches_the_cpu() {
    let outcome = common::run("tests/guests/shaders", &[]);
    let checks = common::assert_checks_passed(&outcome, "shaders", 25);
    // Shapes of real shaders the generated bindings once could not take (issue 13): an array sized
    // by an override expression, runtime-sized arrays wrapped in a struct, a header before one, and
    // header buffers too short for WebGPU's minimum binding size.
    for name in ["override_sized_tile", "wrapped_particles", "header_and_array", "header_binding_sizes"] {
        assert!(checks.iter().any(|c| c == &format!("check {name} ... ok")), "no passing check {name}: {checks:#?}");
    }
    assert!(!outcome.stdout_lossy().contains("FAILED"), "{}", common::transcript(&outcome));
}

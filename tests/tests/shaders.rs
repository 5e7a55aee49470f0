//! Runs the shader corpus guest (`tests/guests/shaders`) on the reference
//! host. Each of its WGSL kernels is compiled and validated by
//! `#[wasi_webgpu::shader]` at build time, run through the generated typed
//! bindings, and checked against the same computation on the CPU.

mod common;

#[test]
fn every_shader_in_the_corpus_matches_the_cpu() {
    let outcome = common::run("tests/guests/shaders", &[]);
    let transcript = common::transcript(&outcome);
    let stdout = outcome.stdout_lossy();
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("check ")).collect();
    let failed: Vec<&&str> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    assert!(!stdout.contains("FAILED"), "{transcript}");
    // A guest that stopped early, or lost checks, must not pass.
    assert!(checks.len() >= 15, "only {} checks ran\n{transcript}", checks.len());
    assert!(stdout.contains(&format!("shaders: {} passed, 0 failed", checks.len())), "{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

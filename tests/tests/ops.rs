//! Runs the ops guest (`tests/guests/ops`) on the reference host: every
//! `wasi-webgpu-ops` operation on lavapipe, checked against a CPU reference
//! over sizes 1, 7, 1000 and shapes that are not multiples of the tiles, and
//! the typed errors of bad shapes.

mod common;

#[test]
fn every_op_matches_the_cpu() {
    let outcome = common::run("tests/guests/ops", &[]);
    let transcript = common::transcript(&outcome);
    let stdout = outcome.stdout_lossy();
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("check ")).collect();
    let failed: Vec<&&str> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    // A guest that stopped early, or lost checks, must not pass.
    assert!(checks.len() >= 24, "only {} checks ran\n{transcript}", checks.len());
    assert!(stdout.contains(&format!("ops: {} passed, 0 failed", checks.len())), "{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

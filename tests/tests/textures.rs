//! Runs the textures guest (`tests/guests/textures`) on the reference host:
//! textures of every format family and dimension, mip levels, views, queue
//! writes, padded copies, typed readback, storage textures, samplers and bad
//! inputs, each checked in the guest against a CPU reference (copies and
//! integer results exactly, filtered samples within 0.01).

mod common;

#[test]
fn every_texture_check_passes_on_the_reference_host() {
    let outcome = common::run("tests/guests/textures", &[]);
    let transcript = common::transcript(&outcome);
    let stdout = outcome.stdout_lossy();
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("check ")).collect();
    let failed: Vec<&&str> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    // A guest that stopped early, or lost checks, must not pass.
    assert!(checks.len() >= 17, "only {} checks ran\n{transcript}", checks.len());
    assert!(stdout.contains(&format!("textures: {} passed, 0 failed", checks.len())), "{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

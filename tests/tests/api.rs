//! Runs the API test guest (`tests/guests/api`) on the reference host. The
//! guest calls every public function of the SDK on a real device, compares
//! each GPU result with a CPU computation, and prints one line per check.

mod common;

#[test]
fn every_api_check_passes_on_the_reference_host() {
    let outcome = common::run("tests/guests/api", &[]);
    let transcript = common::transcript(&outcome);
    let stdout = outcome.stdout_lossy();
    let checks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("check ")).collect();
    let failed: Vec<&&str> = checks.iter().filter(|l| !l.ends_with("... ok")).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}\n{transcript}");
    // A guest that stopped early, or lost checks, must not pass.
    assert!(checks.len() >= 28, "only {} checks ran\n{transcript}", checks.len());
    assert!(stdout.contains(&format!("api: {} passed, 0 failed", checks.len())), "{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

//! Runs the API test guest (`tests/guests/api`) on the reference host. The
//! guest calls every public function of the SDK on a real device, compares
//! each GPU result with a CPU computation, and prints one line per check.

mod common;

#[test]
fn every_api_check_passes_on_the_reference_host() {
    let outcome = common::run("tests/guests/api", &[]);
    common::assert_checks_passed(&outcome, "api", 28);
}

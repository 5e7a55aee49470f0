//! The README's first command: `wasi-webgpu-run examples/hello-compute`,
//! through the real binary, compared with the Collatz step counts computed
//! here on the CPU.

mod common;

use std::process::Command;

#[test]
fn runner_builds_and_runs_hello_compute() {
    let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run-under-test"))
        .arg("examples/hello-compute")
        .current_dir(common::root())
        .output()
        .expect("wasi-webgpu-run starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(common::hello_compute_expected(), "Steps: [0, 1, 7, 2]\n", "the CPU reference itself");
    assert_eq!(stdout, common::hello_compute_expected(), "stderr:\n{stderr}");
    assert!(output.status.success(), "{:?}\nstderr:\n{stderr}", output.status);
    assert!(stderr.contains("adapter:"), "the runner names the adapter:\n{stderr}");
}

#[test]
fn hello_compute_stays_within_forty_lines() {
    let source = std::fs::read_to_string(common::root().join("examples/hello-compute/src/lib.rs")).unwrap();
    assert!(source.lines().count() <= 40, "{} lines", source.lines().count());
}

//! The README's first command: `wasi-webgpu-run examples/hello-compute`,
//! through the real binary, compared with the Collatz step counts computed
//! here on the CPU.

mod common;

use std::process::Command;

fn collatz_steps(mut n: u32) -> u32 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

#[test]
fn runner_builds_and_runs_hello_compute() {
    let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-run"))
        .arg("examples/hello-compute")
        .current_dir(common::root())
        .output()
        .expect("wasi-webgpu-run starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected: Vec<u32> = [1, 2, 3, 4].into_iter().map(collatz_steps).collect();
    assert_eq!(expected, [0, 1, 7, 2], "the CPU reference itself");
    assert_eq!(stdout, format!("Steps: {expected:?}\n"), "stderr:\n{stderr}");
    assert!(output.status.success(), "{:?}\nstderr:\n{stderr}", output.status);
    assert!(stderr.contains("adapter:"), "the runner names the adapter:\n{stderr}");
}

#[test]
fn hello_compute_stays_within_forty_lines() {
    let source = std::fs::read_to_string(common::root().join("examples/hello-compute/src/lib.rs")).unwrap();
    assert!(source.lines().count() <= 40, "{} lines", source.lines().count());
}

//! CI smoke run of the bench harness: `--quick` end to end on whatever
//! adapter the runner finds (lavapipe in CI), checking that the report has
//! every workload's row and the chart exists. No timing is asserted.

use std::process::Command;

#[test]
fn quick_run_reports_every_workload() {
    let out = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_wasi-webgpu-bench"))
        .args(["--quick", "--out"])
        .arg(out.path())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("the harness starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the harness failed:\n{stderr}");
    let report = std::fs::read_to_string(out.path().join("report.md")).expect("report.md written");
    for row in [
        "| empty submit + wait",
        "| 1 dispatch (encoder, pass, submit) + wait",
        "| dispatch-heavy",
        "| upload 1 MiB",
        "| readback 1 MiB",
        "| matmul f32 128×128",
        "SDK overhead",
        "| cold start, no compiled-component cache",
        "| cold start, compiled component from the disk cache",
        "| sdk |",
        "| raw |",
        "| tests/bench/wgsl/matmul.wgsl |",
        "| ops sum of 1 MiB f32 (",
        "| ops max of 1 MiB f32: guest vs native copy_buffer_to_buffer",
        "| ops inclusive scan of 1 MiB f32 (",
        "| ops matmul f32 128×128 (1 per submit)",
    ] {
        assert!(report.contains(row), "report.md lacks {row:?}:\n{report}");
    }
    // The minilm smoke (batch 1 × 16 tokens, guest and native replay) runs
    // where the model folder is installed, and says so where it is not.
    assert!(
        report.contains("| minilm forward, batch 1 × 16 tokens") || report.contains("minilm: skipped, no model folder"),
        "report.md has neither the minilm row nor its skip note:\n{report}"
    );
    // Every comparison has finite numbers on both sides.
    assert!(!report.contains("– ±"), "a cell has no value:\n{report}");
    let chart = std::fs::read_to_string(out.path().join("chart.svg")).expect("chart.svg written");
    assert!(chart.starts_with("<svg") && chart.contains("dispatch-heavy"), "chart.svg is not the chart");
}

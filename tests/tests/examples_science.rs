//! The science examples on the reference host, at small sizes: `nbody`
//! integrates on the GPU and on the CPU and compares their final states and
//! energy drift; `mlp-digits` trains on the GPU, evaluates, and compares its
//! GPU inference with a CPU forward pass. Each guest does its comparison against its own
//! CPU code and reports the numbers; these tests check the reported numbers
//! and the exit codes, so a guest that skipped a check or printed a number
//! out of bounds fails.

mod common;

use common::number_after;

/// The line of `stdout` that starts with `prefix`.
fn line<'a>(stdout: &'a str, prefix: &str, transcript: &str) -> &'a str {
    stdout.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no `{prefix}` line\n{transcript}"))
}

#[test]
fn nbody_energy_drift_matches_the_cpu() {
    let outcome = common::run("examples/nbody", &["--bodies", "300", "--steps", "100"]);
    let transcript = common::transcript(&outcome);
    let stdout = outcome.stdout_lossy();
    assert_eq!(outcome.exit_code, 0, "{transcript}");

    let gpu = line(&stdout, "gpu:", &transcript);
    // Printed to the millisecond: a fast GPU prints 0.000; the rate below
    // is computed from the unrounded time.
    assert!(number_after(gpu, "steps in ") >= 0.0, "{transcript}");
    let rate = number_after(gpu, "s: ");
    assert!(rate.is_finite() && rate > 0.0, "steps/s: {rate}\n{transcript}");
    assert!(gpu.contains("steps/s"), "{transcript}");
    assert!(line(&stdout, "cpu:", &transcript).contains("steps/s"), "{transcript}");

    // The guest's bound (1e-5) and its energy-kernel bound, checked again on
    // the numbers it printed.
    let drift = line(&stdout, "drift:", &transcript);
    let (gpu_drift, cpu_drift) = (number_after(drift, "gpu "), number_after(drift, "cpu "));
    assert!((gpu_drift - cpu_drift).abs() <= 1e-5, "{transcript}");
    // A leapfrog with dt 0.01 over one time unit wobbles far less than 1e-3;
    // more means the integration is broken on both sides.
    assert!(cpu_drift.abs() < 1e-3, "{transcript}");
    let kernel = line(&stdout, "energy kernel vs f64:", &transcript);
    assert!(number_after(kernel, "max relative difference ") <= 1e-5, "{transcript}");
    // The final state, body by body, within the guest's bound (1e-3 of the
    // rms radius and speed), after the bodies moved about as far on the GPU
    // as on the CPU: a GPU that never integrated fails here.
    let state = line(&stdout, "state vs cpu:", &transcript);
    assert!(number_after(state, "max |position difference| / rms radius ") <= 1e-3, "{transcript}");
    assert!(number_after(state, "max |velocity difference| / rms speed ") <= 1e-3, "{transcript}");
    let (gpu_moved, cpu_moved) = (number_after(state, "rms radius gpu "), number_after(state, ", cpu "));
    assert!(cpu_moved > 0.1 && (gpu_moved - cpu_moved).abs() <= 1e-3, "{transcript}");
    assert!(stdout.contains("final state and energy drift match the cpu: ok"), "{transcript}");
}

#[test]
fn nbody_fails_when_the_drift_differs_beyond_the_tolerance() {
    // No f32 run matches f64 to 1e-15: the comparison must be able to fail.
    let outcome = common::run("examples/nbody", &["--bodies", "64", "--steps", "20", "--tolerance", "1e-15"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    assert!(outcome.stderr_lossy().contains("energy drift differs from the CPU's"), "{transcript}");
    assert!(!outcome.stdout_lossy().contains("match the cpu: ok"), "{transcript}");
}

#[test]
fn nbody_fails_when_the_final_state_differs_beyond_the_state_tolerance() {
    // f32 positions never match f64 ones to 1e-12 of the radius.
    let outcome = common::run("examples/nbody", &["--bodies", "64", "--steps", "20", "--state-tolerance", "1e-12"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    assert!(outcome.stderr_lossy().contains("final state differs from the CPU's"), "{transcript}");
    assert!(!outcome.stdout_lossy().contains("match the cpu: ok"), "{transcript}");
}

#[test]
fn nbody_rejects_bad_arguments() {
    for args in [
        &["--bodies", "1"][..],
        &["--bodies", "100000000"],
        &["--steps", "0"],
        &["--dt", "-1"],
        &["--state-tolerance", "nan"],
        &["--frobnicate", "1"],
        &["--bodies"],
    ] {
        let outcome = common::run("examples/nbody", args);
        let transcript = common::transcript(&outcome);
        assert_eq!(outcome.exit_code, 1, "{args:?}\n{transcript}");
        assert!(outcome.stderr_lossy().contains("Error: "), "{args:?}\n{transcript}");
    }
}

/// Runs mlp-digits with its data directory preopened as `.`.
fn run_mlp(args: &[&str]) -> wasi_webgpu_host::RunOutcome {
    let options = wasi_webgpu_host::RunOptions::captured()
        .args(args.iter().copied())
        .dir(common::root().join("examples/mlp-digits"), ".");
    common::run_with("examples/mlp-digits", &options)
}

#[test]
fn mlp_digits_reaches_90_percent_and_its_gpu_inference_matches_the_cpu() {
    // Exactly the README's command: from the example's directory, the
    // default run, through the real binary.
    let (output, transcript) = common::run_cli(&common::root().join("examples/mlp-digits"), ["-q", "--dir", ".", "."]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{transcript}");

    let first = line(&stdout, "first step vs cpu backpropagation:", &transcript);
    assert!(number_after(first, "max |update difference| / max |update| ") <= 1e-4, "{transcript}");
    let (gpu_loss, cpu_loss) = (number_after(first, "loss "), number_after(first, "(cpu "));
    assert!((gpu_loss - cpu_loss).abs() <= 1e-4 * cpu_loss, "{transcript}");
    // A freshly initialised network is near chance: ln(10) = 2.3.
    assert!((1.0..5.0).contains(&cpu_loss), "{transcript}");

    let losses: Vec<f64> =
        stdout.lines().filter(|l| l.starts_with("epoch ")).map(|l| number_after(l, "loss ")).collect();
    assert_eq!(losses.len(), 20, "the default run trains 20 epochs\n{transcript}");
    assert!(losses.iter().all(|l| l.is_finite()), "{transcript}");
    assert!(losses[19] < losses[0] / 5.0, "training lowers the loss\n{transcript}");

    let accuracy = line(&stdout, "accuracy: ", &transcript);
    let percent = number_after(accuracy, "accuracy: ");
    assert!((90.0..=100.0).contains(&percent), "{transcript}");
    // The percentage is the count it reports, over the 20% test split.
    let counts = &accuracy[accuracy.find('(').unwrap() + 1..accuracy.find(" test").unwrap()];
    let (correct, total) = counts.split_once('/').unwrap();
    let (correct, total): (f64, f64) = (correct.parse().unwrap(), total.parse().unwrap());
    assert_eq!(total, (1797.0f64 * 0.2).round(), "{transcript}");
    assert!((100.0 * correct / total - percent).abs() < 0.05 + 1e-9, "{transcript}");

    let inference = line(&stdout, "gpu inference vs cpu forward pass:", &transcript);
    assert!(number_after(inference, "(1 + |cpu|) ") <= 1e-4, "{transcript}");
    assert!(inference.contains(&format!("same prediction for {total}/{total} images")), "{transcript}");
    assert!(stdout.contains("gpu inference matches the cpu: ok"), "{transcript}");
}

#[test]
fn mlp_digits_fails_below_the_accuracy_floor() {
    // One epoch at a tiny learning rate leaves the network near chance.
    let outcome = run_mlp(&["--epochs", "1", "--lr", "0.0001", "--hidden", "16"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    let stdout = outcome.stdout_lossy();
    assert!(number_after(line(&stdout, "accuracy: ", &transcript), "accuracy: ") < 90.0, "{transcript}");
    assert!(outcome.stderr_lossy().contains("below --min-accuracy 90%"), "{transcript}");
    // The inference check still ran, and passed, on the untrained weights.
    assert!(number_after(line(&stdout, "gpu inference vs cpu", &transcript), "(1 + |cpu|) ") <= 1e-4, "{transcript}");
}

#[test]
fn mlp_digits_without_its_data_says_how_to_run_it() {
    let outcome = common::run("examples/mlp-digits", &[]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    let stderr = outcome.stderr_lossy();
    assert!(stderr.contains("cannot read data/digits.bin") && stderr.contains("--dir . ."), "{transcript}");
}

#[test]
fn mlp_digits_rejects_bad_arguments() {
    for args in [&["--batch", "0"][..], &["--batch", "100000"], &["--momentum", "1"], &["--lr", "nan"], &["--epochs"]] {
        let outcome = run_mlp(args);
        let transcript = common::transcript(&outcome);
        assert_eq!(outcome.exit_code, 1, "{args:?}\n{transcript}");
        assert!(outcome.stderr_lossy().contains("Error: "), "{args:?}\n{transcript}");
    }
}

#[test]
fn mlp_digits_fails_when_gpu_inference_differs_beyond_the_tolerance() {
    // f32 GPU logits never equal f64 CPU ones to the last bit everywhere:
    // a zero tolerance must fail the comparison.
    let outcome = run_mlp(&["--epochs", "1", "--min-accuracy", "0", "--tolerance", "0"]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 1, "{transcript}");
    assert!(outcome.stderr_lossy().contains("GPU inference differs from the CPU's"), "{transcript}");
    assert!(!outcome.stdout_lossy().contains("matches the cpu: ok"), "{transcript}");
}

//! The Rust-kernel examples, run on the reference host: `examples/saxpy` on
//! the GPU and (with `--cpu`) on the in-guest CPU device, and
//! `examples/kernels` (tiled matrix multiply, parallel sum, saxpy on both),
//! each compared with a reference computed here.

mod common;

use common::number_after;

/// What `examples/saxpy` computes, here: y = 2 x + 1 for x = 0..1000.
fn saxpy_expected(on: &str) -> String {
    let y: Vec<f32> = (0..1000).map(|i| 2.0 * i as f32 + 1.0).collect();
    format!("saxpy on the {on}: y[..4] = {:?}, sum = {}\n", &y[..4], y.iter().sum::<f32>())
}

#[test]
fn saxpy_runs_on_the_gpu_and_the_cpu() {
    for (args, on) in [(&[][..], "GPU"), (&["--cpu"][..], "CPU")] {
        let outcome = common::run("examples/saxpy", args);
        let transcript = common::transcript(&outcome);
        assert_eq!(outcome.stdout_lossy(), saxpy_expected(on), "{transcript}");
        assert_eq!(outcome.exit_code, 0, "{transcript}");
    }
}

/// A host with no adapter at all (a GPU instance with no backends): the
/// example's `request_adapter_or_cpu` falls back to the CPU device.
#[test]
fn saxpy_falls_back_to_the_cpu_without_an_adapter() {
    use wasi_webgpu_host::wgpu_types::Backends;
    use wasi_webgpu_host::{RunOptions, Runner, RunnerConfig};

    let runner = Runner::with_config(RunnerConfig { backends: Backends::empty(), ..Default::default() })
        .expect("a runner without backends starts");
    assert!(runner.adapters().is_empty(), "the runner without backends still sees adapters");
    let outcome = runner.run(&common::guest("examples/saxpy"), &RunOptions::captured()).expect("saxpy runs");
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.stdout_lossy(), saxpy_expected("CPU"), "{transcript}");
    assert_eq!(outcome.exit_code, 0, "{transcript}");
}

#[test]
fn saxpy_kernel_stays_within_thirty_lines() {
    let source = std::fs::read_to_string(common::root().join("examples/saxpy/src/lib.rs")).unwrap();
    assert!(source.lines().count() <= 30, "{} lines", source.lines().count());
}

const M: usize = 256;
const N: usize = 192;
const K: usize = 128;
const LEN: usize = 1 << 20;

/// The example's inputs, recomputed, and the references: the product's
/// checksum, the exact sum of the floats, and the wrapping sum of the ints.
fn kernels_reference() -> (f64, f64, u32) {
    let a: Vec<f32> = (0..M * K).map(|i| ((i * 37 + 11) % 101) as f32 / 101.0 - 0.5).collect();
    let b: Vec<f32> = (0..K * N).map(|i| ((i * 53 + 7) % 97) as f32 / 97.0 - 0.5).collect();
    let mut checksum = 0.0f64;
    for row in 0..M {
        for col in 0..N {
            checksum += (0..K).map(|e| f64::from(a[row * K + e]) * f64::from(b[e * N + col])).sum::<f64>();
        }
    }
    let sum: f64 = (0..LEN).map(|i| f64::from(((i * 7919) % 1000) as f32 / 1000.0)).sum();
    let int_sum = (0..LEN).fold(0u32, |s, i| s.wrapping_add((i as u32).wrapping_mul(2_654_435_761)));
    (checksum, sum, int_sum)
}

#[test]
fn tiled_matmul_and_reduction_examples_match_the_reference_on_both_devices() {
    let outcome = common::run("examples/kernels", &[]);
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    let stdout = outcome.stdout_lossy();
    let (checksum, sum, int_sum) = kernels_reference();
    for on in ["gpu", "cpu"] {
        let line = |prefix: String| {
            stdout.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no `{prefix}`\n{transcript}"))
        };
        let matmul = line(format!("matmul {M}x{N}x{K} on {on}:"));
        // f32 products summed in f32 by the kernel, in f64 here.
        let got = number_after(matmul, "checksum ");
        assert!((got - checksum).abs() < 1e-2, "{on}: checksum {got}, reference {checksum}\n{transcript}");
        let sums = line(format!("sum of {LEN} on {on}:"));
        let got = number_after(sums, "f32 ");
        assert!((got - sum).abs() <= 1e-5 * sum, "{on}: sum {got}, reference {sum}\n{transcript}");
        assert_eq!(number_after(sums, "u32 ") as u32, int_sum, "{on}\n{transcript}");
        line(format!("saxpy of {LEN} on {on}:"));
    }
    assert!(stdout.contains("CPU device vs plain Rust: matmul "), "{transcript}");
}

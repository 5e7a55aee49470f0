//! Sums, maxima and prefix sums of large arrays on the GPU with
//! `wasi-webgpu-ops`: each result is checked against the CPU, then timed.
//!
//! ```text
//! wasi-webgpu-run examples/reduce-scan -- [LEN]... [--runs R]
//! ```
//!
//! Defaults: 1000000 and 16777216 elements, 5 timed runs. For each length
//! and operation it prints
//! `OP n=LEN: B GB/s (median of R runs: T ms); checked: ok`, where a run is
//! one submit plus the wait for the GPU, timed in the guest, and B counts
//! the bytes the operation must at least move: the input read once (sum,
//! max), or read once and the output written once (scans), over the time.

use std::time::{Duration, Instant};

use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device, Queue};
use wasi_webgpu_ops::{Op, Ops, ReduceDesc, ScanKind};

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let (lens, runs) = parse_args(std::env::args().skip(1))?;
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await.map_err(|e| e.to_string())?;
    // Large sizes need buffers and storage bindings past WebGPU's default
    // limits (256 MiB and 128 MiB): ask for what the adapter has.
    let supported = adapter.limits();
    let required_limits = wasi_webgpu::Limits {
        max_buffer_size: supported.max_buffer_size,
        max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
        ..Default::default()
    };
    let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.map_err(|e| e.to_string())?;
    let ops = Ops::new(&device);
    for len in lens {
        measure(&device, &queue, &ops, len, runs).await.map_err(|e| format!("n={len}: {e}"))?;
    }
    println!("reduce-scan: all results match the CPU");
    Ok(())
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<(Vec<u32>, usize), String> {
    let usage = "usage: reduce-scan [LEN]... [--runs R]";
    let mut lens = Vec::new();
    let mut runs = 5;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            let value = args.next().ok_or(usage)?;
            runs = value.parse().ok().filter(|&r| r > 0).ok_or(format!("--runs {value}: not a positive count"))?;
            continue;
        }
        lens.push(arg.parse().ok().filter(|&n| n > 0).ok_or(format!("`{arg}` is not a length; {usage}"))?);
    }
    if lens.is_empty() {
        lens = vec![1_000_000, 16_777_216];
    }
    Ok((lens, runs))
}

async fn measure(device: &Device, queue: &Queue, ops: &Ops, len: u32, runs: usize) -> Result<(), String> {
    let n = len as usize;
    let mut rng = len.wrapping_mul(0x9e37_79b9) | 1;
    // +1 or -1 at random, and one 2 for the max to find: every partial sum,
    // in any order, is an integer no larger than the number of its terms
    // plus one, which f32 holds exactly up to about 2^24 terms (random signs
    // keep longer sums near sqrt(len), far inside that range). So the
    // results compare exactly, and a lost or repeated element, never zero,
    // changes them.
    let mut x: Vec<f32> = (0..n)
        .map(|_| {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            if rng & (1 << 16) == 0 { 1.0 } else { -1.0 }
        })
        .collect();
    x[rng as usize % n] = 2.0;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let create = |contents: &[f32]| {
        device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).map_err(|e| e.to_string())
    };
    let (input, scalar, scanned) = (create(&x)?, create(&[f32::NAN])?, create(&vec![f32::NAN; n])?);
    let err = |e: wasi_webgpu_ops::Error| e.to_string();
    let bytes = 4.0 * n as f64;

    let sum = ops.sum(&ReduceDesc::vector(len), &input, &scalar).await.map_err(err)?;
    let expected: f64 = x.iter().map(|&v| f64::from(v)).sum();
    let got = run_checked(queue, &sum, &scalar).await?[0];
    if f64::from(got) != expected {
        return Err(format!("sum is {got} on the GPU, {expected} on the CPU"));
    }
    report("sum", len, bytes, time(queue, &sum, runs).await?, runs);

    let max = ops.max(&ReduceDesc::vector(len), &input, &scalar).await.map_err(err)?;
    let expected = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    let got = run_checked(queue, &max, &scalar).await?[0];
    if got != expected {
        return Err(format!("max is {got} on the GPU, {expected} on the CPU"));
    }
    report("max", len, bytes, time(queue, &max, runs).await?, runs);

    for (name, kind) in [("inclusive scan", ScanKind::Inclusive), ("exclusive scan", ScanKind::Exclusive)] {
        let scan = ops.scan(kind, &input, &scanned).await.map_err(err)?;
        let got = run_checked(queue, &scan, &scanned).await?;
        let mut prefix = 0.0f64;
        for (i, (&g, &v)) in got.iter().zip(&x).enumerate() {
            let before = prefix;
            prefix += f64::from(v);
            let expected = if kind == ScanKind::Inclusive { prefix } else { before };
            if f64::from(g) != expected {
                return Err(format!("{name}[{i}] is {g} on the GPU, {expected} on the CPU"));
            }
        }
        report(name, len, 2.0 * bytes, time(queue, &scan, runs).await?, runs);
    }
    Ok(())
}

/// Runs `op` once (which also compiles and uploads) and reads `output`.
async fn run_checked(queue: &Queue, op: &Op, output: &Buffer<f32>) -> Result<Vec<f32>, String> {
    op.submit(queue).await.map_err(|e| e.to_string())?;
    output.read().await.map_err(|e| e.to_string())
}

/// The median time of `runs` submits of `op`, each waited for.
async fn time(queue: &Queue, op: &Op, runs: usize) -> Result<Duration, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        op.submit(queue).await.map_err(|e| e.to_string())?;
        queue.on_submitted_work_done().await;
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times[times.len() / 2])
}

fn report(name: &str, len: u32, bytes: f64, median: Duration, runs: usize) {
    let seconds = median.as_secs_f64();
    println!(
        "{name} n={len}: {} GB/s (median of {runs} runs: {:.3} ms); checked: ok",
        significant(bytes / seconds / 1e9),
        seconds * 1e3
    );
}

/// `x` with three significant digits, so tiny rates do not print as 0.
fn significant(x: f64) -> String {
    let decimals = if x > 0.0 && x.is_finite() { (2 - x.log10().floor() as i32).clamp(0, 12) as usize } else { 2 };
    format!("{x:.decimals$}")
}

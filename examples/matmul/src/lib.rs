//! Square (or `MxNxK`) matrix products on the GPU with `wasi-webgpu-ops`:
//! each result is checked against the CPU, then timed.
//!
//! ```text
//! wasi-webgpu-run examples/matmul -- [SIZE | MxNxK]... [--runs R]
//! ```
//!
//! Defaults: sizes 256 512 1024, 5 timed runs. For each size it prints
//! `matmul MxNxK: G GFLOPS (median of R runs: T ms); checked C of E entries: ok`,
//! where a run is one submit of the product plus the wait for the GPU, timed
//! in the guest. Products up to 256 x 256 are checked entirely, larger ones
//! at the four corners and 4092 random entries, each dot product recomputed
//! on the CPU in f64.

use std::time::{Duration, Instant};

use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Device, Queue};
use wasi_webgpu_ops::{MatmulDesc, Ops};

/// Entries checked per product beyond the fully checked sizes.
const SAMPLES: usize = 4096;

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let (shapes, runs) = parse_args(std::env::args().skip(1))?;
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await.map_err(|e| e.to_string())?;
    // Large sizes need buffers and storage bindings past WebGPU's default
    // limits (256 MiB and 128 MiB): ask for what the adapter has.
    let required_limits = wasi_webgpu_ops::required_limits(&adapter);
    let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.map_err(|e| e.to_string())?;
    let ops = Ops::new(&device);
    for (m, n, k) in shapes {
        measure(&device, &queue, &ops, MatmulDesc::new(m, n, k), runs)
            .await
            .map_err(|e| format!("{m}x{n}x{k}: {e}"))?;
    }
    println!("matmul: all results match the CPU");
    Ok(())
}

/// `(m, n, k)`.
type Shape = (u32, u32, u32);

fn parse_args(args: impl Iterator<Item = String>) -> Result<(Vec<Shape>, usize), String> {
    let usage = "usage: matmul [SIZE | MxNxK]... [--runs R]";
    let mut shapes = Vec::new();
    let mut runs = 5;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            let value = args.next().ok_or(usage)?;
            runs = value.parse().ok().filter(|&r| r > 0).ok_or(format!("--runs {value}: not a positive count"))?;
            continue;
        }
        let dims: Vec<u32> = arg
            .split('x')
            .map(|d| d.parse().ok().filter(|&d| d > 0))
            .collect::<Option<_>>()
            .ok_or(format!("`{arg}` is not a size; {usage}"))?;
        shapes.push(match dims[..] {
            [s] => (s, s, s),
            [m, n, k] => (m, n, k),
            _ => return Err(format!("`{arg}` is not a size; {usage}")),
        });
    }
    if shapes.is_empty() {
        shapes = vec![(256, 256, 256), (512, 512, 512), (1024, 1024, 1024)];
    }
    Ok((shapes, runs))
}

async fn measure(device: &Device, queue: &Queue, ops: &Ops, desc: MatmulDesc, runs: usize) -> Result<(), String> {
    let (m, n, k) = (desc.m as usize, desc.n as usize, desc.k as usize);
    let mut rng = Rng(0x9e37_79b9 ^ (m * 31 + n * 7 + k) as u32);
    let a: Vec<f32> = (0..m * k).map(|_| rng.unit()).collect();
    let b: Vec<f32> = (0..k * n).map(|_| rng.unit()).collect();
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let create = |contents: &[f32]| {
        device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).map_err(|e| e.to_string())
    };
    let (a_buffer, b_buffer, c_buffer) = (create(&a)?, create(&b)?, create(&vec![f32::NAN; m * n])?);
    let op = ops.matmul(&desc, &a_buffer, &b_buffer, &c_buffer).await.map_err(|e| e.to_string())?;

    // The first run also uploads the inputs and compiles the pipeline: it is
    // checked, not timed.
    op.submit(queue).await.map_err(|e| e.to_string())?;
    let c = c_buffer.read().await.map_err(|e| e.to_string())?;
    let checked = check(&desc, &a, &b, &c, &mut rng)?;

    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        op.submit(queue).await.map_err(|e| e.to_string())?;
        queue.on_submitted_work_done().await;
        times.push(start.elapsed());
    }
    let median = median(&mut times);
    let gflops = desc.flops() as f64 / median.as_secs_f64() / 1e9;
    println!(
        "matmul {m}x{n}x{k}: {} GFLOPS (median of {runs} runs: {:.3} ms); checked {checked} of {} entries: ok",
        significant(gflops),
        median.as_secs_f64() * 1e3,
        m * n
    );
    Ok(())
}

/// Compares C with the CPU: every entry of small products, else the corners
/// and random entries. Tolerance:
/// `1e-6 + k * f32::EPSILON * Σ|a_ip b_pj|`, the classical bound on a
/// k-term f32 dot product in any order.
fn check(desc: &MatmulDesc, a: &[f32], b: &[f32], c: &[f32], rng: &mut Rng) -> Result<usize, String> {
    let (m, n, k) = (desc.m as usize, desc.n as usize, desc.k as usize);
    let entries: Vec<(usize, usize)> = if m * n <= 256 * 256 {
        (0..m).flat_map(|i| (0..n).map(move |j| (i, j))).collect()
    } else {
        // The four corners, then random entries.
        let corners = [(0, 0), (0, n - 1), (m - 1, 0), (m - 1, n - 1)];
        corners.into_iter().chain((0..SAMPLES - 4).map(|_| (rng.below(m), rng.below(n)))).collect()
    };
    for &(i, j) in &entries {
        let (mut sum, mut magnitude) = (0.0f64, 0.0f64);
        for p in 0..k {
            let term = f64::from(a[i * k + p]) * f64::from(b[p * n + j]);
            sum += term;
            magnitude += term.abs();
        }
        let gpu = f64::from(c[i * n + j]);
        let tolerance = 1e-6 + k as f64 * f64::from(f32::EPSILON) * magnitude;
        if !within(gpu, sum, tolerance) {
            return Err(format!("C[{i}][{j}] is {gpu} on the GPU but {sum} on the CPU (tolerance {tolerance:e})"));
        }
    }
    Ok(entries.len())
}

/// `x` with three significant digits, so tiny rates do not print as 0.
fn significant(x: f64) -> String {
    let decimals = if x > 0.0 && x.is_finite() { (2 - x.log10().floor() as i32).clamp(0, 12) as usize } else { 2 };
    format!("{x:.decimals$}")
}

/// Whether `gpu` is within `tolerance` of `cpu`; false for a NaN (an entry
/// never written).
fn within(gpu: f64, cpu: f64, tolerance: f64) -> bool {
    (gpu - cpu).abs() <= tolerance
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// xorshift32: inputs and sample positions, the same on every run.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        let mut x = self.0.max(1);
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 8) as f32 / (1u32 << 23) as f32 - 1.0
    }

    fn below(&mut self, n: usize) -> usize {
        ((u64::from(self.next()) * n as u64) >> 32) as usize
    }
}

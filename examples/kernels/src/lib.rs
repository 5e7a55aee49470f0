//! A tiled matrix multiply and a parallel sum written as Rust kernels (see
//! `kernels.rs`), run on the GPU and on the in-guest CPU device, checked
//! against plain Rust, and timed against it.
//!
//! Prints, per device, a checksum of the product and the sums, and the CPU
//! device's time against a plain Rust loop doing the same work.

mod kernels;

use std::time::Instant;
use wasi_webgpu::Threads;

use kernels::{TILE, matmul, sum_f32, sum_u32};
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device, Instance, Queue, global_id, kernel};

/// A kernel without barriers, which the CPU device runs as a plain loop.
#[kernel(workgroup_size = 64)]
fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

/// The product's size: m×k times k×n.
const M: usize = 256;
const N: usize = 192;
const K: usize = 128;
/// Elements summed.
const LEN: usize = 1 << 20;

/// The inputs, a fixed pattern the integration test recomputes.
pub fn inputs() -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<u32>) {
    let a = (0..M * K).map(|i| ((i * 37 + 11) % 101) as f32 / 101.0 - 0.5).collect();
    let b = (0..K * N).map(|i| ((i * 53 + 7) % 97) as f32 / 97.0 - 0.5).collect();
    let x = (0..LEN).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
    let u = (0..LEN).map(|i| (i as u32).wrapping_mul(2_654_435_761)).collect();
    (a, b, x, u)
}

/// Plain Rust: the reference, and the baseline of the timings.
fn plain_matmul(a: &[f32], b: &[f32]) -> Vec<f32> {
    let mut c = vec![0.0; M * N];
    for row in 0..M {
        for e in 0..K {
            let av = a[row * K + e];
            for col in 0..N {
                c[row * N + col] += av * b[e * N + col];
            }
        }
    }
    c
}

struct Timed<T> {
    value: T,
    ms: f64,
}

/// Runs of each timing, which keeps the fastest: the others include the
/// noise of whatever else the machine was doing.
const RUNS: usize = 3;

async fn timed<T>(mut f: impl AsyncFnMut() -> Result<T, wasi_webgpu::Error>) -> Result<Timed<T>, wasi_webgpu::Error> {
    let mut best: Option<Timed<T>> = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let value = f().await?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        if best.as_ref().is_none_or(|b| ms < b.ms) {
            best = Some(Timed { value, ms });
        }
    }
    Ok(best.expect("RUNS > 0"))
}

fn plain_timed<T>(mut f: impl FnMut() -> T) -> Timed<T> {
    let mut best: Option<Timed<T>> = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let value = f();
        let ms = start.elapsed().as_secs_f64() * 1e3;
        if best.as_ref().is_none_or(|b| ms < b.ms) {
            best = Some(Timed { value, ms });
        }
    }
    best.expect("RUNS > 0")
}

fn upload<T: bytemuck::Pod>(device: &Device, contents: &[T]) -> Result<Buffer<T>, wasi_webgpu::Error> {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage })
}

/// What [`run`] measures on a device.
struct Results {
    c: Timed<Vec<f32>>,
    sum: Timed<f32>,
    int_sum: u32,
    saxpy: Timed<Vec<f32>>,
}

/// Runs the kernels on `device`, timing each after a first, untimed launch
/// (which compiles the pipeline on a GPU), until the device is done; the
/// sums include reading their one-element result back.
async fn run(
    device: &Device,
    queue: &Queue,
    a: &[f32],
    b: &[f32],
    x: &[f32],
    u: &[u32],
) -> Result<Results, wasi_webgpu::Error> {
    let (ab, bb, mut cb) = (upload(device, a)?, upload(device, b)?, upload(device, &vec![0.0f32; M * N])?);
    let threads = Threads::xy((N as u32).div_ceil(TILE) * TILE, (M as u32).div_ceil(TILE) * TILE);
    let (m, n, k) = (M as u32, N as u32, K as u32);
    matmul::launch(device, m, n, k, &ab, &bb, &mut cb, threads).await?;
    let c = timed(async || {
        matmul::launch(device, m, n, k, &ab, &bb, &mut cb, threads).await?;
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let c = Timed { value: cb.read().await?, ms: c.ms };

    let (xb, ub) = (upload(device, x)?, upload(device, u)?);
    sum_f32(device, &xb).await?;
    let sum = timed(async || sum_f32(device, &xb).await).await?;
    let int_sum = sum_u32(device, &ub).await?;

    let mut yb = upload(device, x)?;
    saxpy::launch(device, 2.0, &xb, &mut yb, Threads::x(LEN as u32)).await?;
    let saxpy = timed(async || {
        saxpy::launch(device, 2.0, &xb, &mut yb, Threads::x(LEN as u32)).await?;
        queue.on_submitted_work_done().await;
        Ok(())
    })
    .await?;
    let saxpy = Timed { value: yb.read().await?, ms: saxpy.ms };
    Ok(Results { c, sum, int_sum, saxpy })
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let (a, b, x, u) = inputs();
    let plain_c = plain_timed(|| plain_matmul(&a, &b));
    let plain_sum = plain_timed(|| x.iter().sum::<f32>());
    let plain_int: u32 = u.iter().fold(0, |s, &v| s.wrapping_add(v));
    let mut plain_y = x.clone();
    let plain_saxpy = plain_timed(|| plain_y.iter_mut().zip(&x).for_each(|(y, x)| *y += 2.0 * x));
    // The kernel runs once untimed and RUNS times timed, as did the loop.
    plain_y.iter_mut().zip(&x).for_each(|(y, x)| *y += 2.0 * x);

    let instance = Instance::new();
    let mut adapters = vec![instance.cpu_adapter()];
    if let Ok(gpu) = instance.request_adapter(&Default::default()).await {
        adapters.insert(0, gpu);
    }
    for adapter in adapters {
        let (device, queue) = adapter.request_device(&Default::default()).await.map_err(|e| e.to_string())?;
        let on = if device.is_cpu() { "cpu" } else { "gpu" };
        let r = run(&device, &queue, &a, &b, &x, &u).await.map_err(|e| format!("{on}: {e}"))?;
        let error = r.c.value.iter().zip(&plain_c.value).map(|(g, p)| (g - p).abs()).fold(0.0f32, f32::max);
        let sum_error = (r.sum.value - plain_sum.value).abs() / plain_sum.value;
        let saxpy_error = r.saxpy.value.iter().zip(&plain_y).map(|(g, p)| (g - p).abs()).fold(0.0f32, f32::max);
        if error > 1e-4 || sum_error > 1e-5 || r.int_sum != plain_int || saxpy_error > 1e-5 {
            return Err(format!("{on}: differs from plain Rust: matmul {error}, sum {sum_error}, saxpy {saxpy_error}"));
        }
        let checksum: f64 = r.c.value.iter().map(|&v| f64::from(v)).sum();
        println!("matmul {M}x{N}x{K} on {on}: checksum {checksum:.4}, {:.2} ms", r.c.ms);
        println!("sum of {LEN} on {on}: f32 {:.1}, u32 {}, {:.2} ms", r.sum.value, r.int_sum, r.sum.ms);
        println!("saxpy of {LEN} on {on}: {:.2} ms", r.saxpy.ms);
        if device.is_cpu() {
            println!(
                "CPU device vs plain Rust: matmul {:.1}x, sum {:.1}x, saxpy {:.1}x the time \
                 (plain Rust: {:.2} ms, {:.2} ms, {:.2} ms)",
                r.c.ms / plain_c.ms,
                r.sum.ms / plain_sum.ms,
                r.saxpy.ms / plain_saxpy.ms,
                plain_c.ms,
                plain_sum.ms,
                plain_saxpy.ms
            );
        }
    }
    Ok(())
}

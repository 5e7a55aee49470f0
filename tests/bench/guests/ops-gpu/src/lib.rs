//! The `ops` bench workloads in the guest: `wasi-webgpu-ops` kernels at
//! sizes where the GPU's memory bandwidth or arithmetic is the limit.
//!
//! - `reduce mib=64,256,1024`: sum, max and inclusive scan of `mib` MiB of
//!   f32. The input is ±1 at random with one 2, so every partial sum in any
//!   order is a small integer, exact in f32: each result is compared exactly
//!   with the CPU's (the scan element by element).
//! - `matmul sizes=1024,2048,4096 iters=1,1,1 [f16=1]`: `Ops::matmul` of
//!   `n × n` by `n × n` f32, `iters` times per submit, and with `f16=1` (when
//!   the adapter has `shader-f16`) `Ops::matmul` over `F16` of the same shape with
//!   f32 sums (`matmul_f16_<n>`) and with f16 sums (`matmul_f16h_<n>`). The
//!   operands are multiples of 1/16 in [-0.5, 0.5], whose products and sums
//!   f32 holds exactly, so 64 sampled entries are compared exactly with an
//!   f64 dot product (f16's output within its rounding). The f32 product
//!   runs twice: with the tiles `Tiling::Auto` picks (`matmul_f32_<n>`) and
//!   forced to the 64 × 64 kernel (`matmul_f32_t64_<n>`), the same run's
//!   before and after of the larger tiles.
//!
//! Common: `warmup=N repeat=N [trace=DIR]`. Each sample times one submit of
//! the prepared op(s) + `on-submitted-work-done` and prints `sample <name>
//! <seconds>`. With `trace=DIR` the dispatches of the last timed submit go
//! to `DIR/<name>.json` + `.bin` for the harness's native replay; writes
//! over 256 KiB (the operands) keep only their size, so the replay runs on
//! stand-in contents of the same size.

use std::time::Instant;

use wasi_webgpu::trace::TraceOptions;
use wasi_webgpu::{Buffer, BufferDescriptor, BufferUsages, Device, F16, Features, Queue};
use wasi_webgpu_ops::{Accumulate, MatmulDesc, Op, Ops, ReduceDesc, ScanKind, Tiling};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// Elements written or read back per call while filling or checking.
const CHUNK: usize = 1 << 22;

struct Args(Vec<(String, String)>);

impl Args {
    fn str(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn num(&self, key: &str, default: u64) -> Result<u64> {
        self.str(key).map_or(Ok(default), |v| v.parse().map_err(|_| format!("{key}={v:?} is not a number").into()))
    }

    fn list(&self, key: &str, default: &str) -> Result<Vec<u32>> {
        self.str(key)
            .unwrap_or(default)
            .split(',')
            .map(|v| v.trim().parse().map_err(|_| format!("{key}: {v:?} is not a number").into()))
            .collect()
    }
}

struct Bench {
    device: Device,
    queue: Queue,
    warmup: u64,
    repeat: u64,
    trace: Option<String>,
}

impl Bench {
    /// Times `ops` recorded into one pass and submitted, then writes the
    /// trace of the last submit as `name`.
    async fn time(&self, kernels: &Ops, name: &str, ops: &[&Op]) -> Result<()> {
        for _ in 0..self.warmup.max(1) {
            kernels.run(&self.queue, ops).await?;
            self.queue.on_submitted_work_done().await;
        }
        for _ in 0..self.repeat {
            let start = Instant::now();
            kernels.run(&self.queue, ops).await?;
            self.queue.on_submitted_work_done().await;
            println!("sample {name} {:.9}", start.elapsed().as_secs_f64());
        }
        if let Some(dir) = &self.trace {
            let (json, blob) = self.device.trace_json(1)?;
            std::fs::write(format!("{dir}/{name}.json"), json)?;
            std::fs::write(format!("{dir}/{name}.bin"), blob)?;
        }
        Ok(())
    }

    fn buffer<T: bytemuck::Pod>(&self, len: u64) -> Result<Buffer<T>> {
        Ok(self.device.create_buffer::<T>(&BufferDescriptor {
            label: None,
            len,
            usage: BufferUsages::STORAGE | BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })?)
    }

    /// Starts tracing (with `trace=DIR`) and returns a fresh `Ops`, so the
    /// pipelines it compiles are in the trace too (an `Ops` caches them).
    fn start_trace(&self) -> Ops {
        if self.trace.is_some() {
            self.device.start_trace(TraceOptions::default());
        }
        Ops::new(&self.device)
    }
}

#[wasi_webgpu::main]
async fn main() -> Result<()> {
    let mut raw = std::env::args().skip(1);
    let workload = raw.next().ok_or("missing workload: reduce or matmul")?;
    let pairs = raw
        .map(|arg| arg.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).ok_or(arg))
        .collect::<Result<Vec<_>, String>>()
        .map_err(|arg| format!("expected key=value, got {arg:?}"))?;
    let args = Args(pairs);

    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    // 256 MiB and 1 GiB inputs are past WebGPU's default buffer and binding
    // limits: ask for the adapter's.
    let required_limits = wasi_webgpu_ops::required_limits(&adapter);
    let f16 = args.num("f16", 0)? != 0 && adapter.features().contains(Features::SHADER_F16);
    let required_features = if f16 { Features::SHADER_F16 } else { Features::empty() };
    let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, required_features, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await?;
    let bench = Bench {
        device,
        queue,
        warmup: args.num("warmup", 1)?,
        repeat: args.num("repeat", 5)?,
        trace: args.str("trace").map(str::to_owned),
    };
    match workload.as_str() {
        "reduce" => {
            for mib in args.list("mib", "64,256,1024")? {
                reduce(&bench, mib).await.map_err(|e| format!("reduce {mib} MiB: {e}"))?;
            }
        }
        "matmul" => {
            let sizes = args.list("sizes", "1024,2048,4096")?;
            let iters = args.list("iters", "1")?;
            for (i, &n) in sizes.iter().enumerate() {
                let iters = iters.get(i).or(iters.last()).copied().unwrap_or(1).max(1);
                matmul(&bench, n, iters, f16).await.map_err(|e| format!("matmul {n}: {e}"))?;
            }
            if args.num("f16", 0)? != 0 && !f16 {
                println!("note f16: the adapter has no shader-f16");
            }
        }
        other => return Err(format!("unknown workload {other:?}").into()),
    }
    Ok(())
}

/// The reduce input, one chunk at a time: ±1 from a xorshift, and 2 at
/// element `len / 3` for the max to find.
struct Signs {
    state: u32,
    at: usize,
    two: usize,
}

impl Signs {
    fn new(len: usize) -> Self {
        Self { state: (len as u32).wrapping_mul(0x9e37_79b9) | 1, at: 0, two: len / 3 }
    }

    fn next_chunk(&mut self, out: &mut Vec<f32>, n: usize) {
        out.clear();
        for _ in 0..n {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 17;
            self.state ^= self.state << 5;
            out.push(if self.at == self.two {
                2.0
            } else if self.state & (1 << 16) == 0 {
                1.0
            } else {
                -1.0
            });
            self.at += 1;
        }
    }
}

async fn reduce(b: &Bench, mib: u32) -> Result<()> {
    let len = (u64::from(mib) << 20) / 4;
    let n = usize::try_from(len)?;
    let count = u32::try_from(len).map_err(|_| "more than 2^32 elements")?;
    let ops = b.start_trace();
    let input = b.buffer::<f32>(len)?;
    let (scalar, scanned) = (b.buffer::<f32>(1)?, b.buffer::<f32>(len)?);
    let (mut signs, mut chunk) = (Signs::new(n), Vec::with_capacity(CHUNK));
    let (mut sum, mut max) = (0i64, f32::NEG_INFINITY);
    for start in (0..n).step_by(CHUNK) {
        signs.next_chunk(&mut chunk, CHUNK.min(n - start));
        sum += chunk.iter().map(|&v| v as i64).sum::<i64>();
        max = chunk.iter().fold(max, |m, &v| m.max(v));
        b.queue.write_buffer(&input, 4 * start as u64, &chunk)?;
    }

    let op = ops.sum(&ReduceDesc::vector(count), &input, &scalar).await?;
    op.submit(&b.queue).await?;
    let got = scalar.read().await?[0];
    if f64::from(got) != sum as f64 {
        return Err(format!("sum is {got} on the GPU, {sum} on the CPU").into());
    }
    b.time(&ops, &format!("sum_{mib}"), &[&op]).await?;

    let op = ops.max(&ReduceDesc::vector(count), &input, &scalar).await?;
    op.submit(&b.queue).await?;
    let got = scalar.read().await?[0];
    if got != max {
        return Err(format!("max is {got} on the GPU, {max} on the CPU").into());
    }
    b.time(&ops, &format!("max_{mib}"), &[&op]).await?;

    let op = ops.scan(ScanKind::Inclusive, &input, &scanned).await?;
    op.submit(&b.queue).await?;
    let (mut signs, mut prefix) = (Signs::new(n), 0i64);
    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        signs.next_chunk(&mut chunk, end - start);
        let got = scanned.slice(start as u64..end as u64).read().await?;
        for (i, (&g, &v)) in got.iter().zip(&chunk).enumerate() {
            prefix += v as i64;
            if f64::from(g) != prefix as f64 {
                return Err(format!("scan[{}] is {g} on the GPU, {prefix} on the CPU", start + i).into());
            }
        }
    }
    b.time(&ops, &format!("scan_{mib}"), &[&op]).await?;
    if b.trace.is_some() {
        b.device.stop_trace();
    }
    Ok(())
}

/// Multiples of 1/16 in [-0.5, 0.5], different for A and B.
fn operand(len: usize, mul: usize, add: usize, modulus: usize) -> Vec<f32> {
    (0..len).map(|i| ((i * mul + add) % modulus) as f32 / 16.0 - 0.5).collect()
}

/// 64 entries of `A · B`, checked against `got`: within `rel` of the
/// exact value plus `of_abs` of the sum of the products' magnitudes (the
/// scale an f16 sum's error grows with).
fn check(n: usize, a: &[f32], b: &[f32], got: &[f32], rel: f64, of_abs: f64) -> Result<()> {
    let mut state = 0x2545_f491_u32;
    for _ in 0..64 {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let (r, c) = ((state >> 8) as usize % n, (state.rotate_left(13) >> 8) as usize % n);
        let products = (0..n).map(|k| f64::from(a[r * n + k]) * f64::from(b[k * n + c]));
        let (expected, magnitude) = products.fold((0.0, 0.0), |(s, m), p| (s + p, m + p.abs()));
        let g = f64::from(got[r * n + c]);
        if (g - expected).abs() > rel * expected.abs() + of_abs * magnitude {
            return Err(format!("C[{r}][{c}] is {g} on the GPU, {expected} on the CPU").into());
        }
    }
    Ok(())
}

async fn matmul(b: &Bench, n: u32, iters: u32, f16: bool) -> Result<()> {
    let len = u64::from(n) * u64::from(n);
    let elements = usize::try_from(len)?;
    let (x, y) = (operand(elements, 7, 3, 17), operand(elements, 5, 1, 13));
    let ops = b.start_trace();
    let (a, bb, c) = (b.buffer::<f32>(len)?, b.buffer::<f32>(len)?, b.buffer::<f32>(len)?);
    b.queue.write_buffer(&a, 0, &x)?;
    b.queue.write_buffer(&bb, 0, &y)?;
    for (tiling, name) in [(Tiling::Auto, format!("matmul_f32_{n}")), (Tiling::Tile64, format!("matmul_f32_t64_{n}"))] {
        let op = ops.matmul(&MatmulDesc::new(n, n, n).with_tiling(tiling), &a, &bb, &c).await?;
        op.submit(&b.queue).await?;
        check(n as usize, &x, &y, &c.read().await?, 0.0, 0.0).map_err(|e| format!("f32 {tiling:?}: {e}"))?;
        b.time(&ops, &name, &vec![&op; iters as usize]).await?;
    }
    // The f32 buffers stay alive: the trace names objects by address, which
    // a new buffer could reuse.

    if f16 {
        let half = |v: &[f32]| v.iter().map(|&x| F16::from_f32(x)).collect::<Vec<_>>();
        let (a, bb, c) = (b.buffer::<F16>(len)?, b.buffer::<F16>(len)?, b.buffer::<F16>(len)?);
        b.queue.write_buffer(&a, 0, &half(&x))?;
        b.queue.write_buffer(&bb, 0, &half(&y))?;
        // f32 sums: one rounding of an exact sum to f16, half an ulp. f16
        // sums: each partial sum rounded, an error that grows with the sum
        // (1% of the products' magnitudes is far above what they reach).
        for (accumulate, name, rel, of_abs) in [
            (Accumulate::F32, format!("matmul_f16_{n}"), 1.0 / 2048.0, 0.0),
            (Accumulate::F16, format!("matmul_f16h_{n}"), 1.0 / 2048.0, 0.01),
        ] {
            let op = ops.matmul(&MatmulDesc::new(n, n, n).with_accumulate(accumulate), &a, &bb, &c).await?;
            op.submit(&b.queue).await?;
            let got: Vec<f32> = c.read().await?.iter().map(|h| h.to_f32()).collect();
            check(n as usize, &x, &y, &got, rel, of_abs).map_err(|e| format!("f16 {accumulate:?}: {e}"))?;
            b.time(&ops, &name, &vec![&op; iters as usize]).await?;
        }
    }
    if b.trace.is_some() {
        b.device.stop_trace();
    }
    Ok(())
}

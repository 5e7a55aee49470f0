//! Times `wasi-webgpu-ops` on the in-guest CPU device at the shapes of one
//! all-MiniLM-L6-v2 layer (hidden 384, FFN 1536) over `tokens` tokens
//! (first argument, default 128), and prints GFLOPS per product. The same
//! kernels natively: `cargo test --release -p wasi-webgpu-ops --lib -- --ignored --nocapture cpu_speed`.

use std::time::Instant;

use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device};
use wasi_webgpu_ops::{MatmulDesc, Op, Ops};

fn buffer(device: &Device, len: usize) -> Result<Buffer<f32>, wasi_webgpu_ops::Error> {
    let data: Vec<f32> = (0..len).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    Ok(device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &data, usage })?)
}

/// Median seconds of `op` over runs lasting about half a second in all.
async fn time(ops: &Ops, queue: &wasi_webgpu::Queue, op: &Op) -> Result<f64, wasi_webgpu_ops::Error> {
    ops.run(queue, &[op]).await?;
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 5 || (start.elapsed().as_secs_f64() < 0.5 && samples.len() < 200) {
        let t = Instant::now();
        ops.run(queue, &[op]).await?;
        samples.push(t.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    Ok(samples[samples.len() / 2])
}

#[wasi_webgpu::main]
async fn main() -> Result<(), wasi_webgpu_ops::Error> {
    let tokens: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(128);
    let adapter = wasi_webgpu::Instance::new().cpu_adapter();
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    let ops = Ops::new(&device);
    let t = tokens as usize;
    println!("CPU device, {tokens} tokens");
    // (name, out_features, in_features): x [t, in] · Wᵀ, W [out, in].
    for (name, out, inp) in
        [("qkv", 1152u32, 384u32), ("attn out", 384, 384), ("ffn up", 1536, 384), ("ffn down", 384, 1536)]
    {
        let (x, w, y) = (
            buffer(&device, t * inp as usize)?,
            buffer(&device, (out * inp) as usize)?,
            buffer(&device, t * out as usize)?,
        );
        let desc = MatmulDesc::new(tokens, out, inp).transpose_b();
        let op = ops.matmul(&desc, &x, &w, &y).await?;
        let secs = time(&ops, &queue, &op).await?;
        println!(
            "{name:>9} {tokens}x{inp} . ({out}x{inp})T: {:8.3} ms {:6.2} GFLOPS",
            secs * 1e3,
            desc.flops() as f64 / secs / 1e9
        );
    }
    for n in [256u32, 512, 1024] {
        let (a, b, c) = (
            buffer(&device, (n * n) as usize)?,
            buffer(&device, (n * n) as usize)?,
            buffer(&device, (n * n) as usize)?,
        );
        let desc = MatmulDesc::new(n, n, n);
        let op = ops.matmul(&desc, &a, &b, &c).await?;
        let secs = time(&ops, &queue, &op).await?;
        println!("   square {n}^3: {:8.3} ms {:6.2} GFLOPS", secs * 1e3, desc.flops() as f64 / secs / 1e9);
    }
    let (x, y) = (buffer(&device, t * 1536)?, buffer(&device, t * 1536)?);
    let op = ops.gelu(&x, &y).await?;
    println!("gelu (tanh) {tokens}x1536: {:8.3} ms", time(&ops, &queue, &op).await? * 1e3);
    let (g, b) = (buffer(&device, 384)?, buffer(&device, 384)?);
    let op = ops.layer_norm(&wasi_webgpu_ops::LayerNormDesc::new(tokens, 384), &x, &g, &b, &y).await?;
    println!("layer_norm {tokens}x384: {:8.3} ms", time(&ops, &queue, &op).await? * 1e3);
    Ok(())
}

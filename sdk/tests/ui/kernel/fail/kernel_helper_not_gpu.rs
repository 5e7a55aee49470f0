//! Functions called from a kernel or a `#[gpu]` helper that are not marked `#[wasi_webgpu::gpu]`:
//! one error at each call, saying how to fix it, and none where the kernel's module is used.

use std::sync::atomic::{AtomicU32, Ordering};

fn top_byte(x: u32) -> u32 {
    x >> 24
}

fn low_byte(x: u32) -> u32 {
    x & 0xff
}

#[wasi_webgpu::gpu]
fn bin_of(x: u32) -> u32 {
    low_byte(x) / 16
}

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn histogram(input: &[u32], bins: &[AtomicU32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < input.len() {
        bins[top_byte(input[i]) as usize].fetch_add(1, Ordering::Relaxed);
    }
}

async fn count(device: &wasi_webgpu::Device, input: &wasi_webgpu::Buffer<u32>, bins: &mut wasi_webgpu::Buffer<u32>) {
    histogram::launch(device, input, bins, input.len() as u32).await.unwrap();
    assert!(histogram::WGSL.contains("fn main"));
}

fn main() {
    let _ = (count, bin_of);
}

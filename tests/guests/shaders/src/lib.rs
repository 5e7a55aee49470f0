//! A corpus of WGSL kernels (`shaders/*.wgsl`), each used through the typed
//! bindings `#[wasi_webgpu::shader]` generates and checked against the same
//! computation on the CPU: integers exactly, floats within the tolerance each
//! check states. Each check prints `check <name> ... ok` or `... FAILED: <why>`;
//! arguments select checks by substring. The integration test `shaders` runs it.

mod atomics;
mod constants;
mod layout;
mod math;
mod workgroup;

use std::fmt::Debug;

use bytemuck::Pod;
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, ComputePass};

pub use guest_harness::{Context, Gpu, Outcome, checks, ensure};

/// Buffers and passes as the checks make them.
pub(crate) trait GpuExt {
    /// A storage buffer holding `contents`, readable back.
    fn storage<T: Pod>(&self, contents: &[T]) -> Result<Buffer<T>, String>;
    /// A storage buffer of `len` zeroed elements, readable back.
    fn zeroed<T: Pod>(&self, len: usize) -> Result<Buffer<T>, String>;
    /// A uniform buffer holding `value`.
    fn uniform<T: Pod>(&self, value: T) -> Result<Buffer<T>, String>;
    /// Records one compute pass with `record` and submits it; reads wait for it.
    async fn run(&self, record: impl FnOnce(&mut ComputePass<'_>) -> wasi_webgpu::Result<()>) -> Outcome;
}

impl GpuExt for Gpu {
    fn storage<T: Pod>(&self, contents: &[T]) -> Result<Buffer<T>, String> {
        let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
        self.device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).at("storage buffer")
    }

    fn zeroed<T: Pod>(&self, len: usize) -> Result<Buffer<T>, String> {
        self.storage(&vec![T::zeroed(); len])
    }

    fn uniform<T: Pod>(&self, value: T) -> Result<Buffer<T>, String> {
        let usage = BufferUsages::UNIFORM;
        self.device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[value], usage }).at("uniform")
    }

    async fn run(&self, record: impl FnOnce(&mut ComputePass<'_>) -> wasi_webgpu::Result<()>) -> Outcome {
        let mut encoder = self.device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        record(&mut pass).at("dispatch")?;
        pass.end();
        self.queue.submit([encoder.finish().await.at("finish")?]).at("submit")
    }
}

/// Reads a buffer back.
pub async fn read<T: Pod>(buffer: &Buffer<T>) -> Result<Vec<T>, String> {
    buffer.read().await.at("read")
}

/// Fails at the first element where the GPU's result differs from the CPU's.
pub fn same<T: PartialEq + Debug>(what: &str, gpu: &[T], cpu: &[T]) -> Outcome {
    ensure!(gpu.len() == cpu.len(), "{what}: {} elements, expected {}", gpu.len(), cpu.len());
    match gpu.iter().zip(cpu).position(|(g, c)| g != c) {
        Some(i) => Err(format!("{what}[{i}]: GPU {:?}, CPU {:?}", gpu[i], cpu[i])),
        None => Ok(()),
    }
}

/// Fails at the first element where `|gpu - cpu| > abs + rel * |cpu|`.
pub fn close(what: &str, gpu: &[f32], cpu: &[f32], abs: f32, rel: f32) -> Outcome {
    ensure!(gpu.len() == cpu.len(), "{what}: {} elements, expected {}", gpu.len(), cpu.len());
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        // Written so that a NaN on either side fails.
        if (g - c).abs() <= abs + rel * c.abs() {
            continue;
        }
        return Err(format!("{what}[{i}]: GPU {g}, CPU {c}, beyond {abs} + {rel} * |CPU|"));
    }
    Ok(())
}

/// A small deterministic generator (xorshift32) for test inputs.
pub struct Rng(u32);

impl Rng {
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// Uniform in `[lo, hi)`, with 24 bits of resolution.
    pub fn f32_in(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next_u32() >> 8) as f32 / (1u32 << 24) as f32
    }

    pub fn vec3_in(&mut self, lo: f32, hi: f32) -> [f32; 3] {
        [self.f32_in(lo, hi), self.f32_in(lo, hi), self.f32_in(lo, hi)]
    }
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let checks = [atomics::CHECKS, workgroup::CHECKS, layout::CHECKS, math::CHECKS, constants::CHECKS].concat();
    guest_harness::run_checks("shaders", &checks, &filters).await
}

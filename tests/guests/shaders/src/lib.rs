//! A corpus of WGSL kernels (`shaders/*.wgsl`), each used through the typed
//! bindings `#[wasi_webgpu::shader]` generates and checked against the same
//! computation on the CPU: integers exactly, floats within the tolerance each
//! check states. Each check prints `check <name> ... ok` or `... FAILED: <why>`;
//! arguments select checks by substring. The integration test `shaders` runs it.

mod atomics;
mod constants;
mod layout;
mod math;
mod runtime_arrays;
mod workgroup;

use bytemuck::Pod;
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, ComputePass};

pub use guest_harness::{Context, Gpu, Outcome, Rng, checks, close, ensure, same};

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

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let checks =
        [atomics::CHECKS, workgroup::CHECKS, layout::CHECKS, math::CHECKS, constants::CHECKS, runtime_arrays::CHECKS]
            .concat();
    guest_harness::run_checks("shaders", &checks, &filters).await
}

//! One `#[wasi_webgpu::kernel]` per construct of the Rust kernel subset.
//! Each check runs its kernel on the GPU (lavapipe, through the reference
//! host) and on the in-guest CPU device, through the same `launch` call
//! (`calls` also through `dispatch`, and a `#[shader]` of the same kernel),
//! and compares both with the same computation written as plain Rust:
//! integers exactly, floats within the tolerance the check states. Each
//! check prints `check <name> ... ok` or `... FAILED: <why>`; arguments
//! select checks by substring. The integration test `kernels` runs it.

mod basics;
mod calls;
mod cpu_device;
mod half;
mod math;
mod parallel;
mod types;

/// The tiled matrix multiply and parallel sum of `examples/kernels`, the
/// same source.
#[path = "../../../../examples/kernels/src/kernels.rs"]
mod examples;

use bytemuck::Pod;
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device, Instance, Queue};

pub use guest_harness::{Context, Gpu, Outcome, Rng, checks, close, ensure, same};

/// A device a check runs its kernel on: the GPU one or the CPU one.
pub struct On {
    /// `"gpu"` or `"cpu"`, for messages.
    pub name: &'static str,
    pub device: Device,
    pub queue: Queue,
}

impl On {
    /// A storage buffer holding `contents`, readable and writable.
    pub fn storage<T: Pod>(&self, contents: &[T]) -> Result<Buffer<T>, String> {
        let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
        self.device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).at("storage buffer")
    }

    /// A zeroed storage buffer of `len` elements.
    pub fn zeroed<T: Pod>(&self, len: usize) -> Result<Buffer<T>, String> {
        self.storage(&vec![T::zeroed(); len])
    }

    /// Reads a buffer back.
    pub async fn read<T: Pod>(&self, buffer: &Buffer<T>) -> Result<Vec<T>, String> {
        buffer.read().await.at("read")
    }

    /// A launch's error as a check failure.
    pub fn at<T>(&self, result: wasi_webgpu::Result<T>) -> Result<T, String> {
        result.at("launch")
    }
}

/// The two devices of a check.
pub struct Both<'a> {
    gpu: &'a Gpu,
}

impl Both<'_> {
    /// Runs `check` on the GPU device, then on a fresh CPU device; a failure
    /// says which.
    pub async fn each(&self, check: impl AsyncFn(&On) -> Outcome) -> Outcome {
        let gpu = On { name: "gpu", device: self.gpu.device.clone(), queue: self.gpu.queue.clone() };
        check(&gpu).await.map_err(|e| format!("gpu: {e}"))?;
        let adapter = Instance::new().cpu_adapter();
        let (device, queue) = adapter.request_device(&Default::default()).await.at("cpu request_device")?;
        ensure!(device.is_cpu(), "the CPU adapter gave a GPU device");
        let cpu = On { name: "cpu", device, queue };
        check(&cpu).await.map_err(|e| format!("cpu: {e}"))
    }
}

/// Declares each `name(both: &Both)` check as a harness check.
macro_rules! both_checks {
    ($($path:path => $name:ident),* $(,)?) => {
        $(async fn $name(gpu: &Gpu) -> Outcome { $path(&Both { gpu }).await })*
        checks![$($name),*];
    };
}

both_checks![
    basics::let_bindings => let_bindings,
    basics::integer_arithmetic => integer_arithmetic,
    basics::float_arithmetic => float_arithmetic,
    basics::comparison_operators => comparison_operators,
    basics::logical_operators => logical_operators,
    basics::as_casts => as_casts,
    basics::if_else => if_else,
    basics::for_ranges => for_ranges,
    basics::while_loops => while_loops,
    basics::loop_break_continue => loop_break_continue,
    basics::early_return => early_return,
    types::scalar_types => scalar_types,
    types::vector_operators => vector_operators,
    types::fixed_arrays => fixed_arrays,
    types::gpu_helpers => gpu_helpers,
    types::generic_kernels => generic_kernels,
    types::two_dimensional_launch => two_dimensional_launch,
    types::gpu_type_structs => gpu_type_structs,
    math::math_builtins => math_builtins,
    math::integer_math_builtins => integer_math_builtins,
    math::vector_math_builtins => vector_math_builtins,
    parallel::workgroup_memory_and_barriers => workgroup_memory_and_barriers,
    parallel::storage_atomics => storage_atomics,
    parallel::tiled_matmul => tiled_matmul,
    parallel::parallel_reduction => parallel_reduction,
    cpu_device::buffer_operations => buffer_operations,
    cpu_device::cpu_device_refuses_gpu_only_work => cpu_device_refuses_gpu_only_work,
    cpu_device::launch_misuse => launch_misuse,
    cpu_device::out_of_bounds_never_traps => out_of_bounds_never_traps,
    cpu_device::concurrent_launches_keep_their_arguments => concurrent_launches_keep_their_arguments,
    half::f16_kernels => f16_kernels,
    calls::dispatch_and_launch_agree => dispatch_and_launch_agree,
];

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    guest_harness::run_checks("kernels", CHECKS, &filters).await
}

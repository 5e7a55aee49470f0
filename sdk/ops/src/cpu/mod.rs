//! The operations on the in-guest CPU device: plain Rust over the buffers'
//! guest memory, run at [`Op::submit`](crate::Op::submit) /
//! [`Ops::run`](crate::Ops::run).
//!
//! The kernels are plain functions over slices (`matmul`, `elementwise`,
//! `rows`, `reduce`, `transformer`), so they are tested and benchmarked
//! natively as well. On wasm32 the hot loops are compiled with SIMD128
//! (`#[target_feature(enable = "simd128")]`, whatever the crate's own
//! target features): wasm has no run-time feature detection, and every
//! engine that runs wasi:webgpu components validates SIMD128. Elsewhere the
//! same loops are portable Rust that LLVM vectorises for the host.
//!
//! Buffers are borrowed at run time through the SDK's CPU slices, which make
//! the GPU's binding rules errors here too: a buffer written by a step and
//! also read by it is [`wasi_webgpu::Error::UsageConflict`].

pub(crate) mod elementwise;
pub(crate) mod matmul;
pub(crate) mod reduce;
pub(crate) mod rows;
pub(crate) mod transformer;

use bytemuck::Pod;
use wasi_webgpu::__private::kernel_rt::{CpuSlice, CpuSliceMut, cpu_slice, cpu_slice_mut};
use wasi_webgpu::{Buffer, BufferUsages, Device};

use crate::{Op, Ops, Result};

/// Applies `#[target_feature(enable = "simd128")]` on wasm32, so that LLVM
/// vectorises the function's loops to f32x4 there.
macro_rules! simd {
    ($(#[$meta:meta])* $vis:vis fn $($rest:tt)*) => {
        $(#[$meta])*
        #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
        $vis fn $($rest)*
    };
}
pub(crate) use simd;

/// Borrows `buffer` read-only for a step on `device`.
pub(crate) fn read<'b, T: Pod>(device: &Device, buffer: &'b Buffer<T>) -> Result<CpuSlice<'b, T>> {
    Ok(cpu_slice(device, buffer)?)
}

/// Borrows `buffer` writable for a step on `device`. `buffer` is the step's
/// own handle (a clone: the SDK borrows through `&mut Buffer`).
pub(crate) fn write<'b, T: Pod>(device: &Device, buffer: &'b mut Buffer<T>) -> Result<CpuSliceMut<'b, T>> {
    Ok(cpu_slice_mut(device, buffer)?)
}

impl Ops {
    /// A one-step [`Op`] of the CPU device running `step` at submit.
    ///
    /// `bindings` are the buffers the GPU path binds as storage, with the
    /// bytes it binds of each: checked here, when the op is prepared, as
    /// creating the GPU path's bind group checks them (`STORAGE` usage, at
    /// most `max_storage_buffer_binding_size` bytes), so an op fails or
    /// succeeds alike on both devices.
    pub(crate) fn cpu_op(
        &self,
        name: &'static str,
        bindings: &[(BufferUsages, u64)],
        step: impl Fn(&Device) -> Result<()> + 'static,
    ) -> Result<Op> {
        let max = self.device.limits().max_storage_buffer_binding_size;
        for &(usage, bytes) in bindings {
            if !usage.contains(BufferUsages::STORAGE) {
                return Err(wasi_webgpu::Error::MissingUsage {
                    operation: "create_bind_group",
                    argument: Default::default(),
                    required: BufferUsages::STORAGE,
                    actual: usage,
                }
                .into());
            }
            if bytes > max {
                return Err(wasi_webgpu::Error::OverLimit {
                    what: "buffer binding size",
                    value: bytes,
                    limit: "maxStorageBufferBindingSize",
                    max,
                }
                .into());
            }
        }
        let mut op = Op::new(name, &self.device);
        let device = self.device.clone();
        op.push_cpu(Box::new(move || step(&device)));
        Ok(op)
    }
}

/// A buffer as [`Ops::cpu_op`] checks it: bound whole.
pub(crate) fn whole<T: Pod>(buffer: &Buffer<T>) -> (BufferUsages, u64) {
    (buffer.usage(), buffer.size())
}

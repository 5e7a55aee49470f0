//! The CPU backend: the in-guest CPU device, a [`Device`](crate::Device)
//! with no host device behind it, whose buffers live in guest memory
//! ([`CpuMemory`]) and whose kernels are the Rust bodies of
//! `#[wasi_webgpu::kernel]` functions, run by [`kernel`]'s executor.
//!
//! Work recorded on its command encoders (buffer copies and clears, and the
//! kernels a `#[kernel]`'s `dispatch` records into a compute pass) runs at
//! `Queue::submit`, in order, as a GPU would run it; a `launch` runs its
//! kernel before it returns. Every GPU-only operation on it returns
//! [`Error::CpuDevice`](crate::Error::CpuDevice).

use std::cell::RefCell;
use std::rc::Rc;

use bytemuck::Pod;

use crate::buffer::{BufferShared, try_pod_vec, try_vec};
use crate::{Error, Result};

pub(crate) mod kernel;

/// A CPU device buffer's memory: its bytes in 16-byte aligned blocks, so
/// they cast to `&[T]` for any `T` a kernel binds (WGSL types align to at
/// most 16).
pub(crate) struct CpuMemory(RefCell<Vec<CpuBlock>>);

/// A unit of CPU buffer memory that gives its bytes 16-byte alignment.
#[derive(Clone, Copy, bytemuck::Zeroable, bytemuck::Pod)]
#[repr(C, align(16))]
pub(crate) struct CpuBlock([u8; 16]);

impl CpuMemory {
    /// `size` bytes of zeros, as WebGPU buffers start; allocated fallibly,
    /// since the size is the user's.
    pub(crate) fn zeroed(size: u64) -> Result<Self> {
        Ok(Self(RefCell::new(try_vec(size.div_ceil(16) as usize, CpuBlock([0; 16]))?)))
    }

    /// The blocks, for a kernel's borrow of its arguments.
    pub(crate) fn blocks(&self) -> &RefCell<Vec<CpuBlock>> {
        &self.0
    }

    /// Copies `bytes` in at `start`, which the caller has checked is in range.
    pub(crate) fn write(&self, start: u64, bytes: &[u8]) -> Result<()> {
        let at = start as usize;
        self.bytes_mut(|memory| memory[at..at + bytes.len()].copy_from_slice(bytes))
    }

    /// `[start, end)`, which the caller has checked is in range, copied
    /// straight into a `Vec<T>`.
    pub(crate) fn read_pod<T: Pod>(&self, start: u64, end: u64) -> Result<Vec<T>> {
        let blocks = self.0.try_borrow().map_err(|_| busy("read"))?;
        try_pod_vec(&bytemuck::cast_slice::<CpuBlock, u8>(&blocks)[start as usize..end as usize])
    }

    /// Runs `f` on the bytes, mutably.
    pub(crate) fn bytes_mut<R>(&self, f: impl FnOnce(&mut [u8]) -> R) -> Result<R> {
        let mut blocks = self.0.try_borrow_mut().map_err(|_| busy("write"))?;
        Ok(f(bytemuck::cast_slice_mut::<CpuBlock, u8>(&mut blocks)))
    }

    /// Frees the memory, unless a kernel is running on it.
    pub(crate) fn free(&self) {
        if let Ok(mut blocks) = self.0.try_borrow_mut() {
            *blocks = Vec::new();
        }
    }
}

/// What the CPU adapter says of itself.
pub(super) fn adapter_info() -> crate::AdapterInfo {
    crate::AdapterInfo {
        vendor: "wasi-webgpu".into(),
        architecture: "cpu".into(),
        device: "in-guest CPU".into(),
        description: "wasi-webgpu's in-guest CPU device: runs #[wasi_webgpu::kernel] kernels as Rust".into(),
        subgroup_min_size: 1,
        subgroup_max_size: 1,
        // Not WebGPU's fallback adapter (a full software WebGPU, see
        // `Instance::cpu_adapter`): it runs no WGSL.
        is_fallback_adapter: false,
    }
}

/// A CPU buffer's memory is borrowed only while a kernel runs on it, and a
/// kernel cannot reach the buffer's API; this covers a future that runs a
/// kernel being interleaved with another that uses it.
fn busy(operation: &'static str) -> Error {
    Error::UsageConflict { operation, reason: "the buffer is in use by a kernel running on the CPU device".into() }
}

/// Buffer work recorded by a CPU device's command encoder.
pub(crate) enum CpuCommand {
    /// `copy_buffer_to_buffer`, already checked.
    Copy {
        source: Rc<BufferShared>,
        source_offset: u64,
        destination: Rc<BufferShared>,
        destination_offset: u64,
        size: u64,
    },
    /// `clear_buffer`, already checked.
    Clear { buffer: Rc<BufferShared>, offset: u64, size: u64 },
    /// A `#[kernel]`'s `dispatch`, its arguments checked: the kernel's CPU
    /// translation over the buffers it holds, run on the device it holds.
    Kernel { device: crate::Device, run: CpuKernel },
}

/// A recorded CPU kernel, with its arguments, as the generated `dispatch`
/// boxes it.
pub type CpuKernel = Box<dyn Fn(&crate::Device) -> Result<()>>;

impl CpuCommand {
    /// Runs the command; its buffers were checked when it was recorded and
    /// again (alive, unmapped) by the submit.
    pub(crate) fn run(&self) -> Result<()> {
        match self {
            Self::Copy { source, source_offset, destination, destination_offset, size } => {
                let (from, to) = (memory(source)?, memory(destination)?);
                let (src, dst, len) = (*source_offset as usize, *destination_offset as usize, *size as usize);
                if std::ptr::eq(from, to) {
                    return to.bytes_mut(|bytes| bytes.copy_within(src..src + len, dst));
                }
                let from = from.0.try_borrow().map_err(|_| busy("read"))?;
                let from = &bytemuck::cast_slice::<CpuBlock, u8>(&from)[src..src + len];
                to.bytes_mut(|bytes| bytes[dst..dst + len].copy_from_slice(from))
            }
            Self::Clear { buffer, offset, size } => {
                let (start, len) = (*offset as usize, *size as usize);
                memory(buffer)?.bytes_mut(|bytes| bytes[start..start + len].fill(0))
            }
            Self::Kernel { device, run } => run(device),
        }
    }
}

/// A recorded buffer's memory; recording checked it belongs to the CPU device.
fn memory(buffer: &BufferShared) -> Result<&CpuMemory> {
    buffer.memory.cpu().ok_or(Error::DeviceMismatch("submit"))
}

//! The in-guest CPU device: a [`Device`](crate::Device) with no host device
//! behind it, whose buffers live in guest memory and whose kernels are the
//! Rust bodies of `#[wasi_webgpu::kernel]` functions, run by
//! [`crate::kernel_rt`]'s executor.
//!
//! Work recorded on its command encoders (buffer copies and clears, and the
//! kernels a `#[kernel]`'s `dispatch` records into a compute pass) runs at
//! `Queue::submit`, in order, as a GPU would run it; a `launch` runs its
//! kernel before it returns. Every GPU-only operation on it returns
//! [`Error::CpuDevice`](crate::Error::CpuDevice).

use std::cell::RefCell;
use std::rc::Rc;

use crate::buffer::{BufferShared, CpuBlock};
use crate::{Error, Result};

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
                    return destination.cpu_bytes_mut(to, |bytes| bytes.copy_within(src..src + len, dst));
                }
                let from = from.try_borrow().map_err(|_| source.busy("read"))?;
                let from = &bytemuck::cast_slice::<CpuBlock, u8>(&from)[src..src + len];
                destination.cpu_bytes_mut(to, |bytes| bytes[dst..dst + len].copy_from_slice(from))
            }
            Self::Clear { buffer, offset, size } => {
                let (start, len) = (*offset as usize, *size as usize);
                buffer.cpu_bytes_mut(memory(buffer)?, |bytes| bytes[start..start + len].fill(0))
            }
            Self::Kernel { device, run } => run(device),
        }
    }
}

/// A recorded buffer's memory; recording checked it belongs to the CPU device.
fn memory(buffer: &BufferShared) -> Result<&RefCell<Vec<CpuBlock>>> {
    buffer.cpu_memory().ok_or(Error::DeviceMismatch("submit"))
}

//! [`Queue`]: WebGPU's `GPUQueue`.

use std::rc::Rc;

use bytemuck::Pod;

use crate::backend::WRITE_CHUNK;
use crate::buffer::{BufferShared, COPY_BUFFER_ALIGNMENT, check_aligned, check_same_device};
use crate::device::{DeviceShared, same_device};
use crate::{Buffer, BufferUsages, CommandBuffer, Result};

/// Runs recorded work and writes buffers. Corresponds to WebGPU's
/// [`GPUQueue`](https://www.w3.org/TR/webgpu/#gpuqueue).
///
/// Obtained with its device from
/// [`Adapter::request_device`](crate::Adapter::request_device). Work runs in
/// submission order; queue writes take effect before work submitted after
/// them. A cheap handle: clones share the queue.
#[derive(Clone)]
pub struct Queue {
    pub(crate) shared: Rc<DeviceShared>,
}

impl Queue {
    pub(crate) fn from_shared(shared: Rc<DeviceShared>) -> Self {
        Self { shared }
    }

    /// Writes `data` into `buffer` at byte `offset`. Corresponds to WebGPU's
    /// [`writeBuffer`](https://www.w3.org/TR/webgpu/#dom-gpuqueue-writebuffer).
    ///
    /// The buffer needs `COPY_DST` and must be unmapped; the offset and the
    /// byte length of `data` must be multiples of [`COPY_BUFFER_ALIGNMENT`].
    pub fn write_buffer<T: Pod>(&self, buffer: &Buffer<T>, offset: u64, data: &[T]) -> Result<()> {
        check_same_device(&buffer.shared, &self.shared, "write_buffer")?;
        write_bytes(&buffer.shared, offset, bytemuck::cast_slice(data))?;
        #[cfg(feature = "trace")]
        crate::trace::with(&self.shared, |r| {
            r.write(Rc::as_ptr(&buffer.shared) as usize, offset, bytemuck::cast_slice(data))
        });
        Ok(())
    }

    /// Runs command buffers on the GPU, in order. Corresponds to WebGPU's
    /// [`submit`](https://www.w3.org/TR/webgpu/#dom-gpuqueue-submit).
    ///
    /// Fails, submitting nothing, when a buffer the work uses is mapped or
    /// destroyed.
    pub fn submit<I: IntoIterator<Item = CommandBuffer>>(&self, command_buffers: I) -> Result<()> {
        submit(&self.shared, command_buffers.into_iter().collect())
    }

    /// Waits until the GPU has finished all work submitted so far.
    /// Corresponds to WebGPU's
    /// [`onSubmittedWorkDone`](https://www.w3.org/TR/webgpu/#dom-gpuqueue-onsubmittedworkdone).
    ///
    /// On the CPU device work is done when `submit` returns.
    pub async fn on_submitted_work_done(&self) {
        self.shared.backend.on_submitted_work_done().await;
    }
}

pub(crate) fn write_bytes(buffer: &BufferShared, offset: u64, bytes: &[u8]) -> Result<()> {
    const OP: &str = "write_buffer";
    buffer.check_gpu_usable(OP)?;
    buffer.check_usage(OP, BufferUsages::COPY_DST)?;
    check_aligned(OP, "offset", offset, COPY_BUFFER_ALIGNMENT)?;
    check_aligned(OP, "data size", bytes.len() as u64, COPY_BUFFER_ALIGNMENT)?;
    buffer.check_range(OP, offset, bytes.len() as u64)?;
    crate::backend::write_buffer(buffer, offset, bytes)
}

/// [`write_bytes`] of `bytes` followed by zeros up to the next multiple of
/// [`COPY_BUFFER_ALIGNMENT`], for a write that ends in a buffer's padding:
/// past one piece, the aligned part goes as it is and the last few bytes
/// padded on their own, so nothing user-sized is copied in the guest.
pub(crate) fn write_bytes_padded(buffer: &BufferShared, offset: u64, bytes: &[u8]) -> Result<()> {
    if bytes.len() < WRITE_CHUNK {
        // One call, as for any small write; the copy is small.
        let mut padded = bytes.to_vec();
        padded.resize(bytes.len().next_multiple_of(COPY_BUFFER_ALIGNMENT as usize), 0);
        return write_bytes(buffer, offset, &padded);
    }
    let whole = bytes.len() - bytes.len() % COPY_BUFFER_ALIGNMENT as usize;
    let (aligned, rest) = bytes.split_at(whole);
    write_bytes(buffer, offset, aligned)?;
    if !rest.is_empty() {
        let mut last = [0; COPY_BUFFER_ALIGNMENT as usize];
        last[..rest.len()].copy_from_slice(rest);
        write_bytes(buffer, offset + whole as u64, &last)?;
    }
    Ok(())
}

pub(crate) fn submit(device: &Rc<DeviceShared>, command_buffers: Vec<CommandBuffer>) -> Result<()> {
    for buffer in &command_buffers {
        same_device(&buffer.device, device, "submit")?;
        buffer.used.check_submittable()?;
    }
    crate::backend::submit(device, &command_buffers)
}

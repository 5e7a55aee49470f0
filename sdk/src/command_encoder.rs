//! [`CommandEncoder`]: WebGPU's `GPUCommandEncoder`.

use std::rc::Rc;

use bytemuck::Pod;

use crate::backend::Recording;
use crate::bindings::webgpu as raw;
use crate::buffer::{BufferShared, COPY_BUFFER_ALIGNMENT, check_aligned, check_same_device};
use crate::command_buffer::UsedResources;
use crate::device::DeviceShared;
use crate::{Buffer, BufferUsages, CommandBuffer, ComputePass, ComputePassDescriptor, Error, Result};

/// Describes a [`CommandEncoder`]. Corresponds to WebGPU's
/// [`GPUCommandEncoderDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpucommandencoderdescriptor).
#[derive(Debug, Clone, Default)]
pub struct CommandEncoderDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
}

/// Records GPU work: compute passes, copies and clears. Corresponds to
/// WebGPU's [`GPUCommandEncoder`](https://www.w3.org/TR/webgpu/#gpucommandencoder).
///
/// Each recording method checks its arguments in the guest and returns an
/// [`Error`] without recording anything when they are wrong, so the encoder
/// stays usable. [`finish`](Self::finish) has the host validate the whole
/// recording and yields a [`CommandBuffer`] for
/// [`Queue::submit`](crate::Queue::submit).
pub struct CommandEncoder {
    pub(crate) recording: Recording,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) used: UsedResources,
    /// The creating [`Device`](crate::Device)'s kernel pipeline cache, so
    /// [`ComputePass::device`](crate::ComputePass::device) hands out a
    /// device that shares it without allocating on every dispatch.
    pub(crate) kernels: Rc<crate::kernel_rt::KernelCache>,
}

impl CommandEncoder {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &CommandEncoderDescriptor<'_>) -> Self {
        Self {
            recording: Recording::new(&device.backend, descriptor.label),
            device: device.clone(),
            used: UsedResources::default(),
            kernels: Default::default(),
        }
    }

    /// The host's encoder, for a GPU-only `operation`.
    pub(crate) fn raw(&self, operation: &'static str) -> Result<&raw::GpuCommandEncoder> {
        self.recording.host(operation)
    }

    /// Starts a compute pass. The pass borrows the encoder until it ends,
    /// by [`ComputePass::end`] or by being dropped.
    pub fn begin_compute_pass(&mut self, descriptor: &ComputePassDescriptor<'_>) -> ComputePass<'_> {
        ComputePass::new(self, descriptor)
    }

    /// Copies `size` bytes from `source` at byte `source_offset` to
    /// `destination` at byte `destination_offset`. Corresponds to WebGPU's
    /// [`copyBufferToBuffer`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-copybuffertobuffer).
    ///
    /// Offsets and size must be multiples of [`COPY_BUFFER_ALIGNMENT`],
    /// `source` needs `COPY_SRC`, `destination` needs `COPY_DST`, and the two
    /// must be different buffers.
    pub fn copy_buffer_to_buffer<S: Pod, D: Pod>(
        &mut self,
        source: &Buffer<S>,
        source_offset: u64,
        destination: &Buffer<D>,
        destination_offset: u64,
        size: u64,
    ) -> Result<()> {
        self.copy_raw(&source.shared, source_offset, &destination.shared, destination_offset, size)
    }

    pub(crate) fn copy_raw(
        &mut self,
        source: &Rc<BufferShared>,
        source_offset: u64,
        destination: &Rc<BufferShared>,
        destination_offset: u64,
        size: u64,
    ) -> Result<()> {
        const OP: &str = "copy_buffer_to_buffer";
        check_same_device(source, &self.device, OP)?;
        check_same_device(destination, &self.device, OP)?;
        if Rc::ptr_eq(source, destination) {
            return Err(Error::UsageConflict {
                operation: OP,
                reason: "source and destination are the same buffer".into(),
            });
        }
        source.check_usage(OP, BufferUsages::COPY_SRC)?;
        destination.check_usage(OP, BufferUsages::COPY_DST)?;
        check_aligned(OP, "source offset", source_offset, COPY_BUFFER_ALIGNMENT)?;
        check_aligned(OP, "destination offset", destination_offset, COPY_BUFFER_ALIGNMENT)?;
        check_aligned(OP, "size", size, COPY_BUFFER_ALIGNMENT)?;
        source.check_range(OP, source_offset, size)?;
        destination.check_range(OP, destination_offset, size)?;
        self.recording.copy(source, source_offset, destination, destination_offset, size)?;
        self.used.add_buffer(source);
        self.used.add_buffer(destination);
        Ok(())
    }

    /// Fills `size` bytes of `buffer` from byte `offset` with zeros; `None`
    /// clears to the end. Corresponds to WebGPU's
    /// [`clearBuffer`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-clearbuffer).
    ///
    /// The buffer needs `COPY_DST`; offset and size must be multiples of
    /// [`COPY_BUFFER_ALIGNMENT`].
    pub fn clear_buffer<T: Pod>(&mut self, buffer: &Buffer<T>, offset: u64, size: Option<u64>) -> Result<()> {
        const OP: &str = "clear_buffer";
        let shared = &buffer.shared;
        check_same_device(shared, &self.device, OP)?;
        shared.check_usage(OP, BufferUsages::COPY_DST)?;
        check_aligned(OP, "offset", offset, COPY_BUFFER_ALIGNMENT)?;
        let size = match size {
            Some(size) => size,
            None => shared.size.checked_sub(offset).ok_or(Error::OutOfBounds {
                operation: OP,
                start: offset,
                end: offset,
                size: shared.size,
            })?,
        };
        check_aligned(OP, "size", size, COPY_BUFFER_ALIGNMENT)?;
        shared.check_range(OP, offset, size)?;
        self.recording.clear(shared, offset, size)?;
        self.used.add_buffer(shared);
        Ok(())
    }

    /// Ends recording. Corresponds to WebGPU's
    /// [`finish`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-finish).
    ///
    /// `async` because it asks the host whether the recording is valid: a
    /// recording the guest could not fully check (for example a bind group
    /// that does not fit an `auto` layout) is an [`Error::Validation`] here,
    /// never a command buffer that would fail on submit.
    pub async fn finish(self) -> Result<CommandBuffer> {
        let Self { recording, device, used, .. } = self;
        let recorded = recording.finish(&device).await?;
        Ok(CommandBuffer { recorded, device, used })
    }
}

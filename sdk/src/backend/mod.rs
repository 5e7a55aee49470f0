//! The seam between WebGPU's rules and what runs the work.
//!
//! The spec types ([`Device`](crate::Device), [`Buffer`](crate::Buffer),
//! [`CommandEncoder`](crate::CommandEncoder), [`ComputePass`],
//! [`Queue`](crate::Queue), ...) check every call once, the same way for
//! both devices. What differs between the host's GPU, reached through
//! wasi:webgpu ([`host`]), and the in-guest CPU device ([`cpu`]) lives in
//! the types here, each one object's share of a backend: a device's handles
//! ([`DeviceBackend`]), a buffer's memory ([`BufferMemory`]), an encoder's
//! recording ([`Recording`]), a command buffer's recorded work
//! ([`Recorded`]) and a compute pass's ([`PassRecording`]). Every choice
//! between the two backends is made in this module, as wgpu keeps its
//! backends behind `wgpu/src/backend/`.
//!
//! A GPU-only operation (a WGSL shader, a pipeline, a render pass, a
//! texture) asks for the host object under its own name and gets
//! [`Error::CpuDevice`] on the CPU device.

use std::future::Future;
use std::rc::Rc;

use bytemuck::Pod;

use crate::bindings::webgpu as raw;
use crate::buffer::{BufferShared, MapMode};
use crate::device::DeviceShared;
use crate::verdict::Verdict;
use crate::{
    AdapterInfo, BufferUsages, CommandBuffer, ComputePass, ComputePassDescriptor, Device, DeviceDescriptor, Error,
    Result,
};

pub(crate) mod cpu;
mod host;

pub(crate) use cpu::{CpuCommand, CpuMemory};
pub(crate) use host::WRITE_CHUNK;

/// An adapter's backend: the host's adapter, or the in-guest CPU adapter.
pub(crate) enum AdapterBackend {
    Host(raw::GpuAdapter),
    Cpu,
}

impl AdapterBackend {
    pub(crate) fn is_cpu(&self) -> bool {
        matches!(self, Self::Cpu)
    }

    pub(crate) fn info(&self) -> AdapterInfo {
        match self {
            Self::Host(raw) => AdapterInfo::from_raw(&raw.info()),
            Self::Cpu => cpu::adapter_info(),
        }
    }

    /// Opens a device with `descriptor`, whose features and limits the
    /// caller has checked against the adapter's.
    pub(crate) async fn request_device(&self, descriptor: &DeviceDescriptor<'_>) -> Result<DeviceBackend> {
        match self {
            Self::Host(raw) => {
                let raw_descriptor = raw::GpuDeviceDescriptor {
                    required_features: Some(descriptor.required_features.to_raw()),
                    required_limits: descriptor.required_limits.to_raw(),
                    default_queue: None,
                    label: descriptor.label.map(str::to_owned),
                };
                let device =
                    raw.request_device(Some(raw_descriptor)).await.map_err(|e| Error::RequestDevice(e.message))?;
                Ok(DeviceBackend::host(device))
            }
            Self::Cpu => Ok(DeviceBackend::Cpu),
        }
    }
}

/// A device's backend: the host's device and queue, or the CPU device.
pub(crate) enum DeviceBackend {
    /// A device of the host.
    Host { device: raw::GpuDevice, queue: raw::GpuQueue },
    /// The in-guest CPU device, which has no host object behind it.
    Cpu,
}

impl DeviceBackend {
    pub(crate) fn host(device: raw::GpuDevice) -> Self {
        let queue = device.queue();
        Self::Host { device, queue }
    }

    pub(crate) fn is_cpu(&self) -> bool {
        matches!(self, Self::Cpu)
    }

    /// The host's device, for a GPU-only `operation`.
    pub(crate) fn device(&self, operation: &'static str) -> Result<&raw::GpuDevice> {
        match self {
            Self::Host { device, .. } => Ok(device),
            Self::Cpu => Err(Error::CpuDevice { operation }),
        }
    }

    /// The host's queue, for a GPU-only `operation`.
    pub(crate) fn queue(&self, operation: &'static str) -> Result<&raw::GpuQueue> {
        match self {
            Self::Host { queue, .. } => Ok(queue),
            Self::Cpu => Err(Error::CpuDevice { operation }),
        }
    }

    /// Has the host run the queue writes it keeps until the next submit;
    /// the CPU device writes at once.
    pub(crate) fn flush_writes(&self) {
        if let Self::Host { queue, .. } = self {
            queue.submit(&[]);
        }
    }

    /// `f`'s value, or the first error the host reported while it ran; see
    /// [`DeviceShared::capture`]. The CPU device reports every error
    /// directly.
    pub(crate) async fn capture<T>(&self, f: impl FnOnce() -> T) -> Result<T> {
        match self {
            Self::Host { device, .. } => host::capture(device, f).await,
            Self::Cpu => Ok(f()),
        }
    }

    /// Pushes a host error scope; the CPU device's scopes stay empty, since
    /// it reports every error directly.
    pub(crate) fn push_error_scope(&self, filter: raw::GpuErrorFilter) {
        if let Self::Host { device, .. } = self {
            device.push_error_scope(filter);
        }
    }

    /// Pops a host error scope: the error it captured, if any.
    pub(crate) async fn pop_error_scope(&self) -> Result<Option<Error>> {
        match self {
            Self::Host { device, .. } => match device.pop_error_scope().await {
                Ok(error) => Ok(error.as_ref().map(crate::device::error_from_raw)),
                Err(_) => Err(Error::ErrorScopeStackEmpty),
            },
            Self::Cpu => Ok(None),
        }
    }

    /// Waits for the host's queue; CPU work is done when its submit returns.
    pub(crate) async fn on_submitted_work_done(&self) {
        if let Self::Host { queue, .. } = self {
            queue.on_submitted_work_done().await;
        }
    }
}

/// Runs `command_buffers`, already checked (same device, buffers alive and
/// unmapped): the CPU device's recorded commands in order, or one host submit.
pub(crate) fn submit(device: &DeviceShared, command_buffers: &[CommandBuffer]) -> Result<()> {
    match &device.backend {
        DeviceBackend::Cpu => {
            for recorded in command_buffers.iter().map(|b| &b.recorded) {
                if let Recorded::Cpu(commands) = recorded {
                    commands.iter().try_for_each(CpuCommand::run)?;
                }
            }
        }
        DeviceBackend::Host { queue, .. } => {
            let raws: Vec<&raw::GpuCommandBuffer> = command_buffers
                .iter()
                .filter_map(|b| match &b.recorded {
                    Recorded::Host(raw) => Some(raw),
                    Recorded::Cpu(_) => None,
                })
                .collect();
            queue.submit(&raws);
            device.note_submitted();
        }
    }
    Ok(())
}

/// Where a buffer's bytes live.
pub(crate) enum BufferMemory {
    /// A host buffer.
    Host(raw::GpuBuffer),
    /// Guest memory of the CPU device.
    Cpu(CpuMemory),
    /// A host buffer handed back to its device's staging slot by a buffer
    /// that is being dropped ([`take_host`](Self::take_host)).
    Released,
}

impl BufferMemory {
    /// Memory for a buffer of `size` bytes on `device`, and whether it was
    /// made: zeroed guest memory on the CPU device, else a host buffer.
    pub(crate) fn create(
        device: &Rc<DeviceShared>,
        operation: &'static str,
        size: u64,
        usage: BufferUsages,
        mapped: bool,
        label: Option<&str>,
    ) -> Result<(Self, Verdict)> {
        match device.backend {
            DeviceBackend::Cpu => Ok((Self::Cpu(CpuMemory::zeroed(size)?), Verdict::valid())),
            DeviceBackend::Host { .. } => {
                let (raw, created) = host::create_buffer(device, operation, size, usage, mapped, label)?;
                Ok((Self::Host(raw), created))
            }
        }
    }

    /// The host buffer, for a GPU-only `operation`.
    pub(crate) fn host(&self, operation: &'static str) -> Result<&raw::GpuBuffer> {
        match self {
            Self::Host(raw) => Ok(raw),
            Self::Cpu(_) => Err(Error::CpuDevice { operation }),
            Self::Released => Err(released(operation)),
        }
    }

    /// The guest memory of a CPU device's buffer, for the CPU device's
    /// commands and kernels.
    pub(crate) fn cpu(&self) -> Option<&CpuMemory> {
        match self {
            Self::Cpu(memory) => Some(memory),
            Self::Host(_) | Self::Released => None,
        }
    }

    /// Maps `[start, end)`. The CPU device's work has run by the time it is
    /// submitted, so its buffers map at once.
    pub(crate) async fn map(&self, mode: MapMode, start: u64, end: u64) -> Result<()> {
        match self {
            Self::Host(raw) => host::map(raw, mode, start, end).await,
            Self::Cpu(_) => Ok(()),
            Self::Released => Err(released("map_async")),
        }
    }

    /// The mapped bytes `[start, end)`, which the caller has checked are
    /// mapped, at most one host call's worth.
    pub(crate) fn get_mapped(&self, start: u64, end: u64) -> Result<Vec<u8>> {
        match self {
            Self::Host(raw) => host::get_mapped(raw, start, end),
            Self::Cpu(memory) => memory.read_pod(start, end),
            Self::Released => Err(released("get_mapped_range")),
        }
    }

    /// Writes `bytes` into the mapping at `start`, 8-byte aligned.
    pub(crate) fn set_mapped(&self, start: u64, bytes: &[u8]) -> Result<()> {
        match self {
            Self::Host(raw) => host::set_mapped(raw, start, bytes),
            Self::Cpu(memory) => memory.write(start, bytes),
            Self::Released => Err(released("get_mapped_range")),
        }
    }

    /// Ends the host's mapping.
    pub(crate) fn unmap(&self) -> Result<()> {
        match self {
            Self::Host(raw) => raw.unmap().map_err(|e| Error::Map(e.message)),
            Self::Cpu(_) | Self::Released => Ok(()),
        }
    }

    /// Frees the memory, once submitted work that uses it is done. A host
    /// buffer the host failed to create is not passed back to it.
    pub(crate) fn destroy(&self, created: &Verdict) {
        match self {
            Self::Host(_) if created.failed() => {}
            Self::Host(raw) => raw.destroy(),
            Self::Cpu(memory) => memory.free(),
            Self::Released => {}
        }
    }

    /// The host buffer, leaving [`Released`](Self::Released) so that
    /// dropping its `BufferShared` frees nothing.
    pub(crate) fn take_host(&mut self) -> Option<raw::GpuBuffer> {
        match std::mem::replace(self, Self::Released) {
            Self::Host(raw) => Some(raw),
            other => {
                *self = other;
                None
            }
        }
    }
}

fn released(operation: &'static str) -> Error {
    Error::Internal(format!("{operation}: the buffer's memory went back to its device"))
}

/// A queue write of `bytes` into `buffer` at `offset`, all checked: into
/// guest memory at once on the CPU device (which runs work at submit, so
/// the write comes before later work, as WebGPU orders it), else in pieces
/// the host runs at the next submit.
pub(crate) fn write_buffer(buffer: &BufferShared, offset: u64, bytes: &[u8]) -> Result<()> {
    const OP: &str = "write_buffer";
    match &buffer.memory {
        BufferMemory::Cpu(memory) => memory.write(offset, bytes),
        BufferMemory::Host(_) | BufferMemory::Released => {
            let written = host::write_buffer(buffer.device.queue(OP)?, buffer.raw(OP)?, offset, bytes);
            // Pieces written before a failing one stay queued, so the device
            // must flush them either way.
            buffer.device.note_unflushed_writes();
            written
        }
    }
}

/// `[start, end)` of a `COPY_SRC` buffer that cannot be mapped, checked:
/// straight from guest memory on the CPU device, else copied through a
/// staging buffer.
pub(crate) async fn read_copy_src<T: Pod>(buffer: &Rc<BufferShared>, start: u64, end: u64) -> Result<Vec<T>> {
    match &buffer.memory {
        BufferMemory::Cpu(memory) => memory.read_pod(start, end),
        BufferMemory::Host(_) | BufferMemory::Released => crate::buffer::read_via_staging(buffer, start, end).await,
    }
}

/// What a [`CommandEncoder`](crate::CommandEncoder) records into.
pub(crate) enum Recording {
    /// The host's encoder.
    Host(raw::GpuCommandEncoder),
    /// The CPU device's commands, run at submit.
    Cpu(Vec<CpuCommand>),
}

impl Recording {
    pub(crate) fn new(device: &DeviceBackend, label: Option<&str>) -> Self {
        match device {
            DeviceBackend::Host { device, .. } => {
                Self::Host(device.create_command_encoder(Some(&raw::GpuCommandEncoderDescriptor {
                    label: label.map(str::to_owned),
                })))
            }
            DeviceBackend::Cpu => Self::Cpu(Vec::new()),
        }
    }

    /// The host's encoder, for a GPU-only `operation`.
    pub(crate) fn host(&self, operation: &'static str) -> Result<&raw::GpuCommandEncoder> {
        match self {
            Self::Host(raw) => Ok(raw),
            Self::Cpu(_) => Err(Error::CpuDevice { operation }),
        }
    }

    /// Records a checked `copy_buffer_to_buffer`.
    pub(crate) fn copy(
        &mut self,
        source: &Rc<BufferShared>,
        source_offset: u64,
        destination: &Rc<BufferShared>,
        destination_offset: u64,
        size: u64,
    ) -> Result<()> {
        const OP: &str = "copy_buffer_to_buffer";
        match self {
            Self::Host(raw) => raw.copy_buffer_to_buffer(
                source.raw(OP)?,
                Some(source_offset),
                destination.raw(OP)?,
                Some(destination_offset),
                Some(size),
            ),
            Self::Cpu(commands) => commands.push(CpuCommand::Copy {
                source: source.clone(),
                source_offset,
                destination: destination.clone(),
                destination_offset,
                size,
            }),
        }
        Ok(())
    }

    /// Records a checked `clear_buffer`.
    pub(crate) fn clear(&mut self, buffer: &Rc<BufferShared>, offset: u64, size: u64) -> Result<()> {
        match self {
            Self::Host(raw) => raw.clear_buffer(buffer.raw("clear_buffer")?, Some(offset), Some(size)),
            Self::Cpu(commands) => commands.push(CpuCommand::Clear { buffer: buffer.clone(), offset, size }),
        }
        Ok(())
    }

    /// Records a CPU kernel; only the CPU device's `#[kernel]` dispatches
    /// make one.
    pub(crate) fn push_cpu(&mut self, command: CpuCommand) -> Result<()> {
        match self {
            Self::Cpu(commands) => {
                commands.push(command);
                Ok(())
            }
            Self::Host(_) => Err(Error::DeviceMismatch("dispatch")),
        }
    }

    /// Begins a compute pass.
    pub(crate) fn begin_compute_pass(
        &self,
        device: &Rc<DeviceShared>,
        descriptor: &ComputePassDescriptor<'_>,
    ) -> PassRecording {
        match self {
            Self::Host(raw) => {
                let pass = raw.begin_compute_pass(Some(&raw::GpuComputePassDescriptor {
                    timestamp_writes: descriptor
                        .timestamp_writes
                        .map(crate::ComputePassTimestampWrites::to_raw_compute),
                    label: descriptor.label.map(str::to_owned),
                }));
                #[cfg(feature = "trace")]
                crate::trace::with(device, |r| r.begin_pass());
                PassRecording::Host(pass)
            }
            Self::Cpu(_) => {
                let _ = device;
                PassRecording::Cpu
            }
        }
    }

    /// Ends recording; the host validates its recording here.
    pub(crate) async fn finish(self, device: &DeviceShared) -> Result<Recorded> {
        match self {
            Self::Host(raw) => Ok(Recorded::Host(device.capture(|| raw.finish(None)).await?)),
            Self::Cpu(commands) => Ok(Recorded::Cpu(commands)),
        }
    }
}

/// A [`CommandBuffer`]'s work.
pub(crate) enum Recorded {
    /// The host's command buffer.
    Host(raw::GpuCommandBuffer),
    /// The CPU device's commands, run at submit.
    Cpu(Vec<CpuCommand>),
}

/// What a [`ComputePass`] records into. The CPU device records only
/// `#[kernel]` dispatches, into the encoder ([`Recording::push_cpu`]).
pub(crate) enum PassRecording {
    /// The host's pass encoder.
    Host(raw::GpuComputePassEncoder),
    /// A pass of the CPU device, where WGSL pipelines cannot run.
    Cpu,
}

impl PassRecording {
    /// The host's pass encoder, for a GPU-only `operation`.
    pub(crate) fn host(&self, operation: &'static str) -> Result<&raw::GpuComputePassEncoder> {
        match self {
            Self::Host(raw) => Ok(raw),
            Self::Cpu => Err(Error::CpuDevice { operation }),
        }
    }

    /// Ends the host's pass.
    pub(crate) fn end(&self, device: &Rc<DeviceShared>) {
        if let Self::Host(raw) = self {
            raw.end();
            #[cfg(feature = "trace")]
            crate::trace::with(device, |r| r.end_pass());
        }
        let _ = device;
    }
}

/// A `#[kernel]`'s `launch` after its checks: `cpu`, the kernel's Rust
/// translation, on the CPU device, else `gpu`, its WGSL launch. Both get
/// the launch's arguments, `args`.
pub async fn launch<A, F>(
    device: &Device,
    args: A,
    cpu: impl FnOnce(A) -> Result<()>,
    gpu: impl FnOnce(A) -> F,
) -> Result<()>
where
    F: Future<Output = Result<()>>,
{
    match device.shared.backend {
        DeviceBackend::Cpu => cpu(args),
        DeviceBackend::Host { .. } => gpu(args).await,
    }
}

/// A `#[kernel]`'s `dispatch` after its checks: `cpu` records the kernel's
/// Rust translation into `pass` on the CPU device (see
/// [`record_cpu`](cpu::kernel::record_cpu)), else `gpu` records its WGSL
/// dispatch.
pub async fn dispatch<'p, 'e, A, F>(
    pass: &'p mut ComputePass<'e>,
    args: A,
    cpu: impl FnOnce(&'p mut ComputePass<'e>, A) -> Result<()>,
    gpu: impl FnOnce(&'p mut ComputePass<'e>, A) -> F,
) -> Result<()>
where
    F: Future<Output = Result<()>>,
{
    if pass.device_shared().backend.is_cpu() { cpu(pass, args) } else { gpu(pass, args).await }
}

//! [`ComputePass`]: WebGPU's `GPUComputePassEncoder`.

use std::rc::Rc;

use bytemuck::Pod;

use crate::backend::PassRecording;
use crate::bind_group::{BindGroupShared, check_bound_groups, check_set_bind_group};
use crate::buffer::{BufferShared, check_aligned, check_same_device};
use crate::compute_pipeline::ComputePipelineShared;
use crate::device::{DeviceShared, same_device};
use crate::{BindGroup, Buffer, BufferUsages, CommandEncoder, ComputePipeline, Error, Result};

/// Describes a [`ComputePass`]. Corresponds to WebGPU's
/// [`GPUComputePassDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpucomputepassdescriptor).
#[derive(Debug, Clone, Default)]
pub struct ComputePassDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// Where the pass writes timestamps, if anywhere: a
    /// [`QueryType::Timestamp`](crate::QueryType::Timestamp) set, which
    /// needs [`Features::TIMESTAMP_QUERY`](crate::Features::TIMESTAMP_QUERY).
    /// Writes the host rejects are an [`Error::Validation`] from
    /// [`CommandEncoder::finish`].
    pub timestamp_writes: Option<crate::ComputePassTimestampWrites<'a>>,
}

/// Records compute dispatches. Corresponds to WebGPU's
/// [`GPUComputePassEncoder`](https://www.w3.org/TR/webgpu/#gpucomputepassencoder).
///
/// Borrows its [`CommandEncoder`] until it ends, by [`end`](Self::end) or by
/// being dropped. Each dispatch is checked in the guest against the set
/// pipeline and bind groups (presence, layout compatibility, dynamic offsets,
/// conflicting buffer use, workgroup limits); a failed check returns an
/// [`Error`] and records nothing.
///
/// Setting the pipeline or bind group that is already set is free: the call
/// does not reach the host.
pub struct ComputePass<'a> {
    /// On the CPU device every recording call but a `#[kernel]`'s
    /// `dispatch` is an [`Error::CpuDevice`].
    raw: PassRecording,
    encoder: &'a mut CommandEncoder,
    pipeline: Option<Rc<ComputePipelineShared>>,
    groups: Vec<Option<(Rc<BindGroupShared>, Vec<u32>)>>,
    /// Whether the current pipeline and groups passed the dispatch checks.
    checked: bool,
    ended: bool,
}

impl<'a> ComputePass<'a> {
    pub(crate) fn new(encoder: &'a mut CommandEncoder, descriptor: &ComputePassDescriptor<'_>) -> Self {
        let raw = encoder.recording.begin_compute_pass(&encoder.device, descriptor);
        let slots = encoder.device.limits.max_bind_groups as usize;
        Self { raw, encoder, pipeline: None, groups: vec![None; slots], checked: false, ended: false }
    }

    /// The device this pass records for. It shares the creating device's
    /// `#[kernel]` pipeline cache, and getting it allocates nothing.
    pub fn device(&self) -> crate::Device {
        crate::Device { shared: self.encoder.device.clone(), kernels: self.encoder.kernels.clone() }
    }

    /// Sets the pipeline for the following dispatches.
    pub fn set_pipeline(&mut self, pipeline: &ComputePipeline) -> Result<()> {
        const OP: &str = "set_pipeline";
        let raw = gpu(&self.raw, OP)?;
        same_device(&pipeline.shared.device, &self.encoder.device, OP)?;
        if self.pipeline.as_ref().is_some_and(|p| Rc::ptr_eq(p, &pipeline.shared)) {
            return Ok(());
        }
        raw.set_pipeline(&pipeline.shared.raw);
        #[cfg(feature = "trace")]
        crate::trace::with(&self.encoder.device, |r| r.set_pipeline(pipeline.shared.id));
        self.pipeline = Some(pipeline.shared.clone());
        self.checked = false;
        Ok(())
    }

    /// Sets `@group(index)` for the following dispatches, with one dynamic
    /// offset (in bytes) per dynamic-offset entry of its layout, in binding
    /// order.
    pub fn set_bind_group(&mut self, index: u32, bind_group: &BindGroup, offsets: &[u32]) -> Result<()> {
        const OP: &str = "set_bind_group";
        gpu(&self.raw, OP)?;
        let group = &bind_group.shared;
        if !check_set_bind_group(&self.encoder.device, &self.groups, index, group, offsets)? {
            return Ok(());
        }
        gpu(&self.raw, OP)?
            .set_bind_group(index, Some(&group.raw), Some(offsets), None, None)
            .map_err(|e| Error::BindGroup(e.message))?;
        #[cfg(feature = "trace")]
        crate::trace::with(&self.encoder.device, |r| r.set_bind_group(index, Rc::as_ptr(group) as usize, offsets));
        self.groups[index as usize] = Some((group.clone(), offsets.to_vec()));
        self.encoder.used.add_group(group);
        self.checked = false;
        Ok(())
    }

    /// Runs `x * y * z` workgroups of the pipeline's shader. Corresponds to
    /// WebGPU's
    /// [`dispatchWorkgroups`](https://www.w3.org/TR/webgpu/#dom-gpucomputepassencoder-dispatchworkgroups).
    ///
    /// Each count must be at most the device's
    /// `max_compute_workgroups_per_dimension`.
    pub fn dispatch_workgroups(&mut self, x: u32, y: u32, z: u32) -> Result<()> {
        const OP: &str = "dispatch_workgroups";
        gpu(&self.raw, OP)?;
        let max = self.encoder.device.limits.max_compute_workgroups_per_dimension;
        if let Some(&count) = [x, y, z].iter().find(|&&c| c > max) {
            return Err(Error::OverLimit {
                what: "workgroup count",
                value: count.into(),
                limit: "maxComputeWorkgroupsPerDimension",
                max: max.into(),
            });
        }
        self.check_state(None)?;
        gpu(&self.raw, OP)?.dispatch_workgroups(x, Some(y), Some(z));
        #[cfg(feature = "trace")]
        crate::trace::with(&self.encoder.device, |r| r.dispatch(x, y, z));
        Ok(())
    }

    /// Runs workgroups counted by three `u32`s (x, y, z) that the GPU reads
    /// from `buffer` at byte `offset`. Corresponds to WebGPU's
    /// [`dispatchWorkgroupsIndirect`](https://www.w3.org/TR/webgpu/#dom-gpucomputepassencoder-dispatchworkgroupsindirect).
    ///
    /// The buffer needs `INDIRECT`; the offset must be a multiple of 4.
    pub fn dispatch_workgroups_indirect<T: Pod>(&mut self, buffer: &Buffer<T>, offset: u64) -> Result<()> {
        const OP: &str = "dispatch_workgroups_indirect";
        gpu(&self.raw, OP)?;
        let shared = &buffer.shared;
        check_same_device(shared, &self.encoder.device, OP)?;
        shared.check_usage(OP, BufferUsages::INDIRECT)?;
        check_aligned(OP, "offset", offset, 4)?;
        shared.check_range(OP, offset, 12)?;
        self.check_state(Some(shared))?;
        gpu(&self.raw, OP)?.dispatch_workgroups_indirect(shared.raw(OP)?, offset);
        self.encoder.used.add_buffer(shared);
        Ok(())
    }

    /// Records a CPU device's kernel, which runs at submit in order with the
    /// encoder's other work, and keeps `buffers` for submit to check.
    pub(crate) fn record_cpu(
        &mut self,
        buffers: &[&Rc<BufferShared>],
        command: crate::backend::CpuCommand,
    ) -> Result<()> {
        self.encoder.recording.push_cpu(command)?;
        buffers.iter().for_each(|buffer| self.encoder.used.add_buffer(buffer));
        Ok(())
    }

    /// The device's shared state, for the backend's choice of a kernel's
    /// translation.
    pub(crate) fn device_shared(&self) -> &DeviceShared {
        &self.encoder.device
    }

    /// Ends the pass, handing the encoder back. Dropping the pass does the
    /// same.
    pub fn end(mut self) {
        self.end_once();
    }

    fn end_once(&mut self) {
        if !std::mem::replace(&mut self.ended, true) {
            self.raw.end(&self.encoder.device);
        }
    }

    /// The checks WebGPU makes at dispatch, for what the guest knows.
    fn check_state(&mut self, indirect: Option<&Rc<BufferShared>>) -> Result<()> {
        let pipeline = self
            .pipeline
            .as_ref()
            .ok_or_else(|| Error::Dispatch("no pipeline is set; call set_pipeline first".into()))?;
        // With an explicit layout the pipeline uses exactly its groups; with
        // an auto layout the guest does not know which, so it checks only
        // what it can tell wrong and leaves the rest to the host's check at
        // finish.
        let used = pipeline.layout.as_ref().map(|layout| layout.groups.len());
        if !self.checked {
            check_bound_groups(pipeline.layout.as_ref(), pipeline.id, &self.groups, Error::Dispatch)?;
            if let Some(used) = used {
                check_conflicts(self.groups.iter().take(used), None)?;
            }
            self.checked = true;
        }
        if let (Some(used), Some(indirect)) = (used, indirect) {
            check_conflicts(self.groups.iter().take(used), Some(indirect))?;
        }
        Ok(())
    }
}

/// The host's pass encoder, for a GPU-only `operation`.
fn gpu<'r>(
    raw: &'r PassRecording,
    operation: &'static str,
) -> Result<&'r crate::bindings::webgpu::GpuComputePassEncoder> {
    raw.host(operation)
}

/// WebGPU forbids one dispatch to use a buffer both as writable storage and
/// in a read-only way (uniform, read-only storage, indirect arguments).
fn check_conflicts<'g>(
    groups: impl Iterator<Item = &'g Option<(Rc<BindGroupShared>, Vec<u32>)>> + Clone,
    indirect: Option<&Rc<BufferShared>>,
) -> Result<()> {
    // A dispatch binds a handful of buffers, so comparing pairs is cheaper
    // than hashing and allocates nothing: this runs at every dispatch after
    // a group changed.
    let bound = || {
        groups
            .clone()
            .enumerate()
            .filter_map(|(index, slot)| Some((index, &slot.as_ref()?.0)))
            .flat_map(|(index, group)| group.buffers.iter().map(move |b| (index, b)))
            .filter_map(|(group, b)| Some(((group, b), b.writable?)))
    };
    for (index, ((group, entry), writable)) in bound().enumerate() {
        let clashes = |other: &Rc<BufferShared>, other_writable: bool| {
            Rc::ptr_eq(&entry.buffer, other) && writable != other_writable
        };
        if indirect.is_some_and(|buffer| clashes(buffer, false))
            || bound().take(index).any(|((_, earlier), earlier_writable)| clashes(&earlier.buffer, earlier_writable))
        {
            return Err(Error::UsageConflict {
                operation: if indirect.is_some() { "dispatch_workgroups_indirect" } else { "dispatch_workgroups" },
                reason: format!(
                    "{} at @group({group}) @binding({}) is used both as read-write storage and read-only in one \
                     dispatch",
                    entry.buffer.argument(),
                    entry.binding
                ),
            });
        }
    }
    Ok(())
}

impl Drop for ComputePass<'_> {
    fn drop(&mut self) {
        self.end_once();
    }
}

//! What a render pass and a render bundle encoder share: the draw state
//! (pipeline, bind groups, vertex and index buffers) checked in the guest
//! before a draw reaches the host, over either host encoder.

use std::ops::Range;
use std::rc::Rc;

use bytemuck::Pod;

use crate::bind_group::{BindGroupShared, check_bound_groups, check_set_bind_group};
use crate::bindings::webgpu as raw;
use crate::buffer::{BufferShared, check_aligned, check_same_device};
use crate::command_buffer::UsedResources;
use crate::device::{DeviceShared, same_device};
use crate::render_pipeline::{AttachmentLayout, RenderPipelineShared, VertexStepMode};
use crate::{BindGroup, Buffer, BufferSlice, BufferUsages, Error, IndexFormat, RenderPipeline, Result};

/// The host encoders that record draws: a render pass or a render bundle
/// encoder, which wasi:webgpu gives the same methods.
pub(crate) trait RawRenderCommands {
    fn set_pipeline(&self, pipeline: &raw::GpuRenderPipeline);
    fn set_bind_group(&self, index: u32, group: &raw::GpuBindGroup, offsets: &[u32]) -> Result<()>;
    fn set_vertex_buffer(&self, slot: u32, buffer: &raw::GpuBuffer, offset: u64, size: Option<u64>);
    fn set_index_buffer(&self, buffer: &raw::GpuBuffer, format: raw::GpuIndexFormat, offset: u64, size: Option<u64>);
    fn draw(&self, vertices: Range<u32>, instances: Range<u32>);
    fn draw_indexed(&self, indices: Range<u32>, base_vertex: i32, instances: Range<u32>);
    fn draw_indirect(&self, buffer: &raw::GpuBuffer, offset: u64);
    fn draw_indexed_indirect(&self, buffer: &raw::GpuBuffer, offset: u64);
}

macro_rules! raw_render_commands {
    ($($ty:ty),*) => {$(
        impl RawRenderCommands for $ty {
            fn set_pipeline(&self, pipeline: &raw::GpuRenderPipeline) {
                <$ty>::set_pipeline(self, pipeline)
            }
            fn set_bind_group(&self, index: u32, group: &raw::GpuBindGroup, offsets: &[u32]) -> Result<()> {
                <$ty>::set_bind_group(self, index, Some(group), Some(offsets), None, None)
                    .map_err(|e| Error::BindGroup(e.message))
            }
            fn set_vertex_buffer(&self, slot: u32, buffer: &raw::GpuBuffer, offset: u64, size: Option<u64>) {
                <$ty>::set_vertex_buffer(self, slot, Some(buffer), Some(offset), size)
            }
            fn set_index_buffer(
                &self,
                buffer: &raw::GpuBuffer,
                format: raw::GpuIndexFormat,
                offset: u64,
                size: Option<u64>,
            ) {
                <$ty>::set_index_buffer(self, buffer, format, Some(offset), size)
            }
            fn draw(&self, vertices: Range<u32>, instances: Range<u32>) {
                <$ty>::draw(
                    self,
                    vertices.end - vertices.start,
                    Some(instances.end - instances.start),
                    Some(vertices.start),
                    Some(instances.start),
                )
            }
            fn draw_indexed(&self, indices: Range<u32>, base_vertex: i32, instances: Range<u32>) {
                <$ty>::draw_indexed(
                    self,
                    indices.end - indices.start,
                    Some(instances.end - instances.start),
                    Some(indices.start),
                    Some(base_vertex),
                    Some(instances.start),
                )
            }
            fn draw_indirect(&self, buffer: &raw::GpuBuffer, offset: u64) {
                <$ty>::draw_indirect(self, buffer, offset)
            }
            fn draw_indexed_indirect(&self, buffer: &raw::GpuBuffer, offset: u64) {
                <$ty>::draw_indexed_indirect(self, buffer, offset)
            }
        }
    )*};
}

raw_render_commands!(raw::GpuRenderPassEncoder, raw::GpuRenderBundleEncoder);

struct BoundVertexBuffer {
    /// Bytes bound.
    size: u64,
}

struct BoundIndexBuffer {
    format: IndexFormat,
    /// Indices in the bound range.
    count: u64,
}

/// Draw state and checks shared by render passes and bundle encoders: the
/// pipeline, bind groups, vertex and index buffers set so far, checked at
/// each draw as WebGPU does, so that a bad draw is an `Err` that records
/// nothing rather than an invalid command buffer at `finish`.
pub(crate) struct DrawRecorder<R> {
    pub(crate) raw: R,
    pub(crate) device: Rc<DeviceShared>,
    /// The attachments draws render into.
    pub(crate) layout: AttachmentLayout,
    pub(crate) depth_read_only: bool,
    pub(crate) stencil_read_only: bool,
    pipeline: Option<Rc<RenderPipelineShared>>,
    groups: Vec<Option<(Rc<BindGroupShared>, Vec<u32>)>>,
    vertex_buffers: Vec<Option<BoundVertexBuffer>>,
    index_buffer: Option<BoundIndexBuffer>,
    /// Whether the groups passed the checks for the current pipeline.
    groups_checked: bool,
    /// What the recorded draws use, each once, to keep alive and check at submit.
    pub(crate) used: UsedResources,
}

impl<R: RawRenderCommands> DrawRecorder<R> {
    pub(crate) fn new(
        raw: R,
        device: &Rc<DeviceShared>,
        layout: AttachmentLayout,
        depth_read_only: bool,
        stencil_read_only: bool,
    ) -> Self {
        let limits = &device.limits;
        Self {
            raw,
            device: device.clone(),
            layout,
            depth_read_only,
            stencil_read_only,
            pipeline: None,
            groups: (0..limits.max_bind_groups).map(|_| None).collect(),
            vertex_buffers: (0..limits.max_vertex_buffers).map(|_| None).collect(),
            index_buffer: None,
            groups_checked: false,
            used: UsedResources::default(),
        }
    }

    /// WebGPU clears the draw state of a pass after `executeBundles`, and
    /// bundles start with none.
    pub(crate) fn reset(&mut self) {
        self.pipeline = None;
        self.groups.iter_mut().for_each(|g| *g = None);
        self.vertex_buffers.iter_mut().for_each(|v| *v = None);
        self.index_buffer = None;
        self.groups_checked = false;
    }

    pub(crate) fn set_pipeline(&mut self, pipeline: &RenderPipeline, what: &str) -> Result<()> {
        let shared = &pipeline.shared;
        same_device(&shared.device, &self.device, "set_pipeline")?;
        if self.pipeline.as_ref().is_some_and(|p| Rc::ptr_eq(p, shared)) {
            return Ok(());
        }
        if let Some(why) = shared.attachments.mismatch("pipeline", what, &self.layout) {
            return Err(Error::RenderPass(format!("set_pipeline: {why}")));
        }
        if shared.writes_depth && self.depth_read_only {
            return Err(Error::RenderPass(format!(
                "set_pipeline: the pipeline writes depth, but this {what}'s depth is read-only"
            )));
        }
        if shared.writes_stencil && self.stencil_read_only {
            return Err(Error::RenderPass(format!(
                "set_pipeline: the pipeline writes stencil, but this {what}'s stencil is read-only"
            )));
        }
        self.raw.set_pipeline(&shared.raw);
        self.pipeline = Some(shared.clone());
        self.groups_checked = false;
        Ok(())
    }

    pub(crate) fn set_bind_group(&mut self, index: u32, bind_group: &BindGroup, offsets: &[u32]) -> Result<()> {
        let group = &bind_group.shared;
        if !check_set_bind_group(&self.device, &self.groups, index, group, offsets)? {
            return Ok(());
        }
        self.raw.set_bind_group(index, &group.raw, offsets)?;
        self.groups[index as usize] = Some((group.clone(), offsets.to_vec()));
        self.used.add_group(group);
        self.groups_checked = false;
        Ok(())
    }

    pub(crate) fn set_vertex_buffer<T: Pod>(&mut self, slot: u32, slice: BufferSlice<'_, T>) -> Result<()> {
        const OP: &str = "set_vertex_buffer";
        let buffer = slice.buffer_shared();
        check_same_device(buffer, &self.device, OP)?;
        let max = self.vertex_buffers.len();
        if slot as usize >= max {
            return Err(Error::OverLimit {
                what: "vertex buffer slot",
                value: slot.into(),
                limit: "maxVertexBuffers",
                max: max as u64,
            });
        }
        buffer.check_usage(OP, BufferUsages::VERTEX)?;
        let (start, end) = slice.bytes(OP)?;
        check_aligned(OP, "offset", start, 4)?;
        let (offset, size) = host_range(buffer, start, end);
        self.raw.set_vertex_buffer(slot, buffer.raw(OP)?, offset, size);
        self.vertex_buffers[slot as usize] = Some(BoundVertexBuffer { size: end - start });
        self.used.add_buffer(buffer);
        Ok(())
    }

    pub(crate) fn set_index_buffer<T: Pod>(&mut self, slice: BufferSlice<'_, T>, format: IndexFormat) -> Result<()> {
        const OP: &str = "set_index_buffer";
        let buffer = slice.buffer_shared();
        check_same_device(buffer, &self.device, OP)?;
        buffer.check_usage(OP, BufferUsages::INDEX)?;
        let (start, end) = slice.bytes(OP)?;
        check_aligned(OP, "offset", start, format.size())?;
        let (offset, size) = host_range(buffer, start, end);
        self.raw.set_index_buffer(buffer.raw(OP)?, format.to_raw(), offset, size);
        self.index_buffer = Some(BoundIndexBuffer { format, count: (end - start) / format.size() });
        self.used.add_buffer(buffer);
        Ok(())
    }

    pub(crate) fn draw(&mut self, vertices: Range<u32>, instances: Range<u32>) -> Result<()> {
        check_range("vertices", &vertices)?;
        check_range("instances", &instances)?;
        self.check_draw(Some(vertices.end), instances.end)?;
        self.raw.draw(vertices, instances);
        Ok(())
    }

    pub(crate) fn draw_indexed(&mut self, indices: Range<u32>, base_vertex: i32, instances: Range<u32>) -> Result<()> {
        check_range("indices", &indices)?;
        check_range("instances", &instances)?;
        self.check_draw(None, instances.end)?;
        self.check_index_buffer(Some(indices.end))?;
        self.raw.draw_indexed(indices, base_vertex, instances);
        Ok(())
    }

    pub(crate) fn draw_indirect<T: Pod>(&mut self, buffer: &Buffer<T>, offset: u64, indexed: bool) -> Result<()> {
        let op = if indexed { "draw_indexed_indirect" } else { "draw_indirect" };
        let shared = &buffer.shared;
        check_same_device(shared, &self.device, op)?;
        shared.check_usage(op, BufferUsages::INDIRECT)?;
        check_aligned(op, "offset", offset, 4)?;
        // The arguments: 4 `u32`s, or 5 values for an indexed draw.
        shared.check_range(op, offset, if indexed { 20 } else { 16 })?;
        self.check_draw(None, 0)?;
        if indexed {
            self.check_index_buffer(None)?;
            self.raw.draw_indexed_indirect(shared.raw(op)?, offset);
        } else {
            self.raw.draw_indirect(shared.raw(op)?, offset);
        }
        self.used.add_buffer(shared);
        Ok(())
    }

    /// The checks WebGPU makes at every draw. `vertex_end` and
    /// `instance_end` bound the elements read from per-vertex and
    /// per-instance buffers; `None` (indexed and indirect draws) and 0 skip
    /// the range check, which then only the GPU's robustness bounds.
    fn check_draw(&mut self, vertex_end: Option<u32>, instance_end: u32) -> Result<()> {
        let pipeline =
            self.pipeline.as_ref().ok_or_else(|| Error::Draw("no pipeline is set; call set_pipeline first".into()))?;
        if !self.groups_checked {
            check_bound_groups(pipeline.layout.as_ref(), pipeline.id, &self.groups, Error::Draw)?;
            self.groups_checked = true;
        }
        for (slot, layout) in pipeline.vertex_slots.iter().enumerate() {
            let bound = self.vertex_buffers[slot].as_ref().ok_or_else(|| {
                Error::Draw(format!("vertex buffer slot {slot} is not set, and the pipeline reads it"))
            })?;
            let (count, what) = match layout.step_mode {
                VertexStepMode::Vertex => (vertex_end, "vertices"),
                VertexStepMode::Instance => (Some(instance_end), "instances"),
            };
            let Some(count) = count else { continue };
            let needed = layout.bytes_for(count);
            if needed > bound.size {
                return Err(Error::Draw(format!(
                    "vertex buffer slot {slot}: {count} {what} need {needed} bytes, but {} are bound",
                    bound.size
                )));
            }
        }
        Ok(())
    }

    fn check_index_buffer(&self, index_end: Option<u32>) -> Result<()> {
        let index = self
            .index_buffer
            .as_ref()
            .ok_or_else(|| Error::Draw("no index buffer is set; call set_index_buffer first".into()))?;
        if let Some(strip) = self.pipeline.as_ref().and_then(|p| p.strip_index_format)
            && strip != index.format
        {
            return Err(Error::Draw(format!(
                "the pipeline's strip index format is {strip:?}, but the index buffer holds {:?}",
                index.format
            )));
        }
        if let Some(end) = index_end
            && u64::from(end) > index.count
        {
            return Err(Error::Draw(format!("indices up to {end} drawn, but the index buffer holds {}", index.count)));
        }
        Ok(())
    }
}

/// The host's offset and size for a buffer range. The reference host panics
/// on a size of 0, so a range reaching the buffer's end passes no size, and
/// an empty one elsewhere is bound as the empty range at the end.
fn host_range(buffer: &BufferShared, start: u64, end: u64) -> (u64, Option<u64>) {
    if end == buffer.size || start == end {
        (if start == end { buffer.size } else { start }, None)
    } else {
        (start, Some(end - start))
    }
}

fn check_range(what: &str, range: &Range<u32>) -> Result<()> {
    if range.start > range.end {
        return Err(Error::Draw(format!("{what} {range:?}: the range is reversed")));
    }
    Ok(())
}

/// Generates the draw methods render passes and bundle encoders share, with
/// their documentation, over a `recorder: DrawRecorder` field.
macro_rules! draw_methods {
    ($what:literal) => {
        /// Sets the pipeline for the following draws. Corresponds to WebGPU's
        /// [`setPipeline`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-setpipeline).
        ///
        #[doc = concat!("The pipeline's color target formats, depth-stencil format and sample count must be the ", $what, "'s, and a pipeline that writes depth or stencil needs them writable: otherwise [`Error::RenderPass`](crate::Error::RenderPass).")]
        pub fn set_pipeline(&mut self, pipeline: &crate::RenderPipeline) -> crate::Result<()> {
            self.recorder.set_pipeline(pipeline, $what)
        }

        /// Sets `@group(index)` for the following draws, with one dynamic
        /// offset (in bytes) per dynamic-offset entry of its layout, in binding
        /// order.
        pub fn set_bind_group(&mut self, index: u32, bind_group: &crate::BindGroup, offsets: &[u32]) -> crate::Result<()> {
            self.recorder.set_bind_group(index, bind_group, offsets)
        }

        /// Sets vertex buffer `slot` to a range of a buffer with
        /// [`BufferUsages::VERTEX`](crate::BufferUsages::VERTEX). Corresponds to
        /// WebGPU's
        /// [`setVertexBuffer`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-setvertexbuffer).
        ///
        /// The slice's byte offset must be a multiple of 4. Each draw checks
        /// that the vertices and instances it reads lie in the range.
        pub fn set_vertex_buffer<T: bytemuck::Pod>(
            &mut self,
            slot: u32,
            slice: crate::BufferSlice<'_, T>,
        ) -> crate::Result<()> {
            self.recorder.set_vertex_buffer(slot, slice)
        }

        /// Sets the index buffer of the following indexed draws: a range of a
        /// buffer with [`BufferUsages::INDEX`](crate::BufferUsages::INDEX)
        /// holding indices of `format`. Corresponds to WebGPU's
        /// [`setIndexBuffer`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-setindexbuffer).
        ///
        /// The slice's byte offset must be a multiple of the index size.
        pub fn set_index_buffer<T: bytemuck::Pod>(
            &mut self,
            slice: crate::BufferSlice<'_, T>,
            format: crate::IndexFormat,
        ) -> crate::Result<()> {
            self.recorder.set_index_buffer(slice, format)
        }

        /// Draws `vertices` of `instances`. Corresponds to WebGPU's
        /// [`draw`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-draw).
        ///
        /// Fails with [`Error::Draw`](crate::Error::Draw) without recording when
        /// no pipeline is set, a bind group or vertex buffer the pipeline needs
        /// is missing, or a vertex buffer is too short for the range.
        pub fn draw(&mut self, vertices: std::ops::Range<u32>, instances: std::ops::Range<u32>) -> crate::Result<()> {
            self.recorder.draw(vertices, instances)
        }

        /// Draws `indices` of the index buffer, adding `base_vertex` to each,
        /// for `instances`. Corresponds to WebGPU's
        /// [`drawIndexed`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-drawindexed).
        ///
        /// Besides [`draw`](Self::draw)'s checks, the index buffer must be set,
        /// hold the range, and have the pipeline's strip index format if it has
        /// one.
        pub fn draw_indexed(
            &mut self,
            indices: std::ops::Range<u32>,
            base_vertex: i32,
            instances: std::ops::Range<u32>,
        ) -> crate::Result<()> {
            self.recorder.draw_indexed(indices, base_vertex, instances)
        }

        /// Draws with arguments the GPU reads from `buffer` at byte `offset`:
        /// `vertex_count, instance_count, first_vertex, first_instance`, four
        /// `u32`s. Corresponds to WebGPU's
        /// [`drawIndirect`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-drawindirect).
        ///
        /// The buffer needs [`BufferUsages::INDIRECT`](crate::BufferUsages::INDIRECT);
        /// the offset must be a multiple of 4.
        pub fn draw_indirect<T: bytemuck::Pod>(&mut self, buffer: &crate::Buffer<T>, offset: u64) -> crate::Result<()> {
            self.recorder.draw_indirect(buffer, offset, false)
        }

        /// Draws indexed with arguments the GPU reads from `buffer` at byte
        /// `offset`: `index_count, instance_count, first_index` (`u32`s),
        /// `base_vertex` (`i32`), `first_instance` (`u32`). Corresponds to
        /// WebGPU's
        /// [`drawIndexedIndirect`](https://www.w3.org/TR/webgpu/#dom-gpurendercommandsmixin-drawindexedindirect).
        pub fn draw_indexed_indirect<T: bytemuck::Pod>(
            &mut self,
            buffer: &crate::Buffer<T>,
            offset: u64,
        ) -> crate::Result<()> {
            self.recorder.draw_indirect(buffer, offset, true)
        }
    };
}
pub(crate) use draw_methods;

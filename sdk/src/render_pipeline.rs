//! [`RenderPipeline`]: WebGPU's `GPURenderPipeline`, and the states that
//! describe it.

use std::rc::Rc;

mod state;

pub use state::*;

use crate::bindings::webgpu as raw;
use crate::compute_pipeline::{constants_record, layout_of_group, next_pipeline_id};
use crate::device::{DeviceShared, same_device};
use crate::limits::check_limit;
use crate::shader_guard::Stage;
use crate::{BindGroupLayout, Error, PipelineLayout, Result, TextureFormat};

/// Describes a [`RenderPipeline`]. Corresponds to WebGPU's
/// [`GPURenderPipelineDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderpipelinedescriptor).
///
/// It has no `Default`, because a pipeline cannot exist without its vertex
/// shader; [`RenderPipelineDescriptor::new`] fills in the rest.
#[derive(Clone, Copy)]
pub struct RenderPipelineDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The pipeline's layout; `None` derives it from the shaders (WebGPU's
    /// `"auto"` layout).
    pub layout: Option<&'a PipelineLayout>,
    /// The vertex stage.
    pub vertex: VertexState<'a>,
    /// Primitive assembly and rasterization.
    pub primitive: PrimitiveState,
    /// Depth and stencil tests; `None` for passes without a depth-stencil
    /// attachment.
    pub depth_stencil: Option<DepthStencilState>,
    /// Multisampling.
    pub multisample: MultisampleState,
    /// The fragment stage; `None` for depth-only rendering.
    pub fragment: Option<FragmentState<'a>>,
}

impl<'a> RenderPipelineDescriptor<'a> {
    /// A descriptor with an `auto` layout, triangle lists, no depth-stencil,
    /// one sample per pixel and the given stages.
    pub fn new(vertex: VertexState<'a>, fragment: Option<FragmentState<'a>>) -> Self {
        Self {
            label: None,
            layout: None,
            vertex,
            primitive: PrimitiveState::default(),
            depth_stencil: None,
            multisample: MultisampleState::default(),
            fragment,
        }
    }
}

/// What the guest keeps of a vertex buffer layout to check draws.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VertexSlot {
    pub(crate) stride: u64,
    pub(crate) step_mode: VertexStepMode,
    /// Bytes one element's attributes reach: `max(offset + size)`.
    pub(crate) extent: u64,
}

impl VertexSlot {
    /// Bytes a draw reading elements `0..count` needs, per WebGPU's
    /// vertex buffer bounds rule.
    pub(crate) fn bytes_for(&self, count: u32) -> u64 {
        match (count, self.stride) {
            (0, _) => 0,
            (_, 0) => self.extent,
            (count, stride) => (u64::from(count) - 1) * stride + self.extent,
        }
    }
}

/// The attachments a pipeline, bundle or pass works with: WebGPU's
/// "render pass layout", which must match between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttachmentLayout {
    /// Trailing `None`s trimmed, as WebGPU compares them.
    pub(crate) colors: Vec<Option<TextureFormat>>,
    pub(crate) depth_stencil: Option<TextureFormat>,
    pub(crate) sample_count: u32,
}

impl AttachmentLayout {
    pub(crate) fn new(
        colors: impl IntoIterator<Item = Option<TextureFormat>>,
        depth_stencil: Option<TextureFormat>,
        sample_count: u32,
    ) -> Self {
        let mut colors: Vec<_> = colors.into_iter().collect();
        while colors.last() == Some(&None) {
            colors.pop();
        }
        Self { colors, depth_stencil, sample_count }
    }

    /// Why `self` (the layout of `ours`, a pipeline or bundle) does not fit
    /// `other` (the layout of `theirs`, a pass or bundle encoder), if it
    /// does not.
    pub(crate) fn mismatch(&self, ours: &str, theirs: &str, other: &AttachmentLayout) -> Option<String> {
        let (what, pass) = (ours, other);
        if self.sample_count != pass.sample_count {
            return Some(format!(
                "the {what} renders with {} samples per pixel, but the {theirs}'s attachments have {}",
                self.sample_count, pass.sample_count
            ));
        }
        let count = self.colors.len().max(pass.colors.len());
        for i in 0..count {
            let (mine, other) = (self.colors.get(i).copied().flatten(), pass.colors.get(i).copied().flatten());
            if mine != other {
                return Some(format!(
                    "the {what}'s color target {i} is {}, but the {theirs}'s color attachment {i} is {}",
                    describe(mine),
                    describe(other)
                ));
            }
        }
        if self.depth_stencil != pass.depth_stencil {
            return Some(format!(
                "the {what}'s depth-stencil format is {}, but the {theirs}'s depth-stencil attachment is {}",
                describe(self.depth_stencil),
                describe(pass.depth_stencil)
            ));
        }
        None
    }
}

fn describe(format: Option<TextureFormat>) -> String {
    format.map_or_else(|| "none".to_owned(), |f| f.name().to_owned())
}

pub(crate) struct RenderPipelineShared {
    pub(crate) raw: raw::GpuRenderPipeline,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) id: u64,
    /// `None` for an `auto` layout.
    pub(crate) layout: Option<PipelineLayout>,
    pub(crate) vertex_slots: Vec<VertexSlot>,
    pub(crate) attachments: AttachmentLayout,
    pub(crate) strip_index_format: Option<IndexFormat>,
    pub(crate) writes_depth: bool,
    pub(crate) writes_stencil: bool,
}

/// Vertex and fragment shaders compiled with their layout, vertex buffer
/// layouts, rasterization, depth-stencil and blend state, ready to draw.
/// Corresponds to WebGPU's
/// [`GPURenderPipeline`](https://www.w3.org/TR/webgpu/#gpurenderpipeline).
///
/// Created `async` with
/// [`Device::create_render_pipeline`](crate::Device::create_render_pipeline),
/// because the host compiles the shaders then: a shader that does not fit
/// its vertex buffers, targets or layout is an
/// [`Error::Validation`](crate::Error::Validation) at creation. What the
/// guest can check itself (limits, strides, offsets, locations, sample
/// counts) is an [`Error::Pipeline`] before the host is asked.
///
/// A pipeline renders only in passes whose attachments have its color
/// target formats, depth-stencil format and sample count; setting it in
/// another pass is an [`Error::RenderPass`]. A cheap handle: clones share the
/// pipeline.
#[derive(Clone)]
pub struct RenderPipeline {
    pub(crate) shared: Rc<RenderPipelineShared>,
}

impl RenderPipeline {
    pub(crate) async fn new(device: &Rc<DeviceShared>, descriptor: &RenderPipelineDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_render_pipeline";
        let gpu = device.raw(OP)?;
        same_device(&descriptor.vertex.module.device, device, OP)?;
        if let Some(fragment) = &descriptor.fragment {
            same_device(&fragment.module.device, device, OP)?;
        }
        if let Some(layout) = descriptor.layout {
            same_device(&layout.device, device, OP)?;
        }
        let vertex = &descriptor.vertex;
        let stage =
            Stage { stage: "vertex", entry_point: vertex.entry_point, constants: vertex.compilation_options.constants };
        vertex.module.check_stage(&stage, OP)?;
        if let Some(fragment) = &descriptor.fragment {
            let constants = fragment.compilation_options.constants;
            fragment
                .module
                .check_stage(&Stage { stage: "fragment", entry_point: fragment.entry_point, constants }, OP)?;
        }
        let vertex_slots = check_vertex_buffers(device, descriptor.vertex.buffers)?;
        let targets = descriptor.fragment.map_or(&[][..], |f| f.targets);
        check_pipeline_state(device, descriptor, targets)?;

        let raw_descriptor = raw::GpuRenderPipelineDescriptor {
            vertex: raw::GpuVertexState {
                buffers: Some(
                    descriptor
                        .vertex
                        .buffers
                        .iter()
                        .map(|layout| {
                            Some(raw::GpuVertexBufferLayout {
                                array_stride: layout.array_stride,
                                step_mode: Some(match layout.step_mode {
                                    VertexStepMode::Vertex => raw::GpuVertexStepMode::Vertex,
                                    VertexStepMode::Instance => raw::GpuVertexStepMode::Instance,
                                }),
                                attributes: layout
                                    .attributes
                                    .iter()
                                    .map(|a| raw::GpuVertexAttribute {
                                        format: a.format.to_raw(),
                                        offset: a.offset,
                                        shader_location: a.shader_location,
                                    })
                                    .collect(),
                            })
                        })
                        .collect(),
                ),
                module: &descriptor.vertex.module.raw,
                entry_point: descriptor.vertex.entry_point.map(str::to_owned),
                constants: constants_record(descriptor.vertex.compilation_options.constants),
            },
            primitive: Some(raw::GpuPrimitiveState {
                topology: Some(descriptor.primitive.topology.to_raw()),
                strip_index_format: descriptor.primitive.strip_index_format.map(IndexFormat::to_raw),
                front_face: Some(match descriptor.primitive.front_face {
                    FrontFace::Ccw => raw::GpuFrontFace::Ccw,
                    FrontFace::Cw => raw::GpuFrontFace::Cw,
                }),
                cull_mode: Some(match descriptor.primitive.cull_mode {
                    None => raw::GpuCullMode::None,
                    Some(Face::Front) => raw::GpuCullMode::Front,
                    Some(Face::Back) => raw::GpuCullMode::Back,
                }),
                unclipped_depth: Some(descriptor.primitive.unclipped_depth),
            }),
            depth_stencil: descriptor.depth_stencil.map(DepthStencilState::to_raw),
            multisample: Some(raw::GpuMultisampleState {
                count: Some(descriptor.multisample.count),
                // WebGPU's mask is 32 bits; samples beyond 32 do not exist.
                mask: Some(descriptor.multisample.mask as u32),
                alpha_to_coverage_enabled: Some(descriptor.multisample.alpha_to_coverage_enabled),
            }),
            fragment: descriptor.fragment.map(|fragment| raw::GpuFragmentState {
                targets: fragment
                    .targets
                    .iter()
                    .map(|target| {
                        target.map(|t| raw::GpuColorTargetState {
                            format: t.format.to_raw(),
                            blend: t
                                .blend
                                .map(|b| raw::GpuBlendState { color: b.color.to_raw(), alpha: b.alpha.to_raw() }),
                            write_mask: Some(t.write_mask.to_raw()),
                        })
                    })
                    .collect(),
                module: &fragment.module.raw,
                entry_point: fragment.entry_point.map(str::to_owned),
                constants: constants_record(fragment.compilation_options.constants),
            }),
            layout: match descriptor.layout {
                Some(layout) => raw::GpuLayoutMode::Specific(&layout.raw),
                None => raw::GpuLayoutMode::Auto,
            },
            label: descriptor.label.map(str::to_owned),
        };
        let raw = device.capture(|| gpu.create_render_pipeline(raw_descriptor)).await?;
        let depth_stencil = descriptor.depth_stencil.as_ref();
        Ok(Self {
            shared: Rc::new(RenderPipelineShared {
                raw,
                device: device.clone(),
                id: next_pipeline_id(),
                layout: descriptor.layout.cloned(),
                vertex_slots,
                attachments: AttachmentLayout::new(
                    targets.iter().map(|t| t.map(|t| t.format)),
                    depth_stencil.map(|ds| ds.format),
                    descriptor.multisample.count,
                ),
                strip_index_format: descriptor.primitive.strip_index_format,
                writes_depth: depth_stencil.is_some_and(DepthStencilState::writes_depth),
                writes_stencil: depth_stencil.is_some_and(DepthStencilState::writes_stencil),
            }),
        })
    }

    /// The layout of `@group(index)`: for an explicit pipeline layout, the
    /// layout it was created with; for an `auto` one, the layout the host
    /// derived from the shaders, which fits only this pipeline.
    pub fn get_bind_group_layout(&self, index: u32) -> Result<BindGroupLayout> {
        let shared = &self.shared;
        layout_of_group(&shared.device, shared.layout.as_ref(), shared.id, index, || {
            shared.raw.get_bind_group_layout(index)
        })
    }
}

impl crate::Device {
    /// Creates a render pipeline, compiling its shaders for the GPU.
    /// Corresponds to WebGPU's
    /// [`createRenderPipelineAsync`](https://www.w3.org/TR/webgpu/#dom-gpudevice-createrenderpipelineasync).
    ///
    /// Returns [`Error::Pipeline`] or [`Error::OverLimit`] for what the guest
    /// checks (vertex layouts, targets, sample count), and
    /// [`Error::Validation`](crate::Error::Validation) when the host finds
    /// the shaders do not fit the descriptor.
    pub async fn create_render_pipeline(&self, descriptor: &RenderPipelineDescriptor<'_>) -> Result<RenderPipeline> {
        RenderPipeline::new(&self.shared, descriptor).await
    }
}

/// WebGPU's vertex state rules, checked in the guest: the host would report
/// them only as a generic validation error.
fn check_vertex_buffers(device: &DeviceShared, buffers: &[VertexBufferLayout<'_>]) -> Result<Vec<VertexSlot>> {
    let limits = &device.limits;
    check_limit("vertex buffer layouts", buffers.len() as u64, "maxVertexBuffers", limits.max_vertex_buffers.into())?;
    let attribute_count: usize = buffers.iter().map(|b| b.attributes.len()).sum();
    check_limit(
        "vertex attributes",
        attribute_count as u64,
        "maxVertexAttributes",
        limits.max_vertex_attributes.into(),
    )?;
    let mut locations = std::collections::BTreeSet::new();
    let mut slots = Vec::with_capacity(buffers.len());
    for (slot, layout) in buffers.iter().enumerate() {
        let stride = layout.array_stride;
        check_limit(
            "vertex buffer array stride",
            stride,
            "maxVertexBufferArrayStride",
            limits.max_vertex_buffer_array_stride.into(),
        )?;
        if !stride.is_multiple_of(4) {
            return Err(Error::Pipeline(format!("vertex buffer {slot}: array stride {stride} is not a multiple of 4")));
        }
        let mut extent = 0;
        for attribute in layout.attributes {
            let size = attribute.format.size();
            let end = attribute.offset.saturating_add(size);
            if !attribute.offset.is_multiple_of(size.min(4)) {
                return Err(Error::Pipeline(format!(
                    "vertex buffer {slot}: the {:?} attribute's offset {} is not a multiple of {}",
                    attribute.format,
                    attribute.offset,
                    size.min(4)
                )));
            }
            let room = if stride == 0 { u64::from(limits.max_vertex_buffer_array_stride) } else { stride };
            if end > room {
                return Err(Error::Pipeline(format!(
                    "vertex buffer {slot}: the attribute at location {} reaches byte {end}, past the element's {room} bytes",
                    attribute.shader_location
                )));
            }
            if attribute.shader_location >= limits.max_vertex_attributes {
                return Err(Error::OverLimit {
                    what: "vertex attribute shader location",
                    value: attribute.shader_location.into(),
                    limit: "maxVertexAttributes",
                    max: limits.max_vertex_attributes.into(),
                });
            }
            if !locations.insert(attribute.shader_location) {
                return Err(Error::Pipeline(format!(
                    "shader location {} is used by two vertex attributes",
                    attribute.shader_location
                )));
            }
            extent = extent.max(end);
        }
        slots.push(VertexSlot { stride, step_mode: layout.step_mode, extent });
    }
    Ok(slots)
}

fn check_pipeline_state(
    device: &DeviceShared,
    descriptor: &RenderPipelineDescriptor<'_>,
    targets: &[Option<ColorTargetState>],
) -> Result<()> {
    let limits = &device.limits;
    if targets.len() > limits.max_color_attachments as usize {
        return Err(Error::OverLimit {
            what: "color targets",
            value: targets.len() as u64,
            limit: "maxColorAttachments",
            max: limits.max_color_attachments.into(),
        });
    }
    let count = descriptor.multisample.count;
    if count != 1 && count != 4 {
        return Err(Error::Pipeline(format!("multisample count {count}: WebGPU allows only 1 or 4")));
    }
    if descriptor.multisample.alpha_to_coverage_enabled && count == 1 {
        return Err(Error::Pipeline("alpha to coverage needs a multisample count of 4".into()));
    }
    let primitive = &descriptor.primitive;
    if primitive.strip_index_format.is_some() && !primitive.topology.is_strip() {
        return Err(Error::Pipeline(format!(
            "a strip index format is only for strip topologies, not {:?}",
            primitive.topology
        )));
    }
    if primitive.unclipped_depth && !device.features.contains(crate::Features::DEPTH_CLIP_CONTROL) {
        return Err(Error::UnsupportedFeature("depth-clip-control"));
    }
    for (i, target) in targets.iter().enumerate() {
        let Some(target) = target else { continue };
        if target.format.is_depth_stencil_format() {
            return Err(Error::Pipeline(format!(
                "color target {i} has the depth-stencil format {}",
                target.format.name()
            )));
        }
        if let Some(blend) = &target.blend {
            for component in [blend.color, blend.alpha] {
                if matches!(component.operation, BlendOperation::Min | BlendOperation::Max)
                    && (component.src_factor, component.dst_factor) != (BlendFactor::One, BlendFactor::One)
                {
                    return Err(Error::Pipeline(format!(
                        "color target {i}: blend operation {:?} needs both factors to be One",
                        component.operation
                    )));
                }
            }
        }
    }
    if descriptor.fragment.is_none() && descriptor.depth_stencil.is_none() {
        return Err(Error::Pipeline("a pipeline without a fragment stage needs a depth-stencil state".into()));
    }
    if let Some(ds) = &descriptor.depth_stencil {
        if !ds.format.is_depth_stencil_format() {
            return Err(Error::Pipeline(format!(
                "depth-stencil format {} is not a depth or stencil format",
                ds.format.name()
            )));
        }
        if ds.format.has_depth_aspect() {
            if ds.depth_write_enabled.is_none() {
                return Err(Error::Pipeline(format!(
                    "depth_write_enabled must be given for the depth format {}",
                    ds.format.name()
                )));
            }
            if ds.depth_compare.is_none() && ds.writes_depth() {
                return Err(Error::Pipeline("depth_compare must be given when depth is written".into()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_attributes_follow_each_other() {
        let attributes = VertexAttribute::packed(2, [VertexFormat::Float32x2, VertexFormat::Unorm8x4]);
        assert_eq!(attributes[0], VertexAttribute { format: VertexFormat::Float32x2, offset: 0, shader_location: 2 });
        assert_eq!(attributes[1], VertexAttribute { format: VertexFormat::Unorm8x4, offset: 8, shader_location: 3 });
    }

    #[test]
    fn vertex_slot_bounds_follow_webgpu() {
        let slot = VertexSlot { stride: 12, step_mode: VertexStepMode::Vertex, extent: 8 };
        assert_eq!(slot.bytes_for(0), 0);
        assert_eq!(slot.bytes_for(1), 8);
        assert_eq!(slot.bytes_for(3), 32);
        let shared = VertexSlot { stride: 0, step_mode: VertexStepMode::Instance, extent: 16 };
        assert_eq!(shared.bytes_for(100), 16);
    }

    #[test]
    fn attachment_layouts_ignore_trailing_holes() {
        let a = AttachmentLayout::new([Some(TextureFormat::Rgba8Unorm), None], None, 1);
        let b = AttachmentLayout::new([Some(TextureFormat::Rgba8Unorm)], None, 1);
        assert_eq!(a.mismatch("pipeline", "pass", &b), None);
        let c = AttachmentLayout::new([Some(TextureFormat::Bgra8Unorm)], None, 1);
        assert!(a.mismatch("pipeline", "pass", &c).unwrap().contains("color target 0"));
        let d = AttachmentLayout::new([Some(TextureFormat::Rgba8Unorm)], None, 4);
        assert!(a.mismatch("pipeline", "pass", &d).unwrap().contains("samples"));
    }
}

//! [`RenderPass`]: WebGPU's `GPURenderPassEncoder`, and the draw state it
//! shares with [`RenderBundleEncoder`](crate::RenderBundleEncoder).

use std::collections::HashSet;
use std::rc::Rc;

mod draw;

pub(crate) use draw::{DrawRecorder, draw_methods};

use crate::bindings::webgpu as raw;
use crate::device::{DeviceShared, same_device};
use crate::limits::check_limit;
use crate::query_set::{QuerySetShared, QueryType};
use crate::render_pipeline::AttachmentLayout;
use crate::texture::TextureShared;
use crate::{
    CommandEncoder, Error, QuerySet, RenderBundle, RenderPassTimestampWrites, Result, TextureDimension, TextureUsages,
    TextureView,
};

/// What a pass does with an attachment's contents when it begins.
/// Corresponds to WebGPU's
/// [`GPULoadOp`](https://www.w3.org/TR/webgpu/#enumdef-gpuloadop), with the
/// clear value of a `"clear"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoadOp<V> {
    /// Fills the attachment with this value.
    Clear(V),
    /// Keeps what the attachment holds.
    Load,
}

impl<V: Default> Default for LoadOp<V> {
    fn default() -> Self {
        Self::Clear(V::default())
    }
}

/// What a pass does with an attachment's contents when it ends.
/// Corresponds to WebGPU's
/// [`GPUStoreOp`](https://www.w3.org/TR/webgpu/#enumdef-gpustoreop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StoreOp {
    /// Keeps what the pass rendered.
    #[default]
    Store,
    /// Discards it; the attachment's contents become undefined (zero in
    /// WebGPU). A multisampled attachment that is resolved is usually
    /// discarded.
    Discard,
}

/// The load and store operations of an attachment aspect.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Operations<V> {
    /// At the beginning of the pass.
    pub load: LoadOp<V>,
    /// At the end of the pass.
    pub store: StoreOp,
}

/// A color with `f64` channels, as WebGPU clears and blend constants take
/// it. Corresponds to WebGPU's
/// [`GPUColor`](https://www.w3.org/TR/webgpu/#dictdef-gpucolordict).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Color {
    /// Red.
    pub r: f64,
    /// Green.
    pub g: f64,
    /// Blue.
    pub b: f64,
    /// Alpha.
    pub a: f64,
}

impl Color {
    /// All zero.
    pub const TRANSPARENT: Self = Self { r: 0.0, g: 0.0, b: 0.0, a: 0.0 };
    /// Opaque black.
    pub const BLACK: Self = Self { r: 0.0, g: 0.0, b: 0.0, a: 1.0 };
    /// Opaque white.
    pub const WHITE: Self = Self { r: 1.0, g: 1.0, b: 1.0, a: 1.0 };
    /// Opaque red.
    pub const RED: Self = Self { r: 1.0, g: 0.0, b: 0.0, a: 1.0 };
    /// Opaque green.
    pub const GREEN: Self = Self { r: 0.0, g: 1.0, b: 0.0, a: 1.0 };
    /// Opaque blue.
    pub const BLUE: Self = Self { r: 0.0, g: 0.0, b: 1.0, a: 1.0 };

    fn to_raw(self) -> raw::GpuColor {
        raw::GpuColor { r: self.r, g: self.g, b: self.b, a: self.a }
    }
}

/// A color attachment of a render pass. Corresponds to WebGPU's
/// [`GPURenderPassColorAttachment`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderpasscolorattachment).
#[derive(Debug, Clone, Copy)]
pub struct RenderPassColorAttachment<'a> {
    /// The view rendered into: one mip level and one layer of a texture with
    /// [`TextureUsages::RENDER_ATTACHMENT`].
    pub view: &'a TextureView,
    /// For a 3D texture, the depth slice rendered into; `None` otherwise.
    pub depth_slice: Option<u32>,
    /// For a multisampled `view`, a single-sampled view of the same format
    /// and size that receives the average of each pixel's samples when the
    /// pass ends.
    pub resolve_target: Option<&'a TextureView>,
    /// Load and store operations.
    pub ops: Operations<Color>,
}

impl<'a> RenderPassColorAttachment<'a> {
    /// An attachment that is cleared to `clear` and stored.
    pub fn new(view: &'a TextureView, clear: Color) -> Self {
        Self {
            view,
            depth_slice: None,
            resolve_target: None,
            ops: Operations { load: LoadOp::Clear(clear), store: StoreOp::Store },
        }
    }
}

/// The depth-stencil attachment of a render pass. Corresponds to WebGPU's
/// [`GPURenderPassDepthStencilAttachment`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderpassdepthstencilattachment).
#[derive(Debug, Clone, Copy)]
pub struct RenderPassDepthStencilAttachment<'a> {
    /// A view of a depth, stencil or depth-stencil texture with
    /// [`TextureUsages::RENDER_ATTACHMENT`].
    pub view: &'a TextureView,
    /// Operations on depth; `None` makes depth read-only in the pass (and is
    /// required when the format has no depth).
    pub depth_ops: Option<Operations<f32>>,
    /// Operations on stencil; `None` makes stencil read-only in the pass
    /// (and is required when the format has no stencil).
    pub stencil_ops: Option<Operations<u32>>,
}

/// Describes a [`RenderPass`]. Corresponds to WebGPU's
/// [`GPURenderPassDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpurenderpassdescriptor).
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderPassDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// Color attachment `i` receives the fragment shader's `@location(i)`;
    /// `None` leaves a hole.
    pub color_attachments: &'a [Option<RenderPassColorAttachment<'a>>],
    /// The depth-stencil attachment, if any.
    pub depth_stencil_attachment: Option<RenderPassDepthStencilAttachment<'a>>,
    /// Where the pass writes timestamps, if anywhere.
    pub timestamp_writes: Option<RenderPassTimestampWrites<'a>>,
    /// The [`QueryType::Occlusion`] set that
    /// [`RenderPass::begin_occlusion_query`] indexes.
    pub occlusion_query_set: Option<&'a QuerySet>,
}

struct OcclusionState {
    set: Rc<QuerySetShared>,
    used: HashSet<u32>,
    active: bool,
}

/// Records draws into a texture. Corresponds to WebGPU's
/// [`GPURenderPassEncoder`](https://www.w3.org/TR/webgpu/#gpurenderpassencoder).
///
/// Begun by [`CommandEncoder::begin_render_pass`], which checks the
/// attachments (formats, sizes, sample counts, resolve targets, usages) and
/// borrows the encoder until the pass ends, by [`end`](Self::end) or by being
/// dropped. Rendering targets textures only: no surface or canvas is needed.
///
/// Every call is checked in the guest against the pass and the state set so
/// far (pipeline, bind groups, vertex and index buffers); a failed check
/// returns an [`Error`] and records nothing. What only the host can judge is
/// an [`Error::Validation`] from [`CommandEncoder::finish`]. Setting state
/// that is already set is free: the call does not reach the host.
pub struct RenderPass<'a> {
    recorder: DrawRecorder<raw::GpuRenderPassEncoder>,
    encoder: &'a mut CommandEncoder,
    /// The attachments' size, for scissor rectangles.
    size: (u32, u32),
    occlusion: Option<OcclusionState>,
    textures: Vec<Rc<TextureShared>>,
    ended: bool,
}

impl<'a> RenderPass<'a> {
    pub(crate) fn new(encoder: &'a mut CommandEncoder, descriptor: &RenderPassDescriptor<'_>) -> Result<Self> {
        const OP: &str = "begin_render_pass";
        let device = encoder.device.clone();
        let checked = check_attachments(&device, descriptor)?;
        if let Some(writes) = &descriptor.timestamp_writes {
            writes.check(&device, OP)?;
        }
        if let Some(set) = descriptor.occlusion_query_set {
            same_device(&set.shared.device, &device, OP)?;
            if set.shared.ty != QueryType::Occlusion {
                return Err(Error::Query(format!("{OP}: the occlusion query set is a {:?} set", set.shared.ty)));
            }
        }
        let raw_encoder = encoder.raw(OP)?;
        let raw_descriptor = raw::GpuRenderPassDescriptor {
            color_attachments: descriptor
                .color_attachments
                .iter()
                .map(|attachment| {
                    attachment.map(|a| raw::GpuRenderPassColorAttachment {
                        view: &a.view.shared.raw,
                        depth_slice: a.depth_slice,
                        resolve_target: a.resolve_target.map(|r| &r.shared.raw),
                        clear_value: match a.ops.load {
                            LoadOp::Clear(color) => Some(color.to_raw()),
                            LoadOp::Load => None,
                        },
                        load_op: load_op(&a.ops.load),
                        store_op: store_op(a.ops.store),
                    })
                })
                .collect(),
            depth_stencil_attachment: descriptor.depth_stencil_attachment.map(|ds| {
                let format = ds.view.shared.format;
                let (has_depth, has_stencil) = (format.has_depth_aspect(), format.has_stencil_aspect());
                raw::GpuRenderPassDepthStencilAttachment {
                    view: &ds.view.shared.raw,
                    depth_clear_value: ds.depth_ops.and_then(|o| match o.load {
                        LoadOp::Clear(v) => Some(v),
                        LoadOp::Load => None,
                    }),
                    depth_load_op: ds.depth_ops.map(|o| load_op(&o.load)),
                    depth_store_op: ds.depth_ops.map(|o| store_op(o.store)),
                    depth_read_only: has_depth.then_some(ds.depth_ops.is_none()),
                    stencil_clear_value: ds.stencil_ops.and_then(|o| match o.load {
                        LoadOp::Clear(v) => Some(v),
                        LoadOp::Load => None,
                    }),
                    stencil_load_op: ds.stencil_ops.map(|o| load_op(&o.load)),
                    stencil_store_op: ds.stencil_ops.map(|o| store_op(o.store)),
                    stencil_read_only: has_stencil.then_some(ds.stencil_ops.is_none()),
                }
            }),
            occlusion_query_set: descriptor.occlusion_query_set.map(|set| &set.shared.raw),
            timestamp_writes: descriptor.timestamp_writes.map(RenderPassTimestampWrites::to_raw_render),
            max_draw_count: None,
            label: descriptor.label.map(str::to_owned),
        };
        let raw = raw_encoder.begin_render_pass(&raw_descriptor);
        let ds = descriptor.depth_stencil_attachment.as_ref();
        let recorder = DrawRecorder::new(
            raw,
            &device,
            checked.layout,
            ds.is_none_or(|ds| ds.depth_ops.is_none()),
            ds.is_none_or(|ds| ds.stencil_ops.is_none()),
        );
        Ok(Self {
            recorder,
            encoder,
            size: checked.size,
            occlusion: descriptor.occlusion_query_set.map(|set| OcclusionState {
                set: set.shared.clone(),
                used: HashSet::new(),
                active: false,
            }),
            textures: checked.textures,
            ended: false,
        })
    }

    draw_methods!("pass");

    /// Maps clip space to the rectangle `x, y, width, height` of the
    /// attachments (in pixels, y down) and depth to `min_depth..max_depth`.
    /// Corresponds to WebGPU's
    /// [`setViewport`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-setviewport).
    ///
    /// The size must not be negative and `0 <= min_depth <= max_depth <= 1`.
    pub fn set_viewport(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        min_depth: f32,
        max_depth: f32,
    ) -> Result<()> {
        // Written so that NaN fails too.
        if !(width >= 0.0 && height >= 0.0 && x.is_finite() && y.is_finite()) {
            return Err(Error::RenderPass(format!("set_viewport: invalid rectangle {x}, {y}, {width} x {height}")));
        }
        if !(0.0 <= min_depth && min_depth <= max_depth && max_depth <= 1.0) {
            return Err(Error::RenderPass(format!(
                "set_viewport: depth range {min_depth}..{max_depth} is not within 0..1 in order"
            )));
        }
        self.recorder.raw.set_viewport(x, y, width, height, min_depth, max_depth);
        Ok(())
    }

    /// Discards fragments outside the rectangle `x, y, width, height` (in
    /// pixels, y down), which must lie inside the attachments. Corresponds to
    /// WebGPU's
    /// [`setScissorRect`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-setscissorrect).
    pub fn set_scissor_rect(&mut self, x: u32, y: u32, width: u32, height: u32) -> Result<()> {
        let (w, h) = self.size;
        let fits = x.checked_add(width).is_some_and(|r| r <= w) && y.checked_add(height).is_some_and(|b| b <= h);
        if !fits {
            return Err(Error::RenderPass(format!(
                "set_scissor_rect: {x}, {y}, {width} x {height} reaches outside the {w} x {h} attachments"
            )));
        }
        self.recorder.raw.set_scissor_rect(x, y, width, height);
        Ok(())
    }

    /// Sets the color [`BlendFactor::Constant`](crate::BlendFactor::Constant)
    /// stands for. Corresponds to WebGPU's
    /// [`setBlendConstant`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-setblendconstant).
    pub fn set_blend_constant(&mut self, color: Color) {
        self.recorder.raw.set_blend_constant(color.to_raw());
    }

    /// Sets the reference value of stencil tests and `Replace` operations.
    /// Corresponds to WebGPU's
    /// [`setStencilReference`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-setstencilreference).
    pub fn set_stencil_reference(&mut self, reference: u32) {
        self.recorder.raw.set_stencil_reference(reference);
    }

    /// Starts counting the samples that pass the depth and stencil tests
    /// into query `index` of the pass's
    /// [`occlusion_query_set`](RenderPassDescriptor::occlusion_query_set).
    /// Corresponds to WebGPU's
    /// [`beginOcclusionQuery`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-beginocclusionquery).
    ///
    /// Fails with [`Error::Query`] when the pass has no occlusion set, the
    /// index is out of range or already used in this pass, or a query is
    /// already running.
    pub fn begin_occlusion_query(&mut self, index: u32) -> Result<()> {
        const OP: &str = "begin_occlusion_query";
        let state = self
            .occlusion
            .as_mut()
            .ok_or_else(|| Error::Query(format!("{OP}: the pass was begun without an occlusion_query_set")))?;
        state.set.check_index(OP, index)?;
        if state.active {
            return Err(Error::Query(format!("{OP}: an occlusion query is already running; end it first")));
        }
        if !state.used.insert(index) {
            return Err(Error::Query(format!("{OP}: query {index} was already used in this pass")));
        }
        state.active = true;
        self.recorder.raw.begin_occlusion_query(index);
        Ok(())
    }

    /// Stops the running occlusion query. Corresponds to WebGPU's
    /// [`endOcclusionQuery`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-endocclusionquery).
    pub fn end_occlusion_query(&mut self) -> Result<()> {
        match &mut self.occlusion {
            Some(state) if state.active => {
                state.active = false;
                self.recorder.raw.end_occlusion_query();
                Ok(())
            }
            _ => Err(Error::Query("end_occlusion_query: no occlusion query is running".into())),
        }
    }

    /// Runs the commands of render bundles, in order. Corresponds to
    /// WebGPU's
    /// [`executeBundles`](https://www.w3.org/TR/webgpu/#dom-gpurenderpassencoder-executebundles).
    ///
    /// Each bundle's formats and sample count must be the pass's. Afterwards
    /// the pass has no pipeline, bind groups or vertex and index buffers set,
    /// as WebGPU specifies.
    pub fn execute_bundles<'b>(&mut self, bundles: impl IntoIterator<Item = &'b RenderBundle>) -> Result<()> {
        const OP: &str = "execute_bundles";
        let bundles: Vec<&RenderBundle> = bundles.into_iter().collect();
        for (i, bundle) in bundles.iter().enumerate() {
            let shared = &bundle.shared;
            same_device(&shared.device, &self.recorder.device, OP)?;
            if let Some(why) = shared.layout.mismatch("bundle", "pass", &self.recorder.layout) {
                return Err(Error::RenderPass(format!("{OP}: bundle {i}: {why}")));
            }
            if (!shared.depth_read_only
                && self.recorder.depth_read_only
                && self.recorder.layout.depth_stencil.is_some())
                || (!shared.stencil_read_only
                    && self.recorder.stencil_read_only
                    && self.recorder.layout.depth_stencil.is_some())
            {
                return Err(Error::RenderPass(format!(
                    "{OP}: bundle {i} may write depth or stencil, which are read-only in this pass"
                )));
            }
        }
        let raws: Vec<&raw::GpuRenderBundle> = bundles.iter().map(|b| &b.shared.raw).collect();
        self.recorder.raw.execute_bundles(&raws);
        for bundle in bundles {
            self.recorder.used.extend(&bundle.shared.used);
        }
        self.recorder.reset();
        Ok(())
    }

    /// Ends the pass, handing the encoder back. Dropping the pass does the
    /// same.
    pub fn end(mut self) {
        self.end_once();
    }

    fn end_once(&mut self) {
        if std::mem::replace(&mut self.ended, true) {
            return;
        }
        self.recorder.raw.end();
        let used = &mut self.encoder.used;
        used.extend(&std::mem::take(&mut self.recorder.used));
        self.textures.drain(..).for_each(|t| used.add_texture(&t));
    }
}

impl Drop for RenderPass<'_> {
    fn drop(&mut self) {
        self.end_once();
    }
}

fn load_op<V>(load: &LoadOp<V>) -> raw::GpuLoadOp {
    match load {
        LoadOp::Clear(_) => raw::GpuLoadOp::Clear,
        LoadOp::Load => raw::GpuLoadOp::Load,
    }
}

fn store_op(store: StoreOp) -> raw::GpuStoreOp {
    match store {
        StoreOp::Store => raw::GpuStoreOp::Store,
        StoreOp::Discard => raw::GpuStoreOp::Discard,
    }
}

struct CheckedAttachments {
    layout: AttachmentLayout,
    size: (u32, u32),
    textures: Vec<Rc<TextureShared>>,
}

/// WebGPU's render pass descriptor rules, checked in the guest so a bad pass
/// is an `Err` at `begin_render_pass`, where it is easy to find.
fn check_attachments(device: &Rc<DeviceShared>, descriptor: &RenderPassDescriptor<'_>) -> Result<CheckedAttachments> {
    const OP: &str = "begin_render_pass";
    let limits = &device.limits;
    let colors = descriptor.color_attachments;
    check_limit("color attachments", colors.len() as u64, "maxColorAttachments", limits.max_color_attachments.into())?;
    let mut size: Option<(u32, u32, u32)> = None;
    let mut textures = Vec::new();
    let mut resolve_textures = Vec::new();
    let mut check_view = |view: &TextureView, what: String| -> Result<()> {
        let shared = &view.shared;
        let texture = &shared.texture;
        same_device(&texture.device, device, OP)?;
        texture.check_alive(OP)?;
        if !shared.usage.contains(TextureUsages::RENDER_ATTACHMENT) {
            return Err(Error::MissingTextureUsage {
                operation: OP,
                required: TextureUsages::RENDER_ATTACHMENT,
                actual: shared.usage,
            });
        }
        if shared.mip_level_count != 1 || (texture.dimension != TextureDimension::D3 && shared.array_layer_count != 1) {
            return Err(Error::RenderPass(format!("{what}: an attachment view must have one mip level and one layer")));
        }
        let extent = view.size();
        let this = (extent.width, extent.height, texture.sample_count);
        match size {
            None => size = Some(this),
            Some(first) if (first.0, first.1) != (this.0, this.1) => {
                return Err(Error::RenderPass(format!(
                    "{what} is {} x {}, but the first attachment is {} x {}",
                    this.0, this.1, first.0, first.1
                )));
            }
            Some(first) if first.2 != this.2 => {
                return Err(Error::RenderPass(format!(
                    "{what} has {} samples per pixel, but the first attachment has {}",
                    this.2, first.2
                )));
            }
            _ => {}
        }
        textures.push(texture.clone());
        Ok(())
    };
    for (i, attachment) in colors.iter().enumerate() {
        let Some(attachment) = attachment else { continue };
        let view = attachment.view;
        let format = view.shared.format;
        if format.is_depth_stencil_format() || !format.is_renderable(device.features) {
            return Err(Error::RenderPass(format!(
                "color attachment {i}: {} is not a color-renderable format",
                format.name()
            )));
        }
        check_view(view, format!("color attachment {i}"))?;
        let texture = &view.shared.texture;
        match (texture.dimension, attachment.depth_slice) {
            (TextureDimension::D3, Some(slice)) if slice < view.size().depth_or_array_layers => {}
            (TextureDimension::D3, slice) => {
                return Err(Error::RenderPass(format!(
                    "color attachment {i}: a 3D view needs a depth_slice below its depth, not {slice:?}"
                )));
            }
            (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::RenderPass(format!("color attachment {i}: depth_slice is only for 3D views")));
            }
        }
        if let Some(target) = attachment.resolve_target {
            let resolve = &target.shared;
            if texture.sample_count == 1 {
                return Err(Error::RenderPass(format!(
                    "color attachment {i}: only a multisampled attachment can have a resolve target"
                )));
            }
            if resolve.texture.sample_count != 1 {
                return Err(Error::RenderPass(format!(
                    "color attachment {i}: the resolve target must have one sample"
                )));
            }
            if resolve.format != format {
                return Err(Error::RenderPass(format!(
                    "color attachment {i}: the resolve target is {}, the attachment {}",
                    resolve.format.name(),
                    format.name()
                )));
            }
            if (target.size().width, target.size().height) != (view.size().width, view.size().height) {
                return Err(Error::RenderPass(format!(
                    "color attachment {i}: the resolve target's size differs from the attachment's"
                )));
            }
            same_device(&resolve.texture.device, device, OP)?;
            resolve.texture.check_alive(OP)?;
            if !resolve.usage.contains(TextureUsages::RENDER_ATTACHMENT) {
                return Err(Error::MissingTextureUsage {
                    operation: OP,
                    required: TextureUsages::RENDER_ATTACHMENT,
                    actual: resolve.usage,
                });
            }
            if resolve.mip_level_count != 1 || resolve.array_layer_count != 1 {
                return Err(Error::RenderPass(format!(
                    "color attachment {i}: the resolve target view must have one mip level and one layer"
                )));
            }
            resolve_textures.push(resolve.texture.clone());
        }
    }
    let mut depth_format = None;
    if let Some(ds) = &descriptor.depth_stencil_attachment {
        let format = ds.view.shared.format;
        if !format.is_depth_stencil_format() {
            return Err(Error::RenderPass(format!(
                "the depth-stencil attachment's format {} is not a depth or stencil format",
                format.name()
            )));
        }
        for (aspect, has, given) in [
            ("depth", format.has_depth_aspect(), ds.depth_ops.is_some()),
            ("stencil", format.has_stencil_aspect(), ds.stencil_ops.is_some()),
        ] {
            if given && !has {
                return Err(Error::RenderPass(format!(
                    "{} has no {aspect}, so the attachment cannot have {aspect} operations",
                    format.name()
                )));
            }
        }
        if let Some(Operations { load: LoadOp::Clear(value), .. }) = ds.depth_ops
            && !(0.0..=1.0).contains(&value)
        {
            return Err(Error::RenderPass(format!("the depth clear value {value} is not within 0..1")));
        }
        check_view(ds.view, "the depth-stencil attachment".into())?;
        depth_format = Some(format);
    }
    textures.append(&mut resolve_textures);
    let Some((width, height, sample_count)) = size else {
        return Err(Error::RenderPass(format!("{OP}: a render pass needs at least one attachment")));
    };
    Ok(CheckedAttachments {
        layout: AttachmentLayout::new(
            colors.iter().map(|a| a.map(|a| a.view.shared.format)),
            depth_format,
            sample_count,
        ),
        size: (width, height),
        textures,
    })
}

impl CommandEncoder {
    /// Starts a render pass into the descriptor's attachments. The pass
    /// borrows the encoder until it ends, by [`RenderPass::end`] or by being
    /// dropped. Corresponds to WebGPU's
    /// [`beginRenderPass`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-beginrenderpass).
    ///
    /// Fails without beginning a pass when the attachments break WebGPU's
    /// rules: a view without [`TextureUsages::RENDER_ATTACHMENT`], of a
    /// format that cannot be rendered to, with several mip levels or layers,
    /// attachments of different sizes or sample counts, a resolve target that
    /// does not fit its attachment, or no attachment at all.
    pub fn begin_render_pass(&mut self, descriptor: &RenderPassDescriptor<'_>) -> Result<RenderPass<'_>> {
        RenderPass::new(self, descriptor)
    }
}

//! The states a [`RenderPipelineDescriptor`](super::RenderPipelineDescriptor)
//! is made of: vertex buffers and attributes, fragment targets and blending,
//! primitive assembly, depth and stencil, multisampling. Plain data, checked
//! when the pipeline is created.

use crate::bindings::webgpu as raw;
use crate::flags::flags;
use crate::{PipelineCompilationOptions, ShaderModule, TextureFormat};

/// The format of one vertex attribute in a vertex buffer. Corresponds to
/// WebGPU's [`GPUVertexFormat`](https://www.w3.org/TR/webgpu/#enumdef-gpuvertexformat).
///
/// The name says the component type and count: `Float32x3` is three `f32`s
/// (`vec3<f32>` in WGSL), `Unorm8x4` four `u8`s read as `vec4<f32>` in
/// `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The variant names are the documentation.
pub enum VertexFormat {
    Uint8,
    Uint8x2,
    Uint8x4,
    Sint8,
    Sint8x2,
    Sint8x4,
    Unorm8,
    Unorm8x2,
    Unorm8x4,
    Snorm8,
    Snorm8x2,
    Snorm8x4,
    Uint16,
    Uint16x2,
    Uint16x4,
    Sint16,
    Sint16x2,
    Sint16x4,
    Unorm16,
    Unorm16x2,
    Unorm16x4,
    Snorm16,
    Snorm16x2,
    Snorm16x4,
    Float16,
    Float16x2,
    Float16x4,
    Float32,
    Float32x2,
    Float32x3,
    Float32x4,
    Uint32,
    Uint32x2,
    Uint32x3,
    Uint32x4,
    Sint32,
    Sint32x2,
    Sint32x3,
    Sint32x4,
    /// Three 10-bit and one 2-bit unsigned normalized components in a `u32`.
    Unorm10_10_10_2,
    /// Four `u8`s in BGRA order, read as an RGBA `vec4<f32>`.
    Unorm8x4Bgra,
}

/// Declares `VertexFormat::size` and `to_raw` from one table.
macro_rules! vertex_formats {
    ($($format:ident = $size:literal, $raw:ident;)*) => {
        impl VertexFormat {
            /// Size of one attribute of this format, in bytes.
            pub const fn size(self) -> u64 {
                match self { $(Self::$format => $size,)* }
            }

            pub(crate) fn to_raw(self) -> raw::GpuVertexFormat {
                match self { $(Self::$format => raw::GpuVertexFormat::$raw,)* }
            }
        }
    };
}

vertex_formats! {
    Uint8 = 1, Uint8; Uint8x2 = 2, Uint8x2; Uint8x4 = 4, Uint8x4;
    Sint8 = 1, Sint8; Sint8x2 = 2, Sint8x2; Sint8x4 = 4, Sint8x4;
    Unorm8 = 1, Unorm8; Unorm8x2 = 2, Unorm8x2; Unorm8x4 = 4, Unorm8x4;
    Snorm8 = 1, Snorm8; Snorm8x2 = 2, Snorm8x2; Snorm8x4 = 4, Snorm8x4;
    Uint16 = 2, Uint16; Uint16x2 = 4, Uint16x2; Uint16x4 = 8, Uint16x4;
    Sint16 = 2, Sint16; Sint16x2 = 4, Sint16x2; Sint16x4 = 8, Sint16x4;
    Unorm16 = 2, Unorm16; Unorm16x2 = 4, Unorm16x2; Unorm16x4 = 8, Unorm16x4;
    Snorm16 = 2, Snorm16; Snorm16x2 = 4, Snorm16x2; Snorm16x4 = 8, Snorm16x4;
    Float16 = 2, Float16; Float16x2 = 4, Float16x2; Float16x4 = 8, Float16x4;
    Float32 = 4, Float32; Float32x2 = 8, Float32x2; Float32x3 = 12, Float32x3; Float32x4 = 16, Float32x4;
    Uint32 = 4, Uint32; Uint32x2 = 8, Uint32x2; Uint32x3 = 12, Uint32x3; Uint32x4 = 16, Uint32x4;
    Sint32 = 4, Sint32; Sint32x2 = 8, Sint32x2; Sint32x3 = 12, Sint32x3; Sint32x4 = 16, Sint32x4;
    Unorm10_10_10_2 = 4, Unorm1010102;
    Unorm8x4Bgra = 4, Unorm8x4Bgra;
}

/// One attribute of a vertex buffer: where it is in each element and which
/// `@location` of the vertex shader reads it. Corresponds to WebGPU's
/// [`GPUVertexAttribute`](https://www.w3.org/TR/webgpu/#dictdef-gpuvertexattribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VertexAttribute {
    /// The attribute's format.
    pub format: VertexFormat,
    /// Byte offset from the start of the element; a multiple of
    /// `min(4, format.size())`.
    pub offset: u64,
    /// The `@location(n)` the vertex shader reads it at.
    pub shader_location: u32,
}

impl VertexAttribute {
    /// Attributes packed one after the other from offset 0, at consecutive
    /// locations starting at `first_location`, as `#[repr(C)]` lays out a
    /// struct of the matching Rust types.
    pub fn packed<const N: usize>(first_location: u32, formats: [VertexFormat; N]) -> [VertexAttribute; N] {
        let mut offset = 0;
        let mut location = first_location;
        formats.map(|format| {
            let attribute = VertexAttribute { format, offset, shader_location: location };
            offset += format.size();
            location += 1;
            attribute
        })
    }
}

/// Whether a vertex buffer advances per vertex or per instance. Corresponds
/// to WebGPU's [`GPUVertexStepMode`](https://www.w3.org/TR/webgpu/#enumdef-gpuvertexstepmode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VertexStepMode {
    /// One element per vertex.
    #[default]
    Vertex,
    /// One element per instance.
    Instance,
}

/// How one vertex buffer is laid out. Corresponds to WebGPU's
/// [`GPUVertexBufferLayout`](https://www.w3.org/TR/webgpu/#dictdef-gpuvertexbufferlayout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VertexBufferLayout<'a> {
    /// Bytes from one element to the next; a multiple of 4, at most the
    /// device's `max_vertex_buffer_array_stride`. 0 makes every vertex (or
    /// instance) read the same element.
    pub array_stride: u64,
    /// Per vertex or per instance.
    pub step_mode: VertexStepMode,
    /// The attributes of one element.
    pub attributes: &'a [VertexAttribute],
}

/// The vertex stage of a [`RenderPipeline`](crate::RenderPipeline).
/// Corresponds to WebGPU's [`GPUVertexState`](https://www.w3.org/TR/webgpu/#dictdef-gpuvertexstate).
#[derive(Clone, Copy)]
pub struct VertexState<'a> {
    /// The shader.
    pub module: &'a ShaderModule,
    /// The `@vertex` function; `None` when the module has exactly one.
    pub entry_point: Option<&'a str>,
    /// Override constants.
    pub compilation_options: PipelineCompilationOptions<'a>,
    /// Vertex buffer slot `i` holds elements laid out as `buffers[i]`.
    pub buffers: &'a [VertexBufferLayout<'a>],
}

impl<'a> VertexState<'a> {
    /// The module's only `@vertex` function, without vertex buffers.
    pub fn new(module: &'a ShaderModule) -> Self {
        Self { module, entry_point: None, compilation_options: Default::default(), buffers: &[] }
    }
}

/// The fragment stage of a [`RenderPipeline`](crate::RenderPipeline).
/// Corresponds to WebGPU's [`GPUFragmentState`](https://www.w3.org/TR/webgpu/#dictdef-gpufragmentstate).
#[derive(Clone, Copy)]
pub struct FragmentState<'a> {
    /// The shader.
    pub module: &'a ShaderModule,
    /// The `@fragment` function; `None` when the module has exactly one.
    pub entry_point: Option<&'a str>,
    /// Override constants.
    pub compilation_options: PipelineCompilationOptions<'a>,
    /// Color target `i` receives `@location(i)` of the fragment output;
    /// `None` leaves attachment `i` unwritten.
    pub targets: &'a [Option<ColorTargetState>],
}

impl<'a> FragmentState<'a> {
    /// The module's only `@fragment` function, writing `targets`.
    pub fn new(module: &'a ShaderModule, targets: &'a [Option<ColorTargetState>]) -> Self {
        Self { module, entry_point: None, compilation_options: Default::default(), targets }
    }
}

flags! {
    /// Which color channels a color target writes. Corresponds to WebGPU's
    /// [`GPUColorWrite`](https://www.w3.org/TR/webgpu/#typedefdef-gpucolorwriteflags).
    pub struct ColorWrites {
        /// The red channel.
        const RED = 0;
        /// The green channel.
        const GREEN = 1;
        /// The blue channel.
        const BLUE = 2;
        /// The alpha channel.
        const ALPHA = 3;
    }
}

impl ColorWrites {
    /// Every channel.
    pub const ALL: Self = Self::all();
    /// Red, green and blue, not alpha.
    pub const COLOR: Self = Self(Self::RED.0 | Self::GREEN.0 | Self::BLUE.0);

    pub(crate) fn to_raw(self) -> raw::GpuColorWrite {
        let mut out = raw::GpuColorWrite::empty();
        for (flag, bit) in [
            (Self::RED, raw::GpuColorWrite::RED),
            (Self::GREEN, raw::GpuColorWrite::GREEN),
            (Self::BLUE, raw::GpuColorWrite::BLUE),
            (Self::ALPHA, raw::GpuColorWrite::ALPHA),
        ] {
            if self.contains(flag) {
                out |= bit;
            }
        }
        out
    }
}

/// A factor of a blend equation. Corresponds to WebGPU's
/// [`GPUBlendFactor`](https://www.w3.org/TR/webgpu/#enumdef-gpublendfactor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlendFactor {
    /// 0.
    Zero,
    /// 1.
    One,
    /// The fragment's color (source).
    Src,
    /// 1 − source.
    OneMinusSrc,
    /// The source's alpha.
    SrcAlpha,
    /// 1 − source alpha.
    OneMinusSrcAlpha,
    /// The attachment's color (destination).
    Dst,
    /// 1 − destination.
    OneMinusDst,
    /// The destination's alpha.
    DstAlpha,
    /// 1 − destination alpha.
    OneMinusDstAlpha,
    /// `min(source alpha, 1 − destination alpha)`.
    SrcAlphaSaturated,
    /// The blend constant ([`RenderPass::set_blend_constant`](crate::RenderPass::set_blend_constant)).
    Constant,
    /// 1 − the blend constant.
    OneMinusConstant,
}

impl BlendFactor {
    pub(crate) fn to_raw(self) -> raw::GpuBlendFactor {
        match self {
            Self::Zero => raw::GpuBlendFactor::Zero,
            Self::One => raw::GpuBlendFactor::One,
            Self::Src => raw::GpuBlendFactor::Src,
            Self::OneMinusSrc => raw::GpuBlendFactor::OneMinusSrc,
            Self::SrcAlpha => raw::GpuBlendFactor::SrcAlpha,
            Self::OneMinusSrcAlpha => raw::GpuBlendFactor::OneMinusSrcAlpha,
            Self::Dst => raw::GpuBlendFactor::Dst,
            Self::OneMinusDst => raw::GpuBlendFactor::OneMinusDst,
            Self::DstAlpha => raw::GpuBlendFactor::DstAlpha,
            Self::OneMinusDstAlpha => raw::GpuBlendFactor::OneMinusDstAlpha,
            Self::SrcAlphaSaturated => raw::GpuBlendFactor::SrcAlphaSaturated,
            Self::Constant => raw::GpuBlendFactor::Constant,
            Self::OneMinusConstant => raw::GpuBlendFactor::OneMinusConstant,
        }
    }
}

/// How the weighted source and destination combine. Corresponds to WebGPU's
/// [`GPUBlendOperation`](https://www.w3.org/TR/webgpu/#enumdef-gpublendoperation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BlendOperation {
    /// `src * srcFactor + dst * dstFactor`.
    #[default]
    Add,
    /// `src * srcFactor - dst * dstFactor`.
    Subtract,
    /// `dst * dstFactor - src * srcFactor`.
    ReverseSubtract,
    /// `min(src, dst)`; both factors must be `One`.
    Min,
    /// `max(src, dst)`; both factors must be `One`.
    Max,
}

impl BlendOperation {
    pub(crate) fn to_raw(self) -> raw::GpuBlendOperation {
        match self {
            Self::Add => raw::GpuBlendOperation::Add,
            Self::Subtract => raw::GpuBlendOperation::Subtract,
            Self::ReverseSubtract => raw::GpuBlendOperation::ReverseSubtract,
            Self::Min => raw::GpuBlendOperation::Min,
            Self::Max => raw::GpuBlendOperation::Max,
        }
    }
}

/// The blend equation of one channel group (color or alpha). Corresponds to
/// WebGPU's [`GPUBlendComponent`](https://www.w3.org/TR/webgpu/#dictdef-gpublendcomponent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlendComponent {
    /// Weight of the fragment's value.
    pub src_factor: BlendFactor,
    /// Weight of the attachment's value.
    pub dst_factor: BlendFactor,
    /// How the two combine.
    pub operation: BlendOperation,
}

impl BlendComponent {
    /// Writes the source: `src * 1 + dst * 0`.
    pub const REPLACE: Self =
        Self { src_factor: BlendFactor::One, dst_factor: BlendFactor::Zero, operation: BlendOperation::Add };
    /// `src * 1 + dst * (1 - src alpha)`.
    pub const OVER: Self = Self {
        src_factor: BlendFactor::One,
        dst_factor: BlendFactor::OneMinusSrcAlpha,
        operation: BlendOperation::Add,
    };

    pub(crate) fn to_raw(self) -> raw::GpuBlendComponent {
        raw::GpuBlendComponent {
            operation: Some(self.operation.to_raw()),
            src_factor: Some(self.src_factor.to_raw()),
            dst_factor: Some(self.dst_factor.to_raw()),
        }
    }
}

impl Default for BlendComponent {
    fn default() -> Self {
        Self::REPLACE
    }
}

/// How a color target blends a fragment into what it holds. Corresponds to
/// WebGPU's [`GPUBlendState`](https://www.w3.org/TR/webgpu/#dictdef-gpublendstate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BlendState {
    /// For the red, green and blue channels.
    pub color: BlendComponent,
    /// For the alpha channel.
    pub alpha: BlendComponent,
}

impl BlendState {
    /// Writes the fragment as it is.
    pub const REPLACE: Self = Self { color: BlendComponent::REPLACE, alpha: BlendComponent::REPLACE };
    /// Classic alpha blending of non-premultiplied colors:
    /// `color = src * a + dst * (1 - a)`, `alpha = a + dst alpha * (1 - a)`.
    pub const ALPHA_BLENDING: Self = Self {
        color: BlendComponent {
            src_factor: BlendFactor::SrcAlpha,
            dst_factor: BlendFactor::OneMinusSrcAlpha,
            operation: BlendOperation::Add,
        },
        alpha: BlendComponent::OVER,
    };
    /// Blending of premultiplied colors: `src + dst * (1 - a)` for every channel.
    pub const PREMULTIPLIED_ALPHA_BLENDING: Self = Self { color: BlendComponent::OVER, alpha: BlendComponent::OVER };
}

/// One color attachment as a pipeline writes it. Corresponds to WebGPU's
/// [`GPUColorTargetState`](https://www.w3.org/TR/webgpu/#dictdef-gpucolortargetstate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColorTargetState {
    /// The attachment's format; a pass's attachment must have the same.
    pub format: TextureFormat,
    /// `None` writes fragments without blending.
    pub blend: Option<BlendState>,
    /// Channels written.
    pub write_mask: ColorWrites,
}

impl From<TextureFormat> for ColorTargetState {
    /// A target of `format`, without blending, writing every channel.
    fn from(format: TextureFormat) -> Self {
        Self { format, blend: None, write_mask: ColorWrites::ALL }
    }
}

/// How vertices are assembled into primitives. Corresponds to WebGPU's
/// [`GPUPrimitiveTopology`](https://www.w3.org/TR/webgpu/#enumdef-gpuprimitivetopology).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PrimitiveTopology {
    /// Each vertex is a point.
    PointList,
    /// Each pair of vertices is a line.
    LineList,
    /// Each vertex after the first ends a line from the previous one.
    LineStrip,
    /// Each three vertices are a triangle.
    #[default]
    TriangleList,
    /// Each vertex after the second ends a triangle with the two before it.
    TriangleStrip,
}

impl PrimitiveTopology {
    /// Whether this is a strip, which alone may restart at a strip index.
    pub fn is_strip(self) -> bool {
        matches!(self, Self::LineStrip | Self::TriangleStrip)
    }

    pub(crate) fn to_raw(self) -> raw::GpuPrimitiveTopology {
        match self {
            Self::PointList => raw::GpuPrimitiveTopology::PointList,
            Self::LineList => raw::GpuPrimitiveTopology::LineList,
            Self::LineStrip => raw::GpuPrimitiveTopology::LineStrip,
            Self::TriangleList => raw::GpuPrimitiveTopology::TriangleList,
            Self::TriangleStrip => raw::GpuPrimitiveTopology::TriangleStrip,
        }
    }
}

/// Which winding makes a triangle front-facing. Corresponds to WebGPU's
/// [`GPUFrontFace`](https://www.w3.org/TR/webgpu/#enumdef-gpufrontface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FrontFace {
    /// Counter-clockwise in framebuffer coordinates (y up in clip space).
    #[default]
    Ccw,
    /// Clockwise.
    Cw,
}

/// A side of a triangle, for culling. Corresponds to WebGPU's
/// [`GPUCullMode`](https://www.w3.org/TR/webgpu/#enumdef-gpucullmode)
/// (`None` in [`PrimitiveState::cull_mode`] is `"none"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    /// Front-facing triangles.
    Front,
    /// Back-facing triangles.
    Back,
}

/// The type of an index buffer's elements. Corresponds to WebGPU's
/// [`GPUIndexFormat`](https://www.w3.org/TR/webgpu/#enumdef-gpuindexformat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexFormat {
    /// `u16` indices; `0xFFFF` restarts a strip.
    Uint16,
    /// `u32` indices; `0xFFFFFFFF` restarts a strip.
    Uint32,
}

impl IndexFormat {
    /// Size of one index, in bytes.
    pub const fn size(self) -> u64 {
        match self {
            Self::Uint16 => 2,
            Self::Uint32 => 4,
        }
    }

    pub(crate) fn to_raw(self) -> raw::GpuIndexFormat {
        match self {
            Self::Uint16 => raw::GpuIndexFormat::Uint16,
            Self::Uint32 => raw::GpuIndexFormat::Uint32,
        }
    }
}

/// How primitives are assembled and rasterized. Corresponds to WebGPU's
/// [`GPUPrimitiveState`](https://www.w3.org/TR/webgpu/#dictdef-gpuprimitivestate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrimitiveState {
    /// How vertices form primitives.
    pub topology: PrimitiveTopology,
    /// For strips drawn indexed: the index format, whose all-ones value
    /// restarts the strip. Must be `None` for lists.
    pub strip_index_format: Option<IndexFormat>,
    /// Which winding is the front.
    pub front_face: FrontFace,
    /// Which triangles to discard; `None` keeps all.
    pub cull_mode: Option<Face>,
    /// Keep fragments beyond the depth range instead of clipping them; needs
    /// [`Features::DEPTH_CLIP_CONTROL`](crate::Features::DEPTH_CLIP_CONTROL).
    pub unclipped_depth: bool,
}

/// A comparison between a new value and a stored one (depth, stencil).
/// Corresponds to WebGPU's
/// [`GPUCompareFunction`](https://www.w3.org/TR/webgpu/#enumdef-gpucomparefunction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareFunction {
    /// Never passes.
    Never,
    /// Passes if new < stored.
    Less,
    /// Passes if new == stored.
    Equal,
    /// Passes if new <= stored.
    LessEqual,
    /// Passes if new > stored.
    Greater,
    /// Passes if new != stored.
    NotEqual,
    /// Passes if new >= stored.
    GreaterEqual,
    /// Always passes.
    Always,
}

impl CompareFunction {
    pub(crate) fn to_raw(self) -> raw::GpuCompareFunction {
        match self {
            Self::Never => raw::GpuCompareFunction::Never,
            Self::Less => raw::GpuCompareFunction::Less,
            Self::Equal => raw::GpuCompareFunction::Equal,
            Self::LessEqual => raw::GpuCompareFunction::LessEqual,
            Self::Greater => raw::GpuCompareFunction::Greater,
            Self::NotEqual => raw::GpuCompareFunction::NotEqual,
            Self::GreaterEqual => raw::GpuCompareFunction::GreaterEqual,
            Self::Always => raw::GpuCompareFunction::Always,
        }
    }
}

/// What a stencil test does to the stored value. Corresponds to WebGPU's
/// [`GPUStencilOperation`](https://www.w3.org/TR/webgpu/#enumdef-gpustenciloperation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StencilOperation {
    /// Keeps it.
    #[default]
    Keep,
    /// Sets it to 0.
    Zero,
    /// Sets it to the stencil reference.
    Replace,
    /// Inverts its bits.
    Invert,
    /// Adds 1, clamping at the maximum.
    IncrementClamp,
    /// Subtracts 1, clamping at 0.
    DecrementClamp,
    /// Adds 1, wrapping to 0.
    IncrementWrap,
    /// Subtracts 1, wrapping to the maximum.
    DecrementWrap,
}

impl StencilOperation {
    pub(crate) fn to_raw(self) -> raw::GpuStencilOperation {
        match self {
            Self::Keep => raw::GpuStencilOperation::Keep,
            Self::Zero => raw::GpuStencilOperation::Zero,
            Self::Replace => raw::GpuStencilOperation::Replace,
            Self::Invert => raw::GpuStencilOperation::Invert,
            Self::IncrementClamp => raw::GpuStencilOperation::IncrementClamp,
            Self::DecrementClamp => raw::GpuStencilOperation::DecrementClamp,
            Self::IncrementWrap => raw::GpuStencilOperation::IncrementWrap,
            Self::DecrementWrap => raw::GpuStencilOperation::DecrementWrap,
        }
    }
}

/// The stencil test of one face. Corresponds to WebGPU's
/// [`GPUStencilFaceState`](https://www.w3.org/TR/webgpu/#dictdef-gpustencilfacestate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StencilFaceState {
    /// The test: reference `compare` stored value.
    pub compare: CompareFunction,
    /// What to do when the stencil test fails.
    pub fail_op: StencilOperation,
    /// What to do when the stencil test passes and the depth test fails.
    pub depth_fail_op: StencilOperation,
    /// What to do when both pass.
    pub pass_op: StencilOperation,
}

impl StencilFaceState {
    /// Always passes and changes nothing: no stencil test.
    pub const IGNORE: Self = Self {
        compare: CompareFunction::Always,
        fail_op: StencilOperation::Keep,
        depth_fail_op: StencilOperation::Keep,
        pass_op: StencilOperation::Keep,
    };

    pub(crate) fn to_raw(self) -> raw::GpuStencilFaceState {
        raw::GpuStencilFaceState {
            compare: Some(self.compare.to_raw()),
            fail_op: Some(self.fail_op.to_raw()),
            depth_fail_op: Some(self.depth_fail_op.to_raw()),
            pass_op: Some(self.pass_op.to_raw()),
        }
    }

    pub(crate) fn writes(&self) -> bool {
        [self.fail_op, self.depth_fail_op, self.pass_op].iter().any(|op| *op != StencilOperation::Keep)
    }
}

impl Default for StencilFaceState {
    fn default() -> Self {
        Self::IGNORE
    }
}

/// The stencil test of both faces. Part of WebGPU's
/// [`GPUDepthStencilState`](https://www.w3.org/TR/webgpu/#dictdef-gpudepthstencilstate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StencilState {
    /// For front-facing primitives.
    pub front: StencilFaceState,
    /// For back-facing primitives.
    pub back: StencilFaceState,
    /// Bits of the stored value and reference the test compares.
    pub read_mask: u32,
    /// Bits of the stored value operations may change.
    pub write_mask: u32,
}

impl Default for StencilState {
    fn default() -> Self {
        Self { front: StencilFaceState::IGNORE, back: StencilFaceState::IGNORE, read_mask: !0, write_mask: !0 }
    }
}

/// A constant and slope-scaled offset added to fragments' depth. Part of
/// WebGPU's [`GPUDepthStencilState`](https://www.w3.org/TR/webgpu/#dictdef-gpudepthstencilstate).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DepthBiasState {
    /// Constant bias, in units of the depth format's precision.
    pub constant: i32,
    /// Bias per unit of the primitive's depth slope.
    pub slope_scale: f32,
    /// Largest absolute bias; 0 for no clamp.
    pub clamp: f32,
}

/// The depth and stencil tests of a pipeline. Corresponds to WebGPU's
/// [`GPUDepthStencilState`](https://www.w3.org/TR/webgpu/#dictdef-gpudepthstencilstate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DepthStencilState {
    /// The depth-stencil attachment's format; the pass's must be the same.
    pub format: TextureFormat,
    /// Whether passing fragments write their depth. Required (`Some`) for
    /// formats with depth.
    pub depth_write_enabled: Option<bool>,
    /// The depth test: fragment depth `compare` stored depth. Required when
    /// depth is written or stencil operations depend on it.
    pub depth_compare: Option<CompareFunction>,
    /// The stencil test.
    pub stencil: StencilState,
    /// The depth bias.
    pub bias: DepthBiasState,
}

impl DepthStencilState {
    /// A depth test with `compare` that writes passing fragments' depth, and
    /// no stencil test.
    pub fn depth(format: TextureFormat, compare: CompareFunction) -> Self {
        Self {
            format,
            depth_write_enabled: Some(true),
            depth_compare: Some(compare),
            stencil: StencilState::default(),
            bias: DepthBiasState::default(),
        }
    }

    pub(crate) fn writes_depth(&self) -> bool {
        self.depth_write_enabled == Some(true)
    }

    pub(crate) fn writes_stencil(&self) -> bool {
        self.stencil.write_mask != 0 && (self.stencil.front.writes() || self.stencil.back.writes())
    }

    pub(crate) fn to_raw(self) -> raw::GpuDepthStencilState {
        raw::GpuDepthStencilState {
            format: self.format.to_raw(),
            depth_write_enabled: self.depth_write_enabled,
            depth_compare: self.depth_compare.map(CompareFunction::to_raw),
            stencil_front: Some(self.stencil.front.to_raw()),
            stencil_back: Some(self.stencil.back.to_raw()),
            stencil_read_mask: Some(self.stencil.read_mask),
            stencil_write_mask: Some(self.stencil.write_mask),
            depth_bias: Some(self.bias.constant),
            depth_bias_slope_scale: Some(self.bias.slope_scale),
            depth_bias_clamp: Some(self.bias.clamp),
        }
    }
}

/// Multisampling of a pipeline. Corresponds to WebGPU's
/// [`GPUMultisampleState`](https://www.w3.org/TR/webgpu/#dictdef-gpumultisamplestate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MultisampleState {
    /// Samples per pixel: 1, or 4 for multisampling. The pass's attachments
    /// must have the same sample count.
    pub count: u32,
    /// Which samples are written, one bit per sample.
    pub mask: u64,
    /// Derive extra coverage from the fragment's alpha.
    pub alpha_to_coverage_enabled: bool,
}

impl Default for MultisampleState {
    fn default() -> Self {
        Self { count: 1, mask: !0, alpha_to_coverage_enabled: false }
    }
}

//! Render pipelines, offscreen render passes, bundles and queries on the
//! reference host. Each check renders into a texture, reads it back and
//! compares it pixel by pixel with the same scene rasterized on the CPU
//! ([`raster`]): every pixel within 1/255 per channel (2/255 where colors
//! are interpolated or multisampled). The CPU applies the top-left rule to
//! samples exactly on an edge, as lavapipe does, so no pixel is left out.
//! Query checks compare counts with the CPU's exactly. Each check prints `check <name> ... ok` or
//! `... FAILED: <why>`; arguments select checks by substring. The
//! integration test `render` runs it.

mod checks;
mod misuse;
mod queries;
pub mod raster;

use bytemuck::{Pod, Zeroable};
use wasi_webgpu::{
    Buffer, BufferInitDescriptor, BufferUsages, Color, ColorTargetState, DepthStencilState, FragmentState,
    MultisampleState, PrimitiveState, RenderPass, RenderPassColorAttachment, RenderPassDepthStencilAttachment,
    RenderPassDescriptor, RenderPipeline, RenderPipelineDescriptor, ShaderModule, Texture, TextureDescriptor,
    TextureFormat, TextureUsages, TextureView, VertexAttribute, VertexBufferLayout, VertexFormat, VertexState,
};

pub use guest_harness::{Context, Gpu, Outcome, checks, ensure, expect_err};
use raster::Tri;

/// Width and height of every render target.
pub const SIZE: u32 = 64;

/// A vertex of the `vs_color` shader.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct Vertex {
    pub position: [f32; 3],
    pub color: [f32; 4],
}

/// `Vertex`'s attributes at locations 0 and 1.
pub fn vertex_attributes() -> [VertexAttribute; 2] {
    VertexAttribute::packed(0, [VertexFormat::Float32x3, VertexFormat::Float32x4])
}

/// The checks' shaders, validated at compile time; the vertex entry points'
/// `@location` inputs come out as `VS_COLOR_ATTRIBUTES`, `VS_COLOR_LAYOUT`, ...
#[wasi_webgpu::shader(path = "shaders/render.wgsl")]
pub mod shaders {}

/// Pixel coordinates to clip space.
pub fn ndc([x, y]: [f64; 2]) -> [f32; 2] {
    let size = f64::from(SIZE);
    [(x / size * 2.0 - 1.0) as f32, (1.0 - y / size * 2.0) as f32]
}

/// The vertices of CPU triangles, three per triangle.
pub fn vertices(tris: &[Tri]) -> Vec<Vertex> {
    tris.iter()
        .flat_map(|t| {
            (0..3).map(move |i| {
                let [x, y] = ndc(t.p[i]);
                Vertex { position: [x, y, t.z as f32], color: t.color[i].map(|c| c as f32) }
            })
        })
        .collect()
}

pub fn f64_color(c: Color) -> [f64; 4] {
    [c.r, c.g, c.b, c.a]
}

/// The checks' shaders.
pub async fn module(gpu: &Gpu) -> Result<ShaderModule, String> {
    gpu.device.create_shader_module(wasi_webgpu::include_wgsl!("../shaders/render.wgsl")).await.at("shader module")
}

/// What the checks vary in their pipelines.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    pub vertex: &'a str,
    pub fragment: &'a str,
    pub target: ColorTargetState,
    pub depth_stencil: Option<DepthStencilState>,
    pub samples: u32,
    pub primitive: PrimitiveState,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Self {
            vertex: "vs_color",
            fragment: "fs_color",
            target: TextureFormat::Rgba8Unorm.into(),
            depth_stencil: None,
            samples: 1,
            primitive: PrimitiveState::default(),
        }
    }
}

/// A pipeline of `module` with `Vertex` buffers in slot 0 (and a
/// per-instance buffer in slot 1 for `vs_instanced`).
pub async fn pipeline(gpu: &Gpu, module: &ShaderModule, options: Options<'_>) -> wasi_webgpu::Result<RenderPipeline> {
    let shape = [VertexAttribute { format: VertexFormat::Float32x2, offset: 0, shader_location: 0 }];
    let instance = VertexAttribute::packed(1, [VertexFormat::Float32x3, VertexFormat::Float32x4]);
    // The layout the shader macro reflected from `vs_color`'s inputs.
    let colored = [shaders::VS_COLOR_LAYOUT];
    let instanced = [
        VertexBufferLayout { array_stride: 8, attributes: &shape, ..Default::default() },
        VertexBufferLayout {
            array_stride: size_of::<Instance>() as u64,
            step_mode: wasi_webgpu::VertexStepMode::Instance,
            attributes: &instance,
        },
    ];
    let buffers: &[VertexBufferLayout] = if options.vertex == "vs_instanced" { &instanced } else { &colored };
    let targets = [Some(options.target)];
    let mut descriptor = RenderPipelineDescriptor::new(
        VertexState { entry_point: Some(options.vertex), buffers, ..VertexState::new(module) },
        Some(FragmentState { entry_point: Some(options.fragment), ..FragmentState::new(module, &targets) }),
    );
    descriptor.label = Some("render-guest pipeline");
    descriptor.depth_stencil = options.depth_stencil;
    descriptor.multisample = MultisampleState { count: options.samples, ..Default::default() };
    descriptor.primitive = options.primitive;
    gpu.device.create_render_pipeline(&descriptor).await
}

/// A per-instance offset (clip space, with depth) and color.
#[repr(C)]
#[derive(Debug, Clone, Copy, Pod, Zeroable)]
pub struct Instance {
    pub offset: [f32; 3],
    pub color: [f32; 4],
}

/// A `SIZE` x `SIZE` render target that can be read back.
pub fn target(gpu: &Gpu, format: TextureFormat, samples: u32) -> Result<Texture, String> {
    let mut usage = TextureUsages::RENDER_ATTACHMENT;
    if samples == 1 {
        usage |= TextureUsages::COPY_SRC;
    }
    gpu.device
        .create_texture(&TextureDescriptor {
            label: Some("render-guest target"),
            size: wasi_webgpu::Extent3d { width: SIZE, height: SIZE, depth_or_array_layers: 1 },
            sample_count: samples,
            format,
            usage,
            ..Default::default()
        })
        .at("create_texture")
}

pub fn view(texture: &Texture) -> Result<TextureView, String> {
    texture.create_view(&Default::default()).at("create_view")
}

/// A buffer of `contents` with `usage`.
pub fn buffer<T: Pod>(gpu: &Gpu, contents: &[T], usage: BufferUsages) -> Result<Buffer<T>, String> {
    gpu.device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).at("create_buffer_init")
}

/// Renders one pass into `color` (cleared to `clear`), with an optional
/// depth-stencil attachment cleared to depth 1 and stencil 0, and submits.
pub async fn render(
    gpu: &Gpu,
    color: &TextureView,
    clear: Color,
    depth: Option<&TextureView>,
    record: impl FnOnce(&mut RenderPass<'_>) -> wasi_webgpu::Result<()>,
) -> Outcome {
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let attachments = [Some(RenderPassColorAttachment::new(color, clear))];
    let depth_stencil_attachment = depth.map(|view| RenderPassDepthStencilAttachment {
        view,
        depth_ops: view.format().has_depth_aspect().then_some(wasi_webgpu::Operations {
            load: wasi_webgpu::LoadOp::Clear(1.0),
            store: wasi_webgpu::StoreOp::Store,
        }),
        stencil_ops: view.format().has_stencil_aspect().then_some(wasi_webgpu::Operations {
            load: wasi_webgpu::LoadOp::Clear(0),
            store: wasi_webgpu::StoreOp::Store,
        }),
    });
    let mut pass = encoder
        .begin_render_pass(&RenderPassDescriptor {
            color_attachments: &attachments,
            depth_stencil_attachment,
            ..Default::default()
        })
        .at("begin_render_pass")?;
    record(&mut pass).at("record")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")
}

/// Reads an `rgba8unorm` target.
pub async fn read_rgba(texture: &Texture) -> Result<Vec<[u8; 4]>, String> {
    texture.read_2d::<[u8; 4]>().await.at("read_2d")
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let all: Vec<_> = checks::CHECKS.iter().chain(queries::CHECKS).chain(misuse::CHECKS).copied().collect();
    guest_harness::run_checks("render", &all, &filters).await
}

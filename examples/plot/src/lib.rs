//! Renders a scatter plot and a line chart of generated data with a render
//! pipeline into an offscreen texture (4x multisampled, resolved to
//! `rgba8unorm`), reads the pixels back and writes `scatter.png` and
//! `line.png` into the current directory: run it with
//! `wasi-webgpu-run --dir . examples/plot`. No surface or window is needed.
//!
//! Markers, grid and axes are instanced rectangles, lines are instanced
//! thick segments, both expanded from four corners in the vertex shader
//! (`plot.wgsl`); the data and layout are in `scene.rs`.

mod scene;

use std::fs::File;
use std::io::BufWriter;

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BindGroupLayoutDescriptor, BindGroupLayoutEntry, BindingType, BlendState,
    Buffer, BufferBindingType, BufferInitDescriptor, BufferUsages, Color, ColorTargetState, Device, Extent3d,
    FragmentState, IndexFormat, LoadOp, MultisampleState, Operations, PipelineLayoutDescriptor, Queue,
    RenderPassColorAttachment, RenderPassDescriptor, RenderPipeline, RenderPipelineDescriptor, ShaderStages, StoreOp,
    Texture, TextureDescriptor, TextureFormat, TextureUsages, VertexAttribute, VertexBufferLayout, VertexFormat,
    VertexState, VertexStepMode,
};

use scene::{CORNER_INDICES, HEIGHT, Layer, Plot, WIDTH};

/// Samples per pixel of the render target.
const SAMPLES: u32 = 4;

#[wasi_webgpu::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    let renderer = Renderer::new(&device).await?;
    for (name, plot) in [("scatter.png", scene::scatter()), ("line.png", scene::line())] {
        let pixels = renderer.render(&device, &queue, &plot).await?;
        write_png(name, &pixels)?;
        println!("wrote {name} ({WIDTH} x {HEIGHT})");
    }
    Ok(())
}

/// The two pipelines (rectangles and segments) and what they share.
struct Renderer {
    rects: RenderPipeline,
    segments: RenderPipeline,
    corners: Buffer<u16>,
    frame: wasi_webgpu::BindGroup,
}

impl Renderer {
    async fn new(device: &Device) -> wasi_webgpu::Result<Self> {
        let module = device.create_shader_module(wasi_webgpu::include_wgsl!("plot.wgsl")).await?;
        // One explicit layout for both pipelines, so one bind group (the
        // target size) serves both; an `auto` layout would fit only one.
        let group_layout = device.create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: Some("target size"),
            entries: &[BindGroupLayoutEntry {
                binding: 0,
                visibility: ShaderStages::VERTEX,
                ty: BindingType::Buffer {
                    ty: BufferBindingType::Uniform,
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
            }],
        })?;
        let layout = device
            .create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: &[&group_layout] })?;
        let targets =
            [Some(ColorTargetState { blend: Some(BlendState::ALPHA_BLENDING), ..TextureFormat::Rgba8Unorm.into() })];
        let rect_attributes =
            VertexAttribute::packed(0, [VertexFormat::Float32x2, VertexFormat::Float32x2, VertexFormat::Float32x4]);
        let segment_attributes = VertexAttribute::packed(
            0,
            [VertexFormat::Float32x2, VertexFormat::Float32x2, VertexFormat::Float32, VertexFormat::Float32x4],
        );
        let pipeline = async |entry: &str, attributes: &[VertexAttribute], stride: u64| {
            let buffers =
                [VertexBufferLayout { array_stride: stride, step_mode: VertexStepMode::Instance, attributes }];
            let mut descriptor = RenderPipelineDescriptor::new(
                VertexState { entry_point: Some(entry), buffers: &buffers, ..VertexState::new(&module) },
                Some(FragmentState::new(&module, &targets)),
            );
            descriptor.label = Some(entry);
            descriptor.layout = Some(&layout);
            descriptor.multisample = MultisampleState { count: SAMPLES, ..Default::default() };
            device.create_render_pipeline(&descriptor).await
        };
        let rects = pipeline("vs_rect", &rect_attributes, 32).await?;
        let segments = pipeline("vs_segment", &segment_attributes, 36).await?;
        let corners = device.create_buffer_init(&BufferInitDescriptor {
            label: Some("corner indices"),
            contents: &CORNER_INDICES,
            usage: BufferUsages::INDEX,
        })?;
        let size = device.create_buffer_init(&BufferInitDescriptor {
            label: Some("target size"),
            contents: &[WIDTH as f32, HEIGHT as f32, 0.0, 0.0],
            usage: BufferUsages::UNIFORM,
        })?;
        let entries = [BindGroupEntry { binding: 0, resource: size.as_entire_binding() }];
        let frame = device.create_bind_group(&BindGroupDescriptor::new(&group_layout, &entries))?;
        Ok(Self { rects, segments, corners, frame })
    }

    /// Renders `plot` and returns its `WIDTH * HEIGHT` RGBA pixels.
    async fn render(&self, device: &Device, queue: &Queue, plot: &Plot) -> wasi_webgpu::Result<Vec<[u8; 4]>> {
        let texture = |samples: u32, usage: TextureUsages| -> wasi_webgpu::Result<Texture> {
            device.create_texture(&TextureDescriptor {
                label: Some("plot"),
                size: Extent3d { width: WIDTH, height: HEIGHT, depth_or_array_layers: 1 },
                sample_count: samples,
                format: TextureFormat::Rgba8Unorm,
                usage,
                ..Default::default()
            })
        };
        let multisampled = texture(SAMPLES, TextureUsages::RENDER_ATTACHMENT)?;
        let resolved = texture(1, TextureUsages::RENDER_ATTACHMENT | TextureUsages::COPY_SRC)?;
        let (ms_view, resolve_view) =
            (multisampled.create_view(&Default::default())?, resolved.create_view(&Default::default())?);

        // One instance buffer per layer; the pass borrows them.
        let instances: Vec<(bool, Buffer<f32>, u32)> = plot
            .layers
            .iter()
            .map(|layer| {
                let (is_rect, data, count): (bool, Vec<f32>, usize) = match layer {
                    Layer::Rects(rects) => (
                        true,
                        rects
                            .iter()
                            .flat_map(|r| [r.lo[0], r.lo[1], r.hi[0], r.hi[1]].into_iter().chain(r.color))
                            .collect(),
                        rects.len(),
                    ),
                    Layer::Segments(segments) => (
                        false,
                        segments
                            .iter()
                            .flat_map(|s| [s.p0[0], s.p0[1], s.p1[0], s.p1[1], s.width].into_iter().chain(s.color))
                            .collect(),
                        segments.len(),
                    ),
                };
                let buffer = device.create_buffer_init(&BufferInitDescriptor {
                    label: Some("plot instances"),
                    contents: &data,
                    usage: BufferUsages::VERTEX,
                })?;
                Ok((is_rect, buffer, count as u32))
            })
            .collect::<wasi_webgpu::Result<_>>()?;

        let [r, g, b, a] = plot.background.map(f64::from);
        let mut encoder = device.create_command_encoder(&Default::default());
        let attachments = [Some(RenderPassColorAttachment {
            view: &ms_view,
            depth_slice: None,
            resolve_target: Some(&resolve_view),
            ops: Operations { load: LoadOp::Clear(Color { r, g, b, a }), store: StoreOp::Discard },
        })];
        let mut pass = encoder
            .begin_render_pass(&RenderPassDescriptor { color_attachments: &attachments, ..Default::default() })?;
        pass.set_index_buffer(self.corners.slice(..), IndexFormat::Uint16)?;
        for (is_rect, buffer, count) in &instances {
            pass.set_pipeline(if *is_rect { &self.rects } else { &self.segments })?;
            pass.set_bind_group(0, &self.frame, &[])?;
            pass.set_vertex_buffer(0, buffer.slice(..))?;
            pass.draw_indexed(0..6, 0, 0..*count)?;
        }
        pass.end();
        queue.submit([encoder.finish().await?])?;
        resolved.read_2d::<[u8; 4]>().await
    }
}

fn write_png(name: &str, pixels: &[[u8; 4]]) -> Result<(), Box<dyn std::error::Error>> {
    let file = File::create(name).map_err(|e| format!("creating {name} (run with --dir . to preopen it): {e}"))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(bytemuck::cast_slice(pixels))?;
    writer.finish()?;
    Ok(())
}

//! Rendering checks: each scene is drawn on the GPU and on the CPU
//! ([`crate::raster`]) and the images compared pixel by pixel.

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BlendFactor, BlendState, BufferUsages, Color, ColorTargetState,
    CompareFunction, DepthStencilState, IndexFormat, LoadOp, Operations, PrimitiveState, PrimitiveTopology,
    RenderPassColorAttachment, RenderPassDescriptor, StencilFaceState, StencilOperation, StencilState, StoreOp,
    TextureFormat,
};

use crate::raster::{Blend, Image, SAMPLES_4X, Tri, compare, rect};
use crate::{
    Context, Gpu, Instance, Options, Outcome, SIZE, buffer, checks, ensure, f64_color, module, pipeline, read_rgba,
    render, target, vertices, view,
};

checks!(
    clear_and_interpolated_triangles,
    indexed_instanced_quads,
    alpha_and_constant_blending,
    depth_test_and_depth_readback,
    msaa_resolve,
    viewport_and_scissor,
    stencil_reference,
    auto_layout_bind_group,
    indirect_draws,
    strip_with_primitive_restart,
    write_mask_and_format_sizes,
);

const BACKGROUND: Color = Color { r: 0.1, g: 0.2, b: 0.3, a: 1.0 };

/// Three triangles with a color per vertex, overlapping, on the quarter-pixel
/// grid.
fn triangles() -> Vec<Tri> {
    vec![
        Tri {
            p: [[3.25, 4.5], [60.75, 10.25], [20.5, 58.75]],
            z: 0.5,
            color: [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]],
        },
        // Clockwise: no culling, so it renders too.
        Tri {
            p: [[40.25, 30.5], [30.75, 62.25], [63.5, 50.75]],
            z: 0.5,
            color: [[1.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 1.0]],
        },
        Tri::solid([[0.0, 0.0], [10.5, 0.0], [0.0, 10.5]], 0.5, [0.9, 0.8, 0.7, 1.0]),
    ]
}

async fn clear_and_interpolated_triangles(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let pipeline = pipeline(gpu, &module, Options::default()).await.at("create_render_pipeline")?;
    let tris = triangles();
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, BACKGROUND, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.draw(0..9, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, f64_color(BACKGROUND));
    cpu.draw(&tris, Blend::Replace, None);
    // Interpolated colors: 2/255 for the GPU's interpolation precision.
    compare("triangles", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 2)
}

async fn indexed_instanced_quads(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let options = Options { vertex: "vs_instanced", ..Default::default() };
    let pipeline = pipeline(gpu, &module, options).await.at("create_render_pipeline")?;
    // A unit square of 8.5 x 8.25 pixels at the origin, as 4 corners and 6
    // indices, moved per instance.
    let (w, h) = (8.5, 8.25);
    let corners: Vec<[f32; 2]> = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]].iter().map(|&p| crate::ndc(p)).collect();
    let indices: [u16; 6] = [0, 1, 3, 1, 2, 3];
    let origins = [(2.25, 3.5), (20.0, 10.75), (40.5, 40.25), (50.25, 5.5)];
    let colors = [[1.0, 0.5, 0.0, 1.0], [0.0, 0.6, 1.0, 1.0], [0.3, 0.3, 0.3, 1.0], [0.9, 0.1, 0.5, 1.0]];
    let instances: Vec<crate::Instance> = origins
        .iter()
        .zip(colors)
        .map(|(&(x, y), color)| {
            let (ox, oy) = (x / f64::from(SIZE) * 2.0, -(y / f64::from(SIZE) * 2.0));
            Instance { offset: [ox as f32, oy as f32, 0.25], color: color.map(|c: f64| c as f32) }
        })
        .collect();
    let corner_buffer = buffer(gpu, &corners, BufferUsages::VERTEX)?;
    // u16 indices padded to 4 bytes by the buffer; the bound range is 12 bytes.
    let index_buffer = buffer(gpu, &indices, BufferUsages::INDEX)?;
    let instance_buffer = buffer(gpu, &instances, BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, corner_buffer.slice(..))?;
        pass.set_vertex_buffer(1, instance_buffer.slice(..))?;
        pass.set_index_buffer(index_buffer.slice(..), IndexFormat::Uint16)?;
        // The first instance alone, then the other three with a base vertex
        // of 0 and first instance 1.
        pass.draw_indexed(0..6, 0, 0..1)?;
        pass.draw_indexed(0..6, 0, 1..4)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    for (&(x, y), color) in origins.iter().zip(colors) {
        cpu.draw(&rect(x, y, x + w, y + h, 0.25, color), Blend::Replace, None);
    }
    compare("instanced quads", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn alpha_and_constant_blending(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let alpha = pipeline(
        gpu,
        &module,
        Options {
            target: ColorTargetState { blend: Some(BlendState::ALPHA_BLENDING), ..TextureFormat::Rgba8Unorm.into() },
            ..Default::default()
        },
    )
    .await
    .at("alpha pipeline")?;
    let constant_blend = BlendState {
        color: wasi_webgpu::BlendComponent {
            src_factor: BlendFactor::Constant,
            dst_factor: BlendFactor::OneMinusConstant,
            operation: wasi_webgpu::BlendOperation::Add,
        },
        alpha: wasi_webgpu::BlendComponent::REPLACE,
    };
    let constant = pipeline(
        gpu,
        &module,
        Options {
            target: ColorTargetState { blend: Some(constant_blend), ..TextureFormat::Rgba8Unorm.into() },
            ..Default::default()
        },
    )
    .await
    .at("constant pipeline")?;
    let first: Vec<Tri> = rect(4.0, 4.0, 40.0, 40.0, 0.5, [1.0, 0.0, 0.0, 0.5]).into();
    let second: Vec<Tri> = rect(20.0, 20.0, 60.0, 60.0, 0.5, [0.0, 0.0, 1.0, 0.25]).into();
    let third: Vec<Tri> = rect(10.0, 30.0, 50.0, 50.0, 0.5, [0.0, 1.0, 0.0, 1.0]).into();
    let k = Color { r: 0.75, g: 0.5, b: 0.25, a: 1.0 };
    let all: Vec<Tri> = first.iter().chain(&second).chain(&third).copied().collect();
    let vertex_buffer = buffer(gpu, &vertices(&all), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, BACKGROUND, None, |pass| {
        pass.set_pipeline(&alpha)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.draw(0..6, 0..1)?;
        pass.draw(6..12, 0..1)?;
        pass.set_pipeline(&constant)?;
        pass.set_blend_constant(k);
        pass.draw(12..18, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, f64_color(BACKGROUND));
    cpu.draw(&first, Blend::Alpha, None);
    cpu.draw(&second, Blend::Alpha, None);
    cpu.draw(&third, Blend::Constant([k.r, k.g, k.b, 1.0]), None);
    compare("blending", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn depth_test_and_depth_readback(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let depth_state = DepthStencilState::depth(TextureFormat::Depth32Float, CompareFunction::Less);
    let pipeline = pipeline(gpu, &module, Options { depth_stencil: Some(depth_state), ..Default::default() })
        .await
        .at("create_render_pipeline")?;
    // Drawn in this order: near over far where they overlap whatever the order.
    let mut tris: Vec<Tri> = rect(5.0, 5.0, 45.0, 45.0, 0.75, [1.0, 0.0, 0.0, 1.0]).into();
    tris.extend(rect(20.0, 20.0, 60.0, 60.0, 0.25, [0.0, 1.0, 0.0, 1.0]));
    tris.extend(rect(30.0, 2.0, 62.0, 30.0, 0.5, [0.0, 0.0, 1.0, 1.0]));
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    let depth = target(gpu, TextureFormat::Depth32Float, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, Some(&view(&depth)?), |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.draw(0..18, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]).with_depth(1.0);
    cpu.draw(&tris, Blend::Replace, None);
    compare("depth-tested color", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)?;
    let gpu_depth = depth.read_2d::<f32>().await.at("read depth")?;
    for (i, (g, c)) in gpu_depth.iter().zip(cpu.depths()).enumerate() {
        ensure!((f64::from(*g) - c).abs() <= 1e-6, "depth at pixel {i}: GPU {g}, CPU {c}");
    }
    Ok(())
}

async fn msaa_resolve(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let pipeline =
        pipeline(gpu, &module, Options { samples: 4, ..Default::default() }).await.at("create_render_pipeline")?;
    // Slanted edges, so many pixels are partly covered.
    let tris = vec![
        Tri::solid([[2.0, 3.0], [61.0, 17.0], [13.0, 60.0]], 0.5, [1.0, 1.0, 1.0, 1.0]),
        Tri::solid([[50.0, 40.0], [63.0, 63.0], [30.0, 62.0]], 0.5, [0.0, 0.8, 0.4, 1.0]),
    ];
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let multisampled = target(gpu, TextureFormat::Rgba8Unorm, 4)?;
    let resolved = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    let (ms_view, resolve_view) = (view(&multisampled)?, view(&resolved)?);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let attachments = [Some(RenderPassColorAttachment {
        view: &ms_view,
        depth_slice: None,
        resolve_target: Some(&resolve_view),
        ops: Operations { load: LoadOp::Clear(Color::BLACK), store: StoreOp::Discard },
    })];
    let mut pass = encoder
        .begin_render_pass(&RenderPassDescriptor { color_attachments: &attachments, ..Default::default() })
        .at("begin_render_pass")?;
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_vertex_buffer(0, vertex_buffer.slice(..)).at("set_vertex_buffer")?;
    pass.draw(0..6, 0..1).at("draw")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let mut cpu = Image::with_samples(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0], &SAMPLES_4X);
    cpu.draw(&tris, Blend::Replace, None);
    let pixels = cpu.pixels();
    let partial = pixels.iter().filter(|p| p[0] > 0.0 && p[0] < 1.0 && p[1] > 0.0 && p[1] < 0.8).count();
    ensure!(partial > 50, "only {partial} partly covered pixels: the scene does not test the resolve");
    compare("MSAA resolve", SIZE, &read_rgba(&resolved).await?, &pixels, 2)
}

async fn viewport_and_scissor(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let pipeline = pipeline(gpu, &module, Options::default()).await.at("create_render_pipeline")?;
    // Full-target quads: the viewport maps the first to [8, 40) x [16, 32);
    // the scissor cuts the second to [36, 60) x [4, 12).
    let full: Vec<Tri> = rect(0.0, 0.0, f64::from(SIZE), f64::from(SIZE), 0.5, [1.0, 0.5, 0.0, 1.0]).into();
    let full2: Vec<Tri> = rect(0.0, 0.0, f64::from(SIZE), f64::from(SIZE), 0.5, [0.0, 0.5, 1.0, 1.0]).into();
    let all: Vec<Tri> = full.iter().chain(&full2).copied().collect();
    let vertex_buffer = buffer(gpu, &vertices(&all), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.set_viewport(8.0, 16.0, 32.0, 16.0, 0.0, 1.0)?;
        pass.draw(0..6, 0..1)?;
        pass.set_viewport(0.0, 0.0, SIZE as f32, SIZE as f32, 0.0, 1.0)?;
        pass.set_scissor_rect(36, 4, 24, 8)?;
        pass.draw(6..12, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    cpu.draw(&rect(8.0, 16.0, 40.0, 32.0, 0.5, [1.0, 0.5, 0.0, 1.0]), Blend::Replace, None);
    cpu.draw(&full2, Blend::Replace, Some([36, 4, 24, 8]));
    compare("viewport and scissor", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn stencil_reference(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let format = TextureFormat::Depth24PlusStencil8;
    let face = |compare, pass_op| StencilFaceState { compare, pass_op, ..StencilFaceState::IGNORE };
    let stencil_state = |compare, pass_op| DepthStencilState {
        format,
        depth_write_enabled: Some(false),
        depth_compare: Some(CompareFunction::Always),
        stencil: StencilState { front: face(compare, pass_op), back: face(compare, pass_op), ..Default::default() },
        bias: Default::default(),
    };
    // The first draw writes reference 7 into the stencil of its rectangle;
    // the second passes only where the stencil equals 7.
    let write = pipeline(
        gpu,
        &module,
        Options {
            depth_stencil: Some(stencil_state(CompareFunction::Always, StencilOperation::Replace)),
            ..Default::default()
        },
    )
    .await
    .at("stencil write pipeline")?;
    let test = pipeline(
        gpu,
        &module,
        Options {
            depth_stencil: Some(stencil_state(CompareFunction::Equal, StencilOperation::Keep)),
            ..Default::default()
        },
    )
    .await
    .at("stencil test pipeline")?;
    let mask: Vec<Tri> = rect(10.0, 10.0, 40.0, 50.0, 0.5, [0.2, 0.2, 0.2, 1.0]).into();
    let cover: Vec<Tri> = rect(0.0, 20.0, 64.0, 30.0, 0.5, [1.0, 1.0, 0.0, 1.0]).into();
    let all: Vec<Tri> = mask.iter().chain(&cover).copied().collect();
    let vertex_buffer = buffer(gpu, &vertices(&all), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    let stencil = target(gpu, format, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, Some(&view(&stencil)?), |pass| {
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.set_pipeline(&write)?;
        pass.set_stencil_reference(7);
        pass.draw(0..6, 0..1)?;
        pass.set_pipeline(&test)?;
        pass.draw(6..12, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    cpu.draw(&mask, Blend::Replace, None);
    cpu.draw(&rect(10.0, 20.0, 40.0, 30.0, 0.5, [1.0, 1.0, 0.0, 1.0]), Blend::Replace, None);
    compare("stencil", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn auto_layout_bind_group(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let pipeline = pipeline(gpu, &module, Options { fragment: "fs_tint", ..Default::default() })
        .await
        .at("create_render_pipeline")?;
    let tint = [0.5f32, 1.0, 0.25, 1.0];
    let uniform = buffer(gpu, &tint, BufferUsages::UNIFORM)?;
    let layout = pipeline.get_bind_group_layout(0).at("get_bind_group_layout")?;
    let entries = [BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }];
    let group = gpu.device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("create_bind_group")?;
    let tris: Vec<Tri> = rect(6.0, 6.0, 58.0, 40.0, 0.5, [0.8, 0.6, 1.0, 1.0]).into();
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_bind_group(0, &group, &[])?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.draw(0..6, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    let tinted = [0.8 * 0.5, 0.6, 0.25, 1.0];
    cpu.draw(&rect(6.0, 6.0, 58.0, 40.0, 0.5, tinted), Blend::Replace, None);
    compare("tinted by a uniform", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn indirect_draws(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let pipeline = pipeline(gpu, &module, Options::default()).await.at("create_render_pipeline")?;
    let mut tris: Vec<Tri> = rect(4.0, 4.0, 30.0, 30.0, 0.5, [1.0, 0.0, 0.0, 1.0]).into();
    tris.extend(rect(34.0, 34.0, 60.0, 60.0, 0.5, [0.0, 1.0, 0.0, 1.0]));
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let indices: [u32; 6] = [0, 1, 2, 3, 4, 5];
    let index_buffer = buffer(gpu, &indices, BufferUsages::INDEX)?;
    // draw: 6 vertices, 1 instance, from vertex 0; draw_indexed: 6 indices,
    // 1 instance, from index 0, base vertex 6, first instance 0.
    let args: [u32; 9] = [6, 1, 0, 0, 6, 1, 0, 6, 0];
    let indirect = buffer(gpu, &args, BufferUsages::INDIRECT)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.set_index_buffer(index_buffer.slice(..), IndexFormat::Uint32)?;
        pass.draw_indirect(&indirect, 0)?;
        pass.draw_indexed_indirect(&indirect, 16)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    cpu.draw(&tris, Blend::Replace, None);
    compare("indirect draws", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn strip_with_primitive_restart(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let primitive = PrimitiveState {
        topology: PrimitiveTopology::TriangleStrip,
        strip_index_format: Some(IndexFormat::Uint16),
        ..Default::default()
    };
    let pipeline =
        pipeline(gpu, &module, Options { primitive, ..Default::default() }).await.at("create_render_pipeline")?;
    // Two separate 2-triangle strips (rectangles), split by the restart index.
    let a = [[4.0, 4.0], [30.0, 4.0], [4.0, 20.0], [30.0, 20.0]];
    let b = [[34.0, 40.0], [60.0, 40.0], [34.0, 60.0], [60.0, 60.0]];
    let colors = [[0.9, 0.3, 0.1, 1.0], [0.1, 0.3, 0.9, 1.0]];
    let verts: Vec<crate::Vertex> = a
        .iter()
        .map(|&p| (p, colors[0]))
        .chain(b.iter().map(|&p| (p, colors[1])))
        .map(|(p, c)| {
            let [x, y] = crate::ndc(p);
            crate::Vertex { position: [x, y, 0.5], color: c.map(|v: f64| v as f32) }
        })
        .collect();
    let indices: [u16; 10] = [0, 1, 2, 3, 0xFFFF, 4, 5, 6, 7, 0];
    let vertex_buffer = buffer(gpu, &verts, BufferUsages::VERTEX)?;
    let index_buffer = buffer(gpu, &indices, BufferUsages::INDEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, Color::BLACK, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.set_index_buffer(index_buffer.slice(..), IndexFormat::Uint16)?;
        pass.draw_indexed(0..9, 0, 0..1)
    })
    .await?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    cpu.draw(&rect(4.0, 4.0, 30.0, 20.0, 0.5, colors[0]), Blend::Replace, None);
    cpu.draw(&rect(34.0, 40.0, 60.0, 60.0, 0.5, colors[1]), Blend::Replace, None);
    compare("strips", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn write_mask_and_format_sizes(gpu: &Gpu) -> Outcome {
    // The sizes the SDK uses for bounds checks are those of the Rust types.
    ensure!(wasi_webgpu::VertexFormat::Float32x3.size() == size_of::<[f32; 3]>() as u64, "Float32x3 size");
    ensure!(wasi_webgpu::VertexFormat::Unorm8x4.size() == size_of::<[u8; 4]>() as u64, "Unorm8x4 size");
    ensure!(IndexFormat::Uint16.size() == size_of::<u16>() as u64, "Uint16 size");
    ensure!(PrimitiveTopology::TriangleStrip.is_strip() && !PrimitiveTopology::LineList.is_strip(), "is_strip");
    // What `#[wasi_webgpu::shader]` reflects from the vertex entry points is
    // the `#[repr(C)]` layout of the Rust vertex types.
    ensure!(
        crate::shaders::VS_COLOR_ATTRIBUTES == crate::vertex_attributes(),
        "{:?}",
        crate::shaders::VS_COLOR_ATTRIBUTES
    );
    ensure!(crate::shaders::VS_COLOR_STRIDE == size_of::<crate::Vertex>() as u64, "VS_COLOR_STRIDE");
    let instanced = wasi_webgpu::VertexAttribute::packed(
        0,
        [
            wasi_webgpu::VertexFormat::Float32x2,
            wasi_webgpu::VertexFormat::Float32x3,
            wasi_webgpu::VertexFormat::Float32x4,
        ],
    );
    ensure!(crate::shaders::VS_INSTANCED_ATTRIBUTES == instanced, "{:?}", crate::shaders::VS_INSTANCED_ATTRIBUTES);
    ensure!(crate::shaders::VS_INSTANCED_STRIDE == 36, "VS_INSTANCED_STRIDE");
    let module = module(gpu).await?;
    let masked = ColorTargetState {
        write_mask: wasi_webgpu::ColorWrites::RED | wasi_webgpu::ColorWrites::ALPHA,
        ..TextureFormat::Rgba8Unorm.into()
    };
    let pipeline =
        pipeline(gpu, &module, Options { target: masked, ..Default::default() }).await.at("create_render_pipeline")?;
    let tris: Vec<Tri> = rect(5.0, 9.0, 50.0, 33.0, 0.5, [0.9, 0.9, 0.9, 0.5]).into();
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    render(gpu, &view(&texture)?, BACKGROUND, None, |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.draw(0..6, 0..1)
    })
    .await?;
    // Only red and alpha are written; green and blue keep the clear color.
    let background = f64_color(BACKGROUND);
    let mut cpu = Image::new(SIZE, SIZE, background);
    cpu.draw(&rect(5.0, 9.0, 50.0, 33.0, 0.5, [0.9, background[1], background[2], 0.5]), Blend::Replace, None);
    compare("write mask", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

//! Bad render inputs: each is a typed `Err` that records nothing, so the
//! pass still renders correctly afterwards; what only the host can judge is
//! an `Error::Validation` from the async call that captures it.

use wasi_webgpu::{
    BufferUsages, Color, ColorTargetState, Error, IndexFormat, LoadOp, MultisampleState, Operations,
    QuerySetDescriptor, QueryType, RenderBundleEncoderDescriptor, RenderPassColorAttachment, RenderPassDescriptor,
    RenderPipelineDescriptor, StoreOp, TextureFormat, VertexAttribute, VertexBufferLayout, VertexFormat, VertexState,
};

use crate::raster::{Blend, Image, Tri, compare, rect};
use crate::{
    Context, Gpu, Options, Outcome, SIZE, buffer, checks, ensure, expect_err, module, pipeline, read_rgba, target,
    vertices, view,
};

checks!(bad_draws_are_typed_and_record_nothing, bad_passes_are_typed, bad_pipelines_are_typed);

async fn bad_draws_are_typed_and_record_nothing(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let bgra = pipeline(gpu, &module, Options { target: TextureFormat::Bgra8Unorm.into(), ..Default::default() })
        .await
        .at("bgra pipeline")?;
    let pipeline = pipeline(gpu, &module, Options::default()).await.at("create_render_pipeline")?;
    let tris: Vec<Tri> = rect(8.0, 8.0, 56.0, 40.0, 0.5, [0.3, 0.9, 0.6, 1.0]).into();
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let not_vertex = buffer(gpu, &vertices(&tris), BufferUsages::STORAGE)?;
    let indices: [u32; 6] = [0, 1, 2, 3, 4, 5];
    let index_buffer = buffer(gpu, &indices, BufferUsages::INDEX)?;
    // A bundle for bgra8unorm targets: an rgba8unorm pipeline does not fit
    // it, and it does not fit an rgba8unorm pass.
    let mut bundle_encoder = gpu
        .device
        .create_render_bundle_encoder(&RenderBundleEncoderDescriptor {
            color_formats: &[Some(TextureFormat::Bgra8Unorm)],
            ..Default::default()
        })
        .at("create_render_bundle_encoder")?;
    expect_err!(bundle_encoder.set_pipeline(&pipeline), Error::RenderPass(_));
    expect_err!(bundle_encoder.draw(0..3, 0..1), Error::Draw(_));
    let bgra_bundle = bundle_encoder.finish(&Default::default()).await.at("empty bundle")?;
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    let color_view = view(&texture)?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let attachments = [Some(RenderPassColorAttachment::new(&color_view, Color::BLACK))];
    let mut pass = encoder
        .begin_render_pass(&RenderPassDescriptor { color_attachments: &attachments, ..Default::default() })
        .at("begin_render_pass")?;
    expect_err!(pass.draw(0..6, 0..1), Error::Draw(_));
    expect_err!(pass.set_pipeline(&bgra), Error::RenderPass(_));
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    expect_err!(pass.draw(0..6, 0..1), Error::Draw(_));
    expect_err!(pass.set_vertex_buffer(0, not_vertex.slice(..)), Error::MissingUsage { .. });
    expect_err!(pass.set_vertex_buffer(99, vertex_buffer.slice(..)), Error::OverLimit { .. });
    expect_err!(pass.set_index_buffer(vertex_buffer.slice(..), IndexFormat::Uint32), Error::MissingUsage { .. });
    pass.set_vertex_buffer(0, vertex_buffer.slice(..)).at("set_vertex_buffer")?;
    expect_err!(pass.draw(0..7, 0..1), Error::Draw(_));
    // A reversed range, on purpose.
    expect_err!(pass.draw(std::ops::Range { start: 4, end: 2 }, 0..1), Error::Draw(_));
    expect_err!(pass.draw_indexed(0..6, 0, 0..1), Error::Draw(_));
    pass.set_index_buffer(index_buffer.slice(..), IndexFormat::Uint32).at("set_index_buffer")?;
    expect_err!(pass.draw_indexed(0..7, 0, 0..1), Error::Draw(_));
    expect_err!(pass.draw_indirect(&vertex_buffer, 0), Error::MissingUsage { .. });
    expect_err!(pass.set_scissor_rect(60, 0, 8, 8), Error::RenderPass(_));
    expect_err!(pass.set_viewport(0.0, 0.0, -1.0, 4.0, 0.0, 1.0), Error::RenderPass(_));
    expect_err!(pass.set_viewport(0.0, 0.0, 4.0, 4.0, 0.8, 0.2), Error::RenderPass(_));
    expect_err!(pass.begin_occlusion_query(0), Error::Query(_));
    expect_err!(pass.end_occlusion_query(), Error::Query(_));
    expect_err!(pass.execute_bundles([&bgra_bundle]), Error::RenderPass(_));
    // None of that recorded anything: the pass still renders, and finishes.
    pass.draw_indexed(0..6, 0, 0..1).at("draw_indexed")?;
    pass.end();
    let commands = encoder.finish().await.at("finish after errors")?;
    gpu.queue.submit([commands]).at("submit")?;
    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]);
    cpu.draw(&tris, Blend::Replace, None);
    compare("after bad draws", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn bad_passes_are_typed(gpu: &Gpu) -> Outcome {
    let color = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    let small = gpu
        .device
        .create_texture(&wasi_webgpu::TextureDescriptor {
            size: wasi_webgpu::Extent3d { width: 16, height: 16, depth_or_array_layers: 1 },
            format: TextureFormat::Rgba8Unorm,
            usage: wasi_webgpu::TextureUsages::RENDER_ATTACHMENT,
            ..Default::default()
        })
        .at("small texture")?;
    let sampled_only = gpu
        .device
        .create_texture(&wasi_webgpu::TextureDescriptor {
            size: wasi_webgpu::Extent3d { width: SIZE, height: SIZE, depth_or_array_layers: 1 },
            format: TextureFormat::Rgba8Unorm,
            usage: wasi_webgpu::TextureUsages::TEXTURE_BINDING,
            ..Default::default()
        })
        .at("sampled texture")?;
    let depth = target(gpu, TextureFormat::Depth32Float, 1)?;
    let (color_view, small_view, sampled_view, depth_view) =
        (view(&color)?, view(&small)?, view(&sampled_only)?, view(&depth)?);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let begin = |encoder: &mut wasi_webgpu::CommandEncoder, attachments: &[Option<RenderPassColorAttachment<'_>>]| {
        encoder
            .begin_render_pass(&RenderPassDescriptor { color_attachments: attachments, ..Default::default() })
            .map(|_| ())
    };
    expect_err!(begin(&mut encoder, &[]), Error::RenderPass(_));
    expect_err!(
        begin(&mut encoder, &[Some(RenderPassColorAttachment::new(&sampled_view, Color::BLACK))]),
        Error::MissingTextureUsage { .. }
    );
    expect_err!(
        begin(
            &mut encoder,
            &[
                Some(RenderPassColorAttachment::new(&color_view, Color::BLACK)),
                Some(RenderPassColorAttachment::new(&small_view, Color::BLACK))
            ]
        ),
        Error::RenderPass(_)
    );
    expect_err!(
        begin(&mut encoder, &[Some(RenderPassColorAttachment::new(&depth_view, Color::BLACK))]),
        Error::RenderPass(_)
    );
    // A resolve target on a single-sampled attachment.
    let with_resolve = RenderPassColorAttachment {
        view: &color_view,
        depth_slice: None,
        resolve_target: Some(&small_view),
        ops: Operations { load: LoadOp::Clear(Color::BLACK), store: StoreOp::Store },
    };
    expect_err!(begin(&mut encoder, &[Some(with_resolve)]), Error::RenderPass(_));
    // A timestamp set without the feature, and an occlusion pass with a bad set.
    expect_err!(
        gpu.device
            .create_query_set(&QuerySetDescriptor { ty: QueryType::Timestamp, count: 1, ..Default::default() })
            .await,
        Error::UnsupportedFeature(_)
    );
    let occlusion = gpu
        .device
        .create_query_set(&QuerySetDescriptor { ty: QueryType::Occlusion, count: 2, ..Default::default() })
        .await
        .at("occlusion set")?;
    expect_err!(
        gpu.device
            .create_query_set(&QuerySetDescriptor { ty: QueryType::Occlusion, count: 5000, ..Default::default() })
            .await,
        Error::OverLimit { .. }
    );
    expect_err!(occlusion.read(1..3).await, Error::Query(_));
    let resolve = buffer(gpu, &[0u64; 2], BufferUsages::COPY_SRC)?;
    expect_err!(encoder.resolve_query_set(&occlusion, 0..2, &resolve, 0), Error::MissingUsage { .. });
    {
        let attachments = [Some(RenderPassColorAttachment::new(&color_view, Color::BLACK))];
        let mut pass = encoder
            .begin_render_pass(&RenderPassDescriptor {
                color_attachments: &attachments,
                occlusion_query_set: Some(&occlusion),
                ..Default::default()
            })
            .at("pass with an occlusion set")?;
        expect_err!(pass.begin_occlusion_query(2), Error::Query(_));
        pass.begin_occlusion_query(0).at("begin_occlusion_query")?;
        expect_err!(pass.begin_occlusion_query(1), Error::Query(_));
        pass.end_occlusion_query().at("end_occlusion_query")?;
        expect_err!(pass.begin_occlusion_query(0), Error::Query(_));
    }
    // Bundle encoders check their formats and sample count first: the
    // reference host would trap on some.
    expect_err!(
        gpu.device.create_render_bundle_encoder(&RenderBundleEncoderDescriptor {
            color_formats: &[Some(TextureFormat::Rgba8Unorm)],
            sample_count: 3,
            ..Default::default()
        }),
        Error::RenderPass(_)
    );
    expect_err!(gpu.device.create_render_bundle_encoder(&Default::default()), Error::RenderPass(_));
    let formats = [Some(TextureFormat::Rgba8Unorm); 9];
    expect_err!(
        gpu.device.create_render_bundle_encoder(&RenderBundleEncoderDescriptor {
            color_formats: &formats,
            ..Default::default()
        }),
        Error::OverLimit { .. }
    );
    // The encoder took no harm.
    let commands = encoder.finish().await.at("finish")?;
    gpu.queue.submit([commands]).at("submit")
}

async fn bad_pipelines_are_typed(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let attributes = crate::vertex_attributes();
    let targets = [Some(ColorTargetState::from(TextureFormat::Rgba8Unorm))];
    let create = async |buffers: &[VertexBufferLayout<'_>], samples: u32| {
        let mut d = RenderPipelineDescriptor::new(
            VertexState { entry_point: Some("vs_color"), buffers, ..VertexState::new(&module) },
            Some(wasi_webgpu::FragmentState {
                entry_point: Some("fs_color"),
                ..wasi_webgpu::FragmentState::new(&module, &targets)
            }),
        );
        d.multisample = MultisampleState { count: samples, ..Default::default() };
        gpu.device.create_render_pipeline(&d).await
    };
    let stride = size_of::<crate::Vertex>() as u64;
    let good = [VertexBufferLayout { array_stride: stride, attributes: &attributes, ..Default::default() }];
    create(&good, 1).await.at("a good pipeline")?;
    expect_err!(create(&good, 2).await, Error::Pipeline(_));
    let odd_stride = [VertexBufferLayout { array_stride: stride + 2, attributes: &attributes, ..Default::default() }];
    expect_err!(create(&odd_stride, 1).await, Error::Pipeline(_));
    let twice = [VertexAttribute { format: VertexFormat::Float32x3, offset: 0, shader_location: 0 }; 2];
    let duplicate = [VertexBufferLayout { array_stride: stride, attributes: &twice, ..Default::default() }];
    expect_err!(create(&duplicate, 1).await, Error::Pipeline(_));
    let past = [VertexAttribute { format: VertexFormat::Float32x4, offset: 16, shader_location: 1 }];
    let overrun = [VertexBufferLayout { array_stride: 20, attributes: &past, ..Default::default() }];
    expect_err!(create(&overrun, 1).await, Error::Pipeline(_));
    // Only the host knows the shader reads location 1 as a vec4f while the
    // layout gives it a uint: a validation error from the host, captured.
    let wrong_type = [
        VertexAttribute { format: VertexFormat::Float32x3, offset: 0, shader_location: 0 },
        VertexAttribute { format: VertexFormat::Uint32x4, offset: 12, shader_location: 1 },
    ];
    let mismatched = [VertexBufferLayout { array_stride: 28, attributes: &wrong_type, ..Default::default() }];
    expect_err!(create(&mismatched, 1).await, Error::Validation(_));
    // A float fragment output into an integer target: the host's error.
    let uint_targets = [Some(ColorTargetState::from(TextureFormat::Rgba8Uint))];
    let mut d = RenderPipelineDescriptor::new(
        VertexState { entry_point: Some("vs_color"), buffers: &good, ..VertexState::new(&module) },
        Some(wasi_webgpu::FragmentState {
            entry_point: Some("fs_color"),
            ..wasi_webgpu::FragmentState::new(&module, &uint_targets)
        }),
    );
    expect_err!(gpu.device.create_render_pipeline(&d).await, Error::Validation(_));
    d.fragment = Some(wasi_webgpu::FragmentState {
        entry_point: Some("fs_uint"),
        ..wasi_webgpu::FragmentState::new(&module, &uint_targets)
    });
    gpu.device.create_render_pipeline(&d).await.at("the integer pipeline")?;
    // An error scope the user pushed sees nothing of the errors the SDK
    // captured itself.
    gpu.device.push_error_scope(wasi_webgpu::ErrorFilter::Validation);
    expect_err!(create(&mismatched, 1).await, Error::Validation(_));
    let scoped = gpu.device.pop_error_scope().await.at("pop_error_scope")?;
    ensure!(scoped.is_none(), "the user's scope caught {scoped:?}");
    Ok(())
}

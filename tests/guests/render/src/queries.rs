//! Render bundles, occlusion and timestamp queries.

use std::time::Duration;

use wasi_webgpu::{
    BufferUsages, Color, CompareFunction, ComputePassDescriptor, ComputePipelineDescriptor, DepthStencilState,
    DeviceDescriptor, Error, Features, LoadOp, Operations, PassTimestampWrites, QuerySetDescriptor, QueryType,
    RenderBundleDepthStencil, RenderBundleEncoderDescriptor, RenderPassColorAttachment,
    RenderPassDepthStencilAttachment, RenderPassDescriptor, StoreOp, TextureFormat,
};

use crate::raster::{Blend, Image, Tri, compare, rect};
use crate::{
    Context, Gpu, Options, Outcome, SIZE, buffer, checks, ensure, expect_err, module, pipeline, read_rgba, target,
    vertices, view,
};

checks!(bundles_replay_in_several_passes, occlusion_queries_count_samples, timestamps_give_durations);

async fn bundles_replay_in_several_passes(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let depth_state = DepthStencilState::depth(TextureFormat::Depth32Float, CompareFunction::Less);
    let pipeline = pipeline(gpu, &module, Options { depth_stencil: Some(depth_state), ..Default::default() })
        .await
        .at("create_render_pipeline")?;
    let mut tris: Vec<Tri> = rect(4.0, 6.0, 44.0, 30.0, 0.6, [1.0, 0.2, 0.2, 1.0]).into();
    tris.extend(rect(20.0, 16.0, 60.0, 58.0, 0.3, [0.2, 1.0, 0.2, 1.0]));
    let vertex_buffer = buffer(gpu, &vertices(&tris), BufferUsages::VERTEX)?;
    let indices: [u16; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let index_buffer = buffer(gpu, &indices, BufferUsages::INDEX)?;

    let mut encoder = gpu
        .device
        .create_render_bundle_encoder(&RenderBundleEncoderDescriptor {
            label: Some("two rectangles"),
            color_formats: &[Some(TextureFormat::Rgba8Unorm)],
            depth_stencil: Some(RenderBundleDepthStencil {
                format: TextureFormat::Depth32Float,
                depth_read_only: false,
                stencil_read_only: true,
            }),
            sample_count: 1,
        })
        .at("create_render_bundle_encoder")?;
    encoder.set_pipeline(&pipeline).at("bundle set_pipeline")?;
    encoder.set_vertex_buffer(0, vertex_buffer.slice(..)).at("bundle set_vertex_buffer")?;
    encoder.set_index_buffer(index_buffer.slice(..), wasi_webgpu::IndexFormat::Uint16).at("bundle index")?;
    // The far rectangle by index, the near one directly.
    encoder.draw_indexed(0..6, 0, 0..1).at("bundle draw_indexed")?;
    encoder.draw(6..12, 0..1).at("bundle draw")?;
    let bundle = encoder.finish(&Default::default()).await.at("bundle finish")?;
    // Dropping the buffers' handles: the bundle keeps them alive.
    drop((vertex_buffer, index_buffer));

    // A second bundle: a uniform-tinted rectangle drawn indirectly (plain,
    // then indexed), in front of the first bundle's.
    let tinted_pipeline = crate::pipeline(
        gpu,
        &module,
        Options { fragment: "fs_tint", depth_stencil: Some(depth_state), ..Default::default() },
    )
    .await
    .at("tinted pipeline")?;
    let tint = buffer(gpu, &[0.5f32, 0.5, 1.0, 1.0], BufferUsages::UNIFORM)?;
    let entries = [wasi_webgpu::BindGroupEntry { binding: 0, resource: tint.as_entire_binding() }];
    let layout = tinted_pipeline.get_bind_group_layout(0).at("get_bind_group_layout")?;
    let group =
        gpu.device.create_bind_group(&wasi_webgpu::BindGroupDescriptor::new(&layout, &entries)).at("bind group")?;
    let mut front: Vec<Tri> = rect(30.0, 2.0, 62.0, 12.0, 0.1, [0.8, 0.8, 0.2, 1.0]).into();
    front.extend(rect(2.0, 40.0, 14.0, 62.0, 0.1, [0.4, 0.9, 0.9, 1.0]));
    let front_buffer = buffer(gpu, &vertices(&front), BufferUsages::VERTEX)?;
    let front_indices = buffer(gpu, &[0u32, 1, 2, 3, 4, 5], BufferUsages::INDEX)?;
    // draw: 6 vertices from 0; draw_indexed: 6 indices, base vertex 6.
    let args = buffer(gpu, &[6u32, 1, 0, 0, 6, 1, 0, 6, 0], BufferUsages::INDIRECT)?;
    let mut encoder = gpu
        .device
        .create_render_bundle_encoder(&RenderBundleEncoderDescriptor {
            label: Some("tinted"),
            color_formats: &[Some(TextureFormat::Rgba8Unorm)],
            depth_stencil: Some(RenderBundleDepthStencil {
                format: TextureFormat::Depth32Float,
                depth_read_only: false,
                stencil_read_only: true,
            }),
            sample_count: 1,
        })
        .at("second bundle encoder")?;
    encoder.set_pipeline(&tinted_pipeline).at("tinted set_pipeline")?;
    encoder.set_bind_group(0, &group, &[]).at("bundle set_bind_group")?;
    encoder.set_vertex_buffer(0, front_buffer.slice(..)).at("tinted vertices")?;
    encoder.set_index_buffer(front_indices.slice(..), wasi_webgpu::IndexFormat::Uint32).at("tinted indices")?;
    encoder.draw_indirect(&args, 0).at("bundle draw_indirect")?;
    encoder.draw_indexed_indirect(&args, 16).at("bundle draw_indexed_indirect")?;
    let tinted = encoder.finish(&Default::default()).await.at("second bundle finish")?;
    let tinted_tris: Vec<Tri> =
        front.iter().map(|t| Tri { color: t.color.map(|c| [c[0] * 0.5, c[1] * 0.5, c[2], c[3]]), ..*t }).collect();

    for clear in [Color::BLACK, Color { r: 0.0, g: 0.0, b: 0.5, a: 1.0 }] {
        let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
        let depth = target(gpu, TextureFormat::Depth32Float, 1)?;
        let (color_view, depth_view) = (view(&texture)?, view(&depth)?);
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        let attachments = [Some(RenderPassColorAttachment::new(&color_view, clear))];
        let mut pass = encoder
            .begin_render_pass(&RenderPassDescriptor {
                color_attachments: &attachments,
                depth_stencil_attachment: Some(RenderPassDepthStencilAttachment {
                    view: &depth_view,
                    depth_ops: Some(Operations { load: LoadOp::Clear(1.0), store: StoreOp::Store }),
                    stencil_ops: None,
                }),
                ..Default::default()
            })
            .at("begin_render_pass")?;
        pass.execute_bundles([&bundle, &tinted]).at("execute_bundles")?;
        // WebGPU resets the pass's state after bundles: a draw now has no pipeline.
        expect_err!(pass.draw(0..3, 0..1), Error::Draw(_));
        pass.end();
        gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
        let mut cpu = Image::new(SIZE, SIZE, crate::f64_color(clear)).with_depth(1.0);
        cpu.draw(&tris, Blend::Replace, None);
        cpu.draw(&tinted_tris, Blend::Replace, None);
        compare("bundle", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)?;
    }
    Ok(())
}

async fn occlusion_queries_count_samples(gpu: &Gpu) -> Outcome {
    let module = module(gpu).await?;
    let depth_state = DepthStencilState::depth(TextureFormat::Depth32Float, CompareFunction::Less);
    let pipeline = pipeline(gpu, &module, Options { depth_stencil: Some(depth_state), ..Default::default() })
        .await
        .at("create_render_pipeline")?;
    let occluder: Vec<Tri> = rect(0.0, 0.0, 32.0, 64.0, 0.2, [0.5, 0.5, 0.5, 1.0]).into();
    // Query 0: half behind the occluder. Query 1: wholly behind it.
    // Query 2: in front of everything. Query 3: nothing drawn.
    let half: Vec<Tri> = rect(16.0, 8.0, 48.0, 20.0, 0.5, [1.0, 0.0, 0.0, 1.0]).into();
    let hidden: Vec<Tri> = rect(4.0, 30.0, 28.0, 41.0, 0.9, [0.0, 1.0, 0.0, 1.0]).into();
    let front: Vec<Tri> = rect(10.0, 50.0, 63.0, 61.0, 0.1, [0.0, 0.0, 1.0, 1.0]).into();
    let all: Vec<Tri> = [&occluder, &half, &hidden, &front].into_iter().flatten().copied().collect();
    let vertex_buffer = buffer(gpu, &vertices(&all), BufferUsages::VERTEX)?;
    let queries = gpu
        .device
        .create_query_set(&QuerySetDescriptor { label: Some("occlusion"), ty: QueryType::Occlusion, count: 4 })
        .await
        .at("create_query_set")?;
    ensure!(queries.ty() == QueryType::Occlusion && queries.count() == 4, "query set {queries:?}");
    let texture = target(gpu, TextureFormat::Rgba8Unorm, 1)?;
    let depth = target(gpu, TextureFormat::Depth32Float, 1)?;
    let (color_view, depth_view) = (view(&texture)?, view(&depth)?);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let attachments = [Some(RenderPassColorAttachment::new(&color_view, Color::BLACK))];
    let mut pass = encoder
        .begin_render_pass(&RenderPassDescriptor {
            color_attachments: &attachments,
            depth_stencil_attachment: Some(RenderPassDepthStencilAttachment {
                view: &depth_view,
                depth_ops: Some(Operations { load: LoadOp::Clear(1.0), store: StoreOp::Store }),
                stencil_ops: None,
            }),
            occlusion_query_set: Some(&queries),
            ..Default::default()
        })
        .at("begin_render_pass")?;
    let record = |pass: &mut wasi_webgpu::RenderPass<'_>| -> wasi_webgpu::Result<()> {
        pass.set_pipeline(&pipeline)?;
        pass.set_vertex_buffer(0, vertex_buffer.slice(..))?;
        pass.draw(0..6, 0..1)?;
        for (query, first) in [(0, 6), (1, 12), (2, 18)] {
            pass.begin_occlusion_query(query)?;
            pass.draw(first..first + 6, 0..1)?;
            pass.end_occlusion_query()?;
        }
        pass.begin_occlusion_query(3)?;
        pass.end_occlusion_query()
    };
    record(&mut pass).at("record")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;

    let mut cpu = Image::new(SIZE, SIZE, [0.0, 0.0, 0.0, 1.0]).with_depth(1.0);
    cpu.draw(&occluder, Blend::Replace, None);
    let mut expected = Vec::new();
    for shape in [&half, &hidden, &front] {
        expected.push(cpu.samples_passing(shape));
        cpu.draw(shape, Blend::Replace, None);
    }
    expected.push(0);
    ensure!(expected[0] == 16 * 12 && expected[1] == 0 && expected[2] > 0, "CPU counts {expected:?}");
    // lavapipe's occlusion queries are precise (occlusionQueryPrecise), so
    // the counts must equal the CPU's exactly.
    let counts = queries.read(0..4).await.at("read queries")?;
    ensure!(counts == expected, "occlusion counts: GPU {counts:?}, CPU {expected:?}");
    compare("occlusion scene", SIZE, &read_rgba(&texture).await?, &cpu.pixels(), 1)
}

async fn timestamps_give_durations(gpu: &Gpu) -> Outcome {
    // Without the feature, asking for timestamps is a typed error.
    expect_err!(
        gpu.device.create_query_set(&QuerySetDescriptor { label: None, ty: QueryType::Timestamp, count: 2 }).await,
        Error::UnsupportedFeature("timestamp-query")
    );
    if !gpu.adapter.features().contains(Features::TIMESTAMP_QUERY) {
        expect_err!(
            gpu.adapter
                .request_device(&DeviceDescriptor {
                    required_features: Features::TIMESTAMP_QUERY,
                    ..Default::default()
                })
                .await,
            Error::UnsupportedFeature("timestamp-query")
        );
        println!("timestamps: the adapter has no timestamp-query; the typed errors were checked");
        return Ok(());
    }
    let (device, queue) = gpu
        .adapter
        .request_device(&DeviceDescriptor { required_features: Features::TIMESTAMP_QUERY, ..Default::default() })
        .await
        .at("request_device with timestamp-query")?;
    let gpu = Gpu {
        adapter: wasi_webgpu::Instance::new().request_adapter(&Default::default()).await.at("adapter")?,
        device,
        queue,
    };
    let stamps = gpu
        .device
        .create_query_set(&QuerySetDescriptor { label: Some("timestamps"), ty: QueryType::Timestamp, count: 4 })
        .await
        .at("create_query_set")?;

    // A render pass that draws 200 overlapping full-target triangles, and a
    // compute pass that loops in every invocation, each timed.
    let module = module(&gpu).await?;
    let pipeline = pipeline(&gpu, &module, Options::default()).await.at("create_render_pipeline")?;
    let big: Vec<Tri> = (0..200)
        .map(|i| Tri::solid([[0.0, 0.0], [128.0, 0.0], [0.0, 128.0]], 0.5, [f64::from(i) / 200.0, 0.0, 0.0, 1.0]))
        .collect();
    let vertex_buffer = buffer(&gpu, &vertices(&big), BufferUsages::VERTEX)?;
    let compute = gpu
        .device
        .create_shader_module(wasi_webgpu::ShaderModuleDescriptor {
            label: None,
            source: wasi_webgpu::ShaderSource::Wgsl(
                "@group(0) @binding(0) var<storage, read_write> v: array<f32>;
                 @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
                     var x = v[id.x];
                     for (var i = 0u; i < 2000u; i++) { x = x * 0.999 + 1.0; }
                     v[id.x] = x;
                 }"
                .into(),
            ),
        })
        .await
        .at("compute module")?;
    let compute =
        gpu.device.create_compute_pipeline(&ComputePipelineDescriptor::new(&compute)).await.at("compute pipeline")?;
    let data = buffer(&gpu, &vec![0f32; 4096], BufferUsages::STORAGE)?;
    let layout = compute.get_bind_group_layout(0).at("layout")?;
    let entries = [wasi_webgpu::BindGroupEntry { binding: 0, resource: data.as_entire_binding() }];
    let group = gpu.device.create_bind_group(&wasi_webgpu::BindGroupDescriptor::new(&layout, &entries)).at("group")?;

    let texture = target(&gpu, TextureFormat::Rgba8Unorm, 1)?;
    let color_view = view(&texture)?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let attachments = [Some(RenderPassColorAttachment::new(&color_view, Color::BLACK))];
    let mut pass = encoder
        .begin_render_pass(&RenderPassDescriptor {
            color_attachments: &attachments,
            timestamp_writes: Some(PassTimestampWrites {
                query_set: &stamps,
                beginning_of_pass_write_index: Some(0),
                end_of_pass_write_index: Some(1),
            }),
            ..Default::default()
        })
        .at("begin_render_pass")?;
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_vertex_buffer(0, vertex_buffer.slice(..)).at("set_vertex_buffer")?;
    pass.draw(0..600, 0..1).at("draw")?;
    pass.end();
    let mut pass = encoder.begin_compute_pass(&ComputePassDescriptor {
        label: None,
        timestamp_writes: Some(PassTimestampWrites {
            query_set: &stamps,
            beginning_of_pass_write_index: Some(2),
            end_of_pass_write_index: Some(3),
        }),
    });
    pass.set_pipeline(&compute).at("compute set_pipeline")?;
    pass.set_bind_group(0, &group, &[]).at("set_bind_group")?;
    pass.dispatch_workgroups(64, 1, 1).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;

    let durations = stamps.read_durations(0..4).await.at("read_durations")?;
    println!("timestamps: render pass {:?}, compute pass {:?}", durations[0], durations[1]);
    for (what, d) in ["render pass", "compute pass"].iter().zip(&durations) {
        ensure!(*d > Duration::ZERO && *d < Duration::from_secs(10), "{what} took {d:?}: not plausible");
    }
    let raw = stamps.read(0..4).await.at("read")?;
    ensure!(raw[0] <= raw[1] && raw[1] <= raw[2] && raw[2] <= raw[3], "timestamps out of order: {raw:?}");
    expect_err!(stamps.read_durations(0..3).await, Error::Query(_));
    Ok(())
}

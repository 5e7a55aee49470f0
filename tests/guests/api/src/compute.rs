//! Shaders, layouts, bind groups, pipelines, encoders, passes and the queue,
//! each result checked against the same computation on the CPU.

use std::num::NonZeroU64;

use wasi_webgpu::{
    BindGroup, BindGroupDescriptor, BindGroupEntry, BindGroupLayout, BindGroupLayoutDescriptor, BindGroupLayoutEntry,
    BindingResource, BindingType, Buffer, BufferBindingType, BufferDescriptor, BufferInitDescriptor, BufferUsages,
    ComputePipeline, ComputePipelineDescriptor, Device, Error, PipelineCompilationOptions, PipelineLayoutDescriptor,
    ShaderModule, ShaderModuleDescriptor, ShaderSource, ShaderStages,
};

use crate::{Context, Gpu, Outcome, checks, ensure, expect_err};

checks![
    explicit_layout_with_uniforms_and_overrides,
    dynamic_offsets,
    indirect_dispatch,
    copy_and_clear,
    many_dispatches_in_one_pass,
    auto_layout_entry_points,
    pipeline_errors,
    bind_group_errors,
    dispatch_errors_leave_the_encoder_usable,
    finish_reports_what_the_guest_cannot_check,
    encoder_errors,
];

async fn module(device: &Device, wgsl: &str) -> Result<ShaderModule, String> {
    device
        .create_shader_module(ShaderModuleDescriptor {
            label: None,
            source: ShaderSource::Wgsl(wgsl.to_owned().into()),
        })
        .await
        .at("create_shader_module")
}

fn buffer_entry(binding: u32, ty: BufferBindingType, has_dynamic_offset: bool) -> BindGroupLayoutEntry {
    BindGroupLayoutEntry {
        binding,
        visibility: ShaderStages::COMPUTE,
        ty: BindingType::Buffer { ty, has_dynamic_offset, min_binding_size: None },
    }
}

const READ_ONLY: BufferBindingType = BufferBindingType::Storage { read_only: true };
const READ_WRITE: BufferBindingType = BufferBindingType::Storage { read_only: false };

fn group(device: &Device, layout: &BindGroupLayout, buffers: &[&Buffer<u32>]) -> Result<BindGroup, String> {
    let entries: Vec<_> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| BindGroupEntry { binding: i as u32, resource: b.as_entire_binding() })
        .collect();
    device.create_bind_group(&BindGroupDescriptor::new(layout, &entries)).at("create_bind_group")
}

fn storage(device: &Device, contents: &[u32]) -> Result<Buffer<u32>, String> {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    device.create_buffer_init(&BufferInitDescriptor { label: None, contents, usage }).at("create_buffer_init")
}

/// One read-write `array<u32>` at binding 0; `main` adds one to each element.
const INCREMENT: &str = "
@group(0) @binding(0) var<storage, read_write> v: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
    if id.x < arrayLength(&v) { v[id.x] += 1u; }
}";

async fn increment_pipeline(device: &Device) -> Result<ComputePipeline, String> {
    let module = module(device, INCREMENT).await?;
    device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("create_compute_pipeline")
}

/// A pipeline for `module` with an explicit layout of `groups`.
async fn explicit_pipeline(
    device: &Device,
    module: &ShaderModule,
    groups: &[&BindGroupLayout],
) -> Result<ComputePipeline, String> {
    let layout = device
        .create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: groups })
        .at("create_pipeline_layout")?;
    device
        .create_compute_pipeline(&ComputePipelineDescriptor {
            layout: Some(&layout),
            ..ComputePipelineDescriptor::new(module)
        })
        .await
        .at("create_compute_pipeline")
}

async fn explicit_layout_with_uniforms_and_overrides(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let module = module(
        device,
        "
        struct Params { a: f32, n: u32 }
        override scale: f32 = 1.0;
        @group(0) @binding(0) var<uniform> params: Params;
        @group(0) @binding(1) var<storage, read> x: array<f32>;
        @group(0) @binding(2) var<storage, read_write> y: array<f32>;
        @compute @workgroup_size(32) fn saxpy(@builtin(global_invocation_id) id: vec3u) {
            if id.x < params.n { y[id.x] = params.a * x[id.x] * scale + y[id.x]; }
        }",
    )
    .await?;
    let layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: Some("saxpy"),
            entries: &[
                buffer_entry(2, READ_WRITE, false),
                buffer_entry(0, BufferBindingType::Uniform, false),
                buffer_entry(1, READ_ONLY, false),
            ],
        })
        .at("create_bind_group_layout")?;
    let sorted: Vec<u32> =
        layout.entries().ok_or("explicit layout has no entries")?.iter().map(|e| e.binding).collect();
    ensure!(sorted == [0, 1, 2], "entries {sorted:?}");
    let pipeline_layout = device
        .create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: &[&layout] })
        .at("create_pipeline_layout")?;
    ensure!(pipeline_layout.bind_group_count() == 1, "bind_group_count");
    let pipeline = device
        .create_compute_pipeline(&ComputePipelineDescriptor {
            label: Some("saxpy"),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("saxpy"),
            compilation_options: PipelineCompilationOptions { constants: &[("scale", 2.0)] },
        })
        .await
        .at("create_compute_pipeline")?;
    ensure!(pipeline.get_bind_group_layout(0).at("get_bind_group_layout")?.entries() == layout.entries(), "layout 0");

    let n = 1000usize;
    let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let y: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
    let params = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[3.0f32, f32::from_bits(n as u32)],
            usage: BufferUsages::UNIFORM,
        })
        .at("params")?;
    let xs = device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &x, usage: BufferUsages::STORAGE })
        .at("x")?;
    let ys = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &y,
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("y")?;
    let entries = [
        BindGroupEntry { binding: 0, resource: params.as_entire_binding() },
        BindGroupEntry { binding: 1, resource: BindingResource::Buffer(xs.as_entire_buffer_binding()) },
        BindGroupEntry { binding: 2, resource: ys.slice(..).as_binding() },
    ];
    let bind_group = device
        .create_bind_group(&BindGroupDescriptor { label: Some("saxpy"), layout: &layout, entries: &entries })
        .at("create_bind_group")?;
    let mut encoder = device.create_command_encoder(&wasi_webgpu::CommandEncoderDescriptor { label: Some("saxpy") });
    let mut pass =
        encoder.begin_compute_pass(&wasi_webgpu::ComputePassDescriptor { label: Some("saxpy"), ..Default::default() });
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_bind_group(0, &bind_group, &[]).at("set_bind_group")?;
    pass.dispatch_workgroups((n as u32).div_ceil(32), 1, 1).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = ys.read().await.at("read")?;
    // Small integers keep every product exact in f32, fused or not.
    let expected: Vec<f32> = x.iter().zip(&y).map(|(x, y)| 3.0 * x * 2.0 + y).collect();
    ensure!(got == expected, "saxpy differs from the CPU at {:?}", got.iter().zip(&expected).position(|(a, b)| a != b));
    Ok(())
}

async fn dynamic_offsets(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let align = device.limits().min_storage_buffer_offset_alignment;
    let module = module(
        device,
        "
        @group(0) @binding(0) var<storage, read_write> v: array<u32, 4>;
        @compute @workgroup_size(4) fn main(@builtin(local_invocation_index) i: u32) { v[i] = v[i] * 10u + i; }",
    )
    .await?;
    let layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[BindGroupLayoutEntry {
                binding: 0,
                visibility: ShaderStages::COMPUTE,
                ty: BindingType::Buffer {
                    ty: READ_WRITE,
                    has_dynamic_offset: true,
                    min_binding_size: NonZeroU64::new(16),
                },
            }],
        })
        .at("layout")?;
    let pipeline = explicit_pipeline(device, &module, &[&layout]).await?;
    let words = (2 * align / 4) as usize;
    let initial: Vec<u32> = (0..words as u32).collect();
    let buffer = storage(device, &initial)?;
    let window = buffer.slice(0..4);
    let bind_group = device
        .create_bind_group(&BindGroupDescriptor::new(
            &layout,
            &[BindGroupEntry { binding: 0, resource: window.as_binding() }],
        ))
        .at("bind group")?;
    let mut encoder = device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline).at("set_pipeline")?;
        for offset in [0, align] {
            pass.set_bind_group(0, &bind_group, &[offset]).at("set_bind_group")?;
            pass.dispatch_workgroups(1, 1, 1).at("dispatch")?;
        }
    }
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let mut expected = initial.clone();
    for base in [0, words / 2] {
        for i in 0..4 {
            expected[base + i] = expected[base + i] * 10 + i as u32;
        }
    }
    ensure!(buffer.read().await.at("read")? == expected, "dynamic offsets wrote the wrong words");
    Ok(())
}

async fn indirect_dispatch(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let module = module(
        device,
        "
        @group(0) @binding(0) var<storage, read_write> count: atomic<u32>;
        @compute @workgroup_size(4) fn main() { atomicAdd(&count, 1u); }",
    )
    .await?;
    let pipeline = device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
    let counter = storage(device, &[0])?;
    let args = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[0u32, 3, 2, 5],
            usage: BufferUsages::INDIRECT,
        })
        .at("indirect args")?;
    let bind_group = group(device, &pipeline.get_bind_group_layout(0).at("layout")?, &[&counter])?;
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_bind_group(0, &bind_group, &[]).at("set_bind_group")?;
    pass.dispatch_workgroups_indirect(&args, 4).at("dispatch_workgroups_indirect")?;
    expect_err!(pass.dispatch_workgroups_indirect(&args, 6), Error::Misaligned { .. });
    expect_err!(pass.dispatch_workgroups_indirect(&args, 8), Error::OutOfBounds { .. });
    expect_err!(pass.dispatch_workgroups_indirect(&counter, 0), Error::MissingUsage { .. });
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = counter.read().await.at("read")?;
    ensure!(got == [3 * 2 * 5 * 4], "indirect dispatch ran {got:?} invocations, the CPU expects {}", 3 * 2 * 5 * 4);
    Ok(())
}

async fn copy_and_clear(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let a: Vec<u32> = (100..164).collect();
    let source = storage(device, &a)?;
    let target = storage(device, &[7; 64])?;
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&source, 16, &target, 32, 64).at("copy")?;
    encoder.clear_buffer(&target, 128, Some(32)).at("clear range")?;
    encoder.clear_buffer(&source, 200, None).at("clear to end")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let mut expected_target = vec![7u32; 64];
    expected_target[8..24].copy_from_slice(&a[4..20]);
    expected_target[32..40].fill(0);
    let mut expected_source = a.clone();
    expected_source[50..].fill(0);
    ensure!(target.read().await.at("read target")? == expected_target, "copy or clear differs from the CPU model");
    ensure!(source.read().await.at("read source")? == expected_source, "clear to end differs");
    Ok(())
}

async fn many_dispatches_in_one_pass(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let pipeline = increment_pipeline(device).await?;
    let values = storage(device, &[5; 100])?;
    let bind_group = group(device, &pipeline.get_bind_group_layout(0).at("layout")?, &[&values])?;
    let mut encoder = device.create_command_encoder(&Default::default());
    {
        // Dropping the pass ends it.
        let mut pass = encoder.begin_compute_pass(&Default::default());
        for _ in 0..250 {
            pass.set_pipeline(&pipeline).at("set_pipeline")?;
            pass.set_bind_group(0, &bind_group, &[]).at("set_bind_group")?;
            pass.dispatch_workgroups(2, 1, 1).at("dispatch")?;
        }
    }
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    gpu.queue.on_submitted_work_done().await;
    ensure!(values.read().await.at("read")? == [255; 100], "250 increments of 5");
    Ok(())
}

async fn auto_layout_entry_points(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let module = module(device, "
        @group(0) @binding(0) var<storage, read_write> v: array<i32>;
        @compute @workgroup_size(8) fn double(@builtin(global_invocation_id) id: vec3u) { if id.x < arrayLength(&v) { v[id.x] *= 2; } }
        @compute @workgroup_size(8) fn negate(@builtin(global_invocation_id) id: vec3u) { if id.x < arrayLength(&v) { v[id.x] = -v[id.x]; } }").await?;
    let input: Vec<i32> = (-20..21).collect();
    let buffer = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &input,
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("buffer")?;
    let mut encoder = device.create_command_encoder(&Default::default());
    for entry_point in ["double", "negate", "double"] {
        let pipeline = device
            .create_compute_pipeline(&ComputePipelineDescriptor {
                entry_point: Some(entry_point),
                ..ComputePipelineDescriptor::new(&module)
            })
            .await
            .at(entry_point)?;
        let layout = pipeline.get_bind_group_layout(0).at("layout")?;
        ensure!(layout.entries().is_none(), "a derived layout has no guest-side entries");
        let entries = [BindGroupEntry { binding: 0, resource: buffer.as_entire_binding() }];
        let bind_group = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("bind group")?;
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline).at("set_pipeline")?;
        pass.set_bind_group(0, &bind_group, &[]).at("set_bind_group")?;
        pass.dispatch_workgroups(6, 1, 1).at("dispatch")?;
    }
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let expected: Vec<i32> = input.iter().map(|v| -(v * 2) * 2).collect();
    ensure!(buffer.read().await.at("read")? == expected, "entry points ran wrong");
    Ok(())
}

async fn pipeline_errors(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    match device
        .create_shader_module(ShaderModuleDescriptor {
            label: Some("broken"),
            source: ShaderSource::Wgsl("fn main( {".into()),
        })
        .await
    {
        Err(Error::Validation(message)) => ensure!(!message.is_empty(), "empty compile error"),
        other => return Err(format!("invalid WGSL gave {:?}", other.map(|_| ()))),
    }
    let module = module(device, INCREMENT).await?;
    let missing = ComputePipelineDescriptor { entry_point: Some("nope"), ..ComputePipelineDescriptor::new(&module) };
    expect_err!(device.create_compute_pipeline(&missing).await, Error::Validation(_));
    let unknown = ComputePipelineDescriptor {
        compilation_options: PipelineCompilationOptions { constants: &[("no_such_override", 1.0)] },
        ..ComputePipelineDescriptor::new(&module)
    };
    expect_err!(device.create_compute_pipeline(&unknown).await, Error::Validation(_));
    let uniform_layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[buffer_entry(0, BufferBindingType::Uniform, false)],
        })
        .at("layout")?;
    let wrong = device
        .create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: &[&uniform_layout] })
        .at("pipeline layout")?;
    let mismatched = ComputePipelineDescriptor { layout: Some(&wrong), ..ComputePipelineDescriptor::new(&module) };
    expect_err!(device.create_compute_pipeline(&mismatched).await, Error::Validation(_));
    // The device is still fine.
    increment_pipeline(device).await?;
    Ok(())
}

async fn bind_group_errors(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let max_groups = device.limits().max_bind_groups as usize;
    expect_err!(
        device.create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[buffer_entry(1, READ_ONLY, false), buffer_entry(1, READ_WRITE, false)],
        }),
        Error::BindGroup(_)
    );
    let vertex_rw = BindGroupLayoutEntry {
        visibility: ShaderStages::VERTEX | ShaderStages::COMPUTE,
        ..buffer_entry(0, READ_WRITE, false)
    };
    expect_err!(
        device.create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[vertex_rw] }),
        Error::BindGroup(_)
    );
    let too_many: Vec<_> = (0..device.limits().max_storage_buffers_per_shader_stage + 1)
        .map(|i| buffer_entry(i, READ_ONLY, false))
        .collect();
    expect_err!(
        device.create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &too_many }),
        Error::OverLimit { limit: "maxStorageBuffersPerShaderStage", .. }
    );
    let layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[BindGroupLayoutEntry {
                binding: 0,
                visibility: ShaderStages::COMPUTE,
                ty: BindingType::Buffer {
                    ty: READ_WRITE,
                    has_dynamic_offset: false,
                    min_binding_size: NonZeroU64::new(64),
                },
            }],
        })
        .at("layout")?;
    let layouts = vec![&layout; max_groups + 1];
    expect_err!(
        device.create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: &layouts }),
        Error::OverLimit { limit: "maxBindGroups", .. }
    );

    let big = storage(device, &vec![0; 1024])?;
    let uniform_only = device
        .create_buffer::<u32>(&BufferDescriptor { len: 64, usage: BufferUsages::UNIFORM, ..Default::default() })
        .at("uniform buffer")?;
    let bind = |resource| {
        device.create_bind_group(&BindGroupDescriptor::new(&layout, &[BindGroupEntry { binding: 0, resource }]))
    };
    expect_err!(device.create_bind_group(&BindGroupDescriptor::new(&layout, &[])), Error::BindGroup(_));
    expect_err!(
        device.create_bind_group(&BindGroupDescriptor::new(
            &layout,
            &[
                BindGroupEntry { binding: 0, resource: big.as_entire_binding() },
                BindGroupEntry { binding: 1, resource: big.as_entire_binding() }
            ]
        )),
        Error::BindGroup(_)
    );
    expect_err!(bind(uniform_only.as_entire_binding()), Error::MissingUsage { .. });
    expect_err!(bind(big.slice(1..100).as_binding()), Error::Misaligned { what: "binding offset", .. });
    expect_err!(bind(big.slice(0..8).as_binding()), Error::BindGroup(_));
    expect_err!(bind(big.slice(1000..1100).as_binding()), Error::OutOfBounds { .. });
    expect_err!(bind(big.slice(0..0).as_binding()), Error::BindGroup(_));
    bind(big.slice(64..).as_binding()).at("a valid binding")?;
    Ok(())
}

async fn dispatch_errors_leave_the_encoder_usable(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let module = module(device, INCREMENT).await?;
    let rw_layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[buffer_entry(0, READ_WRITE, false)],
        })
        .at("rw layout")?;
    let ro_layout = device
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[buffer_entry(0, READ_ONLY, false)],
        })
        .at("ro layout")?;
    let explicit = explicit_pipeline(device, &module, &[&rw_layout]).await?;
    let explicit_two = explicit_pipeline(device, &module, &[&rw_layout, &ro_layout]).await?;
    let auto_a = increment_pipeline(device).await?;
    let auto_b = increment_pipeline(device).await?;
    let values = storage(device, &[1; 64])?;
    let other = storage(device, &[0; 4])?;
    let good = group(device, &rw_layout, &[&values])?;
    let read_only = group(device, &ro_layout, &[&values])?;
    let read_other = group(device, &ro_layout, &[&other])?;
    let of_b = group(device, &auto_b.get_bind_group_layout(0).at("layout b")?, &[&values])?;
    let of_a = group(device, &auto_a.get_bind_group_layout(0).at("layout a")?, &[&values])?;
    let max = device.limits().max_compute_workgroups_per_dimension;

    let mut encoder = device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        expect_err!(pass.dispatch_workgroups(1, 1, 1), Error::Dispatch(_));
        pass.set_pipeline(&explicit).at("set explicit")?;
        expect_err!(pass.dispatch_workgroups(1, 1, 1), Error::Dispatch(_));
        pass.set_bind_group(0, &read_only, &[]).at("set read-only group")?;
        expect_err!(pass.dispatch_workgroups(1, 1, 1), Error::BindGroup(_));
        expect_err!(pass.set_bind_group(0, &good, &[0]), Error::BindGroup(_));
        expect_err!(pass.set_bind_group(max_groups(device), &good, &[]), Error::OverLimit { .. });
        pass.set_bind_group(0, &good, &[]).at("set good group")?;
        pass.set_bind_group(1, &read_only, &[]).at("set group 1")?;
        // The explicit layout uses only group 0, so group 1 does not count.
        pass.dispatch_workgroups(1, 1, 1).at("dispatch with an unused extra group")?;
        expect_err!(pass.dispatch_workgroups(max + 1, 1, 1), Error::OverLimit { .. });
        expect_err!(pass.dispatch_workgroups(1, 1, max + 1), Error::OverLimit { .. });

        // Now group 1 counts, and it holds the same buffer read-only.
        pass.set_pipeline(&explicit_two).at("set two-group pipeline")?;
        expect_err!(pass.dispatch_workgroups(1, 1, 1), Error::UsageConflict { .. });
        pass.set_bind_group(1, &read_other, &[]).at("replace group 1")?;
        pass.dispatch_workgroups(1, 1, 1).at("dispatch two-group")?;

        pass.set_pipeline(&auto_a).at("set auto a")?;
        pass.set_bind_group(0, &of_b, &[]).at("set group of b")?;
        expect_err!(pass.dispatch_workgroups(1, 1, 1), Error::BindGroup(_));
        pass.set_bind_group(0, &of_a, &[]).at("set group of a")?;
        pass.dispatch_workgroups(1, 1, 1).at("dispatch a")?;
    }
    gpu.queue.submit([encoder.finish().await.at("finish after refused calls")?]).at("submit")?;
    ensure!(values.read().await.at("read")? == [4; 64], "exactly three dispatches should have run");
    Ok(())
}

fn max_groups(device: &Device) -> u32 {
    device.limits().max_bind_groups
}

async fn finish_reports_what_the_guest_cannot_check(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let module = module(
        device,
        "
        @group(0) @binding(0) var<storage, read_write> a: array<u32>;
        @group(1) @binding(0) var<storage, read_write> b: array<u32>;
        @compute @workgroup_size(1) fn main() { a[0] = b[0]; }",
    )
    .await?;
    let pipeline = device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
    let values = storage(device, &[1, 2])?;
    let bind_group = group(device, &pipeline.get_bind_group_layout(0).at("layout")?, &[&values])?;
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_bind_group(0, &bind_group, &[]).at("set_bind_group")?;
    // Group 1 is missing, but the guest cannot know an auto layout's groups.
    pass.dispatch_workgroups(1, 1, 1).at("dispatch")?;
    pass.end();
    expect_err!(encoder.finish().await, Error::Validation(_));
    // Nothing ran and the device still works.
    ensure!(values.read().await.at("read")? == [1, 2], "invalid work ran");
    Ok(())
}

async fn encoder_errors(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let a = storage(device, &[1, 2, 3, 4])?;
    let no_copy = device
        .create_buffer::<u32>(&BufferDescriptor { len: 4, usage: BufferUsages::STORAGE, ..Default::default() })
        .at("no copy usages")?;
    let b = storage(device, &[0; 4])?;
    let mut encoder = device.create_command_encoder(&Default::default());
    expect_err!(encoder.copy_buffer_to_buffer(&a, 0, &a, 8, 4), Error::UsageConflict { .. });
    expect_err!(encoder.copy_buffer_to_buffer(&a, 2, &b, 0, 4), Error::Misaligned { what: "source offset", .. });
    expect_err!(encoder.copy_buffer_to_buffer(&a, 0, &b, 0, 6), Error::Misaligned { what: "size", .. });
    expect_err!(encoder.copy_buffer_to_buffer(&a, 8, &b, 0, 12), Error::OutOfBounds { .. });
    expect_err!(encoder.copy_buffer_to_buffer(&no_copy, 0, &b, 0, 4), Error::MissingUsage { .. });
    expect_err!(encoder.copy_buffer_to_buffer(&a, 0, &no_copy, 0, 4), Error::MissingUsage { .. });
    expect_err!(encoder.clear_buffer(&no_copy, 0, None), Error::MissingUsage { .. });
    expect_err!(encoder.clear_buffer(&b, 2, None), Error::Misaligned { .. });
    expect_err!(encoder.clear_buffer(&b, 20, None), Error::OutOfBounds { .. });
    expect_err!(encoder.clear_buffer(&b, 0, Some(20)), Error::OutOfBounds { .. });
    encoder.copy_buffer_to_buffer(&a, 4, &b, 0, 12).at("valid copy")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    ensure!(b.read().await.at("read")? == [2, 3, 4, 0], "only the valid copy ran");
    // An empty encoder is valid work too.
    gpu.queue
        .submit([device.create_command_encoder(&Default::default()).finish().await.at("empty finish")?])
        .at("empty submit")?;
    gpu.queue.submit([]).at("submit nothing")?;
    Ok(())
}

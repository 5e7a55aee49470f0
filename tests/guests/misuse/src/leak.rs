//! Create-and-drop cycles of every object the SDK makes. The host counts the
//! objects its wgpu-core instance holds before and after the run; anything a
//! guest handle forgot to release stays there, since the host frees a GPU
//! object only when the guest drops its handle.

use std::time::Instant;

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BindGroupLayoutDescriptor, BindGroupLayoutEntry, BindingType, Buffer,
    BufferBindingType, BufferDescriptor, BufferInitDescriptor, BufferUsages, ComputePipelineDescriptor, MapMode,
    PipelineLayoutDescriptor, ShaderModuleDescriptor, ShaderSource, ShaderStages,
};

use crate::{Context, gpu};

const INCREMENT: &str = "
@group(0) @binding(0) var<storage, read_write> v: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
    if id.x < arrayLength(&v) { v[id.x] += 1u; }
}";

/// `cycles` create-and-drop rounds of buffers, bind groups (with their
/// layouts) and encoders, and `pipelines` of shader modules and pipelines.
pub async fn run(cycles: u32, pipelines: u32) -> Result<(), String> {
    let gpu = gpu().await.at("device")?;
    let (device, queue) = (&gpu.device, &gpu.queue);
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    let target =
        device.create_buffer::<u32>(&BufferDescriptor { len: 64, usage, ..Default::default() }).at("target")?;

    let start = Instant::now();
    for i in 0..cycles {
        // Dropped, destroyed then dropped, mapped at creation, and mapped.
        let buffer = device.create_buffer::<u32>(&BufferDescriptor { len: 64, usage, ..Default::default() });
        let buffer = buffer.at("create_buffer")?;
        if i % 2 == 0 {
            buffer.destroy();
        }
        device
            .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[i; 4], usage })
            .at("create_buffer_init")?;
        if i % 16 == 0 {
            let readable = device
                .create_buffer::<u32>(&BufferDescriptor { len: 4, usage: BufferUsages::MAP_READ, ..Default::default() })
                .at("readable")?;
            readable.map_async(MapMode::Read).await.at("map")?;
            // Dropped while mapped.
        }
    }
    println!("buffers: {cycles} cycles in {:?}", start.elapsed());

    let start = Instant::now();
    let entry = BindGroupLayoutEntry {
        binding: 0,
        visibility: ShaderStages::COMPUTE,
        ty: BindingType::Buffer {
            ty: BufferBindingType::Storage { read_only: false },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
    };
    for _ in 0..cycles {
        let layout = device
            .create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[entry] })
            .at("create_bind_group_layout")?;
        let entries = [BindGroupEntry { binding: 0, resource: target.as_entire_binding() }];
        device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("create_bind_group")?;
        device
            .create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: &[&layout] })
            .at("create_pipeline_layout")?;
    }
    println!("bind groups: {cycles} cycles in {:?}", start.elapsed());

    let start = Instant::now();
    let mut kept = None;
    for _ in 0..pipelines {
        let module = device
            .create_shader_module(ShaderModuleDescriptor { label: None, source: ShaderSource::Wgsl(INCREMENT.into()) })
            .await
            .at("create_shader_module")?;
        let pipeline = device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
        let layout = pipeline.get_bind_group_layout(0).at("get_bind_group_layout")?;
        let entries = [BindGroupEntry { binding: 0, resource: target.as_entire_binding() }];
        let group = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("bind group")?;
        kept = Some((pipeline, group));
    }
    println!("pipelines: {pipelines} cycles in {:?}", start.elapsed());

    let start = Instant::now();
    let source: Buffer<u32> =
        device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &[1; 64], usage }).at("source")?;
    for i in 0..cycles {
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&source, 0, &target, 0, 256).at("copy")?;
        if let Some((pipeline, group)) = &kept {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(pipeline).at("set_pipeline")?;
            pass.set_bind_group(0, group, &[]).at("set_bind_group")?;
            pass.dispatch_workgroups(1, 1, 1).at("dispatch")?;
        }
        match i % 4 {
            // Dropped unfinished.
            0 => {}
            // Finished, dropped unsubmitted.
            1 => drop(encoder.finish().await.at("finish")?),
            _ => queue.submit([encoder.finish().await.at("finish")?]).at("submit")?,
        }
        if i % 1000 == 999 {
            // Reads make a staging buffer and encoder each.
            target.read().await.at("read")?;
        }
    }
    queue.on_submitted_work_done().await;
    println!("encoders: {cycles} cycles in {:?}", start.elapsed());

    let start = Instant::now();
    for _ in 0..10 {
        let (device, _queue) = gpu.adapter.request_device(&Default::default()).await.at("request_device")?;
        device.create_buffer::<u8>(&BufferDescriptor { len: 4, usage, ..Default::default() }).at("buffer")?;
    }
    println!("devices: 10 cycles in {:?}", start.elapsed());
    println!("leak: done");
    Ok(())
}

/// Forgets `count` buffer handles, so their host objects (and the device
/// they keep alive) are never released: what the leak test must notice.
pub async fn forget(count: u32) -> Result<(), String> {
    let gpu = gpu().await.at("device")?;
    for _ in 0..count {
        let buffer = gpu
            .device
            .create_buffer::<u32>(&BufferDescriptor { len: 4, usage: BufferUsages::STORAGE, ..Default::default() })
            .at("create_buffer")?;
        std::mem::forget(buffer);
    }
    println!("leak-forget: forgot {count} buffers");
    Ok(())
}

//! Counts Collatz steps of 1..=4 on the GPU and prints `Steps: [0, 1, 7, 2]`.
use wasi_webgpu::{BindGroupDescriptor, BindGroupEntry, BufferInitDescriptor, BufferUsages};

#[wasi_webgpu::main]
async fn main() -> Result<(), wasi_webgpu::Error> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    let module = device.create_shader_module(wasi_webgpu::include_wgsl!("collatz.wgsl")).await?;
    let pipeline = device.create_compute_pipeline(&wasi_webgpu::ComputePipelineDescriptor::new(&module)).await?;

    let numbers = device.create_buffer_init(&BufferInitDescriptor {
        label: Some("numbers"),
        contents: &[1u32, 2, 3, 4],
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
    })?;
    let layout = pipeline.get_bind_group_layout(0)?;
    let entries = [BindGroupEntry { binding: 0, resource: numbers.as_entire_binding() }];
    let bind_group = device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries))?;

    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&pipeline)?;
    pass.set_bind_group(0, &bind_group, &[])?;
    pass.dispatch_workgroups(numbers.len().div_ceil(64) as u32, 1, 1)?;
    pass.end();
    queue.submit([encoder.finish().await?])?;

    println!("Steps: {:?}", numbers.read().await?);
    Ok(())
}

//! Counts Collatz steps of 1..=4 on the GPU and prints `Steps: [0, 1, 7, 2]`.
use wasi_webgpu::Threads;
use wasi_webgpu::{BufferInitDescriptor, BufferUsages};

// Checked against WebGPU at compile time; generates `collatz::pipeline` and typed `collatz::Bindings`.
#[wasi_webgpu::shader(path = "src/collatz.wgsl")]
mod collatz {}

#[wasi_webgpu::main]
async fn main() -> Result<(), wasi_webgpu::Error> {
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    let overrides = collatz::Overrides::default();
    let kernel = collatz::pipeline(&device, &overrides).await?;

    let numbers = device.create_buffer_init(&BufferInitDescriptor {
        label: Some("numbers"),
        contents: &[1u32, 2, 3, 4],
        usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
    })?;

    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    kernel.dispatch(
        &mut pass,
        &collatz::Bindings { numbers: numbers.as_storage_mut() },
        Threads::x(numbers.len() as u32),
    )?;
    pass.end();
    queue.submit([encoder.finish().await?])?;

    println!("Steps: {:?}", numbers.read().await?);
    Ok(())
}

//! y = a * x + y as a Rust kernel: on the GPU, or on the CPU with `--cpu` or when the host has no GPU.
use wasi_webgpu::Threads;
use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Instance};

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[wasi_webgpu::main]
async fn main() -> Result<(), wasi_webgpu::Error> {
    let instance = Instance::new();
    let cpu = std::env::args().any(|arg| arg == "--cpu");
    let adapter = if cpu { instance.cpu_adapter() } else { instance.request_adapter_or_cpu(&Default::default()).await };
    let (device, _queue) = adapter.request_device(&Default::default()).await?;
    let n = 1000;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let x = device.create_buffer_init(&BufferInitDescriptor { label: Some("x"), contents: &x, usage })?;
    let mut y =
        device.create_buffer_init(&BufferInitDescriptor { label: Some("y"), contents: &vec![1.0; n], usage })?;
    saxpy::launch(&device, 2.0, &x, &mut y, Threads::x(n as u32)).await?;
    let y = y.read().await?;
    let on = if device.is_cpu() { "CPU" } else { "GPU" };
    println!("saxpy on the {on}: y[..4] = {:?}, sum = {}", &y[..4], y.iter().sum::<f32>());
    Ok(())
}

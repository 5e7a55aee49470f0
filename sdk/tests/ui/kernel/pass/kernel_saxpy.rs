//! The saxpy kernel compiles natively, and its generated module has the documented items.

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

#[allow(dead_code)]
async fn run(device: &wasi_webgpu::Device, x: &wasi_webgpu::Buffer<f32>, y: &mut wasi_webgpu::Buffer<f32>) -> wasi_webgpu::Result<()> {
    saxpy::launch(device, 2.0, x, y, wasi_webgpu::Threads::x(1000)).await
}

/// `dispatch` takes the same arguments in the same order, with the caller's pass first.
#[allow(dead_code)]
async fn record(pass: &mut wasi_webgpu::ComputePass<'_>, x: &wasi_webgpu::Buffer<f32>, y: &mut wasi_webgpu::Buffer<f32>) -> wasi_webgpu::Result<()> {
    saxpy::dispatch(pass, 2.0, x, y, wasi_webgpu::Threads::x(1000)).await
}

fn main() {
    assert!(saxpy::WGSL.contains("fn main("));
    assert_eq!(saxpy::WORKGROUP_SIZE, [64, 1, 1]);
}

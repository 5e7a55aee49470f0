// `launch` takes its thread count as a `Threads`, like a shader's `dispatch`: a plain integer,
// which a wgpu user may mean as a workgroup count, does not compile.
#[wasi_webgpu::kernel(workgroup_size = 64)]
fn double(x: &mut [u32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < x.len() {
        x[i] *= 2;
    }
}

#[allow(dead_code)]
async fn run(device: &wasi_webgpu::Device, x: &mut wasi_webgpu::Buffer<u32>) -> wasi_webgpu::Result<()> {
    let workgroups = x.len() as u32 / 64;
    double::launch(device, x, workgroups).await
}

fn main() {}

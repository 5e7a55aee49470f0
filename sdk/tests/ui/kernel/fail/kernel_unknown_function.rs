#[wasi_webgpu::kernel(workgroup_size = 64)]
fn blur(data: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    data[i] = smooth(data[i]);
}

fn main() {}

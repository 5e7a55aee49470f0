#[wasi_webgpu::kernel(workgroup_size = 64)]
fn clear(data: &[f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    data[i] = 0.0;
}

fn main() {}

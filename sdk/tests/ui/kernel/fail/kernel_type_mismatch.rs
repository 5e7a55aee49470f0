#[wasi_webgpu::kernel(workgroup_size = 64)]
fn add(a: f32, out: &mut [f32]) {
    let i = wasi_webgpu::global_id().x;
    out[i as usize] = a + i;
}

fn main() {}

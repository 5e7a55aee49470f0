#[wasi_webgpu::kernel(workgroup_size = 64)]
fn scale(factor: &f32, out: &mut [f32]) {
    out[0] = 0.0;
}

fn main() {}

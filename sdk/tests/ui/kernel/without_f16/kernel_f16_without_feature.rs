#[wasi_webgpu::kernel(workgroup_size = 64)]
fn half(out: &mut [f16]) {
    out[0] = 1.0;
}

fn main() {}

#[wasi_webgpu::kernel(workgroup_size = (32, 32))]
fn fill(out: &mut [u32]) {
    out[0] = 7;
}

fn main() {}

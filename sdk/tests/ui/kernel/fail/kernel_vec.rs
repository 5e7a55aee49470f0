#[wasi_webgpu::kernel(workgroup_size = 64)]
fn collect(out: &mut [u32]) {
    let mut v = Vec::new();
    out[0] = 1;
}

fn main() {}

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn fill(threads: u32, out: &mut [u32]) {
    out[0] = threads;
}

fn main() {}

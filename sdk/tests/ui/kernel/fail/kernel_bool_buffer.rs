#[wasi_webgpu::kernel(workgroup_size = 64)]
fn flags(out: &mut [bool]) {
    out[0] = true;
}

fn main() {}

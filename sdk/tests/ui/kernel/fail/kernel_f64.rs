#[wasi_webgpu::kernel(workgroup_size = 64)]
fn precise(out: &mut [f64]) {
    out[0] = 1.0;
}

fn main() {}

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn refs(out: &mut [f32]) {
    let v = 1.0;
    let r = &v;
    out[0] = v;
}

fn main() {}

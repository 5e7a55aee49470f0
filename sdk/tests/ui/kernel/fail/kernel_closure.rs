#[wasi_webgpu::kernel(workgroup_size = 64)]
fn twice(out: &mut [f32]) {
    let double = |x: f32| x * 2.0;
    out[0] = 1.0;
}

fn main() {}

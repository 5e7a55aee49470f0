#[wasi_webgpu::kernel(workgroup_size = 64)]
fn shift(data: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as i32;
    data[i - 1] = 0.0;
}

fn main() {}

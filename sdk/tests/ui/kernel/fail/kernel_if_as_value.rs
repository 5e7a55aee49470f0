#[wasi_webgpu::kernel(workgroup_size = 64)]
fn relu(data: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    let v = if data[i] > 0.0 { data[i] } else { 0.0 };
    data[i] = v;
}

fn main() {}

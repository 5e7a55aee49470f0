#[wasi_webgpu::kernel(workgroup_size = 64)]
fn sync_some(data: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < data.len() {
        data[i] = 0.0;
        wasi_webgpu::workgroup_barrier();
    }
}

fn main() {}

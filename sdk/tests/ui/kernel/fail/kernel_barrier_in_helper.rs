#[wasi_webgpu::gpu]
fn sync_then(x: f32) -> f32 {
    wasi_webgpu::workgroup_barrier();
    x
}

fn main() {}

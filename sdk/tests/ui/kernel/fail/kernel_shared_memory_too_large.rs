#[wasi_webgpu::kernel(workgroup_size = 64)]
fn tile(out: &mut [f32]) {
    static TILE: wasi_webgpu::Workgroup<[f32; 8192]> = wasi_webgpu::Workgroup::new();
    let i = wasi_webgpu::local_index() as usize;
    TILE[i] = 1.0;
    wasi_webgpu::workgroup_barrier();
    out[i] = TILE[i];
}

fn main() {}

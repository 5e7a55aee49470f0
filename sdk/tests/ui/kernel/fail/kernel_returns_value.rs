#[wasi_webgpu::kernel(workgroup_size = 64)]
fn answer(out: &mut [u32]) -> u32 {
    out[0] = 42;
    42
}

fn main() {}

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn count(out: &mut [u32]) {
    let total = 0u32;
    for k in 0..4u32 {
        total = total + k;
    }
    out[0] = total;
}

fn main() {}

#[wasi_webgpu::kernel]
fn fill(out: &mut [u32]) {
    out[0] = 7;
}

fn main() {}

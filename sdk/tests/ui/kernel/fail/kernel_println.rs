#[wasi_webgpu::kernel(workgroup_size = 64)]
fn debug(out: &mut [u32]) {
    let i = wasi_webgpu::global_id().x;
    println!("{i}");
    out[0] = i;
}

fn main() {}

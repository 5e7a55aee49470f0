#[wasi_webgpu::kernel(workgroup_size = 64)]
fn pick(out: &mut [u32]) {
    let i = wasi_webgpu::global_id().x;
    out[0] = match i {
        0 => 1,
        _ => 2,
    };
}

fn main() {}

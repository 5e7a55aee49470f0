#[wasi_webgpu::kernel(workgroup_size = 64)]
fn greet(out: &mut [u32]) {
    let s = String::from("hello");
    out[0] = 1;
}

fn main() {}

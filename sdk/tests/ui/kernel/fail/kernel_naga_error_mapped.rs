use wasi_webgpu::global_id;

// The macro's own checks accept this; naga rejects the generated WGSL (a constant index past the
// end of a fixed-size array), and its error is mapped back to the Rust expression.
#[wasi_webgpu::kernel(workgroup_size = 64)]
fn lookup(out: &mut [f32]) {
    let i = global_id().x as usize;
    let table = [1.0, 2.0, 4.0, 8.0];
    out[i] = table[4];
}

fn main() {}

// A user function called with the wrong number of arguments.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<f32>;

fn scale(x: f32, factor: f32) -> f32 {
    return x * factor;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = scale(data[id.x]);
}
"#)]
mod args {}

fn main() {}

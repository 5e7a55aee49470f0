// A function that returns a value of the wrong type.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

fn half(x: u32) -> u32 {
    return f32(x) / 2.0;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = half(data[id.x]);
}
"#)]
mod returns {}

fn main() {}

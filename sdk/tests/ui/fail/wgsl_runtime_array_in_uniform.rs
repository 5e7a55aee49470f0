// A runtime-sized array is only allowed in a storage buffer, not in a uniform one.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<uniform> weights: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> data: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = weights[id.x];
}
"#)]
mod unsized_uniform {}

fn main() {}

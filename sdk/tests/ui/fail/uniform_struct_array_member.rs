// A u32 followed by an `array<f32, 4>` in a uniform struct: the array member has stride 4,
// which the uniform address space does not allow (it needs 16; use `array<vec4<f32>, 1>`).
#[wasi_webgpu::shader(wgsl = r#"
struct Params {
    count: u32,
    weights: array<f32, 4>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.count {
        data[id.x] = data[id.x] * params.weights[id.x % 4u];
    }
}
"#)]
mod member {}

fn main() {}

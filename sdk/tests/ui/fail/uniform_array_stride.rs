// In a uniform buffer an array's stride must be a multiple of 16: `array<f32, 4>` has stride 4.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<uniform> weights: array<f32, 4>;
@group(0) @binding(1) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = data[id.x] * weights[id.x % 4u];
}
"#)]
mod stride {}

fn main() {}

// Storing a `u32` where a `f32` is needed: WGSL converts no concrete type implicitly.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> counts: array<u32>;
@group(0) @binding(1) var<storage, read_write> weights: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    weights[id.x] = counts[id.x];
}
"#)]
mod typed {}

fn main() {}

// Binding indices go up to maxBindingsPerBindGroup - 1 = 999.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(1000) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = 0.0;
}
"#)]
mod bindings {}

fn main() {}

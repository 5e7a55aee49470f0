// A type that does not exist in WGSL.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<vec5<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    _ = data[id.x];
}
"#)]
mod unknown {}

fn main() {}

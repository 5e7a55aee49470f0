// Every dimension is within its limit, but 16 * 16 * 2 = 512 invocations is over 256.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(16, 16, 2)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x + 16u * id.y + 256u * id.z] = id.x;
}
"#)]
mod cube {}

fn main() {}

// Z = 65 is over maxComputeWorkgroupSizeZ = 64, although 65 invocations are fine.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(1, 1, 65)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.z] = id.z;
}
"#)]
mod deep {}

fn main() {}

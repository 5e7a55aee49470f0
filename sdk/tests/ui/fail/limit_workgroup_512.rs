// 512 invocations per workgroup, over maxComputeInvocationsPerWorkgroup = 256 (and X over 256).
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(512)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = id.x;
}
"#)]
mod big {}

fn main() {}

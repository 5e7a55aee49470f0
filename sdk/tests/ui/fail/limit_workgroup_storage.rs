// 1025 vec4<f32> of workgroup memory are 16400 bytes, over maxComputeWorkgroupStorageSize = 16384.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<vec4<f32>>;

var<workgroup> tile: array<vec4<f32>, 1025>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) i: u32, @builtin(global_invocation_id) id: vec3<u32>) {
    tile[i] = data[id.x];
    workgroupBarrier();
    data[id.x] = tile[255u - i];
}
"#)]
mod shared {}

fn main() {}

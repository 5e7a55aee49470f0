// WebGPU has 4 bind groups by default (maxBindGroups = 4): @group(4) is out of range.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(4) @binding(0) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    output[id.x] = input[id.x];
}
"#)]
mod groups {}

fn main() {}

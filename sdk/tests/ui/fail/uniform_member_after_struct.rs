// In a uniform buffer, a member that follows a struct member must start at a multiple of 16:
// `scale` sits at offset 8, right after the 8-byte `Range`.
#[wasi_webgpu::shader(wgsl = r#"
struct Range {
    start: u32,
    end: u32,
}

struct Params {
    range: Range,
    scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= params.range.start && id.x < params.range.end {
        data[id.x] = data[id.x] * params.scale;
    }
}
"#)]
mod after_struct {}

fn main() {}

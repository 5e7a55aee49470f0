// In a uniform buffer a struct-typed member must be aligned to 16: `inner` (align 4) is at offset 4.
#[wasi_webgpu::shader(wgsl = r#"
struct Inner {
    scale: f32,
}

struct Params {
    count: u32,
    inner: Inner,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.count {
        data[id.x] = data[id.x] * params.inner.scale;
    }
}
"#)]
mod aligned {}

fn main() {}

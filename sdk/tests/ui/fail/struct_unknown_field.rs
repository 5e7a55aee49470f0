// The generated struct has exactly the WGSL members: there is no `total`, the member is `count`.
#[wasi_webgpu::shader(wgsl = r#"
struct Params {
    scale: f32,
    count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.count {
        data[id.x] = data[id.x] * params.scale;
    }
}
"#)]
mod scale {}

fn main() {
    let params = scale::Params { scale: 2.0, total: 10, ..Default::default() };
    let _ = params;
}

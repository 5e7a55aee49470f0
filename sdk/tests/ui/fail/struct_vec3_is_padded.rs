// A `vec3<f32>` array element is 16 bytes in WGSL, so the generated element type is `[f32; 4]`:
// a `Buffer<[f32; 3]>` does not fit.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> points: array<vec3<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    points[id.x] = normalize(points[id.x]);
}
"#)]
mod normalize {}

fn bind(points: &wasi_webgpu::Buffer<[f32; 3]>) -> normalize::Bindings<'_> {
    normalize::Bindings { points: points.as_storage_mut() }
}

fn main() {
    let _ = bind;
}

// A builtin given an argument of a type it does not take.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> counts: array<u32>;
@group(0) @binding(1) var<storage, read_write> roots: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    roots[id.x] = sqrt(counts[id.x]);
}
"#)]
mod typed {}

fn main() {}

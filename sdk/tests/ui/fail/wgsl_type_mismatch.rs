// A type error: a float literal assigned to a `u32`.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let x: u32 = 1.0;
    data[id.x] = x;
}
"#)]
mod typed {}

fn main() {}

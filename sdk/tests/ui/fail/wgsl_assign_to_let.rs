// Assignment to a `let`, which is immutable in WGSL.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let x = data[id.x];
    x = x + 1u;
    data[id.x] = x;
}
"#)]
mod immutable {}

fn main() {}

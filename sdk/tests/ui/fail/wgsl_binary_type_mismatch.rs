// `u32 + i32`: WGSL converts no concrete type implicitly. The error says so in WGSL's type names
// and offers the casts.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let offset = -1i;
    data[id.x] = data[id.x] + offset;
}
"#)]
mod typed {}

fn main() {}

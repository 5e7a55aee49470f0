// A compute entry point without the required `@workgroup_size` attribute.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = 0u;
}
"#)]
mod no_size {}

fn main() {}

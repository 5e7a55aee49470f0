// A store into a `var<storage, read>` binding.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = 0u;
}
"#)]
mod read_only {}

fn main() {}

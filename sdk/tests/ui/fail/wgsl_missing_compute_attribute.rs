// `@compute` forgotten: `main` is then a plain function, and plain functions cannot take `@builtin` arguments.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = 0u;
}
"#)]
mod not_compute {}

fn main() {}

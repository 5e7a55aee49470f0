// An override's Rust type follows its WGSL type: `factor` is a `u32`, not a float.
#[wasi_webgpu::shader(wgsl = r#"
override factor: u32 = 2u;

@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = data[id.x] * factor;
}
"#)]
mod scaled {}

fn main() {
    let overrides = scaled::Overrides { factor: Some(1.5) };
    let _ = overrides;
}

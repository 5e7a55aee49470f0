// A built-in of the wrong type: the error spells both in WGSL, not as naga's Rust values.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: u32) {
    data[id] = id;
}
"#)]
mod builtin {}

fn main() {}

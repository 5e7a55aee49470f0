// A key the attribute does not know (`source` instead of `wgsl`).
#[wasi_webgpu::shader(source = r#"@compute @workgroup_size(1) fn main() {}"#)]
mod unknown {}

fn main() {}

// The attribute goes on an (empty) module, not on a function.
#[wasi_webgpu::shader(wgsl = r#"@compute @workgroup_size(1) fn main() {}"#)]
fn kernel() {}

fn main() {}

// The attribute needs an inline `mod name {}`, not a module loaded from another file.
#[wasi_webgpu::shader(wgsl = r#"@compute @workgroup_size(1) fn main() {}"#)]
mod kernel;

fn main() {}

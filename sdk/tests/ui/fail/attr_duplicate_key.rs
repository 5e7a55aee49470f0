// The same key twice.
#[wasi_webgpu::shader(
    wgsl = r#"@compute @workgroup_size(1) fn main() {}"#,
    wgsl = r#"@compute @workgroup_size(2) fn main() {}"#
)]
mod twice {}

fn main() {}

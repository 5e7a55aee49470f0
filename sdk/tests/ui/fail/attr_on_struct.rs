// The attribute goes on an (empty) module, not on a struct.
#[wasi_webgpu::shader(wgsl = r#"@compute @workgroup_size(1) fn main() {}"#)]
struct Kernel;

fn main() {}

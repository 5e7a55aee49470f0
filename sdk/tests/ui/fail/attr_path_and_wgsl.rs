// `path` and `wgsl` are alternatives: giving both is an error.
#[wasi_webgpu::shader(path = "tests/ui/shaders/double.wgsl", wgsl = r#"@compute @workgroup_size(1) fn main() {}"#)]
mod both {}

fn main() {}

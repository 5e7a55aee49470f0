// `path` names a file that does not exist (paths are relative to CARGO_MANIFEST_DIR).
#[wasi_webgpu::shader(path = "tests/ui/shaders/does_not_exist.wgsl")]
mod missing {}

fn main() {}

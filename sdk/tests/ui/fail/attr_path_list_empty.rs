// `path = []` names no file.
#[wasi_webgpu::shader(path = [])]
mod empty {}

fn main() {}

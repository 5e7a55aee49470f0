// Neither `path` nor `wgsl`, with empty parentheses.
#[wasi_webgpu::shader()]
mod nothing {}

fn main() {}

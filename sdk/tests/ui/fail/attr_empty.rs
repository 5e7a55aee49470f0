// Neither `path` nor `wgsl`: the attribute has nothing to compile.
#[wasi_webgpu::shader]
mod nothing {}

fn main() {}

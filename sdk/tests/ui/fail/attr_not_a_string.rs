// `wgsl` takes a string literal, not an expression.
const SOURCE: &str = "@compute @workgroup_size(1) fn main() {}";

#[wasi_webgpu::shader(wgsl = SOURCE)]
mod not_literal {}

fn main() {}

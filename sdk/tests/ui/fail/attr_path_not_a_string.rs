// `path` takes a string literal, not a number.
#[wasi_webgpu::shader(path = 42)]
mod not_literal {}

fn main() {}

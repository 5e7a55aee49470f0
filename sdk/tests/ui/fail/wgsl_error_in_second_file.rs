// A module over two files (`path = [..]`, joined in order): the error names the second file
// and its own line 5, and points at that file's path in the attribute.
#[wasi_webgpu::shader(path = ["tests/ui/shaders/f16_prelude.wgsl", "tests/ui/shaders/syntax_error_line5.wgsl"])]
mod broken {}

fn main() {}

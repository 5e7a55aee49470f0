// A WGSL syntax error in a shader file: the error names the file, line 5 and the column.
#[wasi_webgpu::shader(path = "tests/ui/shaders/syntax_error_line5.wgsl")]
mod broken {}

fn main() {}

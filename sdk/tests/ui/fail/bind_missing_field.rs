// Every binding the entry point uses must be given: `input` is missing.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    output[id.x] = input[id.x] + 1u;
}
"#)]
mod inc {}

fn run(
    kernel: &inc::Main,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    output: &wasi_webgpu::Buffer<u32>,
) -> wasi_webgpu::Result<()> {
    kernel.dispatch(pass, &inc::Bindings { output: output.as_storage_mut() }, wasi_webgpu::Threads::x(output.len() as u32))
}

fn main() {
    let _ = run;
}

// A storage binding does not take `as_uniform()`.
#[wasi_webgpu::shader(wgsl = r#"
struct Params {
    scale: u32,
    count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.count {
        output[id.x] = input[id.x] * params.scale;
    }
}
"#)]
mod scale {}

fn run(
    kernel: &scale::Main,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    params: &wasi_webgpu::Buffer<scale::Params>,
    input: &wasi_webgpu::Buffer<u32>,
    output: &wasi_webgpu::Buffer<u32>,
) -> wasi_webgpu::Result<()> {
    kernel.dispatch(
        pass,
        &scale::Bindings { params: params.as_uniform(), input: input.as_uniform(), output: output.as_storage_mut() },
        output.len() as u32,
    )
}

fn main() {
    let _ = run;
}

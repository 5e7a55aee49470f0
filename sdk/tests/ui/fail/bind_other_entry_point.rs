// Each entry point has its own bindings type: `ClearBindings` cannot be dispatched with `Fill`.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn clear(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = 0u;
}

@compute @workgroup_size(64)
fn fill(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = id.x;
}
"#)]
mod two {}

fn run(
    fill: &two::Fill,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    data: &wasi_webgpu::Buffer<u32>,
) -> wasi_webgpu::Result<()> {
    fill.dispatch(pass, &two::ClearBindings { data: data.as_storage_mut() }, wasi_webgpu::Threads::x(data.len() as u32))
}

fn main() {
    let _ = run;
}

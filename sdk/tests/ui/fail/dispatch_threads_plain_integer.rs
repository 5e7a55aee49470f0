// The thread count is a `Threads`, never a plain integer: a wgpu user's workgroup count would
// compile and silently run 64 times too few threads.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x] = id.x;
}
"#)]
mod ids {}

fn run(
    kernel: &ids::Main,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    data: &wasi_webgpu::Buffer<u32>,
) -> wasi_webgpu::Result<()> {
    kernel.dispatch(pass, &ids::Bindings { data: data.as_storage_mut() }, data.len() as u32 / 64)
}

fn main() {
    let _ = run;
}

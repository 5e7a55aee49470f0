// The `path` form compiles natively; the path is relative to CARGO_MANIFEST_DIR (the test driver
// puts tests/ui/shaders where trybuild's generated crate can see it).
#[wasi_webgpu::shader(path = "tests/ui/shaders/double.wgsl")]
mod double {}

async fn run(
    device: &wasi_webgpu::Device,
    pass: &mut wasi_webgpu::ComputePass<'_>,
    data: &wasi_webgpu::Buffer<f32>,
) -> wasi_webgpu::Result<()> {
    let kernel = double::pipeline(device, &Default::default()).await?;
    kernel.dispatch(pass, &double::Bindings { data: data.as_storage_mut() }, wasi_webgpu::Threads::x(data.len() as u32))
}

fn main() {
    let _ = run;
    assert_eq!(double::SOURCE, include_str!("../shaders/double.wgsl"));
    assert_eq!(double::MAIN_WORKGROUP_SIZE, [64, 1, 1]);
}

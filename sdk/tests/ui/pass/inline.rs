// The inline form compiles natively, and the generated items have the documented shapes.
#[wasi_webgpu::shader(wgsl = r#"
struct Params {
    scale: f32,
    count: u32,
    offset: vec2<f32>,
    tint: vec3<f32>,
}

override bias: f32 = 0.5;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(1) @binding(0) var<storage, read_write> output: array<vec4<f32>>;

@compute @workgroup_size(64, 2)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.count {
        let x = input[id.x] * params.scale + bias + params.offset.x;
        output[id.x] = vec4<f32>(params.tint * x, 1.0);
    }
}
"#)]
mod kernel {}

async fn run(
    device: &wasi_webgpu::Device,
    encoder: &mut wasi_webgpu::CommandEncoder,
    params: &wasi_webgpu::Buffer<kernel::Params>,
    input: &wasi_webgpu::Buffer<f32>,
    output: &wasi_webgpu::Buffer<[f32; 4]>,
) -> wasi_webgpu::Result<()> {
    let overrides = kernel::Overrides { bias: Some(0.25) };
    let pipeline: kernel::Main = kernel::pipeline(device, &overrides).await?;
    let _same: kernel::Main = kernel::Main::pipeline(device, &kernel::Overrides::default()).await?;
    let _: [u32; 3] = pipeline.workgroup_size();
    let _: &wasi_webgpu::ComputePipeline = pipeline.compute_pipeline();
    let _: &[wasi_webgpu::BindGroupLayout] = pipeline.bind_group_layouts();

    let bindings: kernel::Bindings<'_> = kernel::MainBindings {
        params: params.as_uniform(),
        input: input.slice(..).as_storage(),
        output: output.as_storage_mut(),
    };
    let bound: kernel::MainBound = pipeline.bind(device, &bindings)?;
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pipeline.dispatch(&mut pass, &bindings, wasi_webgpu::Threads::x(input.len() as u32))?;
    pipeline.dispatch(&mut pass, &bindings, wasi_webgpu::Threads::xy(4, 4))?;
    pipeline.dispatch_bound(&mut pass, &bound.clone(), wasi_webgpu::Threads([8, 8, 1]))?;
    pipeline.clone().dispatch_bound(&mut pass, &bound, wasi_webgpu::Threads::xyz(1, 2, 3))?;
    pass.end();
    Ok(())
}

fn main() {
    let _ = run;
    assert!(kernel::SOURCE.contains("fn main("));
    assert_eq!(kernel::MAIN_WORKGROUP_SIZE, [64, 2, 1]);

    // WGSL layout: scale@0, count@4, offset@8 (vec2, align 8), tint@16 (vec3, align 16), size 32.
    assert_eq!(std::mem::size_of::<kernel::Params>(), 32);
    let params = kernel::Params { scale: 2.0, count: 3, offset: [1.0, 2.0], tint: [1.0; 3], ..Default::default() };
    assert_eq!(bytemuck::bytes_of(&params).len(), 32);
    assert_eq!(kernel::Params::default(), bytemuck::Zeroable::zeroed());
    assert_eq!(kernel::Overrides::default().bias, None);
}

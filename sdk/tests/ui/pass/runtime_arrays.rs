// Runtime-sized arrays as real shaders bind them: bare, wrapped in a struct (bound as a buffer of the
// elements), and after a fixed header (bound as a `HeaderBuffer<Header, Element>`), read-only and
// read-write; and workgroup memory sized by an override expression, whose unnamed override naga
// makes is not in `Overrides`.
#[wasi_webgpu::shader(wgsl = r#"
override BLOCK: u32 = 64;
var<workgroup> tile: array<u32, BLOCK * 2u>;

struct Particle { position: vec3<f32>, velocity: vec3<f32> }
struct Particles { particles: array<Particle> }
struct Data { count: u32, pad: vec3u, items: array<vec4f> }
struct Halves { n: u32, values: array<f32> }

@group(0) @binding(0) var<storage, read_write> ps: Particles;
@group(0) @binding(1) var<storage, read> data: Data;
@group(0) @binding(2) var<storage, read_write> halves: Halves;

@compute @workgroup_size(BLOCK)
fn main(@builtin(local_invocation_index) i: u32) {
    tile[i] = data.count;
    workgroupBarrier();
    ps.particles[i].position = data.items[i].xyz + f32(tile[BLOCK - 1u - i]);
    halves.values[i] = f32(halves.n) / 2.0;
}
"#)]
mod shapes {}

async fn run(
    device: &wasi_webgpu::Device,
    pass: &mut wasi_webgpu::ComputePass<'_>,
) -> wasi_webgpu::Result<()> {
    use wasi_webgpu::{BufferUsages, HeaderBuffer, HeaderBufferInitDescriptor};
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let ps: wasi_webgpu::Buffer<shapes::Particle> = device.create_buffer(&Default::default())?;
    let data = HeaderBuffer::new_init(
        device,
        &HeaderBufferInitDescriptor {
            label: None,
            header: &shapes::Data { count: 3, pad: [0; 3], ..Default::default() },
            elements: &[[1.0f32; 4]; 3],
            usage,
        },
    )?;
    let halves: HeaderBuffer<shapes::Halves, f32> =
        HeaderBuffer::new(device, &wasi_webgpu::BufferDescriptor { len: 64, usage, ..Default::default() })?;
    let kernel = shapes::pipeline(device, &shapes::Overrides { BLOCK: Some(32) }).await?;
    let bindings = shapes::Bindings { ps: ps.as_storage_mut(), data: data.as_storage(), halves: halves.as_storage_mut() };
    kernel.dispatch(pass, &bindings, wasi_webgpu::Threads::x(64))?;
    let (_header, _values): (shapes::Halves, Vec<f32>) = halves.read().await?;
    Ok(())
}

fn main() {
    let _ = run;
    // The header structs are the members before the array, padded to its offset.
    assert_eq!(std::mem::size_of::<shapes::Data>(), 32);
    assert_eq!(std::mem::size_of::<shapes::Halves>(), 4);
    assert_eq!(wasi_webgpu::HeaderBuffer::<shapes::Data, [f32; 4]>::ARRAY_OFFSET, 32);
    // Only the named override.
    let shapes::Overrides { BLOCK: _ } = shapes::Overrides::default();
}

// Header-plus-array structs as real shaders write them, with the WGSL layout worked out by hand
// (WGSL spec, "Alignment and Size"): an atomic counter before `vec3` elements, a nested struct and a
// matrix before `array<array<f32, 4>>`, an `f16` header, a header more aligned than its elements;
// and two entry points that give one `@group(0) @binding(0)` different types.
#[wasi_webgpu::shader(wgsl = r#"
enable f16;

// count @0, flags @8 (vec2 aligns to 8), items @16 with stride 16 (vec3 aligns to 16).
struct Counter { count: atomic<u32>, flags: vec2<u32>, items: array<vec3<f32>> }
// In: a @0 (12 bytes), b @12, size 16, align 16. Nested: i @0, m @16 (mat3x3 is 3 columns of 16),
// items @64 with stride 16.
struct In { a: vec3<f32>, b: u32 }
struct Nested { i: In, m: mat3x3<f32>, items: array<array<f32, 4>> }
// n @0, items @2 with stride 2.
struct Halves { n: f16, items: array<f16> }
// v @0, items @16 with stride 4: the struct aligns to 16, its elements to 4.
struct Wide { v: vec4<f32>, items: array<u32> }

@group(0) @binding(0) var<storage, read_write> counter: Counter;
@group(0) @binding(1) var<storage, read_write> nested: Nested;
@group(0) @binding(2) var<storage, read_write> halves: Halves;
@group(0) @binding(3) var<storage, read> wide: Wide;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = atomicAdd(&counter.count, 1u);
    counter.items[i] = vec3f(f32(counter.flags.x), nested.i.a.y, nested.m[2].z);
    nested.items[id.x][3] = f32(wide.items[id.x]) + wide.v.w;
    halves.items[id.x] = halves.n;
}

@group(1) @binding(0) var<storage, read_write> words: array<u32>;
@group(1) @binding(0) var<storage, read_write> floats: array<f32>;
@compute @workgroup_size(1) fn ints() { words[0] = 1u; }
@compute @workgroup_size(1) fn reals() { floats[0] = 1.0; }
"#)]
mod headers {}

async fn run(device: &wasi_webgpu::Device, pass: &mut wasi_webgpu::ComputePass<'_>) -> wasi_webgpu::Result<()> {
    use wasi_webgpu::{BufferDescriptor, BufferUsages, HeaderBuffer};
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let d = BufferDescriptor { len: 64, usage, ..Default::default() };
    let counter: HeaderBuffer<headers::Counter, [f32; 4]> = HeaderBuffer::new(device, &d)?;
    let nested: HeaderBuffer<headers::Nested, [f32; 4]> = HeaderBuffer::new(device, &d)?;
    let halves: HeaderBuffer<headers::Halves, u16> = HeaderBuffer::new(device, &d)?;
    let wide: HeaderBuffer<headers::Wide, u32> = HeaderBuffer::new(device, &d)?;
    let kernel = headers::Main::pipeline(device, &headers::Overrides {}).await?;
    let bindings = headers::MainBindings {
        counter: counter.as_storage_mut(),
        nested: nested.as_storage_mut(),
        halves: halves.as_storage_mut(),
        wide: wide.as_storage(),
    };
    kernel.dispatch(pass, &bindings, wasi_webgpu::Threads::x(64))?;
    let words: wasi_webgpu::Buffer<u32> = device.create_buffer(&Default::default())?;
    let floats: wasi_webgpu::Buffer<f32> = device.create_buffer(&Default::default())?;
    let k = headers::Ints::pipeline(device, &headers::Overrides {}).await?;
    k.dispatch(pass, &headers::IntsBindings { words: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k = headers::Reals::pipeline(device, &headers::Overrides {}).await?;
    k.dispatch(pass, &headers::RealsBindings { floats: floats.as_storage_mut() }, wasi_webgpu::Threads::x(1))
}

fn main() {
    use std::mem::{offset_of, size_of};
    use wasi_webgpu::HeaderBuffer;
    let _ = run;
    assert_eq!(size_of::<headers::Counter>(), 16);
    assert_eq!(offset_of!(headers::Counter, flags), 8);
    assert_eq!(HeaderBuffer::<headers::Counter, [f32; 4]>::ARRAY_OFFSET, 16);
    assert_eq!(size_of::<headers::In>(), 16);
    assert_eq!(offset_of!(headers::In, b), 12);
    assert_eq!(size_of::<headers::Nested>(), 64);
    assert_eq!(offset_of!(headers::Nested, m), 16);
    assert_eq!(size_of::<[[f32; 4]; 3]>(), 48);
    assert_eq!(size_of::<headers::Halves>(), 2);
    assert_eq!(size_of::<headers::Wide>(), 16);
    let c = headers::Counter { count: 0, flags: [1, 2], ..Default::default() };
    assert_eq!(c.flags, [1, 2]);
}

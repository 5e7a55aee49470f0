// Names real shaders use that are Rust keywords or generated item names, under `deny(warnings)`:
// WGSL reserves most Rust keywords, but `dyn`, `gen`, `in` and `box` are ordinary WGSL names and
// become raw Rust identifiers; an entry point named like a module-level constant (`SOURCE`,
// `OVERRIDES`) makes a tuple struct, which lives in the value namespace too; non-ASCII entry points
// make constants.
#![deny(warnings)]

#[wasi_webgpu::shader(wgsl = r#"
struct dyn { gen: u32, in: f32, box: vec3<f32>, len: u32 }
struct gen { values: array<dyn> }
override in: u32 = 2u;
override values: f32 = 1.0;
@group(0) @binding(0) var<storage, read_write> box: gen;
@group(0) @binding(1) var<uniform> len: dyn;
@compute @workgroup_size(1) fn main() { box.values[0].gen = len.gen + in; box.values[0].in = values; }
@compute @workgroup_size(1) fn count() { box.values[1].len = arrayLength(&box.values); }
"#)]
mod keywords {}

// The same words as entry points.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> len: array<u32>;
@compute @workgroup_size(1) fn dyn() { len[0] = 1u; }
@compute @workgroup_size(2) fn gen() { len[1] = 1u; }
@compute @workgroup_size(1) fn in() { len[2] = 1u; }
@compute @workgroup_size(1) fn box() { len[3] = 1u; }
@compute @workgroup_size(1) fn option() { len[4] = 1u; }
@compute @workgroup_size(1) fn some() { len[5] = 1u; }
@compute @workgroup_size(1) fn vec() { len[6] = 1u; }
@compute @workgroup_size(1) fn result() { len[7] = 1u; }
"#)]
mod entries {}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@compute @workgroup_size(1) fn SOURCE() { data[0] = 1u; }
@compute @workgroup_size(1) fn OVERRIDES() { data[1] = 1u; }
@compute @workgroup_size(1) fn pipeline() { data[2] = 1u; }
"#)]
mod values {}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@compute @workgroup_size(3) fn größe() { data[0] = 1u; }
@compute @workgroup_size(1) fn noop() {}
@vertex fn straße(@location(0) p: vec2<f32>) -> @builtin(position) vec4<f32> { return vec4(p, 0.0, 1.0); }
"#)]
mod unicode {}

async fn run(device: &wasi_webgpu::Device, pass: &mut wasi_webgpu::ComputePass<'_>) -> wasi_webgpu::Result<()> {
    let usage = wasi_webgpu::BufferUsages::STORAGE;
    let items: wasi_webgpu::Buffer<keywords::r#dyn> =
        device.create_buffer(&wasi_webgpu::BufferDescriptor { len: 2, usage, ..Default::default() })?;
    let uniform: wasi_webgpu::Buffer<keywords::r#dyn> = device.create_buffer(&Default::default())?;
    let overrides = keywords::Overrides { r#in: Some(3), values: Some(2.0) };
    let k: keywords::Main = keywords::Main::pipeline(device, &overrides).await?;
    k.dispatch(pass, &keywords::MainBindings { r#box: items.as_storage_mut(), len: uniform.as_uniform() }, wasi_webgpu::Threads::x(1))?;
    let k: keywords::Count = keywords::Count::pipeline(device, &overrides).await?;
    k.dispatch(pass, &keywords::CountBindings { r#box: items.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;

    let words: wasi_webgpu::Buffer<u32> = device.create_buffer(&Default::default())?;
    let k: entries::Dyn = entries::Dyn::pipeline(device, &entries::Overrides {}).await?;
    k.dispatch(pass, &entries::DynBindings { len: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k: entries::Gen = entries::Gen::pipeline(device, &entries::Overrides {}).await?;
    k.dispatch(pass, &entries::GenBindings { len: words.as_storage_mut() }, wasi_webgpu::Threads::x(2))?;
    let k: entries::In = entries::In::pipeline(device, &entries::Overrides {}).await?;
    k.dispatch(pass, &entries::InBindings { len: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k: entries::Box = entries::Box::pipeline(device, &entries::Overrides {}).await?;
    k.dispatch(pass, &entries::BoxBindings { len: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    // Types named like the prelude's shadow it only inside the module.
    let _: entries::Option = entries::Option::pipeline(device, &entries::Overrides {}).await?;
    let _: entries::Some = entries::Some::pipeline(device, &entries::Overrides {}).await?;
    let _: entries::Vec = entries::Vec::pipeline(device, &entries::Overrides {}).await?;
    let _: entries::Result = entries::Result::pipeline(device, &entries::Overrides {}).await?;

    let k: values::SOURCE_ = values::SOURCE_::pipeline(device, &values::Overrides {}).await?;
    k.dispatch(pass, &values::SOURCEBindings_ { data: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k: values::OVERRIDES_ = values::OVERRIDES_::pipeline(device, &values::Overrides {}).await?;
    k.dispatch(pass, &values::OVERRIDESBindings_ { data: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let _: values::Pipeline = values::Pipeline::pipeline(device, &values::Overrides {}).await?;

    let k = unicode::Größe::pipeline(device, &unicode::Overrides {}).await?;
    k.dispatch(pass, &unicode::GrößeBindings { data: words.as_storage_mut() }, wasi_webgpu::Threads::x(3))?;
    let k = unicode::Noop::pipeline(device, &unicode::Overrides {}).await?;
    k.dispatch(pass, &unicode::NoopBindings::default(), wasi_webgpu::Threads::x(1))
}

fn main() {
    let _ = run;
    let d = keywords::r#dyn { r#gen: 1, r#in: 2.0, r#box: [0.0; 3], len: 4, ..Default::default() };
    assert_eq!((d.r#gen, d.len), (1, 4));
    assert_eq!(std::mem::size_of::<keywords::r#dyn>(), 32);
    assert_eq!(std::mem::offset_of!(keywords::r#dyn, r#box), 16);
    assert!(values::SOURCE.contains("fn SOURCE"));
    assert_eq!(entries::GEN_WORKGROUP_SIZE, [2, 1, 1]);
    assert_eq!(unicode::GRößE_WORKGROUP_SIZE, [3, 1, 1]);
    assert_eq!(unicode::STRAßE_STRIDE, 8);
}

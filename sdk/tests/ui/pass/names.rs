// Generated names never clash with the shader's: WGSL names (structs, members) stay as written, and
// a name the macro derives that is taken gets `_` appended, with its family (`Main_`,
// `MainBindings_`, `MainBound_`). Padding fields are `__padN`, which WGSL reserves.

// A struct `Main` beside `fn main`, and a member named like padding.
#[wasi_webgpu::shader(wgsl = r#"
struct Main {
    _pad0: u32,
    v: vec3<f32>,
}

@group(0) @binding(0) var<storage, read_write> data: array<Main>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    data[id.x]._pad0 = data[id.x]._pad0 + 1u;
}
"#)]
mod struct_main {}

// Entry points named like the module-level items.
#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@compute @workgroup_size(1) fn overrides() { data[0] = 1u; }
"#)]
mod entry_overrides {}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@compute @workgroup_size(1) fn bindings() { data[0] = 1u; }
"#)]
mod entry_bindings {}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@compute @workgroup_size(1) fn pipeline() { data[0] = 1u; }
"#)]
mod entry_pipeline {}

// All three together, with structs named like the generated types and entry points whose Rust
// names coincide (`MAIN_WORKGROUP_SIZE` for `main` and `MAIN`).
#[wasi_webgpu::shader(wgsl = r#"
struct Overrides { x: u32 }
struct Bindings { y: u32 }
struct Pipeline { z: u32 }
@group(0) @binding(0) var<storage, read_write> a: Overrides;
@group(0) @binding(1) var<storage, read_write> b: Bindings;
@group(0) @binding(2) var<storage, read_write> c: Pipeline;
override gain: u32 = 2u;
@compute @workgroup_size(1) fn overrides() { a.x = gain; }
@compute @workgroup_size(1) fn bindings() { b.y = gain; }
@compute @workgroup_size(1) fn pipeline() { c.z = gain; }
@compute @workgroup_size(2) fn main() { a.x = 0u; }
@compute @workgroup_size(4) fn MAIN() { a.x = 1u; }
"#)]
mod all_together {}

async fn run(device: &wasi_webgpu::Device, pass: &mut wasi_webgpu::ComputePass<'_>) -> wasi_webgpu::Result<()> {
    let data: wasi_webgpu::Buffer<struct_main::Main> = device.create_buffer(&Default::default())?;
    let kernel: struct_main::Main_ = struct_main::pipeline(device, &struct_main::Overrides {}).await?;
    let bindings: struct_main::MainBindings_<'_> = struct_main::Bindings { data: data.as_storage_mut() };
    let _: struct_main::MainBound_ = kernel.bind(device, &bindings)?;
    kernel.dispatch(pass, &bindings, wasi_webgpu::Threads::x(64))?;

    let words: wasi_webgpu::Buffer<u32> = device.create_buffer(&Default::default())?;
    let k: entry_overrides::Overrides_ = entry_overrides::pipeline(device, &entry_overrides::Overrides {}).await?;
    k.dispatch(pass, &entry_overrides::OverridesBindings_ { data: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k: entry_bindings::Bindings_ = entry_bindings::pipeline(device, &Default::default()).await?;
    k.dispatch(pass, &entry_bindings::Bindings { data: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k: entry_pipeline::Pipeline = entry_pipeline::pipeline(device, &Default::default()).await?;
    k.dispatch(pass, &entry_pipeline::PipelineBindings { data: words.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;

    let a: wasi_webgpu::Buffer<all_together::Overrides> = device.create_buffer(&Default::default())?;
    let b: wasi_webgpu::Buffer<all_together::Bindings> = device.create_buffer(&Default::default())?;
    let c: wasi_webgpu::Buffer<all_together::Pipeline> = device.create_buffer(&Default::default())?;
    let overrides = all_together::Overrides_ { gain: Some(3) };
    let k = all_together::Overrides__::pipeline(device, &overrides).await?;
    k.dispatch(pass, &all_together::OverridesBindings__ { a: a.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k = all_together::Bindings__::pipeline(device, &overrides).await?;
    k.dispatch(pass, &all_together::BindingsBindings__ { b: b.as_storage_mut() }, wasi_webgpu::Threads::x(1))?;
    let k = all_together::Pipeline_::pipeline(device, &overrides).await?;
    k.dispatch(pass, &all_together::PipelineBindings_ { c: c.as_storage_mut() }, wasi_webgpu::Threads::x(1))
}

fn main() {
    let _ = run;
    // Padding is `__padN`; the WGSL member `_pad0` is an ordinary field.
    let m = struct_main::Main { _pad0: 7, v: [1.0, 2.0, 3.0], ..Default::default() };
    assert_eq!(m._pad0, 7);
    assert_eq!(std::mem::size_of::<struct_main::Main>(), 32);
    assert_eq!(std::mem::offset_of!(struct_main::Main, v), 16);
    assert_eq!(all_together::MAIN_WORKGROUP_SIZE, [2, 1, 1]);
    assert_eq!(all_together::MAIN_WORKGROUP_SIZE_, [4, 1, 1]);
    assert_eq!(all_together::PIPELINE_WORKGROUP_SIZE, [1, 1, 1]);
    let _ = all_together::Overrides { x: 1 };
    let _ = all_together::Bindings { y: 1 };
    let _ = all_together::Pipeline { z: 1 };
}

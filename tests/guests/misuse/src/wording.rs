//! What an error says: the public call that failed, which of its arguments
//! (the WGSL variable of a `#[shader]` binding), the buffer's label, and
//! usage flags in words ("one of" where any will do). Each error is printed
//! as `wording: <error>`; tests/tests/misuse.rs compares the lines with the
//! text it expects.

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, Buffer, BufferDescriptor, BufferUsages, Error, Threads, Uniform,
};

use crate::{Context, Gpu, Outcome, ensure};

#[wasi_webgpu::shader(wgsl = r#"
struct Params { factor: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
    if id.x < arrayLength(&output) { output[id.x] = input[id.x] * params.factor; }
}
"#)]
mod scale {}

/// Prints `result`'s error, which must be one `wanted` accepts.
fn said<T>(result: wasi_webgpu::Result<T>, wanted: fn(&Error) -> bool) -> Outcome {
    match result {
        Err(e) if wanted(&e) => {
            println!("wording: {e}");
            Ok(())
        }
        Err(e) => Err(format!("wrong error: {e:?}")),
        Ok(_) => Err("succeeded, expected an error".into()),
    }
}

fn bindings<'a>(
    input: &'a Buffer<u32>,
    output: &'a Buffer<u32>,
    params: Uniform<'a, scale::Params>,
) -> scale::Bindings<'a> {
    scale::Bindings { params, input: input.as_storage(), output: output.as_storage_mut() }
}

pub async fn errors_name_the_call_and_argument(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let buffer = |label, usage| {
        device.create_buffer::<u32>(&BufferDescriptor { label: Some(label), len: 64, usage, mapped_at_creation: false })
    };
    let storage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let params_buffer = |label, usage| {
        device.create_buffer::<scale::Params>(&BufferDescriptor {
            label: Some(label),
            len: 1,
            usage,
            mapped_at_creation: false,
        })
    };
    let params = params_buffer("params", BufferUsages::UNIFORM).at("params")?;
    let storage_params = params_buffer("storage params", BufferUsages::STORAGE).at("storage params")?;
    let input = buffer("input", storage).at("input")?;
    let output = buffer("output", storage).at("output")?;
    let readback = buffer("readback", BufferUsages::MAP_READ | BufferUsages::COPY_DST).at("readback")?;
    let kernel = scale::pipeline(device, &scale::Overrides::default()).await.at("pipeline")?;

    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    // A readback buffer where the shader writes: the WGSL variable and the label, not `create_bind_group`.
    let wrong = bindings(&input, &readback, params.as_uniform());
    said(kernel.dispatch(&mut pass, &wrong, Threads::x(64)), |e| matches!(e, Error::MissingUsage { .. }))?;
    // A storage buffer as the uniform, made into bind groups ahead of time.
    let wrong_uniform = bindings(&input, &output, storage_params.as_uniform());
    said(kernel.bind(device, &wrong_uniform), |e| matches!(e, Error::MissingUsage { .. }))?;
    // One buffer read and written by one dispatch.
    let aliased = bindings(&output, &output, params.as_uniform());
    said(kernel.dispatch(&mut pass, &aliased, Threads::x(64)), |e| matches!(e, Error::UsageConflict { .. }))?;
    // A slice of the input starting one element in: storage bindings start
    // at multiples of minStorageBufferOffsetAlignment (256).
    let unaligned = scale::Bindings {
        params: params.as_uniform(),
        input: input.slice(1..).as_storage(),
        output: output.as_storage_mut(),
    };
    said(kernel.dispatch(&mut pass, &unaligned, Threads::x(64)), |e| matches!(e, Error::BindingMisaligned { .. }))?;
    // A slice past the end of the output, made into bind groups ahead of time.
    let past_end = scale::Bindings {
        params: params.as_uniform(),
        input: input.as_storage(),
        output: output.slice(0..100).as_storage_mut(),
    };
    said(kernel.bind(device, &past_end), |e| matches!(e, Error::BindingOutOfBounds { .. }))?;
    // The good dispatch still runs.
    kernel.dispatch(&mut pass, &bindings(&input, &output, params.as_uniform()), Threads::x(64)).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;

    // Usage flags in words: any one of them would do.
    let weights = buffer("weights", BufferUsages::STORAGE).at("weights")?;
    said(weights.read().await, |e| matches!(e, Error::MissingUsage { .. }))?;
    // The raw API names the entry by its binding.
    let layout = kernel.bind_group_layouts()[0].clone();
    let entries = [
        BindGroupEntry { binding: 0, resource: params.as_entire_binding() },
        BindGroupEntry { binding: 1, resource: readback.as_entire_binding() },
        BindGroupEntry { binding: 2, resource: output.as_entire_binding() },
    ];
    said(device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)), |e| {
        matches!(e, Error::MissingUsage { .. })
    })?;
    ensure!(readback.usage().to_string() == "MAP_READ | COPY_DST", "{}", readback.usage());
    Ok(())
}

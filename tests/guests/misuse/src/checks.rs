//! Misuse the api guest does not already cover; `tests/BAD_INPUTS.md` lists
//! both. Each call must return a typed `Err` (or, where WebGPU defines the
//! call as valid, succeed), never trap, and leave the device usable.

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BindGroupLayout, Buffer, BufferDescriptor, BufferInitDescriptor, BufferUsages,
    ComputePipeline, ComputePipelineDescriptor, Device, Error, MapMode, MapState, ShaderModule, ShaderModuleDescriptor,
    ShaderSource,
};

use crate::lifecycle::{
    alignment_limits_must_be_powers_of_two, destroy_while_a_map_is_pending,
    dropped_map_and_read_futures_leave_buffers_usable, textures_the_host_cannot_allocate, unmap_while_a_map_is_pending,
    whole_buffer_maps_of_unaligned_lengths,
};
use crate::wording::errors_name_the_call_and_argument;
use crate::{Context, Gpu, Outcome, checks, ensure, expect_err, join2};

checks![
    textures_the_host_cannot_allocate,
    destroy_while_a_map_is_pending,
    unmap_while_a_map_is_pending,
    dropped_map_and_read_futures_leave_buffers_usable,
    whole_buffer_maps_of_unaligned_lengths,
    alignment_limits_must_be_powers_of_two,
    map_twice_concurrently,
    calls_while_a_map_is_pending,
    mapped_range_access_without_a_mapping,
    misaligned_mapping,
    zero_size_buffers,
    use_after_destroy,
    destroy_while_mapped,
    dispatch_without_pipeline,
    objects_of_another_device,
    errors_name_the_call_and_argument,
];

const INCREMENT: &str = "
@group(0) @binding(0) var<storage, read_write> v: array<u32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
    if id.x < arrayLength(&v) { v[id.x] += 1u; }
}";

async fn increment_module(device: &Device) -> Result<ShaderModule, String> {
    device
        .create_shader_module(ShaderModuleDescriptor { label: None, source: ShaderSource::Wgsl(INCREMENT.into()) })
        .await
        .at("module")
}

/// The INCREMENT pipeline, with the auto layout of its group 0.
async fn increment_pipeline(device: &Device) -> Result<(ComputePipeline, BindGroupLayout), String> {
    let module = increment_module(device).await?;
    let pipeline = device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
    let layout = pipeline.get_bind_group_layout(0).at("layout")?;
    Ok((pipeline, layout))
}

fn buffer(device: &Device, len: u64, usage: BufferUsages) -> Result<Buffer<u32>, String> {
    device.create_buffer::<u32>(&BufferDescriptor { len, usage, ..Default::default() }).at("create_buffer")
}

/// Two `map_async` calls on one buffer, the second started while the first
/// is in flight. WebGPU rejects the second (the buffer is pending or
/// already mapped); exactly one may succeed.
async fn map_twice_concurrently(gpu: &Gpu) -> Outcome {
    let readable = buffer(&gpu.device, 16, BufferUsages::MAP_READ | BufferUsages::COPY_DST)?;
    let (first, second) = join2(readable.map_async(MapMode::Read), readable.map_async(MapMode::Read)).await;
    first.at("first map_async")?;
    match second {
        Err(Error::MapState { actual: MapState::Pending | MapState::Mapped, .. }) => {}
        other => return Err(format!("second map_async: {other:?}")),
    }
    ensure!(readable.map_state() == MapState::Mapped, "state {:?}", readable.map_state());
    // Sequentially, the second call meets a mapped buffer.
    expect_err!(readable.map_async(MapMode::Read).await, Error::MapState { actual: MapState::Mapped, .. });
    readable.unmap().at("unmap")?;
    readable.map_async(MapMode::Read).await.at("map after unmap")?;
    Ok(())
}

/// Every call that needs an unmapped (or mapped) buffer, made while a map
/// is in flight, and last an `unmap`, which aborts the map as WebGPU's does.
/// The reference host's `map-async` answers after the guest's first poll,
/// so the second task sees the map pending; on a host that answered within
/// the first poll each call would meet a mapped buffer instead, which is
/// also an `Err` (and the unmap an ordinary one).
async fn calls_while_a_map_is_pending(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let readable = buffer(device, 16, BufferUsages::MAP_READ | BufferUsages::COPY_DST)?;
    let source = device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[5u32; 16], usage: BufferUsages::COPY_SRC })
        .at("source")?;
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&source, 0, &readable, 0, 64).at("copy")?;
    let commands = encoder.finish().await.at("finish")?;
    let mut seen_pending = false;
    let misuse = async {
        seen_pending = readable.map_state() == MapState::Pending;
        let calls = (
            readable.read().await,
            readable.write(&[1]).await,
            readable.slice(..).get_mapped_range(),
            gpu.queue.submit([commands]),
        );
        (calls, readable.unmap())
    };
    let (mapped, ((read, write, get, submit), unmap)) = join2(readable.map_async(MapMode::Read), misuse).await;
    let state = if seen_pending { MapState::Pending } else { MapState::Mapped };
    println!("  (the second task saw the buffer {state:?})");
    unmap.at("unmap")?;
    if seen_pending {
        expect_err!(mapped, Error::MapAborted { operation: "map_async" });
        expect_err!(get, Error::MapState { actual: MapState::Pending, .. });
    } else {
        mapped.at("map_async")?;
        ensure!(get.is_ok(), "get_mapped_range of a mapped buffer: {get:?}");
    }
    expect_err!(read, Error::MapState { .. });
    expect_err!(write, Error::MissingUsage { .. } | Error::MapState { .. });
    expect_err!(submit, Error::MapState { operation: "submit", .. });
    ensure!(readable.map_state() == MapState::Unmapped, "after unmap: {:?}", readable.map_state());
    ensure!(readable.read().await.at("read")? == [0; 16], "the refused submit ran");
    Ok(())
}

/// Reading or writing the mapped range of a buffer that is not mapped, or
/// not mapped in the right mode, or outside the mapped range.
async fn mapped_range_access_without_a_mapping(gpu: &Gpu) -> Outcome {
    let writable = buffer(&gpu.device, 16, BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC)?;
    expect_err!(writable.slice(..).write_mapped(&[1, 2]), Error::MapState { actual: MapState::Unmapped, .. });
    expect_err!(writable.slice(..).get_mapped_range(), Error::MapState { actual: MapState::Unmapped, .. });
    writable.slice(4..8).map_async(MapMode::Write).await.at("map 4..8")?;
    expect_err!(writable.slice(0..4).write_mapped(&[1]), Error::OutOfBounds { .. });
    expect_err!(writable.slice(6..10).get_mapped_range(), Error::OutOfBounds { .. });
    expect_err!(writable.slice(4..6).write_mapped(&[1, 2, 3]), Error::OutOfBounds { .. });
    expect_err!(writable.slice(4..20).write_mapped(&[1]), Error::OutOfBounds { .. });
    writable.slice(4..8).write_mapped(&[1, 2, 3, 4]).at("write_mapped inside the mapping")?;
    writable.unmap().at("unmap")?;
    expect_err!(writable.slice(4..8).write_mapped(&[1]), Error::MapState { actual: MapState::Unmapped, .. });
    let readable = buffer(&gpu.device, 16, BufferUsages::MAP_READ)?;
    readable.map_async(MapMode::Read).await.at("map read")?;
    expect_err!(readable.slice(..).write_mapped(&[1]), Error::MapState { .. });
    readable.unmap().at("unmap read")?;
    Ok(())
}

/// Mapped ranges must start at a multiple of 8 bytes and span a multiple of
/// 4; ranges past the end are out of bounds.
async fn misaligned_mapping(gpu: &Gpu) -> Outcome {
    let bytes = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor { len: 32, usage: BufferUsages::MAP_READ, ..Default::default() })
        .at("bytes")?;
    expect_err!(bytes.slice(4..12).map_async(MapMode::Read).await, Error::Misaligned { what: "offset", .. });
    expect_err!(bytes.slice(0..3).map_async(MapMode::Read).await, Error::Misaligned { what: "size", .. });
    expect_err!(bytes.slice(8..40).map_async(MapMode::Read).await, Error::OutOfBounds { .. });
    #[allow(clippy::reversed_empty_ranges)]
    let backwards = bytes.slice(16..8);
    expect_err!(backwards.map_async(MapMode::Read).await, Error::OutOfBounds { .. });
    expect_err!(bytes.slice(u64::MAX - 1..).read().await, Error::OutOfBounds { .. });
    // Unaligned *reads* are fine: the SDK widens the mapping itself.
    ensure!(bytes.slice(3..5).read().await.at("unaligned read")? == [0, 0], "unaligned read");
    Ok(())
}

/// A buffer of no elements: creation, mapping, reads, writes, copies and
/// clears of nothing are valid; binding it is not (WebGPU forbids empty
/// bindings).
async fn zero_size_buffers(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    let empty = buffer(device, 0, usage)?;
    ensure!(empty.size() == 0 && empty.is_empty(), "empty buffer {empty:?}");
    ensure!(empty.read().await.at("read")?.is_empty(), "read of nothing");
    empty.write(&[]).await.at("write of nothing")?;
    expect_err!(empty.write(&[1]).await, Error::OutOfBounds { .. });
    gpu.queue.write_buffer(&empty, 0, &[]).at("queue write of nothing")?;
    expect_err!(gpu.queue.write_buffer(&empty, 4, &[]), Error::OutOfBounds { .. });
    let other = buffer(device, 4, usage)?;
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&empty, 0, &other, 0, 0).at("copy of nothing")?;
    encoder.clear_buffer(&empty, 0, None).at("clear of nothing")?;
    expect_err!(encoder.clear_buffer(&empty, 4, None), Error::OutOfBounds { .. });
    expect_err!(encoder.copy_buffer_to_buffer(&empty, 0, &other, 0, 4), Error::OutOfBounds { .. });
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;

    let mappable = device
        .create_buffer::<u32>(&BufferDescriptor { usage: BufferUsages::MAP_READ, ..Default::default() })
        .at("empty mappable")?;
    mappable.map_async(MapMode::Read).await.at("map of nothing")?;
    ensure!(mappable.slice(..).get_mapped_range().at("get")?.is_empty(), "mapped range of nothing");
    mappable.unmap().at("unmap")?;
    let mapped = device
        .create_buffer::<u32>(&BufferDescriptor {
            usage: BufferUsages::MAP_WRITE,
            mapped_at_creation: true,
            ..Default::default()
        })
        .at("empty, mapped at creation")?;
    mapped.slice(..).write_mapped(&[]).at("write_mapped of nothing")?;
    mapped.unmap().at("unmap at creation")?;
    let init = device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[] as &[u32], usage })
        .at("create_buffer_init of nothing")?;
    ensure!(init.is_empty(), "init of nothing");

    let (_pipeline, layout) = increment_pipeline(device).await?;
    let entries = [BindGroupEntry { binding: 0, resource: empty.as_entire_binding() }];
    expect_err!(device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)), Error::BindGroup(_));
    Ok(())
}

/// Every use of a destroyed buffer, through the buffer itself, a clone, a
/// bind group made before the destroy, and a command buffer recorded
/// before it.
async fn use_after_destroy(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC | BufferUsages::COPY_DST;
    let gone = buffer(device, 16, usage)?;
    let alive = buffer(device, 16, usage)?;
    let clone = gone.clone();
    let (pipeline, layout) = increment_pipeline(device).await?;
    let group = device
        .create_bind_group(&BindGroupDescriptor::new(
            &layout,
            &[BindGroupEntry { binding: 0, resource: gone.as_entire_binding() }],
        ))
        .at("bind group")?;
    let mut copy = device.create_command_encoder(&Default::default());
    copy.copy_buffer_to_buffer(&gone, 0, &alive, 0, 64).at("copy")?;
    let copy = copy.finish().await.at("finish copy")?;
    let mut dispatch = device.create_command_encoder(&Default::default());
    {
        let mut pass = dispatch.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline).at("set_pipeline")?;
        pass.set_bind_group(0, &group, &[]).at("set_bind_group")?;
        pass.dispatch_workgroups(1, 1, 1).at("dispatch")?;
    }
    let dispatch = dispatch.finish().await.at("finish dispatch")?;

    gone.destroy();
    expect_err!(clone.read().await, Error::Destroyed { .. });
    expect_err!(gone.write(&[1]).await, Error::Destroyed { .. });
    expect_err!(gpu.queue.write_buffer(&gone, 0, &[1]), Error::Destroyed { .. });
    expect_err!(gpu.queue.submit([copy]), Error::Destroyed { operation: "submit", .. });
    expect_err!(gpu.queue.submit([dispatch]), Error::Destroyed { operation: "submit", .. });
    ensure!(gone.map_state() == MapState::Unmapped, "destroyed buffer is {:?}", gone.map_state());
    gone.unmap().at("unmap of a destroyed buffer is a no-op")?;

    // Recording with a destroyed buffer is refused at submit, or by the
    // host's validation at finish; both are errors, neither a trap.
    let mut late = device.create_command_encoder(&Default::default());
    late.copy_buffer_to_buffer(&alive, 0, &gone, 0, 64).at("copy into a destroyed buffer")?;
    match late.finish().await {
        Ok(commands) => expect_err!(gpu.queue.submit([commands]), Error::Destroyed { .. }),
        Err(Error::Validation(_)) => {}
        Err(other) => return Err(format!("finish with a destroyed buffer: {other:?}")),
    }
    // A bind group made after the destroy: refused when it is created (host
    // validation would fail it), or at submit.
    let late_group = device.create_bind_group(&BindGroupDescriptor::new(
        &layout,
        &[BindGroupEntry { binding: 0, resource: gone.as_entire_binding() }],
    ));
    if let Ok(late_group) = late_group {
        let mut encoder = device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&pipeline).at("set_pipeline")?;
            pass.set_bind_group(0, &late_group, &[]).at("set_bind_group")?;
            pass.dispatch_workgroups(1, 1, 1).at("dispatch")?;
        }
        match encoder.finish().await {
            Ok(commands) => expect_err!(gpu.queue.submit([commands]), Error::Destroyed { .. }),
            Err(Error::Validation(_)) => {}
            Err(other) => return Err(format!("finish with a destroyed bound buffer: {other:?}")),
        }
    }
    // Nothing ran, and the device still works.
    ensure!(alive.read().await.at("read alive")? == [0; 16], "refused work ran");
    Ok(())
}

/// Destroying a mapped buffer unmaps it; every later use is `Destroyed`.
async fn destroy_while_mapped(gpu: &Gpu) -> Outcome {
    let writable = buffer(&gpu.device, 8, BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC)?;
    writable.map_async(MapMode::Write).await.at("map")?;
    writable.destroy();
    ensure!(writable.map_state() == MapState::Unmapped, "state {:?}", writable.map_state());
    expect_err!(writable.slice(..).write_mapped(&[1]), Error::Destroyed { .. });
    expect_err!(writable.slice(..).get_mapped_range(), Error::Destroyed { .. });
    expect_err!(writable.map_async(MapMode::Write).await, Error::Destroyed { .. });
    writable.unmap().at("unmap")?;
    writable.destroy();
    let mapped = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 4,
            usage: BufferUsages::STORAGE,
            mapped_at_creation: true,
            ..Default::default()
        })
        .at("mapped at creation")?;
    mapped.destroy();
    expect_err!(mapped.slice(..).write_mapped(&[1]), Error::Destroyed { .. });
    Ok(())
}

/// Indirect dispatch without a pipeline, like the direct one the api guest
/// checks.
async fn dispatch_without_pipeline(gpu: &Gpu) -> Outcome {
    let args = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[1u32, 1, 1],
            usage: BufferUsages::INDIRECT,
        })
        .at("args")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        expect_err!(pass.dispatch_workgroups_indirect(&args, 0), Error::Dispatch(_));
        expect_err!(pass.dispatch_workgroups(0, 0, 0), Error::Dispatch(_));
    }
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    Ok(())
}

/// Objects of one device used with another.
async fn objects_of_another_device(gpu: &Gpu) -> Outcome {
    let (other, other_queue) = gpu.adapter.request_device(&Default::default()).await.at("second device")?;
    let mine = buffer(&gpu.device, 4, BufferUsages::COPY_DST | BufferUsages::COPY_SRC | BufferUsages::STORAGE)?;
    let theirs = buffer(&other, 4, BufferUsages::COPY_DST | BufferUsages::COPY_SRC)?;
    expect_err!(other_queue.write_buffer(&mine, 0, &[1]), Error::DeviceMismatch(_));
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    expect_err!(encoder.copy_buffer_to_buffer(&mine, 0, &theirs, 0, 4), Error::DeviceMismatch(_));
    expect_err!(encoder.clear_buffer(&theirs, 0, None), Error::DeviceMismatch(_));
    expect_err!(other_queue.submit([encoder.finish().await.at("finish")?]), Error::DeviceMismatch(_));
    let module = increment_module(&other).await?;
    expect_err!(
        gpu.device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await,
        Error::DeviceMismatch(_)
    );
    let pipeline = other.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
    let layout = pipeline.get_bind_group_layout(0).at("layout")?;
    expect_err!(
        gpu.device.create_bind_group(&BindGroupDescriptor::new(
            &layout,
            &[BindGroupEntry { binding: 0, resource: mine.as_entire_binding() }]
        )),
        Error::DeviceMismatch(_)
    );
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        expect_err!(pass.set_pipeline(&pipeline), Error::DeviceMismatch(_));
    }
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    Ok(())
}

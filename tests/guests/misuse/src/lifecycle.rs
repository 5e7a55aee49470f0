//! Object life cycles under attack (issue 13): objects the host failed to
//! create, destroys and unmaps while a map is pending, map and read futures
//! dropped half-way, and whole-buffer maps of buffers whose length is not a
//! multiple of 4. Each check fails without its fix in the SDK.

use wasi_webgpu::{
    Buffer, BufferDescriptor, BufferInitDescriptor, BufferUsages, Device, DeviceDescriptor, Error, Extent3d, Limits,
    MapMode, MapState, TextureDescriptor, TextureFormat, TextureUsages,
};

use crate::{Context, Gpu, Outcome, checks, ensure, expect_err, join2, poll_once_and_drop};

/// Buffers of the adapter's `maxBufferSize` (2 GiB on lavapipe), kept
/// alive until the host runs out of memory. Only `memory_limited` runs
/// this, under an address-space limit (`tests/tests/misuse.rs`), so that
/// the host's allocations fail after a few GiB that are never touched.
const MOST_BUFFERS: usize = 64;
/// Elements of the smaller buffers that use up what is left, and of the
/// contents of the `create_buffer_init` that must fail then (256 MiB).
const INIT_LEN: u64 = 64 << 20;

/// A device with the adapter's own limits, so that large objects pass the
/// guest's limit checks and reach the host.
async fn device_with_adapter_limits(gpu: &Gpu) -> Result<Device, String> {
    let descriptor = DeviceDescriptor { required_limits: gpu.adapter.limits(), ..Default::default() };
    Ok(gpu.adapter.request_device(&descriptor).await.at("device with the adapter's limits")?.0)
}

checks![buffers_the_host_cannot_allocate];

/// Buffers of `maxBufferSize` until the host cannot allocate another: the
/// host hands back a handle to an invalid buffer, which the next write used
/// to trap on ("Buffer with '' label is invalid"). Creation must fail with
/// `OutOfMemory`, naming the call, for plain, mappable and mapped-at-creation
/// buffers alike, and the device must work on once the memory is back.
pub async fn buffers_the_host_cannot_allocate(gpu: &Gpu) -> Outcome {
    let device = device_with_adapter_limits(gpu).await?;
    let max = device.limits().max_buffer_size;
    let len = max / 4;
    // The contents for `create_buffer_init` below, allocated while the
    // guest's memory can still grow.
    let mut contents = Vec::new();
    contents.try_reserve_exact(INIT_LEN as usize).map_err(|e| format!("guest memory for the contents: {e}"))?;
    contents.resize(INIT_LEN as usize, 0u32);
    let mut kept = Vec::new();
    for (usage, mapped_at_creation) in [
        (BufferUsages::STORAGE | BufferUsages::COPY_DST | BufferUsages::COPY_SRC, false),
        (BufferUsages::MAP_READ | BufferUsages::COPY_DST, false),
        (BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC, false),
        // Mapped at creation only once the memory has run out: the host
        // zeroes a mapping it hands out.
        (BufferUsages::STORAGE | BufferUsages::COPY_DST, true),
    ] {
        let descriptor = BufferDescriptor { label: None, len, usage, mapped_at_creation };
        let mut refused = None;
        while kept.len() < MOST_BUFFERS {
            match device.create_buffer::<u32>(&descriptor) {
                Ok(buffer) if mapped_at_creation => {
                    return Err(format!("a mapped buffer of {max} bytes was created with the memory gone: {buffer:?}"));
                }
                // Still memory left: keep it, so that the next one fails.
                Ok(buffer) => kept.push(buffer),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        let expected = format!("create_buffer of {} bytes", len * 4);
        match refused {
            Some(Error::OutOfMemory(message)) if message.starts_with(&expected) => {
                println!(
                    "  ({usage:?}, mapped {mapped_at_creation}: refused with {} buffers alive: {message})",
                    kept.len()
                );
            }
            Some(other) => return Err(format!("{usage:?}, mapped {mapped_at_creation}: wrong error {other:?}")),
            None => return Err(format!("{MOST_BUFFERS} buffers of {max} bytes were all created: is memory limited?")),
        }
    }
    // `create_buffer_init` shares the check, and its contents must never
    // reach the host (it used to trap writing them into the invalid
    // buffer's mapping). Smaller buffers use up what the large ones left.
    let filler =
        BufferDescriptor { label: None, len: INIT_LEN, usage: BufferUsages::STORAGE, mapped_at_creation: false };
    while kept.len() < MOST_BUFFERS * 8 && device.create_buffer::<u32>(&filler).map(|b| kept.push(b)).is_ok() {}
    let init = BufferInitDescriptor { label: None, contents: &contents, usage: BufferUsages::STORAGE };
    match device.create_buffer_init(&init) {
        Err(Error::OutOfMemory(message)) if message.starts_with("create_buffer_init of ") => {}
        other => return Err(format!("create_buffer_init with the memory gone: {other:?}")),
    }
    drop(contents);
    drop(kept);
    // The device is unharmed: buffers work end to end again.
    let small = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[7u32, 8, 9],
            usage: BufferUsages::COPY_SRC | BufferUsages::COPY_DST,
        })
        .at("small buffer after the failures")?;
    ensure!(small.read().await.at("read")? == [7, 8, 9], "the small buffer reads wrong");
    let large = device
        .create_buffer::<u32>(&BufferDescriptor {
            label: None,
            len,
            usage: BufferUsages::STORAGE,
            mapped_at_creation: false,
        })
        .at("a large buffer once the others are gone")?;
    drop(large);
    Ok(())
}

/// A 256 GiB texture (8192 × 8192 × 256 layers of `rgba32float`, within the
/// default limits): creation must fail with `OutOfMemory`, so no view,
/// write or copy can ever hand the invalid texture to the host.
pub async fn textures_the_host_cannot_allocate(gpu: &Gpu) -> Outcome {
    let descriptor = TextureDescriptor {
        size: Extent3d { width: 8192, height: 8192, depth_or_array_layers: 256 },
        format: TextureFormat::Rgba32Float,
        usage: TextureUsages::COPY_DST | TextureUsages::TEXTURE_BINDING,
        ..Default::default()
    };
    match gpu.device.create_texture(&descriptor) {
        Err(Error::OutOfMemory(message)) if message.starts_with("create_texture of 8192x8192x256 rgba32float") => {}
        Err(other) => return Err(format!("wrong error {other:?}")),
        // Before the fix: `Ok`, and a write to it trapped the guest.
        Ok(texture) => return Err(format!("a 256 GiB texture was created: {texture:?}")),
    }
    let small = gpu
        .device
        .create_texture(&TextureDescriptor { usage: TextureUsages::COPY_DST, ..Default::default() })
        .at("small texture after the failure")?;
    small.create_view(&Default::default()).at("view of the small texture")?;
    Ok(())
}

fn mappable(device: &Device, usage: BufferUsages, len: u64) -> Result<Buffer<u32>, String> {
    device.create_buffer::<u32>(&BufferDescriptor { len, usage, ..Default::default() }).at("create_buffer")
}

/// A buffer destroyed while its map is pending: the map must end in
/// `Destroyed`, the buffer must read `Unmapped`, and `unmap` must be a
/// no-op. Before the fix the map ended `Ok`, `map_state` said `Mapped` and
/// `unmap` (or `read`'s own get-mapped-range) trapped.
pub async fn destroy_while_a_map_is_pending(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let read_usage = BufferUsages::MAP_READ | BufferUsages::COPY_DST;

    let buffer = mappable(device, read_usage, 4)?;
    let (mapped, ()) = join2(buffer.map_async(MapMode::Read), async { buffer.destroy() }).await;
    expect_err!(mapped, Error::Destroyed { operation: "map_async", .. });
    ensure!(buffer.map_state() == MapState::Unmapped, "after the destroy: {:?}", buffer.map_state());
    buffer.unmap().at("unmap after the aborted map")?;
    expect_err!(buffer.slice(..).get_mapped_range(), Error::Destroyed { .. });

    let buffer = mappable(device, read_usage, 4)?;
    let (read, ()) = join2(buffer.read(), async { buffer.destroy() }).await;
    expect_err!(read, Error::Destroyed { operation: "read", .. });
    ensure!(buffer.map_state() == MapState::Unmapped, "after read + destroy: {:?}", buffer.map_state());
    buffer.unmap().at("unmap after read + destroy")?;

    let writable = mappable(device, BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC, 4)?;
    let (write, ()) = join2(writable.write(&[1, 2]), async { writable.destroy() }).await;
    expect_err!(write, Error::Destroyed { operation: "write", .. });
    ensure!(writable.map_state() == MapState::Unmapped, "after write + destroy: {:?}", writable.map_state());

    // The staging path: the copy is submitted before the destroy, so the
    // read either sees the data or is refused; it never traps.
    let source = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[4u32, 5, 6, 7],
            usage: BufferUsages::COPY_SRC | BufferUsages::STORAGE,
        })
        .at("source")?;
    let (read, ()) = join2(source.read(), async { source.destroy() }).await;
    match read {
        Ok(values) => ensure!(values == [4, 5, 6, 7], "staging read after destroy: {values:?}"),
        Err(Error::Destroyed { operation: "read", .. }) => {}
        Err(other) => return Err(format!("staging read + destroy: {other:?}")),
    }
    // The device's staging buffer survived: another read works.
    let other = device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &[9u32; 4], usage: BufferUsages::COPY_SRC })
        .at("other")?;
    ensure!(other.read().await.at("read after")? == [9; 4], "read after the destroyed read");
    Ok(())
}

/// `unmap` while a map is pending aborts the map, as WebGPU's does: the
/// map returns `MapAborted`, the buffer is unmapped and maps again.
pub async fn unmap_while_a_map_is_pending(gpu: &Gpu) -> Outcome {
    let buffer = filled(gpu, &[1, 2, 3, 4]).await?;
    let mut seen = MapState::Unmapped;
    let (mapped, unmapped) = join2(buffer.map_async(MapMode::Read), async {
        seen = buffer.map_state();
        buffer.unmap()
    })
    .await;
    ensure!(seen == MapState::Pending, "the second task saw {seen:?}, not a pending map");
    unmapped.at("unmap of a pending map")?;
    expect_err!(mapped, Error::MapAborted { operation: "map_async" });
    ensure!(buffer.map_state() == MapState::Unmapped, "after the abort: {:?}", buffer.map_state());
    buffer.map_async(MapMode::Read).await.at("map after the abort")?;
    ensure!(buffer.slice(..).get_mapped_range().at("get")? == [1, 2, 3, 4], "contents after the abort");
    buffer.unmap().at("unmap")?;
    // A new map started while the aborted one is still in flight is not
    // disturbed by the old one's answer.
    let (first, second) = join2(buffer.map_async(MapMode::Read), async {
        buffer.unmap()?;
        buffer.map_async(MapMode::Read).await
    })
    .await;
    expect_err!(first, Error::MapAborted { .. });
    second.at("the map after the abort")?;
    ensure!(buffer.map_state() == MapState::Mapped, "the second map: {:?}", buffer.map_state());
    ensure!(buffer.read().await.is_err(), "read of a mapped buffer succeeded");
    buffer.unmap().at("final unmap")?;
    Ok(())
}

/// A `MAP_READ | COPY_DST` buffer holding `values`.
async fn filled(gpu: &Gpu, values: &[u32]) -> Result<Buffer<u32>, String> {
    let buffer = mappable(&gpu.device, BufferUsages::MAP_READ | BufferUsages::COPY_DST, values.len() as u64)?;
    buffer.write(values).await.at("fill")?;
    Ok(buffer)
}

/// `map_async`, `read` and `write` futures dropped after their first poll,
/// with the host's map in flight: the buffer must be unmapped and usable
/// at once. Before the fix it stayed `Pending` for ever, and every later
/// map, read or submit was refused.
pub async fn dropped_map_and_read_futures_leave_buffers_usable(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let buffer = filled(gpu, &[10, 20, 30, 40]).await?;
    for round in 0..3 {
        let poll = poll_once_and_drop(buffer.map_async(MapMode::Read));
        ensure!(poll.is_pending(), "round {round}: map_async finished at its first poll");
        ensure!(buffer.map_state() == MapState::Unmapped, "round {round}: dropped map left {:?}", buffer.map_state());
        ensure!(poll_once_and_drop(buffer.read()).is_pending(), "read finished at its first poll");
        ensure!(buffer.map_state() == MapState::Unmapped, "dropped read left {:?}", buffer.map_state());
        buffer.slice(2..4).map_async(MapMode::Read).await.at("map after the dropped futures")?;
        ensure!(buffer.slice(2..4).get_mapped_range().at("get")? == [30, 40], "mapped contents");
        buffer.unmap().at("unmap")?;
    }
    ensure!(buffer.read().await.at("read")? == [10, 20, 30, 40], "read after the dropped futures");

    let writable = mappable(device, BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC, 4)?;
    ensure!(poll_once_and_drop(writable.write(&[5, 6])).is_pending(), "write finished at its first poll");
    ensure!(writable.map_state() == MapState::Unmapped, "dropped write left {:?}", writable.map_state());
    writable.write(&[7, 8, 9, 10]).await.at("write after the dropped write")?;

    // The staging path of a buffer that is not mappable: the dropped read
    // gives its staging buffer up, and the next read makes or reuses one.
    let source = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[3u32, 1, 4, 1, 5],
            usage: BufferUsages::COPY_SRC | BufferUsages::COPY_DST | BufferUsages::STORAGE,
        })
        .at("source")?;
    for _ in 0..3 {
        ensure!(poll_once_and_drop(source.read()).is_pending(), "staging read finished at its first poll");
    }
    ensure!(source.read().await.at("staging read")? == [3, 1, 4, 1, 5], "staging read after dropped reads");
    // Work that uses the buffers is accepted: none of them is left pending.
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&source, 0, &buffer, 0, 16).at("copy")?;
    encoder.copy_buffer_to_buffer(&writable, 0, &source, 0, 16).at("copy back")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    ensure!(buffer.read().await.at("read")? == [3, 1, 4, 1], "copied contents");
    ensure!(source.read().await.at("read")? == [7, 8, 9, 10, 5], "copied back contents");
    Ok(())
}

/// A whole-buffer map of a buffer whose byte length is not a multiple of 4
/// maps its padded size, as WebGPU maps `size - offset` bytes: a
/// `Buffer<u8>` of 6 elements maps 8 bytes. Before the fix it was
/// `Err(Misaligned { what: "size" })`.
pub async fn whole_buffer_maps_of_unaligned_lengths(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let bytes = [1u8, 2, 3, 4, 5, 6];
    let writable = device
        .create_buffer::<u8>(&BufferDescriptor {
            len: 6,
            usage: BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC,
            ..Default::default()
        })
        .at("writable")?;
    ensure!(writable.size() == 8, "size {}", writable.size());
    writable.map_async(MapMode::Write).await.at("whole-buffer map of 6 bytes")?;
    writable.slice(..).write_mapped(&bytes).at("write_mapped")?;
    ensure!(writable.slice(..).get_mapped_range().at("get")? == bytes, "mapped bytes");
    writable.unmap().at("unmap")?;
    let readable = device
        .create_buffer::<u8>(&BufferDescriptor {
            len: 6,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("readable")?;
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&writable, 0, &readable, 0, 8).at("copy")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    readable.map_async(MapMode::Read).await.at("whole-buffer map for reading")?;
    ensure!(readable.slice(..).get_mapped_range().at("get")? == bytes, "read back");
    ensure!(readable.slice(2..).get_mapped_range().at("get tail")? == bytes[2..], "tail");
    readable.unmap().at("unmap")?;
    ensure!(readable.read().await.at("read")? == bytes, "read");
    // Slices that end before the end keep WebGPU's rule.
    expect_err!(readable.slice(0..6 - 1).map_async(MapMode::Read).await, Error::Misaligned { what: "size", .. });
    readable.slice(0..4).map_async(MapMode::Read).await.at("aligned prefix")?;
    readable.unmap().at("unmap")?;
    // A tail slice that starts at an offset of 8 maps the empty rest.
    let long = device
        .create_buffer::<u8>(&BufferDescriptor { len: 10, usage: BufferUsages::MAP_READ, ..Default::default() })
        .at("long")?;
    long.slice(8..).map_async(MapMode::Read).await.at("tail slice 8..10")?;
    ensure!(long.slice(8..).get_mapped_range().at("get")? == [0, 0], "tail contents");
    long.unmap().at("unmap")?;
    Ok(())
}

/// Alignment limits that are not powers of two are refused before the host
/// sees them: `InvalidLimit`, naming the limit. Before the fix 384 and
/// 1000 passed the guest (they are coarser than 256) and the device came up
/// with them.
pub async fn alignment_limits_must_be_powers_of_two(gpu: &Gpu) -> Outcome {
    for (uniform, storage, name, value) in [
        (384, 256, "minUniformBufferOffsetAlignment", 384),
        (256, 1000, "minStorageBufferOffsetAlignment", 1000),
        (0, 256, "minUniformBufferOffsetAlignment", 0),
    ] {
        let required_limits = Limits {
            min_uniform_buffer_offset_alignment: uniform,
            min_storage_buffer_offset_alignment: storage,
            ..Limits::default()
        };
        let result = gpu.adapter.request_device(&DeviceDescriptor { required_limits, ..Default::default() }).await;
        match result {
            Err(Error::InvalidLimit { name: n, value: v, .. }) if n == name && v == value => {}
            Err(other) => return Err(format!("{name} = {value}: wrong error {other:?}")),
            Ok(_) => return Err(format!("{name} = {value}: a device was created")),
        }
    }
    let coarse = Limits { min_storage_buffer_offset_alignment: 512, ..Limits::default() };
    let (device, _) = gpu
        .adapter
        .request_device(&DeviceDescriptor { required_limits: coarse, ..Default::default() })
        .await
        .at("a coarser power-of-two alignment")?;
    ensure!(device.limits().min_storage_buffer_offset_alignment == 512, "limits {:?}", device.limits());
    Ok(())
}

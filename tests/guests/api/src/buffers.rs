//! Buffers: creation, mapping, reads and writes on every path, slices, and
//! the errors for each misuse.

use wasi_webgpu::{
    BufferDescriptor, BufferInitDescriptor, BufferUsages, COPY_BUFFER_ALIGNMENT, Error, MapMode, MapState,
};

use crate::{Context, Gpu, Outcome, checks, ensure, expect_err};

checks![
    buffer_properties,
    init_and_read_through_staging,
    read_and_write_mappable_buffers,
    queue_write_buffer,
    explicit_mapping,
    unaligned_slices,
    odd_element_types,
    buffer_creation_errors,
    mapping_errors,
    write_errors,
    destroy_and_submit_errors,
];

fn pattern(n: usize) -> Vec<u32> {
    (0..n as u32).map(|i| i.wrapping_mul(2_654_435_761) ^ 0x9e37).collect()
}

async fn buffer_properties(gpu: &Gpu) -> Outcome {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_DST;
    let buffer = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor { label: Some("props"), len: 10, usage, mapped_at_creation: false })
        .at("create_buffer")?;
    ensure!(buffer.len() == 10 && !buffer.is_empty(), "len {}", buffer.len());
    ensure!(buffer.size() == 40, "size {}", buffer.size());
    ensure!(buffer.usage() == usage, "usage {:?}", buffer.usage());
    ensure!(buffer.map_state() == MapState::Unmapped, "state {:?}", buffer.map_state());
    let slice = buffer.slice(2..=5);
    ensure!(slice.len() == 4 && !slice.is_empty(), "slice len {}", slice.len());
    ensure!(buffer.slice(3..3).is_empty(), "empty slice");

    // Byte sizes round up so every buffer can be copied and mapped whole.
    let odd = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor { len: 3, usage: BufferUsages::COPY_DST, ..Default::default() })
        .at("create_buffer(3 bytes)")?;
    ensure!(odd.len() == 3 && odd.size() == COPY_BUFFER_ALIGNMENT, "odd buffer {odd:?}");

    let empty = gpu
        .device
        .create_buffer::<f32>(&BufferDescriptor { usage: BufferUsages::MAP_READ, ..Default::default() })
        .at("create_buffer(empty)")?;
    ensure!(empty.is_empty() && empty.read().await.at("read empty")?.is_empty(), "empty buffer");

    let mapped = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 4,
            usage: BufferUsages::MAP_WRITE,
            mapped_at_creation: true,
            ..Default::default()
        })
        .at("create_buffer(mapped)")?;
    ensure!(mapped.map_state() == MapState::Mapped, "mapped_at_creation gives {:?}", mapped.map_state());
    mapped.unmap().at("unmap")?;
    mapped.unmap().at("second unmap is a no-op")?;
    Ok(())
}

async fn init_and_read_through_staging(gpu: &Gpu) -> Outcome {
    // Large enough for several 1 MiB queue-write chunks and a big staging copy.
    let data = pattern(700_000);
    let buffer = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor {
            label: Some("init"),
            contents: &data,
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("create_buffer_init")?;
    ensure!(buffer.len() == data.len() as u64, "len {}", buffer.len());
    let back = buffer.read().await.at("read")?;
    ensure!(back == data, "read back differs from the contents");
    let middle = buffer.slice(1000..2000).read().await.at("slice read")?;
    ensure!(middle == data[1000..2000], "slice read differs");
    Ok(())
}

async fn read_and_write_mappable_buffers(gpu: &Gpu) -> Outcome {
    let data = pattern(1000);
    let upload = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 1000,
            usage: BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC,
            ..Default::default()
        })
        .at("upload buffer")?;
    upload.write(&data).await.at("write through map")?;
    let download = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 1000,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("download buffer")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&upload, 0, &download, 0, upload.size()).at("copy")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    gpu.queue.on_submitted_work_done().await;
    ensure!(download.read().await.at("read through map")? == data, "mapped round trip differs");
    ensure!(download.map_state() == MapState::Unmapped, "read left the buffer {:?}", download.map_state());
    Ok(())
}

async fn queue_write_buffer(gpu: &Gpu) -> Outcome {
    let buffer = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 64,
            usage: BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            ..Default::default()
        })
        .at("create_buffer")?;
    let mut expected = vec![0u32; 64];
    gpu.queue.write_buffer(&buffer, 0, &pattern(64)).at("write_buffer")?;
    expected.copy_from_slice(&pattern(64));
    gpu.queue.write_buffer(&buffer, 40, &[7, 8, 9]).at("write_buffer at 40")?;
    expected[10..13].copy_from_slice(&[7, 8, 9]);
    buffer.slice(60..).write(&[1, 2]).await.at("slice write")?;
    expected[60..62].copy_from_slice(&[1, 2]);
    ensure!(buffer.read().await.at("read")? == expected, "queue writes differ from the CPU model");
    Ok(())
}

async fn explicit_mapping(gpu: &Gpu) -> Outcome {
    let buffer = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 16,
            usage: BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC,
            ..Default::default()
        })
        .at("create_buffer")?;
    buffer.slice(4..12).map_async(MapMode::Write).await.at("map_async")?;
    ensure!(buffer.map_state() == MapState::Mapped, "state after map {:?}", buffer.map_state());
    buffer.slice(4..8).write_mapped(&[1, 2, 3, 4]).at("write_mapped")?;
    buffer.slice(9..12).write_mapped(&[5, 6, 7]).at("write_mapped odd offset")?;
    let seen = buffer.slice(4..12).get_mapped_range().at("get_mapped_range")?;
    ensure!(seen == [1, 2, 3, 4, 0, 5, 6, 7], "mapped contents {seen:?}");
    expect_err!(buffer.slice(0..4).get_mapped_range(), Error::OutOfBounds { .. });
    buffer.unmap().at("unmap")?;

    let reader = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 16,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("reader")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&buffer, 0, &reader, 0, 64).at("copy")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    reader.map_async(MapMode::Read).await.at("map read")?;
    let all = reader.slice(..).get_mapped_range().at("get all")?;
    ensure!(all == [0, 0, 0, 0, 1, 2, 3, 4, 0, 5, 6, 7, 0, 0, 0, 0], "copied contents {all:?}");
    expect_err!(reader.slice(0..1).write_mapped(&[1]), Error::MapState { .. });
    reader.unmap().at("unmap reader")?;
    Ok(())
}

async fn unaligned_slices(gpu: &Gpu) -> Outcome {
    let bytes: Vec<u8> = (0..=255).collect();
    for usage in [BufferUsages::MAP_READ | BufferUsages::COPY_DST, BufferUsages::COPY_SRC | BufferUsages::COPY_DST] {
        let buffer = gpu
            .device
            .create_buffer_init(&BufferInitDescriptor { label: None, contents: &bytes, usage })
            .at("create_buffer_init")?;
        for (start, end) in [(3u64, 10u64), (1, 2), (5, 256), (0, 7)] {
            let got = buffer.slice(start..end).read().await.at("unaligned read")?;
            ensure!(got == bytes[start as usize..end as usize], "{usage:?} bytes {start}..{end}: {got:?}");
        }
    }
    // Mapped writes at odd offsets keep their neighbours.
    let writable = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &bytes[..64],
            usage: BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC,
        })
        .at("writable")?;
    writable.slice(13..16).write(&[200, 201, 202]).await.at("odd mapped write")?;
    let mut expected = bytes[..64].to_vec();
    expected[13..16].copy_from_slice(&[200, 201, 202]);
    let check = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor {
            len: 64,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("check")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&writable, 0, &check, 0, 64).at("copy")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    ensure!(check.read().await.at("read")? == expected, "odd write disturbed its neighbours");

    // A queue write of 3 bytes at the end spills only into padding.
    let tail = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor {
            len: 7,
            usage: BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            ..Default::default()
        })
        .at("tail")?;
    tail.write(&[1, 2, 3, 4]).await.at("write head")?;
    tail.slice(4..).write(&[5, 6, 7]).await.at("write tail")?;
    ensure!(tail.read().await.at("read tail")? == [1, 2, 3, 4, 5, 6, 7], "tail write");
    expect_err!(tail.slice(1..).write(&[9, 9, 9]).await, Error::Misaligned { .. });
    Ok(())
}

async fn odd_element_types(gpu: &Gpu) -> Outcome {
    // 8-byte elements: the host's byte lists are only 1-aligned, so a
    // zero-copy cast would fail; reading must still be exact.
    let values: Vec<f64> = (0..33).map(|i| i as f64 * 1.5 - 7.25).collect();
    let buffer = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &values, usage: BufferUsages::COPY_SRC })
        .at("f64 buffer")?;
    ensure!(buffer.read().await.at("read f64")? == values, "f64 round trip");
    ensure!(buffer.slice(5..9).read().await.at("read f64 slice")? == values[5..9], "f64 slice");
    let pairs: Vec<[u16; 3]> = (0..11u16).map(|i| [i, i * 3, i * 7]).collect();
    let buffer = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &pairs, usage: BufferUsages::MAP_READ })
        .at("[u16; 3] buffer")?;
    ensure!(buffer.slice(1..10).read().await.at("read [u16; 3]")? == pairs[1..10], "6-byte elements");
    Ok(())
}

async fn buffer_creation_errors(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let create = |len, usage| device.create_buffer::<u32>(&BufferDescriptor { len, usage, ..Default::default() });
    expect_err!(create(4, BufferUsages::empty()), Error::InvalidUsage { .. });
    expect_err!(create(4, BufferUsages::MAP_READ | BufferUsages::STORAGE), Error::InvalidUsage { .. });
    expect_err!(create(4, BufferUsages::MAP_WRITE | BufferUsages::COPY_DST), Error::InvalidUsage { .. });
    let too_many = device.limits().max_buffer_size / 4 + 1;
    expect_err!(create(too_many, BufferUsages::STORAGE), Error::OverLimit { limit: "maxBufferSize", .. });
    expect_err!(create(u64::MAX, BufferUsages::STORAGE), Error::OverLimit { .. });
    Ok(())
}

async fn mapping_errors(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let storage = device
        .create_buffer::<u32>(&BufferDescriptor { len: 8, usage: BufferUsages::STORAGE, ..Default::default() })
        .at("storage")?;
    expect_err!(storage.map_async(MapMode::Read).await, Error::MissingUsage { .. });
    expect_err!(storage.read().await, Error::MissingUsage { .. });
    expect_err!(storage.slice(..).get_mapped_range(), Error::MapState { actual: MapState::Unmapped, .. });

    let readable = device
        .create_buffer::<u32>(&BufferDescriptor { len: 8, usage: BufferUsages::MAP_READ, ..Default::default() })
        .at("readable")?;
    expect_err!(readable.map_async(MapMode::Write).await, Error::MissingUsage { .. });
    expect_err!(readable.slice(1..3).map_async(MapMode::Read).await, Error::Misaligned { what: "offset", .. });
    expect_err!(readable.slice(0..9).map_async(MapMode::Read).await, Error::OutOfBounds { .. });
    readable.map_async(MapMode::Read).await.at("map")?;
    expect_err!(readable.map_async(MapMode::Read).await, Error::MapState { actual: MapState::Mapped, .. });
    expect_err!(readable.read().await, Error::MapState { .. });
    readable.unmap().at("unmap")?;
    readable.map_async(MapMode::Read).await.at("map again after unmap")?;
    Ok(())
}

async fn write_errors(gpu: &Gpu) -> Outcome {
    let buffer = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor { len: 8, usage: BufferUsages::COPY_DST, ..Default::default() })
        .at("buffer")?;
    expect_err!(gpu.queue.write_buffer(&buffer, 2, &[1]), Error::Misaligned { what: "offset", .. });
    expect_err!(gpu.queue.write_buffer(&buffer, 28, &[1, 2]), Error::OutOfBounds { .. });
    expect_err!(gpu.queue.write_buffer(&buffer, u64::MAX - 3, &[1, 2]), Error::OutOfBounds { .. });
    expect_err!(buffer.slice(6..).write(&[1, 2, 3]).await, Error::OutOfBounds { .. });
    expect_err!(buffer.slice(9..).write(&[1]).await, Error::OutOfBounds { .. });
    let bytes = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor { len: 8, usage: BufferUsages::COPY_DST, ..Default::default() })
        .at("bytes")?;
    expect_err!(gpu.queue.write_buffer(&bytes, 0, &[1, 2, 3]), Error::Misaligned { what: "data size", .. });
    let source = gpu
        .device
        .create_buffer::<u32>(&BufferDescriptor { len: 8, usage: BufferUsages::STORAGE, ..Default::default() })
        .at("no COPY_DST")?;
    expect_err!(gpu.queue.write_buffer(&source, 0, &[1]), Error::MissingUsage { .. });
    Ok(())
}

async fn destroy_and_submit_errors(gpu: &Gpu) -> Outcome {
    let device = &gpu.device;
    let mappable = device
        .create_buffer::<u32>(&BufferDescriptor {
            len: 4,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("mappable")?;
    let source = device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[1u32, 2, 3, 4],
            usage: BufferUsages::COPY_SRC,
        })
        .at("source")?;
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&source, 0, &mappable, 0, 16).at("copy")?;
    let commands = encoder.finish().await.at("finish")?;
    mappable.map_async(MapMode::Read).await.at("map")?;
    // WebGPU forbids submitting work on a mapped buffer; nothing is submitted.
    expect_err!(gpu.queue.submit([commands]), Error::MapState { operation: "submit", .. });
    mappable.unmap().at("unmap")?;

    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&source, 0, &mappable, 0, 16).at("copy")?;
    let commands = encoder.finish().await.at("finish")?;
    source.destroy();
    source.destroy();
    expect_err!(gpu.queue.submit([commands]), Error::Destroyed { operation: "submit", .. });
    expect_err!(source.read().await, Error::Destroyed { .. });
    // Refused work never ran, and the device keeps working.
    ensure!(mappable.read().await.at("read")? == [0, 0, 0, 0], "refused work ran");
    Ok(())
}

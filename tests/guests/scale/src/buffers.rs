//! Buffers of 256 MiB through each way in (`create_buffer_init`,
//! `mapped_at_creation` + `write_mapped`, `Queue::write_buffer`,
//! `BufferSlice::write` through the queue and through a `MAP_WRITE` mapping)
//! and each way out (`read` through a staging buffer and through a mapping,
//! `get_mapped_range`), and one of 1 GiB through the main ones, every byte
//! compared with the pattern.
//!
//! Each check holds at most one buffer-sized allocation in the guest and,
//! after the submit-and-wait that lets the host free its staging memory,
//! two in the host, so the 1 GiB check stays near 3.3 GB of memory.

use wasi_webgpu::{Buffer, BufferDescriptor, BufferInitDescriptor, BufferUsages, MapMode, Queue};

use crate::{Context, Gpu, MIB, Outcome, big_device, check_pattern, ensure, pattern};

/// Runs the queue's pending writes and waits for them, so the host can free
/// the staging memory they hold before the next buffer-sized step.
async fn settle(queue: &Queue) -> Outcome {
    queue.submit(Vec::new()).at("submit")?;
    queue.on_submitted_work_done().await;
    Ok(())
}

/// `create_buffer_init` of `size` bytes of `u32`s into a buffer that is not
/// mappable (the host stages the contents), read back through a staging
/// buffer.
async fn init(gpu: &Gpu, size: u64) -> Outcome {
    let (device, queue) = big_device(gpu, size).await?;
    let seed = 1;
    let data = pattern(seed, size / 4)?;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let buffer = device
        .create_buffer_init(&BufferInitDescriptor { label: Some("init"), contents: &data, usage })
        .at("create_buffer_init")?;
    drop(data);
    settle(&queue).await?;
    let got: Vec<u32> = buffer.read().await.at("read")?;
    ensure!(got.len() as u64 == size / 4, "read {} words, expected {}", got.len(), size / 4);
    check_pattern("read after create_buffer_init", bytemuck::cast_slice(&got), seed, 0)
}

/// A buffer mapped at creation, filled by two `write_mapped` calls that
/// meet at an odd byte offset (so both the end of the first and the start
/// of the second are off the host's alignment).
async fn mapped_at_creation(gpu: &Gpu, size: u64) -> Outcome {
    let (device, queue) = big_device(gpu, size).await?;
    let seed = 2;
    let buffer: Buffer<u8> = device
        .create_buffer(&BufferDescriptor {
            label: Some("mapped at creation"),
            len: size,
            usage: BufferUsages::COPY_SRC,
            mapped_at_creation: true,
        })
        .at("create_buffer")?;
    let data = pattern(seed, size / 4)?;
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let split = size / 2 + 3;
    buffer.slice(..split).write_mapped(&bytes[..split as usize]).at("write_mapped (first part)")?;
    buffer.slice(split..).write_mapped(&bytes[split as usize..]).at("write_mapped (second part)")?;
    buffer.unmap().at("unmap")?;
    drop(data);
    settle(&queue).await?;
    let got = buffer.read().await.at("read")?;
    ensure!(got.len() as u64 == size, "read {} bytes, expected {size}", got.len());
    check_pattern("read after write_mapped", &got, seed, 0)
}

/// One `Queue::write_buffer` of the whole buffer, read back by mapping:
/// the whole mapped range, a range off the host's alignment, then `read`.
async fn queue_write_and_map(gpu: &Gpu, size: u64) -> Outcome {
    let (device, queue) = big_device(gpu, size).await?;
    let seed = 3;
    let buffer: Buffer<u32> = device
        .create_buffer(&BufferDescriptor {
            label: Some("queue write"),
            len: size / 4,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
        .at("create_buffer")?;
    let data = pattern(seed, size / 4)?;
    queue.write_buffer(&buffer, 0, &data).at("write_buffer")?;
    drop(data);
    settle(&queue).await?;
    buffer.map_async(MapMode::Read).await.at("map_async")?;
    let got = buffer.slice(..).get_mapped_range().at("get_mapped_range")?;
    ensure!(got.len() as u64 == size / 4, "mapped {} words, expected {}", got.len(), size / 4);
    check_pattern("get_mapped_range of the whole buffer", bytemuck::cast_slice(&got), seed, 0)?;
    drop(got);
    // Starts 4 bytes past an 8-byte boundary, so the host's range is widened.
    let (first, last) = (size / 8 + 1, size / 4 - 1);
    let part = buffer.slice(first..last).get_mapped_range().at("get_mapped_range of a part")?;
    ensure!(part.len() as u64 == last - first, "mapped {} words of the part, expected {}", part.len(), last - first);
    check_pattern("get_mapped_range of a part", bytemuck::cast_slice(&part), seed, first * 4)?;
    drop(part);
    buffer.unmap().at("unmap")?;
    let got = buffer.read().await.at("read")?;
    check_pattern("read by mapping", bytemuck::cast_slice(&got), seed, 0)
}

/// `BufferSlice::write` through the queue of every byte of a buffer whose
/// length is one byte short of a multiple of 4, so the write ends in the
/// alignment padding.
async fn slice_write(gpu: &Gpu, size: u64) -> Outcome {
    let (device, queue) = big_device(gpu, size).await?;
    let seed = 4;
    let len = size - 1;
    let buffer: Buffer<u8> = device
        .create_buffer(&BufferDescriptor {
            label: Some("slice write"),
            len,
            usage: BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
        .at("create_buffer")?;
    let data = pattern(seed, size / 4)?;
    buffer.write(&bytemuck::cast_slice(&data)[..len as usize]).await.at("write")?;
    drop(data);
    settle(&queue).await?;
    let got = buffer.read().await.at("read")?;
    ensure!(got.len() as u64 == len, "read {} bytes, expected {len}", got.len());
    check_pattern("read after write", &got, seed, 0)
}

/// `BufferSlice::write` of a `MAP_WRITE` buffer, which maps it: all but the
/// first and last bytes, which must stay zero.
async fn map_write(gpu: &Gpu, size: u64) -> Outcome {
    let (device, _queue) = big_device(gpu, size).await?;
    let seed = 5;
    let buffer: Buffer<u8> = device
        .create_buffer(&BufferDescriptor {
            label: Some("map write"),
            len: size,
            usage: BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        })
        .at("create_buffer")?;
    let data = pattern(seed, size / 4)?;
    buffer.slice(1..size - 1).write(&bytemuck::cast_slice(&data)[1..(size - 1) as usize]).await.at("write")?;
    drop(data);
    let got = buffer.read().await.at("read")?;
    ensure!(got.len() as u64 == size, "read {} bytes, expected {size}", got.len());
    ensure!(
        got[0] == 0 && got[got.len() - 1] == 0,
        "the bytes around the write changed: {} and {}",
        got[0],
        got[got.len() - 1]
    );
    check_pattern("read after a mapped write", &got[1..got.len() - 1], seed, 1)
}

/// A 1 GiB buffer through the paths at once, to keep the time and memory
/// of the largest size down (the 256 MiB checks take each path on its own):
/// mapped at creation (a `MAP_READ` buffer, so the host stages the
/// contents) and filled by one `write_mapped`, which is what
/// `create_buffer_init` does, read back by `read`; then one
/// `Queue::write_buffer` of all of it, read back by `map_async` +
/// `get_mapped_range`.
///
/// The buffer is made before the first pattern: an object allocated after
/// the pattern would keep the pattern's freed memory from joining the free
/// top of the heap, and the read's result would then take another 1 GiB of
/// guest memory instead of reusing it.
pub async fn round_trip_1_gib(gpu: &Gpu) -> Outcome {
    let size = 1024 * MIB;
    let (device, queue) = big_device(gpu, size).await?;
    let (first, second) = (7, 8);
    let buffer: Buffer<u32> = device
        .create_buffer(&BufferDescriptor {
            label: Some("1 GiB"),
            len: size / 4,
            usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
            mapped_at_creation: true,
        })
        .at("create_buffer")?;
    let data = pattern(first, size / 4)?;
    buffer.slice(..).write_mapped(&data).at("write_mapped")?;
    drop(data);
    buffer.unmap().at("unmap")?;
    settle(&queue).await?;
    let got = buffer.read().await.at("read")?;
    ensure!(got.len() as u64 == size / 4, "read {} words, expected {}", got.len(), size / 4);
    check_pattern("read after write_mapped", bytemuck::cast_slice(&got), first, 0)?;
    drop(got);
    let data = pattern(second, size / 4)?;
    queue.write_buffer(&buffer, 0, &data).at("write_buffer")?;
    drop(data);
    settle(&queue).await?;
    buffer.map_async(MapMode::Read).await.at("map_async")?;
    let got = buffer.slice(..).get_mapped_range().at("get_mapped_range")?;
    ensure!(got.len() as u64 == size / 4, "mapped {} words, expected {}", got.len(), size / 4);
    check_pattern("get_mapped_range after write_buffer", bytemuck::cast_slice(&got), second, 0)?;
    drop(got);
    buffer.unmap().at("unmap")
}

macro_rules! at_sizes {
    ($($name:ident: $check:ident($size:expr);)*) => {
        $(
            #[doc = concat!("[`", stringify!($check), "`] at ", stringify!($size), ".")]
            pub async fn $name(gpu: &Gpu) -> Outcome {
                $check(gpu, $size).await
            }
        )*
    };
}

at_sizes! {
    init_256_mib: init(256 * MIB);
    mapped_at_creation_256_mib: mapped_at_creation(256 * MIB);
    queue_write_and_map_256_mib: queue_write_and_map(256 * MIB);
    slice_write_256_mib: slice_write(256 * MIB);
    map_write_256_mib: map_write(256 * MIB);
}

/// Medians of five timed 64 MiB transfers through each path, printed as
/// `time <path> 64 MiB: <ms> ms`, each result checked; not a listed check
/// (it takes long on a debug host), run by `--times`.
pub async fn transfer_times_64_mib(gpu: &Gpu) -> Outcome {
    let size = 64 * MIB;
    let (device, queue) = (&gpu.device, &gpu.queue);
    let seed = 6;
    let data = pattern(seed, size / 4)?;
    let bytes: &[u8] = bytemuck::cast_slice(&data);
    let buffer = |usage: BufferUsages, mapped_at_creation: bool| {
        device
            .create_buffer::<u8>(&BufferDescriptor { label: None, len: size, usage, mapped_at_creation })
            .at("create_buffer")
    };
    let staged = buffer(BufferUsages::COPY_SRC | BufferUsages::COPY_DST, false)?;
    let mappable = buffer(BufferUsages::MAP_READ | BufferUsages::COPY_DST, false)?;
    let mut times: [Vec<f64>; 5] = Default::default();
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let init = device
            .create_buffer_init(&BufferInitDescriptor { label: None, contents: bytes, usage: BufferUsages::COPY_SRC })
            .at("create_buffer_init")?;
        times[0].push(start.elapsed().as_secs_f64());
        drop(init);
        let start = std::time::Instant::now();
        let mapped = buffer(BufferUsages::MAP_WRITE | BufferUsages::COPY_SRC, true)?;
        mapped.slice(..).write_mapped(bytes).at("write_mapped")?;
        mapped.unmap().at("unmap")?;
        times[1].push(start.elapsed().as_secs_f64());
        drop(mapped);
        let start = std::time::Instant::now();
        queue.write_buffer(&staged, 0, bytes).at("write_buffer")?;
        queue.write_buffer(&mappable, 0, bytes).at("write_buffer")?;
        settle(queue).await?;
        times[2].push(start.elapsed().as_secs_f64() / 2.0);
        let start = std::time::Instant::now();
        let got = staged.read().await.at("read")?;
        times[3].push(start.elapsed().as_secs_f64());
        check_pattern("staged read", &got, seed, 0)?;
        drop(got);
        let start = std::time::Instant::now();
        let got = mappable.read().await.at("read")?;
        times[4].push(start.elapsed().as_secs_f64());
        check_pattern("mapped read", &got, seed, 0)?;
    }
    let names =
        ["create_buffer_init", "mapped_at_creation + write_mapped", "write_buffer", "read (staged)", "read (mapped)"];
    for (name, mut t) in names.into_iter().zip(times) {
        t.sort_by(f64::total_cmp);
        println!("time {name} 64 MiB: {:.1} ms", t[t.len() / 2] * 1e3);
    }
    Ok(())
}

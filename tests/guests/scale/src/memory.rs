//! Reads whose result guest memory cannot hold: with the guest's memory
//! taken (reserved, never touched, so it costs the machine nothing), each
//! read path must answer `Error::OutOfMemory` naming the call, not abort,
//! and leave the buffer unmapped and usable.

use wasi_webgpu::{
    BufferDescriptor, BufferUsages, Error, Extent3d, MapMode, MapState, Origin3d, TextureDescriptor, TextureFormat,
    TextureUsages,
};

use crate::{Context, Gpu, MIB, Outcome, ensure};

/// Reserves guest memory in blocks until one of 1 MiB no longer fits, then
/// gives back a 4 MiB cushion reserved first: 4 to 5 MiB stay free, enough
/// for the small allocations a call makes, far too little for a 64 MiB
/// result.
fn take_guest_memory() -> Vec<Vec<u8>> {
    let mut cushion = Vec::<u8>::new();
    let _ = cushion.try_reserve_exact((4 * MIB) as usize);
    // Room for every block up front: growing this list once memory is gone
    // would abort.
    let mut held = Vec::with_capacity(64);
    let mut block = 1usize << 31;
    while block >= MIB as usize {
        let mut reserved = Vec::<u8>::new();
        if reserved.try_reserve_exact(block).is_ok() {
            held.push(reserved);
        } else {
            block /= 2;
        }
    }
    drop(cushion);
    held
}

/// `Err(OutOfMemory)` whose message starts with `call`.
fn out_of_memory<T>(what: &str, call: &str, result: wasi_webgpu::Result<Vec<T>>) -> Outcome {
    match result {
        Err(Error::OutOfMemory(message)) if message.starts_with(call) => Ok(()),
        Err(other) => Err(format!("{what}: expected OutOfMemory naming `{call}`, got {other:?}")),
        Ok(values) => Err(format!("{what}: {} elements fit in a guest whose memory was taken", values.len())),
    }
}

pub async fn reads_beyond_guest_memory_are_errors(gpu: &Gpu) -> Outcome {
    let (device, queue) = (&gpu.device, &gpu.queue);
    let buffer = |len: u64, usage: BufferUsages| {
        device
            .create_buffer::<u32>(&BufferDescriptor { label: None, len, usage, mapped_at_creation: false })
            .at("create_buffer")
    };
    let mappable = buffer(64 * MIB / 4, BufferUsages::MAP_READ | BufferUsages::COPY_DST)?;
    let copyable = buffer(64 * MIB / 4, BufferUsages::COPY_SRC | BufferUsages::COPY_DST)?;
    let size = Extent3d { width: 4096, height: 4096, depth_or_array_layers: 1 };
    let texture = device
        .create_texture(&TextureDescriptor {
            size,
            format: TextureFormat::Rgba8Uint,
            usage: TextureUsages::COPY_SRC,
            ..Default::default()
        })
        .at("create_texture")?;
    queue.write_buffer(&mappable, 0, &[7, 8, 9, 10]).at("write_buffer")?;
    queue.write_buffer(&copyable, 0, &[1, 2, 3, 4]).at("write_buffer")?;

    let held = take_guest_memory();
    let reserved: usize = held.iter().map(Vec::capacity).sum();
    let mapped_read = mappable.read().await;
    let staged_read = copyable.read().await;
    let pixels = texture.read_pixels::<[u8; 4]>(0, Origin3d::ZERO, size).await;
    let mapped = mappable.map_async(MapMode::Read).await;
    let range = mappable.slice(..).get_mapped_range();
    let unmapped = mappable.unmap();
    drop(held);

    ensure!(reserved >= (2048 * MIB) as usize, "only {} MiB of guest memory could be taken", reserved >> 20);
    out_of_memory("read of a mappable buffer", "read", mapped_read)?;
    out_of_memory("read through a staging buffer", "read", staged_read)?;
    out_of_memory("read_pixels", "read_pixels", pixels)?;
    mapped.at("map_async")?;
    out_of_memory("get_mapped_range", "get_mapped_range", range)?;
    unmapped.at("unmap")?;
    // The buffers stay usable.
    ensure!(mappable.map_state() == MapState::Unmapped, "the mappable buffer is {:?}", mappable.map_state());
    let got = mappable.slice(..4).read().await.at("read after the failures")?;
    ensure!(got == [7, 8, 9, 10], "read after the failures: {got:?}");
    let got = copyable.slice(..4).read().await.at("staged read after the failures")?;
    ensure!(got == [1, 2, 3, 4], "staged read after the failures: {got:?}");
    Ok(())
}

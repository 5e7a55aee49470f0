//! The host backend: the calls wasi:webgpu makes, and what its hosts need
//! of them.
//!
//! A host may limit what one call carries: wasmtime 48 traps the guest when
//! one call copies more than 128 MiB between it and the host
//! (`Store::set_hostcall_fuel`), and other hosts may allow less. So no call
//! made here carries more than [`WRITE_CHUNK`] or [`MAP_WRITE_CHUNK`] bytes,
//! however large the user's data (reads are split by their callers, in
//! `buffer::transfer`).

use std::rc::Rc;

use crate::bindings::webgpu as raw;
use crate::buffer::MapMode;
use crate::device::{DeviceShared, error_from_raw};
use crate::verdict::{self, Verdict};
use crate::{BufferUsages, Error, Result};

/// Largest piece one `write-buffer-with-copy` call carries. The host copies
/// each call's bytes twice into fresh allocations; pieces of 1 MiB stay in
/// cache, which measured 3.5 times faster than one 64 MiB call.
pub(crate) const WRITE_CHUNK: usize = 1 << 20;

/// Largest piece one `get-mapped-range-set-with-copy` call carries. The host
/// copies each call's bytes twice, once into a fresh allocation; 1 MiB
/// pieces stay in cache (the same size as queue writes' pieces). A multiple
/// of [`MAP_ALIGNMENT`](crate::MAP_ALIGNMENT), so every piece's offset stays
/// aligned.
const MAP_WRITE_CHUNK: usize = 1 << 20;

/// Runs `f` inside fresh error scopes for every error kind and returns the
/// first error the host reported during it; see
/// [`DeviceShared::capture`].
pub(super) async fn capture<T>(device: &raw::GpuDevice, f: impl FnOnce() -> T) -> Result<T> {
    const FILTERS: [raw::GpuErrorFilter; 3] =
        [raw::GpuErrorFilter::Internal, raw::GpuErrorFilter::OutOfMemory, raw::GpuErrorFilter::Validation];
    for filter in FILTERS {
        device.push_error_scope(filter);
    }
    let value = f();
    let mut first = None;
    for _ in FILTERS {
        if let Ok(Some(error)) = device.pop_error_scope().await {
            first.get_or_insert(error_from_raw(&error));
        }
    }
    match first {
        Some(error) => Err(error),
        None => Ok(value),
    }
}

/// A host buffer and its verdict. The host hands back a handle even when it
/// could not allocate the memory; a failure is an `Err` here, and no
/// invalid buffer is ever passed to a later host call (see `verdict`).
pub(super) fn create_buffer(
    device: &Rc<DeviceShared>,
    operation: &'static str,
    size: u64,
    usage: BufferUsages,
    mapped: bool,
    label: Option<&str>,
) -> Result<(raw::GpuBuffer, Verdict)> {
    let what = || format!("{operation} of {size} bytes with usage {usage}");
    verdict::create(device, operation, "buffer", what, |raw| {
        raw.create_buffer(&raw::GpuBufferDescriptor {
            size,
            usage: raw::GpuBufferUsage::from_bits_retain(usage.bits() as _),
            mapped_at_creation: Some(mapped),
            label: label.map(str::to_owned),
        })
    })
}

pub(super) async fn map(raw: &raw::GpuBuffer, mode: MapMode, start: u64, end: u64) -> Result<()> {
    let mode = match mode {
        MapMode::Read => raw::GpuMapMode::READ,
        MapMode::Write => raw::GpuMapMode::WRITE,
    };
    raw.map_async(mode, Some(start), Some(end - start)).await.map_err(|e| Error::Map(e.message))
}

pub(super) fn get_mapped(raw: &raw::GpuBuffer, start: u64, end: u64) -> Result<Vec<u8>> {
    raw.get_mapped_range_get_with_copy(Some(start), Some(end - start)).map_err(|e| Error::Map(e.message))
}

/// Writes `bytes` into the mapping at `start`, 8-byte aligned, in pieces
/// of [`MAP_WRITE_CHUNK`].
pub(super) fn set_mapped(raw: &raw::GpuBuffer, start: u64, bytes: &[u8]) -> Result<()> {
    bytes.chunks(MAP_WRITE_CHUNK).zip((start..).step_by(MAP_WRITE_CHUNK)).try_for_each(|(piece, at)| {
        raw.get_mapped_range_set_with_copy(piece, Some(at), Some(piece.len() as u64)).map_err(|e| Error::Map(e.message))
    })
}

/// Queues a write of `bytes` at `offset` in pieces of [`WRITE_CHUNK`].
pub(super) fn write_buffer(queue: &raw::GpuQueue, raw: &raw::GpuBuffer, offset: u64, bytes: &[u8]) -> Result<()> {
    bytes.chunks(WRITE_CHUNK).enumerate().try_for_each(|(index, chunk)| {
        let at = offset + (index * WRITE_CHUNK) as u64;
        queue.write_buffer_with_copy(raw, at, chunk, None, None).map_err(|e| Error::Validation(e.message))
    })
}

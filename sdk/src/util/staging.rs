//! The staging buffers that reads of non-mappable buffers copy through, and
//! the one each device keeps between reads.

use std::cell::Cell;
use std::rc::Rc;

use bytemuck::Pod;

use crate::Result;
use crate::backend::BufferMemory;
use crate::bindings::webgpu as raw;
use crate::buffer::{
    Buffer, BufferDescriptor, BufferShared, BufferUsages, COPY_BUFFER_ALIGNMENT, MapState, Mapping, align_down,
    align_up,
};
use crate::device::DeviceShared;
use crate::verdict::Verdict;

/// Largest staging buffer a device keeps between reads of non-mappable
/// buffers. Reads up to this size reuse one buffer rather than have the host
/// allocate and fault in fresh mappable memory each time (64 MiB reads on
/// lavapipe, whose buffers are host memory, measured faster; an H200 showed no
/// difference); a larger read gets a buffer of its own, freed when it is done,
/// so a device holds at most this much memory for reads.
const READ_STAGING_KEPT: u64 = 64 << 20;

/// The `MAP_READ | COPY_DST` buffer a device keeps for reads of
/// non-mappable buffers, unmapped while kept.
pub(crate) struct ReadStaging {
    raw: raw::GpuBuffer,
    size: u64,
}

impl ReadStaging {
    pub(crate) fn destroy(self) {
        self.raw.destroy();
    }
}

/// Copies `[start, end)` of a `COPY_SRC` buffer into a `MAP_READ` staging
/// buffer and reads that; the staging buffer goes back to the device for the
/// next read when all went well.
pub(crate) async fn read_via_staging<T: Pod>(source: &Rc<BufferShared>, start: u64, end: u64) -> Result<Vec<T>> {
    let (copy_start, copy_end) = (align_down(start, COPY_BUFFER_ALIGNMENT), align_up(end, COPY_BUFFER_ALIGNMENT));
    let device = &source.device;
    let staging = take_staging(device, copy_end - copy_start)?;
    let mut encoder = crate::CommandEncoder::new(device, &Default::default());
    encoder.copy_raw(source, copy_start, &staging, 0, copy_end - copy_start)?;
    let commands = encoder.finish().await?;
    // Other tasks ran while `finish` waited: the source may be destroyed or
    // mapped now, which `submit` would refuse under its own name.
    source.check_gpu_usable("read")?;
    crate::queue::submit(device, vec![commands])?;
    let values = staging.read_via_map(start - copy_start, end - copy_start).await?;
    // The submitted command buffer, which held the other reference, is gone.
    if let Ok(staging) = Rc::try_unwrap(staging) {
        keep_staging(device, staging);
    }
    Ok(values)
}

/// A staging buffer of at least `len` bytes: the device's kept one when it
/// is large enough, else a new one. A staging buffer dropped on an error
/// path, or by a cancelled read, is destroyed like any buffer.
fn take_staging(device: &Rc<DeviceShared>, len: u64) -> Result<Rc<BufferShared>> {
    let mut size = len;
    if len <= READ_STAGING_KEPT {
        if let Some(kept) = device.read_staging.take() {
            if kept.size >= len {
                return Ok(Rc::new(BufferShared {
                    memory: BufferMemory::Host(kept.raw),
                    device: device.clone(),
                    size: kept.size,
                    usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
                    mapping: Cell::new(Mapping::Unmapped),
                    tickets: Cell::new(0),
                    destroyed: Cell::new(false),
                    // It was created and used before.
                    created: Verdict::valid(),
                    label: None,
                }));
            }
            kept.destroy();
        }
        // Growing in powers of two keeps reads of growing sizes from making
        // a new buffer each time.
        size = len.next_power_of_two().min(READ_STAGING_KEPT).min(device.limits.max_buffer_size).max(len);
    }
    let descriptor = BufferDescriptor {
        label: Some("wasi-webgpu read staging"),
        len: size,
        usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
        mapped_at_creation: false,
    };
    Ok(Buffer::<u8>::new(device, &descriptor)?.shared)
}

/// Gives an unmapped staging buffer back to its device, which keeps the
/// larger of it and one a concurrent read gave back; any other is destroyed.
fn keep_staging(device: &DeviceShared, mut staging: BufferShared) {
    if staging.size > READ_STAGING_KEPT || staging.destroyed.get() || staging.map_state() != MapState::Unmapped {
        return;
    }
    if let Some(other) = device.read_staging.take() {
        if other.size >= staging.size {
            device.read_staging.set(Some(other));
            return;
        }
        other.destroy();
    }
    // Dropping `staging` then destroys nothing.
    if let Some(raw) = staging.memory.take_host() {
        device.read_staging.set(Some(ReadStaging { raw, size: staging.size }));
    }
}

//! [`BufferSlice`]: a range of a buffer's elements, and the calls that map,
//! read and write it.

use std::rc::Rc;

use bytemuck::Pod;

use super::{
    Buffer, BufferShared, BufferUsages, COPY_BUFFER_ALIGNMENT, MAP_ALIGNMENT, MapMode, Mapping, align_down, align_up,
    check_aligned,
};
use crate::{BindingResource, BufferBinding, Error, Result};

/// A range of a [`Buffer`]'s elements, made by [`Buffer::slice`].
#[derive(Debug)]
pub struct BufferSlice<'a, T: Pod> {
    pub(super) buffer: &'a Buffer<T>,
    pub(super) start: u64,
    pub(super) end: u64,
}

impl<T: Pod> Clone for BufferSlice<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Pod> Copy for BufferSlice<'_, T> {}

impl<'a, T: Pod> BufferSlice<'a, T> {
    /// The buffer the slice is of.
    pub(crate) fn buffer_shared(&self) -> &'a Rc<BufferShared> {
        &self.buffer.shared
    }

    /// The slice's byte range, checked against the buffer's length.
    pub(crate) fn bytes(&self, operation: &'static str) -> Result<(u64, u64)> {
        let element = Buffer::<T>::ELEMENT_SIZE;
        if self.start > self.end || self.end > self.buffer.len {
            return Err(Error::OutOfBounds {
                operation,
                start: self.start.saturating_mul(element),
                end: self.end.saturating_mul(element),
                size: self.buffer.len * element,
            });
        }
        Ok((self.start * element, self.end * element))
    }

    /// Number of elements in the slice.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the slice holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slice as a binding resource for a bind group entry.
    pub fn as_binding(&self) -> BindingResource<'a> {
        let element = Buffer::<T>::ELEMENT_SIZE;
        BindingResource::Buffer(BufferBinding {
            buffer: &self.buffer.shared,
            offset: self.start.saturating_mul(element),
            size: Some(self.len().saturating_mul(element)),
        })
    }

    /// Maps the slice for the guest, waiting until the GPU is done with the
    /// buffer. Corresponds to WebGPU's
    /// [`mapAsync`](https://www.w3.org/TR/webgpu/#dom-gpubuffer-mapasync).
    ///
    /// The buffer needs `MAP_READ` or `MAP_WRITE` for `mode` and must be
    /// unmapped; the slice's byte offset must be a multiple of
    /// [`MAP_ALIGNMENT`] and its byte length of [`COPY_BUFFER_ALIGNMENT`].
    ///
    /// A slice that ends at the buffer's end maps up to its [`size`](Buffer::size),
    /// rounded up to [`COPY_BUFFER_ALIGNMENT`], as WebGPU maps a whole
    /// buffer: a whole `Buffer<u8>` of 6 elements maps its 8 bytes.
    ///
    /// [`unmap`](Buffer::unmap) before the map completes aborts it, as in
    /// WebGPU: this returns [`Error::MapAborted`]; a [`destroy`](Buffer::destroy)
    /// meanwhile makes it [`Error::Destroyed`]. Either way the buffer is
    /// unmapped. Dropping the future before it completes leaves the buffer
    /// unmapped too.
    pub async fn map_async(&self, mode: MapMode) -> Result<()> {
        const OP: &str = "map_async";
        let shared = &self.buffer.shared;
        shared.created.wait(OP).await?;
        shared.check_alive(OP)?;
        let required = match mode {
            MapMode::Read => BufferUsages::MAP_READ,
            MapMode::Write => BufferUsages::MAP_WRITE,
        };
        shared.check_usage(OP, required)?;
        shared.check_gpu_usable(OP)?;
        let (start, mut end) = self.bytes(OP)?;
        if self.end == self.buffer.len {
            // The alignment padding past the last element is the buffer's
            // too; mapping it keeps the size a multiple of 4.
            end = shared.size;
        }
        check_aligned(OP, "offset", start, MAP_ALIGNMENT)?;
        check_aligned(OP, "size", end - start, COPY_BUFFER_ALIGNMENT)?;
        shared.map(OP, mode, start, end).await
    }

    /// The mapped range, which must lie inside the slice that was mapped.
    fn mapped_bytes(&self, operation: &'static str, mode: Option<MapMode>) -> Result<(u64, u64)> {
        let shared = &self.buffer.shared;
        shared.check_alive(operation)?;
        let (start, end) = self.bytes(operation)?;
        match shared.mapping.get() {
            Mapping::Mapped { mode: mapped_mode, start: map_start, end: map_end }
                if mode.is_none_or(|m| m == mapped_mode) =>
            {
                if start < map_start || end > map_end {
                    return Err(Error::OutOfBounds { operation, start, end, size: shared.size });
                }
                Ok((start, end))
            }
            _ => Err(Error::MapState {
                operation,
                argument: shared.argument(),
                expected: if mode == Some(MapMode::Write) { "mapped for writing" } else { "mapped" },
                actual: shared.map_state(),
            }),
        }
    }

    /// A copy of the slice's contents while the buffer is mapped.
    /// Corresponds to WebGPU's
    /// [`getMappedRange`](https://www.w3.org/TR/webgpu/#dom-gpubuffer-getmappedrange),
    /// which wasi:webgpu offers as a copy.
    pub fn get_mapped_range(&self) -> Result<Vec<T>> {
        let (start, end) = self.mapped_bytes("get_mapped_range", None)?;
        if start == end {
            return Ok(Vec::new());
        }
        // The host wants 8-byte aligned offsets; `read_mapped` widens them,
        // which stays inside the mapping, whose bounds are aligned.
        self.buffer.shared.read_mapped("get_mapped_range", start, end)
    }

    /// Writes `data` at the slice's start while the buffer is mapped for
    /// writing. `data` must fit in the slice.
    pub fn write_mapped(&self, data: &[T]) -> Result<()> {
        const OP: &str = "write_mapped";
        let (start, end) = self.mapped_bytes(OP, Some(MapMode::Write))?;
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if bytes.len() as u64 > end - start {
            return Err(Error::OutOfBounds { operation: OP, start, end: start + bytes.len() as u64, size: end });
        }
        if bytes.is_empty() {
            return Ok(());
        }
        self.buffer.shared.write_into_mapping(start, bytes)?;
        // What a mapping holds reaches the GPU at `unmap`, before any later
        // dispatch: for a replay, the same as contents written at creation.
        #[cfg(feature = "trace")]
        crate::trace::with(&self.buffer.shared.device, |r| {
            r.write(std::rc::Rc::as_ptr(&self.buffer.shared) as usize, start, bytes)
        });
        Ok(())
    }

    /// Reads the slice's contents: maps, copies and unmaps a `MAP_READ`
    /// buffer, or copies a `COPY_SRC` buffer through a staging buffer.
    ///
    /// The device keeps one staging buffer, of at most 64 MiB, for the next
    /// read; a larger read uses one of its own and frees it.
    ///
    /// The buffer must be unmapped. Work submitted before is finished first,
    /// so the result is what the GPU wrote.
    pub async fn read(&self) -> Result<Vec<T>> {
        const OP: &str = "read";
        let shared = &self.buffer.shared;
        shared.created.wait(OP).await?;
        shared.check_gpu_usable(OP)?;
        let (start, end) = self.bytes(OP)?;
        if start == end {
            return Ok(Vec::new());
        }
        if shared.usage.contains(BufferUsages::MAP_READ) {
            return shared.read_via_map(start, end).await;
        }
        shared.check_usage(OP, BufferUsages::MAP_READ | BufferUsages::COPY_SRC)?;
        crate::backend::read_copy_src(shared, start, end).await
    }

    /// Writes `data` at the slice's start: through the queue for a `COPY_DST`
    /// buffer, or by mapping a `MAP_WRITE` buffer. `data` must fit in the
    /// slice.
    ///
    /// Through the queue the byte offset must be a multiple of
    /// [`COPY_BUFFER_ALIGNMENT`], and so must the byte length unless the
    /// write ends at the buffer's end. The write happens before work
    /// submitted after it.
    pub async fn write(&self, data: &[T]) -> Result<()> {
        const OP: &str = "write";
        let shared = &self.buffer.shared;
        shared.created.wait(OP).await?;
        shared.check_gpu_usable(OP)?;
        let (start, end) = self.bytes(OP)?;
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let write_end = start + bytes.len() as u64;
        if write_end > end {
            return Err(Error::OutOfBounds { operation: OP, start, end: write_end, size: end });
        }
        if bytes.is_empty() {
            return Ok(());
        }
        if shared.usage.contains(BufferUsages::COPY_DST) {
            // A write that ends at the buffer's end may spill into the
            // alignment padding, which nobody reads.
            let logical_end = self.buffer.len * Buffer::<T>::ELEMENT_SIZE;
            if write_end == logical_end && !write_end.is_multiple_of(COPY_BUFFER_ALIGNMENT) {
                return crate::queue::write_bytes_padded(shared, start, bytes);
            }
            return crate::queue::write_bytes(shared, start, bytes);
        }
        shared.check_usage(OP, BufferUsages::COPY_DST | BufferUsages::MAP_WRITE)?;
        let (map_start, map_end) = (align_down(start, MAP_ALIGNMENT), align_up(write_end, COPY_BUFFER_ALIGNMENT));
        shared.map(OP, MapMode::Write, map_start, map_end).await?;
        let written = shared.write_into_mapping(start, bytes);
        shared.unmap()?;
        written
    }
}

//! [`Buffer`]: WebGPU's `GPUBuffer`, typed by its element.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};
use std::rc::Rc;

use bytemuck::Pod;

use crate::backend::BufferMemory;
use crate::bindings::webgpu as raw;
use crate::device::{DeviceShared, same_device};
use crate::flags::flags;
use crate::verdict::Verdict;
use crate::{BindingResource, BufferBinding, Error, Result};

mod slice;
mod transfer;

pub(crate) use crate::util::staging::{ReadStaging, read_via_staging};
pub use slice::BufferSlice;

pub(crate) use transfer::try_with_capacity;

/// Offsets and sizes of copies, clears and queue writes must be multiples of
/// this many bytes. Every buffer's byte size is rounded up to it.
pub const COPY_BUFFER_ALIGNMENT: u64 = 4;
/// Offsets of mapped ranges must be multiples of this many bytes.
pub const MAP_ALIGNMENT: u64 = 8;

/// Largest piece one `get-mapped-range` call fetches when reading. The host
/// copies each call's bytes twice into fresh allocations; pieces this small
/// stay in cache, which measured 3.4 times faster than one 64 MiB call on an
/// H200 (17.7 ms against 60 ms for 64 MiB).
const READ_CHUNK: u64 = 256 << 10;

flags! {
    /// What a buffer may be used for. Corresponds to WebGPU's
    /// [`GPUBufferUsage`](https://www.w3.org/TR/webgpu/#buffer-usage).
    pub struct BufferUsages {
        /// Mappable for reading; combinable only with `COPY_DST`.
        const MAP_READ = 0;
        /// Mappable for writing; combinable only with `COPY_SRC`.
        const MAP_WRITE = 1;
        /// Source of copies.
        const COPY_SRC = 2;
        /// Destination of copies, clears and queue writes.
        const COPY_DST = 3;
        /// Index buffer.
        const INDEX = 4;
        /// Vertex buffer.
        const VERTEX = 5;
        /// Uniform buffer binding.
        const UNIFORM = 6;
        /// Storage buffer binding.
        const STORAGE = 7;
        /// Source of indirect dispatch and draw arguments.
        const INDIRECT = 8;
        /// Destination of query resolves.
        const QUERY_RESOLVE = 9;
    }
}

/// How a buffer is mapped. Corresponds to WebGPU's
/// [`GPUMapMode`](https://www.w3.org/TR/webgpu/#typedefdef-gpumapmodeflags);
/// exactly one of the two, as WebGPU requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapMode {
    /// Map to read what the GPU wrote; needs [`BufferUsages::MAP_READ`].
    Read,
    /// Map to write what the GPU will read; needs [`BufferUsages::MAP_WRITE`].
    Write,
}

/// Where a buffer is in its mapping life cycle. Corresponds to WebGPU's
/// [`GPUBufferMapState`](https://www.w3.org/TR/webgpu/#enumdef-gpubuffermapstate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapState {
    /// Usable by the GPU; not readable or writable by the guest.
    Unmapped,
    /// A map was requested and has not completed.
    Pending,
    /// Readable or writable by the guest; the GPU may not use it.
    Mapped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mapping {
    Unmapped,
    /// A map is in flight. `ticket` names the `map` call that started it, so
    /// that call can tell, when the host answers, whether the map is still
    /// its own or was aborted (by `unmap`, `destroy`) in the meantime.
    Pending {
        ticket: u32,
    },
    Mapped {
        mode: MapMode,
        start: u64,
        end: u64,
    },
}

/// The guest's record of a host buffer, shared by every [`Buffer`] clone and
/// by the bind groups and command buffers that use it.
///
/// The reference host panics on several calls for a buffer in the wrong state
/// (reading a mapping of an unmapped buffer, submitting work that uses a
/// mapped one), so the guest tracks the state itself and checks it first.
pub(crate) struct BufferShared {
    pub(crate) memory: BufferMemory,
    pub(crate) device: Rc<DeviceShared>,
    /// Byte size, a multiple of [`COPY_BUFFER_ALIGNMENT`].
    pub(crate) size: u64,
    pub(crate) usage: BufferUsages,
    pub(crate) mapping: Cell<Mapping>,
    /// The last ticket a map was given.
    pub(crate) tickets: Cell<u32>,
    pub(crate) destroyed: Cell<bool>,
    /// Whether the host really created the buffer.
    pub(crate) created: Verdict,
    /// The descriptor's label, which errors about the buffer quote.
    pub(crate) label: Option<String>,
}

impl Drop for BufferShared {
    fn drop(&mut self) {
        // Frees the memory now rather than whenever the host collects the
        // handle; the host defers it past work already submitted.
        if !self.destroyed.get() {
            self.memory.destroy(&self.created);
        }
    }
}

impl BufferShared {
    /// The host buffer, for `operation`; a buffer of the CPU device has
    /// none, so a GPU-only operation on it is an [`Error::CpuDevice`].
    pub(crate) fn raw(&self, operation: &'static str) -> Result<&raw::GpuBuffer> {
        let raw = self.memory.host(operation)?;
        self.created.check(operation)?;
        Ok(raw)
    }

    pub(crate) fn map_state(&self) -> MapState {
        match self.mapping.get() {
            Mapping::Unmapped => MapState::Unmapped,
            Mapping::Pending { .. } => MapState::Pending,
            Mapping::Mapped { .. } => MapState::Mapped,
        }
    }

    /// Checks the buffer is not destroyed and that the host created it.
    pub(crate) fn check_alive(&self, operation: &'static str) -> Result<()> {
        if self.destroyed.get() {
            return Err(Error::Destroyed { operation, argument: self.argument() });
        }
        self.created.check(operation)
    }

    /// Checks the buffer may be used by the GPU: alive and unmapped.
    pub(crate) fn check_gpu_usable(&self, operation: &'static str) -> Result<()> {
        self.check_alive(operation)?;
        match self.map_state() {
            MapState::Unmapped => Ok(()),
            actual => Err(Error::MapState { operation, argument: self.argument(), expected: "unmapped", actual }),
        }
    }

    /// The buffer as errors name it: by its label, until a call that knows
    /// which of its arguments it is names it.
    pub(crate) fn argument(&self) -> crate::Argument {
        crate::Argument::buffer(self.label.clone())
    }

    pub(crate) fn check_usage(&self, operation: &'static str, required: BufferUsages) -> Result<()> {
        if self.usage.intersects(required) {
            Ok(())
        } else {
            Err(Error::MissingUsage { operation, argument: self.argument(), required, actual: self.usage })
        }
    }

    pub(crate) fn check_range(&self, operation: &'static str, start: u64, len: u64) -> Result<u64> {
        match start.checked_add(len) {
            Some(end) if end <= self.size => Ok(end),
            end => Err(Error::OutOfBounds { operation, start, end: end.unwrap_or(u64::MAX), size: self.size }),
        }
    }

    /// Maps `[start, end)` for `operation`, which has checked the range.
    ///
    /// Other tasks run while the host maps, so the buffer is checked again
    /// once it answers: a buffer destroyed meanwhile is `Destroyed` (the host
    /// unmapped it), one unmapped meanwhile is `MapAborted`, and neither is
    /// recorded as mapped. A dropped future unmaps the buffer (see
    /// [`AbandonedMap`]).
    async fn map(&self, operation: &'static str, mode: MapMode, start: u64, end: u64) -> Result<()> {
        self.created.wait(operation).await?;
        self.check_alive(operation)?;
        if self.map_state() != MapState::Unmapped {
            return Err(Error::MapState {
                operation,
                argument: self.argument(),
                expected: "unmapped",
                actual: self.map_state(),
            });
        }
        self.device.flush_writes();
        let ticket = self.tickets.get().wrapping_add(1);
        self.tickets.set(ticket);
        self.mapping.set(Mapping::Pending { ticket });
        // Declared before the host call's future, so a cancelled map drops
        // (and so cancels) the host call first, then unmaps.
        let mut abandoned = AbandonedMap { buffer: self, ticket, armed: true };
        let answer = self.memory.map(mode, start, end).await;
        abandoned.armed = false;
        if self.destroyed.get() {
            return Err(Error::Destroyed { operation, argument: self.argument() });
        }
        if self.mapping.get() != (Mapping::Pending { ticket }) {
            return Err(Error::MapAborted { operation });
        }
        match answer {
            Ok(()) => {
                self.mapping.set(Mapping::Mapped { mode, start, end });
                Ok(())
            }
            Err(e) => {
                self.mapping.set(Mapping::Unmapped);
                Err(e)
            }
        }
    }

    pub(crate) fn unmap(&self) -> Result<()> {
        match self.mapping.get() {
            // WebGPU makes unmapping an unmapped buffer a no-op; the host
            // would fail the call, so it is not made.
            Mapping::Unmapped => Ok(()),
            // As in WebGPU, unmapping aborts a pending map: its `map_async`
            // returns `MapAborted`. The host has been asked to map, so it is
            // told to unmap, which ends its map either way.
            Mapping::Pending { .. } | Mapping::Mapped { .. } => {
                // A buffer made mapped whose creation failed has no host
                // mapping to end; one whose verdict is still pending keeps
                // its mapping until the host has answered.
                if self.created.failed() {
                    self.mapping.set(Mapping::Unmapped);
                    return Ok(());
                }
                self.created.check("unmap")?;
                self.mapping.set(Mapping::Unmapped);
                self.memory.unmap()
            }
        }
    }

    /// Maps `[start, end)` widened to the mapping alignments, reads it and
    /// unmaps. The buffer must have `MAP_READ` and be unmapped.
    pub(crate) async fn read_via_map<T: Pod>(&self, start: u64, end: u64) -> Result<Vec<T>> {
        self.read_rows_via_map("read", start, end - start, end - start, 1).await
    }

    /// Maps what `rows` rows of `row_bytes` bytes cover, the first at `start`
    /// and each `stride` bytes after the one before (widened to the mapping
    /// alignments), reads the rows as packed `T`s and unmaps. `rows` is at
    /// least 1, `row_bytes` a non-zero multiple of `T`'s size and at most
    /// `stride`. The buffer must have `MAP_READ` and be unmapped.
    pub(crate) async fn read_rows_via_map<T: Pod>(
        &self,
        operation: &'static str,
        start: u64,
        stride: u64,
        row_bytes: u64,
        rows: u64,
    ) -> Result<Vec<T>> {
        let end = start + (rows - 1) * stride + row_bytes;
        let (map_start, map_end) = (align_down(start, MAP_ALIGNMENT), align_up(end, COPY_BUFFER_ALIGNMENT));
        self.map(operation, MapMode::Read, map_start, map_end).await?;
        let values = self.read_mapped_rows(operation, start, stride, row_bytes, rows);
        self.unmap()?;
        values
    }
}

/// Unmaps a buffer whose map future was dropped while the host mapped it,
/// so that the buffer does not stay pending for ever. The host's call is
/// cancelled first; the reference host has mapped the buffer by then (its
/// `map-async` maps within the call), and on a host still mapping it the
/// unmap aborts the map, as WebGPU's does. Either way the buffer ends up
/// unmapped, as if the map had completed and been unmapped at once.
struct AbandonedMap<'a> {
    buffer: &'a BufferShared,
    ticket: u32,
    armed: bool,
}

impl Drop for AbandonedMap<'_> {
    fn drop(&mut self) {
        let buffer = self.buffer;
        // An `unmap`, `destroy` or later map has taken the buffer over.
        if self.armed && !buffer.destroyed.get() && buffer.mapping.get() == (Mapping::Pending { ticket: self.ticket }) {
            // Nobody can be told if this fails; the buffer is unmapped in
            // the guest's record either way, which is what later calls check.
            let _ = buffer.unmap();
        }
    }
}

pub(crate) const fn align_up(value: u64, alignment: u64) -> u64 {
    value.div_ceil(alignment) * alignment
}

pub(crate) const fn align_down(value: u64, alignment: u64) -> u64 {
    value / alignment * alignment
}

/// A vector of `n` copies of `value`, or [`Error::OutOfMemory`] where
/// `vec![value; n]` would abort the guest: the CPU device's buffers and
/// reads are as large as the user asks for.
pub(crate) fn try_vec<T: Clone>(n: usize, value: T) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|e| {
        Error::OutOfMemory(format!("guest memory for {n} elements of {}: {e}", std::any::type_name::<T>()))
    })?;
    v.resize(n, value);
    Ok(v)
}

/// `bytes` as a `Vec<T>` (the last element zero-padded), allocated with
/// [`try_vec`].
pub(crate) fn try_pod_vec<T: Pod>(bytes: &[u8]) -> Result<Vec<T>> {
    let size = size_of::<T>();
    if size == 0 {
        return Ok(Vec::new());
    }
    let mut v = try_vec(bytes.len().div_ceil(size), T::zeroed())?;
    bytemuck::cast_slice_mut::<T, u8>(&mut v)[..bytes.len()].copy_from_slice(bytes);
    Ok(v)
}

/// Describes a [`Buffer`]. Corresponds to WebGPU's
/// [`GPUBufferDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpubufferdescriptor),
/// with the size given in elements.
#[derive(Debug, Clone, Default)]
pub struct BufferDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// Number of `T` elements. The byte size is `len * size_of::<T>()`,
    /// rounded up to a multiple of [`COPY_BUFFER_ALIGNMENT`].
    pub len: u64,
    /// What the buffer may be used for.
    pub usage: BufferUsages,
    /// Create the buffer mapped for writing, so it can be filled with
    /// [`BufferSlice::write_mapped`] before its first use.
    pub mapped_at_creation: bool,
}

/// A block of GPU memory holding `T`s. Corresponds to WebGPU's
/// [`GPUBuffer`](https://www.w3.org/TR/webgpu/#gpubuffer).
///
/// # Mapping
/// A buffer is either usable by the GPU (*unmapped*) or by the guest
/// (*mapped*), never both: [`map_async`](BufferSlice::map_async) moves it to
/// mapped once the GPU is done with it, [`unmap`](Self::unmap) hands it back.
/// While mapped, [`get_mapped_range`](BufferSlice::get_mapped_range) reads a
/// copy of its bytes and [`write_mapped`](BufferSlice::write_mapped) writes
/// them. [`read`](Self::read) and [`write`](Self::write) do the whole round
/// trip in one call, also for buffers that are not mappable.
///
/// # Lifetime
/// `Buffer` is a cheap handle: clones share one GPU buffer. Bind groups and
/// command buffers that use it keep it alive. When the last user is gone the
/// buffer is destroyed, freeing its memory once submitted work is done.
/// [`destroy`](Self::destroy) frees it earlier; using it afterwards is an
/// [`Error::Destroyed`].
///
/// Offsets in methods that take a byte offset (like WebGPU's) say so; ranges
/// in [`slice`](Self::slice) are in elements.
pub struct Buffer<T: Pod = u8> {
    pub(crate) shared: Rc<BufferShared>,
    len: u64,
    _element: PhantomData<T>,
}

impl<T: Pod> Clone for Buffer<T> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone(), len: self.len, _element: PhantomData }
    }
}

impl<T: Pod> core::fmt::Debug for Buffer<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Buffer")
            .field("len", &self.len)
            .field("size", &self.shared.size)
            .field("usage", &self.shared.usage)
            .field("map_state", &self.shared.map_state())
            .finish()
    }
}

/// What [`Buffer::id`] returns: an opaque identity, comparable across
/// element types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BufferId(usize);

impl<T: Pod> Buffer<T> {
    const ELEMENT_SIZE: u64 = {
        assert!(size_of::<T>() > 0, "Buffer<T> needs a T of non-zero size");
        size_of::<T>() as u64
    };

    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &BufferDescriptor<'_>) -> Result<Self> {
        Self::create(device, descriptor, "create_buffer")
    }

    pub(crate) fn create(
        device: &Rc<DeviceShared>,
        descriptor: &BufferDescriptor<'_>,
        operation: &'static str,
    ) -> Result<Self> {
        let usage = descriptor.usage;
        if usage.is_empty() {
            return Err(Error::InvalidUsage { usage, reason: "a buffer needs at least one usage" });
        }
        if usage.contains(BufferUsages::MAP_READ)
            && !(usage - BufferUsages::MAP_READ - BufferUsages::COPY_DST).is_empty()
        {
            return Err(Error::InvalidUsage { usage, reason: "MAP_READ combines only with COPY_DST" });
        }
        if usage.contains(BufferUsages::MAP_WRITE)
            && !(usage - BufferUsages::MAP_WRITE - BufferUsages::COPY_SRC).is_empty()
        {
            return Err(Error::InvalidUsage { usage, reason: "MAP_WRITE combines only with COPY_SRC" });
        }
        let max = device.limits.max_buffer_size;
        let size = descriptor
            .len
            .checked_mul(Self::ELEMENT_SIZE)
            .map(|bytes| align_up(bytes, COPY_BUFFER_ALIGNMENT))
            .filter(|&size| size <= max)
            .ok_or(Error::OverLimit {
                what: "buffer size",
                value: descriptor.len.saturating_mul(Self::ELEMENT_SIZE),
                limit: "maxBufferSize",
                max,
            })?;
        let mapped = descriptor.mapped_at_creation;
        let (memory, created) = BufferMemory::create(device, operation, size, usage, mapped, descriptor.label)?;
        let mapping =
            if mapped { Mapping::Mapped { mode: MapMode::Write, start: 0, end: size } } else { Mapping::Unmapped };
        let shared = BufferShared {
            memory,
            device: device.clone(),
            size,
            usage,
            mapping: Cell::new(mapping),
            tickets: Cell::new(0),
            destroyed: Cell::new(false),
            created,
            label: descriptor.label.map(str::to_owned),
        };
        let buffer = Self { shared: Rc::new(shared), len: descriptor.len, _element: PhantomData };
        #[cfg(feature = "trace")]
        crate::trace::with(device, |r| {
            r.buffer(Rc::as_ptr(&buffer.shared) as usize, buffer.shared.size, usage, descriptor.label)
        });
        Ok(buffer)
    }

    /// Number of `T` elements.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the buffer holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Size in bytes, a multiple of [`COPY_BUFFER_ALIGNMENT`].
    pub fn size(&self) -> u64 {
        self.shared.size
    }

    /// What the buffer may be used for.
    pub fn usage(&self) -> BufferUsages {
        self.shared.usage
    }

    /// The buffer's identity: equal for every handle (clone) of one buffer,
    /// different for buffers alive at the same time. A library taking
    /// several buffers uses it to tell an aliased argument from two equal
    /// ones, as wgpu's `Buffer: PartialEq` does; a buffer made after another
    /// is dropped may get the dropped one's id.
    pub fn id(&self) -> BufferId {
        BufferId(Rc::as_ptr(&self.shared) as usize)
    }

    /// Where the buffer is in its mapping life cycle.
    pub fn map_state(&self) -> MapState {
        self.shared.map_state()
    }

    /// Waits until the host has said whether it created the buffer: `Ok`,
    /// or the [`Error::OutOfMemory`] / [`Error::Validation`] it reported.
    ///
    /// [`Device::create_buffer`](crate::Device::create_buffer) returns that
    /// error itself when the host answers at once, as the reference host
    /// does; then this is always `Ok`. On a host that answers later (a
    /// browser), the buffer's `async` calls wait for the answer by
    /// themselves, and its synchronous calls go ahead until it is in.
    pub async fn created(&self) -> Result<()> {
        self.shared.created.wait("created").await
    }

    /// A range of elements. The range is checked where it is used, so an
    /// out-of-range slice is an [`Error::OutOfBounds`] there, never a panic.
    pub fn slice(&self, range: impl RangeBounds<u64>) -> BufferSlice<'_, T> {
        let start = match range.start_bound() {
            Bound::Included(&s) => s,
            Bound::Excluded(&s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&e) => e.saturating_add(1),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => self.len,
        };
        BufferSlice { buffer: self, start, end }
    }

    /// The whole buffer as a binding resource for a bind group entry.
    pub fn as_entire_binding(&self) -> BindingResource<'_> {
        BindingResource::Buffer(self.as_entire_buffer_binding())
    }

    /// The whole buffer as a buffer binding.
    pub fn as_entire_buffer_binding(&self) -> BufferBinding<'_> {
        BufferBinding { buffer: &self.shared, offset: 0, size: None }
    }

    /// Maps the whole buffer; see [`BufferSlice::map_async`].
    pub async fn map_async(&self, mode: MapMode) -> Result<()> {
        self.slice(..).map_async(mode).await
    }

    /// Hands a mapped buffer back to the GPU. Unmapping an unmapped buffer
    /// does nothing, as in WebGPU.
    pub fn unmap(&self) -> Result<()> {
        self.shared.unmap()
    }

    /// Reads the whole buffer; see [`BufferSlice::read`].
    pub async fn read(&self) -> Result<Vec<T>> {
        self.slice(..).read().await
    }

    /// Writes `data` from the start of the buffer; see [`BufferSlice::write`].
    pub async fn write(&self, data: &[T]) -> Result<()> {
        self.slice(..).write(data).await
    }

    /// Frees the buffer's memory now, once submitted work that uses it is
    /// done. Later use of the buffer, by any clone, bind group or command
    /// buffer, is an [`Error::Destroyed`].
    pub fn destroy(&self) {
        if !self.shared.destroyed.replace(true) {
            self.shared.mapping.set(Mapping::Unmapped);
            self.shared.memory.destroy(&self.shared.created);
        }
    }
}

pub(crate) fn check_aligned(operation: &'static str, what: &'static str, value: u64, alignment: u64) -> Result<()> {
    if value.is_multiple_of(alignment) { Ok(()) } else { Err(Error::Misaligned { operation, what, value, alignment }) }
}

pub(crate) fn check_same_device(
    buffer: &BufferShared,
    device: &Rc<DeviceShared>,
    operation: &'static str,
) -> Result<()> {
    same_device(&buffer.device, device, operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_helpers() {
        assert_eq!(align_up(0, 4), 0);
        assert_eq!(align_up(5, 4), 8);
        assert_eq!(align_down(13, 8), 8);
        assert!(check_aligned("op", "offset", 12, 4).is_ok());
        assert_eq!(
            check_aligned("op", "offset", 6, 4),
            Err(Error::Misaligned { operation: "op", what: "offset", value: 6, alignment: 4 })
        );
    }

    #[test]
    fn unaligned_bytes_cast_by_copy() {
        // An odd offset into a byte vector is never 4-aligned, which a
        // zero-copy cast to u32 would reject.
        let bytes: Vec<u8> = (0u8..9).collect();
        let values: Vec<u32> = try_pod_vec(&bytes[1..9]).unwrap();
        assert_eq!(values, vec![u32::from_le_bytes([1, 2, 3, 4]), u32::from_le_bytes([5, 6, 7, 8])]);
    }
}

//! Buffers laid out as a WGSL struct whose last member is a runtime-sized
//! array, like `struct Data { count: u32, items: array<vec4f> }`: a fixed
//! header, then as many elements as the buffer holds.

use std::marker::PhantomData;

use bytemuck::Pod;

use crate::buffer::{try_vec, try_with_capacity};
use crate::{Buffer, BufferDescriptor, BufferInitDescriptor, Device, Error, Result, Storage, StorageMut};

/// What a `var<storage>` of a struct with members before its runtime-sized
/// array holds: a header `H` (those members, padded to the array's offset)
/// followed by elements `E`. The `T` of the [`Storage`] and [`StorageMut`]
/// fields `#[shader]` generates for such a variable; a [`HeaderBuffer<H, E>`]
/// makes them.
pub struct WithArray<H, E>(PhantomData<fn() -> (H, E)>);

impl<H, E> Clone for WithArray<H, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H, E> Copy for WithArray<H, E> {}

impl<H, E> core::fmt::Debug for WithArray<H, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "WithArray<{}, {}>", std::any::type_name::<H>(), std::any::type_name::<E>())
    }
}

/// A buffer holding a header `H` at byte 0 and `len` elements `E` from byte
/// `size_of::<H>()` on, one `size_of::<E>()` apart: the WGSL layout of a
/// struct that ends in a runtime-sized array, when `H` is the struct
/// `#[shader]` generates for the members before the array (its size is the
/// array's offset) and `E` the array's element type (its size is the stride).
///
/// ```ignore
/// // struct Data { count: u32, scale: f32, items: array<vec4f> }
/// // @group(0) @binding(0) var<storage, read_write> data: Data;
/// let data = HeaderBuffer::new_init(&device, &HeaderBufferInitDescriptor {
///     label: None,
///     header: &shader::Data { count: 3, scale: 2.0, ..Default::default() },
///     elements: &[[1.0, 2.0, 3.0, 4.0]; 3],
///     usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
/// })?;
/// let bindings = shader::Bindings { data: data.as_storage_mut() };
/// ```
///
/// The shader's `arrayLength` is `len`. A WGSL struct of nothing but a
/// runtime-sized array binds a plain [`Buffer`] of the elements instead.
///
/// The buffer is exactly header plus elements, so that `arrayLength` is
/// `len`; WebGPU's binding rules then apply to that size, and binding a
/// buffer that breaks them is an [`Error::BindGroup`] or
/// [`Error::Misaligned`], never a trap: a storage binding must be a multiple
/// of 4 bytes (an odd number of `f16` elements is not), and at least the
/// struct's size with one element, rounded up to the struct's alignment.
/// So `len` 0 never binds, and for `struct Wide { v: vec4f, items:
/// array<u32> }` (16-byte header, 16-byte alignment, 4-byte elements) `len`
/// must be at least 4: 16 + 4 bytes rounds up to 32.
pub struct HeaderBuffer<H: Pod, E: Pod> {
    bytes: Buffer<u8>,
    len: u64,
    _layout: PhantomData<fn() -> (H, E)>,
}

impl<H: Pod, E: Pod> Clone for HeaderBuffer<H, E> {
    fn clone(&self) -> Self {
        Self { bytes: self.bytes.clone(), len: self.len, _layout: PhantomData }
    }
}

impl<H: Pod, E: Pod> core::fmt::Debug for HeaderBuffer<H, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HeaderBuffer").field("len", &self.len).field("bytes", &self.bytes).finish()
    }
}

/// Describes a [`HeaderBuffer`] created with contents, for
/// [`HeaderBuffer::new_init`].
#[derive(Debug, Clone)]
pub struct HeaderBufferInitDescriptor<'a, H, E> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The header.
    pub header: &'a H,
    /// The elements after it; also the buffer's length.
    pub elements: &'a [E],
    /// What the buffer may be used for.
    pub usage: crate::BufferUsages,
}

impl<H: Pod, E: Pod> HeaderBuffer<H, E> {
    /// Byte offset of the first element: the header's size.
    pub const ARRAY_OFFSET: u64 = size_of::<H>() as u64;

    const ELEMENT_SIZE: u64 = {
        assert!(size_of::<E>() > 0, "HeaderBuffer<H, E> needs an E of non-zero size");
        size_of::<E>() as u64
    };

    /// A buffer of a zeroed header and `descriptor.len` zeroed elements.
    pub fn new(device: &Device, descriptor: &BufferDescriptor<'_>) -> Result<Self> {
        let size = Self::byte_size(device, descriptor.len)?;
        let bytes = device.create_buffer::<u8>(&BufferDescriptor { len: size, ..descriptor.clone() })?;
        Ok(Self { bytes, len: descriptor.len, _layout: PhantomData })
    }

    /// A buffer holding `descriptor.header` and then `descriptor.elements`.
    pub fn new_init(device: &Device, descriptor: &HeaderBufferInitDescriptor<'_, H, E>) -> Result<Self> {
        let len = descriptor.elements.len() as u64;
        let size = Self::byte_size(device, len)?;
        let contents = Self::bytes_of(descriptor.header, descriptor.elements, size)?;
        let bytes = device.create_buffer_init(&BufferInitDescriptor {
            label: descriptor.label,
            contents: &contents,
            usage: descriptor.usage,
        })?;
        Ok(Self { bytes, len, _layout: PhantomData })
    }

    /// Bytes of a header and `len` elements, or [`Error::OverLimit`] where
    /// that does not fit a buffer on `device`.
    fn byte_size(device: &Device, len: u64) -> Result<u64> {
        let max = device.limits().max_buffer_size;
        len.checked_mul(Self::ELEMENT_SIZE)
            .and_then(|elements| elements.checked_add(Self::ARRAY_OFFSET))
            .filter(|&size| size <= max)
            .ok_or(Error::OverLimit {
                what: "buffer size",
                value: len.saturating_mul(Self::ELEMENT_SIZE).saturating_add(Self::ARRAY_OFFSET),
                limit: "maxBufferSize",
                max,
            })
    }

    /// The header and elements as one byte vector, allocated fallibly: the
    /// size comes from the caller.
    fn bytes_of(header: &H, elements: &[E], size: u64) -> Result<Vec<u8>> {
        let mut contents = try_with_capacity::<u8>("HeaderBuffer::new_init", size)?;
        contents.extend_from_slice(bytemuck::bytes_of(header));
        contents.extend_from_slice(bytemuck::cast_slice(elements));
        Ok(contents)
    }

    /// Number of elements after the header.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there are no elements after the header.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffer's bytes, for copies and raw bindings.
    pub fn buffer(&self) -> &Buffer<u8> {
        &self.bytes
    }

    /// The whole buffer as a read-only `var<storage, read>` binding.
    pub fn as_storage(&self) -> Storage<'_, WithArray<H, E>> {
        Storage::from_resource(self.bytes.as_entire_binding())
    }

    /// The whole buffer as a `var<storage, read_write>` binding.
    pub fn as_storage_mut(&self) -> StorageMut<'_, WithArray<H, E>> {
        StorageMut::from_resource(self.bytes.as_entire_binding())
    }

    /// Reads the header and the elements; see [`BufferSlice::read`](crate::BufferSlice::read).
    pub async fn read(&self) -> Result<(H, Vec<E>)> {
        let bytes = self.bytes.read().await?;
        let offset = Self::ARRAY_OFFSET as usize;
        // The buffer was created with this many bytes, so it fits in memory once read.
        let expected = self.len * Self::ELEMENT_SIZE + Self::ARRAY_OFFSET;
        let expected = match usize::try_from(expected) {
            Ok(expected) if bytes.len() >= expected => expected,
            _ => {
                return Err(Error::Internal(format!(
                    "HeaderBuffer::read: {} bytes came back, {expected} expected",
                    bytes.len()
                )));
            }
        };
        let header = bytemuck::pod_read_unaligned(&bytes[..offset]);
        let mut elements = try_vec(self.len as usize, E::zeroed())?;
        bytemuck::cast_slice_mut::<E, u8>(&mut elements).copy_from_slice(&bytes[offset..expected]);
        Ok((header, elements))
    }

    /// Writes the header; see [`BufferSlice::write`](crate::BufferSlice::write).
    pub async fn write_header(&self, header: &H) -> Result<()> {
        self.bytes.slice(..Self::ARRAY_OFFSET).write(bytemuck::bytes_of(header)).await
    }

    /// Writes `elements` from element `start` on; see
    /// [`BufferSlice::write`](crate::BufferSlice::write). They must fit in
    /// the buffer's `len`.
    pub async fn write_elements(&self, start: u64, elements: &[E]) -> Result<()> {
        let end =
            start.checked_add(elements.len() as u64).filter(|&end| end <= self.len).ok_or(Error::OutOfBounds {
                operation: "HeaderBuffer::write_elements",
                start: start.saturating_mul(Self::ELEMENT_SIZE),
                end: start.saturating_add(elements.len() as u64).saturating_mul(Self::ELEMENT_SIZE),
                size: self.len * Self::ELEMENT_SIZE,
            })?;
        let byte = |i: u64| Self::ARRAY_OFFSET + i * Self::ELEMENT_SIZE;
        self.bytes.slice(byte(start)..byte(end)).write(bytemuck::cast_slice(elements)).await
    }
}

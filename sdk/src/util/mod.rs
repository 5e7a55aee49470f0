//! Helpers beyond WebGPU, kept apart from the spec types as wgpu keeps
//! its own in `wgpu::util`.
//!
//! WebGPU itself moves data with queue writes, copies and mapping; these
//! do the usual sequences in one call, each checked like the calls it
//! makes. They are reachable from the spec types where the documentation
//! promises them, and their types from here and the crate root:
//!
//! - [`Device::create_buffer_init`](crate::Device::create_buffer_init)
//!   with a [`BufferInitDescriptor`]: a buffer made with its contents
//!   (mapped at creation, filled, unmapped);
//! - [`Buffer::read`](crate::Buffer::read) /
//!   [`BufferSlice::read`](crate::BufferSlice::read) and `write`: a read
//!   by mapping, or through a staging buffer the device keeps for the next
//!   read (at most 64 MiB), and a write through the queue or a mapping;
//! - [`Texture::read_pixels`](crate::Texture::read_pixels): a texture
//!   region read back with the row padding removed;
//! - [`QuerySet::read`](crate::QuerySet::read): resolved query values;
//! - [`HeaderBuffer`]: a buffer laid out as a WGSL struct that ends in a
//!   runtime-sized array.

mod header_buffer;
mod init;
pub(crate) mod staging;

pub use header_buffer::{HeaderBuffer, HeaderBufferInitDescriptor, WithArray};
pub use init::BufferInitDescriptor;

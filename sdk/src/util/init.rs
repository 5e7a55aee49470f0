//! [`Device::create_buffer_init`](crate::Device::create_buffer_init): a
//! buffer made with its contents, as wgpu's `DeviceExt::create_buffer_init`.

use std::rc::Rc;

use bytemuck::Pod;

use crate::device::DeviceShared;
use crate::{Buffer, BufferDescriptor, BufferUsages, Result};

/// Describes a [`Buffer`] created with contents, for
/// [`Device::create_buffer_init`](crate::Device::create_buffer_init).
#[derive(Debug, Clone)]
pub struct BufferInitDescriptor<'a, T> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The initial contents; also the buffer's length.
    pub contents: &'a [T],
    /// What the buffer may be used for.
    pub usage: BufferUsages,
}

impl<T> Default for BufferInitDescriptor<'_, T> {
    fn default() -> Self {
        Self { label: None, contents: &[], usage: BufferUsages::empty() }
    }
}

impl<T: Pod> Buffer<T> {
    pub(crate) fn new_init(device: &Rc<DeviceShared>, descriptor: &BufferInitDescriptor<'_, T>) -> Result<Self> {
        let contents = descriptor.contents;
        let buffer = Self::create(
            device,
            &BufferDescriptor {
                label: descriptor.label,
                len: contents.len() as u64,
                usage: descriptor.usage,
                mapped_at_creation: !contents.is_empty(),
            },
            "create_buffer_init",
        )?;
        if !contents.is_empty() {
            // Traced by `write_mapped`.
            buffer.slice(..).write_mapped(contents)?;
            buffer.unmap()?;
            if !buffer.usage().contains(BufferUsages::MAP_WRITE) {
                // The host copies the contents in from a staging buffer at
                // the next submit.
                device.note_unflushed_writes();
            }
        }
        Ok(buffer)
    }
}

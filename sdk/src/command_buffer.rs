//! [`CommandBuffer`]: WebGPU's `GPUCommandBuffer`.

use std::collections::HashSet;
use std::rc::Rc;

use crate::Result;
use crate::backend::Recorded;
use crate::bind_group::BindGroupShared;
use crate::buffer::BufferShared;
use crate::device::DeviceShared;
use crate::texture::TextureShared;

/// The buffers and bind groups recorded work uses, each once, so that submit
/// can check them and they stay alive until then.
#[derive(Default)]
pub(crate) struct UsedResources {
    buffers: Vec<Rc<BufferShared>>,
    groups: Vec<Rc<BindGroupShared>>,
    textures: Vec<Rc<TextureShared>>,
    seen: HashSet<*const ()>,
}

impl UsedResources {
    pub(crate) fn add_buffer(&mut self, buffer: &Rc<BufferShared>) {
        if self.seen.insert(Rc::as_ptr(buffer).cast()) {
            self.buffers.push(buffer.clone());
        }
    }

    pub(crate) fn add_texture(&mut self, texture: &Rc<TextureShared>) {
        if self.seen.insert(Rc::as_ptr(texture).cast()) {
            self.textures.push(texture.clone());
        }
    }

    pub(crate) fn add_group(&mut self, group: &Rc<BindGroupShared>) {
        if self.seen.insert(Rc::as_ptr(group).cast()) {
            self.groups.push(group.clone());
        }
    }

    /// Adds everything `other` uses.
    pub(crate) fn extend(&mut self, other: &UsedResources) {
        other.buffers.iter().for_each(|b| self.add_buffer(b));
        other.groups.iter().for_each(|g| self.add_group(g));
        other.textures.iter().for_each(|t| self.add_texture(t));
    }

    /// WebGPU fails a submit that uses a destroyed or mapped buffer, and the
    /// reference host panics on a failed submit, so the guest checks first.
    pub(crate) fn check_submittable(&self) -> Result<()> {
        let bound = self.groups.iter().flat_map(|g| g.buffers.iter().map(|b| &b.buffer));
        for buffer in self.buffers.iter().chain(bound) {
            buffer.check_gpu_usable("submit")?;
        }
        // Destroyed textures fail a submit the same way.
        for texture in &self.textures {
            texture.check_alive("submit")?;
        }
        for group in &self.groups {
            group.textures.check_submittable()?;
        }
        Ok(())
    }
}

/// Recorded GPU work, ready for [`Queue::submit`](crate::Queue::submit).
/// Corresponds to WebGPU's
/// [`GPUCommandBuffer`](https://www.w3.org/TR/webgpu/#gpucommandbuffer).
///
/// Made by [`CommandEncoder::finish`](crate::CommandEncoder::finish), which
/// has already had the host validate it. Submitting consumes it, as WebGPU
/// allows a command buffer to run once.
pub struct CommandBuffer {
    pub(crate) recorded: Recorded,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) used: UsedResources,
}

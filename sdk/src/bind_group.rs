//! [`BindGroup`]: WebGPU's `GPUBindGroup`.

use std::rc::Rc;

use crate::bind_group_layout::{BindGroupLayoutShared, LayoutOrigin};
use crate::bindings::webgpu as raw;
use crate::buffer::{BufferShared, check_aligned, check_same_device};
use crate::device::{DeviceShared, same_device};
use crate::{BindGroupLayout, BindingType, BufferBindingType, BufferUsages, Error, PipelineLayout, Result};

/// A range of a buffer bound to a shader. Corresponds to WebGPU's
/// [`GPUBufferBinding`](https://www.w3.org/TR/webgpu/#dictdef-gpubufferbinding).
/// Made by [`Buffer::as_entire_buffer_binding`](crate::Buffer::as_entire_buffer_binding)
/// or [`BufferSlice::as_binding`](crate::BufferSlice::as_binding).
#[derive(Clone, Copy)]
pub struct BufferBinding<'a> {
    pub(crate) buffer: &'a Rc<BufferShared>,
    /// Byte offset of the range.
    pub offset: u64,
    /// Byte size of the range; `None` for the rest of the buffer.
    pub size: Option<u64>,
}

/// What a bind group entry binds. Corresponds to WebGPU's
/// [`GPUBindingResource`](https://www.w3.org/TR/webgpu/#typedefdef-gpubindingresource).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum BindingResource<'a> {
    /// A range of a buffer.
    Buffer(BufferBinding<'a>),
    /// A sampler.
    Sampler(&'a crate::Sampler),
    /// A texture view, sampled or as a storage texture.
    TextureView(&'a crate::TextureView),
}

/// One binding of a [`BindGroup`]. Corresponds to WebGPU's
/// [`GPUBindGroupEntry`](https://www.w3.org/TR/webgpu/#dictdef-gpubindgroupentry).
#[derive(Clone, Copy)]
pub struct BindGroupEntry<'a> {
    /// The `@binding` number.
    pub binding: u32,
    /// What it binds.
    pub resource: BindingResource<'a>,
}

/// Describes a [`BindGroup`]. Corresponds to WebGPU's
/// [`GPUBindGroupDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpubindgroupdescriptor).
///
/// It has no `Default`, because a bind group cannot exist without its
/// layout; [`BindGroupDescriptor::new`] fills in the rest.
#[derive(Clone, Copy)]
pub struct BindGroupDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The layout the group follows.
    pub layout: &'a BindGroupLayout,
    /// One entry per binding of the layout.
    pub entries: &'a [BindGroupEntry<'a>],
}

impl<'a> BindGroupDescriptor<'a> {
    /// A descriptor without a label.
    pub fn new(layout: &'a BindGroupLayout, entries: &'a [BindGroupEntry<'a>]) -> Self {
        Self { label: None, layout, entries }
    }
}

/// A buffer range bound in a group, kept for checks at dispatch and submit.
pub(crate) struct BoundBuffer {
    pub(crate) buffer: Rc<BufferShared>,
    /// `None` when the layout is derived and the guest cannot tell.
    pub(crate) writable: Option<bool>,
    pub(crate) binding: u32,
    pub(crate) offset: u64,
    pub(crate) size: u64,
    /// Set for entries with a dynamic offset, with the offset alignment.
    pub(crate) dynamic_alignment: Option<u64>,
}

pub(crate) struct BindGroupShared {
    pub(crate) raw: raw::GpuBindGroup,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) layout: Rc<BindGroupLayoutShared>,
    /// In binding order, which is also the order of dynamic offsets.
    pub(crate) buffers: Vec<BoundBuffer>,
    pub(crate) textures: crate::texture_binding::BoundTextures,
}

impl BindGroupShared {
    pub(crate) fn dynamic_count(&self) -> usize {
        self.buffers.iter().filter(|b| b.dynamic_alignment.is_some()).count()
    }
}

/// The groups a pass or bundle has set, by `@group` index, each with its
/// dynamic offsets.
pub(crate) type GroupSlots = [Option<(Rc<BindGroupShared>, Vec<u32>)>];

/// WebGPU's `setBindGroup` checks, shared by compute passes, render passes
/// and bundle encoders. `Ok(false)` when `slots[index]` already holds the
/// group with these offsets, so the caller can skip the host call.
pub(crate) fn check_set_bind_group(
    device: &Rc<DeviceShared>,
    slots: &GroupSlots,
    index: u32,
    group: &Rc<BindGroupShared>,
    offsets: &[u32],
) -> Result<bool> {
    const OP: &str = "set_bind_group";
    same_device(&group.device, device, OP)?;
    let Some(slot) = slots.get(index as usize) else {
        return Err(Error::OverLimit {
            what: "bind group index",
            value: index.into(),
            limit: "maxBindGroups",
            max: slots.len() as u64,
        });
    };
    if offsets.len() != group.dynamic_count() {
        return Err(Error::BindGroup(format!(
            "{} dynamic offsets given, but the group's layout has {} dynamic entries",
            offsets.len(),
            group.dynamic_count()
        )));
    }
    let dynamic = group.buffers.iter().filter_map(|b| b.dynamic_alignment.map(|a| (b, a)));
    for ((bound, alignment), &offset) in dynamic.zip(offsets) {
        check_aligned(OP, "dynamic offset", offset.into(), alignment)?;
        bound.buffer.check_range(OP, bound.offset + u64::from(offset), bound.size)?;
    }
    Ok(!slot.as_ref().is_some_and(|(g, o)| Rc::ptr_eq(g, group) && o == offsets))
}

/// WebGPU's bind group checks at a dispatch or draw, for what the guest
/// knows: with an explicit layout every group it has must be set and
/// compatible (`missing` makes the error for an unset one); with an auto
/// layout the guest does not know which groups the pipeline uses, but a
/// group from another pipeline's derived layout cannot fit.
pub(crate) fn check_bound_groups(
    layout: Option<&PipelineLayout>,
    pipeline_id: u64,
    slots: &GroupSlots,
    missing: fn(String) -> Error,
) -> Result<()> {
    match layout {
        Some(layout) => {
            for (index, (expected, slot)) in layout.groups.iter().zip(slots).enumerate() {
                match slot {
                    None => {
                        return Err(missing(format!(
                            "bind group {index} is not set, and the pipeline's layout needs it"
                        )));
                    }
                    Some((group, _)) if !group.layout.equivalent(expected) => {
                        return Err(Error::BindGroup(format!(
                            "bind group {index} does not match the pipeline's layout for group {index}"
                        )));
                    }
                    _ => {}
                }
            }
        }
        None => {
            for (index, (group, _)) in slots.iter().enumerate().filter_map(|(i, g)| Some((i, g.as_ref()?))) {
                if matches!(group.layout.origin, LayoutOrigin::Derived { pipeline: owner } if owner != pipeline_id) {
                    return Err(Error::BindGroup(format!(
                        "bind group {index} uses the auto layout of another pipeline; an auto layout fits only its own pipeline"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Resources bound together for a shader's `@group`. Corresponds to WebGPU's
/// [`GPUBindGroup`](https://www.w3.org/TR/webgpu/#gpubindgroup).
///
/// The group keeps its buffers alive. It is checked against its layout when
/// created, for every layout the guest knows the entries of; a cheap handle,
/// clones share the group.
#[derive(Clone)]
pub struct BindGroup {
    pub(crate) shared: Rc<BindGroupShared>,
}

impl BindGroup {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &BindGroupDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_bind_group";
        let gpu = device.raw(OP)?;
        let layout = &descriptor.layout.shared;
        same_device(&layout.device, device, OP)?;
        let entries = crate::bind_group_layout::sorted_by_binding(descriptor.entries, |e| e.binding);
        if let Some(pair) = entries.windows(2).find(|w| w[0].binding == w[1].binding) {
            return Err(Error::BindGroup(format!("binding {} appears twice", pair[0].binding)));
        }
        let layout_entries = layout.explicit_entries();
        if let Some(missing) =
            layout_entries.and_then(|list| list.iter().find(|l| !entries.iter().any(|e| e.binding == l.binding)))
        {
            return Err(Error::BindGroup(format!("the layout's binding {} has no entry", missing.binding)));
        }

        let limits = &device.limits;
        let mut buffers = Vec::with_capacity(entries.len());
        let mut textures = crate::texture_binding::BoundTextures::default();
        for entry in &entries {
            let BindingResource::Buffer(binding) = entry.resource else {
                let layout_ty = match layout_entries {
                    Some(list) => Some(
                        list.iter()
                            .find(|l| l.binding == entry.binding)
                            .ok_or_else(|| Error::BindGroup(format!("binding {} is not in the layout", entry.binding)))?
                            .ty,
                    ),
                    None => None,
                };
                textures.add(device, entry.binding, entry.resource, layout_ty)?;
                continue;
            };
            let buffer = binding.buffer;
            check_same_device(buffer, device, OP)?;
            let layout_entry = match layout_entries {
                Some(list) => Some(
                    list.iter()
                        .find(|l| l.binding == entry.binding)
                        .ok_or_else(|| Error::BindGroup(format!("binding {} is not in the layout", entry.binding)))?,
                ),
                None => None,
            };
            if binding.offset > buffer.size {
                return Err(Error::OutOfBounds {
                    operation: OP,
                    start: binding.offset,
                    end: binding.offset,
                    size: buffer.size,
                });
            }
            let size = binding.size.unwrap_or(buffer.size - binding.offset);
            buffer.check_range(OP, binding.offset, size)?;
            if size == 0 {
                return Err(Error::BindGroup(format!("binding {}: a buffer binding cannot be empty", entry.binding)));
            }
            let (writable, dynamic_alignment) = match layout_entry.map(|l| l.ty) {
                Some(BindingType::Buffer { ty, has_dynamic_offset, min_binding_size }) => {
                    let (usage, alignment, max, limit) = match ty {
                        BufferBindingType::Uniform => (
                            BufferUsages::UNIFORM,
                            limits.min_uniform_buffer_offset_alignment,
                            limits.max_uniform_buffer_binding_size,
                            "maxUniformBufferBindingSize",
                        ),
                        BufferBindingType::Storage { .. } => (
                            BufferUsages::STORAGE,
                            limits.min_storage_buffer_offset_alignment,
                            limits.max_storage_buffer_binding_size,
                            "maxStorageBufferBindingSize",
                        ),
                    };
                    buffer.check_usage(OP, usage).map_err(|e| e.named(format!("binding {}", entry.binding)))?;
                    check_aligned(OP, "binding offset", binding.offset, alignment.into())?;
                    if size > max {
                        return Err(Error::OverLimit { what: "buffer binding size", value: size, limit, max });
                    }
                    if let BufferBindingType::Storage { .. } = ty {
                        check_aligned(OP, "storage binding size", size, 4)?;
                    }
                    if let Some(min) = min_binding_size.filter(|min| size < min.get()) {
                        return Err(Error::BindGroup(format!(
                            "binding {}: {size} bytes bound, but the layout needs at least {min}",
                            entry.binding
                        )));
                    }
                    let writable = ty == BufferBindingType::Storage { read_only: false };
                    (Some(writable), has_dynamic_offset.then_some(u64::from(alignment)))
                }
                None => (None, None),
                Some(other) => {
                    return Err(Error::BindGroup(format!(
                        "binding {}: a buffer given where the layout has {other:?}",
                        entry.binding
                    )));
                }
            };
            buffers.push(BoundBuffer {
                buffer: buffer.clone(),
                writable,
                binding: entry.binding,
                offset: binding.offset,
                size,
                dynamic_alignment,
            });
        }

        let raw_entries = entries
            .iter()
            .map(|entry| {
                let BindingResource::Buffer(binding) = entry.resource else {
                    return Ok(raw::GpuBindGroupEntry {
                        binding: entry.binding,
                        resource: crate::texture_binding::resource_to_raw(&entry.resource)
                            .ok_or(Error::BindGroup("unknown binding resource".into()))?,
                    });
                };
                Ok(raw::GpuBindGroupEntry {
                    binding: entry.binding,
                    resource: raw::GpuBindingResource::GpuBufferBinding(raw::GpuBufferBinding {
                        buffer: binding.buffer.raw(OP)?,
                        offset: Some(binding.offset),
                        size: binding.size,
                    }),
                })
            })
            .collect::<Result<_>>()?;
        let raw = gpu.create_bind_group(&raw::GpuBindGroupDescriptor {
            layout: &layout.raw,
            entries: raw_entries,
            label: descriptor.label.map(str::to_owned),
        });
        let group = Self {
            shared: Rc::new(BindGroupShared { raw, device: device.clone(), layout: layout.clone(), buffers, textures }),
        };
        #[cfg(feature = "trace")]
        crate::trace::with(device, |r| {
            let buffers = entries.iter().filter_map(|e| match e.resource {
                BindingResource::Buffer(b) => Some((e.binding, Rc::as_ptr(b.buffer) as usize, b.offset, b.size)),
                _ => None,
            });
            r.bind_group(Rc::as_ptr(&group.shared) as usize, layout, buffers)
        });
        Ok(group)
    }
}

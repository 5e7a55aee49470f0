//! [`BindGroupLayout`]: WebGPU's `GPUBindGroupLayout`.

use std::num::NonZeroU64;
use std::rc::Rc;

use crate::bindings::webgpu as raw;
use crate::device::DeviceShared;
use crate::flags::flags;
use crate::limits::check_limit;
use crate::{Error, Result};

flags! {
    /// Shader stages that see a binding. Corresponds to WebGPU's
    /// [`GPUShaderStage`](https://www.w3.org/TR/webgpu/#typedefdef-gpushaderstageflags).
    pub struct ShaderStages {
        /// The vertex stage.
        const VERTEX = 0;
        /// The fragment stage.
        const FRAGMENT = 1;
        /// The compute stage.
        const COMPUTE = 2;
    }
}

/// How a shader sees a buffer. Corresponds to WebGPU's
/// [`GPUBufferBindingType`](https://www.w3.org/TR/webgpu/#enumdef-gpubufferbindingtype).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BufferBindingType {
    /// `var<uniform>`; the buffer needs `UNIFORM`.
    Uniform,
    /// `var<storage, read>` (`read_only`) or `var<storage, read_write>`; the
    /// buffer needs `STORAGE`.
    Storage {
        /// Whether the shader only reads the buffer.
        read_only: bool,
    },
}

impl Default for BufferBindingType {
    fn default() -> Self {
        Self::Storage { read_only: false }
    }
}

/// What a binding holds. WebGPU's
/// [`GPUBindGroupLayoutEntry`](https://www.w3.org/TR/webgpu/#dictdef-gpubindgrouplayoutentry)
/// members, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BindingType {
    /// A buffer. Corresponds to
    /// [`GPUBufferBindingLayout`](https://www.w3.org/TR/webgpu/#dictdef-gpubufferbindinglayout).
    Buffer {
        /// Uniform, read-only storage or read-write storage.
        ty: BufferBindingType,
        /// Whether the offset is given when the group is set, as a dynamic
        /// offset.
        has_dynamic_offset: bool,
        /// The smallest buffer binding this entry accepts, in bytes.
        min_binding_size: Option<NonZeroU64>,
    },
    /// A sampler. Corresponds to
    /// [`GPUSamplerBindingLayout`](https://www.w3.org/TR/webgpu/#dictdef-gpusamplerbindinglayout).
    Sampler(crate::SamplerBindingType),
    /// A sampled texture view (`texture_2d<f32>`, ...). Corresponds to
    /// [`GPUTextureBindingLayout`](https://www.w3.org/TR/webgpu/#dictdef-gputexturebindinglayout).
    Texture {
        /// What the shader reads; the view's format must fit it.
        sample_type: crate::TextureSampleType,
        /// The view's dimension.
        view_dimension: crate::TextureViewDimension,
        /// Whether the texture is multisampled (`texture_multisampled_2d`).
        multisampled: bool,
    },
    /// A storage texture view (`texture_storage_2d<rgba8unorm, write>`, ...).
    /// Corresponds to
    /// [`GPUStorageTextureBindingLayout`](https://www.w3.org/TR/webgpu/#dictdef-gpustoragetexturebindinglayout).
    ///
    /// The reference host cannot create explicit layouts with these, so
    /// [`Device::create_bind_group_layout`](crate::Device::create_bind_group_layout)
    /// refuses them with an [`Error::BindGroup`]; pipelines with an auto
    /// layout, such as the ones `#[wasi_webgpu::shader]` generates for
    /// entry points with storage textures, use them.
    StorageTexture {
        /// Write-only, read-only or read-write.
        access: crate::StorageTextureAccess,
        /// The view's format.
        format: crate::TextureFormat,
        /// The view's dimension.
        view_dimension: crate::TextureViewDimension,
    },
}

/// One binding of a [`BindGroupLayout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BindGroupLayoutEntry {
    /// The `@binding` number.
    pub binding: u32,
    /// The stages that see it.
    pub visibility: ShaderStages,
    /// What it holds.
    pub ty: BindingType,
}

/// Describes a [`BindGroupLayout`]. Corresponds to WebGPU's
/// [`GPUBindGroupLayoutDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpubindgrouplayoutdescriptor).
#[derive(Debug, Clone, Default)]
pub struct BindGroupLayoutDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The bindings, in any order.
    pub entries: &'a [BindGroupLayoutEntry],
}

/// Where a layout's entries come from, which decides what it is compatible
/// with.
#[derive(Debug, PartialEq)]
pub(crate) enum LayoutOrigin {
    /// Created explicitly; compatible with any layout with equal entries.
    /// Entries are sorted by binding.
    Explicit(Vec<BindGroupLayoutEntry>),
    /// Derived by the host from an `auto` pipeline's shader; compatible only
    /// with that pipeline, as WebGPU specifies. The guest does not know its
    /// entries.
    Derived { pipeline: u64 },
}

pub(crate) struct BindGroupLayoutShared {
    pub(crate) raw: raw::GpuBindGroupLayout,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) origin: LayoutOrigin,
}

impl BindGroupLayoutShared {
    /// WebGPU's group-equivalence.
    pub(crate) fn equivalent(self: &Rc<Self>, other: &Rc<Self>) -> bool {
        Rc::ptr_eq(self, other)
            || matches!((&self.origin, &other.origin), (LayoutOrigin::Explicit(a), LayoutOrigin::Explicit(b)) if a == b)
    }

    pub(crate) fn explicit_entries(&self) -> Option<&[BindGroupLayoutEntry]> {
        match &self.origin {
            LayoutOrigin::Explicit(entries) => Some(entries),
            LayoutOrigin::Derived { .. } => None,
        }
    }
}

/// The shape of a [`BindGroup`](crate::BindGroup): which bindings it has and
/// what each holds. Corresponds to WebGPU's
/// [`GPUBindGroupLayout`](https://www.w3.org/TR/webgpu/#gpubindgrouplayout).
///
/// Made explicitly with
/// [`Device::create_bind_group_layout`](crate::Device::create_bind_group_layout),
/// or derived from a pipeline created with an `auto` layout through
/// [`ComputePipeline::get_bind_group_layout`](crate::ComputePipeline::get_bind_group_layout).
/// Explicit layouts with equal entries are interchangeable; a derived layout
/// fits only its own pipeline. A cheap handle: clones share the layout.
#[derive(Clone)]
pub struct BindGroupLayout {
    pub(crate) shared: Rc<BindGroupLayoutShared>,
}

impl BindGroupLayout {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &BindGroupLayoutDescriptor<'_>) -> Result<Self> {
        let gpu = device.raw("create_bind_group_layout")?;
        let limits = &device.limits;
        let entries = sorted_by_binding(descriptor.entries, |e| e.binding);
        if let Some(pair) = entries.windows(2).find(|w| w[0].binding == w[1].binding) {
            return Err(Error::BindGroup(format!("binding {} appears twice in the layout", pair[0].binding)));
        }
        let (mut dynamic_uniform, mut dynamic_storage, mut uniform, mut storage) = (0, 0, 0, 0);
        let mut texture_counts = crate::texture_binding::TextureCounts::default();
        for entry in &entries {
            if entry.binding >= limits.max_bindings_per_bind_group {
                return Err(Error::OverLimit {
                    what: "binding number",
                    value: entry.binding.into(),
                    limit: "maxBindingsPerBindGroup",
                    max: limits.max_bindings_per_bind_group.into(),
                });
            }
            let BindingType::Buffer { ty, has_dynamic_offset, .. } = entry.ty else {
                crate::texture_binding::check_layout_entry(device, entry, &mut texture_counts)?;
                continue;
            };
            match ty {
                BufferBindingType::Uniform => {
                    uniform += 1;
                    dynamic_uniform += u32::from(has_dynamic_offset);
                }
                BufferBindingType::Storage { read_only } => {
                    storage += 1;
                    dynamic_storage += u32::from(has_dynamic_offset);
                    if !read_only && entry.visibility.contains(ShaderStages::VERTEX) {
                        return Err(Error::BindGroup(format!(
                            "binding {}: a read-write storage buffer cannot be visible to the vertex stage",
                            entry.binding
                        )));
                    }
                }
            }
        }
        let counts = [
            (
                dynamic_uniform,
                "maxDynamicUniformBuffersPerPipelineLayout",
                limits.max_dynamic_uniform_buffers_per_pipeline_layout,
            ),
            (
                dynamic_storage,
                "maxDynamicStorageBuffersPerPipelineLayout",
                limits.max_dynamic_storage_buffers_per_pipeline_layout,
            ),
            (uniform, "maxUniformBuffersPerShaderStage", limits.max_uniform_buffers_per_shader_stage),
            (storage, "maxStorageBuffersPerShaderStage", limits.max_storage_buffers_per_shader_stage),
        ];
        for (value, limit, max) in counts.into_iter().chain(texture_counts.with_limits(limits)) {
            check_limit("bindings in one layout", value.into(), limit, max.into())?;
        }

        let raw_entries = entries.iter().map(entry_to_raw).collect();
        let raw = gpu.create_bind_group_layout(&raw::GpuBindGroupLayoutDescriptor {
            entries: raw_entries,
            label: descriptor.label.map(str::to_owned),
        });
        let layout = Self::from_parts(raw, device, LayoutOrigin::Explicit(entries));
        #[cfg(feature = "trace")]
        crate::trace::with(device, |r| r.layout(&layout.shared));
        Ok(layout)
    }

    pub(crate) fn from_parts(raw: raw::GpuBindGroupLayout, device: &Rc<DeviceShared>, origin: LayoutOrigin) -> Self {
        Self { shared: Rc::new(BindGroupLayoutShared { raw, device: device.clone(), origin }) }
    }

    /// The layout's entries, sorted by binding, when it was created
    /// explicitly; `None` for a layout derived from an `auto` pipeline.
    pub fn entries(&self) -> Option<&[BindGroupLayoutEntry]> {
        self.shared.explicit_entries()
    }
}

fn entry_to_raw(entry: &BindGroupLayoutEntry) -> raw::GpuBindGroupLayoutEntry {
    let BindingType::Buffer { ty, has_dynamic_offset, min_binding_size } = entry.ty else {
        return crate::texture_binding::layout_entry_to_raw(entry);
    };
    let raw_ty = match ty {
        BufferBindingType::Uniform => raw::GpuBufferBindingType::Uniform,
        BufferBindingType::Storage { read_only: true } => raw::GpuBufferBindingType::ReadOnlyStorage,
        BufferBindingType::Storage { read_only: false } => raw::GpuBufferBindingType::Storage,
    };
    raw::GpuBindGroupLayoutEntry {
        binding: entry.binding,
        visibility: raw::GpuShaderStage::from_bits_retain(entry.visibility.bits() as _),
        buffer: Some(raw::GpuBufferBindingLayout {
            type_: Some(raw_ty),
            has_dynamic_offset: Some(has_dynamic_offset),
            min_binding_size: min_binding_size.map(NonZeroU64::get),
        }),
        sampler: None,
        texture: None,
        storage_texture: None,
    }
}

/// `items` in increasing binding order, equal bindings kept in their given
/// order. Layout and bind group creation both sort through one plain `u64`
/// sort (binding in the high half, position in the low half, so every key is
/// unique and the order is stable), which keeps a single small sort routine
/// in a guest instead of a stable sort per entry type.
pub(crate) fn sorted_by_binding<T: Copy>(items: &[T], binding: impl Fn(&T) -> u32) -> Vec<T> {
    let mut keys: Vec<u64> =
        items.iter().enumerate().map(|(i, item)| (u64::from(binding(item)) << 32) | i as u64).collect();
    keys.sort_unstable();
    keys.into_iter().map(|key| items[(key & u64::from(u32::MAX)) as usize]).collect()
}

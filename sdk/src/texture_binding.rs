//! Textures, storage textures and samplers in bind group layouts and bind
//! groups: the layout entry types, their checks, and what a bind group keeps
//! of the views and samplers it binds.

use std::rc::Rc;

use crate::bind_group_layout::{BindGroupLayoutEntry, BindingType};
use crate::bindings::webgpu as raw;
use crate::device::{DeviceShared, same_device};
use crate::sampler::SamplerShared;
use crate::texture_view::TextureViewShared;
use crate::{
    BindingResource, Error, Result, ShaderStages, TextureFormat, TextureSampleType, TextureUsages, TextureViewDimension,
};

/// What kind of sampler a binding takes. Corresponds to WebGPU's
/// [`GPUSamplerBindingType`](https://www.w3.org/TR/webgpu/#enumdef-gpusamplerbindingtype).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SamplerBindingType {
    /// Any sampler, for filterable textures (`sampler`).
    #[default]
    Filtering,
    /// Only samplers whose filters are all `Nearest`, so it may sample
    /// unfilterable textures such as `r32float`.
    NonFiltering,
    /// A comparison sampler (`sampler_comparison`).
    Comparison,
}

/// How a shader accesses a storage texture. Corresponds to WebGPU's
/// [`GPUStorageTextureAccess`](https://www.w3.org/TR/webgpu/#enumdef-gpustoragetextureaccess).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StorageTextureAccess {
    /// `texture_storage_*<F, write>`.
    #[default]
    WriteOnly,
    /// `texture_storage_*<F, read>`.
    ReadOnly,
    /// `texture_storage_*<F, read_write>`; only `r32float`, `r32uint` and
    /// `r32sint` in WebGPU core.
    ReadWrite,
}

/// Per-stage counts of texture bindings, checked against the limits.
#[derive(Default)]
pub(crate) struct TextureCounts {
    sampled: u32,
    samplers: u32,
    storage: u32,
}

fn layout_err(binding: u32, reason: impl core::fmt::Display) -> Error {
    Error::BindGroup(format!("binding {binding}: {reason}"))
}

/// WebGPU's rules for a non-buffer layout entry.
pub(crate) fn check_layout_entry(
    device: &DeviceShared,
    entry: &BindGroupLayoutEntry,
    counts: &mut TextureCounts,
) -> Result<()> {
    let binding = entry.binding;
    match entry.ty {
        BindingType::Sampler(_) => counts.samplers += 1,
        BindingType::Texture { sample_type, view_dimension, multisampled } => {
            counts.sampled += 1;
            if multisampled
                && (view_dimension != TextureViewDimension::D2
                    || sample_type == (TextureSampleType::Float { filterable: true }))
            {
                return Err(layout_err(
                    binding,
                    "a multisampled texture binding is D2 and not a filterable float (use filterable: false)",
                ));
            }
        }
        BindingType::StorageTexture { access, format, view_dimension } => {
            counts.storage += 1;
            if !format.is_storage_capable(device.features) {
                return Err(Error::UnsupportedFormat {
                    operation: "create_bind_group_layout",
                    format,
                    reason: "it cannot be a storage texture",
                });
            }
            if access == StorageTextureAccess::ReadWrite && !format.supports_read_write_storage() {
                return Err(Error::UnsupportedFormat {
                    operation: "create_bind_group_layout",
                    format,
                    reason: "read_write storage access needs r32float, r32uint or r32sint",
                });
            }
            if matches!(view_dimension, TextureViewDimension::Cube | TextureViewDimension::CubeArray) {
                return Err(layout_err(binding, "a storage texture cannot be a cube view"));
            }
            if access != StorageTextureAccess::ReadOnly && entry.visibility.contains(ShaderStages::VERTEX) {
                return Err(layout_err(binding, "a writable storage texture cannot be visible to the vertex stage"));
            }
            // The reference host (wasi-webgpu-wasmtime 0.5) has no conversion
            // for explicit storage-texture layout entries and would trap.
            return Err(layout_err(
                binding,
                "this wasi:webgpu host cannot create explicit layouts with storage textures; create the pipeline \
                 with an auto layout (`layout: None`) and take its layout with `get_bind_group_layout`",
            ));
        }
        BindingType::Buffer { .. } => {}
    }
    Ok(())
}

impl TextureCounts {
    /// Each count with the name and value of the per-stage limit it is
    /// checked against.
    pub(crate) fn with_limits(&self, limits: &crate::Limits) -> [(u32, &'static str, u32); 3] {
        [
            (self.sampled, "maxSampledTexturesPerShaderStage", limits.max_sampled_textures_per_shader_stage),
            (self.samplers, "maxSamplersPerShaderStage", limits.max_samplers_per_shader_stage),
            (self.storage, "maxStorageTexturesPerShaderStage", limits.max_storage_textures_per_shader_stage),
        ]
    }
}

pub(crate) fn view_dimension_raw(dimension: TextureViewDimension) -> raw::GpuTextureViewDimension {
    dimension.to_raw()
}

/// The host form of a non-buffer layout entry.
pub(crate) fn layout_entry_to_raw(entry: &BindGroupLayoutEntry) -> raw::GpuBindGroupLayoutEntry {
    let mut raw_entry = raw::GpuBindGroupLayoutEntry {
        binding: entry.binding,
        visibility: raw::GpuShaderStage::from_bits_retain(entry.visibility.bits() as _),
        buffer: None,
        sampler: None,
        texture: None,
        storage_texture: None,
    };
    match entry.ty {
        BindingType::Sampler(ty) => {
            raw_entry.sampler = Some(raw::GpuSamplerBindingLayout {
                type_: Some(match ty {
                    SamplerBindingType::Filtering => raw::GpuSamplerBindingType::Filtering,
                    SamplerBindingType::NonFiltering => raw::GpuSamplerBindingType::NonFiltering,
                    SamplerBindingType::Comparison => raw::GpuSamplerBindingType::Comparison,
                }),
            });
        }
        BindingType::Texture { sample_type, view_dimension, multisampled } => {
            raw_entry.texture = Some(raw::GpuTextureBindingLayout {
                sample_type: Some(match sample_type {
                    TextureSampleType::Float { filterable: true } => raw::GpuTextureSampleType::Float,
                    TextureSampleType::Float { filterable: false } => raw::GpuTextureSampleType::UnfilterableFloat,
                    TextureSampleType::Depth => raw::GpuTextureSampleType::Depth,
                    TextureSampleType::Sint => raw::GpuTextureSampleType::Sint,
                    TextureSampleType::Uint => raw::GpuTextureSampleType::Uint,
                }),
                view_dimension: Some(view_dimension_raw(view_dimension)),
                multisampled: Some(multisampled),
            });
        }
        BindingType::StorageTexture { access, format, view_dimension } => {
            raw_entry.storage_texture = Some(raw::GpuStorageTextureBindingLayout {
                access: Some(match access {
                    StorageTextureAccess::WriteOnly => raw::GpuStorageTextureAccess::WriteOnly,
                    StorageTextureAccess::ReadOnly => raw::GpuStorageTextureAccess::ReadOnly,
                    StorageTextureAccess::ReadWrite => raw::GpuStorageTextureAccess::ReadWrite,
                }),
                format: format.to_raw(),
                view_dimension: Some(view_dimension_raw(view_dimension)),
            });
        }
        BindingType::Buffer { .. } => {}
    }
    raw_entry
}

/// The views and samplers a bind group binds: kept alive with it, and
/// checked at submit (a destroyed texture fails the submit).
#[derive(Default)]
pub(crate) struct BoundTextures {
    pub(crate) views: Vec<Rc<TextureViewShared>>,
    pub(crate) samplers: Vec<Rc<SamplerShared>>,
}

impl BoundTextures {
    /// Checks a view or sampler against its layout entry, when the guest
    /// knows it (`None` for an auto layout, which the host checks), and
    /// keeps it.
    pub(crate) fn add(
        &mut self,
        device: &Rc<DeviceShared>,
        binding: u32,
        resource: BindingResource<'_>,
        layout: Option<BindingType>,
    ) -> Result<()> {
        const OP: &str = "create_bind_group";
        match resource {
            BindingResource::TextureView(view) => {
                let view = &view.shared;
                let texture = &view.texture;
                same_device(&texture.device, device, OP)?;
                texture.check_alive(OP)?;
                match layout {
                    Some(BindingType::Texture { sample_type, view_dimension, multisampled }) => {
                        texture.check_usage(OP, TextureUsages::TEXTURE_BINDING)?;
                        if !view.usage.contains(TextureUsages::TEXTURE_BINDING) {
                            return Err(layout_err(binding, "the view's usage lacks TEXTURE_BINDING"));
                        }
                        check_view_dimension(binding, view.dimension, view_dimension)?;
                        if multisampled != (texture.sample_count > 1) {
                            return Err(layout_err(binding, "the layout and the texture disagree on multisampling"));
                        }
                        if view.format.is_depth_stencil_format()
                            && view.format.has_depth_aspect()
                            && view.format.has_stencil_aspect()
                        {
                            return Err(layout_err(
                                binding,
                                "a view of a depth-stencil format binds one aspect (DepthOnly or StencilOnly)",
                            ));
                        }
                        if !sample_type_fits(view.format, sample_type) {
                            return Err(layout_err(
                                binding,
                                format!(
                                    "a {} view has sample type {:?}, which a {sample_type:?} binding does not take",
                                    view.format.name(),
                                    view.format.sample_type()
                                ),
                            ));
                        }
                    }
                    Some(BindingType::StorageTexture { format, view_dimension, .. }) => {
                        texture.check_usage(OP, TextureUsages::STORAGE_BINDING)?;
                        if !view.usage.contains(TextureUsages::STORAGE_BINDING) {
                            return Err(layout_err(binding, "the view's usage lacks STORAGE_BINDING"));
                        }
                        check_view_dimension(binding, view.dimension, view_dimension)?;
                        if view.format != format {
                            return Err(layout_err(
                                binding,
                                format!("the view is {}, the layout wants {}", view.format.name(), format.name()),
                            ));
                        }
                        if view.mip_level_count != 1 {
                            return Err(layout_err(binding, "a storage texture view has exactly one mip level"));
                        }
                    }
                    Some(other) => {
                        return Err(layout_err(
                            binding,
                            format!("a texture view given where the layout has {other:?}"),
                        ));
                    }
                    None => {
                        if !view.usage.intersects(TextureUsages::TEXTURE_BINDING | TextureUsages::STORAGE_BINDING) {
                            return Err(layout_err(
                                binding,
                                "the view's usage has neither TEXTURE_BINDING nor STORAGE_BINDING",
                            ));
                        }
                    }
                }
                self.views.push(view.clone());
            }
            BindingResource::Sampler(sampler) => {
                let sampler = &sampler.shared;
                same_device(&sampler.device, device, OP)?;
                match layout {
                    Some(BindingType::Sampler(SamplerBindingType::Comparison)) if !sampler.comparison => {
                        return Err(layout_err(binding, "a comparison binding needs a sampler with `compare` set"));
                    }
                    Some(BindingType::Sampler(SamplerBindingType::Filtering | SamplerBindingType::NonFiltering))
                        if sampler.comparison =>
                    {
                        return Err(layout_err(
                            binding,
                            "a comparison sampler given where the layout takes a plain one",
                        ));
                    }
                    Some(BindingType::Sampler(SamplerBindingType::NonFiltering)) if sampler.filtering => {
                        return Err(layout_err(binding, "a filtering sampler given where the layout is NonFiltering"));
                    }
                    Some(BindingType::Sampler(_)) | None => {}
                    Some(other) => {
                        return Err(layout_err(binding, format!("a sampler given where the layout has {other:?}")));
                    }
                }
                self.samplers.push(sampler.clone());
            }
            BindingResource::Buffer(_) => {}
        }
        Ok(())
    }

    pub(crate) fn check_submittable(&self) -> Result<()> {
        for view in &self.views {
            view.texture.check_alive("submit")?;
        }
        Ok(())
    }
}

fn check_view_dimension(binding: u32, view: TextureViewDimension, layout: TextureViewDimension) -> Result<()> {
    if view == layout {
        Ok(())
    } else {
        Err(layout_err(binding, format!("the view is {view:?}, the layout wants {layout:?}")))
    }
}

/// WebGPU's compatible sample types: unfilterable-float takes every float
/// and depth format, depth takes depth formats, the rest match exactly.
fn sample_type_fits(format: TextureFormat, wanted: TextureSampleType) -> bool {
    let have = format.sample_type();
    match wanted {
        TextureSampleType::Float { filterable: false } => {
            matches!(have, TextureSampleType::Float { .. } | TextureSampleType::Depth)
        }
        other => have == other,
    }
}

/// The host form of a bound view or sampler.
pub(crate) fn resource_to_raw<'a>(resource: &BindingResource<'a>) -> Option<raw::GpuBindingResource<'a>> {
    match resource {
        BindingResource::TextureView(view) => Some(raw::GpuBindingResource::GpuTextureView(&view.shared.raw)),
        BindingResource::Sampler(sampler) => Some(raw::GpuBindingResource::GpuSampler(&sampler.shared.raw)),
        BindingResource::Buffer(_) => None,
    }
}

/// Checks the views and samplers of `entries` against the layout entries a
/// shader declares, for layouts the host derived (whose entries the guest
/// does not otherwise know).
pub(crate) fn check_against(
    device: &Rc<DeviceShared>,
    layout: &[BindGroupLayoutEntry],
    entries: &[crate::BindGroupEntry<'_>],
) -> Result<()> {
    let mut scratch = BoundTextures::default();
    for entry in entries {
        if matches!(entry.resource, BindingResource::Buffer(_)) {
            continue;
        }
        let ty = layout.iter().find(|l| l.binding == entry.binding).map(|l| l.ty);
        scratch.add(device, entry.binding, entry.resource, ty)?;
    }
    Ok(())
}

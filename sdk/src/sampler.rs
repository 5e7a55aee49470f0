//! [`Sampler`]: WebGPU's `GPUSampler`.

use std::rc::Rc;

use crate::bindings::webgpu as raw;
use crate::device::DeviceShared;
use crate::{CompareFunction, Error, Result};

/// What sampling does with coordinates outside `[0, 1]`. Corresponds to
/// WebGPU's [`GPUAddressMode`](https://www.w3.org/TR/webgpu/#enumdef-gpuaddressmode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AddressMode {
    /// Clamp to the edge texel.
    #[default]
    ClampToEdge,
    /// Wrap around.
    Repeat,
    /// Wrap around, mirroring every other repetition.
    MirrorRepeat,
}

impl AddressMode {
    fn to_raw(self) -> raw::GpuAddressMode {
        match self {
            Self::ClampToEdge => raw::GpuAddressMode::ClampToEdge,
            Self::Repeat => raw::GpuAddressMode::Repeat,
            Self::MirrorRepeat => raw::GpuAddressMode::MirrorRepeat,
        }
    }
}

/// How texels are combined within a mip level. Corresponds to WebGPU's
/// [`GPUFilterMode`](https://www.w3.org/TR/webgpu/#enumdef-gpufiltermode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FilterMode {
    /// The nearest texel.
    #[default]
    Nearest,
    /// Bilinear interpolation of the 4 nearest texels.
    Linear,
}

impl FilterMode {
    fn to_raw(self) -> raw::GpuFilterMode {
        match self {
            Self::Nearest => raw::GpuFilterMode::Nearest,
            Self::Linear => raw::GpuFilterMode::Linear,
        }
    }
}

/// How mip levels are combined. Corresponds to WebGPU's
/// [`GPUMipmapFilterMode`](https://www.w3.org/TR/webgpu/#enumdef-gpumipmapfiltermode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MipmapFilterMode {
    /// The nearest level.
    #[default]
    Nearest,
    /// Interpolation between the two nearest levels.
    Linear,
}

/// Describes a [`Sampler`]. Corresponds to WebGPU's
/// [`GPUSamplerDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gpusamplerdescriptor).
///
/// The default clamps to the edge, filters with `Nearest`, clamps the level
/// of detail to `0..=32` and does not compare: WebGPU's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SamplerDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// Addressing of the `u` (x) coordinate.
    pub address_mode_u: AddressMode,
    /// Addressing of the `v` (y) coordinate.
    pub address_mode_v: AddressMode,
    /// Addressing of the `w` (z) coordinate.
    pub address_mode_w: AddressMode,
    /// Filter when the texture is magnified.
    pub mag_filter: FilterMode,
    /// Filter when the texture is minified.
    pub min_filter: FilterMode,
    /// Filter between mip levels.
    pub mipmap_filter: MipmapFilterMode,
    /// Smallest level of detail used; at least 0.
    pub lod_min_clamp: f32,
    /// Largest level of detail used; at least `lod_min_clamp`.
    pub lod_max_clamp: f32,
    /// Most anisotropic samples, 1 to 16 (the host clamps larger values);
    /// above 1 every filter must be `Linear`.
    pub anisotropy_clamp: u16,
    /// Makes a comparison sampler (`sampler_comparison`), which compares
    /// depth texels with a reference value and returns 0 or 1.
    pub compare: Option<CompareFunction>,
}

impl Default for SamplerDescriptor<'_> {
    fn default() -> Self {
        Self {
            label: None,
            address_mode_u: AddressMode::ClampToEdge,
            address_mode_v: AddressMode::ClampToEdge,
            address_mode_w: AddressMode::ClampToEdge,
            mag_filter: FilterMode::Nearest,
            min_filter: FilterMode::Nearest,
            mipmap_filter: MipmapFilterMode::Nearest,
            lod_min_clamp: 0.0,
            lod_max_clamp: 32.0,
            anisotropy_clamp: 1,
            compare: None,
        }
    }
}

pub(crate) struct SamplerShared {
    pub(crate) raw: raw::GpuSampler,
    pub(crate) device: Rc<DeviceShared>,
    /// Whether it filters linearly, which decides which textures it may
    /// sample.
    pub(crate) filtering: bool,
    /// Whether it is a comparison sampler, which only comparison bindings
    /// take.
    pub(crate) comparison: bool,
}

/// How a shader samples a texture: addressing, filtering and level of
/// detail, and for a comparison sampler the depth comparison. Corresponds
/// to WebGPU's
/// [`GPUSampler`](https://www.w3.org/TR/webgpu/#gpusampler).
///
/// Made by [`Device::create_sampler`](crate::Device::create_sampler) and
/// bound in a bind group next to the texture views it samples. Immutable; a
/// cheap handle, clones share the sampler.
#[derive(Clone)]
pub struct Sampler {
    pub(crate) shared: Rc<SamplerShared>,
}

impl core::fmt::Debug for Sampler {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = &self.shared;
        f.debug_struct("Sampler").field("filtering", &s.filtering).field("comparison", &s.comparison).finish()
    }
}

impl Sampler {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &SamplerDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_sampler";
        let invalid = |reason: String| Error::InvalidSampler { operation: OP, reason };
        let d = descriptor;
        if d.lod_min_clamp.is_nan() || d.lod_min_clamp < 0.0 {
            return Err(invalid(format!("lod_min_clamp must be at least 0, got {}", d.lod_min_clamp)));
        }
        if d.lod_max_clamp.is_nan() || d.lod_max_clamp < d.lod_min_clamp {
            return Err(invalid(format!(
                "lod_max_clamp ({}) must be at least lod_min_clamp ({})",
                d.lod_max_clamp, d.lod_min_clamp
            )));
        }
        if d.anisotropy_clamp == 0 {
            return Err(invalid("anisotropy_clamp must be at least 1".into()));
        }
        let all_linear = d.mag_filter == FilterMode::Linear
            && d.min_filter == FilterMode::Linear
            && d.mipmap_filter == MipmapFilterMode::Linear;
        if d.anisotropy_clamp > 1 && !all_linear {
            return Err(invalid("anisotropic sampling (anisotropy_clamp > 1) needs every filter Linear".into()));
        }
        let raw = device.raw(OP)?.create_sampler(Some(&raw::GpuSamplerDescriptor {
            address_mode_u: Some(d.address_mode_u.to_raw()),
            address_mode_v: Some(d.address_mode_v.to_raw()),
            address_mode_w: Some(d.address_mode_w.to_raw()),
            mag_filter: Some(d.mag_filter.to_raw()),
            min_filter: Some(d.min_filter.to_raw()),
            mipmap_filter: Some(match d.mipmap_filter {
                MipmapFilterMode::Nearest => raw::GpuMipmapFilterMode::Nearest,
                MipmapFilterMode::Linear => raw::GpuMipmapFilterMode::Linear,
            }),
            lod_min_clamp: Some(d.lod_min_clamp),
            lod_max_clamp: Some(d.lod_max_clamp),
            compare: d.compare.map(CompareFunction::to_raw),
            max_anisotropy: Some(d.anisotropy_clamp.min(16)),
            label: d.label.map(str::to_owned),
        }));
        let filtering = d.mag_filter == FilterMode::Linear
            || d.min_filter == FilterMode::Linear
            || d.mipmap_filter == MipmapFilterMode::Linear;
        let comparison = d.compare.is_some();
        Ok(Self { shared: Rc::new(SamplerShared { raw, device: device.clone(), filtering, comparison }) })
    }

    /// Whether any of its filters is `Linear`, so it may only sample
    /// filterable textures.
    pub fn is_filtering(&self) -> bool {
        self.shared.filtering
    }

    /// Whether it is a comparison sampler (made with `compare` set).
    pub fn is_comparison(&self) -> bool {
        self.shared.comparison
    }
}

//! [`Features`]: WebGPU's `GPUSupportedFeatures`, as a flag set.

use crate::bindings::webgpu as raw;
use crate::flags::flags;

/// Declares the feature flags with their WebGPU names and WIT enum cases.
macro_rules! features {
    ($( $(#[$doc:meta])* $flag:ident = $bit:literal, $name:literal, $raw:ident; )*) => {
        flags! {
            /// Optional WebGPU capabilities of an adapter or device.
            /// Corresponds to
            /// [`GPUSupportedFeatures`](https://www.w3.org/TR/webgpu/#gpusupportedfeatures)
            /// and [`GPUFeatureName`](https://www.w3.org/TR/webgpu/#enumdef-gpufeaturename).
            ///
            /// An adapter lists what it supports; a device has only the
            /// features it was requested with
            /// ([`DeviceDescriptor::required_features`](crate::DeviceDescriptor::required_features)).
            pub struct Features {
                $( $(#[$doc])* const $flag = $bit; )*
            }
        }

        impl Features {
            /// The WebGPU name of a single feature flag.
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $( f if f == Self::$flag => Some($name), )*
                    _ => None,
                }
            }

            pub(crate) fn from_raw(raw: &raw::GpuSupportedFeatures) -> Self {
                let mut features = Self::empty();
                $( if raw.has($name) { features |= Self::$flag; } )*
                features
            }

            pub(crate) fn to_raw(self) -> Vec<raw::GpuFeatureName> {
                let mut names = Vec::new();
                $( if self.contains(Self::$flag) { names.push(raw::GpuFeatureName::$raw); } )*
                names
            }
        }
    };
}

features! {
    /// `core-features-and-limits`.
    CORE_FEATURES_AND_LIMITS = 0, "core-features-and-limits", CoreFeaturesAndLimits;
    /// `depth-clip-control`.
    DEPTH_CLIP_CONTROL = 1, "depth-clip-control", DepthClipControl;
    /// `depth32float-stencil8`.
    DEPTH32FLOAT_STENCIL8 = 2, "depth32float-stencil8", Depth32floatStencil8;
    /// `texture-compression-bc`.
    TEXTURE_COMPRESSION_BC = 3, "texture-compression-bc", TextureCompressionBc;
    /// `texture-compression-etc2`.
    TEXTURE_COMPRESSION_ETC2 = 4, "texture-compression-etc2", TextureCompressionEtc2;
    /// `texture-compression-astc`.
    TEXTURE_COMPRESSION_ASTC = 5, "texture-compression-astc", TextureCompressionAstc;
    /// `timestamp-query`.
    TIMESTAMP_QUERY = 6, "timestamp-query", TimestampQuery;
    /// `indirect-first-instance`.
    INDIRECT_FIRST_INSTANCE = 7, "indirect-first-instance", IndirectFirstInstance;
    /// `shader-f16`: `f16` in WGSL.
    SHADER_F16 = 8, "shader-f16", ShaderF16;
    /// `rg11b10ufloat-renderable`.
    RG11B10UFLOAT_RENDERABLE = 9, "rg11b10ufloat-renderable", Rg11b10ufloatRenderable;
    /// `bgra8unorm-storage`.
    BGRA8UNORM_STORAGE = 10, "bgra8unorm-storage", Bgra8unormStorage;
    /// `float32-filterable`.
    FLOAT32_FILTERABLE = 11, "float32-filterable", Float32Filterable;
    /// `float32-blendable`.
    FLOAT32_BLENDABLE = 12, "float32-blendable", Float32Blendable;
    /// `clip-distances`.
    CLIP_DISTANCES = 13, "clip-distances", ClipDistances;
    /// `dual-source-blending`.
    DUAL_SOURCE_BLENDING = 14, "dual-source-blending", DualSourceBlending;
    /// `subgroups`.
    SUBGROUPS = 15, "subgroups", Subgroups;
    /// `primitive-index`.
    PRIMITIVE_INDEX = 16, "primitive-index", PrimitiveIndex;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_has_a_name() {
        for (_, flag) in Features::all().iter() {
            assert!(flag.name().is_some(), "{flag:?}");
        }
        assert_eq!(Features::SHADER_F16.name(), Some("shader-f16"));
        assert_eq!((Features::SHADER_F16 | Features::SUBGROUPS).name(), None);
    }
}

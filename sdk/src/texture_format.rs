//! [`TextureFormat`]: WebGPU's `GPUTextureFormat`, with what the SDK needs to
//! know about each format to validate texture calls in the guest.

use crate::Features;
use crate::bindings::webgpu as raw;

/// Declares the formats with their WebGPU names, WIT cases, texel block size
/// in bytes and block dimensions.
macro_rules! formats {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $raw:ident, $bytes:literal, $block:literal; )*) => {
        /// How texels are stored. Corresponds to WebGPU's
        /// [`GPUTextureFormat`](https://www.w3.org/TR/webgpu/#enumdef-gputextureformat).
        ///
        /// Every format of WebGPU core is here, plus the BC, ETC2 and EAC
        /// compressed formats, which need a feature. The ASTC formats are
        /// left out because the wasi:webgpu reference host
        /// (`wasi-webgpu-wasmtime` 0.5) cannot convert them and would trap.
        ///
        /// The methods describe each format as WebGPU's
        /// [texture format capabilities](https://www.w3.org/TR/webgpu/#texture-format-caps)
        /// table does; the SDK uses them to reject bad calls before the host
        /// sees them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum TextureFormat {
            $( $(#[$doc])* $variant, )*
        }

        impl TextureFormat {
            /// Every format, in WebGPU's order.
            pub const ALL: &'static [TextureFormat] = &[$(Self::$variant),*];

            /// The WebGPU name, e.g. `"rgba8unorm-srgb"`.
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $name, )*
                }
            }

            /// Bytes of one texel block: one texel for uncompressed formats, a
            /// 4×4 block for compressed ones. `None` for formats whose copies
            /// need an aspect (combined depth-stencil) or that cannot be
            /// copied at all (`depth24plus`).
            pub fn block_copy_size(self, aspect: crate::TextureAspect) -> Option<u32> {
                // The combined formats' arms come first; the table's arms
                // for them are unreachable.
                #[allow(unreachable_patterns)]
                match self.aspect_format(aspect)? {
                    Self::Depth24Plus | Self::Depth24PlusStencil8 | Self::Depth32FloatStencil8 => None,
                    $( Self::$variant => Some($bytes), )*
                }
            }

            /// Width and height of a texel block: `(1, 1)`, or `(4, 4)` for the
            /// compressed formats.
            pub fn block_dimensions(self) -> (u32, u32) {
                match self {
                    $( Self::$variant => ($block, $block), )*
                }
            }

            pub(crate) fn to_raw(self) -> raw::GpuTextureFormat {
                match self {
                    $( Self::$variant => raw::GpuTextureFormat::$raw, )*
                }
            }
        }
    };
}

formats! {
    /// One 8-bit channel, unsigned normalized.
    R8Unorm = "r8unorm", R8unorm, 1, 1;
    /// One 8-bit channel, signed normalized.
    R8Snorm = "r8snorm", R8snorm, 1, 1;
    /// One 8-bit channel, unsigned integer.
    R8Uint = "r8uint", R8uint, 1, 1;
    /// One 8-bit channel, signed integer.
    R8Sint = "r8sint", R8sint, 1, 1;
    /// One 16-bit channel, unsigned normalized (needs `texture-formats-tier1`).
    R16Unorm = "r16unorm", R16unorm, 2, 1;
    /// One 16-bit channel, signed normalized (needs `texture-formats-tier1`).
    R16Snorm = "r16snorm", R16snorm, 2, 1;
    /// One 16-bit channel, unsigned integer.
    R16Uint = "r16uint", R16uint, 2, 1;
    /// One 16-bit channel, signed integer.
    R16Sint = "r16sint", R16sint, 2, 1;
    /// One 16-bit float channel.
    R16Float = "r16float", R16float, 2, 1;
    /// Two 8-bit channels, unsigned normalized.
    Rg8Unorm = "rg8unorm", Rg8unorm, 2, 1;
    /// Two 8-bit channels, signed normalized.
    Rg8Snorm = "rg8snorm", Rg8snorm, 2, 1;
    /// Two 8-bit channels, unsigned integer.
    Rg8Uint = "rg8uint", Rg8uint, 2, 1;
    /// Two 8-bit channels, signed integer.
    Rg8Sint = "rg8sint", Rg8sint, 2, 1;
    /// One 32-bit channel, unsigned integer.
    R32Uint = "r32uint", R32uint, 4, 1;
    /// One 32-bit channel, signed integer.
    R32Sint = "r32sint", R32sint, 4, 1;
    /// One 32-bit float channel.
    R32Float = "r32float", R32float, 4, 1;
    /// Two 16-bit channels, unsigned normalized (needs `texture-formats-tier1`).
    Rg16Unorm = "rg16unorm", Rg16unorm, 4, 1;
    /// Two 16-bit channels, signed normalized (needs `texture-formats-tier1`).
    Rg16Snorm = "rg16snorm", Rg16snorm, 4, 1;
    /// Two 16-bit channels, unsigned integer.
    Rg16Uint = "rg16uint", Rg16uint, 4, 1;
    /// Two 16-bit channels, signed integer.
    Rg16Sint = "rg16sint", Rg16sint, 4, 1;
    /// Two 16-bit float channels.
    Rg16Float = "rg16float", Rg16float, 4, 1;
    /// Four 8-bit channels, unsigned normalized.
    Rgba8Unorm = "rgba8unorm", Rgba8unorm, 4, 1;
    /// Four 8-bit channels, unsigned normalized, sRGB-encoded color.
    Rgba8UnormSrgb = "rgba8unorm-srgb", Rgba8unormSrgb, 4, 1;
    /// Four 8-bit channels, signed normalized.
    Rgba8Snorm = "rgba8snorm", Rgba8snorm, 4, 1;
    /// Four 8-bit channels, unsigned integer.
    Rgba8Uint = "rgba8uint", Rgba8uint, 4, 1;
    /// Four 8-bit channels, signed integer.
    Rgba8Sint = "rgba8sint", Rgba8sint, 4, 1;
    /// Four 8-bit channels stored blue first, unsigned normalized.
    Bgra8Unorm = "bgra8unorm", Bgra8unorm, 4, 1;
    /// Four 8-bit channels stored blue first, sRGB-encoded color.
    Bgra8UnormSrgb = "bgra8unorm-srgb", Bgra8unormSrgb, 4, 1;
    /// Three 9-bit mantissas sharing a 5-bit exponent.
    Rgb9e5Ufloat = "rgb9e5ufloat", Rgb9e5ufloat, 4, 1;
    /// 10-bit RGB and 2-bit alpha, unsigned integer.
    Rgb10a2Uint = "rgb10a2uint", Rgb10a2uint, 4, 1;
    /// 10-bit RGB and 2-bit alpha, unsigned normalized.
    Rgb10a2Unorm = "rgb10a2unorm", Rgb10a2unorm, 4, 1;
    /// 11-bit red and green, 10-bit blue, unsigned floats.
    Rg11b10Ufloat = "rg11b10ufloat", Rg11b10ufloat, 4, 1;
    /// Two 32-bit channels, unsigned integer.
    Rg32Uint = "rg32uint", Rg32uint, 8, 1;
    /// Two 32-bit channels, signed integer.
    Rg32Sint = "rg32sint", Rg32sint, 8, 1;
    /// Two 32-bit float channels.
    Rg32Float = "rg32float", Rg32float, 8, 1;
    /// Four 16-bit channels, unsigned normalized (needs `texture-formats-tier1`).
    Rgba16Unorm = "rgba16unorm", Rgba16unorm, 8, 1;
    /// Four 16-bit channels, signed normalized (needs `texture-formats-tier1`).
    Rgba16Snorm = "rgba16snorm", Rgba16snorm, 8, 1;
    /// Four 16-bit channels, unsigned integer.
    Rgba16Uint = "rgba16uint", Rgba16uint, 8, 1;
    /// Four 16-bit channels, signed integer.
    Rgba16Sint = "rgba16sint", Rgba16sint, 8, 1;
    /// Four 16-bit float channels.
    Rgba16Float = "rgba16float", Rgba16float, 8, 1;
    /// Four 32-bit channels, unsigned integer.
    Rgba32Uint = "rgba32uint", Rgba32uint, 16, 1;
    /// Four 32-bit channels, signed integer.
    Rgba32Sint = "rgba32sint", Rgba32sint, 16, 1;
    /// Four 32-bit float channels.
    Rgba32Float = "rgba32float", Rgba32float, 16, 1;
    /// 8-bit stencil.
    Stencil8 = "stencil8", Stencil8, 1, 1;
    /// 16-bit depth, unsigned normalized.
    Depth16Unorm = "depth16unorm", Depth16unorm, 2, 1;
    /// Depth of at least 24 bits, in a layout the implementation chooses; not
    /// copyable.
    Depth24Plus = "depth24plus", Depth24plus, 4, 1;
    /// [`Depth24Plus`](Self::Depth24Plus) with 8-bit stencil; only its
    /// stencil aspect is copyable.
    Depth24PlusStencil8 = "depth24plus-stencil8", Depth24plusStencil8, 4, 1;
    /// 32-bit float depth.
    Depth32Float = "depth32float", Depth32float, 4, 1;
    /// 32-bit float depth with 8-bit stencil (needs `depth32float-stencil8`).
    Depth32FloatStencil8 = "depth32float-stencil8", Depth32floatStencil8, 5, 1;
    /// BC1 (DXT1) RGBA (needs `texture-compression-bc`).
    Bc1RgbaUnorm = "bc1-rgba-unorm", Bc1RgbaUnorm, 8, 4;
    /// BC1 RGBA, sRGB (needs `texture-compression-bc`).
    Bc1RgbaUnormSrgb = "bc1-rgba-unorm-srgb", Bc1RgbaUnormSrgb, 8, 4;
    /// BC2 (DXT3) RGBA (needs `texture-compression-bc`).
    Bc2RgbaUnorm = "bc2-rgba-unorm", Bc2RgbaUnorm, 16, 4;
    /// BC2 RGBA, sRGB (needs `texture-compression-bc`).
    Bc2RgbaUnormSrgb = "bc2-rgba-unorm-srgb", Bc2RgbaUnormSrgb, 16, 4;
    /// BC3 (DXT5) RGBA (needs `texture-compression-bc`).
    Bc3RgbaUnorm = "bc3-rgba-unorm", Bc3RgbaUnorm, 16, 4;
    /// BC3 RGBA, sRGB (needs `texture-compression-bc`).
    Bc3RgbaUnormSrgb = "bc3-rgba-unorm-srgb", Bc3RgbaUnormSrgb, 16, 4;
    /// BC4 red, unsigned normalized (needs `texture-compression-bc`).
    Bc4RUnorm = "bc4-r-unorm", Bc4RUnorm, 8, 4;
    /// BC4 red, signed normalized (needs `texture-compression-bc`).
    Bc4RSnorm = "bc4-r-snorm", Bc4RSnorm, 8, 4;
    /// BC5 red-green, unsigned normalized (needs `texture-compression-bc`).
    Bc5RgUnorm = "bc5-rg-unorm", Bc5RgUnorm, 16, 4;
    /// BC5 red-green, signed normalized (needs `texture-compression-bc`).
    Bc5RgSnorm = "bc5-rg-snorm", Bc5RgSnorm, 16, 4;
    /// BC6H RGB, unsigned float (needs `texture-compression-bc`).
    Bc6hRgbUfloat = "bc6h-rgb-ufloat", Bc6hRgbUfloat, 16, 4;
    /// BC6H RGB, signed float (needs `texture-compression-bc`).
    Bc6hRgbFloat = "bc6h-rgb-float", Bc6hRgbFloat, 16, 4;
    /// BC7 RGBA (needs `texture-compression-bc`).
    Bc7RgbaUnorm = "bc7-rgba-unorm", Bc7RgbaUnorm, 16, 4;
    /// BC7 RGBA, sRGB (needs `texture-compression-bc`).
    Bc7RgbaUnormSrgb = "bc7-rgba-unorm-srgb", Bc7RgbaUnormSrgb, 16, 4;
    /// ETC2 RGB (needs `texture-compression-etc2`).
    Etc2Rgb8Unorm = "etc2-rgb8unorm", Etc2Rgb8unorm, 8, 4;
    /// ETC2 RGB, sRGB (needs `texture-compression-etc2`).
    Etc2Rgb8UnormSrgb = "etc2-rgb8unorm-srgb", Etc2Rgb8unormSrgb, 8, 4;
    /// ETC2 RGB with 1-bit alpha (needs `texture-compression-etc2`).
    Etc2Rgb8A1Unorm = "etc2-rgb8a1unorm", Etc2Rgb8a1unorm, 8, 4;
    /// ETC2 RGB with 1-bit alpha, sRGB (needs `texture-compression-etc2`).
    Etc2Rgb8A1UnormSrgb = "etc2-rgb8a1unorm-srgb", Etc2Rgb8a1unormSrgb, 8, 4;
    /// ETC2 RGBA (needs `texture-compression-etc2`).
    Etc2Rgba8Unorm = "etc2-rgba8unorm", Etc2Rgba8unorm, 16, 4;
    /// ETC2 RGBA, sRGB (needs `texture-compression-etc2`).
    Etc2Rgba8UnormSrgb = "etc2-rgba8unorm-srgb", Etc2Rgba8unormSrgb, 16, 4;
    /// EAC red, unsigned normalized (needs `texture-compression-etc2`).
    EacR11Unorm = "eac-r11unorm", EacR11unorm, 8, 4;
    /// EAC red, signed normalized (needs `texture-compression-etc2`).
    EacR11Snorm = "eac-r11snorm", EacR11snorm, 8, 4;
    /// EAC red-green, unsigned normalized (needs `texture-compression-etc2`).
    EacRg11Unorm = "eac-rg11unorm", EacRg11unorm, 16, 4;
    /// EAC red-green, signed normalized (needs `texture-compression-etc2`).
    EacRg11Snorm = "eac-rg11snorm", EacRg11snorm, 16, 4;
}

/// What a shader reads from a texture of a format. Corresponds to WebGPU's
/// [`GPUTextureSampleType`](https://www.w3.org/TR/webgpu/#enumdef-gputexturesampletype).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextureSampleType {
    /// `f32` values; `filterable` when a filtering sampler may sample it.
    Float {
        /// Whether linear filtering is allowed.
        filterable: bool,
    },
    /// Depth values, read as `f32` or compared.
    Depth,
    /// `i32` values.
    Sint,
    /// `u32` values.
    Uint,
}

impl Default for TextureSampleType {
    fn default() -> Self {
        Self::Float { filterable: true }
    }
}

/// The optional capability a format needs beyond WebGPU core.
pub(crate) enum FormatFeature {
    /// A feature the SDK can request.
    Known(Features),
    /// `texture-formats-tier1`, which the reference host cannot grant.
    Tier1,
}

impl TextureFormat {
    /// Whether the format holds depth.
    pub fn has_depth_aspect(self) -> bool {
        matches!(
            self,
            Self::Depth16Unorm
                | Self::Depth24Plus
                | Self::Depth24PlusStencil8
                | Self::Depth32Float
                | Self::Depth32FloatStencil8
        )
    }

    /// Whether the format holds stencil.
    pub fn has_stencil_aspect(self) -> bool {
        matches!(self, Self::Stencil8 | Self::Depth24PlusStencil8 | Self::Depth32FloatStencil8)
    }

    /// Whether the format is a depth and/or stencil format.
    pub fn is_depth_stencil_format(self) -> bool {
        self.has_depth_aspect() || self.has_stencil_aspect()
    }

    /// Whether texels are stored in compressed blocks.
    pub fn is_compressed(self) -> bool {
        self.block_dimensions() != (1, 1)
    }

    /// Whether the color is sRGB-encoded, so reads decode it to linear.
    pub fn is_srgb(self) -> bool {
        self.remove_srgb_suffix() != self
    }

    /// The format without sRGB encoding (`Rgba8UnormSrgb` → `Rgba8Unorm`);
    /// others unchanged.
    pub fn remove_srgb_suffix(self) -> Self {
        match self {
            Self::Rgba8UnormSrgb => Self::Rgba8Unorm,
            Self::Bgra8UnormSrgb => Self::Bgra8Unorm,
            Self::Bc1RgbaUnormSrgb => Self::Bc1RgbaUnorm,
            Self::Bc2RgbaUnormSrgb => Self::Bc2RgbaUnorm,
            Self::Bc3RgbaUnormSrgb => Self::Bc3RgbaUnorm,
            Self::Bc7RgbaUnormSrgb => Self::Bc7RgbaUnorm,
            Self::Etc2Rgb8UnormSrgb => Self::Etc2Rgb8Unorm,
            Self::Etc2Rgb8A1UnormSrgb => Self::Etc2Rgb8A1Unorm,
            Self::Etc2Rgba8UnormSrgb => Self::Etc2Rgba8Unorm,
            other => other,
        }
    }

    /// The format with sRGB encoding (`Rgba8Unorm` → `Rgba8UnormSrgb`);
    /// formats without an sRGB twin unchanged.
    pub fn add_srgb_suffix(self) -> Self {
        match self {
            Self::Rgba8Unorm => Self::Rgba8UnormSrgb,
            Self::Bgra8Unorm => Self::Bgra8UnormSrgb,
            Self::Bc1RgbaUnorm => Self::Bc1RgbaUnormSrgb,
            Self::Bc2RgbaUnorm => Self::Bc2RgbaUnormSrgb,
            Self::Bc3RgbaUnorm => Self::Bc3RgbaUnormSrgb,
            Self::Bc7RgbaUnorm => Self::Bc7RgbaUnormSrgb,
            Self::Etc2Rgb8Unorm => Self::Etc2Rgb8UnormSrgb,
            Self::Etc2Rgb8A1Unorm => Self::Etc2Rgb8A1UnormSrgb,
            Self::Etc2Rgba8Unorm => Self::Etc2Rgba8UnormSrgb,
            other => other,
        }
    }

    /// The sample type of the format's main aspect (depth for depth
    /// formats; `Uint` for `Stencil8`).
    pub fn sample_type(self) -> TextureSampleType {
        use TextureFormat as F;
        match self {
            F::R8Uint
            | F::R16Uint
            | F::Rg8Uint
            | F::R32Uint
            | F::Rg16Uint
            | F::Rgba8Uint
            | F::Rgb10a2Uint
            | F::Rg32Uint
            | F::Rgba16Uint
            | F::Rgba32Uint
            | F::Stencil8 => TextureSampleType::Uint,
            F::R8Sint
            | F::R16Sint
            | F::Rg8Sint
            | F::R32Sint
            | F::Rg16Sint
            | F::Rgba8Sint
            | F::Rg32Sint
            | F::Rgba16Sint
            | F::Rgba32Sint => TextureSampleType::Sint,
            F::R32Float | F::Rg32Float | F::Rgba32Float => TextureSampleType::Float { filterable: false },
            f if f.has_depth_aspect() => TextureSampleType::Depth,
            _ => TextureSampleType::Float { filterable: true },
        }
    }

    /// Whether a texture of this format may have `STORAGE_BINDING` usage on a
    /// device with `features`.
    pub fn is_storage_capable(self, features: Features) -> bool {
        use TextureFormat as F;
        match self {
            F::Rgba8Unorm
            | F::Rgba8Snorm
            | F::Rgba8Uint
            | F::Rgba8Sint
            | F::Rgba16Uint
            | F::Rgba16Sint
            | F::Rgba16Float
            | F::R32Uint
            | F::R32Sint
            | F::R32Float
            | F::Rg32Uint
            | F::Rg32Sint
            | F::Rg32Float
            | F::Rgba32Uint
            | F::Rgba32Sint
            | F::Rgba32Float => true,
            F::Bgra8Unorm => features.contains(Features::BGRA8UNORM_STORAGE),
            _ => false,
        }
    }

    /// Whether storage bindings of the format may be `read_write` (WebGPU
    /// core allows it for the single-channel 32-bit formats only).
    pub fn supports_read_write_storage(self) -> bool {
        matches!(self, Self::R32Uint | Self::R32Sint | Self::R32Float)
    }

    /// Whether the format may be a render attachment on a device with
    /// `features`.
    pub fn is_renderable(self, features: Features) -> bool {
        use TextureFormat as F;
        match self {
            F::R8Snorm
            | F::Rg8Snorm
            | F::Rgba8Snorm
            | F::Rgb9e5Ufloat
            | F::R16Unorm
            | F::R16Snorm
            | F::Rg16Unorm
            | F::Rg16Snorm
            | F::Rgba16Unorm
            | F::Rgba16Snorm => false,
            F::Rg11b10Ufloat => features.contains(Features::RG11B10UFLOAT_RENDERABLE),
            f => !f.is_compressed(),
        }
    }

    /// Whether a texture of this format may have 4 samples (it must also be
    /// renderable).
    pub fn supports_multisampling(self) -> bool {
        use TextureFormat as F;
        !matches!(
            self,
            F::R32Uint
                | F::R32Sint
                | F::Rg32Uint
                | F::Rg32Sint
                | F::Rg32Float
                | F::Rgba32Uint
                | F::Rgba32Sint
                | F::Rgba32Float
        ) && self.is_renderable(Features::all())
    }

    /// The feature a device needs to create textures of this format.
    pub(crate) fn required_feature(self) -> Option<FormatFeature> {
        use TextureFormat as F;
        match self {
            F::R16Unorm | F::R16Snorm | F::Rg16Unorm | F::Rg16Snorm | F::Rgba16Unorm | F::Rgba16Snorm => {
                Some(FormatFeature::Tier1)
            }
            F::Depth32FloatStencil8 => Some(FormatFeature::Known(Features::DEPTH32FLOAT_STENCIL8)),
            f if f.is_compressed() && f.name().starts_with("bc") => {
                Some(FormatFeature::Known(Features::TEXTURE_COMPRESSION_BC))
            }
            f if f.is_compressed() => Some(FormatFeature::Known(Features::TEXTURE_COMPRESSION_ETC2)),
            _ => None,
        }
    }

    /// The format an aspect of this format has on its own: the depth or
    /// stencil part of a combined format; `self` otherwise.
    pub fn aspect_format(self, aspect: crate::TextureAspect) -> Option<Self> {
        use crate::TextureAspect as A;
        match (self, aspect) {
            (f, A::All) => Some(f),
            (Self::Stencil8, A::StencilOnly) => Some(Self::Stencil8),
            (Self::Depth24PlusStencil8 | Self::Depth32FloatStencil8, A::StencilOnly) => Some(Self::Stencil8),
            (Self::Depth24PlusStencil8, A::DepthOnly) => Some(Self::Depth24Plus),
            (Self::Depth32FloatStencil8, A::DepthOnly) => Some(Self::Depth32Float),
            (f, A::DepthOnly) if f.has_depth_aspect() && !f.has_stencil_aspect() => Some(f),
            _ => None,
        }
    }

    /// Whether a copy may write this format's `aspect` from a buffer
    /// (`to_texture`) or read it into one.
    pub(crate) fn copyable(self, aspect: crate::TextureAspect, to_texture: bool) -> bool {
        let Some(single) = self.aspect_format(aspect) else { return false };
        if self.block_copy_size(aspect).is_none() {
            return false;
        }
        // WebGPU: depth32float depth can be read out but not written by copies.
        !(to_texture && single == Self::Depth32Float)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TextureAspect;

    #[test]
    fn format_facts() {
        assert_eq!(TextureFormat::Rgba8UnormSrgb.name(), "rgba8unorm-srgb");
        assert_eq!(TextureFormat::Rgba32Float.block_copy_size(TextureAspect::All), Some(16));
        assert_eq!(TextureFormat::Bc1RgbaUnorm.block_dimensions(), (4, 4));
        assert_eq!(TextureFormat::Depth24Plus.block_copy_size(TextureAspect::All), None);
        assert_eq!(TextureFormat::Depth24PlusStencil8.block_copy_size(TextureAspect::StencilOnly), Some(1));
        assert!(TextureFormat::Rgba8Unorm.is_storage_capable(Features::empty()));
        assert!(!TextureFormat::Bgra8Unorm.is_storage_capable(Features::empty()));
        assert!(TextureFormat::Bgra8Unorm.is_storage_capable(Features::BGRA8UNORM_STORAGE));
        assert!(!TextureFormat::Depth32Float.copyable(TextureAspect::All, true));
        assert!(TextureFormat::Depth32Float.copyable(TextureAspect::All, false));
        assert_eq!(TextureFormat::Bgra8Unorm.add_srgb_suffix(), TextureFormat::Bgra8UnormSrgb);
        for &format in TextureFormat::ALL {
            assert_eq!(format.add_srgb_suffix().remove_srgb_suffix(), format.remove_srgb_suffix());
        }
    }
}

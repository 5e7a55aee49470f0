//! [`TextureView`]: WebGPU's `GPUTextureView`.

use std::rc::Rc;

use crate::bindings::webgpu as raw;
use crate::texture::TextureShared;
use crate::{Error, Extent3d, Result, Texture, TextureDimension, TextureFormat, TextureUsages};

/// Which aspects of a texture a view or copy covers. Corresponds to WebGPU's
/// [`GPUTextureAspect`](https://www.w3.org/TR/webgpu/#enumdef-gputextureaspect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextureAspect {
    /// Every aspect: color, or depth and stencil.
    #[default]
    All,
    /// The stencil aspect of a stencil format.
    StencilOnly,
    /// The depth aspect of a depth format.
    DepthOnly,
}

impl TextureAspect {
    pub(crate) fn to_raw(self) -> raw::GpuTextureAspect {
        match self {
            Self::All => raw::GpuTextureAspect::All,
            Self::StencilOnly => raw::GpuTextureAspect::StencilOnly,
            Self::DepthOnly => raw::GpuTextureAspect::DepthOnly,
        }
    }
}

/// How a shader sees a view's texels. Corresponds to WebGPU's
/// [`GPUTextureViewDimension`](https://www.w3.org/TR/webgpu/#enumdef-gputextureviewdimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextureViewDimension {
    /// `texture_1d`: one layer of a 1D texture.
    D1,
    /// `texture_2d`: one layer of a 2D texture.
    #[default]
    D2,
    /// `texture_2d_array`: layers of a 2D texture.
    D2Array,
    /// `texture_cube`: 6 square layers of a 2D texture as cube faces.
    Cube,
    /// `texture_cube_array`: a multiple of 6 layers as cubes.
    CubeArray,
    /// `texture_3d`: a 3D texture.
    D3,
}

impl TextureViewDimension {
    pub(crate) fn to_raw(self) -> raw::GpuTextureViewDimension {
        match self {
            Self::D1 => raw::GpuTextureViewDimension::D1,
            Self::D2 => raw::GpuTextureViewDimension::D2,
            Self::D2Array => raw::GpuTextureViewDimension::D2Array,
            Self::Cube => raw::GpuTextureViewDimension::Cube,
            Self::CubeArray => raw::GpuTextureViewDimension::CubeArray,
            Self::D3 => raw::GpuTextureViewDimension::D3,
        }
    }

    /// The texture dimension views of this dimension are made from.
    pub fn compatible_texture_dimension(self) -> TextureDimension {
        match self {
            Self::D1 => TextureDimension::D1,
            Self::D2 | Self::D2Array | Self::Cube | Self::CubeArray => TextureDimension::D2,
            Self::D3 => TextureDimension::D3,
        }
    }
}

/// Describes a [`TextureView`]. Corresponds to WebGPU's
/// [`GPUTextureViewDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gputextureviewdescriptor).
///
/// The default views every mip level and layer of the texture, with its
/// format, and the dimension WebGPU derives: `D1` and `D3` for those
/// textures, `D2` for a single-layer 2D texture and `D2Array` otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextureViewDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// The texture's format or one of its view formats; `None` for the
    /// texture's format (or the aspect's, for a depth-only or stencil-only
    /// view of a combined format).
    pub format: Option<TextureFormat>,
    /// `None` derives it from the texture.
    pub dimension: Option<TextureViewDimension>,
    /// What the view is used for, a subset of the texture's usage; `None`
    /// for all of it.
    pub usage: Option<TextureUsages>,
    /// Which aspects the view covers.
    pub aspect: TextureAspect,
    /// First mip level.
    pub base_mip_level: u32,
    /// Number of mip levels; `None` for the rest.
    pub mip_level_count: Option<u32>,
    /// First array layer.
    pub base_array_layer: u32,
    /// Number of layers; `None` for what the dimension implies (1 for `D1`,
    /// `D2` and `D3`, 6 for `Cube`) or the rest.
    pub array_layer_count: Option<u32>,
}

pub(crate) struct TextureViewShared {
    pub(crate) raw: raw::GpuTextureView,
    pub(crate) texture: Rc<TextureShared>,
    pub(crate) format: TextureFormat,
    pub(crate) dimension: TextureViewDimension,
    pub(crate) usage: TextureUsages,
    pub(crate) aspect: TextureAspect,
    pub(crate) base_mip_level: u32,
    pub(crate) mip_level_count: u32,
    pub(crate) base_array_layer: u32,
    pub(crate) array_layer_count: u32,
}

/// A window onto a [`Texture`]: some of its mip levels, layers and aspects,
/// seen with one dimension and format. Corresponds to WebGPU's
/// [`GPUTextureView`](https://www.w3.org/TR/webgpu/#gputextureview).
///
/// Bind groups bind views, not textures, and render passes draw into them.
/// Made by [`Texture::create_view`], which resolves every default of its
/// descriptor, so the getters here give what the view really covers. The
/// view keeps its texture alive; a cheap handle, clones share the view.
#[derive(Clone)]
pub struct TextureView {
    pub(crate) shared: Rc<TextureViewShared>,
}

impl core::fmt::Debug for TextureView {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = &self.shared;
        f.debug_struct("TextureView")
            .field("format", &s.format)
            .field("dimension", &s.dimension)
            .field("aspect", &s.aspect)
            .field("mips", &(s.base_mip_level..s.base_mip_level + s.mip_level_count))
            .field("layers", &(s.base_array_layer..s.base_array_layer + s.array_layer_count))
            .finish()
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidTexture { operation: "create_view", reason: reason.into() }
}

impl TextureView {
    pub(crate) fn new(texture: &Rc<TextureShared>, descriptor: &TextureViewDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_view";
        texture.check_alive(OP)?;
        let aspect = descriptor.aspect;
        let aspect_format = texture
            .format
            .aspect_format(aspect)
            .ok_or_else(|| invalid(format!("a {} texture has no {aspect:?} aspect", texture.format.name())))?;
        let format = descriptor.format.unwrap_or(aspect_format);
        let format_ok = match aspect {
            TextureAspect::All => format == texture.format || texture.view_formats.contains(&format),
            _ => format == aspect_format,
        };
        if !format_ok {
            return Err(invalid(format!(
                "format {} is neither the texture's ({}) nor one of its view_formats",
                format.name(),
                aspect_format.name()
            )));
        }
        let layers = texture.array_layer_count();
        let dimension = descriptor.dimension.unwrap_or(match texture.dimension {
            TextureDimension::D1 => TextureViewDimension::D1,
            TextureDimension::D3 => TextureViewDimension::D3,
            TextureDimension::D2 if layers == 1 => TextureViewDimension::D2,
            TextureDimension::D2 => TextureViewDimension::D2Array,
        });
        if dimension.compatible_texture_dimension() != texture.dimension {
            return Err(invalid(format!(
                "a {dimension:?} view needs a {:?} texture, but the texture is {:?}",
                dimension.compatible_texture_dimension(),
                texture.dimension
            )));
        }
        let mips = texture.mip_level_count;
        if descriptor.base_mip_level >= mips {
            return Err(invalid(format!(
                "base_mip_level {} is out of range: the texture has {mips} mip levels",
                descriptor.base_mip_level
            )));
        }
        let mip_level_count = descriptor.mip_level_count.unwrap_or(mips - descriptor.base_mip_level);
        if mip_level_count == 0 || descriptor.base_mip_level.checked_add(mip_level_count).is_none_or(|end| end > mips) {
            return Err(invalid(format!(
                "mip levels {}..+{mip_level_count} are out of range: the texture has {mips}",
                descriptor.base_mip_level
            )));
        }
        let base = descriptor.base_array_layer;
        if base >= layers {
            return Err(invalid(format!("base_array_layer {base} is out of range: the texture has {layers} layers")));
        }
        let array_layer_count = descriptor.array_layer_count.unwrap_or(match dimension {
            TextureViewDimension::D1 | TextureViewDimension::D2 | TextureViewDimension::D3 => 1,
            TextureViewDimension::Cube => 6,
            TextureViewDimension::D2Array | TextureViewDimension::CubeArray => layers - base,
        });
        if array_layer_count == 0 || base.checked_add(array_layer_count).is_none_or(|end| end > layers) {
            return Err(invalid(format!(
                "array layers {base}..+{array_layer_count} are out of range: the texture has {layers}"
            )));
        }
        match dimension {
            TextureViewDimension::D1 | TextureViewDimension::D2 | TextureViewDimension::D3
                if array_layer_count != 1 =>
            {
                return Err(invalid(format!("a {dimension:?} view has exactly one layer, not {array_layer_count}")));
            }
            TextureViewDimension::Cube if array_layer_count != 6 => {
                return Err(invalid(format!("a cube view has exactly 6 layers, not {array_layer_count}")));
            }
            TextureViewDimension::CubeArray if !array_layer_count.is_multiple_of(6) => {
                return Err(invalid(format!("a cube array view has a multiple of 6 layers, not {array_layer_count}")));
            }
            TextureViewDimension::Cube | TextureViewDimension::CubeArray
                if texture.size.width != texture.size.height =>
            {
                return Err(invalid("a cube view needs a square texture"));
            }
            _ => {}
        }
        if texture.sample_count > 1 && dimension != TextureViewDimension::D2 {
            return Err(invalid("a multisampled texture has only D2 views"));
        }
        let usage = descriptor.usage.unwrap_or(texture.usage);
        if !texture.usage.contains(usage) || usage.is_empty() {
            return Err(invalid(format!(
                "view usage {usage} is not a non-empty subset of the texture's {}",
                texture.usage
            )));
        }
        let features = texture.device.features;
        if usage.contains(TextureUsages::STORAGE_BINDING) && !format.is_storage_capable(features) {
            return Err(Error::UnsupportedFormat {
                operation: OP,
                format,
                reason: "a view with STORAGE_BINDING usage needs a storage format; give the view a usage without it",
            });
        }
        if usage.contains(TextureUsages::RENDER_ATTACHMENT) && !format.is_renderable(features) {
            return Err(Error::UnsupportedFormat {
                operation: OP,
                format,
                reason: "a view with RENDER_ATTACHMENT usage needs a renderable format; give the view a usage without it",
            });
        }
        let raw = texture.raw.create_view(Some(&raw::GpuTextureViewDescriptor {
            format: Some(format.to_raw()),
            dimension: Some(dimension.to_raw()),
            usage: Some(raw::GpuTextureUsage::from_bits_retain(usage.bits() as _)),
            aspect: Some(aspect.to_raw()),
            base_mip_level: Some(descriptor.base_mip_level),
            mip_level_count: Some(mip_level_count),
            base_array_layer: Some(base),
            array_layer_count: Some(array_layer_count),
            swizzle: None,
            label: descriptor.label.map(str::to_owned),
        }));
        Ok(Self {
            shared: Rc::new(TextureViewShared {
                raw,
                texture: texture.clone(),
                format,
                dimension,
                usage,
                aspect,
                base_mip_level: descriptor.base_mip_level,
                mip_level_count,
                base_array_layer: base,
                array_layer_count,
            }),
        })
    }

    /// The texture viewed.
    pub fn texture(&self) -> Texture {
        Texture { shared: self.shared.texture.clone() }
    }

    /// The view's format.
    pub fn format(&self) -> TextureFormat {
        self.shared.format
    }

    /// The view's dimension.
    pub fn dimension(&self) -> TextureViewDimension {
        self.shared.dimension
    }

    /// What the view may be used for.
    pub fn usage(&self) -> TextureUsages {
        self.shared.usage
    }

    /// The aspects the view covers.
    pub fn aspect(&self) -> TextureAspect {
        self.shared.aspect
    }

    /// First mip level viewed.
    pub fn base_mip_level(&self) -> u32 {
        self.shared.base_mip_level
    }

    /// Number of mip levels viewed.
    pub fn mip_level_count(&self) -> u32 {
        self.shared.mip_level_count
    }

    /// First array layer viewed.
    pub fn base_array_layer(&self) -> u32 {
        self.shared.base_array_layer
    }

    /// Number of array layers viewed.
    pub fn array_layer_count(&self) -> u32 {
        self.shared.array_layer_count
    }

    /// Size of the view's first mip level: width, height, and the depth (3D)
    /// or number of layers viewed.
    pub fn size(&self) -> Extent3d {
        let texture = &self.shared.texture;
        let mut size = texture.size.mip_level_size(self.shared.base_mip_level, texture.dimension);
        if texture.dimension != TextureDimension::D3 {
            size.depth_or_array_layers = self.shared.array_layer_count;
        }
        size
    }
}

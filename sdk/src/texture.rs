//! [`Texture`]: WebGPU's `GPUTexture`.

use std::cell::Cell;
use std::rc::Rc;

use crate::bindings::webgpu as raw;
use crate::device::DeviceShared;
use crate::flags::flags;
use crate::texture_format::FormatFeature;
use crate::verdict::{self, Verdict};
use crate::{Error, Result, TextureAspect, TextureFormat, TextureView, TextureViewDescriptor};

flags! {
    /// What a texture may be used for. Corresponds to WebGPU's
    /// [`GPUTextureUsage`](https://www.w3.org/TR/webgpu/#typedefdef-gputextureusageflags).
    pub struct TextureUsages {
        /// Source of copies.
        const COPY_SRC = 0;
        /// Destination of copies and queue writes.
        const COPY_DST = 1;
        /// Sampled or loaded in a shader (`texture_2d<f32>`, ...).
        const TEXTURE_BINDING = 2;
        /// Bound as a storage texture (`texture_storage_2d<...>`).
        const STORAGE_BINDING = 3;
        /// Color or depth/stencil attachment of a render pass.
        const RENDER_ATTACHMENT = 4;
    }
}

/// The size of a texture, or of a region of one. Corresponds to WebGPU's
/// [`GPUExtent3D`](https://www.w3.org/TR/webgpu/#dictdef-gpuextent3ddict).
///
/// `depth_or_array_layers` is the depth of a 3D texture and the number of
/// layers of a 1D or 2D one. The default is 1×1×1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extent3d {
    /// Width in texels.
    pub width: u32,
    /// Height in texels.
    pub height: u32,
    /// Depth in texels (3D) or array layers (1D, 2D).
    pub depth_or_array_layers: u32,
}

impl Default for Extent3d {
    fn default() -> Self {
        Self { width: 1, height: 1, depth_or_array_layers: 1 }
    }
}

impl Extent3d {
    /// The size of mip level `level` of a texture of this size: width,
    /// height (and depth for 3D) halve per level, never below 1; array layers
    /// stay.
    pub fn mip_level_size(&self, level: u32, dimension: TextureDimension) -> Extent3d {
        let shrink = |v: u32| v.checked_shr(level).unwrap_or(0).max(1);
        Extent3d {
            width: shrink(self.width),
            height: if dimension == TextureDimension::D1 { 1 } else { shrink(self.height) },
            depth_or_array_layers: if dimension == TextureDimension::D3 {
                shrink(self.depth_or_array_layers)
            } else {
                self.depth_or_array_layers
            },
        }
    }

    /// The most mip levels a texture of this size can have: down to 1×1(×1).
    pub fn max_mips(&self, dimension: TextureDimension) -> u32 {
        let largest = match dimension {
            TextureDimension::D1 => 1,
            TextureDimension::D2 => self.width.max(self.height),
            TextureDimension::D3 => self.width.max(self.height).max(self.depth_or_array_layers),
        };
        u32::BITS - largest.max(1).leading_zeros()
    }

    fn to_raw(self) -> raw::GpuExtent3D {
        raw::GpuExtent3D {
            width: self.width,
            height: Some(self.height),
            depth_or_array_layers: Some(self.depth_or_array_layers),
        }
    }
}

/// A texel position in a texture. Corresponds to WebGPU's
/// [`GPUOrigin3D`](https://www.w3.org/TR/webgpu/#dictdef-gpuorigin3ddict);
/// `z` is the depth (3D) or the first array layer (1D, 2D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Origin3d {
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
    /// Depth slice or array layer.
    pub z: u32,
}

impl Origin3d {
    /// The origin, (0, 0, 0).
    pub const ZERO: Self = Self { x: 0, y: 0, z: 0 };

    pub(crate) fn to_raw(self) -> raw::GpuOrigin3D {
        raw::GpuOrigin3D { x: Some(self.x), y: Some(self.y), z: Some(self.z) }
    }
}

/// How many dimensions a texture has. Corresponds to WebGPU's
/// [`GPUTextureDimension`](https://www.w3.org/TR/webgpu/#enumdef-gputexturedimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextureDimension {
    /// A row of texels, possibly layered.
    D1,
    /// A plane of texels, possibly layered (an array texture or cube map).
    #[default]
    D2,
    /// A volume of texels.
    D3,
}

impl TextureDimension {
    fn to_raw(self) -> raw::GpuTextureDimension {
        match self {
            Self::D1 => raw::GpuTextureDimension::D1,
            Self::D2 => raw::GpuTextureDimension::D2,
            Self::D3 => raw::GpuTextureDimension::D3,
        }
    }
}

/// Describes a [`Texture`]. Corresponds to WebGPU's
/// [`GPUTextureDescriptor`](https://www.w3.org/TR/webgpu/#dictdef-gputexturedescriptor).
///
/// The default is a 1×1 2D `rgba8unorm` texture with one mip level, one
/// sample and no usage; a texture needs at least one usage.
#[derive(Debug, Clone)]
pub struct TextureDescriptor<'a> {
    /// A debug label.
    pub label: Option<&'a str>,
    /// Width, height and depth or layers of mip level 0.
    pub size: Extent3d,
    /// Mip levels, from 1 to [`Extent3d::max_mips`].
    pub mip_level_count: u32,
    /// 1, or 4 for a multisampled render target.
    pub sample_count: u32,
    /// 1D, 2D or 3D.
    pub dimension: TextureDimension,
    /// How texels are stored.
    pub format: TextureFormat,
    /// What the texture may be used for.
    pub usage: TextureUsages,
    /// Other formats views of it may have: only the sRGB twin of `format`
    /// (see [`TextureFormat::add_srgb_suffix`]).
    pub view_formats: &'a [TextureFormat],
}

impl Default for TextureDescriptor<'_> {
    fn default() -> Self {
        Self {
            label: None,
            size: Extent3d::default(),
            mip_level_count: 1,
            sample_count: 1,
            dimension: TextureDimension::D2,
            format: TextureFormat::Rgba8Unorm,
            usage: TextureUsages::empty(),
            view_formats: &[],
        }
    }
}

/// The guest's record of a host texture, shared by every [`Texture`] clone
/// and by the views, bind groups and command buffers that use it.
///
/// The reference host panics on every texture getter, so everything the SDK
/// or the user asks about a texture is kept here.
pub(crate) struct TextureShared {
    pub(crate) raw: raw::GpuTexture,
    pub(crate) device: Rc<DeviceShared>,
    pub(crate) size: Extent3d,
    pub(crate) mip_level_count: u32,
    pub(crate) sample_count: u32,
    pub(crate) dimension: TextureDimension,
    pub(crate) format: TextureFormat,
    pub(crate) usage: TextureUsages,
    pub(crate) view_formats: Vec<TextureFormat>,
    destroyed: Cell<bool>,
    /// Whether the host really created the texture.
    created: Verdict,
}

impl Drop for TextureShared {
    fn drop(&mut self) {
        // Frees the memory now rather than whenever the host collects the
        // handle; the host defers it past work already submitted.
        if !self.destroyed.get() && !self.created.failed() {
            self.raw.destroy();
        }
    }
}

impl TextureShared {
    /// Checks the texture is not destroyed and that the host created it;
    /// every use that reaches the host checks this first.
    pub(crate) fn check_alive(&self, operation: &'static str) -> Result<()> {
        if self.destroyed.get() {
            return Err(Error::TextureDestroyed { operation });
        }
        self.created.check(operation)
    }

    pub(crate) fn check_usage(&self, operation: &'static str, required: TextureUsages) -> Result<()> {
        if self.usage.contains(required) {
            Ok(())
        } else {
            Err(Error::MissingTextureUsage { operation, required, actual: self.usage })
        }
    }

    /// Array layers: `depth_or_array_layers` except for 3D textures, which
    /// have one.
    pub(crate) fn array_layer_count(&self) -> u32 {
        if self.dimension == TextureDimension::D3 { 1 } else { self.size.depth_or_array_layers }
    }

    pub(crate) fn check_mip_level(&self, operation: &'static str, level: u32) -> Result<()> {
        if level < self.mip_level_count {
            Ok(())
        } else {
            Err(Error::InvalidTexture {
                operation,
                reason: format!("mip level {level} is out of range: the texture has {}", self.mip_level_count),
            })
        }
    }
}

/// An image on the GPU: 1D, 2D (possibly layered) or 3D, with mip levels.
/// Corresponds to WebGPU's [`GPUTexture`](https://www.w3.org/TR/webgpu/#gputexture).
///
/// Created by [`Device::create_texture`](crate::Device::create_texture).
/// Shaders and render passes see it through [`TextureView`]s
/// ([`create_view`](Self::create_view)); data gets in by
/// [`Queue::write_texture`](crate::Queue::write_texture) or copies and comes
/// out by copies or [`read_pixels`](Self::read_pixels), which handles
/// WebGPU's 256-byte row alignment.
///
/// The getters answer from the guest: the texture's properties are fixed at
/// creation.
///
/// # Lifetime
/// `Texture` is a cheap handle: clones share one GPU texture, and views, bind
/// groups and command buffers keep it alive. When the last user is gone its
/// memory is freed once submitted work is done. [`destroy`](Self::destroy)
/// frees it earlier; later use is an [`Error::TextureDestroyed`].
#[derive(Clone)]
pub struct Texture {
    pub(crate) shared: Rc<TextureShared>,
}

impl core::fmt::Debug for Texture {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = &self.shared;
        f.debug_struct("Texture")
            .field("size", &s.size)
            .field("format", &s.format)
            .field("dimension", &s.dimension)
            .field("mip_level_count", &s.mip_level_count)
            .field("sample_count", &s.sample_count)
            .field("usage", &s.usage)
            .finish()
    }
}

impl Texture {
    pub(crate) fn new(device: &Rc<DeviceShared>, descriptor: &TextureDescriptor<'_>) -> Result<Self> {
        const OP: &str = "create_texture";
        validate_descriptor(device, descriptor)?;
        // A texture the host could not allocate is an `Err` here, never an
        // invalid handle for a later call (see `verdict`).
        let what = || {
            let Extent3d { width, height, depth_or_array_layers } = descriptor.size;
            format!(
                "{OP} of {width}x{height}x{depth_or_array_layers} {} ({} mip levels)",
                descriptor.format.name(),
                descriptor.mip_level_count
            )
        };
        let (raw, created) = verdict::create(device, OP, "texture", what, |raw| {
            raw.create_texture(&raw::GpuTextureDescriptor {
                size: descriptor.size.to_raw(),
                mip_level_count: Some(descriptor.mip_level_count),
                sample_count: Some(descriptor.sample_count),
                dimension: Some(descriptor.dimension.to_raw()),
                format: descriptor.format.to_raw(),
                usage: raw::GpuTextureUsage::from_bits_retain(descriptor.usage.bits() as _),
                view_formats: Some(descriptor.view_formats.iter().map(|f| f.to_raw()).collect()),
                texture_binding_view_dimension: None,
                label: descriptor.label.map(str::to_owned),
            })
        })?;
        Ok(Self {
            shared: Rc::new(TextureShared {
                raw,
                device: device.clone(),
                size: descriptor.size,
                mip_level_count: descriptor.mip_level_count,
                sample_count: descriptor.sample_count,
                dimension: descriptor.dimension,
                format: descriptor.format,
                usage: descriptor.usage,
                view_formats: descriptor.view_formats.to_vec(),
                destroyed: Cell::new(false),
                created,
            }),
        })
    }

    /// Waits until the host has said whether it created the texture; see
    /// [`Buffer::created`](crate::Buffer::created), which works alike.
    pub async fn created(&self) -> Result<()> {
        self.shared.created.wait("created").await
    }

    /// Creates a view: what shaders and render passes bind. Corresponds to
    /// WebGPU's [`createView`](https://www.w3.org/TR/webgpu/#dom-gputexture-createview).
    ///
    /// `TextureViewDescriptor::default()` views the whole texture.
    pub fn create_view(&self, descriptor: &TextureViewDescriptor<'_>) -> Result<TextureView> {
        TextureView::new(&self.shared, descriptor)
    }

    /// Size of mip level 0.
    pub fn size(&self) -> Extent3d {
        self.shared.size
    }

    /// Width of mip level 0.
    pub fn width(&self) -> u32 {
        self.shared.size.width
    }

    /// Height of mip level 0.
    pub fn height(&self) -> u32 {
        self.shared.size.height
    }

    /// Depth (3D) or array layers (1D, 2D).
    pub fn depth_or_array_layers(&self) -> u32 {
        self.shared.size.depth_or_array_layers
    }

    /// Number of mip levels.
    pub fn mip_level_count(&self) -> u32 {
        self.shared.mip_level_count
    }

    /// Samples per texel: 1, or 4 when multisampled.
    pub fn sample_count(&self) -> u32 {
        self.shared.sample_count
    }

    /// 1D, 2D or 3D.
    pub fn dimension(&self) -> TextureDimension {
        self.shared.dimension
    }

    /// How texels are stored.
    pub fn format(&self) -> TextureFormat {
        self.shared.format
    }

    /// What the texture may be used for.
    pub fn usage(&self) -> TextureUsages {
        self.shared.usage
    }

    /// The formats views may have besides [`format`](Self::format).
    pub fn view_formats(&self) -> &[TextureFormat] {
        &self.shared.view_formats
    }

    /// The whole of mip level 0 as a copy location, for
    /// [`Queue::write_texture`](crate::Queue::write_texture) and copies.
    pub fn as_image_copy(&self) -> crate::TexelCopyTextureInfo<'_> {
        crate::TexelCopyTextureInfo { texture: self, mip_level: 0, origin: Origin3d::ZERO, aspect: TextureAspect::All }
    }

    /// Frees the texture's memory now, once submitted work that uses it is
    /// done. Later use, by any clone, view, bind group or command buffer, is
    /// an [`Error::TextureDestroyed`]. Corresponds to WebGPU's
    /// [`destroy`](https://www.w3.org/TR/webgpu/#dom-gputexture-destroy).
    pub fn destroy(&self) {
        if !self.shared.destroyed.replace(true) && !self.shared.created.failed() {
            self.shared.raw.destroy();
        }
    }
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidTexture { operation: "create_texture", reason: reason.into() }
}

/// WebGPU's texture creation rules, checked before the host sees the
/// descriptor: the host would create an invalid texture, and its later uses
/// (a queue write, for one) trap.
fn validate_descriptor(device: &DeviceShared, descriptor: &TextureDescriptor<'_>) -> Result<()> {
    const OP: &str = "create_texture";
    let TextureDescriptor { size, mip_level_count, sample_count, dimension, format, usage, .. } = *descriptor;
    let limits = &device.limits;
    if usage.is_empty() {
        return Err(invalid("a texture needs at least one usage"));
    }
    match format.required_feature() {
        Some(FormatFeature::Known(feature)) if !device.features.contains(feature) => {
            return Err(Error::UnsupportedFeature(feature.name().unwrap_or("a texture format feature")));
        }
        Some(FormatFeature::Tier1) => return Err(Error::UnsupportedFeature("texture-formats-tier1")),
        _ => {}
    }
    if size.width == 0 || size.height == 0 || size.depth_or_array_layers == 0 {
        return Err(invalid(format!("every dimension of the size must be at least 1, got {size:?}")));
    }
    let over = |what, value: u32, limit, max: u32| {
        if value > max { Err(Error::OverLimit { what, value: value.into(), limit, max: max.into() }) } else { Ok(()) }
    };
    match dimension {
        TextureDimension::D1 => {
            over("texture width", size.width, "maxTextureDimension1D", limits.max_texture_dimension1_d)?;
            if size.height != 1 || size.depth_or_array_layers != 1 {
                return Err(invalid("a 1D texture has height 1 and one layer"));
            }
        }
        TextureDimension::D2 => {
            over("texture width", size.width, "maxTextureDimension2D", limits.max_texture_dimension2_d)?;
            over("texture height", size.height, "maxTextureDimension2D", limits.max_texture_dimension2_d)?;
            over(
                "texture array layers",
                size.depth_or_array_layers,
                "maxTextureArrayLayers",
                limits.max_texture_array_layers,
            )?;
        }
        TextureDimension::D3 => {
            for (what, value) in [
                ("texture width", size.width),
                ("texture height", size.height),
                ("texture depth", size.depth_or_array_layers),
            ] {
                over(what, value, "maxTextureDimension3D", limits.max_texture_dimension3_d)?;
            }
        }
    }
    if dimension != TextureDimension::D2 && (format.is_depth_stencil_format() || format.is_compressed()) {
        return Err(Error::UnsupportedFormat {
            operation: OP,
            format,
            reason: "depth, stencil and compressed formats need a 2D texture",
        });
    }
    let (block_width, block_height) = format.block_dimensions();
    if !size.width.is_multiple_of(block_width) || !size.height.is_multiple_of(block_height) {
        return Err(invalid(format!(
            "the size of a {} texture must be a multiple of its {block_width}x{block_height} blocks",
            format.name()
        )));
    }
    let max_mips = size.max_mips(dimension);
    if mip_level_count == 0 || mip_level_count > max_mips {
        return Err(invalid(format!(
            "mip_level_count must be 1 to {max_mips} for a texture of {size:?}, got {mip_level_count}"
        )));
    }
    match sample_count {
        1 => {}
        4 => {
            if dimension != TextureDimension::D2
                || size.depth_or_array_layers != 1
                || mip_level_count != 1
                || usage.contains(TextureUsages::STORAGE_BINDING)
                || !usage.contains(TextureUsages::RENDER_ATTACHMENT)
            {
                return Err(invalid(
                    "a multisampled texture is 2D, has one layer and one mip level, is a RENDER_ATTACHMENT and \
                     not a STORAGE_BINDING",
                ));
            }
            if !format.supports_multisampling() {
                return Err(Error::UnsupportedFormat { operation: OP, format, reason: "it cannot be multisampled" });
            }
        }
        other => return Err(invalid(format!("sample_count must be 1 or 4, got {other}"))),
    }
    if usage.contains(TextureUsages::STORAGE_BINDING) && !format.is_storage_capable(device.features) {
        return Err(Error::UnsupportedFormat {
            operation: OP,
            format,
            reason: "it cannot be a storage texture (STORAGE_BINDING)",
        });
    }
    if usage.contains(TextureUsages::RENDER_ATTACHMENT) {
        if !format.is_renderable(device.features) {
            return Err(Error::UnsupportedFormat {
                operation: OP,
                format,
                reason: "it cannot be a render attachment (RENDER_ATTACHMENT)",
            });
        }
        if dimension == TextureDimension::D1 {
            return Err(invalid("a 1D texture cannot be a RENDER_ATTACHMENT"));
        }
    }
    for &view_format in descriptor.view_formats {
        if view_format.remove_srgb_suffix() != format.remove_srgb_suffix() {
            return Err(invalid(format!(
                "view format {} is not {} or its sRGB twin",
                view_format.name(),
                format.name()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mip_sizes() {
        let size = Extent3d { width: 100, height: 30, depth_or_array_layers: 6 };
        assert_eq!(size.max_mips(TextureDimension::D2), 7);
        assert_eq!(size.max_mips(TextureDimension::D1), 1);
        assert_eq!(
            size.mip_level_size(3, TextureDimension::D2),
            Extent3d { width: 12, height: 3, depth_or_array_layers: 6 }
        );
        assert_eq!(
            size.mip_level_size(2, TextureDimension::D3),
            Extent3d { width: 25, height: 7, depth_or_array_layers: 1 }
        );
        assert_eq!(size.mip_level_size(40, TextureDimension::D2).width, 1);
    }
}

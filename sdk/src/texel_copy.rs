//! Copies between textures and linear memory: WebGPU's `GPUTexelCopy*`
//! dictionaries, [`Queue::write_texture`], the encoder's texture copies and
//! [`Texture::read_pixels`], with WebGPU's copy rules checked in the guest.
//!
//! The reference host traps on a queue texture write it finds invalid, and
//! an invalid copy would fail the whole command buffer, so every rule is
//! checked here first and broken ones are an [`Error`] naming the rule.

use std::rc::Rc;

use bytemuck::Pod;

use crate::bindings::webgpu as raw;
use crate::buffer::{BufferShared, align_up, check_same_device, try_with_capacity};
use crate::device::{DeviceShared, same_device};
use crate::texture::TextureShared;
use crate::{
    Buffer, BufferDescriptor, BufferUsages, CommandEncoder, Error, Extent3d, Origin3d, Queue, Result, Texture,
    TextureAspect, TextureDimension, TextureUsages,
};

/// `bytes_per_row` of a copy between a buffer and a texture must be a
/// multiple of this many bytes. Queue writes have no such rule, and
/// [`Texture::read_pixels`] hides it.
pub const COPY_BYTES_PER_ROW_ALIGNMENT: u32 = 256;

/// A region's start in a texture: which texture, mip level, texel and
/// aspect. Corresponds to WebGPU's
/// [`GPUTexelCopyTextureInfo`](https://www.w3.org/TR/webgpu/#dictdef-gputexelcopytextureinfo).
/// [`Texture::as_image_copy`] gives the start of mip level 0.
#[derive(Debug, Clone, Copy)]
pub struct TexelCopyTextureInfo<'a> {
    /// The texture.
    pub texture: &'a Texture,
    /// The mip level.
    pub mip_level: u32,
    /// The first texel (and layer, in `z`, for 1D and 2D textures).
    pub origin: Origin3d,
    /// Which aspect: a copy covers a single aspect of a depth-stencil format.
    pub aspect: TextureAspect,
}

/// How texels lie in linear memory: rows of texel blocks, `bytes_per_row`
/// apart, images `rows_per_image` rows apart. Corresponds to WebGPU's
/// [`GPUTexelCopyBufferLayout`](https://www.w3.org/TR/webgpu/#dictdef-gputexelcopybufferlayout).
///
/// `bytes_per_row` is needed when the copy has more than one row, and
/// `rows_per_image` when it has more than one image; `None` means tightly
/// packed otherwise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TexelCopyBufferLayout {
    /// Byte offset of the first texel.
    pub offset: u64,
    /// Bytes from one row of blocks to the next.
    pub bytes_per_row: Option<u32>,
    /// Rows of blocks from one image (layer or depth slice) to the next.
    pub rows_per_image: Option<u32>,
}

/// A buffer and the layout of texels in it. Corresponds to WebGPU's
/// [`GPUTexelCopyBufferInfo`](https://www.w3.org/TR/webgpu/#dictdef-gputexelcopybufferinfo).
#[derive(Debug)]
pub struct TexelCopyBufferInfo<'a, T: Pod = u8> {
    /// The buffer.
    pub buffer: &'a Buffer<T>,
    /// Where the texels are in it.
    pub layout: TexelCopyBufferLayout,
}

impl<T: Pod> Clone for TexelCopyBufferInfo<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Pod> Copy for TexelCopyBufferInfo<'_, T> {}

impl TexelCopyBufferLayout {
    fn to_raw(self) -> raw::GpuTexelCopyBufferLayout {
        raw::GpuTexelCopyBufferLayout {
            offset: Some(self.offset),
            bytes_per_row: self.bytes_per_row,
            rows_per_image: self.rows_per_image,
        }
    }
}

/// A checked texture side of a copy.
#[derive(Clone)]
struct TextureSide {
    texture: Rc<TextureShared>,
    mip_level: u32,
    origin: Origin3d,
    aspect: TextureAspect,
    /// Bytes per texel block of the copied aspect.
    block_size: u32,
    block_dims: (u32, u32),
}

impl TextureSide {
    fn to_raw(&self) -> raw::GpuTexelCopyTextureInfo<'_> {
        raw::GpuTexelCopyTextureInfo {
            texture: &self.texture.raw,
            mip_level: Some(self.mip_level),
            origin: Some(self.origin.to_raw()),
            aspect: Some(self.aspect.to_raw()),
        }
    }
}

fn copy_err(operation: &'static str, reason: impl Into<String>) -> Error {
    Error::TextureCopy { operation, reason: reason.into() }
}

/// WebGPU's "validating GPUTexelCopyTextureInfo" and "validating texture
/// copy range", plus the format's copy rules. `to_texture` says which way
/// texels go when the other side is linear memory.
fn check_texture_side(
    operation: &'static str,
    info: &TexelCopyTextureInfo<'_>,
    size: Extent3d,
    usage: TextureUsages,
    linear: Option<bool>,
) -> Result<TextureSide> {
    let texture = &info.texture.shared;
    texture.check_alive(operation)?;
    texture.check_usage(operation, usage)?;
    texture.check_mip_level(operation, info.mip_level)?;
    let format = texture.format;
    let aspect = info.aspect;
    if format.aspect_format(aspect).is_none() {
        return Err(Error::InvalidTexture {
            operation,
            reason: format!("a {} texture has no {aspect:?} aspect", format.name()),
        });
    }
    let block_size = match linear {
        Some(to_texture) => {
            if texture.sample_count != 1 {
                return Err(copy_err(operation, "a multisampled texture cannot be copied to or from a buffer"));
            }
            if !format.copyable(aspect, to_texture) {
                return Err(Error::UnsupportedFormat {
                    operation,
                    format,
                    reason: if to_texture {
                        "this aspect cannot be written by copies (depth24plus never, depth32float only read; \
                         a depth-stencil format needs aspect DepthOnly or StencilOnly)"
                    } else {
                        "this aspect cannot be read by copies (depth24plus never; a depth-stencil format needs \
                         aspect DepthOnly or StencilOnly)"
                    },
                });
            }
            format.block_copy_size(aspect).unwrap_or(1)
        }
        // Texture-to-texture copies move whole texels of every aspect.
        None => format.block_copy_size(aspect).unwrap_or(4),
    };
    let block_dims = format.block_dimensions();
    let (bw, bh) = block_dims;
    let mip = texture.size.mip_level_size(info.mip_level, texture.dimension);
    // Compressed textures' mips are stored padded to whole blocks.
    let physical = Extent3d {
        width: align_up(mip.width.into(), bw.into()) as u32,
        height: align_up(mip.height.into(), bh.into()) as u32,
        depth_or_array_layers: mip.depth_or_array_layers,
    };
    let origin = info.origin;
    let fits = |start: u32, len: u32, max: u32| u64::from(start) + u64::from(len) <= u64::from(max);
    if !fits(origin.x, size.width, physical.width)
        || !fits(origin.y, size.height, physical.height)
        || !fits(origin.z, size.depth_or_array_layers, physical.depth_or_array_layers)
    {
        return Err(copy_err(
            operation,
            format!(
                "the region at {origin:?} of size {size:?} is out of bounds of mip level {} ({}x{}x{})",
                info.mip_level, physical.width, physical.height, physical.depth_or_array_layers
            ),
        ));
    }
    if texture.dimension == TextureDimension::D1 && (size.height != 1 || size.depth_or_array_layers != 1) {
        return Err(copy_err(operation, "a copy of a 1D texture has height and depth 1"));
    }
    if !origin.x.is_multiple_of(bw)
        || !origin.y.is_multiple_of(bh)
        || !size.width.is_multiple_of(bw)
        || !size.height.is_multiple_of(bh)
    {
        return Err(copy_err(
            operation,
            format!("origin and size of a {} copy must be multiples of its {bw}x{bh} blocks", format.name()),
        ));
    }
    if format.is_depth_stencil_format()
        && (origin.x != 0 || origin.y != 0 || size.width != mip.width || size.height != mip.height)
    {
        return Err(copy_err(operation, "a depth or stencil copy covers whole mip levels"));
    }
    Ok(TextureSide { texture: texture.clone(), mip_level: info.mip_level, origin, aspect, block_size, block_dims })
}

/// WebGPU's "validating linear texture data": returns the bytes the layout
/// needs past its offset. `aligned` applies the 256-byte row rule of buffer
/// copies.
fn check_linear_layout(
    operation: &'static str,
    layout: &TexelCopyBufferLayout,
    side: &TextureSide,
    size: Extent3d,
    aligned: bool,
) -> Result<u64> {
    let (bw, bh) = side.block_dims;
    let width_blocks = u64::from(size.width / bw);
    let height_blocks = size.height / bh;
    let depth = size.depth_or_array_layers;
    let bytes_in_row = width_blocks * u64::from(side.block_size);
    if let Some(bytes_per_row) = layout.bytes_per_row {
        if aligned && !bytes_per_row.is_multiple_of(COPY_BYTES_PER_ROW_ALIGNMENT) {
            return Err(Error::Misaligned {
                operation,
                what: "bytes_per_row",
                value: bytes_per_row.into(),
                alignment: COPY_BYTES_PER_ROW_ALIGNMENT.into(),
            });
        }
        if u64::from(bytes_per_row) < bytes_in_row {
            return Err(copy_err(
                operation,
                format!("bytes_per_row = {bytes_per_row} is less than a row of the copy, {bytes_in_row} bytes"),
            ));
        }
    } else if height_blocks > 1 || depth > 1 {
        return Err(copy_err(operation, "bytes_per_row is needed for a copy of more than one row"));
    }
    if let Some(rows_per_image) = layout.rows_per_image {
        if rows_per_image < height_blocks {
            return Err(copy_err(
                operation,
                format!("rows_per_image = {rows_per_image} is less than the copy's {height_blocks} rows"),
            ));
        }
    } else if depth > 1 {
        return Err(copy_err(operation, "rows_per_image is needed for a copy of more than one image"));
    }
    if width_blocks == 0 || height_blocks == 0 || depth == 0 {
        return Ok(0);
    }
    let bytes_per_row = layout.bytes_per_row.map_or(bytes_in_row, u64::from);
    let rows_per_image = u64::from(layout.rows_per_image.unwrap_or(height_blocks));
    // User-chosen strides can make the span exceed u64 (e.g. 2^31 * 2^31 *
    // layers): checked so such a layout is a copy error, not a trap or a
    // wrapped size that would let an invalid copy reach the host.
    bytes_per_row
        .checked_mul(rows_per_image)
        .and_then(|image| image.checked_mul(u64::from(depth - 1)))
        .and_then(|images| images.checked_add(bytes_per_row.checked_mul(u64::from(height_blocks - 1))?))
        .and_then(|rows| rows.checked_add(bytes_in_row))
        .ok_or_else(|| {
            copy_err(
                operation,
                format!(
                    "the layout (bytes_per_row = {bytes_per_row}, rows_per_image = {rows_per_image}, \
                     {depth} images) spans more than 2^64 bytes"
                ),
            )
        })
}

/// The buffer side of a buffer copy: usage, offset alignment and bounds.
fn check_buffer_side(
    operation: &'static str,
    buffer: &BufferShared,
    layout: &TexelCopyBufferLayout,
    side: &TextureSide,
    required: u64,
    usage: BufferUsages,
) -> Result<()> {
    buffer.check_alive(operation)?;
    buffer.check_usage(operation, usage)?;
    let alignment = if side.texture.format.is_depth_stencil_format() { 4 } else { side.block_size };
    crate::buffer::check_aligned(operation, "buffer offset", layout.offset, alignment.into())?;
    buffer.check_range(operation, layout.offset, required)?;
    Ok(())
}

impl Queue {
    /// Writes `data`, laid out as `data_layout` says, into the region of
    /// `texture` of `size` texels. Corresponds to WebGPU's
    /// [`writeTexture`](https://www.w3.org/TR/webgpu/#dom-gpuqueue-writetexture).
    ///
    /// Unlike buffer copies, rows need no alignment. The texture needs
    /// `COPY_DST`; the write happens before work submitted after it.
    pub fn write_texture(
        &self,
        texture: TexelCopyTextureInfo<'_>,
        data: &[u8],
        data_layout: TexelCopyBufferLayout,
        size: Extent3d,
    ) -> Result<()> {
        const OP: &str = "write_texture";
        same_device(&texture.texture.shared.device, &self.shared, OP)?;
        let side = check_texture_side(OP, &texture, size, TextureUsages::COPY_DST, Some(true))?;
        let required = check_linear_layout(OP, &data_layout, &side, size, false)?;
        let end =
            data_layout.offset.checked_add(required).filter(|&end| end <= data.len() as u64).ok_or_else(|| {
                copy_err(
                    OP,
                    format!(
                        "the layout needs {required} bytes from offset {}, but data has {} bytes",
                        data_layout.offset,
                        data.len()
                    ),
                )
            })?;
        let queue = self.shared.queue(OP)?;
        // Only the bytes the copy reads cross to the host, which copies them
        // twice.
        let bytes = &data[data_layout.offset as usize..end as usize];
        let layout = TexelCopyBufferLayout { offset: 0, ..data_layout };
        // Pieces written before a failing one stay queued, so the device must
        // flush them either way.
        let written = write_pieces(&side, bytes, layout, size).into_iter().try_for_each(|(origin, bytes, size)| {
            let piece = TextureSide { origin, ..side.clone() };
            if bytes.len() as u64 > TEXTURE_WRITE_CHUNK {
                write_via_staging(&self.shared, &piece, bytes, layout, size)
            } else {
                queue.write_texture_with_copy(&piece.to_raw(), bytes, layout.to_raw(), size_to_raw(size));
                Ok(())
            }
        });
        self.shared.note_unflushed_writes();
        written
    }
}

/// Largest piece of texel data one `write-texture-with-copy` call carries,
/// unless a single row (or a whole depth or stencil image) is larger: a host
/// may limit what one call carries (wasmtime 48 traps the guest past 128
/// MiB), and pieces this small stay in cache.
const TEXTURE_WRITE_CHUNK: u64 = 4 << 20;

/// Splits a checked queue texture write of `bytes` (laid out as `layout`,
/// offset 0) into writes of at most [`TEXTURE_WRITE_CHUNK`] bytes, each
/// valid on its own under the same layout: whole images (layers or depth
/// slices) where they fit, else groups of whole block rows of one image.
/// Depth and stencil writes cover whole mip levels, so their images are
/// never split.
fn write_pieces<'d>(
    side: &TextureSide,
    bytes: &'d [u8],
    layout: TexelCopyBufferLayout,
    size: Extent3d,
) -> Vec<(Origin3d, &'d [u8], Extent3d)> {
    let (bw, bh) = side.block_dims;
    let height_blocks = size.height / bh;
    let bytes_in_row = u64::from(size.width / bw) * u64::from(side.block_size);
    let origin = side.origin;
    if bytes.len() as u64 <= TEXTURE_WRITE_CHUNK || bytes_in_row == 0 || height_blocks == 0 {
        return vec![(origin, bytes, size)];
    }
    // The layout was checked against these sizes, so nothing here overflows
    // and every range lies inside `bytes`.
    let bytes_per_row = layout.bytes_per_row.map_or(bytes_in_row, u64::from);
    let image_stride = bytes_per_row * u64::from(layout.rows_per_image.unwrap_or(height_blocks));
    let image_bytes = bytes_per_row * u64::from(height_blocks - 1) + bytes_in_row;
    let span = |start: u64, len: u64| &bytes[start as usize..(start + len) as usize];
    let mut pieces = Vec::new();
    if image_bytes <= TEXTURE_WRITE_CHUNK || side.texture.format.is_depth_stencil_format() {
        let per_piece = if image_bytes >= TEXTURE_WRITE_CHUNK {
            1
        } else {
            ((TEXTURE_WRITE_CHUNK - image_bytes) / image_stride.max(1) + 1).min(u32::MAX.into()) as u32
        };
        let mut z = 0;
        while z < size.depth_or_array_layers {
            let n = per_piece.min(size.depth_or_array_layers - z);
            let start = u64::from(z) * image_stride;
            pieces.push((
                Origin3d { z: origin.z + z, ..origin },
                span(start, u64::from(n - 1) * image_stride + image_bytes),
                Extent3d { depth_or_array_layers: n, ..size },
            ));
            z += n;
        }
        return pieces;
    }
    let rows_per_piece = if bytes_in_row >= TEXTURE_WRITE_CHUNK {
        1
    } else {
        ((TEXTURE_WRITE_CHUNK - bytes_in_row) / bytes_per_row + 1).min(u32::MAX.into()) as u32
    };
    for z in 0..size.depth_or_array_layers {
        let mut row = 0;
        while row < height_blocks {
            let n = rows_per_piece.min(height_blocks - row);
            let start = u64::from(z) * image_stride + u64::from(row) * bytes_per_row;
            pieces.push((
                Origin3d { y: origin.y + row * bh, z: origin.z + z, ..origin },
                span(start, u64::from(n - 1) * bytes_per_row + bytes_in_row),
                Extent3d { height: n * bh, depth_or_array_layers: 1, ..size },
            ));
            row += n;
        }
    }
    pieces
}

/// Writes one image that cannot be split into row groups (a whole depth or
/// stencil mip level) larger than [`TEXTURE_WRITE_CHUNK`]: its rows go into
/// a mapped staging buffer in pieces, and one submitted copy moves them into
/// the texture. The submit also runs earlier queue writes first, so the
/// order WebGPU gives queue writes holds.
fn write_via_staging(
    device: &Rc<DeviceShared>,
    side: &TextureSide,
    bytes: &[u8],
    layout: TexelCopyBufferLayout,
    size: Extent3d,
) -> Result<()> {
    const OP: &str = "write_texture";
    let (bw, bh) = side.block_dims;
    let rows = u64::from(size.height / bh);
    let bytes_in_row = u64::from(size.width / bw) * u64::from(side.block_size);
    let bytes_per_row = layout.bytes_per_row.map_or(bytes_in_row, u64::from);
    let padded = align_up(bytes_in_row, COPY_BYTES_PER_ROW_ALIGNMENT.into());
    let staging = Buffer::<u8>::new(
        device,
        &BufferDescriptor {
            label: Some("wasi-webgpu write_texture staging"),
            len: padded * rows,
            usage: BufferUsages::COPY_SRC,
            mapped_at_creation: true,
        },
    )?;
    let rows_per_piece = (TEXTURE_WRITE_CHUNK / padded).max(1);
    let mut piece = try_with_capacity::<u8>(OP, padded * rows_per_piece.min(rows))?;
    let mut first = 0;
    while first < rows {
        let n = rows_per_piece.min(rows - first);
        piece.clear();
        for row in first..first + n {
            let at = (row * bytes_per_row) as usize;
            piece.extend_from_slice(&bytes[at..at + bytes_in_row as usize]);
            piece.resize(((row - first + 1) * padded) as usize, 0);
        }
        staging.slice(first * padded..).write_mapped(&piece)?;
        first += n;
    }
    staging.unmap()?;
    let encoder = device.raw(OP)?.create_command_encoder(None);
    let source = raw::GpuTexelCopyBufferInfo {
        buffer: staging.shared.raw(OP)?,
        offset: Some(0),
        bytes_per_row: Some(
            u32::try_from(padded)
                .map_err(|_| copy_err(OP, format!("a row of {padded} bytes is too large for a copy")))?,
        ),
        rows_per_image: Some(rows as u32),
    };
    encoder.copy_buffer_to_texture(&source, &side.to_raw(), size_to_raw(size));
    let commands = encoder.finish(None);
    device.queue(OP)?.submit(&[&commands]);
    device.note_submitted();
    Ok(())
}

fn size_to_raw(size: Extent3d) -> raw::GpuExtent3D {
    raw::GpuExtent3D {
        width: size.width,
        height: Some(size.height),
        depth_or_array_layers: Some(size.depth_or_array_layers),
    }
}

impl CommandEncoder {
    /// Copies texels from a buffer into a texture. Corresponds to WebGPU's
    /// [`copyBufferToTexture`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-copybuffertotexture).
    ///
    /// The buffer needs `COPY_SRC` and the texture `COPY_DST`;
    /// `bytes_per_row` must be a multiple of [`COPY_BYTES_PER_ROW_ALIGNMENT`].
    pub fn copy_buffer_to_texture<T: Pod>(
        &mut self,
        source: TexelCopyBufferInfo<'_, T>,
        destination: TexelCopyTextureInfo<'_>,
        copy_size: Extent3d,
    ) -> Result<()> {
        const OP: &str = "copy_buffer_to_texture";
        let buffer = &source.buffer.shared;
        check_same_device(buffer, &self.device, OP)?;
        same_device(&destination.texture.shared.device, &self.device, OP)?;
        let side = check_texture_side(OP, &destination, copy_size, TextureUsages::COPY_DST, Some(true))?;
        let required = check_linear_layout(OP, &source.layout, &side, copy_size, true)?;
        check_buffer_side(OP, buffer, &source.layout, &side, required, BufferUsages::COPY_SRC)?;
        let raw = self.raw(OP)?;
        raw.copy_buffer_to_texture(&buffer_info(buffer, &source.layout, OP)?, &side.to_raw(), size_to_raw(copy_size));
        self.used.add_buffer(buffer);
        self.used.add_texture(&side.texture);
        Ok(())
    }

    /// Copies texels from a texture into a buffer. Corresponds to WebGPU's
    /// [`copyTextureToBuffer`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-copytexturetobuffer).
    ///
    /// The texture needs `COPY_SRC` and the buffer `COPY_DST`;
    /// `bytes_per_row` must be a multiple of [`COPY_BYTES_PER_ROW_ALIGNMENT`].
    /// [`Texture::read_pixels`] does this with the padding removed.
    pub fn copy_texture_to_buffer<T: Pod>(
        &mut self,
        source: TexelCopyTextureInfo<'_>,
        destination: TexelCopyBufferInfo<'_, T>,
        copy_size: Extent3d,
    ) -> Result<()> {
        self.copy_texture_to_buffer_raw(source, &destination.buffer.shared, destination.layout, copy_size)
    }

    fn copy_texture_to_buffer_raw(
        &mut self,
        source: TexelCopyTextureInfo<'_>,
        buffer: &Rc<BufferShared>,
        layout: TexelCopyBufferLayout,
        copy_size: Extent3d,
    ) -> Result<()> {
        const OP: &str = "copy_texture_to_buffer";
        check_same_device(buffer, &self.device, OP)?;
        same_device(&source.texture.shared.device, &self.device, OP)?;
        let side = check_texture_side(OP, &source, copy_size, TextureUsages::COPY_SRC, Some(false))?;
        let required = check_linear_layout(OP, &layout, &side, copy_size, true)?;
        check_buffer_side(OP, buffer, &layout, &side, required, BufferUsages::COPY_DST)?;
        let raw = self.raw(OP)?;
        raw.copy_texture_to_buffer(&side.to_raw(), &buffer_info(buffer, &layout, OP)?, size_to_raw(copy_size));
        self.used.add_buffer(buffer);
        self.used.add_texture(&side.texture);
        Ok(())
    }

    /// Copies texels between textures. Corresponds to WebGPU's
    /// [`copyTextureToTexture`](https://www.w3.org/TR/webgpu/#dom-gpucommandencoder-copytexturetotexture).
    ///
    /// The source needs `COPY_SRC`, the destination `COPY_DST`; their
    /// formats must be equal up to sRGB-ness and their sample counts equal.
    /// Within one texture the two regions may not overlap.
    pub fn copy_texture_to_texture(
        &mut self,
        source: TexelCopyTextureInfo<'_>,
        destination: TexelCopyTextureInfo<'_>,
        copy_size: Extent3d,
    ) -> Result<()> {
        const OP: &str = "copy_texture_to_texture";
        same_device(&source.texture.shared.device, &self.device, OP)?;
        same_device(&destination.texture.shared.device, &self.device, OP)?;
        let src = check_texture_side(OP, &source, copy_size, TextureUsages::COPY_SRC, None)?;
        let dst = check_texture_side(OP, &destination, copy_size, TextureUsages::COPY_DST, None)?;
        let (a, b) = (&src.texture, &dst.texture);
        if a.format.remove_srgb_suffix() != b.format.remove_srgb_suffix() {
            return Err(copy_err(
                OP,
                format!("formats {} and {} differ by more than sRGB-ness", a.format.name(), b.format.name()),
            ));
        }
        if a.sample_count != b.sample_count {
            return Err(copy_err(OP, "the textures have different sample counts"));
        }
        if a.format.is_depth_stencil_format()
            && (source.aspect != TextureAspect::All || destination.aspect != TextureAspect::All)
        {
            return Err(copy_err(
                OP,
                "a depth-stencil texture-to-texture copy covers every aspect (TextureAspect::All)",
            ));
        }
        if Rc::ptr_eq(a, b) && src.mip_level == dst.mip_level {
            let (s, d, n) = (src.origin.z, dst.origin.z, copy_size.depth_or_array_layers);
            // A 3D texture's whole mip level is one subresource, so any copy
            // within it conflicts; array layers are separate subresources.
            if a.dimension == TextureDimension::D3 || (s < d + n && d < s + n) {
                return Err(Error::UsageConflict {
                    operation: OP,
                    reason: "source and destination regions of one texture overlap".into(),
                });
            }
        }
        let raw = self.raw(OP)?;
        raw.copy_texture_to_texture(&src.to_raw(), &dst.to_raw(), size_to_raw(copy_size));
        self.used.add_texture(a);
        self.used.add_texture(b);
        Ok(())
    }
}

fn buffer_info<'b>(
    buffer: &'b BufferShared,
    layout: &TexelCopyBufferLayout,
    operation: &'static str,
) -> Result<raw::GpuTexelCopyBufferInfo<'b>> {
    Ok(raw::GpuTexelCopyBufferInfo {
        buffer: buffer.raw(operation)?,
        offset: Some(layout.offset),
        bytes_per_row: layout.bytes_per_row,
        rows_per_image: layout.rows_per_image,
    })
}

impl Texture {
    /// Reads a region of one mip level as tightly packed texels: rows of
    /// `size.width` texels, then `size.height` rows per image, then
    /// `size.depth_or_array_layers` images (depth slices or layers).
    ///
    /// `P` is the texel type, e.g. `[u8; 4]` for `rgba8unorm` or `f32` for
    /// `r32float`; its size must be the format's texel size (a 4×4 block's
    /// size for compressed formats, whose blocks are returned). Copies
    /// through a staging buffer with rows padded to
    /// [`COPY_BYTES_PER_ROW_ALIGNMENT`], and strips the padding. Work
    /// submitted before is finished first. The texture needs `COPY_SRC`.
    ///
    /// Depth formats read their depth aspect (`f32` for `depth32float`, `u16`
    /// for `depth16unorm`) and `stencil8` its stencil (`u8`); a combined
    /// depth-stencil format has to name an aspect, through
    /// [`CommandEncoder::copy_texture_to_buffer`].
    pub async fn read_pixels<P: Pod>(&self, mip_level: u32, origin: Origin3d, size: Extent3d) -> Result<Vec<P>> {
        const OP: &str = "read_pixels";
        let shared = &self.shared;
        let aspect = match shared.format {
            f if f.has_depth_aspect() && !f.has_stencil_aspect() => TextureAspect::DepthOnly,
            crate::TextureFormat::Stencil8 => TextureAspect::StencilOnly,
            _ => TextureAspect::All,
        };
        let info = crate::TexelCopyTextureInfo { texture: self, mip_level, origin, aspect };
        let side = check_texture_side(OP, &info, size, TextureUsages::COPY_SRC, Some(false))?;
        if size_of::<P>() != side.block_size as usize {
            return Err(copy_err(
                OP,
                format!(
                    "the pixel type has {} bytes, but a {} texel block has {}",
                    size_of::<P>(),
                    shared.format.name(),
                    side.block_size
                ),
            ));
        }
        let (bw, bh) = side.block_dims;
        let row_bytes = u64::from(size.width / bw) * u64::from(side.block_size);
        let rows = u64::from(size.height / bh);
        let images = u64::from(size.depth_or_array_layers);
        if row_bytes == 0 || rows == 0 || images == 0 {
            return Ok(Vec::new());
        }
        let padded = align_up(row_bytes, COPY_BYTES_PER_ROW_ALIGNMENT.into());
        let bytes_per_row = u32::try_from(padded)
            .map_err(|_| copy_err(OP, format!("a row of {padded} bytes is too large for a copy")))?;
        let device: &Rc<DeviceShared> = &shared.device;
        let staging = Buffer::<u8>::new(
            device,
            &BufferDescriptor {
                label: Some("wasi-webgpu read_pixels staging"),
                len: padded * rows * images,
                usage: BufferUsages::MAP_READ | BufferUsages::COPY_DST,
                mapped_at_creation: false,
            },
        )?;
        let mut encoder = CommandEncoder::new(device, &Default::default());
        encoder.copy_texture_to_buffer_raw(
            info,
            &staging.shared,
            TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(bytes_per_row), rows_per_image: Some(rows as u32) },
            size,
        )?;
        let commands = encoder.finish().await?;
        crate::queue::submit(device, vec![commands])?;
        // Straight from the mapping into the result, the padding skipped, so
        // the guest holds only the result, allocated fallibly.
        staging.shared.read_rows_via_map(OP, 0, padded, row_bytes, rows * images).await
    }

    /// Reads all of mip level 0 of a 2D texture (its first layer) as tightly
    /// packed rows of texels; see [`read_pixels`](Self::read_pixels).
    pub async fn read_2d<P: Pod>(&self) -> Result<Vec<P>> {
        let size = Extent3d { depth_or_array_layers: 1, ..self.size() };
        self.read_pixels(0, Origin3d::ZERO, size).await
    }
}

//! Queue texture writes past what one host call may carry, split by the SDK
//! into whole images or row groups (and, for depth, a staging copy), read
//! back whole with `read_pixels`: every texel inside the written region
//! must be the pattern's, every texel outside it zero.

use bytemuck::Pod;
use wasi_webgpu::{
    Extent3d, Origin3d, TexelCopyBufferLayout, TexelCopyTextureInfo, TextureAspect, TextureDescriptor,
    TextureDimension, TextureFormat, TextureUsages,
};

use crate::{Context, Gpu, Outcome, ensure, fill, pattern};

/// A texture, the region written into it and the layout of the data.
struct Case {
    format: TextureFormat,
    dimension: TextureDimension,
    size: Extent3d,
    origin: Origin3d,
    region: Extent3d,
    offset: u64,
    bytes_per_row: u32,
    rows_per_image: u32,
}

/// Writes the pattern (`seed`) into `case`'s region with one
/// `write_texture`, reads the whole texture as `P` texels and compares every
/// row.
async fn round_trip<P: Pod>(gpu: &Gpu, case: &Case, seed: u32) -> Outcome {
    let name = case.format.name();
    let texel = size_of::<P>() as u64;
    let Case { size, origin, region, offset, bytes_per_row, rows_per_image, .. } = *case;
    let texture = gpu
        .device
        .create_texture(&TextureDescriptor {
            label: Some(name),
            size,
            dimension: case.dimension,
            format: case.format,
            usage: TextureUsages::COPY_DST | TextureUsages::COPY_SRC,
            ..Default::default()
        })
        .at("create_texture")?;
    let (bpr, image) = (u64::from(bytes_per_row), u64::from(bytes_per_row) * u64::from(rows_per_image));
    let len = offset
        + image * u64::from(region.depth_or_array_layers - 1)
        + bpr * u64::from(region.height - 1)
        + texel * u64::from(region.width);
    let data = pattern(seed, len.div_ceil(4))?;
    let layout =
        TexelCopyBufferLayout { offset, bytes_per_row: Some(bytes_per_row), rows_per_image: Some(rows_per_image) };
    let destination = TexelCopyTextureInfo { texture: &texture, mip_level: 0, origin, aspect: TextureAspect::All };
    gpu.queue
        .write_texture(destination, &bytemuck::cast_slice(&data)[..len as usize], layout, region)
        .at(&format!("write_texture ({name}, {len} bytes)"))?;
    drop(data);
    let got: Vec<P> = texture.read_pixels(0, Origin3d::ZERO, size).await.at("read_pixels")?;
    let got: &[u8] = bytemuck::cast_slice(&got);
    let row_bytes = (texel * u64::from(size.width)) as usize;
    let texels = u64::from(size.width) * u64::from(size.height) * u64::from(size.depth_or_array_layers);
    ensure!(got.len() as u64 == texels * texel, "{name}: read {} bytes, expected {}", got.len(), texels * texel);
    let mut expected = vec![0u8; row_bytes];
    let inside = |at: u32, start: u32, len: u32| at >= start && at < start + len;
    for (i, row) in got.chunks_exact(row_bytes).enumerate() {
        let (z, y) = ((i / size.height as usize) as u32, (i % size.height as usize) as u32);
        expected.fill(0);
        if inside(z, origin.z, region.depth_or_array_layers) && inside(y, origin.y, region.height) {
            let from = offset + u64::from(z - origin.z) * image + u64::from(y - origin.y) * bpr;
            let x = (texel * u64::from(origin.x)) as usize;
            fill(seed, from, &mut expected[x..x + (texel * u64::from(region.width)) as usize]);
        }
        if row != expected.as_slice() {
            let at = row.iter().zip(&expected).position(|(a, b)| a != b).unwrap_or(0);
            return Err(format!(
                "{name}: layer or slice {z}, row {y}, byte {at} is {:#04x}, expected {:#04x}",
                row[at], expected[at]
            ));
        }
    }
    Ok(())
}

/// About 183 MiB written into part of an `rgba8uint` 2D array (64 MiB
/// layers, so split by rows), from an offset with padded rows and images.
pub async fn texture_2d_array_past_128_mib(gpu: &Gpu) -> Outcome {
    let case = Case {
        format: TextureFormat::Rgba8Uint,
        dimension: TextureDimension::D2,
        size: Extent3d { width: 4004, height: 4003, depth_or_array_layers: 4 },
        origin: Origin3d { x: 3, y: 2, z: 1 },
        region: Extent3d { width: 4000, height: 4000, depth_or_array_layers: 3 },
        offset: 20,
        bytes_per_row: 4000 * 4 + 12,
        rows_per_image: 4002,
    };
    round_trip::<[u8; 4]>(gpu, &case, 11).await
}

/// Writes split into groups of whole images: 100 layers of 256 KiB, and the
/// depth slices of a 3D texture with padded rows and images.
pub async fn texture_pieces_by_image_and_row(gpu: &Gpu) -> Outcome {
    let layers = Case {
        format: TextureFormat::R32Uint,
        dimension: TextureDimension::D2,
        size: Extent3d { width: 256, height: 256, depth_or_array_layers: 100 },
        origin: Origin3d::ZERO,
        region: Extent3d { width: 256, height: 256, depth_or_array_layers: 100 },
        offset: 0,
        bytes_per_row: 1024,
        rows_per_image: 256,
    };
    round_trip::<u32>(gpu, &layers, 12).await?;
    let slices = Case {
        format: TextureFormat::Rgba16Uint,
        dimension: TextureDimension::D3,
        size: Extent3d { width: 300, height: 200, depth_or_array_layers: 40 },
        origin: Origin3d { x: 0, y: 0, z: 5 },
        region: Extent3d { width: 300, height: 200, depth_or_array_layers: 30 },
        offset: 8,
        bytes_per_row: 300 * 8 + 8,
        rows_per_image: 203,
    };
    round_trip::<[u16; 4]>(gpu, &slices, 13).await
}

/// A depth write covers whole images, which cannot be split into rows: two
/// 8 MiB `depth16unorm` layers, each past the write piece size.
pub async fn depth_texture_through_staging(gpu: &Gpu) -> Outcome {
    let case = Case {
        format: TextureFormat::Depth16Unorm,
        dimension: TextureDimension::D2,
        size: Extent3d { width: 2048, height: 2048, depth_or_array_layers: 2 },
        origin: Origin3d::ZERO,
        region: Extent3d { width: 2048, height: 2048, depth_or_array_layers: 2 },
        offset: 4,
        bytes_per_row: 2048 * 2 + 4,
        rows_per_image: 2048,
    };
    round_trip::<u16>(gpu, &case, 14).await
}

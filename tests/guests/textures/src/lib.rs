//! Textures through the SDK on the real host: every format family, 1D, 2D,
//! 2D-array and 3D textures, mip levels, views, queue writes, copies with
//! padded rows, typed readback, storage textures in compute shaders and
//! samplers. Each check compares what the GPU produced with a CPU reference:
//! copies and integer results exactly, filtered samples within the tolerance
//! the check states. Bad inputs must come back as typed errors. Arguments
//! select checks by substring; the integration test `textures` runs it.

mod bad;
mod compute;
mod copies;

use bytemuck::Pod;
use wasi_webgpu::{Extent3d, Origin3d, Texture, TextureAspect, TextureDescriptor, TextureFormat};

pub use guest_harness::{Context, Gpu, Outcome, Rng, checks, ensure, expect_err};

use bad::*;
use compute::*;
use copies::*;

/// Texel bytes a format can hold without change: random bytes, except that
/// float channels get finite values (a NaN's payload need not survive).
pub(crate) fn texel_bytes(rng: &mut Rng, format: TextureFormat, texels: usize) -> Vec<u8> {
    let size = format.block_copy_size(TextureAspect::All).expect("a copyable format") as usize;
    let name = format.name();
    if name.ends_with("32float") {
        (0..texels * size / 4).flat_map(|_| ((rng.next_u32() % 20000) as f32 / 7.0 - 1000.0).to_le_bytes()).collect()
    } else if name.ends_with("16float") {
        // Positive finite halves: exponent below 31.
        (0..texels * size / 2).flat_map(|_| ((rng.next_u32() % 0x7800) as u16).to_le_bytes()).collect()
    } else {
        rng.bytes(texels * size)
    }
}

/// Creates a texture, naming the failure.
pub(crate) fn texture(gpu: &Gpu, descriptor: &TextureDescriptor<'_>) -> Result<Texture, String> {
    gpu.device.create_texture(descriptor).at("create_texture")
}

/// Reads a region as bytes whatever the texel size, through the typed
/// `read_pixels`.
pub(crate) async fn read_bytes(
    texture: &Texture,
    mip_level: u32,
    origin: Origin3d,
    size: Extent3d,
) -> Result<Vec<u8>, String> {
    async fn typed<P: Pod>(t: &Texture, mip: u32, origin: Origin3d, size: Extent3d) -> Result<Vec<u8>, String> {
        let pixels: Vec<P> = t.read_pixels(mip, origin, size).await.at("read_pixels")?;
        Ok(bytemuck::cast_slice(&pixels).to_vec())
    }
    let aspect = match texture.format() {
        f if f.has_depth_aspect() => TextureAspect::DepthOnly,
        TextureFormat::Stencil8 => TextureAspect::StencilOnly,
        _ => TextureAspect::All,
    };
    match texture.format().block_copy_size(aspect) {
        Some(1) => typed::<u8>(texture, mip_level, origin, size).await,
        Some(2) => typed::<[u8; 2]>(texture, mip_level, origin, size).await,
        Some(4) => typed::<[u8; 4]>(texture, mip_level, origin, size).await,
        Some(8) => typed::<[u8; 8]>(texture, mip_level, origin, size).await,
        Some(16) => typed::<[u8; 16]>(texture, mip_level, origin, size).await,
        other => Err(format!("no pixel type for {:?} texels", other)),
    }
}

/// The bytes of a region of a tightly packed image of `full` texels of
/// `texel` bytes: the CPU side of a sub-region copy.
pub(crate) fn region(data: &[u8], full: Extent3d, texel: usize, origin: Origin3d, size: Extent3d) -> Vec<u8> {
    let mut out = Vec::new();
    for z in origin.z..origin.z + size.depth_or_array_layers {
        for y in origin.y..origin.y + size.height {
            let row = (z * full.height + y) as usize * full.width as usize;
            let start = (row + origin.x as usize) * texel;
            out.extend_from_slice(&data[start..start + size.width as usize * texel]);
        }
    }
    out
}

/// Where two byte images first differ, for failure messages.
pub(crate) fn first_difference(got: &[u8], want: &[u8]) -> String {
    if got.len() != want.len() {
        return format!("{} bytes, expected {}", got.len(), want.len());
    }
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(i) => format!("byte {i} is {}, expected {}", got[i], want[i]),
        None => "equal".into(),
    }
}

checks!(
    every_format_round_trips,
    dimensions_1d_2d_array_3d,
    mip_levels,
    buffer_copies_hide_row_padding,
    texture_to_texture_copies,
    depth_and_stencil_copies,
    getters_answer_from_the_guest,
    format_table_agrees_with_the_host,
    compressed_blocks_round_trip,
    storage_texture_invert,
    storage_texture_read_write,
    sampled_texture_views,
    samplers_filter_and_address,
    explicit_layout_with_texture_and_sampler,
    comparison_sampler_on_depth,
    texture_descriptors,
    view_descriptors,
    writes_and_copies,
    huge_layouts_and_3d_self_copies,
    bindings_and_samplers,
    destroyed_textures,
);

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    guest_harness::run_checks("textures", CHECKS, &filters).await
}

//! Queue writes, copies and readback, compared byte for byte with the data
//! the CPU wrote: copies move texels unchanged, so any difference is a bug.

use wasi_webgpu::{
    BufferDescriptor, BufferInitDescriptor, BufferUsages, Extent3d, Origin3d, TexelCopyBufferInfo,
    TexelCopyBufferLayout, TexelCopyTextureInfo, TextureAspect, TextureDescriptor, TextureDimension, TextureFormat,
    TextureUsages, TextureViewDescriptor, TextureViewDimension,
};

/// Copyable both ways.
fn rw() -> TextureUsages {
    TextureUsages::COPY_SRC | TextureUsages::COPY_DST
}

use crate::{Context, Gpu, Outcome, Rng, ensure, first_difference, read_bytes, region, texel_bytes, texture};

/// A representative of every family: 8/16/32-bit, normalized, integer,
/// float, sRGB, BGRA, packed.
const FORMATS: &[TextureFormat] = &[
    TextureFormat::R8Unorm,
    TextureFormat::R8Snorm,
    TextureFormat::R8Uint,
    TextureFormat::R8Sint,
    TextureFormat::Rg8Unorm,
    TextureFormat::R16Uint,
    TextureFormat::R16Float,
    TextureFormat::Rg16Sint,
    TextureFormat::Rgba8Unorm,
    TextureFormat::Rgba8UnormSrgb,
    TextureFormat::Bgra8Unorm,
    TextureFormat::Bgra8UnormSrgb,
    TextureFormat::Rgba8Sint,
    TextureFormat::Rgb10a2Unorm,
    TextureFormat::Rg11b10Ufloat,
    TextureFormat::R32Float,
    TextureFormat::R32Uint,
    TextureFormat::Rg32Float,
    TextureFormat::Rgba16Float,
    TextureFormat::Rgba16Uint,
    TextureFormat::Rgba32Float,
    TextureFormat::Rgba32Sint,
];

/// Each format: a 13×5 image written with an odd row pitch and an offset,
/// read back whole and in part.
pub async fn every_format_round_trips(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(7);
    let size = Extent3d { width: 13, height: 5, depth_or_array_layers: 1 };
    for &format in FORMATS {
        let texel = format.block_copy_size(TextureAspect::All).unwrap() as usize;
        let t = texture(gpu, &TextureDescriptor { size, format, usage: rw(), ..Default::default() })?;
        let data = texel_bytes(&mut rng, format, 13 * 5);
        // Rows 3 bytes apart beyond the texels, after 5 bytes of offset:
        // queue writes take any layout.
        let pitch = 13 * texel + 3;
        let mut padded = vec![0xEE; 5];
        for row in data.chunks(13 * texel) {
            padded.extend_from_slice(row);
            padded.extend_from_slice(&[0xEE; 3]);
        }
        let layout = TexelCopyBufferLayout { offset: 5, bytes_per_row: Some(pitch as u32), rows_per_image: None };
        gpu.queue.write_texture(t.as_image_copy(), &padded, layout, size).at(format.name())?;
        let got = read_bytes(&t, 0, Origin3d::ZERO, size).await?;
        ensure!(got == data, "{}: {}", format.name(), first_difference(&got, &data));
        let (origin, part) =
            (Origin3d { x: 3, y: 1, z: 0 }, Extent3d { width: 7, height: 3, depth_or_array_layers: 1 });
        let got = read_bytes(&t, 0, origin, part).await?;
        let want = region(&data, size, texel, origin, part);
        ensure!(got == want, "{} region: {}", format.name(), first_difference(&got, &want));
    }
    Ok(())
}

/// 1D, 2D-array and 3D textures, written whole and read back whole and in
/// part (a slab of layers or depth slices).
pub async fn dimensions_1d_2d_array_3d(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(11);
    let cases = [
        (TextureDimension::D1, Extent3d { width: 300, height: 1, depth_or_array_layers: 1 }),
        (TextureDimension::D2, Extent3d { width: 17, height: 9, depth_or_array_layers: 4 }),
        (TextureDimension::D3, Extent3d { width: 9, height: 6, depth_or_array_layers: 5 }),
    ];
    for (dimension, size) in cases {
        let format = TextureFormat::Rgba8Uint;
        let t = texture(gpu, &TextureDescriptor { size, dimension, format, usage: rw(), ..Default::default() })?;
        let data = rng.bytes((size.width * size.height * size.depth_or_array_layers * 4) as usize);
        let layout =
            TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(size.width * 4), rows_per_image: Some(size.height) };
        gpu.queue.write_texture(t.as_image_copy(), &data, layout, size).at("write_texture")?;
        let got = read_bytes(&t, 0, Origin3d::ZERO, size).await?;
        ensure!(got == data, "{dimension:?}: {}", first_difference(&got, &data));
        if dimension != TextureDimension::D1 {
            let origin = Origin3d { x: 2, y: 1, z: 1 };
            let part = Extent3d { width: 5, height: 4, depth_or_array_layers: 3 };
            let got = read_bytes(&t, 0, origin, part).await?;
            let want = region(&data, size, 4, origin, part);
            ensure!(got == want, "{dimension:?} region: {}", first_difference(&got, &want));
        }
    }
    Ok(())
}

/// Every mip level of a 2D and a 3D texture holds its own data, at the size
/// `Extent3d::mip_level_size` says.
pub async fn mip_levels(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(13);
    for (dimension, size) in [
        (TextureDimension::D2, Extent3d { width: 40, height: 12, depth_or_array_layers: 2 }),
        (TextureDimension::D3, Extent3d { width: 16, height: 8, depth_or_array_layers: 4 }),
    ] {
        let mips = size.max_mips(dimension);
        ensure!(mips == if dimension == TextureDimension::D2 { 6 } else { 5 }, "max_mips {mips}");
        let format = TextureFormat::R32Float;
        let t = texture(
            gpu,
            &TextureDescriptor { size, dimension, format, usage: rw(), mip_level_count: mips, ..Default::default() },
        )?;
        let mut written = Vec::new();
        for level in 0..mips {
            let mip = size.mip_level_size(level, dimension);
            let data = texel_bytes(&mut rng, format, (mip.width * mip.height * mip.depth_or_array_layers) as usize);
            let target = TexelCopyTextureInfo { mip_level: level, ..t.as_image_copy() };
            let layout = TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(mip.width * 4),
                rows_per_image: Some(mip.height),
            };
            gpu.queue.write_texture(target, &data, layout, mip).at("write_texture")?;
            written.push((mip, data));
        }
        for (level, (mip, data)) in written.iter().enumerate() {
            let got = read_bytes(&t, level as u32, Origin3d::ZERO, *mip).await?;
            ensure!(&got == data, "{dimension:?} mip {level} ({mip:?}): {}", first_difference(&got, data));
        }
    }
    Ok(())
}

/// `copy_buffer_to_texture` and `copy_texture_to_buffer` with 256-byte row
/// pitches and offsets, into a region of a layer; the buffer read back has
/// the texels where the layout puts them and the padding untouched.
pub async fn buffer_copies_hide_row_padding(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(17);
    let size = Extent3d { width: 20, height: 10, depth_or_array_layers: 3 };
    let t = texture(
        gpu,
        &TextureDescriptor { size, format: TextureFormat::Rgba8Unorm, usage: rw(), ..Default::default() },
    )?;
    let region_size = Extent3d { width: 11, height: 7, depth_or_array_layers: 2 };
    let origin = Origin3d { x: 6, y: 2, z: 1 };
    let (pitch, rows, offset) = (256u32, 8u32, 512u64);
    let len = offset as usize + (pitch * rows * 2) as usize;
    let source = rng.bytes(len);
    // The texels the copy takes, as the CPU expects them.
    let mut texels = Vec::new();
    for z in 0..2 {
        for y in 0..7 {
            let at = offset as usize + ((z * rows + y) * pitch) as usize;
            texels.extend_from_slice(&source[at..at + 44]);
        }
    }
    let upload = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &source, usage: BufferUsages::COPY_SRC })
        .at("upload")?;
    let layout = TexelCopyBufferLayout { offset, bytes_per_row: Some(pitch), rows_per_image: Some(rows) };
    let target = TexelCopyTextureInfo { origin, ..t.as_image_copy() };
    let download = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor {
            len: len as u64,
            usage: BufferUsages::COPY_DST | BufferUsages::COPY_SRC,
            ..Default::default()
        })
        .at("download")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder
        .copy_buffer_to_texture(TexelCopyBufferInfo { buffer: &upload, layout }, target, region_size)
        .at("copy_buffer_to_texture")?;
    encoder
        .copy_texture_to_buffer(target, TexelCopyBufferInfo { buffer: &download, layout }, region_size)
        .at("copy_texture_to_buffer")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = read_bytes(&t, 0, origin, region_size).await?;
    ensure!(got == texels, "texture region: {}", first_difference(&got, &texels));
    let back = download.read().await.at("read")?;
    for z in 0..2 {
        for y in 0..7 {
            let at = offset as usize + ((z * rows + y) * pitch) as usize;
            ensure!(back[at..at + 44] == source[at..at + 44], "buffer row {y} of image {z} differs");
            ensure!(back[at + 44..at + 256].iter().all(|&b| b == 0), "padding after row {y} was written");
        }
    }
    ensure!(back[..offset as usize].iter().all(|&b| b == 0), "bytes before the offset were written");
    Ok(())
}

/// `copy_texture_to_texture` between textures (sRGB and not, different
/// mips) and between two layers of one texture.
pub async fn texture_to_texture_copies(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(19);
    let size = Extent3d { width: 16, height: 16, depth_or_array_layers: 2 };
    let a = texture(
        gpu,
        &TextureDescriptor { size, format: TextureFormat::Rgba8Unorm, usage: rw(), ..Default::default() },
    )?;
    let b = texture(
        gpu,
        &TextureDescriptor {
            size: Extent3d { width: 32, height: 32, depth_or_array_layers: 1 },
            format: TextureFormat::Rgba8UnormSrgb,
            usage: rw(),
            mip_level_count: 2,
            ..Default::default()
        },
    )?;
    let data = rng.bytes(16 * 16 * 2 * 4);
    let layout = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(64), rows_per_image: Some(16) };
    gpu.queue.write_texture(a.as_image_copy(), &data, layout, size).at("write_texture")?;
    let part = Extent3d { width: 9, height: 5, depth_or_array_layers: 1 };
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    // Layer 1 of `a` at (4, 3) to mip 1 of `b` (16×16) at (7, 11).
    let from = TexelCopyTextureInfo { origin: Origin3d { x: 4, y: 3, z: 1 }, ..a.as_image_copy() };
    let to = TexelCopyTextureInfo { mip_level: 1, origin: Origin3d { x: 7, y: 11, z: 0 }, ..b.as_image_copy() };
    encoder.copy_texture_to_texture(from, to, part).at("copy a -> b")?;
    // Layer 0 of `a` onto layer 1, whole.
    let layer0 = a.as_image_copy();
    let layer1 = TexelCopyTextureInfo { origin: Origin3d { x: 0, y: 0, z: 1 }, ..a.as_image_copy() };
    encoder
        .copy_texture_to_texture(layer0, layer1, Extent3d { depth_or_array_layers: 1, ..size })
        .at("copy layer 0 -> 1")?;
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = read_bytes(&b, 1, Origin3d { x: 7, y: 11, z: 0 }, part).await?;
    let want = region(&data, size, 4, Origin3d { x: 4, y: 3, z: 1 }, part);
    ensure!(got == want, "a -> b: {}", first_difference(&got, &want));
    let got = read_bytes(&a, 0, Origin3d { x: 0, y: 0, z: 1 }, Extent3d { depth_or_array_layers: 1, ..size }).await?;
    ensure!(got == data[..16 * 16 * 4], "layer copy: {}", first_difference(&got, &data[..16 * 16 * 4]));
    Ok(())
}

/// Depth16unorm and stencil8 are writable and readable by copies; depth32float
/// is readable (after a render pass would write it; here it reads zeros).
pub async fn depth_and_stencil_copies(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(23);
    let size = Extent3d { width: 12, height: 6, depth_or_array_layers: 1 };
    for (format, texel) in [(TextureFormat::Depth16Unorm, 2), (TextureFormat::Stencil8, 1)] {
        let t = texture(gpu, &TextureDescriptor { size, format, usage: rw(), ..Default::default() })?;
        let data = rng.bytes(12 * 6 * texel);
        let aspect =
            if format == TextureFormat::Stencil8 { TextureAspect::StencilOnly } else { TextureAspect::DepthOnly };
        let layout = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(12 * texel as u32), rows_per_image: None };
        let target = TexelCopyTextureInfo { aspect, ..t.as_image_copy() };
        gpu.queue.write_texture(target, &data, layout, size).at(format.name())?;
        let got = read_bytes(&t, 0, Origin3d::ZERO, size).await?;
        ensure!(got == data, "{}: {}", format.name(), first_difference(&got, &data));
    }
    let depth = texture(
        gpu,
        &TextureDescriptor {
            size,
            format: TextureFormat::Depth32Float,
            usage: TextureUsages::COPY_SRC | TextureUsages::RENDER_ATTACHMENT,
            ..Default::default()
        },
    )?;
    let zeros: Vec<f32> = depth.read_2d().await.at("read depth32float")?;
    ensure!(zeros.len() == 72 && zeros.iter().all(|&d| d == 0.0), "a fresh depth texture reads {zeros:?}");
    Ok(())
}

/// Texture and view getters report the descriptor and the resolved view
/// defaults without asking the host (whose getters are unimplemented).
pub async fn getters_answer_from_the_guest(gpu: &Gpu) -> Outcome {
    let size = Extent3d { width: 64, height: 64, depth_or_array_layers: 12 };
    let usage = TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST;
    let view_formats = [TextureFormat::Rgba8UnormSrgb];
    let t = texture(
        gpu,
        &TextureDescriptor {
            size,
            format: TextureFormat::Rgba8Unorm,
            usage,
            mip_level_count: 3,
            view_formats: &view_formats,
            ..Default::default()
        },
    )?;
    ensure!(t.size() == size && t.width() == 64 && t.height() == 64 && t.depth_or_array_layers() == 12, "size");
    ensure!(t.mip_level_count() == 3 && t.sample_count() == 1, "mips/samples");
    ensure!(t.dimension() == TextureDimension::D2 && t.format() == TextureFormat::Rgba8Unorm, "dimension/format");
    ensure!(t.usage() == usage && t.view_formats() == view_formats, "usage/view formats");

    let all = t.create_view(&Default::default()).at("default view")?;
    ensure!(all.dimension() == TextureViewDimension::D2Array, "default dimension {:?}", all.dimension());
    ensure!(all.array_layer_count() == 12 && all.mip_level_count() == 3, "default ranges {all:?}");
    ensure!(all.size() == size && all.format() == TextureFormat::Rgba8Unorm, "default view size/format");
    let cubes = t
        .create_view(&TextureViewDescriptor {
            dimension: Some(TextureViewDimension::CubeArray),
            base_mip_level: 1,
            format: Some(TextureFormat::Rgba8UnormSrgb),
            ..Default::default()
        })
        .at("cube array view")?;
    ensure!(
        cubes.array_layer_count() == 12 && cubes.mip_level_count() == 2 && cubes.base_mip_level() == 1,
        "cube array ranges {cubes:?}"
    );
    ensure!(cubes.size() == Extent3d { width: 32, height: 32, depth_or_array_layers: 12 }, "{:?}", cubes.size());
    let cube = t
        .create_view(&TextureViewDescriptor {
            dimension: Some(TextureViewDimension::Cube),
            base_array_layer: 6,
            ..Default::default()
        })
        .at("cube view")?;
    ensure!(cube.array_layer_count() == 6 && cube.base_array_layer() == 6, "cube ranges {cube:?}");
    let layer = t
        .create_view(&TextureViewDescriptor {
            dimension: Some(TextureViewDimension::D2),
            base_array_layer: 5,
            mip_level_count: Some(1),
            base_mip_level: 2,
            ..Default::default()
        })
        .at("layer view")?;
    ensure!(layer.array_layer_count() == 1 && layer.size().width == 16, "layer view {layer:?}");
    ensure!(layer.texture().size() == size && layer.usage() == usage, "the view's texture");
    Ok(())
}

/// The SDK's format table against the host: every format the device can
/// create, with every usage the table allows it (storage, render target,
/// 4 samples), must create a valid texture and views, as the host's own
/// validation (seen through an error scope) confirms. A table that allowed
/// too much would let a queue write trap the host.
pub async fn format_table_agrees_with_the_host(gpu: &Gpu) -> Outcome {
    let features = gpu.device.features();
    let (mut created, mut refused) = (0, 0);
    for &format in TextureFormat::ALL {
        let (bw, bh) = format.block_dimensions();
        let mut usage = TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST;
        if format.is_storage_capable(features) {
            usage |= TextureUsages::STORAGE_BINDING;
        }
        if format.is_renderable(features) {
            usage |= TextureUsages::RENDER_ATTACHMENT;
        }
        let descriptor = TextureDescriptor {
            size: Extent3d { width: 4 * bw, height: 4 * bh, depth_or_array_layers: 1 },
            format,
            usage,
            ..Default::default()
        };
        gpu.device.push_error_scope(wasi_webgpu::ErrorFilter::Validation);
        let result = gpu.device.create_texture(&descriptor);
        let views = match &result {
            Ok(t) if format.is_depth_stencil_format() => {
                let aspects = [
                    (format.has_depth_aspect(), TextureAspect::DepthOnly),
                    (format.has_stencil_aspect(), TextureAspect::StencilOnly),
                ];
                let mut views = Vec::new();
                for (_, aspect) in aspects.into_iter().filter(|(has, _)| *has) {
                    let view = t
                        .create_view(&TextureViewDescriptor {
                            aspect,
                            usage: Some(TextureUsages::TEXTURE_BINDING),
                            ..Default::default()
                        })
                        .at(format.name())?;
                    ensure!(
                        view.aspect() == aspect && Some(view.format()) == format.aspect_format(aspect),
                        "{} {aspect:?} view {view:?}",
                        format.name()
                    );
                    views.push(view);
                }
                views
            }
            Ok(t) => vec![t.create_view(&Default::default()).at(format.name())?],
            Err(_) => Vec::new(),
        };
        let host_error = gpu.device.pop_error_scope().await.at("pop_error_scope")?;
        drop(views);
        let created_now = match result {
            Err(wasi_webgpu::Error::UnsupportedFeature(name)) => {
                // Refused in the guest: a feature this device lacks, or one the host cannot grant.
                let lacking = name == "texture-formats-tier1"
                    || wasi_webgpu::Features::all()
                        .iter()
                        .any(|(_, f)| f.name() == Some(name) && !features.contains(f));
                ensure!(lacking, "{} refused for {name}, which the device has", format.name());
                refused += 1;
                false
            }
            Ok(_) => {
                ensure!(host_error.is_none(), "{} with {usage:?}: the host says {host_error:?}", format.name());
                created += 1;
                true
            }
            Err(e) => return Err(format!("{}: {e}", format.name())),
        };
        if created_now && format.supports_multisampling() && format.is_renderable(features) {
            gpu.device.push_error_scope(wasi_webgpu::ErrorFilter::Validation);
            let multisampled = gpu.device.create_texture(&TextureDescriptor {
                sample_count: 4,
                usage: TextureUsages::RENDER_ATTACHMENT | TextureUsages::TEXTURE_BINDING,
                ..descriptor
            });
            let view = multisampled.as_ref().map(|t| t.create_view(&Default::default()));
            let host_error = gpu.device.pop_error_scope().await.at("pop_error_scope")?;
            ensure!(matches!(view, Ok(Ok(_))), "{} multisampled: {view:?}", format.name());
            ensure!(host_error.is_none(), "{} multisampled: the host says {host_error:?}", format.name());
        }
    }
    // Every format is accounted for: created, or refused for a feature the
    // device lacks. The floor catches a device that refuses nearly all.
    ensure!(created + refused == TextureFormat::ALL.len(), "{created} created + {refused} refused formats");
    ensure!(created >= 40, "only {created} formats were created");
    // The table's other facts, for a few formats.
    ensure!(TextureFormat::Rgba8UnormSrgb.is_srgb() && !TextureFormat::Rgba8Unorm.is_srgb(), "is_srgb");
    ensure!(
        TextureFormat::Bgra8UnormSrgb.remove_srgb_suffix() == TextureFormat::Bgra8Unorm
            && TextureFormat::Bc1RgbaUnorm.add_srgb_suffix() == TextureFormat::Bc1RgbaUnormSrgb,
        "sRGB twins"
    );
    ensure!(TextureFormat::Bc7RgbaUnorm.is_compressed() && !TextureFormat::R8Unorm.is_compressed(), "is_compressed");
    ensure!(
        TextureFormat::R32Float.supports_read_write_storage()
            && !TextureFormat::Rgba8Unorm.supports_read_write_storage(),
        "supports_read_write_storage"
    );
    ensure!(
        TextureFormat::R32Float.sample_type() == wasi_webgpu::TextureSampleType::Float { filterable: false }
            && TextureFormat::Depth16Unorm.sample_type() == wasi_webgpu::TextureSampleType::Depth
            && TextureFormat::Rgba8Sint.sample_type() == wasi_webgpu::TextureSampleType::Sint,
        "sample_type"
    );
    ensure!(
        TextureViewDimension::CubeArray.compatible_texture_dimension() == TextureDimension::D2
            && TextureViewDimension::D3.compatible_texture_dimension() == TextureDimension::D3,
        "compatible_texture_dimension"
    );
    Ok(())
}

/// Block-compressed textures on a device with the feature (when the adapter
/// has it): blocks written by the queue and copied through a buffer read
/// back unchanged; block-unaligned regions are refused.
pub async fn compressed_blocks_round_trip(gpu: &Gpu) -> Outcome {
    let wanted = [
        (wasi_webgpu::Features::TEXTURE_COMPRESSION_BC, TextureFormat::Bc1RgbaUnorm, TextureFormat::Bc7RgbaUnormSrgb),
        (wasi_webgpu::Features::TEXTURE_COMPRESSION_ETC2, TextureFormat::Etc2Rgb8Unorm, TextureFormat::EacRg11Snorm),
    ];
    let mut tested = 0;
    for (feature, small, large) in wanted {
        if !gpu.adapter.features().contains(feature) {
            println!(
                "note: the adapter lacks {}; its formats are covered by the refusal checks only",
                feature.name().unwrap_or("a compression feature")
            );
            continue;
        }
        let descriptor = wasi_webgpu::DeviceDescriptor { required_features: feature, ..Default::default() };
        let (device, queue) = gpu.adapter.request_device(&descriptor).await.at("device with the feature")?;
        let mut rng = Rng::new(59);
        for format in [small, large] {
            let block = format.block_copy_size(TextureAspect::All).unwrap();
            let size = Extent3d { width: 12, height: 8, depth_or_array_layers: 1 };
            let t = device
                .create_texture(&TextureDescriptor { size, format, usage: rw(), ..Default::default() })
                .at(format.name())?;
            // 3 x 2 blocks.
            let data = rng.bytes((3 * 2 * block) as usize);
            let layout = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(3 * block), rows_per_image: None };
            queue.write_texture(t.as_image_copy(), &data, layout, size).at("write blocks")?;
            let got = read_bytes(&t, 0, Origin3d::ZERO, size).await?;
            ensure!(got == data, "{}: {}", format.name(), first_difference(&got, &data));
            let odd = Extent3d { width: 6, height: 4, depth_or_array_layers: 1 };
            match queue.write_texture(t.as_image_copy(), &data, layout, odd) {
                Err(wasi_webgpu::Error::TextureCopy { .. }) => {}
                other => return Err(format!("{}: a half-block write gave {other:?}", format.name())),
            }
            tested += 1;
        }
    }
    println!("compressed formats round-tripped: {tested}");
    Ok(())
}

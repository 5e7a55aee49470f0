//! Bad texture, view, copy, binding and sampler inputs: each must be a typed
//! `Err` from the SDK, before the host (which traps on several of them) sees
//! it, and must leave the objects involved usable.

use wasi_webgpu::{
    BindGroupDescriptor, BindGroupEntry, BindGroupLayoutDescriptor, BindGroupLayoutEntry, BindingResource, BindingType,
    BufferDescriptor, BufferUsages, Error, Extent3d, FilterMode, Origin3d, SamplerBindingType, SamplerDescriptor,
    ShaderStages, StorageTextureAccess, TexelCopyBufferInfo, TexelCopyBufferLayout, TexelCopyTextureInfo,
    TextureAspect, TextureDescriptor, TextureDimension, TextureFormat, TextureSampleType, TextureUsages,
    TextureViewDescriptor, TextureViewDimension,
};

use crate::{Context, Gpu, Outcome, ensure, expect_err, texture};

fn size(width: u32, height: u32, depth_or_array_layers: u32) -> Extent3d {
    Extent3d { width, height, depth_or_array_layers }
}

fn copyable() -> TextureUsages {
    TextureUsages::COPY_SRC | TextureUsages::COPY_DST
}

/// `create_texture` refuses what WebGPU forbids.
pub async fn texture_descriptors(gpu: &Gpu) -> Outcome {
    let d = &gpu.device;
    let ok = TextureDescriptor { size: size(8, 8, 1), usage: copyable(), ..Default::default() };
    expect_err!(
        d.create_texture(&TextureDescriptor { usage: TextureUsages::empty(), ..ok.clone() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { size: size(0, 8, 1), ..ok.clone() }),
        Error::InvalidTexture { .. }
    );
    let max = d.limits().max_texture_dimension2_d;
    expect_err!(
        d.create_texture(&TextureDescriptor { size: size(max + 1, 8, 1), ..ok.clone() }),
        Error::OverLimit { limit: "maxTextureDimension2D", .. }
    );
    let max_layers = d.limits().max_texture_array_layers;
    expect_err!(
        d.create_texture(&TextureDescriptor { size: size(8, 8, max_layers + 1), ..ok.clone() }),
        Error::OverLimit { limit: "maxTextureArrayLayers", .. }
    );
    let max3 = d.limits().max_texture_dimension3_d;
    expect_err!(
        d.create_texture(&TextureDescriptor {
            size: size(8, 8, max3 + 1),
            dimension: TextureDimension::D3,
            ..ok.clone()
        }),
        Error::OverLimit { limit: "maxTextureDimension3D", .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { size: size(8, 2, 1), dimension: TextureDimension::D1, ..ok.clone() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { mip_level_count: 5, ..ok.clone() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { mip_level_count: 0, ..ok.clone() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(d.create_texture(&TextureDescriptor { sample_count: 3, ..ok.clone() }), Error::InvalidTexture { .. });
    // Multisampled without RENDER_ATTACHMENT.
    expect_err!(d.create_texture(&TextureDescriptor { sample_count: 4, ..ok.clone() }), Error::InvalidTexture { .. });
    expect_err!(
        d.create_texture(&TextureDescriptor {
            format: TextureFormat::R8Unorm,
            usage: TextureUsages::STORAGE_BINDING,
            ..ok.clone()
        }),
        Error::UnsupportedFormat { format: TextureFormat::R8Unorm, .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor {
            format: TextureFormat::Rgba8Snorm,
            usage: TextureUsages::RENDER_ATTACHMENT,
            ..ok.clone()
        }),
        Error::UnsupportedFormat { .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor {
            format: TextureFormat::Depth32Float,
            dimension: TextureDimension::D3,
            ..ok.clone()
        }),
        Error::UnsupportedFormat { .. }
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { format: TextureFormat::Bc1RgbaUnorm, ..ok.clone() }),
        Error::UnsupportedFeature("texture-compression-bc")
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { format: TextureFormat::R16Unorm, ..ok.clone() }),
        Error::UnsupportedFeature("texture-formats-tier1")
    );
    expect_err!(
        d.create_texture(&TextureDescriptor { view_formats: &[TextureFormat::Bgra8Unorm], ..ok.clone() }),
        Error::InvalidTexture { .. }
    );
    // Still usable afterwards.
    texture(gpu, &ok)?;
    Ok(())
}

/// `create_view` refuses dimensions, ranges, aspects and formats that do
/// not fit the texture.
pub async fn view_descriptors(gpu: &Gpu) -> Outcome {
    let t = texture(
        gpu,
        &TextureDescriptor {
            size: size(16, 8, 4),
            mip_level_count: 3,
            usage: TextureUsages::TEXTURE_BINDING,
            ..Default::default()
        },
    )?;
    let view = |d: TextureViewDescriptor<'static>| t.create_view(&d);
    expect_err!(
        view(TextureViewDescriptor { dimension: Some(TextureViewDimension::D3), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor { dimension: Some(TextureViewDimension::D1), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    // Not square, and 4 layers are not 6.
    expect_err!(
        view(TextureViewDescriptor { dimension: Some(TextureViewDimension::Cube), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(view(TextureViewDescriptor { base_mip_level: 3, ..Default::default() }), Error::InvalidTexture { .. });
    expect_err!(
        view(TextureViewDescriptor { mip_level_count: Some(4), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor { base_array_layer: 4, ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor { base_array_layer: 2, array_layer_count: Some(3), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor {
            dimension: Some(TextureViewDimension::D2),
            array_layer_count: Some(2),
            ..Default::default()
        }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor { aspect: TextureAspect::DepthOnly, ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor { format: Some(TextureFormat::Rgba8UnormSrgb), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    expect_err!(
        view(TextureViewDescriptor { usage: Some(TextureUsages::COPY_SRC), ..Default::default() }),
        Error::InvalidTexture { .. }
    );
    view(TextureViewDescriptor::default()).at("a good view after bad ones")?;
    Ok(())
}

/// Queue writes, copies and readback refuse bad regions, layouts, usages
/// and formats; the texture keeps its contents.
pub async fn writes_and_copies(gpu: &Gpu) -> Outcome {
    let t = texture(
        gpu,
        &TextureDescriptor { size: size(16, 8, 2), mip_level_count: 2, usage: copyable(), ..Default::default() },
    )?;
    let q = &gpu.queue;
    let data = vec![7u8; 16 * 8 * 4 * 2];
    let tight = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(64), rows_per_image: Some(8) };
    let at = |x, y, z, mip_level| TexelCopyTextureInfo { mip_level, origin: Origin3d { x, y, z }, ..t.as_image_copy() };
    expect_err!(q.write_texture(at(1, 0, 0, 0), &data, tight, size(16, 8, 1)), Error::TextureCopy { .. });
    expect_err!(q.write_texture(at(0, 0, 1, 0), &data, tight, size(16, 8, 2)), Error::TextureCopy { .. });
    expect_err!(q.write_texture(at(0, 0, 0, 1), &data, tight, size(16, 8, 1)), Error::TextureCopy { .. });
    expect_err!(q.write_texture(at(0, 0, 0, 2), &data, tight, size(1, 1, 1)), Error::InvalidTexture { .. });
    expect_err!(q.write_texture(at(0, 0, 0, 0), &data[..100], tight, size(16, 8, 1)), Error::TextureCopy { .. });
    let short_rows = TexelCopyBufferLayout { bytes_per_row: Some(60), ..tight };
    expect_err!(q.write_texture(at(0, 0, 0, 0), &data, short_rows, size(16, 8, 1)), Error::TextureCopy { .. });
    let no_rows = TexelCopyBufferLayout { bytes_per_row: None, ..tight };
    expect_err!(q.write_texture(at(0, 0, 0, 0), &data, no_rows, size(16, 8, 1)), Error::TextureCopy { .. });
    let no_images = TexelCopyBufferLayout { rows_per_image: None, ..tight };
    expect_err!(q.write_texture(at(0, 0, 0, 0), &data, no_images, size(16, 8, 2)), Error::TextureCopy { .. });
    expect_err!(
        q.write_texture(
            TexelCopyTextureInfo { aspect: TextureAspect::StencilOnly, ..t.as_image_copy() },
            &data,
            tight,
            size(16, 8, 1)
        ),
        Error::InvalidTexture { .. }
    );
    let sampled = texture(
        gpu,
        &TextureDescriptor { size: size(4, 4, 1), usage: TextureUsages::TEXTURE_BINDING, ..Default::default() },
    )?;
    expect_err!(
        q.write_texture(sampled.as_image_copy(), &data, tight, size(4, 4, 1)),
        Error::MissingTextureUsage { required: TextureUsages::COPY_DST, .. }
    );
    expect_err!(
        sampled.read_2d::<[u8; 4]>().await,
        Error::MissingTextureUsage { required: TextureUsages::COPY_SRC, .. }
    );
    expect_err!(t.read_2d::<[u8; 8]>().await, Error::TextureCopy { .. });

    let buffer = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor {
            len: 2048,
            usage: BufferUsages::COPY_SRC | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("buffer")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let info = |layout| TexelCopyBufferInfo { buffer: &buffer, layout };
    expect_err!(
        encoder.copy_buffer_to_texture(
            info(TexelCopyBufferLayout { bytes_per_row: Some(64), ..tight }),
            at(0, 0, 0, 0),
            size(16, 2, 1)
        ),
        Error::Misaligned { what: "bytes_per_row", .. }
    );
    let aligned = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(256), rows_per_image: Some(8) };
    expect_err!(
        encoder.copy_buffer_to_texture(info(aligned), at(0, 0, 0, 0), size(16, 8, 2)),
        Error::OutOfBounds { .. }
    );
    expect_err!(
        encoder.copy_texture_to_buffer(
            at(0, 0, 0, 0),
            info(TexelCopyBufferLayout { offset: 2, ..aligned }),
            size(16, 1, 1)
        ),
        Error::Misaligned { what: "buffer offset", .. }
    );
    let depth = texture(
        gpu,
        &TextureDescriptor {
            size: size(4, 4, 1),
            format: TextureFormat::Depth32Float,
            usage: copyable(),
            ..Default::default()
        },
    )?;
    expect_err!(
        encoder.copy_buffer_to_texture(info(aligned), depth.as_image_copy(), size(4, 4, 1)),
        Error::UnsupportedFormat { format: TextureFormat::Depth32Float, .. }
    );
    expect_err!(
        encoder.copy_texture_to_buffer(depth.as_image_copy(), info(aligned), size(2, 2, 1)),
        Error::TextureCopy { .. }
    );
    let plus = texture(
        gpu,
        &TextureDescriptor {
            size: size(4, 4, 1),
            format: TextureFormat::Depth24Plus,
            usage: copyable(),
            ..Default::default()
        },
    )?;
    expect_err!(
        encoder.copy_texture_to_buffer(plus.as_image_copy(), info(aligned), size(4, 4, 1)),
        Error::UnsupportedFormat { format: TextureFormat::Depth24Plus, .. }
    );
    let other = texture(
        gpu,
        &TextureDescriptor {
            size: size(16, 8, 1),
            format: TextureFormat::R32Float,
            usage: copyable(),
            ..Default::default()
        },
    )?;
    expect_err!(
        encoder.copy_texture_to_texture(at(0, 0, 0, 0), other.as_image_copy(), size(4, 4, 1)),
        Error::TextureCopy { .. }
    );
    expect_err!(
        encoder.copy_texture_to_texture(at(0, 0, 0, 0), at(4, 0, 0, 0), size(8, 8, 1)),
        Error::UsageConflict { .. }
    );
    // The encoder recorded nothing bad and still finishes; the texture still
    // round-trips.
    gpu.queue.submit([encoder.finish().await.at("finish after refused copies")?]).at("submit")?;
    let pixels: Vec<u8> = (0..16 * 8 * 4).map(|i| i as u8).collect();
    q.write_texture(t.as_image_copy(), &pixels, tight, size(16, 8, 1)).at("good write")?;
    let got: Vec<[u8; 4]> = t.read_2d().await.at("read")?;
    ensure!(bytemuck::cast_slice::<[u8; 4], u8>(&got) == pixels, "the texture lost its contents");
    Ok(())
}

/// Strides whose span overflows u64 (2^31 * 2^31 * 4 images) are a copy
/// error, not a trap or a wrapped size the host would see; a copy within one
/// mip level of a 3D texture conflicts even for disjoint depth slices.
pub async fn huge_layouts_and_3d_self_copies(gpu: &Gpu) -> Outcome {
    let layers = texture(
        gpu,
        &TextureDescriptor {
            size: size(1, 1, 5),
            format: TextureFormat::R8Unorm,
            usage: copyable(),
            ..Default::default()
        },
    )?;
    let huge = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(1 << 31), rows_per_image: Some(1 << 31) };
    expect_err!(
        gpu.queue.write_texture(layers.as_image_copy(), &[1; 5], huge, size(1, 1, 5)),
        Error::TextureCopy { .. }
    );
    let buffer = gpu
        .device
        .create_buffer::<u8>(&BufferDescriptor {
            len: 256,
            usage: BufferUsages::COPY_SRC | BufferUsages::COPY_DST,
            ..Default::default()
        })
        .at("buffer")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    expect_err!(
        encoder.copy_buffer_to_texture(
            TexelCopyBufferInfo { buffer: &buffer, layout: huge },
            layers.as_image_copy(),
            size(1, 1, 5)
        ),
        Error::TextureCopy { .. }
    );
    expect_err!(
        encoder.copy_texture_to_buffer(
            layers.as_image_copy(),
            TexelCopyBufferInfo { buffer: &buffer, layout: huge },
            size(1, 1, 5)
        ),
        Error::TextureCopy { .. }
    );
    let volume = texture(
        gpu,
        &TextureDescriptor {
            size: size(4, 4, 4),
            dimension: TextureDimension::D3,
            format: TextureFormat::R8Unorm,
            usage: copyable(),
            ..Default::default()
        },
    )?;
    let slice = |z| TexelCopyTextureInfo { origin: Origin3d { x: 0, y: 0, z }, ..volume.as_image_copy() };
    expect_err!(encoder.copy_texture_to_texture(slice(0), slice(2), size(4, 4, 2)), Error::UsageConflict { .. });
    // Nothing bad was recorded: the encoder finishes and the layers still
    // take a valid write.
    gpu.queue.submit([encoder.finish().await.at("finish after refused copies")?]).at("submit")?;
    let tight = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(1), rows_per_image: Some(1) };
    gpu.queue.write_texture(layers.as_image_copy(), &[1, 2, 3, 4, 5], tight, size(1, 1, 5)).at("good write")?;
    Ok(())
}

/// Bind groups check views and samplers against the layout; layouts and
/// samplers refuse what WebGPU forbids.
pub async fn bindings_and_samplers(gpu: &Gpu) -> Outcome {
    let d = &gpu.device;
    let entry = |ty| BindGroupLayoutEntry { binding: 0, visibility: ShaderStages::COMPUTE, ty };
    let float2d = BindingType::Texture {
        sample_type: TextureSampleType::Float { filterable: true },
        view_dimension: TextureViewDimension::D2,
        multisampled: false,
    };
    let layout = d
        .create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &[entry(float2d)] })
        .at("layout")?;
    let copy_only =
        texture(gpu, &TextureDescriptor { size: size(4, 4, 1), usage: TextureUsages::COPY_DST, ..Default::default() })?;
    let view = copy_only.create_view(&Default::default()).at("view")?;
    let bind =
        |resource| d.create_bind_group(&BindGroupDescriptor::new(&layout, &[BindGroupEntry { binding: 0, resource }]));
    expect_err!(bind(BindingResource::TextureView(&view)), Error::MissingTextureUsage { .. });
    let unfilterable = texture(
        gpu,
        &TextureDescriptor {
            size: size(4, 4, 1),
            format: TextureFormat::R32Float,
            usage: TextureUsages::TEXTURE_BINDING,
            ..Default::default()
        },
    )?;
    let view = unfilterable.create_view(&Default::default()).at("view")?;
    expect_err!(bind(BindingResource::TextureView(&view)), Error::BindGroup(_));
    let array = texture(
        gpu,
        &TextureDescriptor { size: size(4, 4, 2), usage: TextureUsages::TEXTURE_BINDING, ..Default::default() },
    )?;
    let view = array.create_view(&Default::default()).at("array view")?;
    expect_err!(bind(BindingResource::TextureView(&view)), Error::BindGroup(_));
    let sampler = d.create_sampler(&Default::default()).at("sampler")?;
    expect_err!(bind(BindingResource::Sampler(&sampler)), Error::BindGroup(_));

    let non_filtering = d
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[entry(BindingType::Sampler(SamplerBindingType::NonFiltering))],
        })
        .at("sampler layout")?;
    let linear = d
        .create_sampler(&SamplerDescriptor { mag_filter: FilterMode::Linear, ..Default::default() })
        .at("linear sampler")?;
    let entries = [BindGroupEntry { binding: 0, resource: BindingResource::Sampler(&linear) }];
    expect_err!(d.create_bind_group(&BindGroupDescriptor::new(&non_filtering, &entries)), Error::BindGroup(_));

    let comparison = d
        .create_sampler(&SamplerDescriptor { compare: Some(wasi_webgpu::CompareFunction::Less), ..Default::default() })
        .at("comparison sampler")?;
    let filtering = d
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[entry(BindingType::Sampler(SamplerBindingType::Filtering))],
        })
        .at("filtering layout")?;
    let entries = [BindGroupEntry { binding: 0, resource: BindingResource::Sampler(&comparison) }];
    expect_err!(d.create_bind_group(&BindGroupDescriptor::new(&filtering, &entries)), Error::BindGroup(_));
    let comparing = d
        .create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[entry(BindingType::Sampler(SamplerBindingType::Comparison))],
        })
        .at("comparison layout")?;
    let entries = [BindGroupEntry { binding: 0, resource: BindingResource::Sampler(&linear) }];
    expect_err!(d.create_bind_group(&BindGroupDescriptor::new(&comparing, &entries)), Error::BindGroup(_));

    let storage = |format, access| {
        d.create_bind_group_layout(&BindGroupLayoutDescriptor {
            label: None,
            entries: &[entry(BindingType::StorageTexture { access, format, view_dimension: TextureViewDimension::D2 })],
        })
    };
    expect_err!(storage(TextureFormat::R8Unorm, StorageTextureAccess::WriteOnly), Error::UnsupportedFormat { .. });
    expect_err!(storage(TextureFormat::Rgba8Unorm, StorageTextureAccess::ReadWrite), Error::UnsupportedFormat { .. });
    // The reference host cannot take explicit storage texture layouts.
    expect_err!(storage(TextureFormat::Rgba8Unorm, StorageTextureAccess::WriteOnly), Error::BindGroup(_));

    expect_err!(
        d.create_sampler(&SamplerDescriptor { lod_min_clamp: -1.0, ..Default::default() }),
        Error::InvalidSampler { .. }
    );
    expect_err!(
        d.create_sampler(&SamplerDescriptor { lod_min_clamp: 4.0, lod_max_clamp: 2.0, ..Default::default() }),
        Error::InvalidSampler { .. }
    );
    expect_err!(
        d.create_sampler(&SamplerDescriptor { anisotropy_clamp: 8, ..Default::default() }),
        Error::InvalidSampler { .. }
    );
    expect_err!(
        d.create_sampler(&SamplerDescriptor { anisotropy_clamp: 0, ..Default::default() }),
        Error::InvalidSampler { .. }
    );
    Ok(())
}

/// A destroyed texture refuses views, writes, copies and reads, and a
/// command buffer that uses it refuses to submit.
pub async fn destroyed_textures(gpu: &Gpu) -> Outcome {
    let t = texture(
        gpu,
        &TextureDescriptor {
            size: size(4, 4, 1),
            usage: copyable() | TextureUsages::TEXTURE_BINDING,
            ..Default::default()
        },
    )?;
    let other = texture(gpu, &TextureDescriptor { size: size(4, 4, 1), usage: copyable(), ..Default::default() })?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    encoder.copy_texture_to_texture(t.as_image_copy(), other.as_image_copy(), size(4, 4, 1)).at("copy")?;
    let commands = encoder.finish().await.at("finish")?;
    t.destroy();
    t.destroy();
    expect_err!(gpu.queue.submit([commands]), Error::TextureDestroyed { operation: "submit" });
    expect_err!(t.create_view(&Default::default()), Error::TextureDestroyed { .. });
    let layout = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(16), rows_per_image: None };
    expect_err!(
        gpu.queue.write_texture(t.as_image_copy(), &[0; 64], layout, size(4, 4, 1)),
        Error::TextureDestroyed { .. }
    );
    expect_err!(t.read_2d::<[u8; 4]>().await, Error::TextureDestroyed { .. });
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    expect_err!(
        encoder.copy_texture_to_texture(other.as_image_copy(), t.as_image_copy(), size(4, 4, 1)),
        Error::TextureDestroyed { .. }
    );
    let got: Vec<[u8; 4]> = other.read_2d().await.at("the other texture still reads")?;
    ensure!(got.len() == 16, "{} texels", got.len());
    Ok(())
}

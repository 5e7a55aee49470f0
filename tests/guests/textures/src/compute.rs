//! Textures in compute shaders: storage textures written and read-written,
//! sampled views of layers, and samplers, through the typed bindings
//! `#[wasi_webgpu::shader]` generates and through the plain API with
//! explicit and auto layouts. Results are compared with the same
//! computation on the CPU.

use std::borrow::Cow;
use wasi_webgpu::Threads;

use wasi_webgpu::{
    AddressMode, BindGroupDescriptor, BindGroupEntry, BindGroupLayoutDescriptor, BindGroupLayoutEntry, BindingResource,
    BindingType, BufferBindingType, BufferInitDescriptor, BufferUsages, ComputePipelineDescriptor, Extent3d,
    FilterMode, Origin3d, PipelineLayoutDescriptor, SamplerBindingType, SamplerDescriptor, ShaderModuleDescriptor,
    ShaderSource, ShaderStages, TexelCopyBufferLayout, TextureDescriptor, TextureDimension, TextureFormat,
    TextureSampleType, TextureUsages, TextureViewDescriptor, TextureViewDimension,
};

use crate::{Context, Gpu, Outcome, Rng, ensure, texel_bytes, texture};

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var dst: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn invert(@builtin(global_invocation_id) id: vec3u) {
    let size = textureDimensions(src);
    if id.x >= size.x || id.y >= size.y { return; }
    let c = textureLoad(src, vec2i(id.xy), 0);
    textureStore(dst, vec2i(id.xy), vec4f(1.0 - c.rgb, c.a).bgra);
}
"#)]
mod invert {}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var volume: texture_storage_3d<rgba32uint, write>;

@compute @workgroup_size(4, 4, 4)
fn fill(@builtin(global_invocation_id) id: vec3u) {
    if any(id >= textureDimensions(volume)) { return; }
    textureStore(volume, id, vec4u(id, id.x * 7u + id.y * 3u + id.z));
}
"#)]
mod fill3d {}

fn upload_2d(
    gpu: &Gpu,
    format: TextureFormat,
    size: Extent3d,
    data: &[u8],
    usage: TextureUsages,
) -> Result<wasi_webgpu::Texture, String> {
    let t = texture(
        gpu,
        &TextureDescriptor { size, format, usage: usage | TextureUsages::COPY_DST, ..Default::default() },
    )?;
    let texel = data.len() as u32 / (size.width * size.height * size.depth_or_array_layers);
    let layout =
        TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(size.width * texel), rows_per_image: Some(size.height) };
    gpu.queue.write_texture(t.as_image_copy(), data, layout, size).at("write_texture")?;
    Ok(t)
}

/// An rgba8unorm image loaded as `texture_2d<f32>` and inverted into a
/// storage texture, channels swapped: each byte `255 - b` of its source
/// channel, within 1 (float rounding); plus a 3D `rgba32uint` storage
/// texture filled with its coordinates, exactly.
pub async fn storage_texture_invert(gpu: &Gpu) -> Outcome {
    let (w, h) = (37, 21);
    let size = Extent3d { width: w, height: h, depth_or_array_layers: 1 };
    let data = Rng::new(29).bytes((w * h * 4) as usize);
    let src = upload_2d(gpu, TextureFormat::Rgba8Unorm, size, &data, TextureUsages::TEXTURE_BINDING)?;
    let dst = texture(
        gpu,
        &TextureDescriptor {
            size,
            format: TextureFormat::Rgba8Unorm,
            usage: TextureUsages::STORAGE_BINDING | TextureUsages::COPY_SRC,
            ..Default::default()
        },
    )?;
    let kernel = invert::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let (src_view, dst_view) =
        (src.create_view(&Default::default()).at("view")?, dst.create_view(&Default::default()).at("view")?);
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    kernel
        .dispatch(&mut pass, &invert::Bindings { src: &src_view, dst: &dst_view }, Threads::xy(w, h))
        .at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got: Vec<[u8; 4]> = dst.read_2d().await.at("read_2d")?;
    for (i, (px, src)) in got.iter().zip(data.chunks(4)).enumerate() {
        let want = [255 - src[2], 255 - src[1], 255 - src[0], src[3]];
        ensure!(
            px.iter().zip(want).all(|(&a, b)| a.abs_diff(b) <= 1),
            "pixel {i}: got {px:?}, want {want:?} (within 1)"
        );
    }

    let vsize = Extent3d { width: 6, height: 5, depth_or_array_layers: 7 };
    let volume = texture(
        gpu,
        &TextureDescriptor {
            size: vsize,
            dimension: TextureDimension::D3,
            format: TextureFormat::Rgba32Uint,
            usage: TextureUsages::STORAGE_BINDING | TextureUsages::COPY_SRC,
            ..Default::default()
        },
    )?;
    let view = volume.create_view(&Default::default()).at("3d view")?;
    ensure!(view.dimension() == TextureViewDimension::D3, "3d view is {:?}", view.dimension());
    let kernel = fill3d::pipeline(&gpu.device, &Default::default()).await.at("3d pipeline")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    kernel.dispatch(&mut pass, &fill3d::Bindings { volume: &view }, Threads::xyz(6, 5, 7)).at("3d dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got: Vec<[u32; 4]> = volume.read_pixels(0, Origin3d::ZERO, vsize).await.at("read 3d")?;
    let mut i = 0;
    for z in 0..7 {
        for y in 0..5 {
            for x in 0..6 {
                let want = [x, y, z, x * 7 + y * 3 + z];
                ensure!(got[i] == want, "voxel ({x}, {y}, {z}): {:?}, want {want:?}", got[i]);
                i += 1;
            }
        }
    }
    Ok(())
}

/// An `r32float` `read_write` storage texture updated in place, through an
/// auto layout and the plain API: `v * 2 + 1`, exactly.
pub async fn storage_texture_read_write(gpu: &Gpu) -> Outcome {
    let module = gpu
        .device
        .create_shader_module(ShaderModuleDescriptor {
            label: None,
            source: ShaderSource::Wgsl(Cow::Borrowed(
                "@group(0) @binding(0) var img: texture_storage_2d<r32float, read_write>;
                 @compute @workgroup_size(8, 8) fn step(@builtin(global_invocation_id) id: vec3u) {
                     if any(id.xy >= textureDimensions(img)) { return; }
                     let v = textureLoad(img, id.xy).x;
                     textureStore(img, id.xy, vec4f(v * 2.0 + 1.0, 0.0, 0.0, 0.0));
                 }",
            )),
        })
        .await
        .at("shader")?;
    let pipeline = gpu.device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await.at("pipeline")?;
    let size = Extent3d { width: 19, height: 9, depth_or_array_layers: 1 };
    let data = texel_bytes(&mut Rng::new(31), TextureFormat::R32Float, 19 * 9);
    let t =
        upload_2d(gpu, TextureFormat::R32Float, size, &data, TextureUsages::STORAGE_BINDING | TextureUsages::COPY_SRC)?;
    let view = t.create_view(&Default::default()).at("view")?;
    let layout = pipeline.get_bind_group_layout(0).at("layout")?;
    let entries = [BindGroupEntry { binding: 0, resource: BindingResource::TextureView(&view) }];
    let group = gpu.device.create_bind_group(&BindGroupDescriptor::new(&layout, &entries)).at("bind group")?;
    for _ in 0..2 {
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline).at("set_pipeline")?;
        pass.set_bind_group(0, &group, &[]).at("set_bind_group")?;
        pass.dispatch_workgroups(3, 2, 1).at("dispatch")?;
        pass.end();
        gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    }
    let got: Vec<f32> = t.read_2d().await.at("read")?;
    let input: Vec<f32> = bytemuck::pod_collect_to_vec(&data);
    for (i, (g, v)) in got.iter().zip(&input).enumerate() {
        let want = (v * 2.0 + 1.0) * 2.0 + 1.0;
        ensure!(*g == want, "texel {i}: {g}, want {want}");
    }
    Ok(())
}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var layer: texture_2d<u32>;
@group(0) @binding(1) var layers: texture_2d_array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(8, 4)
fn gather(@builtin(global_invocation_id) id: vec3u) {
    let size = textureDimensions(layer, 0);
    if id.x >= size.x || id.y >= size.y { return; }
    let a = textureLoad(layer, id.xy, 0).x;
    let b = textureLoad(layers, id.xy, 2, 0).y;
    let c = textureLoad(layers, id.xy / 2u, 0, 1).z;
    out[id.y * size.x + id.x] = a | (b << 8u) | (c << 16u) | (textureNumLayers(layers) << 24u);
}
"#)]
mod gather {}

/// Views of one layer, of a layer range and of a mip level of a 2D-array
/// texture, loaded in a shader: each value must come from the texel the
/// view selects.
pub async fn sampled_texture_views(gpu: &Gpu) -> Outcome {
    let size = Extent3d { width: 8, height: 4, depth_or_array_layers: 5 };
    let t = texture(
        gpu,
        &TextureDescriptor {
            size,
            format: TextureFormat::Rgba8Uint,
            usage: TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST,
            mip_level_count: 2,
            ..Default::default()
        },
    )?;
    let mut rng = Rng::new(37);
    let mip0 = rng.bytes(8 * 4 * 5 * 4);
    let mip1 = rng.bytes(4 * 2 * 5 * 4);
    let layout0 = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(32), rows_per_image: Some(4) };
    gpu.queue.write_texture(t.as_image_copy(), &mip0, layout0, size).at("write mip 0")?;
    let mip1_size = size.mip_level_size(1, TextureDimension::D2);
    let layout1 = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(16), rows_per_image: Some(2) };
    let target = wasi_webgpu::TexelCopyTextureInfo { mip_level: 1, ..t.as_image_copy() };
    gpu.queue.write_texture(target, &mip1, layout1, mip1_size).at("write mip 1")?;

    // Layer 3 alone; layers 1..4 as an array (so array layer 2 is texture
    // layer 3, and layer 0 is texture layer 1).
    let layer = t
        .create_view(&TextureViewDescriptor {
            dimension: Some(TextureViewDimension::D2),
            base_array_layer: 3,
            mip_level_count: Some(1),
            ..Default::default()
        })
        .at("layer view")?;
    let layers = t
        .create_view(&TextureViewDescriptor {
            dimension: Some(TextureViewDimension::D2Array),
            base_array_layer: 1,
            array_layer_count: Some(3),
            ..Default::default()
        })
        .at("layers view")?;
    let out = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[0u32; 32],
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("out")?;
    let kernel = gather::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    let bindings = gather::Bindings { layer: &layer, layers: &layers, out: out.as_storage_mut() };
    kernel.dispatch(&mut pass, &bindings, Threads::xy(8, 4)).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = out.read().await.at("read")?;
    let texel = |data: &[u8], w: usize, h: usize, layer: usize, x: usize, y: usize, c: usize| {
        u32::from(data[((layer * h + y) * w + x) * 4 + c])
    };
    for y in 0..4 {
        for x in 0..8 {
            let want = texel(&mip0, 8, 4, 3, x, y, 0)
                | texel(&mip0, 8, 4, 3, x, y, 1) << 8
                | texel(&mip1, 4, 2, 1, x / 2, y / 2, 2) << 16
                | 3 << 24;
            ensure!(got[y * 8 + x] == want, "({x}, {y}): {:#x}, want {want:#x}", got[y * 8 + x]);
        }
    }
    Ok(())
}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var image: texture_2d<f32>;
@group(0) @binding(1) var smp: sampler;
@group(0) @binding(2) var<storage, read> coords: array<vec2f>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(64)
fn sample(@builtin(global_invocation_id) id: vec3u) {
    if id.x >= arrayLength(&coords) { return; }
    out[id.x] = textureSampleLevel(image, smp, coords[id.x], 0.0);
}
"#)]
mod sample {}

/// Texel index `i` of a row of `n` under an address mode.
fn address(i: i64, n: i64, mode: AddressMode) -> usize {
    (match mode {
        AddressMode::ClampToEdge => i.clamp(0, n - 1),
        AddressMode::Repeat => i.rem_euclid(n),
        AddressMode::MirrorRepeat => {
            let m = i.rem_euclid(2 * n);
            if m >= n { 2 * n - 1 - m } else { m }
        }
    }) as usize
}

/// The CPU's sample of an rgba8unorm image at `uv`.
fn cpu_sample(image: &[u8], w: usize, h: usize, uv: [f32; 2], filter: FilterMode, mode: AddressMode) -> [f32; 4] {
    let texel = |x: i64, y: i64| {
        let at = (address(y, h as i64, mode) * w + address(x, w as i64, mode)) * 4;
        std::array::from_fn::<f32, 4, _>(|c| f32::from(image[at + c]) / 255.0)
    };
    let (u, v) = (uv[0] * w as f32, uv[1] * h as f32);
    match filter {
        FilterMode::Nearest => texel(u.floor() as i64, v.floor() as i64),
        FilterMode::Linear => {
            let (x, y) = (u - 0.5, v - 0.5);
            let (x0, y0) = (x.floor(), y.floor());
            let (fx, fy) = (x - x0, y - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let [a, b, c, d] = [texel(x0, y0), texel(x0 + 1, y0), texel(x0, y0 + 1), texel(x0 + 1, y0 + 1)];
            std::array::from_fn(|i| {
                let top = a[i] * (1.0 - fx) + b[i] * fx;
                let bottom = c[i] * (1.0 - fx) + d[i] * fx;
                top * (1.0 - fy) + bottom * fy
            })
        }
    }
}

/// One image sampled with nearest and linear filtering and each address
/// mode at coordinates inside and outside [0, 1]: nearest within 1e-6 (the
/// coordinates stay 0.2 texel off texel edges), linear within 0.01
/// (GPUs filter with 8-bit weights).
pub async fn samplers_filter_and_address(gpu: &Gpu) -> Outcome {
    let (w, h) = (5usize, 3usize);
    let image = Rng::new(41).bytes(w * h * 4);
    let size = Extent3d { width: w as u32, height: h as u32, depth_or_array_layers: 1 };
    let t = upload_2d(gpu, TextureFormat::Rgba8Unorm, size, &image, TextureUsages::TEXTURE_BINDING)?;
    let view = t.create_view(&Default::default()).at("view")?;
    let mut rng = Rng::new(43);
    // Texel centers plus up to ±0.3 texel, over about [-1.5, 2.5] of the image.
    let coords: Vec<[f32; 2]> = (0..200)
        .map(|_| {
            let cell = |n: usize, r: u32| {
                let i = (r % (4 * n as u32)) as f32 - (3 * n / 2) as f32;
                let jitter = ((r >> 8) % 61) as f32 / 100.0 - 0.3;
                (i + 0.5 + jitter) / n as f32
            };
            [cell(w, rng.next_u32()), cell(h, rng.next_u32())]
        })
        .collect();
    let coords_buffer = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &coords, usage: BufferUsages::STORAGE })
        .at("coords")?;
    let kernel = sample::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    for filter in [FilterMode::Nearest, FilterMode::Linear] {
        for mode in [AddressMode::ClampToEdge, AddressMode::Repeat, AddressMode::MirrorRepeat] {
            let sampler = gpu
                .device
                .create_sampler(&SamplerDescriptor {
                    address_mode_u: mode,
                    address_mode_v: mode,
                    mag_filter: filter,
                    min_filter: filter,
                    ..Default::default()
                })
                .at("sampler")?;
            let out = gpu
                .device
                .create_buffer_init(&BufferInitDescriptor {
                    label: None,
                    contents: &vec![[0f32; 4]; coords.len()],
                    usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
                })
                .at("out")?;
            let mut encoder = gpu.device.create_command_encoder(&Default::default());
            let mut pass = encoder.begin_compute_pass(&Default::default());
            let bindings = sample::Bindings {
                image: &view,
                smp: &sampler,
                coords: coords_buffer.as_storage(),
                out: out.as_storage_mut(),
            };
            kernel.dispatch(&mut pass, &bindings, Threads::x(coords.len() as u32)).at("dispatch")?;
            pass.end();
            gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
            let got = out.read().await.at("read")?;
            let tolerance = if filter == FilterMode::Nearest { 1e-6 } else { 0.01 };
            for (uv, got) in coords.iter().zip(&got) {
                let want = cpu_sample(&image, w, h, *uv, filter, mode);
                ensure!(
                    got.iter().zip(want).all(|(g, w)| (g - w).abs() <= tolerance),
                    "{filter:?} {mode:?} at {uv:?}: {got:?}, want {want:?} (within {tolerance})"
                );
            }
        }
    }
    Ok(())
}

/// The plain API with an explicit layout: an unfilterable `r32float`
/// texture and a non-filtering sampler, read at texel centers: exact.
pub async fn explicit_layout_with_texture_and_sampler(gpu: &Gpu) -> Outcome {
    let entries = [
        BindGroupLayoutEntry {
            binding: 0,
            visibility: ShaderStages::COMPUTE,
            ty: BindingType::Texture {
                sample_type: TextureSampleType::Float { filterable: false },
                view_dimension: TextureViewDimension::D2,
                multisampled: false,
            },
        },
        BindGroupLayoutEntry {
            binding: 1,
            visibility: ShaderStages::COMPUTE,
            ty: BindingType::Sampler(SamplerBindingType::NonFiltering),
        },
        BindGroupLayoutEntry {
            binding: 2,
            visibility: ShaderStages::COMPUTE,
            ty: BindingType::Buffer {
                ty: BufferBindingType::Storage { read_only: false },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
        },
    ];
    let layout = gpu
        .device
        .create_bind_group_layout(&BindGroupLayoutDescriptor { label: None, entries: &entries })
        .at("layout")?;
    let pipeline_layout = gpu
        .device
        .create_pipeline_layout(&PipelineLayoutDescriptor { label: None, bind_group_layouts: &[&layout] })
        .at("pipeline layout")?;
    let module = gpu
        .device
        .create_shader_module(ShaderModuleDescriptor {
            label: None,
            source: ShaderSource::Wgsl(Cow::Borrowed(
                "@group(0) @binding(0) var t: texture_2d<f32>;
                 @group(0) @binding(1) var s: sampler;
                 @group(0) @binding(2) var<storage, read_write> out: array<f32>;
                 @compute @workgroup_size(16) fn main(@builtin(global_invocation_id) id: vec3u) {
                     if id.x >= 16u { return; }
                     let uv = (vec2f(f32(id.x % 4u), f32(id.x / 4u)) + 0.5) / 4.0;
                     out[id.x] = textureSampleLevel(t, s, uv, 0.0).x;
                 }",
            )),
        })
        .await
        .at("shader")?;
    let pipeline = gpu
        .device
        .create_compute_pipeline(&ComputePipelineDescriptor {
            layout: Some(&pipeline_layout),
            ..ComputePipelineDescriptor::new(&module)
        })
        .await
        .at("pipeline")?;
    let data = texel_bytes(&mut Rng::new(47), TextureFormat::R32Float, 16);
    let size = Extent3d { width: 4, height: 4, depth_or_array_layers: 1 };
    let t = upload_2d(gpu, TextureFormat::R32Float, size, &data, TextureUsages::TEXTURE_BINDING)?;
    let view = t.create_view(&Default::default()).at("view")?;
    let sampler = gpu.device.create_sampler(&Default::default()).at("sampler")?;
    ensure!(!sampler.is_filtering(), "the default sampler filters");
    let out = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[0f32; 16],
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("out")?;
    let group_entries = [
        BindGroupEntry { binding: 0, resource: BindingResource::TextureView(&view) },
        BindGroupEntry { binding: 1, resource: BindingResource::Sampler(&sampler) },
        BindGroupEntry { binding: 2, resource: out.as_entire_binding() },
    ];
    let group = gpu.device.create_bind_group(&BindGroupDescriptor::new(&layout, &group_entries)).at("group")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    pass.set_pipeline(&pipeline).at("set_pipeline")?;
    pass.set_bind_group(0, &group, &[]).at("set_bind_group")?;
    pass.dispatch_workgroups(1, 1, 1).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = out.read().await.at("read")?;
    let want: Vec<f32> = bytemuck::pod_collect_to_vec(&data);
    ensure!(got == want, "{got:?}, want {want:?}");
    Ok(())
}

#[wasi_webgpu::shader(wgsl = r#"
@group(0) @binding(0) var depth: texture_depth_2d;
@group(0) @binding(1) var cmp: sampler_comparison;
@group(0) @binding(2) var<storage, read> refs: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec2f>;

@compute @workgroup_size(16)
fn compare(@builtin(global_invocation_id) id: vec3u) {
    if id.x >= 16u { return; }
    let xy = vec2u(id.x % 4u, id.x / 4u);
    let uv = (vec2f(xy) + 0.5) / 4.0;
    out[id.x] = vec2f(textureLoad(depth, xy, 0), textureSampleCompareLevel(depth, cmp, uv, refs[id.x]));
}
"#)]
mod compare {}

/// A depth16unorm texture written by the queue, loaded as depth (within
/// 1e-6 of `d / 65535`) and compared by a `Less` comparison sampler against
/// references 0.01 above or below each texel: 1 where `reference < depth`,
/// else 0, exactly.
pub async fn comparison_sampler_on_depth(gpu: &Gpu) -> Outcome {
    let mut rng = Rng::new(53);
    let depths: Vec<u16> = (0..16).map(|_| 2000 + (rng.next_u32() % 60000) as u16).collect();
    let size = Extent3d { width: 4, height: 4, depth_or_array_layers: 1 };
    let t = upload_2d(
        gpu,
        TextureFormat::Depth16Unorm,
        size,
        bytemuck::cast_slice(&depths),
        TextureUsages::TEXTURE_BINDING,
    )?;
    let view = t.create_view(&Default::default()).at("view")?;
    let refs: Vec<f32> = depths
        .iter()
        .map(|&d| f32::from(d) / 65535.0 + if rng.next_u32().is_multiple_of(2) { 0.01 } else { -0.01 })
        .collect();
    let sampler = gpu
        .device
        .create_sampler(&SamplerDescriptor { compare: Some(wasi_webgpu::CompareFunction::Less), ..Default::default() })
        .at("comparison sampler")?;
    ensure!(sampler.is_comparison(), "not a comparison sampler");
    let refs_buffer = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &refs, usage: BufferUsages::STORAGE })
        .at("refs")?;
    let out = gpu
        .device
        .create_buffer_init(&BufferInitDescriptor {
            label: None,
            contents: &[[0f32; 2]; 16],
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })
        .at("out")?;
    let kernel = compare::pipeline(&gpu.device, &Default::default()).await.at("pipeline")?;
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    let bindings =
        compare::Bindings { depth: &view, cmp: &sampler, refs: refs_buffer.as_storage(), out: out.as_storage_mut() };
    kernel.dispatch(&mut pass, &bindings, Threads::x(16)).at("dispatch")?;
    pass.end();
    gpu.queue.submit([encoder.finish().await.at("finish")?]).at("submit")?;
    let got = out.read().await.at("read")?;
    for (i, ([loaded, compared], (&d, &r))) in got.iter().zip(depths.iter().zip(&refs)).enumerate() {
        let depth = f32::from(d) / 65535.0;
        ensure!((loaded - depth).abs() <= 1e-6, "texel {i}: loaded {loaded}, want {depth}");
        let want = if r < depth { 1.0 } else { 0.0 };
        ensure!(*compared == want, "texel {i}: {r} < {depth} compared {compared}, want {want}");
    }
    Ok(())
}

//! Blurs a PNG and finds its edges on the GPU: a separable Gaussian blur and
//! a Sobel filter in compute shaders that write storage textures.
//!
//! ```text
//! wasi-webgpu-run --dir . examples/image-filter [-- input.png]
//! ```
//!
//! Reads `input.png` from the preopened directory, or the test image built
//! into the component when no input is given, and writes `blur.png` and
//! `edges.png` next to it.

use std::io::Cursor;
use wasi_webgpu::Threads;

use wasi_webgpu::{
    Buffer, BufferInitDescriptor, BufferUsages, Device, Extent3d, Queue, TexelCopyBufferLayout, Texture,
    TextureDescriptor, TextureFormat, TextureUsages,
};

/// The shipped test image (made by `tools/make_test_image.py`), built in so
/// the example runs from any working directory.
const TEST_IMAGE: &[u8] = include_bytes!("../assets/test-image.png");

/// The blur's standard deviation, in pixels; its kernel reaches 3 sigma.
const SIGMA: f32 = 2.0;

#[wasi_webgpu::shader(path = "shaders/blur.wgsl")]
mod blur {}

#[wasi_webgpu::shader(path = "shaders/sobel.wgsl")]
mod sobel {}

/// An 8-bit RGBA image.
struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let input = std::env::args().nth(1);
    let png = match &input {
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?,
        None => TEST_IMAGE.to_vec(),
    };
    let image = decode(&png).map_err(|e| format!("{}: {e}", input.as_deref().unwrap_or("the test image")))?;
    println!("input: {} ({}x{})", input.as_deref().unwrap_or("built-in test image"), image.width, image.height);

    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await.map_err(|e| e.to_string())?;
    let (device, queue) = adapter.request_device(&Default::default()).await.map_err(|e| e.to_string())?;
    let (blurred, edges) = filter(&device, &queue, &image).await.map_err(|e| e.to_string())?;
    for (name, rgba) in [("blur.png", blurred), ("edges.png", edges)] {
        let png = encode(&Image { rgba, ..image }).map_err(|e| format!("encoding {name}: {e}"))?;
        std::fs::write(name, png).map_err(|e| {
            format!("cannot write {name}: {e} (give the runner a directory to write to: wasi-webgpu-run --dir .)")
        })?;
        println!("wrote {name}");
    }
    Ok(())
}

/// Runs both filters; returns the blurred and the edge image as RGBA bytes.
async fn filter(device: &Device, queue: &Queue, image: &Image) -> wasi_webgpu::Result<(Vec<u8>, Vec<u8>)> {
    let size = Extent3d { width: image.width, height: image.height, depth_or_array_layers: 1 };
    let source = device.create_texture(&TextureDescriptor {
        label: Some("source"),
        size,
        format: TextureFormat::Rgba8Unorm,
        usage: TextureUsages::TEXTURE_BINDING | TextureUsages::COPY_DST,
        ..Default::default()
    })?;
    let layout = TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(image.width * 4), rows_per_image: None };
    queue.write_texture(source.as_image_copy(), &image.rgba, layout, size)?;
    let storage = |label, format, usage| {
        device.create_texture(&TextureDescriptor {
            label: Some(label),
            size,
            format,
            usage: TextureUsages::STORAGE_BINDING | usage,
            ..Default::default()
        })
    };
    let across = storage("blurred across", TextureFormat::Rgba32Float, TextureUsages::TEXTURE_BINDING)?;
    let blurred = storage("blurred", TextureFormat::Rgba8Unorm, TextureUsages::COPY_SRC)?;
    let edges = storage("edges", TextureFormat::Rgba8Unorm, TextureUsages::COPY_SRC)?;
    let weights: Buffer<f32> = device.create_buffer_init(&BufferInitDescriptor {
        label: Some("gaussian weights"),
        contents: &gaussian_weights(SIGMA),
        usage: BufferUsages::STORAGE,
    })?;

    let horizontal = blur::Horizontal::pipeline(device, &Default::default()).await?;
    let vertical = blur::Vertical::pipeline(device, &Default::default()).await?;
    let edge_filter = sobel::pipeline(device, &Default::default()).await?;
    let view = |texture: &Texture| texture.create_view(&Default::default());
    let (source_view, across_view) = (view(&source)?, view(&across)?);
    let (blurred_view, edges_view) = (view(&blurred)?, view(&edges)?);

    let threads = Threads::xy(image.width, image.height);
    let mut encoder = device.create_command_encoder(&Default::default());
    let mut pass = encoder.begin_compute_pass(&Default::default());
    let bindings =
        blur::HorizontalBindings { source: &source_view, weights: weights.as_storage(), across: &across_view };
    horizontal.dispatch(&mut pass, &bindings, threads)?;
    let bindings = blur::VerticalBindings { source: &across_view, weights: weights.as_storage(), down: &blurred_view };
    vertical.dispatch(&mut pass, &bindings, threads)?;
    edge_filter.dispatch(&mut pass, &sobel::Bindings { source: &source_view, edges: &edges_view }, threads)?;
    pass.end();
    queue.submit([encoder.finish().await?])?;

    let blurred: Vec<[u8; 4]> = blurred.read_2d().await?;
    let edges: Vec<[u8; 4]> = edges.read_2d().await?;
    Ok((blurred.concat(), edges.concat()))
}

/// Normalized Gaussian weights for offsets `-r..=r`, `r = ceil(3 sigma)`.
fn gaussian_weights(sigma: f32) -> Vec<f32> {
    let radius = (3.0 * sigma).ceil() as i32;
    let raw: Vec<f32> = (-radius..=radius).map(|k| (-((k * k) as f32) / (2.0 * sigma * sigma)).exp()).collect();
    let sum: f32 = raw.iter().sum();
    raw.iter().map(|w| w / sum).collect()
}

/// Decodes any PNG to 8-bit RGBA.
fn decode(png: &[u8]) -> Result<Image, png::DecodingError> {
    let mut decoder = png::Decoder::new(Cursor::new(png));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buffer)?;
    let pixels = &buffer[..info.line_size * info.height as usize];
    let rgba = match info.color_type {
        png::ColorType::Rgba => pixels.to_vec(),
        png::ColorType::Rgb => pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::GrayscaleAlpha => pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        // Grayscale; palettes were expanded to RGB(A).
        _ => pixels.iter().flat_map(|&g| [g, g, g, 255]).collect(),
    };
    Ok(Image { width: info.width, height: info.height, rgba })
}

/// Encodes 8-bit RGBA as PNG.
fn encode(image: &Image) -> Result<Vec<u8>, png::EncodingError> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&image.rgba)?;
    writer.finish()?;
    Ok(png)
}

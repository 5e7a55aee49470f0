//! Runs `examples/image-filter` and checks its PNGs against a CPU reference
//! computed here: the same separable Gaussian blur (sigma 2, radius 6, edge
//! texels repeated, the intermediate pass in f32) and Sobel gradient
//! magnitude of the BT.601 luma, clamped to 1. Every channel of every pixel
//! must be within 1 of the reference: the GPU sums in its own order and may
//! round a value near .5 the other way when it stores 8 bits.

mod common;

use std::path::Path;

use wasi_webgpu_host::RunOptions;

const SIGMA: f32 = 2.0;

struct Image {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

fn decode(path: &Path) -> Image {
    let png = common::decode_png(path);
    let rgba = match png.color_type {
        png::ColorType::Rgba => png.pixels,
        png::ColorType::Rgb => png.pixels.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        other => panic!("{path:?}: unexpected color type {other:?}"),
    };
    Image { width: png.width as usize, height: png.height as usize, rgba }
}

fn encode_rgb(path: &Path, width: u32, height: u32, rgb: &[u8]) {
    let file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(rgb).expect("data");
    writer.finish().expect("finish");
}

fn texel(image: &Image, x: i64, y: i64) -> [f32; 4] {
    let x = x.clamp(0, image.width as i64 - 1) as usize;
    let y = y.clamp(0, image.height as i64 - 1) as usize;
    let at = (y * image.width + x) * 4;
    std::array::from_fn(|c| f32::from(image.rgba[at + c]) / 255.0)
}

fn unorm8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn reference_blur(image: &Image) -> Vec<u8> {
    let radius = (3.0 * SIGMA).ceil() as i64;
    let raw: Vec<f32> = (-radius..=radius).map(|k| (-((k * k) as f32) / (2.0 * SIGMA * SIGMA)).exp()).collect();
    let sum: f32 = raw.iter().sum();
    let weights: Vec<f32> = raw.iter().map(|w| w / sum).collect();
    let (w, h) = (image.width as i64, image.height as i64);
    let mut across = vec![[0f32; 4]; image.width * image.height];
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0f32; 4];
            for k in -radius..=radius {
                let t = texel(image, x + k, y);
                for c in 0..4 {
                    acc[c] += weights[(k + radius) as usize] * t[c];
                }
            }
            across[(y * w + x) as usize] = acc;
        }
    }
    let mut out = Vec::with_capacity(image.rgba.len());
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0f32; 4];
            for k in -radius..=radius {
                let t = across[((y + k).clamp(0, h - 1) * w + x) as usize];
                for c in 0..4 {
                    acc[c] += weights[(k + radius) as usize] * t[c];
                }
            }
            out.extend(acc.map(unorm8));
        }
    }
    out
}

fn reference_edges(image: &Image) -> Vec<u8> {
    let luma = |x, y| {
        let c = texel(image, x, y);
        c[0] * 0.299 + c[1] * 0.587 + c[2] * 0.114
    };
    let mut out = Vec::with_capacity(image.rgba.len());
    for y in 0..image.height as i64 {
        for x in 0..image.width as i64 {
            let gx = (luma(x + 1, y - 1) + 2.0 * luma(x + 1, y) + luma(x + 1, y + 1))
                - (luma(x - 1, y - 1) + 2.0 * luma(x - 1, y) + luma(x - 1, y + 1));
            let gy = (luma(x - 1, y + 1) + 2.0 * luma(x, y + 1) + luma(x + 1, y + 1))
                - (luma(x - 1, y - 1) + 2.0 * luma(x, y - 1) + luma(x + 1, y - 1));
            let m = unorm8((gx * gx + gy * gy).sqrt().min(1.0));
            out.extend([m, m, m, 255]);
        }
    }
    out
}

/// Compares an output PNG with the reference; returns how many channels
/// differ at all, for the message.
fn assert_close(name: &str, got: &Image, input: &Image, want: &[u8]) -> usize {
    assert_eq!((got.width, got.height), (input.width, input.height), "{name}: size");
    let mut off_by_one = 0;
    for (i, (g, w)) in got.rgba.iter().zip(want).enumerate() {
        let (pixel, channel) = (i / 4, i % 4);
        assert!(
            g.abs_diff(*w) <= 1,
            "{name}: pixel ({}, {}) channel {channel} is {g}, the CPU says {w}",
            pixel % input.width,
            pixel / input.width
        );
        off_by_one += usize::from(g != w);
    }
    off_by_one
}

fn check_outputs(dir: &Path, input: &Image) {
    let blur = decode(&dir.join("blur.png"));
    let edges = decode(&dir.join("edges.png"));
    let blur_diffs = assert_close("blur.png", &blur, input, &reference_blur(input));
    let edge_diffs = assert_close("edges.png", &edges, input, &reference_edges(input));
    // The filters did something: the outputs are not the input.
    assert_ne!(blur.rgba, input.rgba, "blur.png is the input");
    assert!(edges.rgba.chunks(4).any(|p| p[0] > 200) && edges.rgba.chunks(4).any(|p| p[0] == 0), "edges.png is flat");
    eprintln!("channels 1 off the CPU: blur {blur_diffs}, edges {edge_diffs}");
}

/// The documented command, `wasi-webgpu-run --dir . examples/image-filter`,
/// from another working directory: it falls back to the shipped image and
/// writes its PNGs into that directory.
#[test]
fn the_cli_filters_the_shipped_image_into_the_working_directory() {
    // Build once through the shared helper, so the CLI's build is a no-op.
    common::guest("examples/image-filter");
    let dir = tempfile::tempdir().expect("tempdir");
    let example = common::root().join("examples/image-filter");
    let (output, transcript) =
        common::run_cli(dir.path(), ["-q".as_ref(), "--dir".as_ref(), ".".as_ref(), example.as_os_str()]);
    assert!(output.status.success(), "{transcript}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("wrote blur.png") && stdout.contains("wrote edges.png"), "{transcript}");
    let input = decode(&common::root().join("examples/image-filter/assets/test-image.png"));
    check_outputs(dir.path(), &input);
}

/// An RGB PNG (no alpha) of odd size given as an argument: it is converted
/// to RGBA, filtered, and checked against the CPU.
#[test]
fn a_given_rgb_image_is_filtered_like_the_cpu_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (width, height) = (45u32, 31u32);
    let mut rgb = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let inside = (x as i32 - 20).pow(2) + (y as i32 - 14).pow(2) < 100;
            rgb.extend(if inside { [250, 240, 10] } else { [(x * 5) as u8, (y * 8) as u8, ((x * y) % 256) as u8] });
        }
    }
    encode_rgb(&dir.path().join("input.png"), width, height, &rgb);
    let outcome =
        common::run_with("examples/image-filter", &RunOptions::captured().dir(dir.path(), ".").arg("input.png"));
    let transcript = common::transcript(&outcome);
    assert_eq!(outcome.exit_code, 0, "{transcript}");
    assert!(outcome.stdout_lossy().contains("input: input.png (45x31)"), "{transcript}");
    let input = Image {
        width: width as usize,
        height: height as usize,
        rgba: rgb.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
    };
    check_outputs(dir.path(), &input);
}

/// Without a preopened directory the example cannot write, and says how to
/// fix it instead of trapping.
#[test]
fn without_a_directory_the_example_explains_itself() {
    let outcome = common::run_with("examples/image-filter", &RunOptions::captured());
    let transcript = common::transcript(&outcome);
    assert_ne!(outcome.exit_code, 0, "{transcript}");
    assert!(outcome.stderr_lossy().contains("--dir"), "{transcript}");
}

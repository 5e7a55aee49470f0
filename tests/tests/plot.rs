//! `examples/plot` as a user runs it: `wasi-webgpu-run --dir . examples/plot`
//! from a fresh working directory must exit 0 and leave `scatter.png` and
//! `line.png` there, and each must match the same scene rasterized on the CPU.
//!
//! The reference: the example's own scene (`examples/plot/src/scene.rs`,
//! the data and the corner formulas of its shader) drawn by the render
//! guest's CPU rasterizer (`tests/guests/render/src/raster.rs`) with 4x
//! multisampling at the standard sample positions, alpha blending in draw
//! order and `rgba8unorm` rounding per sample, then resolved. Tolerance: at
//! most 0.1% of the pixels may differ by more than 2/255 in a channel. Those
//! are pixels where a sample lies within float rounding of an edge (the GPU
//! computes the corners in `f32`, the CPU in `f64`): one sample of four
//! flipping changes a pixel by up to a quarter of the contrast.

mod common;

#[allow(dead_code)]
#[path = "../guests/render/src/raster.rs"]
mod raster;
#[allow(dead_code)]
#[path = "../../examples/plot/src/scene.rs"]
mod scene;

use raster::{Blend, Image, SAMPLES_4X, Tri};
use scene::{CORNER_INDICES, HEIGHT, Layer, Plot, WIDTH};

/// The plot rasterized on the CPU, as `rgba8unorm` pixels in `[0, 1]`.
fn reference(plot: &Plot) -> Vec<[f64; 4]> {
    let mut image = Image::with_samples(WIDTH, HEIGHT, plot.background.map(f64::from), &SAMPLES_4X);
    let triangles = |corners: [[f64; 2]; 4], color: [f32; 4]| -> [Tri; 2] {
        let c = CORNER_INDICES.map(|i| corners[usize::from(i)]);
        let color = color.map(f64::from);
        [Tri::solid([c[0], c[1], c[2]], 0.5, color), Tri::solid([c[3], c[4], c[5]], 0.5, color)]
    };
    for layer in &plot.layers {
        // Instances draw in order, each blending over the ones before.
        let tris: Vec<Tri> = match layer {
            Layer::Rects(rects) => {
                rects.iter().flat_map(|r| triangles([0, 1, 2, 3].map(|c| r.corner(c)), r.color)).collect()
            }
            Layer::Segments(segments) => {
                segments.iter().flat_map(|s| triangles([0, 1, 2, 3].map(|c| s.corner(c)), s.color)).collect()
            }
        };
        image.draw(&tris, Blend::Alpha, None);
    }
    image.pixels()
}

#[test]
fn plot_writes_pngs_that_match_the_cpu_reference() {
    // Built once here, so the run below only loads it.
    common::guest("examples/plot");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let example = common::root().join("examples/plot");
    let (output, transcript) =
        common::run_cli(dir.path(), ["-q".as_ref(), "--dir".as_ref(), ".".as_ref(), example.as_os_str()]);
    assert!(output.status.success(), "{transcript}");

    for (name, plot) in [("scatter.png", scene::scatter()), ("line.png", scene::line())] {
        let png = common::decode_png(&dir.path().join(name));
        assert_eq!(png.color_type, png::ColorType::Rgba, "{name}");
        let (width, height, pixels) = (png.width, png.height, png.pixels);
        assert_eq!((width, height), (WIDTH, HEIGHT), "{name}");
        let expected = reference(&plot);
        let mut worst = (0u8, 0usize);
        let mut off = 0usize;
        for (i, (gpu, cpu)) in pixels.chunks_exact(4).zip(&expected).enumerate() {
            let diff = gpu.iter().zip(cpu).map(|(&g, &c)| g.abs_diff((c * 255.0).round() as u8)).max().unwrap_or(0);
            if diff > 2 {
                off += 1;
            }
            if diff > worst.0 {
                worst = (diff, i);
            }
        }
        let allowed = expected.len() / 1000;
        println!(
            "{name}: {off} of {} pixels differ by more than 2/255 (allowed {allowed}); largest difference {} at ({}, {})",
            expected.len(),
            worst.0,
            worst.1 % WIDTH as usize,
            worst.1 / WIDTH as usize
        );
        assert!(off <= allowed, "{name}: {off} pixels differ by more than 2/255, more than {allowed}\n{transcript}");
        // The reference is no blank page: the plot has marks of several colors.
        let distinct: std::collections::HashSet<[u8; 4]> =
            expected.iter().map(|c| c.map(|v| (v * 255.0).round() as u8)).collect();
        assert!(distinct.len() > 20, "{name}: only {} colors in the reference", distinct.len());
    }
}

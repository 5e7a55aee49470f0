//! The CPU reference: a rasterizer with WebGPU's conventions, against which
//! every rendered image is compared pixel by pixel.
//!
//! Triangles are in pixel coordinates (x right, y down, pixel `(i, j)`
//! covering `[i, i+1) x [j, j+1)`), sampled at pixel centers, or at the four
//! standard sample positions of 4x multisampling. Colors interpolate
//! linearly (clip `w` is 1). A sample exactly on an edge is covered when the
//! edge is a top or left edge (the top-left rule of Vulkan and Direct3D,
//! which lavapipe follows), so shared edges are drawn once.

/// Vulkan's and WebGPU's standard 4x sample positions within a pixel.
pub const SAMPLES_4X: [[f64; 2]; 4] = [[0.375, 0.125], [0.875, 0.375], [0.125, 0.625], [0.625, 0.875]];

/// A triangle in pixel coordinates with a depth and per-vertex colors.
#[derive(Debug, Clone, Copy)]
pub struct Tri {
    pub p: [[f64; 2]; 3],
    pub z: f64,
    pub color: [[f64; 4]; 3],
}

impl Tri {
    /// A triangle of one color.
    pub fn solid(p: [[f64; 2]; 3], z: f64, color: [f64; 4]) -> Self {
        Self { p, z, color: [color; 3] }
    }
}

/// A rectangle `[x0, x1) x [y0, y1)` as two triangles, in the order the
/// checks' vertex and index buffers list them.
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64, z: f64, color: [f64; 4]) -> [Tri; 2] {
    [Tri::solid([[x0, y0], [x1, y0], [x0, y1]], z, color), Tri::solid([[x1, y0], [x1, y1], [x0, y1]], z, color)]
}

/// Where a sample point is relative to a triangle.
pub enum Cover {
    Out,
    /// Inside, with barycentric weights of the three vertices.
    In([f64; 3]),
}

pub fn cover(t: &Tri, x: f64, y: f64) -> Cover {
    let [a, b, c] = t.p;
    let edge = |p: [f64; 2], q: [f64; 2]| (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
    let area = edge_area(a, b, c);
    if area == 0.0 {
        return Cover::Out;
    }
    // Signed so that inside is positive whatever the winding; weight `i`
    // belongs to the edge opposite vertex `i`.
    let edges = [(b, c), (c, a), (a, b)];
    let w = edges.map(|(p, q)| edge(p, q) / area);
    for (weight, (p, q)) in w.iter().zip(edges) {
        if *weight < 0.0 {
            return Cover::Out;
        }
        if *weight == 0.0 {
            // The inward normal of the edge: a left edge has the inside to
            // its right (+x), a top edge is horizontal with the inside below
            // (+y, y down).
            let (nx, ny) = (-(q[1] - p[1]) / area, (q[0] - p[0]) / area);
            if !(nx > 0.0 || (nx == 0.0 && ny > 0.0)) {
                return Cover::Out;
            }
        }
    }
    Cover::In(w)
}

fn edge_area(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

/// A color in `[0, 1]` stored as `rgba8unorm`.
pub fn unorm8(c: [f64; 4]) -> [f64; 4] {
    c.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() / 255.0)
}

/// How a draw combines a fragment with the stored color.
#[derive(Clone, Copy)]
pub enum Blend {
    Replace,
    /// Non-premultiplied alpha blending (`BlendState::ALPHA_BLENDING`).
    Alpha,
    /// `src * constant + dst * (1 - constant)` per channel.
    Constant([f64; 4]),
}

fn blend(mode: Blend, src: [f64; 4], dst: [f64; 4]) -> [f64; 4] {
    match mode {
        Blend::Replace => src,
        Blend::Alpha => {
            let a = src[3];
            [
                src[0] * a + dst[0] * (1.0 - a),
                src[1] * a + dst[1] * (1.0 - a),
                src[2] * a + dst[2] * (1.0 - a),
                a + dst[3] * (1.0 - a),
            ]
        }
        Blend::Constant(k) => [0, 1, 2, 3].map(|i| src[i] * k[i] + dst[i] * (1.0 - k[i])),
    }
}

/// An `rgba8unorm` render target on the CPU, optionally with a depth buffer
/// (compare `Less`, written by passing fragments) and with one or four
/// samples per pixel.
pub struct Image {
    pub width: u32,
    pub height: u32,
    samples: Vec<[f64; 2]>,
    /// Per pixel, per sample.
    color: Vec<Vec<[f64; 4]>>,
    depth: Option<Vec<Vec<f64>>>,
}

impl Image {
    pub fn new(width: u32, height: u32, clear: [f64; 4]) -> Self {
        Self::with_samples(width, height, clear, &[[0.5, 0.5]])
    }

    pub fn with_samples(width: u32, height: u32, clear: [f64; 4], samples: &[[f64; 2]]) -> Self {
        let n = (width * height) as usize;
        Self {
            width,
            height,
            samples: samples.to_vec(),
            color: vec![vec![unorm8(clear); samples.len()]; n],
            depth: None,
        }
    }

    /// Adds a depth buffer cleared to `clear`.
    pub fn with_depth(mut self, clear: f64) -> Self {
        self.depth = Some(vec![vec![clear; self.samples.len()]; self.color.len()]);
        self
    }

    /// Draws triangles in order, restricted to `scissor` (x, y, w, h) if given.
    pub fn draw(&mut self, tris: &[Tri], mode: Blend, scissor: Option<[u32; 4]>) {
        let [sx, sy, sw, sh] = scissor.unwrap_or([0, 0, self.width, self.height]);
        let samples = self.samples.clone();
        for t in tris {
            // Only the pixels of the triangle's bounding box can be covered.
            let span = |axis: usize, lo: u32, hi: u32| {
                let min = t.p.iter().map(|p| p[axis]).fold(f64::INFINITY, f64::min).floor().max(f64::from(lo));
                let max = t.p.iter().map(|p| p[axis]).fold(f64::NEG_INFINITY, f64::max).ceil().min(f64::from(hi));
                (min as u32)..(max.max(min) as u32)
            };
            for py in span(1, sy, sy + sh) {
                for px in span(0, sx, sx + sw) {
                    let i = (py * self.width + px) as usize;
                    for (s, &[ox, oy]) in samples.iter().enumerate() {
                        let w = match cover(t, f64::from(px) + ox, f64::from(py) + oy) {
                            Cover::Out => continue,
                            Cover::In(w) => w,
                        };
                        if let Some(depth) = &mut self.depth {
                            if t.z >= depth[i][s] {
                                continue;
                            }
                            depth[i][s] = t.z;
                        }
                        let src =
                            [0, 1, 2, 3].map(|k| w[0] * t.color[0][k] + w[1] * t.color[1][k] + w[2] * t.color[2][k]);
                        self.color[i][s] = unorm8(blend(mode, src, self.color[i][s]));
                    }
                }
            }
        }
    }

    /// Each pixel's color: the average of its samples, as a resolve does,
    /// stored as `rgba8unorm`.
    pub fn pixels(&self) -> Vec<[f64; 4]> {
        self.color
            .iter()
            .map(|samples| {
                let n = samples.len() as f64;
                unorm8([0, 1, 2, 3].map(|k| samples.iter().map(|s| s[k]).sum::<f64>() / n))
            })
            .collect()
    }

    /// Each pixel's depth (of its first sample).
    pub fn depths(&self) -> Vec<f64> {
        self.depth.as_ref().expect("the image has a depth buffer").iter().map(|d| d[0]).collect()
    }

    /// How many samples pass a depth test of `z`
    /// against the current depth buffer, as an occlusion query counts.
    pub fn samples_passing(&self, tris: &[Tri]) -> u64 {
        let mut count = 0;
        for py in 0..self.height {
            for px in 0..self.width {
                let i = (py * self.width + px) as usize;
                for (s, [ox, oy]) in self.samples.iter().enumerate() {
                    let covered =
                        tris.iter().any(|t| matches!(cover(t, f64::from(px) + ox, f64::from(py) + oy), Cover::In(_)));
                    let passes = self.depth.as_ref().is_none_or(|d| tris[0].z < d[i][s]);
                    count += u64::from(covered && passes);
                }
            }
        }
        count
    }
}

/// Compares an `rgba8unorm` readback of a `width`-wide image with the CPU
/// image: every pixel must match within `tolerance` (in 1/255 steps) per
/// channel. Also fails when the expected image is uniform (a check that
/// rendered nothing visible could not fail).
pub fn compare(what: &str, width: u32, gpu: &[[u8; 4]], cpu: &[[f64; 4]], tolerance: u8) -> Result<(), String> {
    if gpu.len() != cpu.len() {
        return Err(format!("{what}: {} pixels read, {} expected", gpu.len(), cpu.len()));
    }
    let expected: Vec<[u8; 4]> = cpu.iter().map(|c| c.map(|v| (v * 255.0).round() as u8)).collect();
    if expected.iter().all(|p| *p == expected[0]) {
        return Err(format!("{what}: the expected image is uniform, so the comparison proves nothing"));
    }
    let bad: Vec<usize> =
        (0..gpu.len()).filter(|&i| gpu[i].iter().zip(&expected[i]).any(|(&g, &c)| g.abs_diff(c) > tolerance)).collect();
    match bad.first() {
        None => Ok(()),
        Some(&i) => {
            let width = width as usize;
            Err(format!(
                "{what}: {} pixels differ by more than {tolerance}/255; first at ({}, {}): GPU {:?}, CPU {:?}",
                bad.len(),
                i % width,
                i / width,
                gpu[i],
                expected[i]
            ))
        }
    }
}

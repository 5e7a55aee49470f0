//! The two plots as plain data: generated samples laid out in pixels as
//! rectangles and thick line segments, drawn in layer order. Plain Rust with
//! no GPU types, so the integration test rasterizes the very same scene on
//! the CPU (it includes this file) and compares it with the PNGs.

/// Width of both images, in pixels.
pub const WIDTH: u32 = 512;
/// Height of both images, in pixels.
pub const HEIGHT: u32 = 320;

/// Index order of a rectangle's or segment's four corners (two triangles).
pub const CORNER_INDICES: [u16; 6] = [0, 1, 2, 2, 1, 3];

/// An axis-aligned rectangle `[lo, hi)` in pixels (y down).
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    pub lo: [f32; 2],
    pub hi: [f32; 2],
    pub color: [f32; 4],
}

/// A straight line `p0`–`p1` of `width` pixels, with flat ends.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub p0: [f32; 2],
    pub p1: [f32; 2],
    pub width: f32,
    pub color: [f32; 4],
}

/// One draw call: instances of one shape, alpha-blended in order.
#[derive(Debug, Clone)]
pub enum Layer {
    Rects(Vec<Rect>),
    Segments(Vec<Segment>),
}

/// A plot: a background color and layers drawn in order.
#[derive(Debug, Clone)]
pub struct Plot {
    pub background: [f32; 4],
    pub layers: Vec<Layer>,
}

// The corner formulas are for the integration test's CPU reference
// (tests/tests/plot.rs), which includes this file; the GPU has them in WGSL.
#[allow(dead_code)]
impl Rect {
    /// Corner `c` (0..4) as `vs_rect` computes it: x from bit 0, y from bit 1.
    pub fn corner(&self, c: usize) -> [f64; 2] {
        let x = if c & 1 == 1 { self.hi[0] } else { self.lo[0] };
        let y = if c >= 2 { self.hi[1] } else { self.lo[1] };
        [f64::from(x), f64::from(y)]
    }
}

#[allow(dead_code)]
impl Segment {
    /// Corner `c` (0..4) as `vs_segment` computes it: the end from bit 1,
    /// the side of the line from bit 0.
    pub fn corner(&self, c: usize) -> [f64; 2] {
        let (p0, p1) = (self.p0.map(f64::from), self.p1.map(f64::from));
        let (dx, dy) = (p1[0] - p0[0], p1[1] - p0[1]);
        let length = (dx * dx + dy * dy).sqrt();
        let half = f64::from(self.width) * 0.5;
        let n = [-dy / length * half, dx / length * half];
        let end = if c >= 2 { p1 } else { p0 };
        let side = if c & 1 == 1 { -1.0 } else { 1.0 };
        [end[0] + side * n[0], end[1] + side * n[1]]
    }
}

/// A small deterministic generator (xorshift64*), so both plots and the
/// test's reference are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (1.0 - self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Maps data coordinates into the plot area and draws its frame.
struct Axes {
    x: (f64, f64),
    y: (f64, f64),
    /// Plot area in pixels: left, top, right, bottom.
    area: [f64; 4],
}

const INK: [f32; 4] = [0.15, 0.15, 0.15, 1.0];
const GRID: [f32; 4] = [0.82, 0.82, 0.82, 1.0];

impl Axes {
    fn new(x: (f64, f64), y: (f64, f64)) -> Self {
        Self { x, y, area: [48.0, 16.0, f64::from(WIDTH) - 16.0, f64::from(HEIGHT) - 32.0] }
    }

    /// Data to pixels, on a 1/16-pixel grid so the GPU's and the CPU's
    /// coordinates are the same numbers.
    fn to_pixels(&self, x: f64, y: f64) -> [f32; 2] {
        let [left, top, right, bottom] = self.area;
        let px = left + (x - self.x.0) / (self.x.1 - self.x.0) * (right - left);
        let py = bottom - (y - self.y.0) / (self.y.1 - self.y.0) * (bottom - top);
        [((px * 16.0).round() / 16.0) as f32, ((py * 16.0).round() / 16.0) as f32]
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        (self.x.0..=self.x.1).contains(&x) && (self.y.0..=self.y.1).contains(&y)
    }

    /// The plot area, grid lines at each `step` of the data, tick marks and
    /// the two axes.
    fn frame(&self, x_step: f64, y_step: f64) -> Layer {
        let [left, top, right, bottom] = self.area.map(|v| v as f32);
        let mut rects = vec![Rect { lo: [left, top], hi: [right, bottom], color: [0.97, 0.97, 0.97, 1.0] }];
        let ticks = |(lo, hi): (f64, f64), step: f64| {
            let first = (lo / step).ceil() as i64;
            let last = (hi / step).floor() as i64;
            (first..=last).map(move |i| i as f64 * step)
        };
        for x in ticks(self.x, x_step) {
            let [px, _] = self.to_pixels(x, self.y.0);
            rects.push(Rect { lo: [px - 0.5, top], hi: [px + 0.5, bottom], color: GRID });
            rects.push(Rect { lo: [px - 1.0, bottom], hi: [px + 1.0, bottom + 6.0], color: INK });
        }
        for y in ticks(self.y, y_step) {
            let [_, py] = self.to_pixels(self.x.0, y);
            rects.push(Rect { lo: [left, py - 0.5], hi: [right, py + 0.5], color: GRID });
            rects.push(Rect { lo: [left - 6.0, py - 1.0], hi: [left, py + 1.0], color: INK });
        }
        rects.push(Rect { lo: [left - 2.0, top], hi: [left, bottom + 2.0], color: INK });
        rects.push(Rect { lo: [left - 2.0, bottom], hi: [right, bottom + 2.0], color: INK });
        Layer::Rects(rects)
    }
}

/// A square marker of side `size` centered on `p`.
fn marker(p: [f32; 2], size: f32, color: [f32; 4]) -> Rect {
    let h = size * 0.5;
    Rect { lo: [p[0] - h, p[1] - h], hi: [p[0] + h, p[1] + h], color }
}

/// Three Gaussian clusters of 150 points each, as translucent square
/// markers, so overlaps show the blending.
pub fn scatter() -> Plot {
    let axes = Axes::new((-4.0, 4.0), (-3.0, 3.0));
    let mut rng = Rng::new(0x5EED_CAFE);
    let clusters = [
        ((-2.0, -1.0), 0.6, [0.89, 0.10, 0.11, 0.65]),
        ((1.5, 1.2), 0.5, [0.22, 0.49, 0.72, 0.65]),
        ((0.6, -1.7), 0.4, [0.30, 0.69, 0.29, 0.65]),
    ];
    let mut points = Vec::new();
    for ((cx, cy), sigma, color) in clusters {
        let mut n = 0;
        while n < 150 {
            let (x, y) = (cx + sigma * rng.normal(), cy + sigma * rng.normal());
            if axes.contains(x, y) {
                points.push(marker(axes.to_pixels(x, y), 7.0, color));
                n += 1;
            }
        }
    }
    Plot { background: [1.0, 1.0, 1.0, 1.0], layers: vec![axes.frame(1.0, 1.0), Layer::Rects(points)] }
}

/// A noisy sine, its moving average as a thicker line, and markers on every
/// eighth sample.
pub fn line() -> Plot {
    let axes = Axes::new((0.0, 4.0 * std::f64::consts::PI), (-2.0, 2.0));
    let mut rng = Rng::new(0xD15C_0BA1);
    let n = 161;
    let samples: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let x = 4.0 * std::f64::consts::PI * f64::from(i) / f64::from(n - 1);
            (x, x.sin() + 0.2 * rng.normal())
        })
        .collect();
    let window = 9;
    let smooth: Vec<(f64, f64)> = (0..samples.len())
        .map(|i| {
            let lo = i.saturating_sub(window / 2);
            let hi = (i + window / 2 + 1).min(samples.len());
            (samples[i].0, samples[lo..hi].iter().map(|s| s.1).sum::<f64>() / (hi - lo) as f64)
        })
        .collect();
    let polyline = |points: &[(f64, f64)], width: f32, color: [f32; 4]| {
        let pixels: Vec<[f32; 2]> = points.iter().map(|&(x, y)| axes.to_pixels(x, y)).collect();
        pixels
            .windows(2)
            .filter(|w| w[0] != w[1])
            .map(|w| Segment { p0: w[0], p1: w[1], width, color })
            .collect::<Vec<_>>()
    };
    let raw_color = [0.55, 0.70, 0.90, 1.0];
    let smooth_color = [0.85, 0.35, 0.05, 1.0];
    let markers: Vec<Rect> =
        samples.iter().step_by(8).map(|&(x, y)| marker(axes.to_pixels(x, y), 5.0, [0.10, 0.25, 0.60, 1.0])).collect();
    // Squares at the thick line's joints fill the wedges between segments.
    let joints: Vec<Rect> =
        smooth[1..smooth.len() - 1].iter().map(|&(x, y)| marker(axes.to_pixels(x, y), 2.5, smooth_color)).collect();
    Plot {
        background: [1.0, 1.0, 1.0, 1.0],
        layers: vec![
            axes.frame(std::f64::consts::FRAC_PI_2, 0.5),
            Layer::Segments(polyline(&samples, 1.5, raw_color)),
            Layer::Rects(markers),
            Layer::Segments(polyline(&smooth, 2.5, smooth_color)),
            Layer::Rects(joints),
        ],
    }
}

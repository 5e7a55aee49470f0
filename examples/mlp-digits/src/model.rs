//! The network's parameters and its forward pass on the CPU, the reference
//! the GPU's inference is compared with.

use crate::Rng;
use crate::data::{CLASSES, FEATURES};

/// 64 inputs -> `hidden` ReLU units -> 10 logits. Matrices are row-major,
/// `[inputs, outputs]`, so a batch's layer is `x * w + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub hidden: usize,
    /// `[FEATURES, hidden]`.
    pub w1: Vec<f32>,
    /// `[hidden]`.
    pub b1: Vec<f32>,
    /// `[hidden, CLASSES]`.
    pub w2: Vec<f32>,
    /// `[CLASSES]`.
    pub b2: Vec<f32>,
}

impl Params {
    /// He-uniform weights (variance 2 / fan-in, for ReLU) and zero biases.
    pub fn init(hidden: usize, rng: &mut Rng) -> Self {
        let mut uniform = |len: usize, fan_in: usize| {
            let limit = (6.0 / fan_in as f32).sqrt();
            (0..len).map(|_| limit * (2.0 * rng.unit() as f32 - 1.0)).collect::<Vec<_>>()
        };
        Self {
            hidden,
            w1: uniform(FEATURES * hidden, FEATURES),
            b1: vec![0.0; hidden],
            w2: uniform(hidden * CLASSES, hidden),
            b2: vec![0.0; CLASSES],
        }
    }

    /// The logits of each image, `[rows, CLASSES]`, accumulated in `f64`.
    pub fn forward(&self, images: &[f32]) -> Vec<f32> {
        let rows = images.len() / FEATURES;
        let mut logits = Vec::with_capacity(rows * CLASSES);
        let mut hidden = vec![0f64; self.hidden];
        for image in images.chunks_exact(FEATURES) {
            for (j, h) in hidden.iter_mut().enumerate() {
                let z = f64::from(self.b1[j])
                    + image
                        .iter()
                        .enumerate()
                        .map(|(i, &x)| f64::from(x) * f64::from(self.w1[i * self.hidden + j]))
                        .sum::<f64>();
                *h = z.max(0.0);
            }
            for c in 0..CLASSES {
                let z = f64::from(self.b2[c])
                    + hidden.iter().enumerate().map(|(j, &h)| h * f64::from(self.w2[j * CLASSES + c])).sum::<f64>();
                logits.push(z as f32);
            }
        }
        logits
    }
}

/// The class with the largest logit in each row.
pub fn predictions(logits: &[f32]) -> Vec<u32> {
    logits
        .chunks_exact(CLASSES)
        .map(|row| {
            let best = row.iter().enumerate().fold(0, |best, (c, &z)| if z > row[best] { c } else { best });
            best as u32
        })
        .collect()
}

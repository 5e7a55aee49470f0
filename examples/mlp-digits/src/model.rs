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

    /// One image's hidden layer before the ReLU, and its logits, in `f64`.
    fn layers(&self, image: &[f32]) -> (Vec<f64>, [f64; CLASSES]) {
        let z1: Vec<f64> = (0..self.hidden)
            .map(|j| {
                let dot: f64 = image
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| f64::from(x) * f64::from(self.w1[i * self.hidden + j]))
                    .sum();
                f64::from(self.b1[j]) + dot
            })
            .collect();
        let logits = std::array::from_fn(|c| {
            let dot: f64 = z1.iter().enumerate().map(|(j, &z)| z.max(0.0) * f64::from(self.w2[j * CLASSES + c])).sum();
            f64::from(self.b2[c]) + dot
        });
        (z1, logits)
    }

    /// The logits of each image, `[rows, CLASSES]`.
    pub fn forward(&self, images: &[f32]) -> Vec<f32> {
        images.chunks_exact(FEATURES).flat_map(|image| self.layers(image).1.map(|z| z as f32)).collect()
    }

    /// Backpropagation of the mean softmax cross-entropy over one batch,
    /// then the first step of SGD with momentum (whose velocity is the
    /// gradient): the parameters after the step, and the batch's mean loss.
    pub fn first_step(&self, images: &[f32], labels: &[u32], learning_rate: f32) -> (Params, f64) {
        let (h, rows) = (self.hidden, labels.len());
        let mut grad =
            Grads { w1: vec![0.0; FEATURES * h], b1: vec![0.0; h], w2: vec![0.0; h * CLASSES], b2: [0.0; CLASSES] };
        let mut loss = 0.0;
        for (image, &label) in images.chunks_exact(FEATURES).zip(labels) {
            let (z1, logits) = self.layers(image);
            let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let exp = logits.map(|z| (z - top).exp());
            let total: f64 = exp.iter().sum();
            loss -= (exp[label as usize] / total).ln();
            let d_logits: [f64; CLASSES] =
                std::array::from_fn(|c| (exp[c] / total - f64::from(u8::from(c == label as usize))) / rows as f64);
            for (j, &z) in z1.iter().enumerate() {
                let mut d_hidden = 0.0;
                for (c, &d) in d_logits.iter().enumerate() {
                    grad.w2[j * CLASSES + c] += z.max(0.0) * d;
                    d_hidden += d * f64::from(self.w2[j * CLASSES + c]);
                }
                let d_z = if z > 0.0 { d_hidden } else { 0.0 };
                grad.b1[j] += d_z;
                for (i, &x) in image.iter().enumerate() {
                    grad.w1[i * h + j] += f64::from(x) * d_z;
                }
            }
            for (b, d) in grad.b2.iter_mut().zip(d_logits) {
                *b += d;
            }
        }
        let step = |weights: &[f32], grad: &[f64]| -> Vec<f32> {
            weights.iter().zip(grad).map(|(&w, &g)| (f64::from(w) - f64::from(learning_rate) * g) as f32).collect()
        };
        let stepped = Params {
            hidden: h,
            w1: step(&self.w1, &grad.w1),
            b1: step(&self.b1, &grad.b1),
            w2: step(&self.w2, &grad.w2),
            b2: step(&self.b2, &grad.b2),
        };
        (stepped, loss / rows as f64)
    }

    /// Every weight and bias, in one order.
    pub fn values(&self) -> impl Iterator<Item = f32> + '_ {
        [&self.w1, &self.b1, &self.w2, &self.b2].into_iter().flatten().copied()
    }
}

/// Gradients, in `f64`.
struct Grads {
    w1: Vec<f64>,
    b1: Vec<f64>,
    w2: Vec<f64>,
    b2: [f64; CLASSES],
}

/// Each row's softmax, `exp(z - max) / sum(exp(z - max))`, in `f64`.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    logits
        .chunks_exact(CLASSES)
        .flat_map(|row| {
            let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let exp: Vec<f64> = row.iter().map(|&z| f64::from(z - top).exp()).collect();
            let total: f64 = exp.iter().sum();
            exp.into_iter().map(move |e| (e / total) as f32)
        })
        .collect()
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

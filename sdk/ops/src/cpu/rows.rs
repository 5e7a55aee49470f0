//! Row-wise CPU kernels: softmax, layer normalisation (with the fused
//! residual add), and the row statistics they share.

use crate::cpu::simd;

simd! {
    /// The sum of `x` over 8 interleaved accumulators: vectorised, and each
    /// accumulator adds an eighth of the terms, which also keeps the
    /// rounding error below a sequential loop's.
    pub(crate) fn sum(x: &[f32]) -> f32 {
        let mut acc = [0.0f32; 8];
        let chunks = x.chunks_exact(8);
        let tail: f32 = chunks.remainder().iter().sum();
        for chunk in chunks {
            for (a, &v) in acc.iter_mut().zip(chunk) {
                *a += v;
            }
        }
        acc.iter().sum::<f32>() + tail
    }
}

simd! {
    /// `Σ (x - mean)²`, as [`sum`] forms it.
    fn squared_deviations(x: &[f32], mean: f32) -> f32 {
        let mut acc = [0.0f32; 8];
        let chunks = x.chunks_exact(8);
        let tail: f32 = chunks.remainder().iter().map(|&v| (v - mean) * (v - mean)).sum();
        for chunk in chunks {
            for (a, &v) in acc.iter_mut().zip(chunk) {
                *a += (v - mean) * (v - mean);
            }
        }
        acc.iter().sum::<f32>() + tail
    }
}

/// The maximum of `x`; `-inf` for none.
pub(crate) fn max(x: &[f32]) -> f32 {
    x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v))
}

/// `softmax(x)` of each row of `cols` elements.
pub(crate) fn softmax(cols: usize, input: &[f32], output: &mut [f32]) {
    for (x, out) in input.chunks_exact(cols).zip(output.chunks_exact_mut(cols)) {
        softmax_row(x, out);
    }
}

/// `exp(x - max) / Σ exp(x - max)` into `out`.
pub(crate) fn softmax_row(x: &[f32], out: &mut [f32]) {
    let peak = max(x);
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v - peak).exp();
    }
    let inv = 1.0 / sum(out);
    scale_row(out, inv);
}

simd! {
    fn scale_row(x: &mut [f32], factor: f32) {
        for v in x {
            *v *= factor;
        }
    }
}

simd! {
    /// Normalises `row` in place: `(x - mean) / √(var + eps) * gamma + beta`,
    /// the statistics in two passes (mean, then squared deviations).
    pub(crate) fn normalize(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
        let n = row.len() as f32;
        let mean = sum(row) / n;
        let inv = 1.0 / (squared_deviations(row, mean) / n + eps).sqrt();
        for ((v, &g), &b) in row.iter_mut().zip(gamma).zip(beta) {
            *v = (*v - mean) * inv * g + b;
        }
    }
}

/// Layer normalisation of each row of `gamma.len()` elements.
pub(crate) fn layer_norm(input: &[f32], gamma: &[f32], beta: &[f32], eps: f32, output: &mut [f32]) {
    let cols = gamma.len();
    for (x, out) in input.chunks_exact(cols).zip(output.chunks_exact_mut(cols)) {
        out.copy_from_slice(x);
        normalize(out, gamma, beta, eps);
    }
}

/// `LN(input + residual)` per row.
pub(crate) fn add_layer_norm(
    input: &[f32],
    residual: &[f32],
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
    output: &mut [f32],
) {
    let cols = gamma.len();
    let rows = input.chunks_exact(cols).zip(residual.chunks_exact(cols));
    for ((x, r), out) in rows.zip(output.chunks_exact_mut(cols)) {
        crate::cpu::elementwise::add(x, r, out);
        normalize(out, gamma, beta, eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_norm_and_softmax() {
        let x: Vec<f32> = (0..3 * 37).map(|i| ((i * 7919) % 101) as f32 / 10.0 - 5.0).collect();
        let gamma: Vec<f32> = (0..37).map(|i| 0.5 + i as f32 / 37.0).collect();
        let beta: Vec<f32> = (0..37).map(|i| i as f32 / 100.0).collect();
        let mut out = vec![0.0; x.len()];
        layer_norm(&x, &gamma, &beta, 1e-5, &mut out);
        for r in 0..3 {
            let row: Vec<f64> = x[r * 37..(r + 1) * 37].iter().map(|&v| f64::from(v)).collect();
            let mean = row.iter().sum::<f64>() / 37.0;
            let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 37.0;
            for c in 0..37 {
                let want = (row[c] - mean) / (var + 1e-5).sqrt() * f64::from(gamma[c]) + f64::from(beta[c]);
                assert!((f64::from(out[r * 37 + c]) - want).abs() < 1e-5);
            }
        }
        softmax(37, &x, &mut out);
        for r in 0..3 {
            assert!((out[r * 37..(r + 1) * 37].iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
    }
}

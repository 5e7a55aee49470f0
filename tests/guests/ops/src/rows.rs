//! Softmax and layer normalisation per row, over rows shorter and longer
//! than the 256-invocation workgroup.

use wasi_webgpu_ops::{LayerNormDesc, Ops, RowsDesc};

use crate::{Gpu, OpsContext, Outcome, Rng, buffer, checks, close, poisoned, run};

checks![softmax_rows, softmax_is_stable_for_large_inputs, layer_norm_rows, layer_norm_with_large_offset];

// Rows of up to 64 columns take one invocation each (1000 x 10 takes several
// workgroups of them), longer rows a workgroup each.
const SHAPES: [(u32, u32); 9] =
    [(1, 1), (1, 7), (7, 13), (1000, 10), (70, 64), (33, 65), (1, 1000), (3, 5000), (2, 300)];

fn softmax_reference(rows: usize, cols: usize, x: &[f32]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows * cols);
    for row in x.chunks(cols) {
        let peak = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
        let total: f64 = row.iter().map(|&v| (f64::from(v) - peak).exp()).sum();
        out.extend(row.iter().map(|&v| (f64::from(v) - peak).exp() / total));
    }
    out
}

/// Tolerance: 1e-7 absolute + 1e-5 relative (the GPU's `exp` and an f32
/// sum of up to 5000 terms).
async fn softmax_check(gpu: &Gpu, ops: &Ops, rows: u32, cols: u32, x: &[f32]) -> Outcome {
    let (input, output) = (buffer(gpu, x)?, poisoned(gpu, x.len())?);
    let op = ops.softmax(&RowsDesc::new(rows, cols), &input, &output).await.at("softmax")?;
    let expected = softmax_reference(rows as usize, cols as usize, x);
    close(&format!("softmax {rows}x{cols}"), &run(gpu, &op, &output).await?, &expected, 1e-7, 1e-5)
}

async fn softmax_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(51);
    for (rows, cols) in SHAPES {
        let x = rng.vec((rows * cols) as usize, -5.0, 5.0);
        softmax_check(gpu, &ops, rows, cols, &x).await?;
    }
    Ok(())
}

/// exp(1000) overflows f32: only the max-subtracted form gets these right.
async fn softmax_is_stable_for_large_inputs(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(52);
    for (rows, cols) in [(2, 300), (5, 10)] {
        let x: Vec<f32> =
            (0..rows * cols).map(|i| if i % 2 == 0 { 1000.0 } else { -1000.0 } + rng.f32_in(0.0, 3.0)).collect();
        softmax_check(gpu, &ops, rows, cols, &x).await?;
    }
    Ok(())
}

fn layer_norm_reference(cols: usize, x: &[f32], gamma: &[f32], beta: &[f32], eps: f32) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(cols) {
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / cols as f64;
        let var = row.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / cols as f64;
        let scale = 1.0 / (var + f64::from(eps)).sqrt();
        out.extend(
            row.iter()
                .enumerate()
                .map(|(c, &v)| (f64::from(v) - mean) * scale * f64::from(gamma[c]) + f64::from(beta[c])),
        );
    }
    out
}

async fn layer_norm_check(gpu: &Gpu, ops: &Ops, rows: u32, cols: u32, x: &[f32], abs: f64, seed: u32) -> Outcome {
    let mut rng = Rng::new(seed);
    let (gamma, beta) = (rng.vec(cols as usize, 0.5, 2.0), rng.vec(cols as usize, -1.0, 1.0));
    let (input, gamma_buffer, beta_buffer, output) =
        (buffer(gpu, x)?, buffer(gpu, &gamma)?, buffer(gpu, &beta)?, poisoned(gpu, x.len())?);
    let desc = LayerNormDesc::new(rows, cols);
    let op = ops.layer_norm(&desc, &input, &gamma_buffer, &beta_buffer, &output).await.at("layer_norm")?;
    let expected = layer_norm_reference(cols as usize, x, &gamma, &beta, desc.eps);
    close(&format!("layer_norm {rows}x{cols}"), &run(gpu, &op, &output).await?, &expected, abs, 1e-5)
}

/// Tolerance: 2e-5 absolute + 1e-5 relative; outputs are O(gamma * 3).
/// A row of one element has variance 0 and normalises to beta.
async fn layer_norm_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(61);
    for (i, (rows, cols)) in SHAPES.into_iter().enumerate() {
        let x = rng.vec((rows * cols) as usize, -3.0, 3.0);
        layer_norm_check(gpu, &ops, rows, cols, &x, 2e-5, 70 + i as u32).await?;
    }
    Ok(())
}

/// Rows of 1000 + N(0, 1)-ish values: E[x²] - E[x]² would lose every digit
/// of the variance to cancellation, the two-pass form keeps them. f32
/// inputs of size 1000 carry only 6e-5 of resolution, so 1e-3 absolute.
async fn layer_norm_with_large_offset(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(62);
    for (rows, cols) in [(4, 777), (9, 20)] {
        let x: Vec<f32> = (0..rows * cols).map(|_| 1000.0 + rng.f32_in(-1.0, 1.0)).collect();
        layer_norm_check(gpu, &ops, rows, cols, &x, 1e-3, 80).await?;
    }
    Ok(())
}

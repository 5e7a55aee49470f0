//! Matrix products: every transpose variant, batched (packed, strided and
//! broadcast), over shapes that are not multiples of the 64 x 64 x 16 tile.

use wasi_webgpu::Buffer;
use wasi_webgpu_ops::{MatmulDesc, Ops};

use crate::{Gpu, OpsContext, Outcome, Rng, buffer, checks, ensure, poisoned, run, within};

checks![matmul_shapes, matmul_transposed, matmul_batched, matmul_empty_k_writes_zeros];

/// `C[b] = op(A[b]) op(B[b])` in f64, with the sum of |terms| of each entry.
pub(crate) fn reference(desc: &MatmulDesc, a: &[f32], b: &[f32], c_len: usize) -> (Vec<f64>, Vec<f64>) {
    let (m, n, k) = (desc.m as usize, desc.n as usize, desc.k as usize);
    let stride = |s: Option<u32>, packed: usize| s.map_or(packed, |s| s as usize);
    let (sa, sb, sc) = (stride(desc.stride_a, m * k), stride(desc.stride_b, k * n), stride(desc.stride_c, m * n));
    let mut c = vec![f64::NAN; c_len];
    let mut magnitude = vec![0.0; c_len];
    for batch in 0..desc.batch as usize {
        for i in 0..m {
            for j in 0..n {
                let (mut sum, mut abs) = (0.0f64, 0.0f64);
                for p in 0..k {
                    let x = if desc.transpose_a { a[batch * sa + p * m + i] } else { a[batch * sa + i * k + p] };
                    let y = if desc.transpose_b { b[batch * sb + j * k + p] } else { b[batch * sb + p * n + j] };
                    let term = f64::from(x) * f64::from(y);
                    sum += term;
                    abs += term.abs();
                }
                c[batch * sc + i * n + j] = sum;
                magnitude[batch * sc + i * n + j] = abs;
            }
        }
    }
    (c, magnitude)
}

/// Runs `desc` on random inputs in [-1, 1) and compares every element of C.
///
/// Tolerance: `1e-6 + k * f32::EPSILON * Σ|a_ip b_pj|`, the classical bound
/// on the rounding error of a k-term f32 dot product in any order.
pub(crate) async fn check(gpu: &Gpu, ops: &Ops, desc: MatmulDesc, seed: u32) -> Outcome {
    let (m, n, k, batch) = (desc.m as usize, desc.n as usize, desc.k as usize, desc.batch as usize);
    let extent = |s: Option<u32>, packed: usize| (batch - 1) * s.map_or(packed, |s| s as usize) + packed;
    let mut rng = Rng::new(seed);
    let a = rng.vec(extent(desc.stride_a, m * k), -1.0, 1.0);
    let b = rng.vec(extent(desc.stride_b, k * n), -1.0, 1.0);
    let c_len = extent(desc.stride_c, m * n);
    let (a_buffer, b_buffer, c_buffer): (Buffer<f32>, _, _) =
        (buffer(gpu, &a)?, buffer(gpu, &b)?, poisoned(gpu, c_len)?);
    let op = ops.matmul(&desc, &a_buffer, &b_buffer, &c_buffer).await.at("matmul")?;
    let c = run(gpu, &op, &c_buffer).await?;
    let (expected, magnitude) = reference(&desc, &a, &b, c_len);
    // Entries between strided batches are not part of C and stay NaN.
    for (i, (g, e)) in c.iter().zip(&expected).enumerate() {
        ensure!(!e.is_nan() || g.is_nan(), "C[{i}] lies between strided batches but was written: {g}");
    }
    let (gpu_c, cpu_c): (Vec<f32>, Vec<f64>) =
        c.iter().zip(&expected).filter(|(_, e)| !e.is_nan()).map(|(&g, &e)| (g, e)).unzip();
    let magnitude: Vec<f64> = magnitude.iter().zip(&expected).filter(|(_, e)| !e.is_nan()).map(|(&m, _)| m).collect();
    let what = format!(
        "{m}x{k} * {k}x{n} (batch {batch}, Aᵀ {}, Bᵀ {}, {:?})",
        desc.transpose_a, desc.transpose_b, desc.tiling
    );
    within(&what, &gpu_c, &cpu_c, |i| 1e-6 + k as f64 * f64::from(f32::EPSILON) * magnitude[i])
}

async fn matmul_shapes(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    // 1, 7, 1000 and sizes around the 64 x 64 tile and its 16-deep k steps.
    let shapes = [
        (1, 1, 1),
        (7, 7, 7),
        (1, 1000, 7),
        (1000, 1, 3),
        (7, 13, 5),
        (33, 65, 17),
        (64, 64, 64),
        (65, 63, 129),
        (100, 70, 1000),
    ];
    for (seed, (m, n, k)) in shapes.into_iter().enumerate() {
        check(gpu, &ops, MatmulDesc::new(m, n, k), seed as u32 + 1).await?;
    }
    Ok(())
}

async fn matmul_transposed(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    for (seed, (m, n, k)) in [(7, 13, 5), (33, 65, 17), (1, 7, 1000), (70, 3, 66)].into_iter().enumerate() {
        let desc = MatmulDesc::new(m, n, k);
        check(gpu, &ops, desc.transpose_a(), 10 + seed as u32).await?;
        check(gpu, &ops, desc.transpose_b(), 20 + seed as u32).await?;
        check(gpu, &ops, desc.transpose_a().transpose_b(), 30 + seed as u32).await?;
    }
    Ok(())
}

async fn matmul_batched(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    check(gpu, &ops, MatmulDesc::new(7, 13, 5).batched(3), 41).await?;
    check(gpu, &ops, MatmulDesc::new(33, 17, 65).batched(4).transpose_b(), 42).await?;
    // B shared by every batch entry (stride 0), C with gaps between entries.
    check(gpu, &ops, MatmulDesc::new(9, 11, 70).batched(5).strides(9 * 70, 0, 9 * 11 + 3), 43).await?;
    Ok(())
}

async fn matmul_empty_k_writes_zeros(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let (a, b, c) = (poisoned(gpu, 1)?, poisoned(gpu, 1)?, poisoned(gpu, 6)?);
    let op = ops.matmul(&MatmulDesc::new(2, 3, 0), &a, &b, &c).await.at("matmul")?;
    within("2x0 * 0x3", &run(gpu, &op, &c).await?, &[0.0; 6], |_| 0.0)
}

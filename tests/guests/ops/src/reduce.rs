//! Reductions along both axes and prefix sums, over shapes that take one
//! pass and shapes that take several (rows past 4096 columns, columns past
//! 256 rows, arrays past one 8192-element scan block).

use wasi_webgpu_ops::{Ops, ReduceDesc, Reduction, ScanKind};

use crate::{Gpu, OpsContext, Outcome, Rng, buffer, checks, exact, poisoned, run};

checks![
    sum_and_max_along_rows,
    sum_and_max_along_columns,
    sum_and_max_of_a_long_vector,
    max_of_negative_infinities,
    scan_inclusive_exclusive,
    scan_large_exact
];

/// `len` random small integers in [-8, 8), as f32: every partial sum of up
/// to 2^21 of them is an integer below 2^24, which f32 holds exactly, so a
/// sum or prefix sum in any order is exact and compares bit for bit; a lost
/// or doubled nonzero element shows.
fn small_integers(rng: &mut Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.i32_in(-8, 8) as f32).collect()
}

/// Sum (in f64, exact here) and max of each line: a line is a row (axis 1)
/// or a column (axis 0).
fn reference(desc: &ReduceDesc, x: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let (rows, cols) = (desc.rows as usize, desc.cols as usize);
    let lines = desc.output_len() as usize;
    let mut sum = vec![0.0f64; lines];
    let mut max = vec![f32::NEG_INFINITY; lines];
    for r in 0..rows {
        for c in 0..cols {
            let line = if desc.axis == 1 { r } else { c };
            let v = x[r * cols + c];
            sum[line] += f64::from(v);
            max[line] = max[line].max(v);
        }
    }
    (sum.into_iter().map(|s| s as f32).collect(), max)
}

/// Runs sum and max for `desc` on small integers: both compare exactly.
async fn check(gpu: &Gpu, ops: &Ops, desc: ReduceDesc, seed: u32) -> Outcome {
    let mut rng = Rng::new(seed);
    let x = small_integers(&mut rng, (desc.rows * desc.cols) as usize);
    let lines = desc.output_len() as usize;
    let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, lines)?);
    let (sum, max) = reference(&desc, &x);
    let what = format!("{}x{} along axis {}", desc.rows, desc.cols, desc.axis);

    let op = ops.reduce(Reduction::Sum, &desc, &input, &output).await.at("sum")?;
    exact(&format!("sum {what}"), &run(gpu, &op, &output).await?, &sum)?;
    let op = ops.reduce(Reduction::Max, &desc, &input, &output).await.at("max")?;
    exact(&format!("max {what}"), &run(gpu, &op, &output).await?, &max)
}

async fn sum_and_max_along_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    // Around the unrolled step (2048), the smallest chunk (8192) and
    // several chunks with a short last one.
    for (seed, len) in [1, 7, 1000, 2047, 2049, 4097, 8191, 8193, 20000, 100_003].into_iter().enumerate() {
        check(gpu, &ops, ReduceDesc::vector(len), seed as u32 + 1).await?;
    }
    for (seed, (rows, cols)) in [(7, 13), (33, 65), (1000, 1), (3, 9000)].into_iter().enumerate() {
        check(gpu, &ops, ReduceDesc::new(rows, cols, 1), seed as u32 + 11).await?;
    }
    Ok(())
}

async fn sum_and_max_along_columns(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    for (seed, (rows, cols)) in [(1, 1), (7, 13), (33, 65), (1, 1000), (1000, 7), (600, 70)].into_iter().enumerate() {
        check(gpu, &ops, ReduceDesc::new(rows, cols, 0), seed as u32 + 21).await?;
    }
    Ok(())
}

/// 9,000,001 elements: more than 1024 chunks of 8192, so the chunks grow
/// (to 16384, two unrolled steps each) and the pass has 550 workgroups, the
/// last one short. Elements in {-1, 0, 1}: every partial sum is below 2^24,
/// exact in f32 in any order. The largest element sits in the last chunk's
/// tail, which the unrolled loop does not reach.
async fn sum_and_max_of_a_long_vector(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let n = 9_000_001usize;
    let mut rng = Rng::new(29);
    let mut x: Vec<f32> = (0..n).map(|_| rng.i32_in(-1, 2) as f32).collect();
    x[n - 3] = 5.0;
    let desc = ReduceDesc::vector(n as u32);
    let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, 1)?);
    let (sum, max) = reference(&desc, &x);
    let op = ops.sum(&desc, &input, &output).await.at("sum")?;
    ensure_passes(gpu, op.dispatch_count(), 2)?;
    exact(&format!("sum of {n}"), &run(gpu, &op, &output).await?, &sum)?;
    let op = ops.max(&desc, &input, &output).await.at("max")?;
    exact(&format!("max of {n}"), &run(gpu, &op, &output).await?, &max)
}

/// The max's identity is -infinity, not the most negative finite float.
async fn max_of_negative_infinities(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let (input, output) = (buffer(gpu, &[f32::NEG_INFINITY; 10])?, poisoned(gpu, 2)?);
    let op = ops.max(&ReduceDesc::new(2, 5, 1), &input, &output).await.at("max")?;
    exact("max of -inf", &run(gpu, &op, &output).await?, &[f32::NEG_INFINITY; 2])
}

/// Prefix sums of `x`, inclusive or exclusive, in f64 rounded to f32 (exact
/// for integer inputs whose prefixes stay below 2^24).
fn prefix(kind: ScanKind, x: &[f32]) -> Vec<f32> {
    let mut sum = 0.0f64;
    let mut out = Vec::with_capacity(x.len());
    for &v in x {
        if kind == ScanKind::Exclusive {
            out.push(sum as f32);
        }
        sum += f64::from(v);
        if kind == ScanKind::Inclusive {
            out.push(sum as f32);
        }
    }
    out
}

/// Small integers, compared exactly: a dropped or repeated element changes
/// every later prefix.
async fn scan_inclusive_exclusive(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut rng = Rng::new(31);
    // Around a tile (2048), a block (8192) and several blocks.
    for n in [1usize, 7, 1000, 2047, 2049, 6145, 8191, 8192, 8193, 70001] {
        let x = small_integers(&mut rng, n);
        let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, n)?);
        for kind in [ScanKind::Inclusive, ScanKind::Exclusive] {
            let op = ops.scan(kind, &input, &output).await.at("scan")?;
            exact(&format!("{kind:?} scan of {n}"), &run(gpu, &op, &output).await?, &prefix(kind, &x))?;
        }
    }
    Ok(())
}

/// 2048² + 7 elements, 513 blocks: the block sums are scanned by the scan
/// itself, recursively (reduce, scan of the sums, scan of the blocks). A
/// second level of recursion needs more than 8192² elements, past what a
/// storage binding may hold with default limits. Small integers keep every
/// prefix below 2^24, where f32 sums are exact, so the comparison is exact.
async fn scan_large_exact(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let n = 2048 * 2048 + 7;
    let mut rng = Rng::new(37);
    let x: Vec<f32> = (0..n).map(|_| (rng.next_u32() % 4) as f32).collect();
    let (input, output) = (buffer(gpu, &x)?, poisoned(gpu, n)?);
    for kind in [ScanKind::Inclusive, ScanKind::Exclusive] {
        let op = ops.scan(kind, &input, &output).await.at("scan")?;
        ensure_passes(gpu, op.dispatch_count(), 3)?;
        exact(&format!("{kind:?} scan of {n}"), &run(gpu, &op, &output).await?, &prefix(kind, &x))?;
    }
    Ok(())
}

/// The GPU's pass count; a CPU op is one step.
fn ensure_passes(gpu: &Gpu, actual: usize, expected: usize) -> Outcome {
    let expected = if gpu.device.is_cpu() { 1 } else { expected };
    crate::ensure!(actual == expected, "{actual} dispatches, expected {expected}");
    Ok(())
}

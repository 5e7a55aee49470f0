//! The transformer ops at all-MiniLM-L6-v2's shapes (hidden 384, 12 heads of
//! 32, FFN 1536, seq 1 to 256 with a different padding per sequence) and at
//! odd ones, against f64 references: linear with each fused activation,
//! exact and tanh GELU, residual add + LayerNorm, embeddings (ids past the
//! table write zeros), attention (an all-padding sequence gives zeros), mean
//! pooling with and without L2 normalisation, and the errors of bad shapes.

use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages};
use wasi_webgpu_ops::{
    Activation, AttentionDesc, EmbeddingDesc, Error, LayerNormDesc, LinearDesc, Ops, PoolDesc, SequenceDesc,
};

use crate::{Context, Gpu, OpsContext, Outcome, Rng, buffer, checks, close, ensure, expect_err, poisoned, run, within};

checks![
    linear_fuses_bias_and_activation,
    gelu_erf_and_tanh_match_f64,
    add_layer_norm_rows,
    embedding_rows,
    attention_matches_the_cpu,
    attention_odd_shapes,
    mean_pool_rows,
    transformer_bad_shapes_are_errors
];

/// A storage buffer of `u32`s (ids, masks).
fn ids(gpu: &Gpu, data: &[u32]) -> Result<Buffer<u32>, String> {
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_DST;
    gpu.device.create_buffer_init(&BufferInitDescriptor { label: None, contents: data, usage }).at("u32 buffer")
}

fn gelu_erf(x: f64) -> f64 {
    0.5 * x * (1.0 + libm::erf(x / std::f64::consts::SQRT_2))
}

fn gelu_tanh(x: f64) -> f64 {
    let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
    0.5 * x * (1.0 + u.tanh())
}

pub(crate) fn activate(activation: Activation, x: f64) -> f64 {
    match activation {
        Activation::None => x,
        Activation::GeluErf => gelu_erf(x),
        Activation::GeluTanh => gelu_tanh(x),
        Activation::Relu => x.max(0.0),
    }
}

async fn linear_fuses_bias_and_activation(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let shapes = [
        (7, 384, 1152, Activation::None),
        (33, 384, 1536, Activation::GeluErf),
        (5, 1536, 384, Activation::None),
        (65, 19, 130, Activation::GeluTanh),
        (9, 13, 7, Activation::Relu),
        (1, 1, 1, Activation::GeluErf),
        (3, 0, 5, Activation::GeluErf),
    ];
    for (i, (rows, inputs, outputs, activation)) in shapes.into_iter().enumerate() {
        let desc = LinearDesc::new(rows, inputs, outputs).with_activation(activation);
        check_linear(gpu, &ops, desc, 300 + i as u32).await?;
    }
    Ok(())
}

/// Runs `desc` on random inputs and compares every output with an f64
/// reference.
///
/// Tolerance: `2e-6 + 1.2 (k ε Σ|terms| ) + 2e-7 |y|`: the f32 dot product's
/// classical bound, through an activation of slope at most 1.13, plus the
/// GPU's erf and exp.
pub(crate) async fn check_linear(gpu: &Gpu, ops: &Ops, desc: LinearDesc, seed: u32) -> Outcome {
    let LinearDesc { rows, in_features: inputs, out_features: outputs, activation, .. } = desc;
    let mut rng = Rng::new(seed);
    let (r, k, n) = (rows as usize, inputs as usize, outputs as usize);
    // Inputs up to 2 so GELU sees its curved range, not only its tails.
    let x = rng.vec(r * k, -2.0, 2.0);
    let w = rng.vec(n * k, -1.0, 1.0);
    let b = rng.vec(n, -1.0, 1.0);
    let (xb, wb, bb, out) = (buffer(gpu, &x)?, buffer(gpu, &w)?, buffer(gpu, &b)?, poisoned(gpu, r * n)?);
    let op = ops.linear(&desc, &xb, &wb, &bb, &out).await.at("linear")?;
    ensure!(op.dispatch_count() == 1, "linear records {} dispatches", op.dispatch_count());
    let got = run(gpu, &op, &out).await?;
    let (mut expected, mut tol) = (Vec::with_capacity(r * n), Vec::with_capacity(r * n));
    for row in 0..r {
        for col in 0..n {
            let (mut sum, mut mag) = (f64::from(b[col]), f64::from(b[col]).abs());
            for p in 0..k {
                let term = f64::from(x[row * k + p]) * f64::from(w[col * k + p]);
                sum += term;
                mag += term.abs();
            }
            let y = activate(activation, sum);
            expected.push(y);
            tol.push(2e-6 + 1.2 * (k + 1) as f64 * f64::from(f32::EPSILON) * mag + 2e-7 * y.abs());
        }
    }
    let what = format!("linear {rows}x{inputs} -> {outputs} {activation:?} {:?}", desc.tiling);
    within(&what, &got, &expected, |i| tol[i])
}

/// Every f32 step of 1/1024 over [-10, 10] (20481 points), and values
/// near 0, against f64 `erf` and `tanh`. Tolerance: `1e-7 + 2.5e-7 |x|`:
/// the erf's 1 ulp (6e-8, times x / 2) and f32 rounding of the products.
async fn gelu_erf_and_tanh_match_f64(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let mut x: Vec<f32> = (-10240..=10240).map(|i| i as f32 / 1024.0).collect();
    // 475 / 512 is where the erf switches between its two approximations.
    x.extend([1e-30, -1e-30, 1e-7, -3e-5, 475.0 / 512.0, -475.0 / 512.0, 0.93, 30.0, -30.0, 100.0, -100.0]);
    let input = buffer(gpu, &x)?;
    for (name, f) in [("gelu_erf", gelu_erf as fn(f64) -> f64), ("gelu_tanh", gelu_tanh)] {
        let out = poisoned(gpu, x.len())?;
        let op = if name == "gelu_erf" { ops.gelu_erf(&input, &out).await } else { ops.gelu_tanh(&input, &out).await }
            .at(name)?;
        let got = run(gpu, &op, &out).await?;
        let expected: Vec<f64> = x.iter().map(|&v| f(f64::from(v))).collect();
        let max_err = got.iter().zip(&expected).map(|(&g, &e)| (f64::from(g) - e).abs()).fold(0.0, f64::max);
        println!("{name}: max |GPU - f64| = {max_err:e} over [-10, 10]");
        within(name, &got, &expected, |i| 1e-7 + 2.5e-7 * f64::from(x[i]).abs())?;
    }
    Ok(())
}

pub(crate) fn layer_norm(row: &[f64], gamma: &[f32], beta: &[f32], eps: f32) -> Vec<f64> {
    let n = row.len() as f64;
    let mean = row.iter().sum::<f64>() / n;
    let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let scale = 1.0 / (var + f64::from(eps)).sqrt();
    row.iter().enumerate().map(|(c, v)| (v - mean) * scale * f64::from(gamma[c]) + f64::from(beta[c])).collect()
}

/// Tolerance: 2e-5 absolute + 1e-5 relative (outputs are O(gamma * 3)).
async fn add_layer_norm_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    for (i, (rows, cols, eps)) in
        [(1, 384, 1e-12), (7, 384, 1e-12), (128, 384, 1e-12), (5, 13, 1e-5), (3, 1000, 1e-5), (2, 1, 1e-5)]
            .into_iter()
            .enumerate()
    {
        let mut rng = Rng::new(400 + i as u32);
        let n = (rows * cols) as usize;
        let (x, res) = (rng.vec(n, -3.0, 3.0), rng.vec(n, -3.0, 3.0));
        let (gamma, beta) = (rng.vec(cols as usize, 0.5, 2.0), rng.vec(cols as usize, -1.0, 1.0));
        let out = poisoned(gpu, n)?;
        let desc = LayerNormDesc { rows, cols, eps };
        let op = ops
            .add_layer_norm(
                &desc,
                &buffer(gpu, &x)?,
                &buffer(gpu, &res)?,
                &buffer(gpu, &gamma)?,
                &buffer(gpu, &beta)?,
                &out,
            )
            .await
            .at("add_layer_norm")?;
        let got = run(gpu, &op, &out).await?;
        let expected: Vec<f64> = (0..rows as usize)
            .flat_map(|r| {
                let row: Vec<f64> = (0..cols as usize)
                    .map(|c| f64::from(x[r * cols as usize + c]) + f64::from(res[r * cols as usize + c]))
                    .collect();
                layer_norm(&row, &gamma, &beta, eps)
            })
            .collect();
        close(&format!("add_layer_norm {rows}x{cols}"), &got, &expected, 2e-5, 1e-5)?;
    }
    Ok(())
}

/// Tolerance as layer_norm's. Ids past the vocabulary and types past the
/// table are written as zeros.
async fn embedding_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let (vocab, max_positions, types) = (100u32, 300u32, 2u32);
    for (i, (batch, seq, hidden)) in
        [(1, 1, 384), (2, 7, 384), (1, 256, 384), (3, 128, 384), (2, 5, 13)].into_iter().enumerate()
    {
        let mut rng = Rng::new(500 + i as u32);
        let h = hidden as usize;
        let tokens = (batch * seq) as usize;
        let word = rng.vec(vocab as usize * h, -1.0, 1.0);
        let position = rng.vec(max_positions as usize * h, -1.0, 1.0);
        let token_type = rng.vec(types as usize * h, -1.0, 1.0);
        let (gamma, beta) = (rng.vec(h, 0.5, 2.0), rng.vec(h, -1.0, 1.0));
        let mut id: Vec<u32> = (0..tokens).map(|_| rng.next_u32() % vocab).collect();
        let mut kind: Vec<u32> = (0..tokens).map(|_| rng.next_u32() % types).collect();
        // Out of range: the vocabulary's end, far past it, a bad type.
        if tokens > 3 {
            id[1] = vocab;
            id[2] = u32::MAX;
            kind[3] = types;
        }
        let out = poisoned(gpu, tokens * h)?;
        let desc =
            EmbeddingDesc { seq: SequenceDesc::new(batch, seq, hidden), vocab, max_positions, types, eps: 1e-12 };
        let op = ops
            .embedding(
                &desc,
                &ids(gpu, &id)?,
                &ids(gpu, &kind)?,
                &buffer(gpu, &word)?,
                &buffer(gpu, &position)?,
                &buffer(gpu, &token_type)?,
                &buffer(gpu, &gamma)?,
                &buffer(gpu, &beta)?,
                &out,
            )
            .await
            .at("embedding")?;
        let got = run(gpu, &op, &out).await?;
        let mut expected = Vec::with_capacity(tokens * h);
        for t in 0..tokens {
            if id[t] >= vocab || kind[t] >= types {
                expected.extend(std::iter::repeat_n(0.0, h));
                continue;
            }
            let p = t % seq as usize;
            let row: Vec<f64> = (0..h)
                .map(|c| {
                    f64::from(word[id[t] as usize * h + c])
                        + f64::from(position[p * h + c])
                        + f64::from(token_type[kind[t] as usize * h + c])
                })
                .collect();
            expected.extend(layer_norm(&row, &gamma, &beta, desc.eps));
        }
        close(&format!("embedding {batch}x{seq}x{hidden}"), &got, &expected, 2e-5, 1e-5)?;
    }
    Ok(())
}

/// Attention in f64 over the qkv layout, keys masked per sequence.
pub(crate) fn attention_reference(
    shape: SequenceDesc,
    heads: usize,
    scale: f64,
    qkv: &[f32],
    mask: &[u32],
) -> Vec<f64> {
    let (batch, seq, hidden) = (shape.batch as usize, shape.seq as usize, shape.hidden as usize);
    let d = hidden / heads;
    let mut out = vec![0.0; batch * seq * hidden];
    let at = |t: usize, part: usize, h: usize, i: usize| f64::from(qkv[t * 3 * hidden + part * hidden + h * d + i]);
    for b in 0..batch {
        for h in 0..heads {
            for q in 0..seq {
                let tq = b * seq + q;
                let scores: Vec<Option<f64>> = (0..seq)
                    .map(|k| {
                        let tk = b * seq + k;
                        (mask[tk] != 0).then(|| (0..d).map(|i| at(tq, 0, h, i) * at(tk, 1, h, i)).sum::<f64>() * scale)
                    })
                    .collect();
                let peak = scores.iter().flatten().fold(f64::NEG_INFINITY, |m, &s| m.max(s));
                if peak == f64::NEG_INFINITY {
                    continue;
                }
                let weights: Vec<f64> = scores.iter().map(|s| s.map_or(0.0, |s| (s - peak).exp())).collect();
                let total: f64 = weights.iter().sum();
                for i in 0..d {
                    out[tq * hidden + h * d + i] =
                        (0..seq).map(|k| weights[k] * at(b * seq + k, 2, h, i)).sum::<f64>() / total;
                }
            }
        }
    }
    out
}

/// Runs attention on random q, k, v in [-1, 1) (q scaled up to make the
/// softmax peaked) with `lengths[b]` real tokens in sequence b.
///
/// Tolerance: 2e-6 absolute + 1e-5 relative: outputs are convex
/// combinations of v, and f32 exp2 and sums of up to 256 weights.
async fn attention_check(gpu: &Gpu, ops: &Ops, shape: SequenceDesc, heads: u32, lengths: &[u32], seed: u32) -> Outcome {
    let mut rng = Rng::new(seed);
    let tokens = (shape.batch * shape.seq) as usize;
    let hidden = shape.hidden as usize;
    let qkv: Vec<f32> = (0..tokens * 3 * hidden)
        .map(|i| rng.f32_in(-1.0, 1.0) * if i % (3 * hidden) < hidden { 4.0 } else { 1.0 })
        .collect();
    let mask: Vec<u32> =
        (0..tokens).map(|t| u32::from((t as u32 % shape.seq) < lengths[t / shape.seq as usize])).collect();
    let out = poisoned(gpu, tokens * hidden)?;
    let desc = AttentionDesc::new(shape, heads);
    let op = ops.attention(&desc, &buffer(gpu, &qkv)?, &ids(gpu, &mask)?, &out).await.at("attention")?;
    ensure!(op.dispatch_count() == 1, "attention records {} dispatches", op.dispatch_count());
    let got = run(gpu, &op, &out).await?;
    let expected = attention_reference(shape, heads as usize, f64::from(desc.scale), &qkv, &mask);
    let what = format!("attention {}x{}x{} / {heads} heads, lengths {lengths:?}", shape.batch, shape.seq, shape.hidden);
    close(&what, &got, &expected, 2e-6, 1e-5)
}

/// MiniLM's heads (12 x 32) at seq 1, 7, 128 and 256, with each sequence of
/// a batch padded differently, one of them entirely (its output is zeros).
async fn attention_matches_the_cpu(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let cases: [(u32, u32, &[u32]); 5] =
        [(1, 1, &[1]), (2, 7, &[7, 3]), (4, 128, &[128, 77, 1, 0]), (1, 256, &[256]), (2, 256, &[200, 33])];
    for (i, (batch, seq, lengths)) in cases.into_iter().enumerate() {
        attention_check(gpu, &ops, SequenceDesc::new(batch, seq, 384), 12, lengths, 600 + i as u32).await?;
    }
    Ok(())
}

/// head_dim 1, 5 (not a multiple of 4), 64 (the largest, 16 keys per tile)
/// and sequences shorter and longer than a 32-query block.
async fn attention_odd_shapes(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let cases: [(u32, u32, u32, u32, &[u32]); 5] = [
        (1, 5, 1, 1, &[5]),
        (3, 37, 15, 3, &[37, 36, 2]),
        (2, 33, 128, 2, &[33, 17]),
        (1, 70, 64, 1, &[70]),
        (2, 9, 24, 4, &[0, 9]),
    ];
    for (i, (batch, seq, hidden, heads, lengths)) in cases.into_iter().enumerate() {
        attention_check(gpu, &ops, SequenceDesc::new(batch, seq, hidden), heads, lengths, 700 + i as u32).await?;
    }
    Ok(())
}

/// Tolerance: 1e-6 absolute + 1e-5 relative (sums of up to 256 terms).
async fn mean_pool_rows(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let cases: [(u32, u32, u32, &[u32]); 5] = [
        (1, 1, 384, &[1]),
        (4, 128, 384, &[128, 5, 0, 64]),
        (2, 256, 384, &[256, 255]),
        (3, 7, 13, &[1, 7, 3]),
        (1, 3, 1000, &[0]),
    ];
    for (i, (batch, seq, hidden, lengths)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(800 + i as u32);
        let (s, h) = (seq as usize, hidden as usize);
        let x = rng.vec(batch as usize * s * h, -2.0, 2.0);
        let mask: Vec<u32> = (0..batch as usize * s).map(|t| u32::from((t % s) < lengths[t / s] as usize)).collect();
        let (input, mask_buffer) = (buffer(gpu, &x)?, ids(gpu, &mask)?);
        for normalize in [false, true] {
            let out = poisoned(gpu, batch as usize * h)?;
            let desc = PoolDesc { seq: SequenceDesc::new(batch, seq, hidden), normalize };
            let op = ops.mean_pool(&desc, &input, &mask_buffer, &out).await.at("mean_pool")?;
            let got = run(gpu, &op, &out).await?;
            let mut expected = Vec::with_capacity(batch as usize * h);
            for b in 0..batch as usize {
                let count = mask[b * s..(b + 1) * s].iter().filter(|&&m| m != 0).count() as f64;
                let mut row: Vec<f64> = (0..h)
                    .map(|c| {
                        (0..s).filter(|&t| mask[b * s + t] != 0).map(|t| f64::from(x[(b * s + t) * h + c])).sum::<f64>()
                    })
                    .map(|sum| sum / count.max(1e-9))
                    .collect();
                if normalize {
                    let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
                    row.iter_mut().for_each(|v| *v /= norm);
                }
                expected.extend(row);
            }
            close(&format!("mean_pool {batch}x{seq}x{hidden} normalize {normalize}"), &got, &expected, 1e-6, 1e-5)?;
        }
    }
    Ok(())
}

async fn transformer_bad_shapes_are_errors(gpu: &Gpu) -> Outcome {
    let ops = Ops::new(&gpu.device);
    let f = |n: usize| buffer(gpu, &vec![0.0; n]);
    let u = |n: usize| ids(gpu, &vec![0; n]);
    let (x, w, b, out) = (f(6)?, f(12)?, f(4)?, f(8)?);
    ops.linear(&LinearDesc::new(2, 3, 4), &x, &w, &b, &out).await.at("fitting linear")?;
    expect_err!(
        ops.linear(&LinearDesc::new(2, 3, 5), &x, &w, &b, &out).await,
        Error::TooSmall { op: "linear", buffer: "weight", len: 12, needed: 15 }
    );
    expect_err!(
        ops.linear(&LinearDesc::new(2, 2, 4), &x, &w, &f(3)?, &out).await,
        Error::TooSmall { buffer: "bias", .. }
    );
    expect_err!(
        ops.linear(&LinearDesc::new(3, 3, 4), &f(9)?, &w, &b, &out).await,
        Error::TooSmall { buffer: "output", .. }
    );
    expect_err!(ops.gelu_erf(&x, &out).await, Error::LengthMismatch { op: "gelu_erf", .. });

    let ln = LayerNormDesc { rows: 2, cols: 3, eps: 1e-12 };
    ops.add_layer_norm(&ln, &x, &f(6)?, &f(3)?, &f(3)?, &f(6)?).await.at("fitting add_layer_norm")?;
    expect_err!(
        ops.add_layer_norm(&ln, &x, &f(5)?, &f(3)?, &f(3)?, &f(6)?).await,
        Error::TooSmall { op: "add_layer_norm", buffer: "residual", len: 5, needed: 6 }
    );
    expect_err!(
        ops.add_layer_norm(&LayerNormDesc { eps: -1.0, ..ln }, &x, &f(6)?, &f(3)?, &f(3)?, &f(6)?).await,
        Error::Shape { op: "add_layer_norm", .. }
    );

    let shape = SequenceDesc::new(2, 3, 4);
    let emb = EmbeddingDesc { seq: shape, vocab: 5, max_positions: 3, types: 2, eps: 1e-12 };
    let (id6, word, position, token_type, g4, out24) = (u(6)?, f(20)?, f(12)?, f(8)?, f(4)?, f(24)?);
    ops.embedding(&emb, &id6, &id6, &word, &position, &token_type, &g4, &g4, &out24).await.at("fitting embedding")?;
    expect_err!(
        ops.embedding(
            &EmbeddingDesc { max_positions: 2, ..emb },
            &id6,
            &id6,
            &word,
            &f(8)?,
            &token_type,
            &g4,
            &g4,
            &out24
        )
        .await,
        Error::Shape { op: "embedding", .. }
    );
    expect_err!(
        ops.embedding(&emb, &u(5)?, &id6, &word, &position, &token_type, &g4, &g4, &out24).await,
        Error::TooSmall { op: "embedding", buffer: "ids", len: 5, needed: 6 }
    );
    expect_err!(
        ops.embedding(&EmbeddingDesc { vocab: 6, ..emb }, &id6, &id6, &word, &position, &token_type, &g4, &g4, &out24)
            .await,
        Error::TooSmall { buffer: "word", len: 20, needed: 24, .. }
    );

    let (qkv, mask) = (f(72)?, u(6)?);
    let attn = AttentionDesc::new(shape, 2);
    ops.attention(&attn, &qkv, &mask, &out24).await.at("fitting attention")?;
    expect_err!(
        ops.attention(&AttentionDesc::new(shape, 3), &qkv, &mask, &out24).await,
        Error::Shape { op: "attention", .. }
    );
    expect_err!(ops.attention(&attn, &f(71)?, &mask, &out24).await, Error::TooSmall { buffer: "qkv", needed: 72, .. });
    expect_err!(ops.attention(&attn, &qkv, &u(5)?, &out24).await, Error::TooSmall { buffer: "mask", .. });
    let wide = SequenceDesc::new(1, 1, 130);
    expect_err!(ops.attention(&AttentionDesc::new(wide, 2), &f(390)?, &u(1)?, &f(130)?).await, Error::Shape { .. });

    let pool = PoolDesc { seq: shape, normalize: true };
    ops.mean_pool(&pool, &out24, &mask, &f(8)?).await.at("fitting mean_pool")?;
    expect_err!(
        ops.mean_pool(&pool, &out24, &mask, &f(7)?).await,
        Error::TooSmall { op: "mean_pool", buffer: "output", .. }
    );
    expect_err!(ops.mean_pool(&pool, &f(23)?, &mask, &f(8)?).await, Error::TooSmall { buffer: "input", .. });
    Ok(())
}

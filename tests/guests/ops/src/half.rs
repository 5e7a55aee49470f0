//! The f16 path (the ops over `Buffer<F16>`) where the adapter has `shader-f16`, against
//! f64 references computed from the same f16-rounded inputs; elsewhere the
//! typed refusal of a device without it.

use wasi_webgpu::{BufferInitDescriptor, BufferUsages, DeviceDescriptor, F16, Features};
use wasi_webgpu_ops::{
    Activation, AttentionDesc, EmbeddingDesc, Error, LayerNormDesc, LinearDesc, Ops, PoolDesc, SequenceDesc,
};

use crate::{Context, Gpu, OpsContext, Outcome, Rng, checks, ensure, expect_err, within};

checks![f16_ops_within_their_bound];

fn halves(v: &[f32]) -> Vec<F16> {
    v.iter().map(|&x| F16::from_f32(x)).collect()
}

fn widen(v: &[F16]) -> Vec<f32> {
    v.iter().map(|h| h.to_f32()).collect()
}

/// One f16 ulp of `y`, 2⁻¹⁰ |y| (and 2⁻²⁴ near 0): the bound for a value
/// computed in f32 and stored as f16, whichever way the device rounds.
fn ulp(y: f64) -> f64 {
    (y.abs() * 2f64.powi(-10)).max(2f64.powi(-24))
}

/// The bound of an f16 LayerNorm output `y` of pre-normalisation value `v`
/// (stored as f16, so off by up to `ulp(v)`; `shift` is the mean of the row's
/// ulps, bounding how far that moves the mean and the deviation): the
/// output's own ulp, f32's 2e-5, and those input errors through the
/// normalisation (`gamma / std` per unit of x, `|y - beta| / std` per unit
/// of std).
fn ln_bound(y: f64, v: f64, shift: f64, gamma: f64, beta: f64, std: f64) -> f64 {
    ulp(y) + 2e-5 + (ulp(v) + shift) * gamma / std + (y - beta).abs() * shift / std
}

async fn f16_ops_within_their_bound(gpu: &Gpu) -> Outcome {
    let (x, out) = (
        gpu.device
            .create_buffer_init(&BufferInitDescriptor {
                label: None,
                contents: &[F16::ONE; 4],
                usage: BufferUsages::STORAGE,
            })
            .at("buffer")?,
        gpu.device
            .create_buffer_init(&BufferInitDescriptor {
                label: None,
                contents: &[F16::ZERO; 4],
                usage: BufferUsages::STORAGE,
            })
            .at("buffer")?,
    );
    // The harness's device has no shader-f16.
    expect_err!(
        Ops::new(&gpu.device).linear(&LinearDesc::new(2, 2, 2), &x, &x, &x, &out).await,
        Error::Gpu { op: "linear", source: wasi_webgpu::Error::MissingFeature { feature: "shader-f16", .. } }
    );
    if !gpu.adapter.features().contains(Features::SHADER_F16) {
        println!("note: the adapter has no shader-f16; checked the typed refusal only");
        return Ok(());
    }
    let descriptor = DeviceDescriptor { required_features: Features::SHADER_F16, ..Default::default() };
    let (device, queue) = gpu.adapter.request_device(&descriptor).await.at("request_device with shader-f16")?;
    let ops = Ops::new(&device);
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let half = |v: &[F16]| {
        device.create_buffer_init(&BufferInitDescriptor { label: None, contents: v, usage }).at("f16 buffer")
    };
    let words = |v: &[u32]| {
        device.create_buffer_init(&BufferInitDescriptor { label: None, contents: v, usage }).at("u32 buffer")
    };
    let mut rng = Rng::new(900);
    let (batch, seq, hidden, heads) = (2u32, 37u32, 384u32, 12u32);
    let tokens = (batch * seq) as usize;
    let h = hidden as usize;

    // linear: 74 x 384 -> 1536, exact GELU.
    let xs = halves(&rng.vec(tokens * h, -2.0, 2.0));
    let ws = halves(&rng.vec(4 * h * h, -0.1, 0.1));
    let bs = halves(&rng.vec(4 * h, -1.0, 1.0));
    let y = half(&vec![F16::NAN; tokens * 4 * h])?;
    let desc = LinearDesc::new(tokens as u32, hidden, 4 * hidden).with_activation(Activation::GeluErf);
    let op = ops.linear(&desc, &half(&xs)?, &half(&ws)?, &half(&bs)?, &y).await.at("linear_f16")?;
    op.submit(&queue).await.at("linear_f16")?;
    let got = widen(&y.read().await.at("read")?);
    let (mut expected, mut tol) = (Vec::new(), Vec::new());
    for r in 0..tokens {
        for c in 0..4 * h {
            let (mut sum, mut mag) = (f64::from(bs[c].to_f32()), 0.0f64);
            for p in 0..h {
                let t = f64::from(xs[r * h + p].to_f32()) * f64::from(ws[c * h + p].to_f32());
                sum += t;
                mag += t.abs();
            }
            let v = 0.5 * sum * (1.0 + libm::erf(sum / std::f64::consts::SQRT_2));
            expected.push(v);
            tol.push(ulp(v) + 1e-6 + 1.2 * (h + 1) as f64 * f64::from(f32::EPSILON) * mag);
        }
    }
    within("linear_f16", &got, &expected, |i| tol[i])?;
    println!("linear_f16: within 1 f16 ulp of the f64 result");

    // attention over an f16 qkv, the second sequence half padding.
    let qkv = halves(&rng.vec(tokens * 3 * h, -1.0, 1.0));
    let mask: Vec<u32> = (0..tokens).map(|t| u32::from(t < seq as usize || t % (seq as usize) < 20)).collect();
    let shape = SequenceDesc::new(batch, seq, hidden);
    let out = half(&vec![F16::NAN; tokens * h])?;
    let desc = AttentionDesc::new(shape, heads);
    let op = ops.attention(&desc, &half(&qkv)?, &words(&mask)?, &out).await.at("attention_f16")?;
    op.submit(&queue).await.at("attention_f16")?;
    let got = widen(&out.read().await.at("read")?);
    let expected =
        crate::transformer::attention_reference(shape, heads as usize, f64::from(desc.scale), &widen(&qkv), &mask);
    within("attention_f16", &got, &expected, |i| ulp(expected[i]) + 2e-6 + 1e-5 * expected[i].abs())?;

    // add_layer_norm: the pre-normalisation sum is stored as f16 too, so
    // allow its ulp through the normalisation (times |gamma| / std <= 2).
    let (a, r) = (halves(&rng.vec(tokens * h, -3.0, 3.0)), halves(&rng.vec(tokens * h, -3.0, 3.0)));
    let (gamma, beta) = (halves(&rng.vec(h, 0.5, 2.0)), halves(&rng.vec(h, -1.0, 1.0)));
    let out = half(&vec![F16::NAN; tokens * h])?;
    let ln = LayerNormDesc { rows: tokens as u32, cols: hidden, eps: 1e-12 };
    let op = ops
        .add_layer_norm(&ln, &half(&a)?, &half(&r)?, &half(&gamma)?, &half(&beta)?, &out)
        .await
        .at("add_layer_norm_f16")?;
    op.submit(&queue).await.at("add_layer_norm_f16")?;
    let got = widen(&out.read().await.at("read")?);
    let (g32, b32) = (widen(&gamma), widen(&beta));
    let mut expected = Vec::new();
    let mut tol = Vec::new();
    for t in 0..tokens {
        let row: Vec<f64> =
            (0..h).map(|c| f64::from(a[t * h + c].to_f32()) + f64::from(r[t * h + c].to_f32())).collect();
        let n = h as f64;
        let mean = row.iter().sum::<f64>() / n;
        let std = (row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let shift = row.iter().map(|&v| ulp(v)).sum::<f64>() / n;
        for (c, y) in crate::transformer::layer_norm(&row, &g32, &b32, 1e-12).into_iter().enumerate() {
            tol.push(ln_bound(y, row[c], shift, f64::from(g32[c]), f64::from(b32[c]), std));
            expected.push(y);
        }
    }
    within("add_layer_norm_f16", &got, &expected, |i| tol[i])?;

    // embedding, then mean_pool of it into f32.
    let (vocab, types) = (50u32, 2u32);
    let word = halves(&rng.vec(vocab as usize * h, -1.0, 1.0));
    let position = halves(&rng.vec(seq as usize * h, -1.0, 1.0));
    let token_type = halves(&rng.vec(types as usize * h, -1.0, 1.0));
    let ids: Vec<u32> = (0..tokens).map(|_| rng.next_u32() % (vocab + 1)).collect();
    let kinds: Vec<u32> = (0..tokens).map(|_| rng.next_u32() % types).collect();
    let emb = half(&vec![F16::NAN; tokens * h])?;
    let desc = EmbeddingDesc { seq: shape, vocab, max_positions: seq, types, eps: 1e-12 };
    let op = ops
        .embedding(
            &desc,
            &words(&ids)?,
            &words(&kinds)?,
            &half(&word)?,
            &half(&position)?,
            &half(&token_type)?,
            &half(&gamma)?,
            &half(&beta)?,
            &emb,
        )
        .await
        .at("embedding_f16")?;
    op.submit(&queue).await.at("embedding_f16")?;
    let emb_values = emb.read().await.at("read")?;
    let got = widen(&emb_values);
    for t in 0..tokens {
        let row = &got[t * h..(t + 1) * h];
        if ids[t] >= vocab {
            ensure!(
                row.iter().all(|&v| v == 0.0),
                "embedding_f16: token {t} has id {} past the vocabulary but was not zeroed",
                ids[t]
            );
            continue;
        }
        let sum: Vec<f64> = (0..h)
            .map(|c| {
                f64::from(word[ids[t] as usize * h + c].to_f32())
                    + f64::from(position[t % seq as usize * h + c].to_f32())
                    + f64::from(token_type[kinds[t] as usize * h + c].to_f32())
            })
            .collect();
        let n = h as f64;
        let mean = sum.iter().sum::<f64>() / n;
        let std = (sum.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let shift = sum.iter().map(|&v| ulp(v)).sum::<f64>() / n;
        let expected = crate::transformer::layer_norm(&sum, &g32, &b32, 1e-12);
        within(&format!("embedding_f16 token {t}"), row, &expected, |c| {
            ln_bound(expected[c], sum[c], shift, f64::from(g32[c]), f64::from(b32[c]), std)
        })?;
    }

    let pooled = device
        .create_buffer_init(&BufferInitDescriptor { label: None, contents: &vec![f32::NAN; batch as usize * h], usage })
        .at("f32 buffer")?;
    let desc = PoolDesc { seq: shape, normalize: true };
    let op = ops.mean_pool(&desc, &emb, &words(&mask)?, &pooled).await.at("mean_pool_f16")?;
    op.submit(&queue).await.at("mean_pool_f16")?;
    let got = pooled.read().await.at("read")?;
    let mut expected = Vec::new();
    for b in 0..batch as usize {
        let s = seq as usize;
        let real: Vec<usize> = (0..s).filter(|&t| mask[b * s + t] != 0).collect();
        let mut row: Vec<f64> = (0..h)
            .map(|c| {
                real.iter().map(|&t| f64::from(emb_values[(b * s + t) * h + c].to_f32())).sum::<f64>()
                    / real.len() as f64
            })
            .collect();
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
        row.iter_mut().for_each(|v| *v /= norm);
        expected.extend(row);
    }
    // Sums of f16 values in f32: f32's bound, the output is not rounded to f16.
    within("mean_pool_f16", &got, &expected, |i| 1e-6 + 1e-5 * expected[i].abs())
}

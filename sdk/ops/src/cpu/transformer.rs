//! CPU kernels of the transformer operations: embeddings, multi-head
//! attention and mean pooling.

use crate::cpu::matmul::{Epilogue, View, gemm};
use crate::cpu::rows::{normalize, sum};

/// A padded batch: `batch` sequences of `seq` tokens of `hidden` features.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sequences {
    pub(crate) batch: usize,
    pub(crate) seq: usize,
    pub(crate) hidden: usize,
}

/// The embedding tables, each `[entries, hidden]`, and the LayerNorm after
/// their sum.
pub(crate) struct Tables<'a> {
    pub(crate) word: &'a [f32],
    pub(crate) position: &'a [f32],
    pub(crate) token_type: &'a [f32],
    pub(crate) gamma: &'a [f32],
    pub(crate) beta: &'a [f32],
    pub(crate) eps: f32,
}

/// `out[t] = LN(word[ids[t]] + position[t % seq] + token_type[type_ids[t]])`;
/// a token whose id or type is past its table gets a row of zeros.
pub(crate) fn embedding(shape: Sequences, ids: &[u32], type_ids: &[u32], tables: &Tables<'_>, out: &mut [f32]) {
    let h = shape.hidden;
    let (vocab, types) = (tables.word.len() / h, tables.token_type.len() / h);
    let tokens = shape.batch * shape.seq;
    for (t, row) in out.chunks_exact_mut(h).take(tokens).enumerate() {
        let (id, ty) = (ids[t] as usize, type_ids[t] as usize);
        if id >= vocab || ty >= types {
            row.fill(0.0);
            continue;
        }
        let pos = t % shape.seq;
        let word = &tables.word[id * h..][..h];
        let position = &tables.position[pos * h..][..h];
        let token_type = &tables.token_type[ty * h..][..h];
        add3(word, position, token_type, row);
        normalize(row, tables.gamma, tables.beta, tables.eps);
    }
}

crate::cpu::simd! {
    fn add3(a: &[f32], b: &[f32], c: &[f32], out: &mut [f32]) {
        for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
            *o = x + y + z;
        }
    }
}

/// Multi-head self-attention over `qkv` (`[tokens, 3 * hidden]`: q, k, v)
/// into `out` (`[tokens, hidden]`): per sequence and head, `S = Q Kᵀ`
/// (one product), the scaled, masked softmax of each row of S, then `P V`
/// (another product) written into the head's columns. `scores` is scratch
/// of `seq * seq` elements.
pub(crate) fn attention(
    shape: Sequences,
    heads: usize,
    scale: f32,
    qkv: &[f32],
    mask: &[u32],
    out: &mut [f32],
    scores: &mut [f32],
) {
    let Sequences { batch, seq, hidden } = shape;
    let d = hidden / heads;
    let row = 3 * hidden;
    let scores = &mut scores[..seq * seq];
    for b in 0..batch {
        let base = b * seq * row;
        let mask = &mask[b * seq..(b + 1) * seq];
        for h in 0..heads {
            let q = View { data: &qkv[base + h * d..], row_stride: row, col_stride: 1 };
            // Kᵀ: element (p, j) is feature p of key j.
            let kt = View { data: &qkv[base + hidden + h * d..], row_stride: 1, col_stride: row };
            gemm(seq, seq, d, q, kt, scores, seq, Epilogue::NONE);
            for s in scores.chunks_exact_mut(seq) {
                masked_softmax(s, mask, scale);
            }
            let p = View { data: scores, row_stride: seq, col_stride: 1 };
            let v = View { data: &qkv[base + 2 * hidden + h * d..], row_stride: row, col_stride: 1 };
            gemm(seq, d, seq, p, v, &mut out[b * seq * hidden + h * d..], hidden, Epilogue::NONE);
        }
    }
}

/// `softmax(s * scale)` over the keys whose mask is set, 0 for the others;
/// all zeros when no key is set (never NaN).
fn masked_softmax(s: &mut [f32], mask: &[u32], scale: f32) {
    let mut peak = f32::NEG_INFINITY;
    for (v, &m) in s.iter_mut().zip(mask) {
        *v = if m != 0 { *v * scale } else { f32::NEG_INFINITY };
        peak = peak.max(*v);
    }
    if peak == f32::NEG_INFINITY {
        s.fill(0.0);
        return;
    }
    for v in s.iter_mut() {
        *v = (*v - peak).exp();
    }
    let inv = 1.0 / sum(s);
    for v in s.iter_mut() {
        *v *= inv;
    }
}

/// Masked mean of each sequence's rows, `Σ mask·x / max(Σ mask, 1e-9)`,
/// then, if `l2`, divided by `max(‖·‖₂, 1e-12)` (sentence-transformers'
/// clamps). `out` is `[batch, hidden]`.
pub(crate) fn mean_pool(shape: Sequences, l2: bool, input: &[f32], mask: &[u32], out: &mut [f32]) {
    let Sequences { batch, seq, hidden } = shape;
    for b in 0..batch {
        let o = &mut out[b * hidden..(b + 1) * hidden];
        o.fill(0.0);
        let mut count = 0.0f32;
        for s in 0..seq {
            let t = b * seq + s;
            if mask[t] != 0 {
                count += 1.0;
                crate::cpu::elementwise::axpy(1.0, &input[t * hidden..(t + 1) * hidden], o);
            }
        }
        let inv = 1.0 / count.max(1e-9);
        o.iter_mut().for_each(|v| *v *= inv);
        if l2 {
            let norm = o.iter().map(|v| v * v).sum::<f32>().sqrt();
            let inv = 1.0 / norm.max(1e-12);
            o.iter_mut().for_each(|v| *v *= inv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attention_matches_the_formula() {
        let shape = Sequences { batch: 2, seq: 5, hidden: 8 };
        let heads = 2;
        let tokens = 10;
        let qkv: Vec<f32> = (0..tokens * 24).map(|i| ((i * 37) % 17) as f32 / 8.0 - 1.0).collect();
        // Sequence 0 has 3 real tokens, sequence 1 none.
        let mask = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        let mut out = vec![f32::NAN; tokens * 8];
        let mut scores = vec![0.0; 25];
        attention(shape, heads, 0.5, &qkv, &mask, &mut out, &mut scores);
        for t in 0..5 {
            for h in 0..2 {
                let q = &qkv[t * 24 + h * 4..][..4];
                let s: Vec<f64> = (0..3)
                    .map(|j| {
                        let k = &qkv[j * 24 + 8 + h * 4..][..4];
                        0.5 * q.iter().zip(k).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum::<f64>()
                    })
                    .collect();
                let peak = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = s.iter().map(|v| (v - peak).exp()).sum();
                for dd in 0..4 {
                    let want: f64 =
                        (0..3).map(|j| (s[j] - peak).exp() / total * f64::from(qkv[j * 24 + 16 + h * 4 + dd])).sum();
                    assert!((f64::from(out[t * 8 + h * 4 + dd]) - want).abs() < 1e-5);
                }
            }
        }
        assert!(out[40..].iter().all(|&v| v == 0.0), "a fully masked sequence gives zeros");
    }

    #[test]
    fn pooling_and_embedding() {
        let shape = Sequences { batch: 1, seq: 3, hidden: 2 };
        let mut out = [0.0; 2];
        mean_pool(shape, false, &[1.0, 2.0, 3.0, 4.0, 100.0, 100.0], &[1, 1, 0], &mut out);
        assert_eq!(out, [2.0, 3.0]);
        mean_pool(shape, true, &[3.0, 4.0, 3.0, 4.0, 0.0, 0.0], &[1, 1, 0], &mut out);
        assert!((out[0] - 0.6).abs() < 1e-7 && (out[1] - 0.8).abs() < 1e-7);
        let tables = Tables {
            word: &[1.0, 2.0, 3.0, 5.0],
            position: &[0.0; 6],
            token_type: &[0.0, 0.0],
            gamma: &[1.0, 1.0],
            beta: &[0.0, 0.0],
            eps: 0.0,
        };
        let mut out = [f32::NAN; 6];
        embedding(shape, &[0, 1, 2], &[0, 0, 0], &tables, &mut out);
        assert_eq!(out, [-1.0, 1.0, -1.0, 1.0, 0.0, 0.0], "an id past the vocabulary gives zeros");
    }
}

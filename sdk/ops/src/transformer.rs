//! A transformer's row operations: [`Ops::embedding`],
//! [`Ops::add_layer_norm`] and [`Ops::mean_pool`], over either
//! [`Element`].

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu::{self, transformer::Sequences};
use crate::element::{Cells, f32s, kernel};
use crate::{Element, Error, LayerNormDesc, Op, Ops, Result, check_len, elements};

// Bound by binding number (crate::element::Kernel), through one body for
// both element types.
#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f32.wgsl", "src/wgsl/transformer.wgsl", "src/wgsl/tree_sum.wgsl"])]
pub(crate) mod wgsl {}

#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f16.wgsl", "src/wgsl/transformer.wgsl", "src/wgsl/tree_sum.wgsl"])]
mod wgsl_f16 {}

#[derive(Default)]
pub(crate) struct Kernels {
    add_layer_norm: Cells,
    embedding: Cells,
    mean_pool: Cells,
}

/// The layout of a padded batch of token sequences: `batch` sequences of
/// `seq` tokens (`tokens = batch * seq` rows), each token a row of `hidden`
/// values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SequenceDesc {
    /// Sequences.
    pub batch: u32,
    /// Tokens per sequence, padding included.
    pub seq: u32,
    /// Values per token.
    pub hidden: u32,
}

impl SequenceDesc {
    /// `batch` sequences of `seq` tokens of `hidden` values.
    pub fn new(batch: u32, seq: u32, hidden: u32) -> Self {
        Self { batch, seq, hidden }
    }

    /// `batch * seq`, checked against the kernels' `u32` indexing.
    pub(crate) fn tokens(&self, op: &'static str) -> Result<u64> {
        elements(op, "the batch", &[self.batch.into(), self.seq.into()])
    }

    /// `batch * seq * hidden`, checked against the kernels' `u32` indexing.
    pub(crate) fn elements(&self, op: &'static str) -> Result<u64> {
        elements(op, "the batch", &[self.batch.into(), self.seq.into(), self.hidden.into()])
    }
}

/// The shape of BERT's embeddings: the token rows of `seq`, and the tables'
/// rows (`word` is `[vocab, hidden]`, `position` `[max_positions, hidden]`,
/// `token_type` `[types, hidden]`), and the LayerNorm's epsilon.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EmbeddingDesc {
    /// The batch of token sequences.
    pub seq: SequenceDesc,
    /// Rows of the word table.
    pub vocab: u32,
    /// Rows of the position table; at least `seq.seq`.
    pub max_positions: u32,
    /// Rows of the token-type table.
    pub types: u32,
    /// Added to the variance in the LayerNorm (BERT: `1e-12`).
    pub eps: f32,
}

/// Mean pooling over a padded batch; see [`Ops::mean_pool`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PoolDesc {
    /// The batch of token sequences.
    pub seq: SequenceDesc,
    /// L2-normalise each pooled row.
    pub normalize: bool,
}

fn check_eps(op: &'static str, eps: f32) -> Result<()> {
    if !(eps >= 0.0 && eps.is_finite()) {
        return Err(Error::Shape { op, reason: format!("eps = {eps}; it must be finite and not negative") });
    }
    Ok(())
}

impl Ops {
    /// Prepares BERT's embeddings fused with their LayerNorm: for each token
    /// `t` of the batch,
    /// `output[t] = LN(word[ids[t]] + position[t % seq] + token_type[type_ids[t]]) * gamma + beta`,
    /// over `f32` or [`F16`](wasi_webgpu::F16) tables and output
    /// ([`Element`]: in f16 the sum of the three rows is rounded to f16
    /// before it is normalised).
    ///
    /// `ids` and `type_ids` hold `tokens` elements, `output` `tokens × hidden`.
    /// A token whose id is `>= vocab` (or type `>= types`) reads no table and
    /// its output row is zeros: the ids live on the GPU, so they cannot be
    /// checked here; check them before upload for a proper error. Fails with
    /// [`Error::Shape`] when `seq > max_positions` and [`Error::TooSmall`]
    /// when a buffer is shorter than its shape. One workgroup per token.
    ///
    /// Layout: row-major; token `t = b * seq + s` is row `t` of `output`
    /// (`[batch, seq, hidden]`), `ids` and `type_ids` are `[batch, seq]`.
    ///
    /// Aliasing: every argument but `output` is only read; `output` must be
    /// none of them ([`Error::Aliased`]).
    ///
    /// Numerics: the tests hold it within `2e-5 + 1e-5 |ref|` of f64, ids
    /// past the tables included.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::{EmbeddingDesc, SequenceDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, ids: &Buffer<u32>, types: &Buffer<u32>, word: &Buffer<f32>, position: &Buffer<f32>, token_type: &Buffer<f32>, gamma: &Buffer<f32>, beta: &Buffer<f32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// let seq = SequenceDesc::new(2, 16, 384);
    /// let desc = EmbeddingDesc { seq, vocab: 30522, max_positions: 512, types: 2, eps: 1e-12 };
    /// let op = ops.embedding(&desc, ids, types, word, position, token_type, gamma, beta, out).await?;
    /// op.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub async fn embedding<T: Element>(
        &self,
        desc: &EmbeddingDesc,
        ids: &Buffer<u32>,
        type_ids: &Buffer<u32>,
        word: &Buffer<T>,
        position: &Buffer<T>,
        token_type: &Buffer<T>,
        gamma: &Buffer<T>,
        beta: &Buffer<T>,
        output: &Buffer<T>,
    ) -> Result<Op> {
        crate::named("embedding", async {
            const OP: &str = "embedding";
            let mut op = self.begin::<T>(OP)?;
            let tensors = [word, position, token_type, gamma, beta, output];
            let Some(tokens) = embedding_plan(self, OP, desc, ids, type_ids, tensors)? else {
                return Ok(op);
            };
            let EmbeddingDesc { seq: shape, vocab, max_positions, types, eps } = *desc;
            if self.device.is_cpu() {
                let h = shape.hidden as usize;
                let rows = |n: u32| n as usize * h;
                let (words, positions, type_rows) = (rows(vocab), rows(max_positions), rows(types));
                let sequences = Sequences { batch: shape.batch as usize, seq: shape.seq as usize, hidden: h };
                let indices = [ids.clone(), type_ids.clone()];
                let [word, position, token_type, gamma, beta, output] =
                    f32s(OP, [word, position, token_type, gamma, beta, output])?.map(Buffer::clone);
                let tables = [word, position, token_type, gamma, beta];
                return self.cpu_op(OP, move |device| {
                    let (ids, type_ids) = (cpu::read(device, &indices[0])?, cpu::read(device, &indices[1])?);
                    let [word, position, token_type, gamma, beta] = &tables;
                    let (word, position, token_type) =
                        (cpu::read(device, word)?, cpu::read(device, position)?, cpu::read(device, token_type)?);
                    let (gamma, beta) = (cpu::read(device, gamma)?, cpu::read(device, beta)?);
                    let tables = cpu::transformer::Tables {
                        word: &word[..words],
                        position: &position[..positions],
                        token_type: &token_type[..type_rows],
                        gamma: &gamma[..h],
                        beta: &beta[..h],
                        eps,
                    };
                    let mut output = output.clone();
                    cpu::transformer::embedding(
                        sequences,
                        &ids,
                        &type_ids,
                        &tables,
                        &mut cpu::write(device, &mut output)?,
                    );
                    Ok(())
                });
            }
            let kernel = kernel!(&self.device, &self.kernels.transformer.embedding, T, wgsl / wgsl_f16::Embedding);
            let params = self.uniform(
                "embedding shape",
                wgsl::RowParams {
                    rows: tokens as u32,
                    cols: shape.hidden,
                    eps,
                    seq: shape.seq,
                    vocab,
                    types,
                    normalize: 0,
                },
            )?;
            let bound = kernel.bind(
                &self.device,
                &[
                    (0, params.as_entire_binding()),
                    (6, ids.as_entire_binding()),
                    (7, type_ids.as_entire_binding()),
                    (8, word.as_entire_binding()),
                    (9, position.as_entire_binding()),
                    (10, token_type.as_entire_binding()),
                    (3, gamma.as_entire_binding()),
                    (4, beta.as_entire_binding()),
                    (5, output.as_entire_binding()),
                ],
            )?;
            op.push(kernel.step(bound, self.grid(OP, tokens, kernel.size)?));
            Ok(op)
        })
        .await
    }

    /// Prepares `output = LN(input + residual) * gamma + beta` per row of a
    /// `[rows, cols]` matrix: a transformer's residual connection fused with
    /// its LayerNorm, with [`Ops::layer_norm`]'s two-pass statistics, over
    /// `f32` or [`F16`](wasi_webgpu::F16) tensors ([`Element`]: in f16 the
    /// sum `input + residual` is rounded to f16 before it is normalised, as
    /// an f16 residual add would store it). One workgroup per row.
    ///
    /// Layout: `input`, `residual` and `output` are row-major `[rows, cols]`;
    /// `gamma` and `beta` have `cols` elements.
    ///
    /// Aliasing: the inputs may share buffers (`input` and `residual` the
    /// same gives `LN(2x)`); `output` must be none of them
    /// ([`Error::Aliased`]).
    ///
    /// Numerics: the tests hold it within `2e-5 + 1e-5 |ref|` of f64.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::LayerNormDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, residual: &Buffer<f32>, gamma: &Buffer<f32>, beta: &Buffer<f32>, y: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// let desc = LayerNormDesc { eps: 1e-12, ..LayerNormDesc::new(32, 384) };
    /// ops.add_layer_norm(&desc, x, residual, gamma, beta, y).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_layer_norm<T: Element>(
        &self,
        desc: &LayerNormDesc,
        input: &Buffer<T>,
        residual: &Buffer<T>,
        gamma: &Buffer<T>,
        beta: &Buffer<T>,
        output: &Buffer<T>,
    ) -> Result<Op> {
        crate::named("add_layer_norm", async {
            const OP: &str = "add_layer_norm";
            let mut op = self.begin::<T>(OP)?;
            if !add_layer_norm_plan(self, OP, desc, [input, residual, gamma, beta, output])? {
                return Ok(op);
            }
            let LayerNormDesc { rows, cols, eps } = *desc;
            if self.device.is_cpu() {
                let (cols, len) = (cols as usize, rows as usize * cols as usize);
                let buffers = f32s(OP, [input, residual, gamma, beta, output])?.map(Buffer::clone);
                return self.cpu_op(OP, move |device| {
                    let [input, residual, gamma, beta, output] = &buffers;
                    let (x, r) = (cpu::read(device, input)?, cpu::read(device, residual)?);
                    let (g, b) = (cpu::read(device, gamma)?, cpu::read(device, beta)?);
                    let mut output = output.clone();
                    let mut out = cpu::write(device, &mut output)?;
                    cpu::rows::add_layer_norm(&x[..len], &r[..len], &g[..cols], &b[..cols], eps, &mut out[..len]);
                    Ok(())
                });
            }
            let kernel =
                kernel!(&self.device, &self.kernels.transformer.add_layer_norm, T, wgsl / wgsl_f16::AddLayerNorm);
            let params = self.uniform(
                "add_layer_norm shape",
                wgsl::RowParams { rows, cols, eps, seq: 0, vocab: 0, types: 0, normalize: 0 },
            )?;
            let bound = kernel.bind(
                &self.device,
                &[
                    (0, params.as_entire_binding()),
                    (1, input.as_entire_binding()),
                    (2, residual.as_entire_binding()),
                    (3, gamma.as_entire_binding()),
                    (4, beta.as_entire_binding()),
                    (5, output.as_entire_binding()),
                ],
            )?;
            op.push(kernel.step(bound, self.grid(OP, rows.into(), kernel.size)?));
            Ok(op)
        })
        .await
    }

    /// Prepares masked mean pooling of each sequence of `input`
    /// (`[batch, seq, hidden]`, `f32` or [`F16`](wasi_webgpu::F16)) into the
    /// f32 `output` (`[batch, hidden]`: the embeddings a model returns, kept
    /// from a last f16 rounding), with f32 sums:
    /// `output[b] = Σ_s mask[b, s] · input[b, s] / max(Σ_s mask[b, s], 1e-9)`,
    /// where a mask element is 1 for a real token and 0 for padding (any
    /// nonzero value counts as 1). With `normalize`, each row is then divided
    /// by `max(‖output[b]‖₂, 1e-12)`: sentence-transformers' clamps, so an
    /// all-padding sequence pools to zeros. One workgroup per sequence.
    ///
    /// Aliasing: `output` must not be `input` ([`Error::Aliased`]).
    ///
    /// Numerics: the tests hold it within `1e-6 + 1e-5 |ref|` of f64.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::{PoolDesc, SequenceDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, tokens: &Buffer<f32>, mask: &Buffer<u32>, embeddings: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// let desc = PoolDesc { seq: SequenceDesc::new(2, 16, 384), normalize: true };
    /// ops.mean_pool(&desc, tokens, mask, embeddings).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn mean_pool<T: Element>(
        &self,
        desc: &PoolDesc,
        input: &Buffer<T>,
        mask: &Buffer<u32>,
        output: &Buffer<f32>,
    ) -> Result<Op> {
        crate::named("mean_pool", async {
            const OP: &str = "mean_pool";
            let mut op = self.begin::<T>(OP)?;
            if !mean_pool_plan(self, OP, desc, input, mask, output)? {
                return Ok(op);
            }
            let PoolDesc { seq: shape, normalize } = *desc;
            if self.device.is_cpu() {
                let sequences =
                    Sequences { batch: shape.batch as usize, seq: shape.seq as usize, hidden: shape.hidden as usize };
                let (input, mask, output) = (f32s(OP, [input])?[0].clone(), mask.clone(), output.clone());
                return self.cpu_op(OP, move |device| {
                    let (x, m, mut output) = (cpu::read(device, &input)?, cpu::read(device, &mask)?, output.clone());
                    cpu::transformer::mean_pool(sequences, normalize, &x, &m, &mut cpu::write(device, &mut output)?);
                    Ok(())
                });
            }
            let kernel = kernel!(&self.device, &self.kernels.transformer.mean_pool, T, wgsl / wgsl_f16::MeanPool);
            let params = self.uniform(
                "mean_pool shape",
                wgsl::RowParams {
                    rows: shape.batch,
                    cols: shape.hidden,
                    eps: 0.0,
                    seq: shape.seq,
                    vocab: 0,
                    types: 0,
                    normalize: u32::from(normalize),
                },
            )?;
            let bound = kernel.bind(
                &self.device,
                &[
                    (0, params.as_entire_binding()),
                    (1, input.as_entire_binding()),
                    (11, mask.as_entire_binding()),
                    (12, output.as_entire_binding()),
                ],
            )?;
            op.push(kernel.step(bound, self.grid(OP, shape.batch.into(), kernel.size)?));
            Ok(op)
        })
        .await
    }
}

/// Checks an embedding shape against its buffers (`tensors` are word,
/// position, token_type, gamma, beta, output): `None` when there is nothing
/// to compute, else the token count.
pub(crate) fn embedding_plan<T: bytemuck::Pod>(
    ops: &Ops,
    op: &'static str,
    desc: &EmbeddingDesc,
    ids: &Buffer<u32>,
    type_ids: &Buffer<u32>,
    tensors: [&Buffer<T>; 6],
) -> Result<Option<u64>> {
    let EmbeddingDesc { seq: shape, vocab, max_positions, types, eps } = *desc;
    check_eps(op, eps)?;
    if shape.seq > max_positions {
        return Err(Error::Shape {
            op,
            reason: format!("seq = {} is more than max_positions = {max_positions}", shape.seq),
        });
    }
    let hidden = u64::from(shape.hidden);
    let tokens = shape.tokens(op)?;
    let total = shape.elements(op)?;
    if total == 0 {
        return Ok(None);
    }
    let [word, position, token_type, gamma, beta, output] = tensors;
    check_len(op, "ids", ids, tokens)?;
    check_len(op, "type_ids", type_ids, tokens)?;
    check_len(op, "word", word, elements(op, "word", &[vocab.into(), hidden])?)?;
    check_len(op, "position", position, elements(op, "position", &[max_positions.into(), hidden])?)?;
    check_len(op, "token_type", token_type, elements(op, "token_type", &[types.into(), hidden])?)?;
    check_len(op, "gamma", gamma, hidden)?;
    check_len(op, "beta", beta, hidden)?;
    check_len(op, "output", output, total)?;
    let args = [
        read("ids", ids),
        read("type_ids", type_ids),
        read("word", word),
        read("position", position),
        read("token_type", token_type),
        read("gamma", gamma),
        read("beta", beta),
        written("output", output),
    ];
    ops.check_args(op, &args, None)?;
    Ok(Some(tokens))
}

/// Checks an add_layer_norm shape against its buffers (input, residual,
/// gamma, beta, output): `false` when there is nothing to compute.
pub(crate) fn add_layer_norm_plan<T: bytemuck::Pod>(
    ops: &Ops,
    op: &'static str,
    desc: &LayerNormDesc,
    buffers: [&Buffer<T>; 5],
) -> Result<bool> {
    let LayerNormDesc { rows, cols, eps } = *desc;
    check_eps(op, eps)?;
    let total = elements(op, "the matrix", &[rows.into(), cols.into()])?;
    if total == 0 {
        return Ok(false);
    }
    let [input, residual, gamma, beta, output] = buffers;
    check_len(op, "input", input, total)?;
    check_len(op, "residual", residual, total)?;
    check_len(op, "gamma", gamma, cols.into())?;
    check_len(op, "beta", beta, cols.into())?;
    check_len(op, "output", output, total)?;
    let args = [read("input", input), read("residual", residual), read("gamma", gamma), read("beta", beta)];
    ops.check_args(op, &[args[0], args[1], args[2], args[3], written("output", output)], None)?;
    Ok(true)
}

/// Checks a mean_pool shape against its buffers: `false` when there is
/// nothing to compute.
pub(crate) fn mean_pool_plan<T: bytemuck::Pod, U: bytemuck::Pod>(
    ops: &Ops,
    op: &'static str,
    desc: &PoolDesc,
    input: &Buffer<T>,
    mask: &Buffer<u32>,
    output: &Buffer<U>,
) -> Result<bool> {
    let shape = desc.seq;
    let total = shape.elements(op)?;
    let pooled = elements(op, "output", &[shape.batch.into(), shape.hidden.into()])?;
    if pooled == 0 {
        return Ok(false);
    }
    check_len(op, "input", input, total)?;
    check_len(op, "mask", mask, shape.tokens(op)?)?;
    check_len(op, "output", output, pooled)?;
    ops.check_args(op, &[read("input", input), read("mask", mask), written("output", output)], None)?;
    Ok(true)
}

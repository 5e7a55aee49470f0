//! The forward pass of [`SentenceEncoder`](super::SentenceEncoder) in
//! either [`Precision`]: one generic list of ops over `f32` or [`F16`]
//! weights and activations, and the conversion of the weights to f16 at
//! load.
//!
//! The f32 and f16 passes are one function so that they cannot drift
//! apart: every op takes either [`Element`]. The f16 linears keep
//! [`Accumulate::F32`](crate::Accumulate::F32): f16 sums over k = 1536
//! would cost more accuracy than the storage does.

use wasi_webgpu::{Buffer, BufferDescriptor, BufferUsages, Device, F16, Features};

use super::weights::{DeviceWeights, EmbeddingBuffers, LayerBuffers, Tensor};
use super::{Config, HiddenAct, ModelError, Weights, WeightsError};
use crate::{
    Activation, AttentionDesc, Element, EmbeddingDesc, LayerNormDesc, LinearDesc, Op, Ops, PoolDesc, SequenceDesc,
};

/// The number format a [`SentenceEncoder`](super::SentenceEncoder) keeps
/// its weights and activations in on the device, chosen at load with
/// [`LoadOptions::with_precision`].
///
/// Either way every product, sum, softmax and LayerNorm statistic is formed
/// in f32 and the embeddings come back as f32 unit vectors; f16 only rounds
/// each stored tensor to 11 significant bits, halving the weights'
/// footprint (about 45 MB instead of 90 MB for all-MiniLM-L6-v2) and the
/// activations' memory traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Precision {
    /// IEEE single precision: every embedding of the sentence-transformers
    /// fixtures within cosine 0.9999 (and 10⁻⁴ a component) of the PyTorch
    /// reference, on the GPU and on the CPU device.
    #[default]
    F32,
    /// IEEE half precision storage (WGSL `f16`), which needs the device
    /// feature `shader-f16`: loading fails with
    /// [`ModelError::MissingFeature`] without it, and always on the CPU
    /// device. Each op's stored output is within one f16 rounding
    /// (2⁻¹¹ relative) of the f32 result of its f16 inputs. Measured on
    /// lavapipe over the 69 sentence-transformers fixture sentences: cosine
    /// to the PyTorch f32 reference at least 1 − 2.4 × 10⁻⁶ and at most
    /// 4.5 × 10⁻⁴ off in a component; the tests hold it to 0.99998 and
    /// 10⁻³ (tests/tests/minilm.rs).
    F16,
}

/// How [`SentenceEncoder::load_with`](super::SentenceEncoder::load_with)
/// and [`from_bytes_with`](super::SentenceEncoder::from_bytes_with) build
/// the encoder. The default is what [`load`](super::SentenceEncoder::load)
/// does: [`Precision::F32`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct LoadOptions {
    /// The precision of the weights and activations on the device.
    pub precision: Precision,
}

impl LoadOptions {
    /// The defaults: [`Precision::F32`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the weights and activations in `precision`.
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }
}

/// The encoder's weights on the device, in the precision it was loaded in.
pub(crate) enum Stored {
    F32(DeviceWeights<f32>),
    F16(DeviceWeights<F16>),
}

impl Stored {
    /// Uploads `weights` to `device` in `precision`. F16 fails with
    /// [`ModelError::MissingFeature`] before anything is uploaded where the
    /// device lacks `shader-f16` (the CPU device always does).
    pub(crate) fn upload(device: &Device, weights: &Weights<'_>, precision: Precision) -> Result<Self, ModelError> {
        supported(device, precision)?;
        match precision {
            Precision::F32 => Ok(Self::F32(DeviceWeights::upload(device, weights)?)),
            Precision::F16 => Ok(Self::F16(upload_f16(device, weights)?)),
        }
    }

    pub(crate) fn precision(&self) -> Precision {
        match self {
            Self::F32(_) => Precision::F32,
            Self::F16(_) => Precision::F16,
        }
    }
}

/// Fails with [`ModelError::MissingFeature`] where `device` cannot run
/// `precision`: f16 needs `shader-f16` (checked here rather than by the
/// first f16 op, so that nothing is read or uploaded in vain).
pub(crate) fn supported(device: &Device, precision: Precision) -> Result<(), ModelError> {
    match precision {
        Precision::F16 if !device.features().contains(Features::SHADER_F16) => {
            Err(ModelError::MissingFeature { precision, feature: "shader-f16" })
        }
        _ => Ok(()),
    }
}

/// Converts every weight to f16 on the way into its buffer.
fn upload_f16(device: &Device, weights: &Weights<'_>) -> Result<DeviceWeights<F16>, WeightsError> {
    let one = |t: &Tensor<'_>| half(device, &[t]);
    let e = &weights.embeddings;
    let embeddings = EmbeddingBuffers {
        word: one(&e.word)?,
        position: one(&e.position)?,
        token_type: one(&e.token_type)?,
        gamma: one(&e.gamma)?,
        beta: one(&e.beta)?,
    };
    let mut layers = Vec::new();
    layers
        .try_reserve_exact(weights.layers.len())
        .map_err(|_| WeightsError::OutOfMemory { name: "encoder.layer".into(), bytes: 0 })?;
    for l in &weights.layers {
        let [q, k, v] = &l.qkv;
        let [qb, kb, vb] = &l.qkv_bias;
        layers.push(LayerBuffers {
            // Stacked as the f32 upload stacks them, for one fused linear.
            qkv: half(device, &[q, k, v])?,
            qkv_bias: half(device, &[qb, kb, vb])?,
            attention_out: one(&l.attention_out)?,
            attention_out_bias: one(&l.attention_out_bias)?,
            attention_gamma: one(&l.attention_gamma)?,
            attention_beta: one(&l.attention_beta)?,
            intermediate: one(&l.intermediate)?,
            intermediate_bias: one(&l.intermediate_bias)?,
            output: one(&l.output)?,
            output_bias: one(&l.output_bias)?,
            output_gamma: one(&l.output_gamma)?,
            output_beta: one(&l.output_beta)?,
        });
    }
    Ok(DeviceWeights { embeddings, layers })
}

/// Elements converted per write into the mapping: 128 KiB of f16, so that
/// no tensor (the word embeddings are 11.7 M values) needs a whole f16 or
/// f32 copy in guest memory besides the file.
const CHUNK: usize = 64 * 1024;

/// One f16 storage buffer holding `parts` one after another, each value
/// rounded to the nearest f16 (ties to even, as the GPU rounds). Written
/// into the buffer's mapping at creation in [`CHUNK`]s.
fn half(device: &Device, parts: &[&Tensor<'_>]) -> Result<Buffer<F16>, WeightsError> {
    let name = parts[0].name();
    let upload = |source| WeightsError::Upload { name: name.into(), source };
    let len: usize = parts.iter().map(|t| t.len()).sum();
    let buffer = device
        .create_buffer::<F16>(&BufferDescriptor {
            label: Some(name),
            len: len as u64,
            usage: BufferUsages::STORAGE,
            mapped_at_creation: len > 0,
        })
        .map_err(upload)?;
    let mut chunk = Vec::new();
    chunk
        .try_reserve_exact(CHUNK.min(len))
        .map_err(|_| WeightsError::OutOfMemory { name: name.into(), bytes: (CHUNK.min(len) * 2) as u64 })?;
    let mut at = 0u64;
    let mut flush = |chunk: &mut Vec<F16>| -> Result<(), WeightsError> {
        let end = at + chunk.len() as u64;
        buffer.slice(at..end).write_mapped(chunk).map_err(upload)?;
        at = end;
        chunk.clear();
        Ok(())
    };
    for value in parts.iter().flat_map(|t| t.values()) {
        chunk.push(F16::from_f32(value));
        if chunk.len() == CHUNK {
            flush(&mut chunk)?;
        }
    }
    if !chunk.is_empty() {
        flush(&mut chunk)?;
    }
    if len > 0 {
        buffer.unmap().map_err(upload)?;
    }
    Ok(buffer)
}

/// The activation buffers of `T` for a batch of up to `tokens` tokens.
pub(crate) struct Activations<T: bytemuck::Pod> {
    hidden: Buffer<T>,
    qkv: Buffer<T>,
    context: Buffer<T>,
    projected: Buffer<T>,
    attended: Buffer<T>,
    intermediate: Buffer<T>,
    ffn: Buffer<T>,
}

impl<T: bytemuck::Pod> Activations<T> {
    pub(crate) fn new(device: &Device, config: &Config, tokens: u64) -> Result<Self, ModelError> {
        let h = u64::from(config.hidden_size);
        let buffer = |label, width: u64| -> Result<Buffer<T>, ModelError> {
            Ok(device.create_buffer(&BufferDescriptor {
                label: Some(label),
                len: tokens * width,
                usage: BufferUsages::STORAGE,
                mapped_at_creation: false,
            })?)
        };
        Ok(Self {
            hidden: buffer("bert hidden", h)?,
            qkv: buffer("bert qkv", 3 * h)?,
            context: buffer("bert context", h)?,
            projected: buffer("bert attention output", h)?,
            attended: buffer("bert attention normed", h)?,
            intermediate: buffer("bert intermediate", u64::from(config.intermediate_size))?,
            ffn: buffer("bert ffn output", h)?,
        })
    }
}

/// The activations in the encoder's precision.
pub(crate) enum Acts {
    F32(Activations<f32>),
    F16(Activations<F16>),
}

/// A batch's inputs and output, the same buffers in both precisions.
pub(crate) struct Io<'a> {
    pub ids: &'a Buffer<u32>,
    pub type_ids: &'a Buffer<u32>,
    pub mask: &'a Buffer<u32>,
    pub pooled: &'a Buffer<f32>,
}

/// The forward pass of a `batch × seq` batch: embeddings, each layer's
/// fused QKV linear, attention, output linear, residual layernorm,
/// feed-forward block and residual layernorm, then mean pooling and
/// normalisation into `io.pooled`.
pub(crate) async fn forward<T: Element>(
    ops: &Ops,
    c: &Config,
    weights: &DeviceWeights<T>,
    w: &Activations<T>,
    io: &Io<'_>,
    batch: u32,
    seq: u32,
) -> Result<Vec<Op>, ModelError> {
    let rows = batch * seq;
    let h = c.hidden_size;
    let sequence = SequenceDesc { batch, seq, hidden: h };
    let eps = c.layer_norm_eps;
    let norm = LayerNormDesc { rows, cols: h, eps };
    let linear = |out: u32, inp: u32, activation| LinearDesc::new(rows, inp, out).with_activation(activation);
    let activation = match c.hidden_act {
        HiddenAct::GeluErf => Activation::GeluErf,
        HiddenAct::GeluTanh => Activation::GeluTanh,
    };
    let mut prepared = Vec::with_capacity(2 + 7 * weights.layers.len());
    let embedding = EmbeddingDesc {
        seq: sequence,
        vocab: c.vocab_size,
        max_positions: c.max_position_embeddings,
        types: c.type_vocab_size,
        eps,
    };
    let e = &weights.embeddings;
    let embedded = ops.embedding(
        &embedding,
        io.ids,
        io.type_ids,
        &e.word,
        &e.position,
        &e.token_type,
        &e.gamma,
        &e.beta,
        &w.hidden,
    );
    prepared.push(embedded.await?);
    let attention =
        AttentionDesc { seq: sequence, heads: c.num_attention_heads, scale: 1.0 / (c.head_dim() as f32).sqrt() };
    let none = Activation::None;
    for l in &weights.layers {
        prepared.push(ops.linear(&linear(3 * h, h, none), &w.hidden, &l.qkv, &l.qkv_bias, &w.qkv).await?);
        prepared.push(ops.attention(&attention, &w.qkv, io.mask, &w.context).await?);
        let out = linear(h, h, none);
        prepared.push(ops.linear(&out, &w.context, &l.attention_out, &l.attention_out_bias, &w.projected).await?);
        let (gamma, beta) = (&l.attention_gamma, &l.attention_beta);
        prepared.push(ops.add_layer_norm(&norm, &w.projected, &w.hidden, gamma, beta, &w.attended).await?);
        let up = linear(c.intermediate_size, h, activation);
        prepared.push(ops.linear(&up, &w.attended, &l.intermediate, &l.intermediate_bias, &w.intermediate).await?);
        let down = linear(h, c.intermediate_size, none);
        prepared.push(ops.linear(&down, &w.intermediate, &l.output, &l.output_bias, &w.ffn).await?);
        let (gamma, beta) = (&l.output_gamma, &l.output_beta);
        prepared.push(ops.add_layer_norm(&norm, &w.ffn, &w.attended, gamma, beta, &w.hidden).await?);
    }
    let pool = PoolDesc { seq: sequence, normalize: true };
    prepared.push(ops.mean_pool(&pool, &w.hidden, io.mask, io.pooled).await?);
    Ok(prepared)
}

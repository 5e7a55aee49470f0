//! The f16 path: the transformer ops over [`Buffer<F16>`] storage, for
//! devices with [`Features::SHADER_F16`].
//!
//! The kernels are those of the f32 ops with their tensors' storage
//! narrowed to f16 (`wgsl/*_f16.wgsl`, kept in step with the f32 files):
//! each value is widened to f32 on load and every product, sum, softmax and
//! LayerNorm statistic is formed in f32, so the only error beyond the f32
//! path's is rounding to f16 where a tensor is stored: each output is within
//! one f16 ulp (2⁻¹⁰ relative, whichever way the device rounds) of the f32
//! result of the same f16 inputs, and the LayerNorm ops round the row they
//! normalise once more before its statistics. The ops guest checks exactly
//! that bound. Memory traffic and the weights' footprint halve; arithmetic
//! throughput stays f32's. The matrix products, which may also sum in f16,
//! are in `half_matmul`.

use std::cell::RefCell;

use wasi_webgpu::{
    BindGroup, BindGroupDescriptor, BindGroupEntry, BindGroupLayout, BindingResource, Buffer, ComputePipeline, Device,
    F16, Features, Threads,
};

use crate::attention::{attention_plan, keys_per_tile};
use crate::transformer::{add_layer_norm_plan, embedding_plan, mean_pool_plan};
use crate::{AttentionDesc, EmbeddingDesc, GpuStep, LayerNormDesc, Op, Ops, PoolDesc, Result, cached};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = "src/wgsl/transformer_f16.wgsl")]
mod rows {}

#[allow(dead_code)]
#[wasi_webgpu::shader(path = "src/wgsl/attention_f16.wgsl")]
mod attention {}

/// One bind group (group 0) of `entries` for a pipeline of the f16 shaders
/// (or of the 128 tile matmuls, which read their buffers as vec4 arrays).
///
/// `#[shader]`'s generated bindings type WGSL's `f16` as `u16` (they predate
/// [`F16`]), so these ops bind their `Buffer<F16>`s by binding number; the
/// device checks each entry against the pipeline's layout as it does for
/// typed bindings.
pub(crate) fn bind(
    device: &Device,
    layouts: &[BindGroupLayout],
    entries: &[(u32, BindingResource<'_>)],
) -> Result<BindGroup> {
    let entries: Vec<BindGroupEntry<'_>> =
        entries.iter().map(|&(binding, resource)| BindGroupEntry { binding, resource }).collect();
    Ok(device.create_bind_group(&BindGroupDescriptor {
        label: Some("ops bind group"),
        layout: &layouts[0],
        entries: &entries,
    })?)
}

/// The dispatch of `threads` invocations in workgroups of `size`.
pub(crate) fn step(pipeline: ComputePipeline, bound: BindGroup, threads: Threads, size: [u32; 3]) -> GpuStep {
    let [x, y, z] = threads.0;
    let groups = [x.div_ceil(size[0]), y.div_ceil(size[1]), z.div_ceil(size[2])];
    Box::new(move |pass| {
        pass.set_pipeline(&pipeline)?;
        pass.set_bind_group(0, &bound, &[])?;
        pass.dispatch_workgroups(groups[0], groups[1], groups[2])
    })
}

#[derive(Default)]
pub(crate) struct Kernels {
    add_layer_norm: RefCell<Option<rows::AddLayerNorm>>,
    embedding: RefCell<Option<rows::Embedding>>,
    mean_pool: RefCell<Option<rows::MeanPool>>,
    attention: RefCell<Vec<(u32, attention::Attention)>>,
}

impl Ops {
    /// Fails unless the device has `shader-f16`.
    pub(crate) fn require_f16(&self, op: &'static str) -> Result<()> {
        if self.device.features().contains(Features::SHADER_F16) {
            return Ok(());
        }
        Err(wasi_webgpu::Error::MissingFeature { feature: "shader-f16", operation: op }.into())
    }

    /// [`Ops::add_layer_norm`] over f16 tensors, with f32 statistics. The
    /// sum `input + residual` is rounded to f16 before it is normalised (as
    /// an f16 residual add would store it). Needs `shader-f16`.
    ///
    /// Shapes, layout and aliasing as [`Ops::add_layer_norm`]'s; each output
    /// within one f16 ulp of the f32 result of the same f16 inputs.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, F16, Queue};
    /// use wasi_webgpu_ops::LayerNormDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<F16>, r: &Buffer<F16>, g: &Buffer<F16>, b: &Buffer<F16>, y: &Buffer<F16>) -> wasi_webgpu_ops::Result<()> {
    /// ops.add_layer_norm_f16(&LayerNormDesc::new(32, 384), x, r, g, b, y).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_layer_norm_f16(
        &self,
        desc: &LayerNormDesc,
        input: &Buffer<F16>,
        residual: &Buffer<F16>,
        gamma: &Buffer<F16>,
        beta: &Buffer<F16>,
        output: &Buffer<F16>,
    ) -> Result<Op> {
        crate::named("add_layer_norm_f16", async {
            const OP: &str = "add_layer_norm_f16";
            self.require_f16(OP)?;
            let mut op = Op::new(OP, &self.device);
            if !add_layer_norm_plan(self, OP, desc, [input, residual, gamma, beta, output])? {
                return Ok(op);
            }
            let LayerNormDesc { rows, cols, eps } = *desc;
            let kernel = cached(
                &self.kernels.half.add_layer_norm,
                rows::AddLayerNorm::pipeline(&self.device, &Default::default()),
            )
            .await?;
            let params = self.uniform(
                "add_layer_norm_f16 shape",
                rows::RowParams { rows, cols, eps, seq: 0, vocab: 0, types: 0, normalize: 0 },
            )?;
            let bound = bind(
                &self.device,
                kernel.bind_group_layouts(),
                &[
                    (0, params.as_entire_binding()),
                    (1, input.as_entire_binding()),
                    (2, residual.as_entire_binding()),
                    (3, gamma.as_entire_binding()),
                    (4, beta.as_entire_binding()),
                    (5, output.as_entire_binding()),
                ],
            )?;
            let threads = self.grid(OP, rows.into(), kernel.workgroup_size())?;
            op.push(step(kernel.compute_pipeline().clone(), bound, threads, kernel.workgroup_size()));
            Ok(op)
        })
        .await
    }

    /// [`Ops::embedding`] over f16 tables and output, with f32 sums and
    /// statistics; the sum of the three rows is rounded to f16 before it is
    /// normalised. Needs `shader-f16`.
    ///
    /// Shapes, layout and aliasing as [`Ops::embedding`]'s.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, F16, Queue};
    /// use wasi_webgpu_ops::{EmbeddingDesc, SequenceDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, ids: &Buffer<u32>, types: &Buffer<u32>, tables: [&Buffer<F16>; 5], out: &Buffer<F16>) -> wasi_webgpu_ops::Result<()> {
    /// let desc = EmbeddingDesc { seq: SequenceDesc::new(1, 8, 384), vocab: 30522, max_positions: 512, types: 2, eps: 1e-12 };
    /// let [word, position, token_type, gamma, beta] = tables;
    /// let op = ops.embedding_f16(&desc, ids, types, word, position, token_type, gamma, beta, out).await?;
    /// op.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub async fn embedding_f16(
        &self,
        desc: &EmbeddingDesc,
        ids: &Buffer<u32>,
        type_ids: &Buffer<u32>,
        word: &Buffer<F16>,
        position: &Buffer<F16>,
        token_type: &Buffer<F16>,
        gamma: &Buffer<F16>,
        beta: &Buffer<F16>,
        output: &Buffer<F16>,
    ) -> Result<Op> {
        crate::named("embedding_f16", async {
            const OP: &str = "embedding_f16";
            self.require_f16(OP)?;
            let mut op = Op::new(OP, &self.device);
            let tensors = [word, position, token_type, gamma, beta, output];
            let Some(tokens) = embedding_plan(self, OP, desc, ids, type_ids, tensors)? else {
                return Ok(op);
            };
            let EmbeddingDesc { seq: shape, vocab, types, eps, .. } = *desc;
            let kernel =
                cached(&self.kernels.half.embedding, rows::Embedding::pipeline(&self.device, &Default::default()))
                    .await?;
            let params = self.uniform(
                "embedding_f16 shape",
                rows::RowParams {
                    rows: tokens as u32,
                    cols: shape.hidden,
                    eps,
                    seq: shape.seq,
                    vocab,
                    types,
                    normalize: 0,
                },
            )?;
            let bound = bind(
                &self.device,
                kernel.bind_group_layouts(),
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
            let threads = self.grid(OP, tokens, kernel.workgroup_size())?;
            op.push(step(kernel.compute_pipeline().clone(), bound, threads, kernel.workgroup_size()));
            Ok(op)
        })
        .await
    }

    /// [`Ops::attention`] over f16 `qkv` and output: scores, softmax and the
    /// weighted sum are f32, and each output is rounded once to f16. Needs
    /// `shader-f16`.
    ///
    /// Shapes, layout and aliasing as [`Ops::attention`]'s; the tests hold
    /// it within one f16 ulp + `2e-6 + 1e-5 |ref|` of f64.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, F16, Queue};
    /// use wasi_webgpu_ops::{AttentionDesc, SequenceDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, qkv: &Buffer<F16>, mask: &Buffer<u32>, out: &Buffer<F16>) -> wasi_webgpu_ops::Result<()> {
    /// let desc = AttentionDesc::new(SequenceDesc::new(1, 8, 384), 12);
    /// ops.attention_f16(&desc, qkv, mask, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn attention_f16(
        &self,
        desc: &AttentionDesc,
        qkv: &Buffer<F16>,
        mask: &Buffer<u32>,
        output: &Buffer<F16>,
    ) -> Result<Op> {
        crate::named("attention_f16", async {
            const OP: &str = "attention_f16";
            self.require_f16(OP)?;
            let mut op = Op::new(OP, &self.device);
            let Some(plan) = attention_plan(self, OP, desc, qkv, mask, output)? else {
                return Ok(op);
            };
            let AttentionDesc { seq: shape, heads, scale } = *desc;
            let kernel = {
                let cache = &self.kernels.half.attention;
                let found = cache.borrow().iter().find(|(d, _)| *d == plan.head_dim).map(|(_, k)| k.clone());
                match found {
                    Some(kernel) => kernel,
                    None => {
                        let overrides = attention::Overrides {
                            HEAD_DIM: Some(plan.head_dim),
                            D4: None,
                            KEYS: Some(keys_per_tile(plan.head_dim)),
                        };
                        let kernel = attention::Attention::pipeline(&self.device, &overrides).await?;
                        cache.borrow_mut().push((plan.head_dim, kernel.clone()));
                        kernel
                    }
                }
            };
            let params = self.uniform(
                "attention_f16 shape",
                attention::AttentionParams {
                    batch: shape.batch,
                    seq: shape.seq,
                    hidden: shape.hidden,
                    heads,
                    scale: scale * std::f32::consts::LOG2_E,
                    blocks: plan.blocks,
                },
            )?;
            let bound = bind(
                &self.device,
                kernel.bind_group_layouts(),
                &[
                    (0, params.as_entire_binding()),
                    (1, qkv.as_entire_binding()),
                    (2, mask.as_entire_binding()),
                    (3, output.as_entire_binding()),
                ],
            )?;
            let threads = self.grid(OP, plan.workgroups, kernel.workgroup_size())?;
            op.push(step(kernel.compute_pipeline().clone(), bound, threads, kernel.workgroup_size()));
            Ok(op)
        })
        .await
    }

    /// [`Ops::mean_pool`] of an f16 input into an **f32** output (the
    /// embeddings a model returns, kept from a last f16 rounding), with f32
    /// sums. Needs `shader-f16`.
    ///
    /// Shapes, layout and aliasing as [`Ops::mean_pool`]'s; the tests hold
    /// it within `1e-6 + 1e-5 |ref|` of f64.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, F16, Queue};
    /// use wasi_webgpu_ops::{PoolDesc, SequenceDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, tokens: &Buffer<F16>, mask: &Buffer<u32>, embeddings: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// let desc = PoolDesc { seq: SequenceDesc::new(1, 8, 384), normalize: true };
    /// ops.mean_pool_f16(&desc, tokens, mask, embeddings).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn mean_pool_f16(
        &self,
        desc: &PoolDesc,
        input: &Buffer<F16>,
        mask: &Buffer<u32>,
        output: &Buffer<f32>,
    ) -> Result<Op> {
        crate::named("mean_pool_f16", async {
            const OP: &str = "mean_pool_f16";
            self.require_f16(OP)?;
            let mut op = Op::new(OP, &self.device);
            if !mean_pool_plan(self, OP, desc, input, mask, output)? {
                return Ok(op);
            }
            let PoolDesc { seq: shape, normalize } = *desc;
            let kernel =
                cached(&self.kernels.half.mean_pool, rows::MeanPool::pipeline(&self.device, &Default::default()))
                    .await?;
            let params = self.uniform(
                "mean_pool_f16 shape",
                rows::RowParams {
                    rows: shape.batch,
                    cols: shape.hidden,
                    eps: 0.0,
                    seq: shape.seq,
                    vocab: 0,
                    types: 0,
                    normalize: u32::from(normalize),
                },
            )?;
            let bound = bind(
                &self.device,
                kernel.bind_group_layouts(),
                &[
                    (0, params.as_entire_binding()),
                    (1, input.as_entire_binding()),
                    (11, mask.as_entire_binding()),
                    (12, output.as_entire_binding()),
                ],
            )?;
            let threads = self.grid(OP, shape.batch.into(), kernel.workgroup_size())?;
            op.push(step(kernel.compute_pipeline().clone(), bound, threads, kernel.workgroup_size()));
            Ok(op)
        })
        .await
    }
}

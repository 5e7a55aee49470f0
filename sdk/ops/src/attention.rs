//! [`Ops::attention`]: fused multi-head self-attention over a padded batch.

use std::cell::RefCell;

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu::{self, transformer::Sequences};
use crate::element::{Kernel, compile, f32s};
use crate::{Element, Error, Op, Ops, Result, SequenceDesc, check_len, elements};

// Bound by binding number (crate::element::Kernel), through one body for
// both element types.
#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f32.wgsl", "src/wgsl/attention.wgsl"])]
mod wgsl {}

#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f16.wgsl", "src/wgsl/attention.wgsl"])]
mod wgsl_f16 {}

/// Queries per workgroup (`QUERIES` in the shader).
const QUERIES: u32 = 32;
/// The largest head_dim the kernel's registers hold.
const MAX_HEAD_DIM: u32 = 64;

/// Pipelines by head_dim and element type: each is compiled for its own
/// head_dim, so its loops have constant trip counts.
#[derive(Default)]
pub(crate) struct Kernels {
    attention: RefCell<Vec<((u32, bool), Kernel)>>,
}

fn key_of<T: Element>(head_dim: u32) -> (u32, bool) {
    (head_dim, T::F16)
}

/// The shape of multi-head self-attention; see [`Ops::attention`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AttentionDesc {
    /// The batch of token sequences; `hidden` is `heads * head_dim`.
    pub seq: SequenceDesc,
    /// Attention heads.
    pub heads: u32,
    /// Multiplies `q · k` before the softmax; usually `1 / √head_dim`.
    pub scale: f32,
}

impl AttentionDesc {
    /// `heads` heads over `seq`, with the usual scale `1 / √head_dim`.
    pub fn new(seq: SequenceDesc, heads: u32) -> Self {
        let head_dim = seq.hidden.checked_div(heads).unwrap_or(0);
        Self { seq, heads, scale: 1.0 / (head_dim.max(1) as f32).sqrt() }
    }
}

impl Ops {
    /// Prepares multi-head self-attention over a padded batch, over `f32`
    /// or [`F16`](wasi_webgpu::F16) `qkv` and output ([`Element`]).
    ///
    /// `qkv` is `[tokens, 3 * hidden]`, the output of one fused QKV
    /// [`linear`](Ops::linear): token `t`'s row holds q, then k, then v,
    /// each with head `h` at columns `h * head_dim..(h + 1) * head_dim`.
    /// `mask[t]` is nonzero for a real token and 0 for padding. `output` is
    /// `[tokens, hidden]`:
    /// `output[t, h * head_dim + d] = Σ_j softmax_j(q_t · k_j * scale + m_j) v_j[d]`
    /// over the keys `j` of `t`'s sequence, with `m_j = -∞` for padded keys.
    /// A query whose keys are all padding gets zeros, never NaN; padded
    /// queries are computed like real ones.
    ///
    /// One kernel, flash-attention style: one workgroup per (sequence, head,
    /// block of 32 queries) streams the keys through workgroup memory with an
    /// online softmax, so the scores never reach memory. `hidden` must be a
    /// multiple of `heads`, and `head_dim = hidden / heads` at most 64
    /// ([`Error::Shape`] otherwise).
    ///
    /// Aliasing: `output` must not be `qkv` ([`Error::Aliased`]).
    ///
    /// Numerics: scores, softmax and sums in f32 (an online softmax in
    /// `exp2`), whichever the storage; the tests hold it within
    /// `2e-6 + 1e-5 |ref|` of f64 (plus one f16 ulp in f16), padded and
    /// all-padding sequences included.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::{AttentionDesc, SequenceDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, qkv: &Buffer<f32>, mask: &Buffer<u32>, out: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // 2 sequences of 16 tokens, 12 heads of 32 values.
    /// let desc = AttentionDesc::new(SequenceDesc::new(2, 16, 384), 12);
    /// ops.attention(&desc, qkv, mask, out).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn attention<T: Element>(
        &self,
        desc: &AttentionDesc,
        qkv: &Buffer<T>,
        mask: &Buffer<u32>,
        output: &Buffer<T>,
    ) -> Result<Op> {
        crate::named("attention", async {
            const OP: &str = "attention";
            let mut op = self.begin::<T>(OP)?;
            let Some(plan) = attention_plan(self, OP, desc, qkv, mask, output)? else {
                return Ok(op);
            };
            let AttentionDesc { seq: shape, heads, scale } = *desc;
            if self.device.is_cpu() {
                let sequences =
                    Sequences { batch: shape.batch as usize, seq: shape.seq as usize, hidden: shape.hidden as usize };
                let scores = RefCell::new(vec![0.0f32; sequences.seq * sequences.seq]);
                let [qkv, output] = f32s(OP, [qkv, output])?.map(Buffer::clone);
                let mask = mask.clone();
                return self.cpu_op(OP, move |device| {
                    let (x, m, mut output) = (cpu::read(device, &qkv)?, cpu::read(device, &mask)?, output.clone());
                    let mut out = cpu::write(device, &mut output)?;
                    let scores = &mut scores.borrow_mut();
                    cpu::transformer::attention(sequences, heads as usize, scale, &x, &m, &mut out, scores);
                    Ok(())
                });
            }
            let cache = &self.kernels.attention.attention;
            let key = key_of::<T>(plan.head_dim);
            let kernel = cache.borrow().iter().find(|(k, _)| *k == key).map(|(_, kernel)| kernel.clone());
            let kernel = match kernel {
                Some(kernel) => kernel,
                None => {
                    let head_dim = plan.head_dim;
                    let keys = keys_per_tile(head_dim);
                    let kernel = compile!(&self.device, T, wgsl / wgsl_f16::Attention, HEAD_DIM: head_dim, KEYS: keys);
                    cache.borrow_mut().push((key, kernel.clone()));
                    kernel
                }
            };
            let params = self.uniform(
                "attention shape",
                wgsl::AttentionParams {
                    batch: shape.batch,
                    seq: shape.seq,
                    hidden: shape.hidden,
                    heads,
                    scale: scale * std::f32::consts::LOG2_E,
                    blocks: plan.blocks,
                },
            )?;
            let bound = kernel.bind(
                &self.device,
                &[
                    (0, params.as_entire_binding()),
                    (1, qkv.as_entire_binding()),
                    (2, mask.as_entire_binding()),
                    (3, output.as_entire_binding()),
                ],
            )?;
            op.push(kernel.step(bound, self.grid(OP, plan.workgroups, kernel.size)?));
            Ok(op)
        })
        .await
    }
}

/// Keys per tile: the k and v tiles hold 256 vec4s each (8 KiB together),
/// and the scores of at most 32 keys fit the registers.
pub(crate) fn keys_per_tile(head_dim: u32) -> u32 {
    (256 / head_dim.div_ceil(4).max(1)).min(32)
}

/// What [`attention_plan`] found.
pub(crate) struct AttentionPlan {
    pub(crate) head_dim: u32,
    /// Blocks of queries per sequence.
    pub(crate) blocks: u32,
    pub(crate) workgroups: u64,
}

/// Checks an attention shape against its buffers: `None` when there is
/// nothing to compute.
pub(crate) fn attention_plan<T: bytemuck::Pod>(
    ops: &Ops,
    op: &'static str,
    desc: &AttentionDesc,
    qkv: &Buffer<T>,
    mask: &Buffer<u32>,
    output: &Buffer<T>,
) -> Result<Option<AttentionPlan>> {
    let AttentionDesc { seq: shape, heads, scale } = *desc;
    if !scale.is_finite() {
        return Err(Error::Shape { op, reason: format!("scale = {scale}; it must be finite") });
    }
    let total = shape.elements(op)?;
    if total == 0 {
        return Ok(None);
    }
    if heads == 0 || !shape.hidden.is_multiple_of(heads) {
        return Err(Error::Shape {
            op,
            reason: format!("hidden = {} is not a multiple of heads = {heads}", shape.hidden),
        });
    }
    let head_dim = shape.hidden / heads;
    if head_dim > MAX_HEAD_DIM {
        return Err(Error::Shape {
            op,
            reason: format!("head_dim = {head_dim} is more than the {MAX_HEAD_DIM} the kernel holds"),
        });
    }
    check_len(op, "qkv", qkv, elements(op, "qkv", &[total, 3])?)?;
    check_len(op, "mask", mask, shape.tokens(op)?)?;
    check_len(op, "output", output, total)?;
    ops.check_args(op, &[read("qkv", qkv), read("mask", mask), written("output", output)], None)?;
    let blocks = shape.seq.div_ceil(QUERIES);
    let workgroups = u64::from(blocks) * u64::from(heads) * u64::from(shape.batch);
    Ok(Some(AttentionPlan { head_dim, blocks, workgroups }))
}

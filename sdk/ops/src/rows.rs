//! Row-wise operations: [`Ops::softmax`] and [`Ops::layer_norm`].

use std::cell::RefCell;

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu;
use crate::{Error, Op, Ops, Result, cached, check_len, elements};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/rows.wgsl", "src/wgsl/tree_sum.wgsl"])]
pub(crate) mod wgsl {}

/// Rows up to this long take one invocation each (`softmax_narrow`,
/// `layer_norm_narrow`); longer rows a workgroup each. A workgroup's tree
/// reductions cost about 16 barriers per row whatever its length, which
/// measured 20 times the work of a 10-column row on lavapipe.
const NARROW: u32 = 64;

#[derive(Default)]
pub(crate) struct Kernels {
    softmax: RefCell<Option<wgsl::Softmax>>,
    softmax_narrow: RefCell<Option<wgsl::SoftmaxNarrow>>,
    layer_norm: RefCell<Option<wgsl::LayerNorm>>,
    layer_norm_narrow: RefCell<Option<wgsl::LayerNormNarrow>>,
}

/// A row-major `[rows, cols]` matrix processed row by row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RowsDesc {
    /// Rows.
    pub rows: u32,
    /// Columns: the length of each row.
    pub cols: u32,
}

impl RowsDesc {
    /// A `[rows, cols]` matrix.
    pub fn new(rows: u32, cols: u32) -> Self {
        Self { rows, cols }
    }
}

/// The shape of a layer normalisation: a `[rows, cols]` matrix normalised
/// per row, and the epsilon added to the variance.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LayerNormDesc {
    /// Rows.
    pub rows: u32,
    /// Columns: the length of each row, and of gamma and beta.
    pub cols: u32,
    /// Added to the variance before the square root; PyTorch's default is
    /// `1e-5`.
    pub eps: f32,
}

impl LayerNormDesc {
    /// A `[rows, cols]` matrix with `eps = 1e-5`.
    pub fn new(rows: u32, cols: u32) -> Self {
        Self { rows, cols, eps: 1e-5 }
    }
}

impl Ops {
    /// Prepares `output[r] = softmax(input[r])` for each row `r` of a
    /// `[rows, cols]` matrix: `exp(x - max) / Σ exp(x - max)`, subtracting
    /// the row's maximum so that no `exp` overflows. Rows of up to 64
    /// columns take one invocation each, longer rows one workgroup each.
    ///
    /// Layout: `input` and `output` are row-major `[rows, cols]`.
    ///
    /// Aliasing: `output` must not be `input` ([`Error::Aliased`]).
    ///
    /// Numerics: the tests hold it within `1e-7 + 1e-5 |ref|` of f64, over
    /// shapes from 1 × 1 to 3 × 5000 and rows of ±1000 (where an `exp`
    /// without the max subtracted overflows).
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::RowsDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, logits: &Buffer<f32>, probabilities: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // 32 rows of 10 classes.
    /// ops.softmax(&RowsDesc::new(32, 10), logits, probabilities).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn softmax(&self, desc: &RowsDesc, input: &Buffer<f32>, output: &Buffer<f32>) -> Result<Op> {
        crate::named("softmax", async {
            const OP: &str = "softmax";
            let Some(mut op) = self.rows_shape(OP, desc.rows, desc.cols, &[("input", input), ("output", output)])?
            else {
                return Ok(Op::new(OP, &self.device));
            };
            self.check_args(OP, &[read("input", input), written("output", output)], None)?;
            if self.device.is_cpu() {
                let (cols, input, output) = (desc.cols as usize, input.clone(), output.clone());
                let len = desc.rows as usize * cols;
                return self.cpu_op(OP, move |device| {
                    let (x, mut output) = (cpu::read(device, &input)?, output.clone());
                    cpu::rows::softmax(cols, &x[..len], &mut cpu::write(device, &mut output)?[..len]);
                    Ok(())
                });
            }
            let params =
                self.uniform("softmax shape", wgsl::RowParams { rows: desc.rows, cols: desc.cols, eps: 0.0 })?;
            let kernels = &self.kernels.rows;
            if desc.cols <= NARROW {
                let kernel =
                    cached(&kernels.softmax_narrow, wgsl::SoftmaxNarrow::pipeline(&self.device, &Default::default()))
                        .await?;
                let bindings = wgsl::SoftmaxNarrowBindings {
                    params: params.as_uniform(),
                    input: input.as_storage(),
                    output: output.as_storage_mut(),
                };
                let bound = kernel.bind(&self.device, &bindings)?;
                let size = kernel.workgroup_size();
                let threads = self.grid(OP, u64::from(desc.rows).div_ceil(u64::from(size[0])), size)?;
                op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
            } else {
                let kernel =
                    cached(&kernels.softmax, wgsl::Softmax::pipeline(&self.device, &Default::default())).await?;
                let bindings = wgsl::SoftmaxBindings {
                    params: params.as_uniform(),
                    input: input.as_storage(),
                    output: output.as_storage_mut(),
                };
                let bound = kernel.bind(&self.device, &bindings)?;
                let threads = self.grid(OP, desc.rows.into(), kernel.workgroup_size())?;
                op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
            }
            Ok(op)
        })
        .await
    }

    /// Prepares layer normalisation of each row of a `[rows, cols]` matrix:
    /// `(x - mean) / √(variance + eps) * gamma + beta`, with the biased
    /// variance (divided by `cols`) and `gamma`, `beta` of `cols` elements.
    /// The statistics take two passes over the row (mean, then squared
    /// deviations), which stays accurate where `E[x²] - E[x]²` would cancel.
    /// Rows of up to 64 columns take one invocation each, longer rows one
    /// workgroup each.
    ///
    /// Layout: `input` and `output` are row-major `[rows, cols]`; `gamma`
    /// and `beta` have `cols` elements.
    ///
    /// Aliasing: `input`, `gamma` and `beta` may share a buffer; `output`
    /// must be none of them ([`Error::Aliased`]).
    ///
    /// Numerics: the tests hold it within `2e-5 + 1e-5 |ref|` of f64 (outputs
    /// of order `3 gamma`); rows of `1000 ± 1` within `1e-3 + 1e-5 |ref|`
    /// (f32 inputs of 1000 carry only 6e-5 of resolution).
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::LayerNormDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, gamma: &Buffer<f32>, beta: &Buffer<f32>, y: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// let desc = LayerNormDesc::new(8, 384); // eps 1e-5 unless set
    /// ops.layer_norm(&desc, x, gamma, beta, y).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn layer_norm(
        &self,
        desc: &LayerNormDesc,
        input: &Buffer<f32>,
        gamma: &Buffer<f32>,
        beta: &Buffer<f32>,
        output: &Buffer<f32>,
    ) -> Result<Op> {
        crate::named("layer_norm", async {
            const OP: &str = "layer_norm";
            let LayerNormDesc { rows, cols, eps } = *desc;
            if !(eps >= 0.0 && eps.is_finite()) {
                return Err(Error::Shape {
                    op: OP,
                    reason: format!("eps = {eps}; it must be finite and not negative"),
                });
            }
            let Some(mut op) = self.rows_shape(OP, rows, cols, &[("input", input), ("output", output)])? else {
                return Ok(Op::new(OP, &self.device));
            };
            check_len(OP, "gamma", gamma, cols.into())?;
            check_len(OP, "beta", beta, cols.into())?;
            let args = [read("input", input), read("gamma", gamma), read("beta", beta), written("output", output)];
            self.check_args(OP, &args, None)?;
            if self.device.is_cpu() {
                let (cols, len) = (cols as usize, rows as usize * cols as usize);
                let buffers = [input.clone(), gamma.clone(), beta.clone(), output.clone()];
                return self.cpu_op(OP, move |device| {
                    let [input, gamma, beta, output] = &buffers;
                    let (x, g, b) = (cpu::read(device, input)?, cpu::read(device, gamma)?, cpu::read(device, beta)?);
                    let mut output = output.clone();
                    let mut out = cpu::write(device, &mut output)?;
                    cpu::rows::layer_norm(&x[..len], &g[..cols], &b[..cols], eps, &mut out[..len]);
                    Ok(())
                });
            }
            let params = self.uniform("layer_norm shape", wgsl::RowParams { rows, cols, eps })?;
            let kernels = &self.kernels.rows;
            if cols <= NARROW {
                let kernel = cached(
                    &kernels.layer_norm_narrow,
                    wgsl::LayerNormNarrow::pipeline(&self.device, &Default::default()),
                )
                .await?;
                let bindings = wgsl::LayerNormNarrowBindings {
                    params: params.as_uniform(),
                    input: input.as_storage(),
                    gamma: gamma.as_storage(),
                    beta: beta.as_storage(),
                    output: output.as_storage_mut(),
                };
                let bound = kernel.bind(&self.device, &bindings)?;
                let size = kernel.workgroup_size();
                let threads = self.grid(OP, u64::from(rows).div_ceil(u64::from(size[0])), size)?;
                op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
            } else {
                let kernel =
                    cached(&kernels.layer_norm, wgsl::LayerNorm::pipeline(&self.device, &Default::default())).await?;
                let bindings = wgsl::LayerNormBindings {
                    params: params.as_uniform(),
                    input: input.as_storage(),
                    gamma: gamma.as_storage(),
                    beta: beta.as_storage(),
                    output: output.as_storage_mut(),
                };
                let bound = kernel.bind(&self.device, &bindings)?;
                let threads = self.grid(OP, rows.into(), kernel.workgroup_size())?;
                op.push(Box::new(move |pass| kernel.dispatch_bound(pass, &bound, threads)));
            }
            Ok(op)
        })
        .await
    }

    /// Checks a row-wise shape against its buffers: `None` when there is no
    /// element to compute, else an empty [`Op`] to fill.
    fn rows_shape(
        &self,
        op: &'static str,
        rows: u32,
        cols: u32,
        buffers: &[(&'static str, &Buffer<f32>)],
    ) -> Result<Option<Op>> {
        let total = elements(op, "the matrix", &[rows.into(), cols.into()])?;
        if total == 0 {
            return Ok(None);
        }
        for &(name, buffer) in buffers {
            check_len(op, name, buffer, total)?;
        }
        Ok(Some(Op::new(op, &self.device)))
    }
}

//! [`Ops::linear`]: nn.Linear, the tiled matmul with a fused bias and
//! activation epilogue.

use wasi_webgpu::Buffer;

use crate::args::{Arg, read, written};
use crate::cpu;
use crate::element::{f32s, kernel};
use crate::large::{Key, Product};
use crate::matmul::{wgsl, wgsl_f16};
use crate::tiling::{self, Plan, Shape, Tiling};
use crate::{Accumulate, Element, Op, Ops, Result, check_len, elements};

/// The activation applied to `x · Wᵀ + b` inside [`Ops::linear`]'s kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Activation {
    /// None: the affine map alone.
    #[default]
    None,
    /// Exact GELU, `0.5 x (1 + erf(x / √2))`, what BERT uses; `erf` is
    /// within about 6e-8 of the exact value (WGSL has none).
    GeluErf,
    /// GELU's tanh approximation, `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
    GeluTanh,
    /// `max(x, 0)`.
    Relu,
}

impl Activation {
    /// The shader's `ACTIVATION` override.
    pub(crate) fn code(self) -> u32 {
        match self {
            Activation::None => 0,
            Activation::GeluErf => 1,
            Activation::GeluTanh => 2,
            Activation::Relu => 3,
        }
    }
}

/// The shape of `y = x · Wᵀ + b` (PyTorch's `nn.Linear` layout): `x` is
/// `[rows, in_features]`, `weight` `[out_features, in_features]`, `bias`
/// `[out_features]`, `y` `[rows, out_features]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LinearDesc {
    /// Rows of the input and output (tokens, for a transformer).
    pub rows: u32,
    /// Columns of the input and of the weight.
    pub in_features: u32,
    /// Columns of the output: rows of the weight, length of the bias.
    pub out_features: u32,
    /// Applied to each output element after the bias.
    pub activation: Activation,
    /// The kernel configuration; [`Tiling::Auto`] unless set.
    pub tiling: Tiling,
    /// The sums of an f16 linear; [`Accumulate::F32`] unless set. An f32
    /// linear ignores it.
    pub accumulate: Accumulate,
}

impl LinearDesc {
    /// `[rows, in_features]` to `[rows, out_features]` without activation.
    pub fn new(rows: u32, in_features: u32, out_features: u32) -> Self {
        Self {
            rows,
            in_features,
            out_features,
            activation: Activation::None,
            tiling: Tiling::Auto,
            accumulate: Accumulate::F32,
        }
    }

    /// The same shape with `activation`.
    pub fn with_activation(self, activation: Activation) -> Self {
        Self { activation, ..self }
    }

    /// The same shape with `tiling` rather than the one [`Tiling::Auto`]
    /// picks.
    pub fn with_tiling(self, tiling: Tiling) -> Self {
        Self { tiling, ..self }
    }

    /// Sums an f16 linear's products as `accumulate` says.
    pub fn with_accumulate(self, accumulate: Accumulate) -> Self {
        Self { accumulate, ..self }
    }

    /// The product as the tiling chooser sees it: `x · Wᵀ`.
    pub(crate) fn shape(&self) -> Shape {
        Shape {
            m: self.rows.into(),
            n: self.out_features.into(),
            k: self.in_features.into(),
            batch: 1,
            transpose_a: false,
            transpose_b: true,
            strides: [0; 3],
        }
    }
}

impl Ops {
    /// Prepares `output = activation(input · weightᵀ + bias)` over `f32` or
    /// [`F16`](wasi_webgpu::F16) tensors ([`Element`]); see [`LinearDesc`]. One dispatch of [`Ops::matmul`]'s kernel (64 × 64 or
    /// 128 × 128 tiles, as `desc.tiling` resolves), with the bias and
    /// activation applied in registers before the store, so the
    /// pre-activation never goes through memory. `in_features = 0` gives
    /// `activation(bias)`. Fails when a buffer is shorter than the shape
    /// needs, the grid of tiles exceeds the dispatch limit, or a forced
    /// tiling cannot take the shape or the device.
    ///
    /// Layout: row-major, PyTorch's: `weight` is `[out_features, in_features]`
    /// (so the product is `input · weightᵀ`), `bias` has `out_features`
    /// elements.
    ///
    /// Aliasing: `input`, `weight` and `bias` are only read and may share a
    /// buffer; `output` must be none of them ([`Error::Aliased`](crate::Error::Aliased)).
    ///
    /// Numerics: f32 dot products as [`Ops::matmul`]'s, the bias and
    /// activation in f32 registers; the tests hold it within
    /// `2e-6 + 1.2 k ε Σ|terms| + 2e-7 |y|` of f64, for each [`Activation`].
    /// Over f16, the sums are as `desc.accumulate` says (by default in f32,
    /// each output rounded once to f16; see [`Accumulate`]); the bias and
    /// activation are applied in f32.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::{Activation, LinearDesc};
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<f32>, w: &Buffer<f32>, b: &Buffer<f32>, y: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // 8 rows of 384 features into 1536, then exact GELU: a BERT feed-forward layer.
    /// let desc = LinearDesc::new(8, 384, 1536).with_activation(Activation::GeluErf);
    /// ops.linear(&desc, x, w, b, y).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn linear<T: Element>(
        &self,
        desc: &LinearDesc,
        input: &Buffer<T>,
        weight: &Buffer<T>,
        bias: &Buffer<T>,
        output: &Buffer<T>,
    ) -> Result<Op> {
        crate::named("linear", async {
            const OP: &str = "linear";
            let mut op = self.begin::<T>(OP)?;
            let LinearDesc { rows, in_features, out_features, activation, tiling, accumulate } = *desc;
            let (precision, slices) = accumulate.large::<T>();
            let workgroup_bytes = self.device.limits().max_compute_workgroup_storage_size;
            let plan = tiling::plan(OP, tiling, &desc.shape(), workgroup_bytes, slices)?;
            let Some(grid) = self.linear_plan(OP, desc, input, weight, bias, output, plan.tile())? else {
                return Ok(op);
            };
            if self.device.is_cpu() {
                let (m, n, k) = (rows as usize, out_features as usize, in_features as usize);
                let buffers = f32s(OP, [input, weight, bias, output])?.map(Buffer::clone);
                return self.cpu_op(OP, move |device| {
                    let [input, weight, bias, output] = &buffers;
                    let b = cpu::read(device, bias)?;
                    let (x, w) = if k == 0 {
                        (None, None)
                    } else {
                        (Some(cpu::read(device, input)?), Some(cpu::read(device, weight)?))
                    };
                    let mut output = output.clone();
                    let mut y = cpu::write(device, &mut output)?;
                    let (x, w) = (x.as_deref().unwrap_or(&[]), w.as_deref().unwrap_or(&[]));
                    cpu::matmul::linear(m, k, n, activation, x, w, &b[..n], &mut y);
                    Ok(())
                });
            }
            // With no input features the product reads nothing, and an empty
            // input or weight could not be bound: the bias stands in.
            let (a, b) = if in_features == 0 { (bias, bias) } else { (input, weight) };
            if let Plan::Tile128 { bk, checked } = plan {
                let key = Key::linear(precision, activation, bk, checked);
                op.push(self.large_step(key, &Product::linear(desc), a, b, output, Some(bias)).await?);
                return Ok(op);
            }
            let cells = &self.kernels.matmul.linear[activation.code() as usize];
            let kernel = kernel!(
                &self.device,
                cells,
                T,
                wgsl / wgsl_f16::Linear,
                TRANSPOSE_A: false,
                TRANSPOSE_B: true,
                ACTIVATION: activation.code(),
            );
            let params = self.uniform(
                "linear shape",
                wgsl::MatmulParams { m: rows, n: out_features, k: in_features, stride_a: 0, stride_b: 0, stride_c: 0 },
            )?;
            let bound = kernel.bind(
                &self.device,
                &[
                    (0, params.as_entire_binding()),
                    (1, a.as_entire_binding()),
                    (2, b.as_entire_binding()),
                    (3, output.as_entire_binding()),
                    (4, bias.as_entire_binding()),
                ],
            )?;
            let [wx, wy, _] = kernel.size;
            op.push(kernel.step(bound, wasi_webgpu::Threads::xy(grid[0] * wx, grid[1] * wy)));
            Ok(op)
        })
        .await
    }

    /// Checks a linear shape against its buffers: `None` when there is no
    /// output, else the grid of `tile` × `tile` tiles (columns, rows).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn linear_plan<T: bytemuck::Pod>(
        &self,
        op: &'static str,
        desc: &LinearDesc,
        input: &Buffer<T>,
        weight: &Buffer<T>,
        bias: &Buffer<T>,
        output: &Buffer<T>,
        tile: u64,
    ) -> Result<Option<[u32; 2]>> {
        let (m, n, k) = (u64::from(desc.rows), u64::from(desc.out_features), u64::from(desc.in_features));
        let size_input = elements(op, "input", &[m, k])?;
        let size_weight = elements(op, "weight", &[n, k])?;
        let size_output = elements(op, "output", &[m, n])?;
        if size_output == 0 {
            return Ok(None);
        }
        check_len(op, "input", input, size_input)?;
        check_len(op, "weight", weight, size_weight)?;
        check_len(op, "bias", bias, n)?;
        check_len(op, "output", output, size_output)?;
        // With no input features the bias is bound in place of the
        // (possibly empty) input and weight.
        let bound = |arg: Arg| if k == 0 { arg.binds(0) } else { arg };
        let args = [bound(read("input", input)), bound(read("weight", weight)), read("bias", bias)];
        self.check_args(op, &[args[0], args[1], args[2], written("output", output)], None)?;
        let max = self.device.limits().max_compute_workgroups_per_dimension;
        Ok(Some(tiling::tile_grid(op, [m, n, 1], tile, max)?))
    }
}

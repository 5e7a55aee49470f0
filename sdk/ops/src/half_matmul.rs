//! The f16 matrix products, [`Ops::matmul_f16`] and [`Ops::linear_f16`],
//! and their choice of sums, [`Accumulate`].
//!
//! They run the f32 products' kernels over f16 storage: `matmul_f16.wgsl`'s
//! 64 × 64 tiles, or `matmul_large_f16.wgsl`'s 128 × 128 ones where
//! [`Tiling`](crate::Tiling) resolves to them by the f32 products' rules.

use std::cell::RefCell;

use wasi_webgpu::{Buffer, F16, Threads};

use crate::half::{bind, step};
use crate::large::{Key, Precision, Product};
use crate::matmul::Checked;
use crate::tiling::{self, F16_SLICES, F32_SLICES, Plan};
use crate::{LinearDesc, MatmulDesc, Op, Ops, Result, cached};

#[allow(dead_code)]
#[wasi_webgpu::shader(path = "src/wgsl/matmul_f16.wgsl")]
mod matmul {}

/// How an f16 matrix product ([`Ops::matmul_f16`], [`Ops::linear_f16`])
/// sums its products: the `accumulate` of [`MatmulDesc`] and [`LinearDesc`].
///
/// Each product of two f16 values is exact in f32 either way; the choice is
/// where the sums are rounded. Overflow past f16's largest value (65504) is
/// infinite in the output in both, and, with f16 sums, as soon as a partial
/// sum passes it. The CPU device has no `shader-f16`: the f16 products
/// there are [`wasi_webgpu::Error::MissingFeature`] whichever the sums, as
/// every f16 op is (there is no CPU emulation of either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Accumulate {
    /// Sums in f32, rounded once to f16 at the store: each output is within
    /// one f16 rounding (2⁻¹¹ relative where the device rounds to nearest,
    /// 2⁻¹⁰ whichever way it rounds) of the f32 result of the same f16
    /// inputs, whose own error is f32's `k · 2⁻²⁴ · Σ|aᵢ bᵢ|` at most. Every
    /// kernel, 64 or 128 tiles, computes it.
    #[default]
    F32,
    /// Sums in f16 (the 128 tile kernels' `_h` entry points: packed f16
    /// FMAs, twice f32's rate on GPUs that have them, and f16 slices twice
    /// as deep in the same workgroup memory): every partial sum is rounded
    /// to f16, so the error grows with `k`: at most about
    /// `k · 2⁻¹¹ · Σ|aᵢ bᵢ|` (plus `k · 2⁻²⁵` where partial sums are f16
    /// subnormals), in practice a few f16 roundings of the partial sums'
    /// size. The ops guest measured at most 2.7 × 10⁻³ `Σ|aᵢ bᵢ|` for k from
    /// 8 to 1028 (inputs uniform in [-1, 1), on lavapipe), where f32 sums
    /// stayed within 4.7 × 10⁻⁴ `Σ|aᵢ bᵢ|` (the output's one rounding): use
    /// it where a few bits of the result can go. The bias and activation of
    /// [`Ops::linear_f16`] are applied in f32 after the sum.
    ///
    /// Where the product runs on 64 × 64 tiles ([`Tiling::Tile64`](crate::Tiling::Tile64),
    /// or what [`Tiling::Auto`](crate::Tiling::Auto) picks for small or
    /// non-vec4 shapes), which have no f16 sums, it sums in f32 as
    /// [`Accumulate::F32`] does: within the bound above too, and more
    /// accurate.
    F16,
}

/// The compiled 64 tile f16 pipelines, by variant, filled on first use.
#[derive(Default)]
pub(crate) struct Kernels {
    /// By `TRANSPOSE_A | TRANSPOSE_B << 1`.
    matmul: [RefCell<Option<matmul::Matmul>>; 4],
    /// By activation code.
    linear: [RefCell<Option<matmul::Linear>>; 4],
}

impl Accumulate {
    /// The 128 tile kernel family and its slice depths.
    fn large(self) -> (Precision, [u32; 2]) {
        match self {
            Accumulate::F32 => (Precision::F16, F32_SLICES),
            Accumulate::F16 => (Precision::F16Sums, F16_SLICES),
        }
    }
}

impl Ops {
    /// [`Ops::matmul`] over f16 matrices: `c = op(a) · op(b)` with the
    /// shapes, layouts, batch strides, tilings, checks and errors of
    /// [`MatmulDesc`], summed as `desc.accumulate` says (see [`Accumulate`]
    /// for each one's error bound). Needs `shader-f16`
    /// ([`wasi_webgpu::Error::MissingFeature`] otherwise, checked first):
    /// the CPU device has no `shader-f16`, so there, as with every f16 op,
    /// preparing it is that error.
    ///
    /// Shapes, layout and aliasing as [`Ops::matmul`]'s. Numerics: see
    /// [`Accumulate`]; with f32 sums each output is within one f16 ulp
    /// (2⁻¹⁰ relative) of the f32 product of the same f16 inputs.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, F16, Queue};
    /// use wasi_webgpu_ops::MatmulDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, a: &Buffer<F16>, b: &Buffer<F16>, c: &Buffer<F16>) -> wasi_webgpu_ops::Result<()> {
    /// ops.matmul_f16(&MatmulDesc::new(64, 64, 64), a, b, c).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn matmul_f16(&self, desc: &MatmulDesc, a: &Buffer<F16>, b: &Buffer<F16>, c: &Buffer<F16>) -> Result<Op> {
        crate::named("matmul_f16", async {
            const OP: &str = "matmul_f16";
            self.require_f16(OP)?;
            let mut op = Op::new(OP, &self.device);
            let (precision, slices) = desc.accumulate.large();
            let Some(Checked { product, plan, grid }) = self.matmul_plan(OP, desc, a, b, c, slices)? else {
                return Ok(op);
            };
            let MatmulDesc { m, n, k, batch, transpose_a, transpose_b, .. } = *desc;
            if let Plan::Tile128 { bk, checked } = plan {
                let key = Key::matmul(precision, transpose_a, transpose_b, bk, checked);
                op.push(self.large_step(key, &product, a, b, c, None).await?);
                return Ok(op);
            }
            let variant = usize::from(transpose_a) | usize::from(transpose_b) << 1;
            let overrides = matmul::Overrides {
                TRANSPOSE_A: Some(transpose_a),
                TRANSPOSE_B: Some(transpose_b),
                ..Default::default()
            };
            let cell = &self.kernels.half_matmul.matmul[variant];
            let kernel = cached(cell, matmul::Matmul::pipeline(&self.device, &overrides)).await?;
            let [stride_a, stride_b, stride_c] = product.strides;
            let params =
                self.uniform("matmul_f16 shape", matmul::MatmulParams { m, n, k, stride_a, stride_b, stride_c })?;
            let bound = bind(
                &self.device,
                kernel.bind_group_layouts(),
                &[
                    (0, params.as_entire_binding()),
                    (1, a.as_entire_binding()),
                    (2, b.as_entire_binding()),
                    (3, c.as_entire_binding()),
                ],
            )?;
            let [wx, wy, _] = kernel.workgroup_size();
            let threads = Threads([grid[0] * wx, grid[1] * wy, batch]);
            op.push(step(kernel.compute_pipeline().clone(), bound, threads, kernel.workgroup_size()));
            Ok(op)
        })
        .await
    }

    /// [`Ops::linear`] over f16 tensors, with its tilings, summed as
    /// `desc.accumulate` says (by default in f32, each output rounded once
    /// to f16; see [`Accumulate`]); the bias and activation are applied in
    /// f32. Needs `shader-f16` ([`wasi_webgpu::Error::MissingFeature`]
    /// otherwise, and always on the CPU device).
    ///
    /// Shapes, layout and aliasing as [`Ops::linear`]'s.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, F16, Queue};
    /// use wasi_webgpu_ops::LinearDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, x: &Buffer<F16>, w: &Buffer<F16>, b: &Buffer<F16>, y: &Buffer<F16>) -> wasi_webgpu_ops::Result<()> {
    /// ops.linear_f16(&LinearDesc::new(8, 384, 1152), x, w, b, y).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn linear_f16(
        &self,
        desc: &LinearDesc,
        input: &Buffer<F16>,
        weight: &Buffer<F16>,
        bias: &Buffer<F16>,
        output: &Buffer<F16>,
    ) -> Result<Op> {
        crate::named("linear_f16", async {
            const OP: &str = "linear_f16";
            self.require_f16(OP)?;
            let mut op = Op::new(OP, &self.device);
            let LinearDesc { rows, in_features, out_features, activation, tiling, accumulate } = *desc;
            let (precision, slices) = accumulate.large();
            let workgroup_bytes = self.device.limits().max_compute_workgroup_storage_size;
            let plan = tiling::plan(OP, tiling, &desc.shape(), workgroup_bytes, slices)?;
            let Some(grid) = self.linear_plan(OP, desc, input, weight, bias, output, plan.tile())? else {
                return Ok(op);
            };
            // With no input features the product reads nothing, and an empty
            // input or weight could not be bound: the bias stands in.
            let (a, b) = if in_features == 0 { (bias, bias) } else { (input, weight) };
            if let Plan::Tile128 { bk, checked } = plan {
                let key = Key::linear(precision, activation, bk, checked);
                op.push(self.large_step(key, &Product::linear(desc), a, b, output, Some(bias)).await?);
                return Ok(op);
            }
            let overrides = matmul::Overrides {
                TRANSPOSE_A: Some(false),
                TRANSPOSE_B: Some(true),
                ACTIVATION: Some(activation.code()),
            };
            let cell = &self.kernels.half_matmul.linear[activation.code() as usize];
            let kernel = cached(cell, matmul::Linear::pipeline(&self.device, &overrides)).await?;
            let params = self.uniform(
                "linear_f16 shape",
                matmul::MatmulParams {
                    m: rows,
                    n: out_features,
                    k: in_features,
                    stride_a: 0,
                    stride_b: 0,
                    stride_c: 0,
                },
            )?;
            let bound = bind(
                &self.device,
                kernel.bind_group_layouts(),
                &[
                    (0, params.as_entire_binding()),
                    (1, a.as_entire_binding()),
                    (2, b.as_entire_binding()),
                    (3, output.as_entire_binding()),
                    (4, bias.as_entire_binding()),
                ],
            )?;
            let [wx, wy, _] = kernel.workgroup_size();
            let threads = Threads([grid[0] * wx, grid[1] * wy, 1]);
            op.push(step(kernel.compute_pipeline().clone(), bound, threads, kernel.workgroup_size()));
            Ok(op)
        })
        .await
    }
}

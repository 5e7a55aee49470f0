//! [`Ops::matmul`]: the tiled, batched matrix product.

use wasi_webgpu::Buffer;

use crate::args::{read, written};
use crate::cpu;
use crate::element::{Cells, f32s, kernel};
use crate::large::{Key, Product};
use crate::tiling::{self, Plan, Shape, Tiling};
use crate::{Accumulate, Element, Error, Op, Ops, Result, check_len, elements};

// The shader's generated items that the ops do not use are not dead weight
// in the component: only what is called is linked. Bound by binding number
// (crate::element::Kernel), through one body for both element types.
#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f32.wgsl", "src/wgsl/matmul.wgsl", "src/wgsl/matmul_epilogue.wgsl", "src/wgsl/erf.wgsl"])]
pub(crate) mod wgsl {}

#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f16.wgsl", "src/wgsl/matmul.wgsl", "src/wgsl/matmul_epilogue.wgsl", "src/wgsl/erf.wgsl"])]
pub(crate) mod wgsl_f16 {}

/// The compiled 64 tile pipelines, each element type's, filled on first use.
#[derive(Default)]
pub(crate) struct Kernels {
    /// By `TRANSPOSE_A | TRANSPOSE_B << 1`.
    pub(crate) matmul: [Cells; 4],
    /// By activation code.
    pub(crate) linear: [Cells; 4],
}

/// The shape of `C = op(A) · op(B)`, batched.
///
/// `op(A)` is `m × k` and `op(B)` is `k × n`, so `C` is `m × n`, all
/// row-major. With `transpose_a`, A is stored `k × m` and used transposed
/// (likewise B, stored `n × k`), so `Aᵀ·B` and `A·Bᵀ` need no transposed
/// copy. With `batch > 1`, matrix `i` of each operand starts `i * stride`
/// elements into its buffer; the strides default to the matrices' sizes
/// (packed batches), and a stride of 0 uses one matrix for every batch
/// entry (for example shared weights). `tiling` picks the kernel; the
/// default, [`Tiling::Auto`], chooses by shape. `accumulate` is how a
/// product of [`F16`](wasi_webgpu::F16) matrices sums (f32 unless set); an
/// f32 product always sums in f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatmulDesc {
    /// Rows of `op(A)` and `C`.
    pub m: u32,
    /// Columns of `op(B)` and `C`.
    pub n: u32,
    /// Columns of `op(A)`, rows of `op(B)`: the length of each dot product.
    pub k: u32,
    /// Number of products.
    pub batch: u32,
    /// Use A transposed: A is stored `k × m`.
    pub transpose_a: bool,
    /// Use B transposed: B is stored `n × k`.
    pub transpose_b: bool,
    /// Elements between batch entries of A; `None` is `m * k`.
    pub stride_a: Option<u32>,
    /// Elements between batch entries of B; `None` is `k * n`.
    pub stride_b: Option<u32>,
    /// Elements between batch entries of C; `None` is `m * n`. At least
    /// `m * n` when `batch > 1`, so the products do not overlap.
    pub stride_c: Option<u32>,
    /// The kernel configuration; [`Tiling::Auto`] unless set.
    pub tiling: Tiling,
    /// The sums of an f16 product; [`Accumulate::F32`] unless set. An f32
    /// product ignores it.
    pub accumulate: Accumulate,
}

impl Default for MatmulDesc {
    fn default() -> Self {
        Self::new(0, 0, 0)
    }
}

impl MatmulDesc {
    /// One `m × k` by `k × n` product.
    pub fn new(m: u32, n: u32, k: u32) -> Self {
        Self {
            m,
            n,
            k,
            batch: 1,
            transpose_a: false,
            transpose_b: false,
            stride_a: None,
            stride_b: None,
            stride_c: None,
            tiling: Tiling::Auto,
            accumulate: Accumulate::F32,
        }
    }

    /// `batch` products, packed one after another in each buffer.
    pub fn batched(self, batch: u32) -> Self {
        Self { batch, ..self }
    }

    /// Uses A transposed (stored `k × m`).
    pub fn transpose_a(self) -> Self {
        Self { transpose_a: true, ..self }
    }

    /// Uses B transposed (stored `n × k`).
    pub fn transpose_b(self) -> Self {
        Self { transpose_b: true, ..self }
    }

    /// Sets the batch strides of A, B and C, in elements.
    pub fn strides(self, a: u32, b: u32, c: u32) -> Self {
        Self { stride_a: Some(a), stride_b: Some(b), stride_c: Some(c), ..self }
    }

    /// Runs the product with `tiling` rather than the one
    /// [`Tiling::Auto`] picks.
    pub fn with_tiling(self, tiling: Tiling) -> Self {
        Self { tiling, ..self }
    }

    /// Sums an f16 product as `accumulate` says.
    pub fn with_accumulate(self, accumulate: Accumulate) -> Self {
        Self { accumulate, ..self }
    }

    /// Floating-point operations of the product: `2 m n k` per batch entry,
    /// saturating at `u64::MAX` (four u32 factors can exceed u64).
    pub fn flops(&self) -> u64 {
        [self.m, self.n, self.k, self.batch].into_iter().fold(2u64, |acc, f| acc.saturating_mul(u64::from(f)))
    }
}

/// A matmul checked by [`Ops::matmul_plan`].
pub(crate) struct Checked {
    pub(crate) product: Product,
    pub(crate) plan: Plan,
    pub(crate) grid: [u32; 2],
}

impl Ops {
    /// Prepares `c = op(a) · op(b)` for the shape `desc`, over `f32` or
    /// [`F16`](wasi_webgpu::F16) matrices ([`Element`]); see [`MatmulDesc`].
    ///
    /// Each workgroup computes a 64 × 64 tile of C, 8 × 4 elements per
    /// invocation, staging 64 × 16 slices of A and B in workgroup memory; or,
    /// for products large enough to fill a GPU with them, a 128 × 128 tile
    /// with vec4 loads (see [`Tiling`]). Any `m`, `n`, `k` works; `k = 0`
    /// writes zeros. Fails when a buffer is shorter than the shape and
    /// strides need, the grid of tiles (`⌈n/64⌉ × ⌈m/64⌉ × batch` for 64 × 64
    /// ones) exceeds the dispatch limit, or a forced `tiling` cannot take the
    /// shape or the device.
    ///
    /// Aliasing: `a` and `b` may be the same buffer (`aᵀ·a` with
    /// `transpose_a`); `c` must be neither ([`Error::Aliased`]).
    ///
    /// Numerics: each element is an f32 dot product summed in tile order;
    /// the tests hold it within `1e-6 + k ε Σ_p |a_ip b_pj|` (ε = 2⁻²³, the
    /// classical bound for a sum of `k` products) of an f64 product, over
    /// `m × n × k` from 1 × 1 × 1 to 100 × 70 × 1000 (65 × 63 × 129 among
    /// them), transposed and batched. Over f16, the sums are as
    /// `desc.accumulate` says (see [`Accumulate`] for each one's error
    /// bound); with f32 sums each output is within one f16 ulp (2⁻¹⁰
    /// relative) of the f32 product of the same f16 inputs.
    ///
    /// ```no_run
    /// # use wasi_webgpu::{Buffer, Queue};
    /// use wasi_webgpu_ops::MatmulDesc;
    /// # async fn demo(ops: &wasi_webgpu_ops::Ops, queue: &Queue, a: &Buffer<f32>, b: &Buffer<f32>, c: &Buffer<f32>) -> wasi_webgpu_ops::Result<()> {
    /// // Four products of [2, 3] by [3, 5], packed one after another in each buffer.
    /// let desc = MatmulDesc::new(2, 5, 3).batched(4);
    /// ops.matmul(&desc, a, b, c).await?.submit(queue).await?;
    /// # Ok(()) }
    /// ```
    pub async fn matmul<T: Element>(
        &self,
        desc: &MatmulDesc,
        a: &Buffer<T>,
        b: &Buffer<T>,
        c: &Buffer<T>,
    ) -> Result<Op> {
        crate::named("matmul", async {
            const OP: &str = "matmul";
            let mut op = self.begin::<T>(OP)?;
            let (precision, slices) = desc.accumulate.large::<T>();
            let Some(Checked { product, plan, grid }) = self.matmul_plan(OP, desc, a, b, c, slices)? else {
                return Ok(op);
            };
            let MatmulDesc { m, n, k, batch, transpose_a, transpose_b, .. } = *desc;
            let [stride_a, stride_b, stride_c] = product.strides;
            if self.device.is_cpu() {
                let product = cpu::matmul::Matmul {
                    m: m as usize,
                    n: n as usize,
                    k: k as usize,
                    batch: batch as usize,
                    transpose_a,
                    transpose_b,
                    strides: [stride_a as usize, stride_b as usize, stride_c as usize],
                };
                let [a, b, c] = f32s(OP, [a, b, c])?.map(Buffer::clone);
                return self.cpu_op(OP, move |device| {
                    let (a, b, mut c) = (cpu::read(device, &a)?, cpu::read(device, &b)?, c.clone());
                    product.run(&a, &b, &mut cpu::write(device, &mut c)?);
                    Ok(())
                });
            }
            if let Plan::Tile128 { bk, checked } = plan {
                let key = Key::matmul(precision, transpose_a, transpose_b, bk, checked);
                op.push(self.large_step(key, &product, a, b, c, None).await?);
                return Ok(op);
            }
            let variant = usize::from(transpose_a) | usize::from(transpose_b) << 1;
            let cells = &self.kernels.matmul.matmul[variant];
            let kernel = kernel!(
                &self.device,
                cells,
                T,
                wgsl / wgsl_f16::Matmul,
                TRANSPOSE_A: transpose_a,
                TRANSPOSE_B: transpose_b,
            );
            let params = self.uniform("matmul shape", wgsl::MatmulParams { m, n, k, stride_a, stride_b, stride_c })?;
            let bound = kernel.bind(
                &self.device,
                &[
                    (0, params.as_entire_binding()),
                    (1, a.as_entire_binding()),
                    (2, b.as_entire_binding()),
                    (3, c.as_entire_binding()),
                ],
            )?;
            let [wx, wy, _] = kernel.size;
            op.push(kernel.step(bound, wasi_webgpu::Threads::xyz(grid[0] * wx, grid[1] * wy, batch)));
            Ok(op)
        })
        .await
    }

    /// Checks a matmul shape against its buffers and the device, and picks
    /// its kernel (a 128 tile one of slice depths `slices`): `None` when C
    /// is empty, else the product with its strides resolved, the plan, and
    /// the grid of tiles (columns, rows).
    pub(crate) fn matmul_plan<T: bytemuck::Pod>(
        &self,
        op: &'static str,
        desc: &MatmulDesc,
        a: &Buffer<T>,
        b: &Buffer<T>,
        c: &Buffer<T>,
        slices: [u32; 2],
    ) -> Result<Option<Checked>> {
        let MatmulDesc { m, n, k, batch, transpose_a, transpose_b, .. } = *desc;
        let (m64, n64, k64) = (u64::from(m), u64::from(n), u64::from(k));
        let size_a = elements(op, "A", &[m64, k64])?;
        let size_b = elements(op, "B", &[k64, n64])?;
        let size_c = elements(op, "C", &[m64, n64])?;
        let stride_a = desc.stride_a.map_or(size_a, u64::from);
        let stride_b = desc.stride_b.map_or(size_b, u64::from);
        let stride_c = desc.stride_c.map_or(size_c, u64::from);
        if batch > 1 && stride_c < size_c {
            return Err(Error::Shape {
                op,
                reason: format!(
                    "stride_c = {stride_c} is less than m * n = {size_c}: batch entries of C would overlap"
                ),
            });
        }
        if size_c == 0 || batch == 0 {
            return Ok(None);
        }
        // The last batch entry's end, which the buffer must reach.
        let extent = |stride: u64, size: u64, what: &str| {
            (u64::from(batch) - 1)
                .checked_mul(stride)
                .and_then(|start| start.checked_add(size))
                .filter(|&end| end <= u64::from(u32::MAX))
                .ok_or_else(|| Error::Shape { op, reason: format!("{what} spans more than 2^32 - 1 elements") })
        };
        check_len(op, "a", a, extent(stride_a, size_a, "A")?)?;
        check_len(op, "b", b, extent(stride_b, size_b, "B")?)?;
        check_len(op, "c", c, extent(stride_c, size_c, "C")?)?;
        self.check_args(op, &[read("a", a), read("b", b), written("c", c)], None)?;

        let shape = Shape {
            m: m64,
            n: n64,
            k: k64,
            batch: batch.into(),
            transpose_a,
            transpose_b,
            strides: [stride_a, stride_b, stride_c],
        };
        let limits = self.device.limits();
        let plan = tiling::plan(op, desc.tiling, &shape, limits.max_compute_workgroup_storage_size, slices)?;
        let grid =
            tiling::tile_grid(op, [m64, n64, batch.into()], plan.tile(), limits.max_compute_workgroups_per_dimension)?;
        // Each stride is a u32 of `desc` or an element count `elements` kept
        // within u32.
        let strides = [stride_a as u32, stride_b as u32, stride_c as u32];
        Ok(Some(Checked { product: Product { m, n, k, batch, strides }, plan, grid }))
    }
}

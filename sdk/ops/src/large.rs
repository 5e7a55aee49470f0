//! The 128 × 128 tile kernels (`wgsl/matmul_large.wgsl`, over f32, f16
//! storage with f32 sums, or f16 storage and sums) behind
//! [`Tiling::Tile128`](crate::Tiling::Tile128) and
//! [`Tiling::Tile128Deep`](crate::Tiling::Tile128Deep): their pipelines,
//! cached by configuration, and their dispatch.

use std::cell::RefCell;

use wasi_webgpu::Buffer;

use crate::element::{Kernel, pipeline};
use crate::{Activation, GpuStep, LinearDesc, Ops, Result};

// Bound by binding number, not through the generated bindings: the kernel
// reads the `Buffer<f32>`s as `array<vec4<f32>>`.
#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f32.wgsl", "src/wgsl/matmul_large.wgsl", "src/wgsl/matmul_epilogue.wgsl", "src/wgsl/erf.wgsl"])]
mod wgsl {}

// Likewise, and the generated bindings would type its f16 as u16.
#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f16.wgsl", "src/wgsl/matmul_large.wgsl", "src/wgsl/matmul_epilogue.wgsl", "src/wgsl/erf.wgsl"])]
mod wgsl_f16 {}

#[allow(dead_code)]
#[wasi_webgpu::shader(path = ["src/wgsl/f16_sums.wgsl", "src/wgsl/matmul_large.wgsl", "src/wgsl/matmul_epilogue.wgsl", "src/wgsl/erf.wgsl"])]
mod wgsl_f16_sums {}

/// The storage and sums of a 128 tile kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    /// f32 storage and sums (after f32.wgsl).
    F32,
    /// f16 storage, f32 sums (after f16.wgsl).
    F16,
    /// f16 storage and sums (after f16_sums.wgsl).
    F16Sums,
}

/// Rows and columns of C per workgroup.
const TILE: u32 = 128;

/// One configuration of the 128 tile kernels: each is its own pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    /// Which kernel file and entry point family.
    pub(crate) precision: Precision,
    /// The `linear` entry point (bias + activation), else `matmul`.
    pub(crate) linear: bool,
    /// The `ACTIVATION` override (linear only).
    pub(crate) activation: u32,
    pub(crate) transpose_a: bool,
    pub(crate) transpose_b: bool,
    /// The slice depth, `BK`.
    pub(crate) bk: u32,
    /// Bounds checks on (`CHECKED`).
    pub(crate) checked: bool,
}

impl Key {
    /// The configuration of a product `op(A) · op(B)`.
    pub(crate) fn matmul(precision: Precision, transpose_a: bool, transpose_b: bool, bk: u32, checked: bool) -> Self {
        Key { precision, linear: false, activation: 0, transpose_a, transpose_b, bk, checked }
    }

    /// The configuration of a linear (`x · Wᵀ`, bias, `activation`).
    pub(crate) fn linear(precision: Precision, activation: Activation, bk: u32, checked: bool) -> Self {
        Key {
            precision,
            linear: true,
            activation: activation.code(),
            transpose_a: false,
            transpose_b: true,
            bk,
            checked,
        }
    }
}

/// The compiled configurations, filled on first use.
#[derive(Default)]
pub(crate) struct Kernels(RefCell<Vec<(Key, Kernel)>>);

/// The shape a dispatch computes; strides in elements.
pub(crate) struct Product {
    pub(crate) m: u32,
    pub(crate) n: u32,
    pub(crate) k: u32,
    pub(crate) batch: u32,
    pub(crate) strides: [u32; 3],
}

impl Product {
    /// The product of a linear: one batch entry, no strides.
    pub(crate) fn linear(desc: &LinearDesc) -> Self {
        Product { m: desc.rows, n: desc.out_features, k: desc.in_features, batch: 1, strides: [0; 3] }
    }
}

impl Ops {
    async fn large_kernel(&self, key: Key) -> Result<Kernel> {
        let cache = &self.kernels.large.0;
        if let Some((_, kernel)) = cache.borrow().iter().find(|(k, _)| *k == key) {
            return Ok(kernel.clone());
        }
        let device = &self.device;
        let Key { precision, linear, activation, transpose_a, transpose_b, bk, checked } = key;
        // The modules' `Overrides` are distinct types of the same fields.
        macro_rules! compile {
            ($module:ident :: $entry:ident) => {
                pipeline!(
                    device,
                    $module::$entry,
                    BK: bk,
                    TRANSPOSE_A: transpose_a,
                    TRANSPOSE_B: transpose_b,
                    CHECKED: checked,
                    ACTIVATION: activation,
                )
            };
        }
        let kernel = match (precision, linear) {
            (Precision::F32, false) => compile!(wgsl::Matmul),
            (Precision::F32, true) => compile!(wgsl::Linear),
            (Precision::F16, false) => compile!(wgsl_f16::Matmul),
            (Precision::F16, true) => compile!(wgsl_f16::Linear),
            (Precision::F16Sums, false) => compile!(wgsl_f16_sums::Matmul),
            (Precision::F16Sums, true) => compile!(wgsl_f16_sums::Linear),
        };
        cache.borrow_mut().push((key, kernel.clone()));
        Ok(kernel)
    }

    /// The dispatch of the 128 tile kernel `key` over `shape`: `c = op(a) ·
    /// op(b)`, plus `bias` for the linear entry points. The caller has
    /// checked the shape, the buffers (f32 or [`F16`](wasi_webgpu::F16), as
    /// `key.precision` says) and the grid against the limits.
    pub(crate) async fn large_step<T: bytemuck::Pod>(
        &self,
        key: Key,
        shape: &Product,
        a: &Buffer<T>,
        b: &Buffer<T>,
        c: &Buffer<T>,
        bias: Option<&Buffer<T>>,
    ) -> Result<GpuStep> {
        let kernel = self.large_kernel(key).await?;
        let [stride_a, stride_b, stride_c] = shape.strides;
        // Every module has matmul_epilogue.wgsl's `MatmulParams`, bound by number.
        let params = self.uniform(
            "matmul_large shape",
            wgsl::MatmulParams { m: shape.m, n: shape.n, k: shape.k, stride_a, stride_b, stride_c },
        )?;
        let mut entries = vec![
            (0, params.as_entire_binding()),
            (1, a.as_entire_binding()),
            (2, b.as_entire_binding()),
            (3, c.as_entire_binding()),
        ];
        if let Some(bias) = bias {
            entries.push((4, bias.as_entire_binding()));
        }
        let bound = kernel.bind(&self.device, &entries)?;
        let [wx, wy, _] = kernel.size;
        let threads = wasi_webgpu::Threads([shape.n.div_ceil(TILE) * wx, shape.m.div_ceil(TILE) * wy, shape.batch]);
        Ok(kernel.step(bound, threads))
    }
}

//! [`Accumulate`]: where a product of [`F16`](wasi_webgpu::F16) matrices rounds its sums.

use crate::Element;
use crate::large::Precision;
use crate::tiling::{F16_SLICES, F32_SLICES};

/// How a matrix product of [`F16`](wasi_webgpu::F16) matrices ([`Ops::matmul`](crate::Ops::matmul), [`Ops::linear`](crate::Ops::linear))
/// sums its products: the `accumulate` of [`MatmulDesc`](crate::MatmulDesc) and [`LinearDesc`](crate::LinearDesc).
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
    /// Sums in f16 (the 128 tile kernels after `wgsl/f16_sums.wgsl`: packed f16
    /// FMAs, twice f32's rate on GPUs that have them, and f16 slices twice
    /// as deep in the same workgroup memory): every partial sum is rounded
    /// to f16, so the error grows with `k`: at most about
    /// `k · 2⁻¹¹ · Σ|aᵢ bᵢ|` (plus `k · 2⁻²⁵` where partial sums are f16
    /// subnormals), in practice a few f16 roundings of the partial sums'
    /// size. The ops guest measured at most 2.7 × 10⁻³ `Σ|aᵢ bᵢ|` for k from
    /// 8 to 1028 (inputs uniform in [-1, 1), on lavapipe), where f32 sums
    /// stayed within 4.7 × 10⁻⁴ `Σ|aᵢ bᵢ|` (the output's one rounding): use
    /// it where a few bits of the result can go. The bias and activation of
    /// an f16 [`Ops::linear`](crate::Ops::linear) are applied in f32 after the sum.
    ///
    /// Where the product runs on 64 × 64 tiles ([`Tiling::Tile64`](crate::Tiling::Tile64),
    /// or what [`Tiling::Auto`](crate::Tiling::Auto) picks for small or
    /// non-vec4 shapes), which have no f16 sums, it sums in f32 as
    /// [`Accumulate::F32`] does: within the bound above too, and more
    /// accurate.
    F16,
}

impl Accumulate {
    /// The 128 tile kernel family of a product over `T` summed as `self`
    /// says, and its slice depths: f32 products always sum in f32.
    pub(crate) fn large<T: Element>(self) -> (Precision, [u32; 2]) {
        match (T::F16, self) {
            (false, _) => (Precision::F32, F32_SLICES),
            (true, Accumulate::F32) => (Precision::F16, F32_SLICES),
            (true, Accumulate::F16) => (Precision::F16Sums, F16_SLICES),
        }
    }
}

//! Elementwise CPU kernels, and the activations the products' epilogues
//! share.

use crate::cpu::simd;

/// GELU's tanh form, `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`, written
/// `x / (1 + exp(-2u))` as the WGSL kernel does: no NaN where `tanh`
/// saturates.
pub(crate) fn gelu_tanh(x: f32) -> f32 {
    let u = 0.797_884_6 * (x + 0.044_715 * x * x * x);
    x / (1.0 + (-2.0 * u).exp())
}

/// The exact GELU, `0.5 x (1 + erf(x / √2))`, with musl's `erff` (< 1 ULP).
pub(crate) fn gelu_erf(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x * core::f32::consts::FRAC_1_SQRT_2))
}

simd! {
    /// `out = a + b`.
    pub(crate) fn add(a: &[f32], b: &[f32], out: &mut [f32]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x + y;
        }
    }
}

simd! {
    /// `out = a * b`.
    pub(crate) fn mul(a: &[f32], b: &[f32], out: &mut [f32]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x * y;
        }
    }
}

simd! {
    /// `out = max(x, 0)`.
    pub(crate) fn relu(x: &[f32], out: &mut [f32]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = v.max(0.0);
        }
    }
}

simd! {
    /// `out = grad` where `x > 0`, else 0.
    pub(crate) fn relu_backward(grad: &[f32], x: &[f32], out: &mut [f32]) {
        for ((o, &g), &v) in out.iter_mut().zip(grad).zip(x) {
            *o = if v > 0.0 { g } else { 0.0 };
        }
    }
}

/// `out = f(x)` for a scalar activation.
pub(crate) fn map(x: &[f32], out: &mut [f32], f: fn(f32) -> f32) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

/// `out = f(out)` for a scalar activation, in place.
pub(crate) fn map_in_place(out: &mut [f32], f: fn(f32) -> f32) {
    for o in out {
        *o = f(*o);
    }
}

simd! {
    /// `out[r][c] = x[r][c] + bias[c]`.
    pub(crate) fn bias_add(x: &[f32], bias: &[f32], out: &mut [f32]) {
        for (o, x) in out.chunks_exact_mut(bias.len()).zip(x.chunks_exact(bias.len())) {
            for ((o, &v), &b) in o.iter_mut().zip(x).zip(bias) {
                *o = v + b;
            }
        }
    }
}

simd! {
    /// `y += alpha * x`. A multiply and an add, not a fused `mul_add`:
    /// without hardware FMA (wasm has none) that is a slow libm call, and
    /// WGSL's `fma` may round twice too.
    pub(crate) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
        for (y, &x) in y.iter_mut().zip(x) {
            *y += alpha * x;
        }
    }
}

simd! {
    /// `y *= alpha`.
    pub(crate) fn scale(alpha: f32, y: &mut [f32]) {
        for y in y {
            *y *= alpha;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gelu_forms() {
        for x in [-90.0f32, -3.0, -0.5, 0.0, 0.25, 1.0, 2.5, 90.0] {
            let v = f64::from(x);
            let erf = 0.5 * v * (1.0 + libm::erf(v / std::f64::consts::SQRT_2));
            assert!((f64::from(gelu_erf(x)) - erf).abs() <= 1e-7 + 2.4e-7 * erf.abs(), "erf {x}");
            let tanh = 0.5 * v * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (v + 0.044715 * v * v * v)).tanh());
            assert!((f64::from(gelu_tanh(x)) - tanh).abs() <= 1e-6 + 1e-6 * tanh.abs(), "tanh {x}");
        }
    }
}

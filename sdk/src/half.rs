//! [`F16`]: WGSL's `f16` as stable Rust stores it.

/// An IEEE 754 binary16 value, WGSL's `f16`, stored as its bits.
///
/// Rust's own `f16` is nightly-only, so buffers and parameters of a
/// `#[wasi_webgpu::kernel]` that uses `f16` (cargo feature `f16`) are
/// `Buffer<F16>` and `F16` in its `launch`. The layout is the GPU's: two
/// bytes, little-endian like every WebGPU device, so a `Buffer<F16>` is the
/// `array<f16>` the kernel reads (WebGPU's
/// [`shader-f16`](https://www.w3.org/TR/webgpu/#shader-f16) feature).
///
/// Convert with [`from_f32`](Self::from_f32) (round to nearest, ties to
/// even, as the GPU converts `f32` to `f16`) and [`to_f32`](Self::to_f32)
/// (exact). Arithmetic (`+ - * / %`, unary `-`) and the math methods follow
/// WGSL's `f16`: each operation's result is rounded to `f16`, which is what a
/// kernel's CPU translation runs. Computing in `f32` and rounding once is the
/// correctly rounded `f16` result for `+ - * / %` and [`sqrt`](Self::sqrt)
/// (`f32` has more than 2·11 + 2 significand bits, so the double rounding is
/// harmless); the transcendental methods round `f32`'s result and are within
/// 1 ulp of the exact `f16` value. `PartialEq` compares the bits, so
/// `-0.0 != 0.0` and a NaN equals itself here; compare `to_f32()` values for
/// IEEE semantics.
#[repr(transparent)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, bytemuck::Pod, bytemuck::Zeroable)]
pub struct F16(pub u16);

impl F16 {
    /// `0.0`.
    pub const ZERO: F16 = F16(0);
    /// `1.0`.
    pub const ONE: F16 = F16(0x3c00);
    /// The largest finite value, 65504.
    pub const MAX: F16 = F16(0x7bff);
    /// The smallest positive normal value, 2⁻¹⁴.
    pub const MIN_POSITIVE: F16 = F16(0x0400);
    /// The difference between 1.0 and the next value, 2⁻¹⁰.
    pub const EPSILON: F16 = F16(0x1400);
    /// `+∞`.
    pub const INFINITY: F16 = F16(0x7c00);
    /// `-∞`.
    pub const NEG_INFINITY: F16 = F16(0xfc00);
    /// A quiet NaN.
    pub const NAN: F16 = F16(0x7e00);

    /// The value with these bits.
    pub const fn from_bits(bits: u16) -> F16 {
        F16(bits)
    }

    /// The bits.
    pub const fn to_bits(self) -> u16 {
        self.0
    }

    /// The nearest `f16` to `x`, ties to even: values beyond 65520 in
    /// magnitude become infinities, tiny ones subnormals or a signed zero, and
    /// a NaN stays a (quiet) NaN.
    pub const fn from_f32(x: f32) -> F16 {
        let bits = x.to_bits();
        let sign = ((bits >> 16) & 0x8000) as u16;
        let exp = ((bits >> 23) & 0xff) as i32;
        let man = bits & 0x007f_ffff;
        if exp == 0xff {
            // Keep a NaN's top payload bits, and set the quiet bit so it stays a NaN.
            let nan = if man == 0 { 0 } else { 0x0200 | (man >> 13) as u16 };
            return F16(sign | 0x7c00 | nan);
        }
        // The unbiased exponent; f16's normals have -14..=15.
        let e = exp - 127;
        if e > 15 {
            return F16(sign | 0x7c00);
        }
        // The significand with its implicit bit (f32 subnormals are far below f16's range: they round to zero).
        let sig = if exp == 0 { man } else { man | 0x0080_0000 };
        // How many low bits of `sig` the f16 drops: 13 for a normal, more below 2^-14.
        let shift = if e >= -14 { 13 } else { 13 + (-14 - e) as u32 };
        if shift > 24 {
            // Below half the smallest subnormal (2^-25): rounds to zero.
            return F16(sign);
        }
        let kept = sig >> shift;
        let rest = sig & ((1 << shift) - 1);
        let half = 1 << (shift - 1);
        let round_up = rest > half || (rest == half && kept & 1 == 1);
        // The exponent field sits above the 10 stored significand bits, so rounding up carries into it: to
        // the next binade, to infinity above MAX, and from the largest subnormal to the smallest normal.
        let biased = if e >= -14 { ((e + 15) as u32) << 10 } else { 0 };
        let magnitude = biased + (kept & 0x03ff) + round_up as u32;
        F16(sign | magnitude as u16)
    }

    /// The exact `f32` value.
    pub const fn to_f32(self) -> f32 {
        let bits = self.0 as u32;
        let sign = (bits & 0x8000) << 16;
        let exp = (bits >> 10) & 0x1f;
        let man = bits & 0x03ff;
        let out = if exp == 0x1f {
            // Infinity, or NaN with its payload.
            0x7f80_0000 | (man << 13)
        } else if exp != 0 {
            ((exp + 127 - 15) << 23) | (man << 13)
        } else if man == 0 {
            0
        } else {
            // A subnormal: normalise it, m · 2^-24 with the top set bit of m at position p.
            let p = 31 - man.leading_zeros();
            let e = p + 127 - 24;
            (e << 23) | ((man << (23 - p)) & 0x007f_ffff)
        };
        f32::from_bits(sign | out)
    }

    /// Whether this is a NaN.
    pub const fn is_nan(self) -> bool {
        self.0 & 0x7c00 == 0x7c00 && self.0 & 0x03ff != 0
    }
}

/// Methods that compute in `f32` and round the result to `f16`, as one WGSL `f16` operation.
macro_rules! unary_via_f32 {
    ($($(#[$doc:meta])* $name:ident => $f32:ident;)*) => {
        impl F16 {
            $(
                $(#[$doc])*
                pub fn $name(self) -> F16 {
                    F16::from_f32(self.to_f32().$f32())
                }
            )*
        }
    };
}

unary_via_f32! {
    /// The square root, correctly rounded (WGSL `sqrt`).
    sqrt => sqrt;
    /// `e^self` (WGSL `exp`), within 1 ulp.
    exp => exp;
    /// `2^self` (WGSL `exp2`), within 1 ulp.
    exp2 => exp2;
    /// The natural logarithm (WGSL `log`), within 1 ulp.
    ln => ln;
    /// The base-2 logarithm (WGSL `log2`), within 1 ulp.
    log2 => log2;
    /// The sine (WGSL `sin`), within 1 ulp.
    sin => sin;
    /// The cosine (WGSL `cos`), within 1 ulp.
    cos => cos;
    /// The tangent (WGSL `tan`), within 1 ulp.
    tan => tan;
    /// The hyperbolic tangent (WGSL `tanh`), within 1 ulp.
    tanh => tanh;
    /// The largest integer not above `self` (WGSL `floor`), exact.
    floor => floor;
    /// The smallest integer not below `self` (WGSL `ceil`), exact.
    ceil => ceil;
    /// `self` rounded toward zero (WGSL `trunc`), exact.
    trunc => trunc;
}

impl F16 {
    /// The magnitude (WGSL `abs`): the sign bit cleared.
    pub const fn abs(self) -> F16 {
        F16(self.0 & 0x7fff)
    }

    /// The smaller value (WGSL `min`); with a NaN, the other value, like [`f32::min`].
    pub fn min(self, other: F16) -> F16 {
        F16::from_f32(self.to_f32().min(other.to_f32()))
    }

    /// The larger value (WGSL `max`); with a NaN, the other value, like [`f32::max`].
    pub fn max(self, other: F16) -> F16 {
        F16::from_f32(self.to_f32().max(other.to_f32()))
    }

    /// `self^n` (WGSL `pow`), within 1 ulp.
    pub fn powf(self, n: F16) -> F16 {
        F16::from_f32(self.to_f32().powf(n.to_f32()))
    }

    /// `self * a + b` with one rounding of the `f64` fused result to `f16` (WGSL `fma`; a GPU may round twice).
    pub fn mul_add(self, a: F16, b: F16) -> F16 {
        F16::from_f32(f64::from(self.to_f32()).mul_add(f64::from(a.to_f32()), f64::from(b.to_f32())) as f32)
    }
}

/// `+ - * / %` as WGSL's `f16` operations: exact in `f32` or rounded there once, then rounded to `f16`.
macro_rules! binary_op {
    ($($op:ident $method:ident $sym:tt),*) => {$(
        impl core::ops::$op for F16 {
            type Output = F16;
            fn $method(self, rhs: F16) -> F16 {
                F16::from_f32(self.to_f32() $sym rhs.to_f32())
            }
        }
    )*};
}

binary_op!(Add add +, Sub sub -, Mul mul *, Div div /, Rem rem %);

impl core::ops::Neg for F16 {
    type Output = F16;
    /// The sign bit flipped, exact.
    fn neg(self) -> F16 {
        F16(self.0 ^ 0x8000)
    }
}

impl From<F16> for f32 {
    fn from(x: F16) -> f32 {
        x.to_f32()
    }
}

impl core::fmt::Debug for F16 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.to_f32(), f)
    }
}

impl core::fmt::Display for F16 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.to_f32(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::F16;

    /// Every f16 converts to f32 and back to itself (NaNs to a NaN).
    #[test]
    fn every_value_round_trips() {
        for bits in 0..=u16::MAX {
            let h = F16(bits);
            let back = F16::from_f32(h.to_f32());
            if h.is_nan() {
                assert!(back.is_nan() && h.to_f32().is_nan(), "{bits:#06x}");
                assert_eq!(back.0 & 0x8000, bits & 0x8000, "NaN sign {bits:#06x}");
            } else {
                assert_eq!(back, h, "{bits:#06x} -> {} -> {:#06x}", h.to_f32(), back.0);
            }
        }
    }

    /// `to_f32` against the definition: (-1)^s · 2^(e-15) · 1.m, or 2^-14 · 0.m.
    #[test]
    fn to_f32_is_exact() {
        for bits in 0..=u16::MAX {
            let (s, e, m) = (bits >> 15, i32::from((bits >> 10) & 0x1f), f64::from(bits & 0x3ff));
            if e == 0x1f {
                continue;
            }
            let magnitude = if e == 0 { m / 1024.0 * 2f64.powi(-14) } else { (1.0 + m / 1024.0) * 2f64.powi(e - 15) };
            let expected = if s == 1 { -magnitude } else { magnitude };
            assert_eq!(f64::from(F16(bits).to_f32()), expected, "{bits:#06x}");
            assert_eq!(F16(bits).to_f32().is_sign_negative(), s == 1, "{bits:#06x}");
        }
        assert_eq!(F16::INFINITY.to_f32(), f32::INFINITY);
        assert_eq!(F16::NEG_INFINITY.to_f32(), f32::NEG_INFINITY);
        assert!(F16::NAN.to_f32().is_nan());
    }

    /// `from_f32` against a reference: the nearest of the two neighbouring f16 values, the even one
    /// on a tie, for f32 values between every pair of adjacent f16 values (and at the midpoints).
    #[test]
    fn from_f32_rounds_to_nearest_even() {
        let nearest = |x: f32| -> u16 {
            // The f16 values are monotonic in their bits for positive values.
            let (mut lo, mut hi) = (0u16, 0x7c00u16);
            let a = x.abs();
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if F16(mid).to_f32() <= a { lo = mid } else { hi = mid }
            }
            // 65520 = MAX + half an ulp: at and above it, infinity (hi = 0x7c00 stands for 65536 here).
            let (l, h) =
                (f64::from(F16(lo).to_f32()), if hi == 0x7c00 { 65536.0 } else { f64::from(F16(hi).to_f32()) });
            let a = f64::from(a);
            let pick = if a - l < h - a || (a - l == h - a && lo & 1 == 0) { lo } else { hi };
            pick | if x.is_sign_negative() { 0x8000 } else { 0 }
        };
        let mut samples = Vec::new();
        for bits in 0..0x7c00u16 {
            let a = F16(bits).to_f32();
            let b = if bits == 0x7bff { 65536.0 } else { F16(bits + 1).to_f32() };
            let mid = (a + b) / 2.0;
            // The midpoint, and the f32 values just either side of it, and a few in between.
            samples.extend([a, mid, f32::from_bits(mid.to_bits() - 1), f32::from_bits(mid.to_bits() + 1)]);
            samples.extend([(a * 3.0 + b) / 4.0, (a + b * 3.0) / 4.0]);
        }
        samples.extend([1e-10, 2f32.powi(-25), 2f32.powi(-26), 65519.99, 65520.0, 1e10, f32::MAX, f32::MIN_POSITIVE]);
        samples.push(f32::from_bits(1));
        for x in samples.clone() {
            for x in [x, -x] {
                assert_eq!(F16::from_f32(x).0, nearest(x), "{x:e} ({:#010x})", x.to_bits());
            }
        }
    }

    /// Arithmetic rounds each result to f16: checked against the nearest f16 to the exact `f64` result.
    #[test]
    fn arithmetic_rounds_per_operation() {
        let values: Vec<F16> = (0..0x7c00u16).step_by(97).flat_map(|b| [F16(b), F16(b | 0x8000)]).collect();
        for &x in &values {
            for &y in values.iter().step_by(7) {
                let (a, b) = (f64::from(x.to_f32()), f64::from(y.to_f32()));
                // f64 holds a sum, difference or product of two f16 values exactly, so one rounding is the
                // correctly rounded f16 result (the f64 -> f32 step is exact for these).
                for (got, exact) in [(x + y, a + b), (x - y, a - b), (x * y, a * b)] {
                    assert_eq!(got, F16::from_f32(exact as f32), "{x} {y}");
                }
                if b != 0.0 {
                    // Rounding the quotient to 53, then 24 bits keeps it correctly rounded for 11 bits
                    // (53 >= 2·24 + 2 and 24 >= 2·11 + 2).
                    assert_eq!(x / y, F16::from_f32((a / b) as f32), "{x} / {y}");
                }
            }
        }
        assert_eq!((-F16::ONE).to_f32(), -1.0);
        assert_eq!(F16::from_f32(2.0).sqrt(), F16::from_f32(core::f32::consts::SQRT_2));
        assert_eq!(F16::from_f32(-3.5).abs().to_f32(), 3.5);
        assert_eq!(F16::ONE.max(F16::from_f32(-2.0)), F16::ONE);
        assert_eq!(F16::MAX + F16::MAX, F16::INFINITY);
    }

    #[test]
    fn special_values() {
        assert_eq!(F16::from_f32(1.0), F16::ONE);
        assert_eq!(F16::from_f32(-0.0).0, 0x8000);
        assert_eq!(F16::from_f32(65504.0), F16::MAX);
        assert_eq!(F16::from_f32(2f32.powi(-14)), F16::MIN_POSITIVE);
        assert_eq!(F16::from_f32(2f32.powi(-24)).0, 0x0001);
        assert_eq!(F16::from_f32(f32::INFINITY), F16::INFINITY);
        assert_eq!(F16::from_f32(f32::NEG_INFINITY), F16::NEG_INFINITY);
        assert!(F16::from_f32(f32::NAN).is_nan());
        // A NaN whose payload lives only in bits f16 drops stays a NaN (quiet), not infinity.
        assert!(F16::from_f32(f32::from_bits(0x7f80_0001)).is_nan());
        assert_eq!(F16::EPSILON.to_f32(), 2f32.powi(-10));
        assert_eq!(format!("{} {:?}", F16::from_f32(0.5), F16::from_f32(-2.0)), "0.5 -2.0");
    }
}

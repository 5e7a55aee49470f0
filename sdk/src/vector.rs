//! WGSL's vector types for Rust kernels: [`Vec2`], [`Vec3`], [`Vec4`] and
//! the free functions WGSL has for scalars and vectors alike.
//!
//! A kernel body is Rust, so these types behave on the CPU exactly as the
//! WGSL they translate to behaves on the GPU: integer arithmetic wraps,
//! integer division by zero gives the dividend (`%` gives zero), and
//! `i32::MIN / -1` gives `i32::MIN`, as WGSL specifies; nothing panics.
//! Float operations are IEEE 754 in both places, up to the tolerance the
//! [crate documentation](crate#rust-kernels-and-the-cpu-device) states.

use core::ops::{
    Add, AddAssign, BitAnd, BitOr, Div, DivAssign, Index, Mul, MulAssign, Neg, Not, Rem, RemAssign, Sub, SubAssign,
};

use crate::gpu_type::{GpuType, WgslType};
use wasi_webgpu_shader::layout::Layout as MemoryLayout;

/// A WGSL scalar a vector can hold, with WGSL's arithmetic.
///
/// Implemented for `f32`, `i32` and `u32`; the operators of [`Vec2`],
/// [`Vec3`] and [`Vec4`] apply these per component.
pub trait Scalar: Copy + PartialOrd + Default + 'static {
    /// WGSL `+`: wrapping for integers.
    fn add(self, other: Self) -> Self;
    /// WGSL `-`: wrapping for integers.
    fn sub(self, other: Self) -> Self;
    /// WGSL `*`: wrapping for integers.
    fn mul(self, other: Self) -> Self;
    /// WGSL `/`: an integer divided by zero is the dividend, `MIN / -1` is `MIN`.
    fn div(self, other: Self) -> Self;
    /// WGSL `%`: an integer remainder by zero is zero.
    fn rem(self, other: Self) -> Self;
    /// WGSL `min`.
    fn min(self, other: Self) -> Self;
    /// WGSL `max`.
    fn max(self, other: Self) -> Self;
}

impl Scalar for f32 {
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn sub(self, other: Self) -> Self {
        self - other
    }
    fn mul(self, other: Self) -> Self {
        self * other
    }
    fn div(self, other: Self) -> Self {
        self / other
    }
    fn rem(self, other: Self) -> Self {
        self % other
    }
    fn min(self, other: Self) -> Self {
        f32::min(self, other)
    }
    fn max(self, other: Self) -> Self {
        f32::max(self, other)
    }
}

macro_rules! int_scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            fn add(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            fn sub(self, other: Self) -> Self {
                self.wrapping_sub(other)
            }
            fn mul(self, other: Self) -> Self {
                self.wrapping_mul(other)
            }
            fn div(self, other: Self) -> Self {
                if other == 0 { self } else { self.wrapping_div(other) }
            }
            fn rem(self, other: Self) -> Self {
                if other == 0 { 0 } else { self.wrapping_rem(other) }
            }
            fn min(self, other: Self) -> Self {
                Ord::min(self, other)
            }
            fn max(self, other: Self) -> Self {
                Ord::max(self, other)
            }
        }
    )*};
}
int_scalar!(i32, u32);

macro_rules! vector {
    ($name:ident, $ctor:ident, $n:literal, $($f:ident),+) => {
        #[doc = concat!("WGSL's `vec", stringify!($n), "<T>`: ", stringify!($n), " components, `#[repr(C)]`.")]
        ///
        /// In a buffer it has the layout of the WGSL vector of `f32`, `i32`
        /// or `u32` ([`GpuType`]); `bool` vectors exist only inside kernels.
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name<T> {
            $(#[doc = concat!("The `", stringify!($f), "` component.")] pub $f: T,)+
        }

        #[doc = concat!("Makes a [`", stringify!($name), "`], like WGSL's `vec", stringify!($n), "(..)`.")]
        pub const fn $ctor<T>($($f: T),+) -> $name<T> {
            $name { $($f),+ }
        }

        // SAFETY: `#[repr(C)]` with N fields of one type has no padding, so
        // it is plain data whenever `T` is.
        unsafe impl<T: bytemuck::Zeroable> bytemuck::Zeroable for $name<T> {}
        // SAFETY: as above.
        unsafe impl<T: bytemuck::Pod> bytemuck::Pod for $name<T> {}

        impl<T: Copy> $name<T> {
            #[doc = concat!("Makes a vector, like [`", stringify!($ctor), "`].")]
            pub const fn new($($f: T),+) -> Self {
                Self { $($f),+ }
            }

            #[doc = concat!("All ", stringify!($n), " components set to `v`.")]
            pub const fn splat(v: T) -> Self {
                Self { $($f: v),+ }
            }

            /// Applies `f` to each component.
            pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> $name<U> {
                $name { $($f: f(self.$f)),+ }
            }

            /// Combines the components of `self` and `other` with `f`.
            pub fn zip<U: Copy, R>(self, other: $name<U>, mut f: impl FnMut(T, U) -> R) -> $name<R> {
                $name { $($f: f(self.$f, other.$f)),+ }
            }

            /// The components as an array.
            pub fn to_array(self) -> [T; $n] {
                [$(self.$f),+]
            }
        }

        impl<T: Copy> From<[T; $n]> for $name<T> {
            fn from([$($f),+]: [T; $n]) -> Self {
                Self { $($f),+ }
            }
        }

        impl<T: Copy> From<$name<T>> for [T; $n] {
            fn from(v: $name<T>) -> Self {
                v.to_array()
            }
        }

        /// Component `i`; an index past the end reads the last component,
        /// as WGSL clamps a dynamic vector index, so it never panics.
        impl<T> Index<usize> for $name<T> {
            type Output = T;
            fn index(&self, i: usize) -> &T {
                let all = [$(&self.$f),+];
                all[i.min($n - 1)]
            }
        }

        impl<T: Scalar> $name<T> {
            /// Per-component minimum.
            pub fn min(self, other: Self) -> Self {
                self.zip(other, Scalar::min)
            }
            /// Per-component maximum.
            pub fn max(self, other: Self) -> Self {
                self.zip(other, Scalar::max)
            }
            /// Per-component `min(max(self, low), high)`, as WGSL's `clamp`;
            /// never panics, unlike `f32::clamp`.
            pub fn clamp(self, low: Self, high: Self) -> Self {
                self.max(low).min(high)
            }
            /// The dot product (wrapping for integers).
            pub fn dot(self, other: Self) -> T {
                let p = self.zip(other, Scalar::mul);
                let mut sum = T::default();
                $(sum = sum.add(p.$f);)+
                sum
            }
            /// Per-component `<`, as a bool vector.
            pub fn cmplt(self, other: Self) -> $name<bool> {
                self.zip(other, |a, b| a < b)
            }
            /// Per-component `<=`.
            pub fn cmple(self, other: Self) -> $name<bool> {
                self.zip(other, |a, b| a <= b)
            }
            /// Per-component `>`.
            pub fn cmpgt(self, other: Self) -> $name<bool> {
                self.zip(other, |a, b| a > b)
            }
            /// Per-component `>=`.
            pub fn cmpge(self, other: Self) -> $name<bool> {
                self.zip(other, |a, b| a >= b)
            }
            /// Per-component `==`.
            pub fn cmpeq(self, other: Self) -> $name<bool> {
                self.zip(other, |a, b| a == b)
            }
            /// Per-component `!=`.
            pub fn cmpne(self, other: Self) -> $name<bool> {
                self.zip(other, |a, b| a != b)
            }
        }

        impl $name<bool> {
            /// Whether any component is true, as WGSL's `any`.
            pub fn any(self) -> bool {
                false $(|| self.$f)+
            }
            /// Whether every component is true, as WGSL's `all`.
            pub fn all(self) -> bool {
                true $(&& self.$f)+
            }
        }

        impl Not for $name<bool> {
            type Output = Self;
            fn not(self) -> Self {
                self.map(|b| !b)
            }
        }
        impl BitAnd for $name<bool> {
            type Output = Self;
            fn bitand(self, other: Self) -> Self {
                self.zip(other, |a, b| a & b)
            }
        }
        impl BitOr for $name<bool> {
            type Output = Self;
            fn bitor(self, other: Self) -> Self {
                self.zip(other, |a, b| a | b)
            }
        }

        impl $name<f32> {
            /// Per-component absolute value.
            pub fn abs(self) -> Self {
                self.map(f32::abs)
            }
            /// Per-component square root.
            pub fn sqrt(self) -> Self {
                self.map(f32::sqrt)
            }
            /// Per-component `e^x`.
            pub fn exp(self) -> Self {
                self.map(f32::exp)
            }
            /// Per-component natural logarithm (WGSL's `log`).
            pub fn ln(self) -> Self {
                self.map(f32::ln)
            }
            /// Per-component power (WGSL's `pow`).
            pub fn powf(self, e: Self) -> Self {
                self.zip(e, f32::powf)
            }
            /// Per-component sine.
            pub fn sin(self) -> Self {
                self.map(f32::sin)
            }
            /// Per-component cosine.
            pub fn cos(self) -> Self {
                self.map(f32::cos)
            }
            /// Per-component hyperbolic tangent.
            pub fn tanh(self) -> Self {
                self.map(f32::tanh)
            }
            /// Per-component `2^x`.
            pub fn exp2(self) -> Self {
                self.map(f32::exp2)
            }
            /// Per-component base-2 logarithm.
            pub fn log2(self) -> Self {
                self.map(f32::log2)
            }
            /// Per-component tangent.
            pub fn tan(self) -> Self {
                self.map(f32::tan)
            }
            /// Per-component rounding to the nearest integer, ties to even, as WGSL's `round`.
            pub fn round(self) -> Self {
                self.map(f32::round_ties_even)
            }
            /// Per-component `x - floor(x)`, as WGSL's `fract`.
            pub fn fract(self) -> Self {
                self.map(|v| v - v.floor())
            }
            /// Per-component floor.
            pub fn floor(self) -> Self {
                self.map(f32::floor)
            }
            /// Per-component ceiling.
            pub fn ceil(self) -> Self {
                self.map(f32::ceil)
            }
            /// Per-component `self * a + b` (WGSL's `fma`).
            pub fn mul_add(self, a: Self, b: Self) -> Self {
                $name { $($f: self.$f.mul_add(a.$f, b.$f)),+ }
            }
            /// The Euclidean length.
            pub fn length(self) -> f32 {
                self.dot(self).sqrt()
            }
            /// The vector scaled to length 1.
            pub fn normalize(self) -> Self {
                self / self.length()
            }
            /// The distance to `other`.
            pub fn distance(self, other: Self) -> f32 {
                (self - other).length()
            }
            /// Converts each component, as WGSL's `vecN<i32>(v)`.
            pub fn as_i32(self) -> $name<i32> {
                self.map(|v| v as i32)
            }
            /// Converts each component, as WGSL's `vecN<u32>(v)`.
            pub fn as_u32(self) -> $name<u32> {
                self.map(|v| v as u32)
            }
        }

        impl $name<i32> {
            /// Per-component absolute value (`i32::MIN` stays `i32::MIN`, as in WGSL).
            pub fn abs(self) -> Self {
                self.map(i32::wrapping_abs)
            }
            /// Converts each component, as WGSL's `vecN<f32>(v)`.
            pub fn as_f32(self) -> $name<f32> {
                self.map(|v| v as f32)
            }
            /// Converts each component's bits, as WGSL's `vecN<u32>(v)`.
            pub fn as_u32(self) -> $name<u32> {
                self.map(|v| v as u32)
            }
        }

        impl $name<u32> {
            /// Converts each component, as WGSL's `vecN<f32>(v)`.
            pub fn as_f32(self) -> $name<f32> {
                self.map(|v| v as f32)
            }
            /// Converts each component's bits, as WGSL's `vecN<i32>(v)`.
            pub fn as_i32(self) -> $name<i32> {
                self.map(|v| v as i32)
            }
        }

        vector!(@ops $name, Add add AddAssign add_assign, Sub sub SubAssign sub_assign,
            Mul mul MulAssign mul_assign, Div div DivAssign div_assign, Rem rem RemAssign rem_assign);

        impl Neg for $name<f32> {
            type Output = Self;
            fn neg(self) -> Self {
                self.map(|v| -v)
            }
        }
        impl Neg for $name<i32> {
            type Output = Self;
            fn neg(self) -> Self {
                self.map(i32::wrapping_neg)
            }
        }

        vector!(@gpu $name, $n, f32 F32, i32 I32, u32 U32);
    };
    (@ops $name:ident, $($op:ident $method:ident $assign:ident $assign_method:ident),*) => {$(
        impl<T: Scalar> $op for $name<T> {
            type Output = Self;
            fn $method(self, other: Self) -> Self {
                self.zip(other, Scalar::$method)
            }
        }
        impl<T: Scalar> $op<T> for $name<T> {
            type Output = Self;
            fn $method(self, other: T) -> Self {
                self.map(|v| Scalar::$method(v, other))
            }
        }
        impl<T: Scalar> $assign for $name<T> {
            fn $assign_method(&mut self, other: Self) {
                *self = $op::$method(*self, other);
            }
        }
        impl<T: Scalar> $assign<T> for $name<T> {
            fn $assign_method(&mut self, other: T) {
                *self = $op::$method(*self, other);
            }
        }
        impl $op<$name<f32>> for f32 {
            type Output = $name<f32>;
            fn $method(self, other: $name<f32>) -> $name<f32> {
                other.map(|v| Scalar::$method(self, v))
            }
        }
        impl $op<$name<i32>> for i32 {
            type Output = $name<i32>;
            fn $method(self, other: $name<i32>) -> $name<i32> {
                other.map(|v| Scalar::$method(self, v))
            }
        }
        impl $op<$name<u32>> for u32 {
            type Output = $name<u32>;
            fn $method(self, other: $name<u32>) -> $name<u32> {
                other.map(|v| Scalar::$method(self, v))
            }
        }
    )*};
    (@gpu $name:ident, $n:literal, $($t:ident $wgsl:ident),*) => {$(
        impl GpuType for $name<$t> {
            const WGSL: WgslType = WgslType::Vector { size: $n, component: &WgslType::$wgsl };
            const WGSL_SIZE: u32 = MemoryLayout::vector($n, 4).size;
            const WGSL_ALIGN: u32 = MemoryLayout::vector($n, 4).align;
            const UNIFORM_ALIGN: u32 = Self::WGSL_ALIGN;
            const UNIFORM_COMPATIBLE: bool = true;
        }
    )*};
}

vector!(Vec2, vec2, 2, x, y);
vector!(Vec3, vec3, 3, x, y, z);
vector!(Vec4, vec4, 4, x, y, z, w);

impl Vec3<f32> {
    /// The cross product.
    pub fn cross(self, other: Self) -> Self {
        vec3(
            self.y * other.z - self.z * other.y,
            self.z * other.x - self.x * other.z,
            self.x * other.y - self.y * other.x,
        )
    }
}

/// `vec2<u32>`.
pub type UVec2 = Vec2<u32>;
/// `vec3<u32>`.
pub type UVec3 = Vec3<u32>;
/// `vec4<u32>`.
pub type UVec4 = Vec4<u32>;
/// `vec2<i32>`.
pub type IVec2 = Vec2<i32>;
/// `vec3<i32>`.
pub type IVec3 = Vec3<i32>;
/// `vec4<i32>`.
pub type IVec4 = Vec4<i32>;
/// `vec2<bool>`.
pub type BVec2 = Vec2<bool>;
/// `vec3<bool>`.
pub type BVec3 = Vec3<bool>;
/// `vec4<bool>`.
pub type BVec4 = Vec4<bool>;

/// Values WGSL's `select` chooses between with a condition of type `C`:
/// any value with a `bool`, and a vector per component with a bool vector.
pub trait Select<C>: Sized {
    /// `t` where `cond` holds, else `f`.
    fn select(f: Self, t: Self, cond: C) -> Self;
}

impl<T> Select<bool> for T {
    fn select(f: Self, t: Self, cond: bool) -> Self {
        if cond { t } else { f }
    }
}

impl<T: Copy> Select<Vec2<bool>> for Vec2<T> {
    fn select(f: Self, t: Self, cond: Vec2<bool>) -> Self {
        vec2(if cond.x { t.x } else { f.x }, if cond.y { t.y } else { f.y })
    }
}

impl<T: Copy> Select<Vec3<bool>> for Vec3<T> {
    fn select(f: Self, t: Self, cond: Vec3<bool>) -> Self {
        vec3(Select::select(f.x, t.x, cond.x), Select::select(f.y, t.y, cond.y), Select::select(f.z, t.z, cond.z))
    }
}

impl<T: Copy> Select<Vec4<bool>> for Vec4<T> {
    fn select(f: Self, t: Self, cond: Vec4<bool>) -> Self {
        vec4(
            Select::select(f.x, t.x, cond.x),
            Select::select(f.y, t.y, cond.y),
            Select::select(f.z, t.z, cond.z),
            Select::select(f.w, t.w, cond.w),
        )
    }
}

/// WGSL's `select(f, t, cond)`: `t` where `cond` holds, else `f`; per
/// component when `cond` is a bool vector. Note the order: the false value
/// comes first, as in WGSL.
pub fn select<T: Select<C>, C>(f: T, t: T, cond: C) -> T {
    T::select(f, t, cond)
}

/// Scalars and vectors with WGSL's `min`, `max` and `clamp`.
pub trait Extrema: Copy {
    /// The smaller, per component.
    fn minimum(self, other: Self) -> Self;
    /// The larger, per component.
    fn maximum(self, other: Self) -> Self;
}

impl<T: Scalar> Extrema for T {
    fn minimum(self, other: Self) -> Self {
        Scalar::min(self, other)
    }
    fn maximum(self, other: Self) -> Self {
        Scalar::max(self, other)
    }
}

macro_rules! extrema_vec {
    ($($name:ident),*) => {$(
        impl<T: Scalar> Extrema for $name<T> {
            fn minimum(self, other: Self) -> Self {
                self.min(other)
            }
            fn maximum(self, other: Self) -> Self {
                self.max(other)
            }
        }
    )*};
}
extrema_vec!(Vec2, Vec3, Vec4);

/// WGSL's `min`, for scalars and vectors.
pub fn min<T: Extrema>(a: T, b: T) -> T {
    a.minimum(b)
}

/// WGSL's `max`, for scalars and vectors.
pub fn max<T: Extrema>(a: T, b: T) -> T {
    a.maximum(b)
}

/// WGSL's `clamp`: `min(max(e, low), high)`; never panics, unlike
/// `f32::clamp` with `low > high`.
pub fn clamp<T: Extrema>(e: T, low: T, high: T) -> T {
    e.maximum(low).minimum(high)
}

/// Vectors with a dot product.
pub trait Dot: Copy {
    /// The component type.
    type Scalar;
    /// The dot product.
    fn dot(self, other: Self) -> Self::Scalar;
}

macro_rules! dot_vec {
    ($($name:ident),*) => {$(
        impl<T: Scalar> Dot for $name<T> {
            type Scalar = T;
            fn dot(self, other: Self) -> T {
                $name::dot(self, other)
            }
        }
    )*};
}
dot_vec!(Vec2, Vec3, Vec4);

/// WGSL's `dot`.
pub fn dot<V: Dot>(a: V, b: V) -> V::Scalar {
    a.dot(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ops_follow_wgsl() {
        let a = vec2(i32::MIN, 7);
        assert_eq!(a / vec2(-1, 0), vec2(i32::MIN, 7));
        assert_eq!(a % vec2(-1, 0), vec2(0, 0));
        assert_eq!(vec2(u32::MAX, 1) + 1, vec2(0, 2));
        assert_eq!(-vec3(i32::MIN, 1, -2), vec3(i32::MIN, -1, 2));
        assert_eq!(vec4(1u32, 2, 3, 4).dot(vec4(5, 6, 7, 8)), 70);
    }

    #[test]
    fn float_ops_and_select() {
        let v = vec3(3.0f32, 4.0, 0.0);
        assert_eq!(v.length(), 5.0);
        assert_eq!(2.0 * v - v, v);
        assert_eq!(select(vec2(1, 2), vec2(3, 4), vec2(true, false)), vec2(3, 2));
        assert_eq!(select(1.0, 2.0, false), 1.0);
        assert_eq!(clamp(5.0f32, 6.0, 1.0), 1.0);
        assert_eq!(clamp(vec2(-1, 9), IVec2::splat(0), IVec2::splat(4)), vec2(0, 4));
        assert_eq!(v.cmpgt(Vec3::splat(1.0)), vec3(true, true, false));
        assert!(!v.cmpgt(Vec3::splat(1.0)).all() && v.cmpgt(Vec3::splat(1.0)).any());
        assert_eq!(v[7], 0.0);
        assert_eq!(<Vec3<f32> as GpuType>::WGSL.to_string(), "vec3<f32>");
    }
}

//! WGSL's [memory layout](https://www.w3.org/TR/WGSL/#memory-layouts): the one model of it that
//! `#[wasi_webgpu::shader]` (the structs it generates and their `GpuType`), `#[wasi_webgpu::kernel]`
//! (its uniform block and `GpuType` struct buffers) and the SDK's `GpuType` (the constants that
//! `#[derive(GpuType)]` checks Rust layouts against) compute with.
//!
//! Everything is a `const fn` without dependencies, so the guest-side SDK evaluates in its
//! constants the same rules the macros evaluate when they expand; the SDK depends on this crate
//! without its `naga` feature for it.

/// A WGSL scalar type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `f16` (needs `enable f16;`)
    F16,
    /// `f32`
    F32,
    /// `i32`
    I32,
    /// `u32`
    U32,
    /// `bool` (not host-shareable: overrides, and values inside kernels)
    Bool,
}

impl Scalar {
    /// Size in bytes in host-shareable memory (`bool` has none; 4 is reported).
    pub const fn size(self) -> u32 {
        match self {
            Scalar::F16 => 2,
            Scalar::F32 | Scalar::I32 | Scalar::U32 | Scalar::Bool => 4,
        }
    }

    /// The WGSL spelling.
    pub const fn wgsl(self) -> &'static str {
        match self {
            Scalar::F16 => "f16",
            Scalar::F32 => "f32",
            Scalar::I32 => "i32",
            Scalar::U32 => "u32",
            Scalar::Bool => "bool",
        }
    }

    /// `i32` or `u32`.
    pub const fn is_int(self) -> bool {
        matches!(self, Scalar::I32 | Scalar::U32)
    }

    /// `f32` or `f16`.
    pub const fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F16)
    }
}

/// `SizeOf` and `AlignOf` of a WGSL type, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// `SizeOf`, trailing padding included.
    pub size: u32,
    /// `AlignOf`, which the `storage` address space requires.
    pub align: u32,
}

impl Layout {
    /// A scalar, or an `atomic<T>` of it: aligned to its size.
    pub const fn scalar(scalar: Scalar) -> Layout {
        Layout { size: scalar.size(), align: scalar.size() }
    }

    /// `vecN<T>` of components `component_size` bytes wide: `vec2` aligns to two components,
    /// `vec3` and `vec4` to four.
    pub const fn vector(n: u32, component_size: u32) -> Layout {
        let align = if n == 2 { 2 * component_size } else { 4 * component_size };
        Layout { size: n * component_size, align }
    }

    /// `matCxR<T>`: `columns` columns of `vecR<T>`, each a column's alignment apart.
    pub const fn matrix(columns: u32, rows: u32, component_size: u32) -> Layout {
        let column = Layout::vector(rows, component_size);
        Layout { size: columns * column.align, align: column.align }
    }

    /// Bytes from one element of an array of this type to the next.
    pub const fn stride(self) -> u32 {
        round_up(self.align, self.size)
    }

    /// `array<T, n>` of this type (`n` of 1 for a runtime-sized array's minimum binding size).
    pub const fn array(self, n: u32) -> Layout {
        Layout { size: n.saturating_mul(self.stride()), align: self.align }
    }

    /// The alignment the `uniform` address space requires of this type: at least 16 for an array
    /// or a struct (`composite`), the storage alignment otherwise.
    pub const fn uniform_align(self, composite: bool) -> u32 {
        if composite { max(16, self.align) } else { self.align }
    }
}

/// Lays out a struct's members in declaration order, as WGSL does: each at the next multiple of
/// its alignment, the struct's size rounded up to its largest alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StructLayout {
    end: u32,
    align: u32,
}

impl StructLayout {
    /// A struct without members yet.
    pub const fn new() -> StructLayout {
        StructLayout { end: 0, align: 1 }
    }

    /// Where a member aligned to `align` would go next.
    pub const fn next_offset(&self, align: u32) -> u32 {
        round_up(align, self.end)
    }

    /// The end of the last member, before the struct's trailing padding.
    pub const fn end(&self) -> u32 {
        self.end
    }

    /// Adds a member occupying `size` bytes aligned to `align` (after its `@size` and `@align`),
    /// and returns its offset.
    pub const fn push(&mut self, size: u32, align: u32) -> u32 {
        let offset = self.next_offset(align);
        self.end = offset + size;
        self.align = max(self.align, align);
        offset
    }

    /// The struct's layout.
    pub const fn finish(&self) -> Layout {
        Layout { size: round_up(self.align, self.end), align: self.align }
    }
}

impl Default for StructLayout {
    fn default() -> Self {
        StructLayout::new()
    }
}

/// `roundUp(align, n)`: the least multiple of `align` that is at least `n`.
pub const fn round_up(align: u32, n: u32) -> u32 {
    n.div_ceil(align) * align
}

/// The larger of `a` and `b`, as a `const fn`.
pub const fn max(a: u32, b: u32) -> u32 {
    if a > b { a } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_wgsl_tables() {
        let f32_ = Layout::scalar(Scalar::F32);
        assert_eq!(Layout::scalar(Scalar::F16), Layout { size: 2, align: 2 });
        assert_eq!(Layout::vector(2, 4), Layout { size: 8, align: 8 });
        assert_eq!(Layout::vector(3, 4), Layout { size: 12, align: 16 });
        assert_eq!(Layout::vector(3, 2), Layout { size: 6, align: 8 });
        assert_eq!(Layout::matrix(3, 3, 4), Layout { size: 48, align: 16 });
        assert_eq!(Layout::matrix(2, 2, 2), Layout { size: 8, align: 4 });
        assert_eq!(Layout::vector(3, 4).array(4), Layout { size: 64, align: 16 });
        assert_eq!(f32_.array(5), Layout { size: 20, align: 4 });
        assert_eq!(f32_.array(5).uniform_align(true), 16);
        assert_eq!(f32_.uniform_align(false), 4);
        let mut s = StructLayout::new();
        assert_eq!(s.push(4, 4), 0);
        assert_eq!(s.push(12, 16), 16);
        assert_eq!(s.push(2, 2), 28);
        assert_eq!(s.end(), 30);
        assert_eq!(s.finish(), Layout { size: 32, align: 16 });
    }
}

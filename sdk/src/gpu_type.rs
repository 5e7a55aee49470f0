//! [`GpuType`]: Rust types whose memory layout is checked, at compile time,
//! against the WGSL type a shader reads them as.

use core::fmt;

// The one model of WGSL's layout rules, shared with `#[shader]` and `#[kernel]`.
use wasi_webgpu_shader::layout::{Layout as MemoryLayout, Scalar as WgslScalar, StructLayout, max, round_up};

/// A WGSL type, as a [`GpuType`] describes itself in
/// [`GpuType::WGSL`]. `Display` gives its WGSL spelling, e.g.
/// `array<vec4<f32>, 4>`; [`declarations`](Self::declarations) the WGSL
/// declarations of the structs it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WgslType {
    /// `f32`
    F32,
    /// `i32`
    I32,
    /// `u32`
    U32,
    /// `f16`, which a `#[shader]` struct holds as its bits, a `u16`.
    F16,
    /// `vecN<T>`
    Vector {
        /// N: 2, 3 or 4.
        size: u8,
        /// T: [`F32`](Self::F32), [`I32`](Self::I32) or [`U32`](Self::U32).
        component: &'static WgslType,
    },
    /// `matCxR<T>`, in a `#[shader]` struct.
    Matrix {
        /// C: 2, 3 or 4.
        columns: u8,
        /// R: 2, 3 or 4.
        rows: u8,
        /// T: [`F32`](Self::F32) or [`F16`](Self::F16).
        component: &'static WgslType,
    },
    /// `atomic<T>`, in a `#[shader]` struct.
    Atomic {
        /// T: [`I32`](Self::I32) or [`U32`](Self::U32).
        component: &'static WgslType,
    },
    /// `array<T, N>`
    Array {
        /// T.
        element: &'static WgslType,
        /// N.
        length: usize,
    },
    /// A struct, named after the Rust struct.
    Struct {
        /// The name.
        name: &'static str,
        /// The members, without the Rust-only padding fields.
        members: &'static [WgslMember],
    },
}

/// A member of a [`WgslType::Struct`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WgslMember {
    /// The name, the Rust field's.
    pub name: &'static str,
    /// The type.
    pub ty: &'static WgslType,
    /// Byte offset in the struct.
    pub offset: u32,
    /// `@align(N)`, from `#[gpu(align = N)]`.
    pub align: Option<u32>,
    /// `@size(N)`, from `#[gpu(size = N)]`.
    pub size: Option<u32>,
}

impl WgslType {
    /// WGSL declarations of the structs this type uses, each once and after
    /// the structs it contains, ending with this one if it is a struct.
    /// Paste them into a shader, or prepend them to WGSL built at run time,
    /// to write the layout once.
    pub fn declarations(&self) -> String {
        let mut done = Vec::new();
        let mut out = String::new();
        self.declare(&mut done, &mut out);
        out
    }

    fn declare(&self, done: &mut Vec<&'static str>, out: &mut String) {
        match *self {
            WgslType::Vector { .. }
            | WgslType::Matrix { .. }
            | WgslType::Atomic { .. }
            | WgslType::F32
            | WgslType::I32
            | WgslType::U32
            | WgslType::F16 => {}
            WgslType::Array { element, .. } => element.declare(done, out),
            WgslType::Struct { name, members } => {
                if done.contains(&name) {
                    return;
                }
                for member in members {
                    member.ty.declare(done, out);
                }
                done.push(name);
                out.push_str(&format!("struct {name} {{\n"));
                for member in members {
                    out.push_str("    ");
                    if let Some(align) = member.align {
                        out.push_str(&format!("@align({align}) "));
                    }
                    if let Some(size) = member.size {
                        out.push_str(&format!("@size({size}) "));
                    }
                    out.push_str(&format!("{}: {},\n", member.name, member.ty));
                }
                out.push_str("}\n");
            }
        }
    }
}

impl fmt::Display for WgslType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WgslType::F32 => f.write_str("f32"),
            WgslType::I32 => f.write_str("i32"),
            WgslType::U32 => f.write_str("u32"),
            WgslType::F16 => f.write_str("f16"),
            WgslType::Vector { size, component } => write!(f, "vec{size}<{component}>"),
            WgslType::Matrix { columns, rows, component } => write!(f, "mat{columns}x{rows}<{component}>"),
            WgslType::Atomic { component } => write!(f, "atomic<{component}>"),
            WgslType::Array { element, length } => write!(f, "array<{element}, {length}>"),
            WgslType::Struct { name, .. } => f.write_str(name),
        }
    }
}

/// A plain-data Rust type with the memory layout of a WGSL type, so that a
/// buffer of it reads in a shader as that type, in a `storage` buffer (and in
/// a `uniform` one when [`UNIFORM_COMPATIBLE`](Self::UNIFORM_COMPATIBLE)).
///
/// A buffer is bytes; the shader reads them with WGSL's
/// [memory layout](https://www.w3.org/TR/WGSL/#memory-layouts), which aligns
/// some types more than Rust does (`vec3<f32>` to 16 bytes, where `[f32; 3]`
/// aligns to 4). A struct that looks the same in both languages can therefore
/// put its fields at different offsets, and the shader silently reads the
/// wrong values. `#[derive(GpuType)]` turns that into a compile error that
/// names the field.
///
/// # The Rust types and their WGSL types
///
/// | Rust | WGSL | size | align |
/// |---|---|---|---|
/// | `f32`, `i32`, `u32` | `f32`, `i32`, `u32` | 4 | 4 |
/// | `[T; 2]`, T one of those | `vec2<T>` | 8 | 8 |
/// | `[T; 3]`, T one of those | `vec3<T>` | 12 | 16 |
/// | `[T; 4]`, T one of those | `vec4<T>` | 16 | 16 |
/// | any other `[T; N]` | `array<T, N>` | N × stride | align of T |
/// | a `#[derive(GpuType)]` struct | a struct of its non-padding fields | | |
///
/// So `[f32; 4]` is a `vec4<f32>`, as in the structs
/// [`#[shader]`](crate::shader) generates and as wgpu code usually writes it,
/// and `[[f32; 4]; 4]` has the layout of `mat4x4<f32>`. A field marked
/// `#[gpu(array)]` reads its `[T; N]` as `array<T, N>` instead, for the rare
/// `array<f32, 4>`.
///
/// WGSL spaces the elements of `array<vec3<f32>, N>` 16 bytes apart, but a
/// `[f32; 3]` is 12 bytes, so `[[f32; 3]; N]` matches no WGSL type: the derive
/// rejects it and suggests `[[f32; 4]; N]`, whose layout is the same as the
/// WGSL array's.
///
/// # Deriving
///
/// ```
/// use bytemuck::{Pod, Zeroable};
/// use wasi_webgpu::GpuType;
///
/// #[derive(Clone, Copy, Pod, Zeroable, GpuType)]
/// #[repr(C)]
/// struct Particle {
///     mass: f32,
///     _pad: [u32; 3],          // Rust-only: WGSL aligns `velocity` to 16
///     velocity: [f32; 3],      // vec3<f32>
///     charge: f32,             // packs into the vec3's last 4 bytes
/// }
///
/// assert_eq!(Particle::WGSL_SIZE, 32);
/// assert_eq!(
///     Particle::WGSL.declarations(),
///     "struct Particle {\n    mass: f32,\n    velocity: vec3<f32>,\n    charge: f32,\n}\n"
/// );
/// ```
///
/// The struct must be `#[repr(C)]`, have named fields and no generics, and be
/// [`Pod`](bytemuck::Pod), which rules out implicit padding: the gaps WGSL
/// leaves are filled with padding fields, named `_pad…` or marked
/// `#[gpu(padding)]`, which exist only on the Rust side. Every other field is
/// a member of the WGSL struct, must be a `GpuType`, and must sit at the
/// offset WGSL gives it; the struct's size must be WGSL's.
///
/// Attributes:
///
/// - `#[gpu(uniform)]` on the struct also enforces the stricter rules of the
///   `uniform` address space: arrays with elements 16 bytes apart, arrays
///   and structs at offsets that are multiples of 16, and 16-byte rounded
///   room for a struct member before the next member. Without it the
///   derive checks the `storage` rules, and
///   [`UNIFORM_COMPATIBLE`](GpuType::UNIFORM_COMPATIBLE) tells whether the
///   type happens to follow the uniform rules too.
/// - `#[gpu(align = N)]` and `#[gpu(size = N)]` on a field mirror WGSL's
///   `@align(N)` and `@size(N)` on the member.
/// - `#[gpu(padding)]` makes a field Rust-only whatever its name.
/// - `#[gpu(array)]` reads a field's `[T; N]` as `array<T, N>`, not `vecN<T>`.
///
/// A mismatch is an error at the field:
///
/// ```compile_fail
/// # use bytemuck::{Pod, Zeroable};
/// #[derive(Clone, Copy, Pod, Zeroable, wasi_webgpu::GpuType)]
/// #[repr(C)]
/// struct Light {
///     intensity: f32,
///     position: [f32; 3], // error: field `position` of `Light` is at byte 4, but WGSL puts it at byte 16 ...
/// }
/// ```
///
/// Runtime-sized arrays (`array<T>` as the last member) have no Rust struct
/// counterpart: bind a `Buffer<T>` of the elements instead.
///
/// The structs [`#[shader]`](crate::shader) generates implement `GpuType`
/// too, from the shader's own layout (their `WGSL` members carry the
/// `@align`/`@size` their offsets imply). The rules behind both, and behind
/// [`#[kernel]`](macro@crate::kernel)'s uniform block, are one model,
/// `wasi_webgpu_shader::layout`.
///
/// # Implementing it by hand
///
/// For every type that is a field of a derived struct, `size_of::<Self>()`
/// equals [`WGSL_SIZE`](Self::WGSL_SIZE), so a slice of them has WGSL's array
/// stride; the Rust alignment may be smaller than WGSL's, which the
/// containing struct's padding makes up for.
///
/// The trait is safe to implement: the constants only feed compile-time
/// checks, and the bytes of a buffer are sound to reinterpret whatever they
/// say, because of [`Pod`](bytemuck::Pod). A wrong hand-written
/// implementation makes a shader read wrong values, never undefined
/// behavior.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `GpuType`, so it has no WGSL layout",
    label = "not a GPU type",
    note = "GPU types are f32, i32, u32; [T; 2..=4] of those (vecN<T>); [T; N] of GPU types (array<T, N>); \
            and #[repr(C)] structs with #[derive(wasi_webgpu::GpuType)]. Rust-only padding fields are named `_pad…`"
)]
pub trait GpuType: bytemuck::Pod {
    /// The WGSL type.
    const WGSL: WgslType;
    /// `SizeOf` in WGSL: bytes, including trailing padding.
    const WGSL_SIZE: u32;
    /// `AlignOf` in WGSL, which the `storage` address space requires.
    const WGSL_ALIGN: u32;
    /// The alignment the `uniform` address space requires: 16 or more for
    /// arrays and structs, [`WGSL_ALIGN`](Self::WGSL_ALIGN) otherwise.
    const UNIFORM_ALIGN: u32;
    /// Whether the type may be used in the `uniform` address space: its
    /// arrays space their elements a multiple of 16 bytes apart, and its
    /// structs follow the uniform rules (see `#[gpu(uniform)]` above).
    const UNIFORM_COMPATIBLE: bool;
}

macro_rules! scalar {
    ($($rust:ty => $wgsl:ident),*) => {$(
        impl GpuType for $rust {
            const WGSL: WgslType = WgslType::$wgsl;
            const WGSL_SIZE: u32 = MemoryLayout::scalar(WgslScalar::$wgsl).size;
            const WGSL_ALIGN: u32 = MemoryLayout::scalar(WgslScalar::$wgsl).align;
            const UNIFORM_ALIGN: u32 = MemoryLayout::scalar(WgslScalar::$wgsl).uniform_align(false);
            const UNIFORM_COMPATIBLE: bool = true;
        }
    )*};
}

scalar!(f32 => F32, i32 => I32, u32 => U32);

impl<T: GpuType, const N: usize> GpuType for [T; N] {
    const WGSL: WgslType = if is_vector::<T>(N) {
        WgslType::Vector { size: N as u8, component: &T::WGSL }
    } else {
        WgslType::Array { element: &T::WGSL, length: N }
    };
    const WGSL_SIZE: u32 = array_dims::<T>(N, is_vector::<T>(N)).size;
    const WGSL_ALIGN: u32 = array_dims::<T>(N, is_vector::<T>(N)).align;
    const UNIFORM_ALIGN: u32 = array_dims::<T>(N, is_vector::<T>(N)).uniform_align;
    const UNIFORM_COMPATIBLE: bool = array_dims::<T>(N, is_vector::<T>(N)).uniform_compatible;
}

/// Whether `[T; n]` stands for a WGSL vector.
const fn is_vector<T: GpuType>(n: usize) -> bool {
    matches!(T::WGSL, WgslType::F32 | WgslType::I32 | WgslType::U32) && n >= 2 && n <= 4
}

/// Layout numbers of a type, as in [`GpuType`]'s constants.
#[derive(Clone, Copy)]
struct Dims {
    size: u32,
    align: u32,
    uniform_align: u32,
    uniform_compatible: bool,
}

/// The layout of `[T; n]` as `vecN<T>` or as `array<T, n>`.
const fn array_dims<T: GpuType>(n: usize, vector: bool) -> Dims {
    let n = n as u32;
    if vector {
        let layout = MemoryLayout::vector(n, T::WGSL_SIZE);
        return Dims { size: layout.size, align: layout.align, uniform_align: layout.align, uniform_compatible: true };
    }
    let element = MemoryLayout { size: T::WGSL_SIZE, align: T::WGSL_ALIGN };
    let array = element.array(n);
    let uniform_align = max(array.uniform_align(true), T::UNIFORM_ALIGN);
    Dims {
        size: array.size,
        align: array.align,
        uniform_align,
        uniform_compatible: T::UNIFORM_COMPATIBLE && element.stride().is_multiple_of(uniform_align),
    }
}

/// What `#[derive(GpuType)]` expands to calls; not public API.
///
/// The derive describes the struct's fields as a `&[Field]`, and these
/// `const fn`s compute the WGSL layout and check the Rust one against it.
/// Keeping the rules here, not in the macro, lets them be unit-tested and
/// keeps the expansion small.
#[doc(hidden)]
pub mod derive_support {
    use super::{GpuType, StructLayout, WgslMember, WgslType, array_dims, round_up};

    /// A field of the Rust struct.
    #[derive(Clone, Copy)]
    pub struct Field {
        /// The Rust name.
        pub name: &'static str,
        /// `offset_of!` the field.
        pub rust_offset: usize,
        /// `size_of` its type.
        pub rust_size: usize,
        /// The WGSL member it is; `None` for a padding field.
        pub member: Option<Member>,
    }

    /// The WGSL side of a field.
    #[derive(Clone, Copy)]
    pub struct Member {
        ty: &'static WgslType,
        size: u32,
        align: u32,
        uniform_align: u32,
        uniform_compatible: bool,
        align_attr: Option<u32>,
        size_attr: Option<u32>,
    }

    impl Member {
        /// A member of type `T`; `ty` is `&T::WGSL`, which a generic `const
        /// fn` cannot borrow for `'static` itself.
        pub const fn of<T: GpuType>(ty: &'static WgslType) -> Self {
            Member {
                ty,
                size: T::WGSL_SIZE,
                align: T::WGSL_ALIGN,
                uniform_align: T::UNIFORM_ALIGN,
                uniform_compatible: T::UNIFORM_COMPATIBLE,
                align_attr: None,
                size_attr: None,
            }
        }

        /// A `#[gpu(array)]` member: `array<T, length>`, where `ty` describes it.
        pub const fn array<T: GpuType>(ty: &'static WgslType, length: usize) -> Self {
            let dims = array_dims::<T>(length, false);
            Member {
                ty,
                size: dims.size,
                align: dims.align,
                uniform_align: dims.uniform_align,
                uniform_compatible: dims.uniform_compatible,
                align_attr: None,
                size_attr: None,
            }
        }

        /// With `@align(n)`.
        pub const fn align(mut self, n: u32) -> Self {
            self.align_attr = Some(n);
            self
        }

        /// With `@size(n)`.
        pub const fn size(mut self, n: u32) -> Self {
            self.size_attr = Some(n);
            self
        }

        const fn member_align(&self) -> u32 {
            match self.align_attr {
                Some(n) => n,
                None => self.align,
            }
        }

        const fn member_size(&self) -> u32 {
            match self.size_attr {
                Some(n) => n,
                None => self.size,
            }
        }
    }

    /// The WGSL layout of a struct, as in [`GpuType`]'s constants.
    #[derive(Clone, Copy)]
    pub struct Layout {
        /// `WGSL_SIZE`.
        pub size: u32,
        /// `WGSL_ALIGN`.
        pub align: u32,
        /// `UNIFORM_ALIGN`.
        pub uniform_align: u32,
        /// `UNIFORM_COMPATIBLE`.
        pub uniform_compatible: bool,
    }

    /// The WGSL walk over the members before field `upto`.
    struct Walk {
        /// Where the member `upto` goes (if it is one).
        offset: u32,
        /// The members so far.
        layout: StructLayout,
        /// Whether the members so far follow the uniform rules.
        uniform_compatible: bool,
        /// The last member, when it is a struct: its name, offset and size.
        prev_struct: Option<(&'static str, u32, u32)>,
    }

    const fn walk(fields: &[Field], upto: usize) -> Walk {
        let mut walk = Walk { offset: 0, layout: StructLayout::new(), uniform_compatible: true, prev_struct: None };
        let mut i = 0;
        while i < fields.len() {
            let Some(member) = &fields[i].member else {
                i += 1;
                continue;
            };
            let offset = walk.layout.next_offset(member.member_align());
            if i == upto {
                walk.offset = offset;
                return walk;
            }
            walk.uniform_compatible = walk.uniform_compatible
                && member.uniform_compatible
                && offset.is_multiple_of(member.uniform_align)
                && room_after_struct(walk.prev_struct, offset).is_none();
            walk.prev_struct = match member.ty {
                WgslType::Struct { .. } => Some((fields[i].name, offset, member.size)),
                _ => None,
            };
            walk.layout.push(member.member_size(), member.member_align());
            i += 1;
        }
        walk.offset = walk.layout.end();
        walk
    }

    /// The uniform rule for a member after a struct: it starts at least
    /// `roundUp(16, SizeOf(S))` after the struct. `Some(earliest offset)`
    /// when `offset` breaks it.
    const fn room_after_struct(prev_struct: Option<(&'static str, u32, u32)>, offset: u32) -> Option<u32> {
        match prev_struct {
            Some((_, start, size)) if offset - start < round_up(16, size) => Some(start + round_up(16, size)),
            _ => None,
        }
    }

    /// The struct's WGSL layout. Never fails: the checks report mismatches.
    pub const fn layout(fields: &[Field]) -> Layout {
        let walk = walk(fields, usize::MAX);
        let layout = walk.layout.finish();
        Layout {
            size: layout.size,
            align: layout.align,
            uniform_align: layout.uniform_align(true),
            uniform_compatible: walk.uniform_compatible,
        }
    }

    /// Field `i` as a [`WgslMember`]; it must not be padding.
    pub const fn wgsl_member(fields: &'static [Field], i: usize) -> WgslMember {
        let Some(member) = &fields[i].member else { panic!("a padding field is no WGSL member") };
        WgslMember {
            name: fields[i].name,
            ty: member.ty,
            offset: walk(fields, i).offset,
            align: member.align_attr,
            size: member.size_attr,
        }
    }

    /// The error for field `i`, if it has one and no field before it has: an
    /// error shifts the offsets of the fields after it, which would report
    /// the same mistake again.
    pub const fn check_field(struct_name: &str, fields: &[Field], i: usize, uniform: bool) -> Option<Message> {
        let mut j = 0;
        while j < i {
            if field_error(struct_name, fields, j, uniform).is_some() {
                return None;
            }
            j += 1;
        }
        field_error(struct_name, fields, i, uniform)
    }

    /// The power-of-two alignment that puts a member ending the previous
    /// ones at `end` at `offset`, if one does; 0 otherwise.
    const fn align_reaching(end: u32, offset: usize) -> u32 {
        if offset == 0 || offset > u32::MAX as usize {
            return 0;
        }
        let offset = offset as u32;
        // The largest power of two dividing `offset`.
        let align = 1 << offset.trailing_zeros();
        if round_up(align, end) == offset { align } else { 0 }
    }

    /// The error for the struct as a whole, if no field has one.
    pub const fn check_struct(struct_name: &str, fields: &[Field], rust_size: usize, uniform: bool) -> Option<Message> {
        let mut j = 0;
        while j < fields.len() {
            if field_error(struct_name, fields, j, uniform).is_some() {
                return None;
            }
            j += 1;
        }
        let layout = layout(fields);
        if rust_size == layout.size as usize {
            return None;
        }
        let mut m = Message::new();
        m.push("`").push(struct_name).push("` is ").push_num(rust_size).push(" bytes in Rust, but ");
        m.push_num(layout.size as usize).push(" in WGSL, where it aligns to ").push_num(layout.align as usize);
        if rust_size < layout.size as usize {
            m.push(": add ").push_padding(layout.size as usize - rust_size, " at the end");
        } else {
            m.push(": remove ").push_num(rust_size - layout.size as usize).push(" bytes of padding at the end");
        }
        Some(m)
    }

    const fn field_error(struct_name: &str, fields: &[Field], i: usize, uniform: bool) -> Option<Message> {
        let field = &fields[i];
        let Some(member) = &field.member else { return None };
        let mut m = Message::new();
        m.push("field `").push(field.name).push("` of `").push(struct_name).push("`");

        if let Some(n) = member.align_attr
            && n < member.align
        {
            m.push(": #[gpu(align = ").push_num(n as usize).push(")] is below the alignment ");
            m.push_num(member.align as usize).push(" of `").push_type(member.ty).push("`");
            return Some(m);
        }
        if let Some(n) = member.size_attr
            && n < member.size
        {
            m.push(": #[gpu(size = ").push_num(n as usize).push(")] is below the size ");
            m.push_num(member.size as usize).push(" of `").push_type(member.ty).push("`");
            return Some(m);
        }
        if member.size == 0 {
            m.push(" has type `").push_type(member.ty).push("`, but WGSL has no zero-sized types");
            return Some(m);
        }
        if field.rust_size != member.size as usize {
            m.push(" is ").push_num(field.rust_size).push(" bytes in Rust, but its WGSL type `");
            m.push_type(member.ty).push("` is ").push_num(member.size as usize).push(" bytes");
            if let WgslType::Array { element: WgslType::Vector { size: 3, .. }, .. } = member.ty {
                m.push(": WGSL puts vec3 array elements 16 bytes apart; use [[T; 4]; N]");
            }
            return Some(m);
        }

        let walk = walk(fields, i);
        let expected = walk.offset as usize;
        if field.rust_offset != expected {
            m.push(" is at byte ").push_num(field.rust_offset).push(", but WGSL puts it at byte ");
            m.push_num(expected);
            if field.rust_offset < expected {
                match member.align_attr {
                    Some(n) => m.push(" (its #[gpu(align = ").push_num(n as usize).push(")])"),
                    None => m
                        .push(" (`")
                        .push_type(member.ty)
                        .push("` aligns to ")
                        .push_num(member.align as usize)
                        .push(")"),
                };
                m.push(": add ").push_padding(expected - field.rust_offset, " before it");
            } else {
                m.push(": remove ").push_num(field.rust_offset - expected).push(" bytes of padding before it");
                // The padding may be there on purpose, for a WGSL @align.
                let align = align_reaching(walk.layout.end(), field.rust_offset);
                if align > member.member_align() {
                    m.push(", or give it #[gpu(align = ").push_num(align as usize).push(")] (WGSL @align(");
                    m.push_num(align as usize).push("))");
                }
            }
            return Some(m);
        }

        if !uniform {
            return None;
        }
        if !member.uniform_compatible {
            m.push(": `").push_type(member.ty).push("` cannot be in a uniform buffer");
            match member.ty {
                WgslType::Struct { .. } => {
                    m.push("; mark it #[gpu(uniform)] to see why");
                }
                _ => {
                    m.push(", where array elements must be a multiple of 16 bytes apart");
                    m.push(" (and struct elements follow the uniform rules)");
                }
            }
            return Some(m);
        }
        if !walk.offset.is_multiple_of(member.uniform_align) {
            m.push(" is at byte ").push_num(expected).push(", but in a uniform buffer `").push_type(member.ty);
            m.push("` must start at a multiple of ").push_num(member.uniform_align as usize);
            m.push(": give it #[gpu(align = ").push_num(member.uniform_align as usize);
            m.push(")] (WGSL @align(").push_num(member.uniform_align as usize).push(")) and pad up to it");
            return Some(m);
        }
        if let Some(earliest) = room_after_struct(walk.prev_struct, walk.offset)
            && let Some((prev, _, size)) = walk.prev_struct
        {
            m.push(" is at byte ").push_num(expected).push(", but in a uniform buffer it must start at byte ");
            m.push_num(earliest as usize).push(" or later, 16-byte rounded past the struct `").push(prev);
            m.push("`: give `").push(prev).push("` #[gpu(size = ").push_num(round_up(16, size) as usize);
            m.push(")] (WGSL @size) and pad up to it");
            return Some(m);
        }
        None
    }

    /// A compile-time error message. A `const` panic cannot format, so
    /// messages are assembled here and panicked with as one `&str`.
    pub struct Message {
        buf: [u8; 1024],
        len: usize,
    }

    impl Message {
        const fn new() -> Self {
            Message { buf: [0; 1024], len: 0 }
        }

        /// The message; cut short if it did not fit.
        pub const fn as_str(&self) -> &str {
            let (bytes, _) = self.buf.split_at(self.len);
            match core::str::from_utf8(bytes) {
                Ok(s) => s,
                // Cut inside a character: drop the partial character.
                Err(e) => match core::str::from_utf8(bytes.split_at(e.valid_up_to()).0) {
                    Ok(s) => s,
                    Err(_) => "",
                },
            }
        }

        const fn push(&mut self, s: &str) -> &mut Self {
            let bytes = s.as_bytes();
            let mut i = 0;
            while i < bytes.len() && self.len < self.buf.len() {
                self.buf[self.len] = bytes[i];
                self.len += 1;
                i += 1;
            }
            self
        }

        const fn push_num(&mut self, n: usize) -> &mut Self {
            let mut digits = [0u8; 20];
            let (mut n, mut count) = (n, 0);
            loop {
                digits[count] = b'0' + (n % 10) as u8;
                count += 1;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            while count > 0 && self.len < self.buf.len() {
                count -= 1;
                self.buf[self.len] = digits[count];
                self.len += 1;
            }
            self
        }

        /// "N bytes of padding {place}, e.g. `_pad: [u32; K]`".
        const fn push_padding(&mut self, bytes: usize, place: &str) -> &mut Self {
            self.push_num(bytes).push(" bytes of padding").push(place).push(", e.g. `_pad: ");
            if bytes == 4 {
                self.push("u32");
            } else if bytes.is_multiple_of(4) {
                self.push("[u32; ").push_num(bytes / 4).push("]");
            } else {
                self.push("[u8; ").push_num(bytes).push("]");
            }
            self.push("`")
        }

        const fn push_type(&mut self, ty: &WgslType) -> &mut Self {
            match ty {
                WgslType::F32 => self.push("f32"),
                WgslType::I32 => self.push("i32"),
                WgslType::U32 => self.push("u32"),
                WgslType::F16 => self.push("f16"),
                WgslType::Vector { size, component } => {
                    self.push("vec").push_num(*size as usize).push("<").push_type(component).push(">")
                }
                WgslType::Matrix { columns, rows, component } => {
                    self.push("mat").push_num(*columns as usize).push("x").push_num(*rows as usize);
                    self.push("<").push_type(component).push(">")
                }
                WgslType::Atomic { component } => self.push("atomic<").push_type(component).push(">"),
                WgslType::Array { element, length } => {
                    self.push("array<").push_type(element).push(", ").push_num(*length).push(">")
                }
                WgslType::Struct { name, .. } => self.push(name),
            }
        }
    }
}

#[cfg(test)]
mod tests;

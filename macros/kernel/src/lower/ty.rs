//! Types of the subset, from Rust syntax.

use super::*;

impl Lowerer<'_> {
    /// A type of the subset, from Rust syntax.
    pub fn parse_ty(&mut self, ty: &syn::Type) -> Result<Ty> {
        let mut cx = TyCx { uses_f16: self.uses_f16, structs: self.structs };
        let ty = parse_ty(ty, &mut cx);
        self.uses_f16 = cx.uses_f16;
        ty
    }
}

/// What parsing a type needs: the structs in scope, and a flag set when `f16` is used.
pub struct TyCx<'a> {
    pub uses_f16: bool,
    pub structs: &'a [Rc<StructDef>],
}

/// A type of the subset, from Rust syntax; sets `cx.uses_f16` when it mentions `f16`.
pub fn parse_ty(ty: &syn::Type, cx: &mut TyCx<'_>) -> Result<Ty> {
    let span = Sp::of(&ty);
    match ty {
        syn::Type::Array(a) => {
            let elem = parse_ty(&a.elem, cx)?;
            if matches!(elem, Ty::Array(..)) {
                // Allowed by WGSL, but keep the CPU translation and layout rules simple and explicit.
            }
            Ok(Ty::Array(Box::new(elem), array_len(&a.len)?))
        }
        syn::Type::Paren(p) => parse_ty(&p.elem, cx),
        syn::Type::Group(g) => parse_ty(&g.elem, cx),
        syn::Type::Tuple(t) if t.elems.is_empty() => Ok(Ty::Unit),
        syn::Type::Path(p) if p.qself.is_none() => {
            let seg = p.path.segments.last().expect("non-empty path");
            let name = seg.ident.to_string();
            let scalar = match name.as_str() {
                "f32" => Some(Scalar::F32),
                "i32" | "isize" => Some(Scalar::I32),
                "u32" | "usize" => Some(Scalar::U32),
                "bool" => Some(Scalar::Bool),
                "f16" => {
                    if !cfg!(feature = "f16") {
                        return err(
                            span,
                            "`f16` in kernels needs the `f16` cargo feature of wasi-webgpu (and a device with \
                             `shader-f16`)",
                        );
                    }
                    cx.uses_f16 = true;
                    Some(Scalar::F16)
                }
                _ => None,
            };
            if let Some(s) = scalar {
                return Ok(Ty::Scalar(s));
            }
            if let Some((n, s)) = vector_of(&name) {
                let s = match s {
                    Some(s) => s,
                    None => {
                        let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
                            return err(span, format!("`{name}` needs its component type: `{name}<f32>`"));
                        };
                        let Some(syn::GenericArgument::Type(inner)) = args.args.first() else {
                            return err(span, format!("`{name}` needs its component type: `{name}<f32>`"));
                        };
                        match parse_ty(inner, cx)? {
                            Ty::Scalar(s) => s,
                            other => {
                                return err(
                                    Sp::of(&inner),
                                    format!("vectors hold scalars, not `{}`", other.rust_name()),
                                );
                            }
                        }
                    }
                };
                return Ok(Ty::Vector(n, s));
            }
            if let Some(def) = cx.structs.iter().find(|d| d.name == name) {
                return Ok(Ty::Struct(def.clone()));
            }
            let hint = match name.as_str() {
                "f64" => "WGSL has no `f64`: use `f32`".to_string(),
                "u8" | "u16" | "u64" | "u128" | "i8" | "i16" | "i64" | "i128" => int_hint(&name).to_string(),
                "String" | "str" => "`String` is not in the kernel subset: GPUs have no text".into(),
                "Vec" => "`Vec` is not in the kernel subset: take `&[T]`/`&mut [T]` or use `[T; N]`".into(),
                "Option" | "Result" => "`Option`/`Result` are not in the kernel subset".into(),
                "char" => "`char` is not in the kernel subset: use `u32`".into(),
                _ => format!(
                    "`{name}` is not a kernel type; use f32, i32, u32, bool, usize/isize (32-bit), Vec2/3/4<T>, \
                     [T; N]"
                ),
            };
            err(span, hint)
        }
        syn::Type::Reference(_) => {
            err(span, "references are only kernel parameters (`&[T]`, `&mut [T]`); pass values by value")
        }
        syn::Type::Slice(_) => err(span, "slices are kernel parameters: `&[T]` or `&mut [T]`"),
        _ => err(span, "this type is not in the kernel subset"),
    }
}

pub(super) fn int_hint(name: &str) -> &'static str {
    match name {
        "u8" | "u16" | "u64" | "u128" => "WGSL integers are 32-bit: use `u32`",
        "i8" | "i16" | "i64" | "i128" => "WGSL integers are 32-bit: use `i32`",
        "f64" => "WGSL has no `f64`: use `f32`",
        _ => "use f32, i32, u32 or usize",
    }
}

/// `VecN` names: size, and the component when the alias fixes it.
pub(super) fn vector_of(name: &str) -> Option<(u8, Option<Scalar>)> {
    let (prefix, n) = name.split_at(name.len().checked_sub(1)?);
    let n: u8 = n.parse().ok().filter(|n| (2..=4).contains(n))?;
    let scalar = match prefix {
        "Vec" => None,
        "UVec" => Some(Scalar::U32),
        "IVec" => Some(Scalar::I32),
        "BVec" => Some(Scalar::Bool),
        _ => return None,
    };
    Some((n, scalar))
}

/// `AtomicU32` / `AtomicI32`.
pub fn atomic_scalar(ty: &syn::Type) -> Option<Scalar> {
    let syn::Type::Path(p) = ty else { return None };
    match p.path.segments.last()?.ident.to_string().as_str() {
        "AtomicU32" => Some(Scalar::U32),
        "AtomicI32" => Some(Scalar::I32),
        _ => None,
    }
}

/// The `T` of `Workgroup<T>`.
pub(super) fn workgroup_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Workgroup" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

pub fn array_len(e: &syn::Expr) -> Result<u32> {
    match e {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => {
            let n: u32 = i.base10_parse().map_err(|_| Sp::of(&i).error("array length too large"))?;
            if n == 0 {
                return err(Sp::of(&i), "WGSL arrays have at least one element");
            }
            Ok(n)
        }
        other => err(Sp::of(&other), "array lengths in kernels are integer literals"),
    }
}

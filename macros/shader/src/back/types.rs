//! Rust types for WGSL types: scalars, vectors, matrices, arrays, and a `#[repr(C)]` struct per
//! WGSL struct with the WGSL layout.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{ident, names, primitive, sdk};
use crate::{Shader, StructDef, Type};

/// A WGSL struct whose last member is a runtime-sized array: what sits before the array, and the
/// array's element type.
pub(crate) struct RuntimeTail<'a> {
    /// Byte offset of the array, which is also the size of the generated header struct.
    pub offset: u32,
    /// The array's element.
    pub element: &'a Type,
    /// Bytes from one element to the next.
    pub stride: u32,
}

impl StructDef {
    /// The struct's runtime-sized array, if its last member is one.
    pub(crate) fn runtime_tail(&self) -> Option<RuntimeTail<'_>> {
        match self.members.last() {
            Some(member) => match &member.ty {
                Type::Array { element, length: None, stride } => {
                    Some(RuntimeTail { offset: member.offset, element, stride: *stride })
                }
                _ => None,
            },
            None => None,
        }
    }

    /// A struct of nothing but a runtime-sized array, `struct Particles { p: array<Particle> }`:
    /// it is bound as a buffer of the elements and gets no Rust struct (it would have no bytes).
    pub(crate) fn is_array_wrapper(&self) -> bool {
        self.runtime_tail().is_some_and(|tail| tail.offset == 0)
    }
}

fn scalar(s: crate::Scalar) -> TokenStream {
    use crate::Scalar;
    match s {
        Scalar::F32 => primitive("f32"),
        Scalar::I32 => primitive("i32"),
        Scalar::U32 | Scalar::Bool => primitive("u32"),
        // Rust has no stable f16; the bits travel as u16.
        Scalar::F16 => primitive("u16"),
    }
}

/// The Rust type of a scalar override value.
pub(crate) fn override_value(s: crate::Scalar) -> TokenStream {
    use crate::Scalar;
    match s {
        Scalar::Bool => primitive("bool"),
        Scalar::F16 => primitive("f32"),
        other => scalar(other),
    }
}

/// The Rust type of a WGSL type. `in_array` makes `vec3` four components
/// wide, since an array element occupies its whole stride.
pub(crate) fn rust_type(shader: &Shader, ty: &Type, in_array: bool) -> TokenStream {
    match ty {
        Type::Scalar(s) | Type::Atomic(s) => scalar(*s),
        Type::Vector { size, scalar: s } => {
            let n = Literal::usize_unsuffixed(if *size == 3 && in_array { 4 } else { usize::from(*size) });
            let s = scalar(*s);
            quote!([#s; #n])
        }
        Type::Matrix { columns, rows, scalar: s } => {
            // A column is a vecR whose stride rounds vec3 up to vec4.
            let r = Literal::usize_unsuffixed(if *rows == 3 { 4 } else { usize::from(*rows) });
            let c = Literal::usize_unsuffixed(usize::from(*columns));
            let s = scalar(*s);
            quote!([[#s; #r]; #c])
        }
        Type::Array { element, length: Some(n), .. } => {
            let e = rust_type(shader, element, true);
            let n = Literal::u32_unsuffixed(*n);
            quote!([#e; #n])
        }
        // A runtime-sized array is bound as a buffer of its elements.
        Type::Array { element, length: None, .. } => rust_type(shader, element, true),
        Type::Struct(index) => {
            let name = ident(&shader.structs[*index].name);
            quote!(#name)
        }
        Type::Other(_) => quote!(()),
    }
}

/// What a buffer binding of type `ty` holds, as the `T` of `Uniform<T>`, `Storage<T>` or
/// `StorageMut<T>`: the elements of a runtime-sized array, also one wrapped in a struct, and
/// `WithArray<Header, Element>` for a struct with members before its runtime-sized array.
pub(crate) fn binding_element(shader: &Shader, ty: &Type) -> TokenStream {
    if let Type::Struct(index) = ty
        && let Some(def) = shader.structs.get(*index)
        && let Some(tail) = def.runtime_tail()
    {
        let element = rust_type(shader, tail.element, true);
        if def.is_array_wrapper() {
            return element;
        }
        let sdk = sdk();
        let header = ident(&def.name);
        return quote!(#sdk::WithArray<#header, #element>);
    }
    rust_type(shader, ty, false)
}

/// A `#[repr(C)]` struct with explicit padding, so its bytes are exactly
/// the WGSL layout and it can be `Pod`. A trailing runtime-sized array is
/// left out: the struct is the fixed part before it, the header of a
/// `WithArray` buffer. A struct of nothing but a runtime-sized array gets no
/// item.
pub(crate) fn struct_item(shader: &Shader, def: &StructDef) -> TokenStream {
    if def.is_array_wrapper() {
        return quote!();
    }
    let sdk = sdk();
    let name = ident(&def.name);
    let mut fields = Vec::new();
    let mut checks = Vec::new();
    let mut at = 0u32;
    let mut pad = 0u32;
    let mut end = def.size;
    let u8_ = primitive("u8");
    for member in &def.members {
        if matches!(member.ty, Type::Array { length: None, .. }) {
            end = member.offset;
            break;
        }
        if member.offset > at {
            let gap = Literal::u32_unsuffixed(member.offset - at);
            let pad_name = names::padding(pad);
            pad += 1;
            fields.push(quote!(#[doc(hidden)] pub #pad_name: [#u8_; #gap]));
        }
        let field = ident(&member.name);
        let ty = rust_type(shader, &member.ty, false);
        let offset = Literal::u32_unsuffixed(member.offset);
        let doc = format!("WGSL `{}` at byte offset {}.", member.name, member.offset);
        fields.push(quote!(#[doc = #doc] pub #field: #ty));
        checks.push(quote!(assert!(::core::mem::offset_of!(#name, #field) == #offset);));
        at = member.offset + member.ty.size_align(&shader.structs).0;
    }
    if end > at {
        let gap = Literal::u32_unsuffixed(end - at);
        let pad_name = names::padding(pad);
        fields.push(quote!(#[doc(hidden)] pub #pad_name: [#u8_; #gap]));
    }
    let size = Literal::u32_unsuffixed(end);
    let doc = match def.runtime_tail() {
        Some(_) => {
            let array = def.members.last().map_or("", |m| m.name.as_str());
            format!(
                "The members of the WGSL struct `{}` before its runtime-sized array `{array}`, {end} bytes, \
                 laid out as WGSL lays them out: the header of a `WithArray` buffer.",
                def.name
            )
        }
        None => format!("The WGSL struct `{}`, {} bytes, laid out as WGSL lays it out.", def.name, end),
    };
    let tail_check = def.runtime_tail().map(|tail| {
        // Elements follow the header at the array's offset, one stride apart, as `WithArray`
        // buffers lay them out.
        let element = rust_type(shader, tail.element, true);
        let stride = Literal::u32_unsuffixed(tail.stride);
        quote!(assert!(::core::mem::size_of::<#element>() == #stride);)
    });
    quote! {
        #[doc = #doc]
        #[repr(C)]
        #[allow(non_snake_case, non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct #name { #(#fields,)* }

        // The fields are Pod and the explicit padding leaves no implicit
        // padding, which the size check below proves.
        unsafe impl #sdk::__private::bytemuck::Zeroable for #name {}
        unsafe impl #sdk::__private::bytemuck::Pod for #name {}

        impl ::core::default::Default for #name {
            fn default() -> Self {
                #sdk::__private::bytemuck::Zeroable::zeroed()
            }
        }

        const _: () = {
            assert!(::core::mem::size_of::<#name>() == #size);
            #(#checks)*
            #tail_check
        };
    }
}

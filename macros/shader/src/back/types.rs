//! Rust types for WGSL types: scalars, vectors, matrices, arrays, and a `#[repr(C)]` struct per
//! WGSL struct with the WGSL layout, which implements `GpuType`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{ident, names, primitive, sdk};
use crate::layout::{Layout, StructLayout, round_up};
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
    let gpu_type = gpu_type_impl(shader, def);
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

        #gpu_type
    }
}

/// `GpuType` for a generated struct without a runtime-sized array (whose Rust struct is only the
/// header before it): the WGSL type and layout numbers come from the shader's reflection, so a
/// `#[shader]` struct is a `GpuType` like a `#[derive(GpuType)]` one, with the layout the shader
/// gives it, `@align` and `@size` included.
fn gpu_type_impl(shader: &Shader, def: &StructDef) -> TokenStream {
    if def.runtime_tail().is_some() {
        return quote!();
    }
    let sdk = sdk();
    let name = ident(&def.name);
    let wgsl_name = &def.name;
    let option = |value: Option<u32>| match value {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    // The members' `@align`/`@size`, as far as the offsets show them: a member further on than its
    // alignment puts it gets the `@align` that reaches its offset or, where none does, the member
    // before it the `@size` that does; trailing room is the last member's `@size`.
    let mut attrs: Vec<(Option<u32>, Option<u32>)> = vec![(None, None); def.members.len()];
    let mut walk = StructLayout::new();
    for (i, member) in def.members.iter().enumerate() {
        let (size, align) = member.ty.size_align(&shader.structs);
        let mut align = align;
        if walk.next_offset(align) != member.offset {
            let reaching = 1u32 << member.offset.trailing_zeros().min(31);
            if member.offset > 0 && round_up(reaching, walk.end()) == member.offset && reaching > align {
                attrs[i].0 = Some(reaching);
                align = reaching;
            } else if i > 0 {
                attrs[i - 1].1 = Some(member.offset - def.members[i - 1].offset);
                walk.push(member.offset - walk.end(), 1);
            }
        }
        walk.push(size, align);
    }
    if let Some(last) = attrs.last_mut()
        && walk.finish().size < def.size
    {
        let offset = def.members.last().map_or(0, |m| m.offset);
        last.1 = Some(def.size - offset);
    }
    let members = def.members.iter().zip(&attrs).map(|(member, (align, size))| {
        let (member_name, offset, ty) = (&member.name, member.offset, wgsl_type(shader, &member.ty));
        let (align, size) = (option(*align), option(*size));
        quote!(#sdk::WgslMember { name: #member_name, ty: &#ty, offset: #offset, align: #align, size: #size })
    });
    let (size, align) = (def.size, def.align);
    let uniform_align = Layout { size, align }.uniform_align(true);
    let uniform = struct_uniform_compatible(shader, def);
    quote! {
        impl #sdk::GpuType for #name {
            const WGSL: #sdk::WgslType = #sdk::WgslType::Struct { name: #wgsl_name, members: &[#(#members),*] };
            const WGSL_SIZE: ::core::primitive::u32 = #size;
            const WGSL_ALIGN: ::core::primitive::u32 = #align;
            const UNIFORM_ALIGN: ::core::primitive::u32 = #uniform_align;
            const UNIFORM_COMPATIBLE: ::core::primitive::bool = #uniform;
        }
    }
}

/// The SDK's `WgslType` of a member type.
fn wgsl_type(shader: &Shader, ty: &Type) -> TokenStream {
    let sdk = sdk();
    let scalar = |s: crate::Scalar| match s {
        crate::Scalar::F16 => quote!(#sdk::WgslType::F16),
        crate::Scalar::F32 => quote!(#sdk::WgslType::F32),
        crate::Scalar::I32 => quote!(#sdk::WgslType::I32),
        // `bool` is not host-shareable, so no buffer struct holds one.
        crate::Scalar::U32 | crate::Scalar::Bool => quote!(#sdk::WgslType::U32),
    };
    match ty {
        Type::Scalar(s) => scalar(*s),
        Type::Atomic(s) => {
            let component = scalar(*s);
            quote!(#sdk::WgslType::Atomic { component: &#component })
        }
        Type::Vector { size, scalar: s } => {
            let component = scalar(*s);
            quote!(#sdk::WgslType::Vector { size: #size, component: &#component })
        }
        Type::Matrix { columns, rows, scalar: s } => {
            let component = scalar(*s);
            quote!(#sdk::WgslType::Matrix { columns: #columns, rows: #rows, component: &#component })
        }
        Type::Array { element, length, .. } => {
            let (element, length) = (wgsl_type(shader, element), length.unwrap_or(0) as usize);
            quote!(#sdk::WgslType::Array { element: &#element, length: #length })
        }
        Type::Struct(index) => {
            let name = ident(&shader.structs[*index].name);
            quote!(<#name as #sdk::GpuType>::WGSL)
        }
        Type::Other(_) => quote!(#sdk::WgslType::U32),
    }
}

/// Whether `ty` may be in the `uniform` address space: its arrays' elements a multiple of 16 bytes
/// apart, every member at a multiple of its uniform alignment, and a member after a struct at
/// least the struct's size rounded up to 16 after it.
fn uniform_compatible(shader: &Shader, ty: &Type) -> bool {
    match ty {
        Type::Array { element, length: Some(_), stride } => {
            stride.is_multiple_of(16) && uniform_compatible(shader, element)
        }
        Type::Array { length: None, .. } | Type::Atomic(_) | Type::Other(_) => false,
        Type::Struct(index) => struct_uniform_compatible(shader, &shader.structs[*index]),
        Type::Scalar(_) | Type::Vector { .. } | Type::Matrix { .. } => true,
    }
}

/// [`uniform_compatible`] for a struct.
fn struct_uniform_compatible(shader: &Shader, def: &StructDef) -> bool {
    let members = &def.members;
    members.iter().enumerate().all(|(i, member)| {
        let (size, align) = member.ty.size_align(&shader.structs);
        let composite = matches!(member.ty, Type::Array { .. } | Type::Struct(_));
        let after_struct = i.checked_sub(1).map(|j| &members[j]).is_none_or(|prev| {
            !matches!(prev.ty, Type::Struct(_)) || member.offset - prev.offset >= round_up(16, prev.size)
        });
        member.offset.is_multiple_of(Layout { size, align }.uniform_align(composite))
            && after_struct
            && uniform_compatible(shader, &member.ty)
    })
}

//! `#[derive(GpuType)]`: describes a `#[repr(C)]` struct's fields to the
//! SDK's `const fn`s, which compute its WGSL layout and compare the Rust one
//! against it. The rules live in the SDK (`wasi_webgpu::gpu_type`), where
//! they are unit-tested; this file only parses and expands.
//!
//! Each check is its own `const _` item spanned at the field it checks, so a
//! mismatch is reported on that field's line.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitInt, Type};

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let name_str = name.unraw().to_string();
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "#[derive(GpuType)] cannot be generic: the layout is checked once, for concrete field types",
        ));
    }
    check_repr_c(&input)?;
    let uniform = struct_options(&input)?;
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => &fields.named,
            _ => {
                return Err(syn::Error::new(
                    data.fields.span(),
                    "#[derive(GpuType)] needs named fields: they become the WGSL struct's members",
                ));
            }
        },
        Data::Enum(data) => {
            return Err(syn::Error::new(data.enum_token.span, "#[derive(GpuType)] is for structs; WGSL has no enums"));
        }
        Data::Union(data) => {
            return Err(syn::Error::new(
                data.union_token.span,
                "#[derive(GpuType)] is for structs; WGSL has no unions",
            ));
        }
    };

    let mut descriptors = Vec::new();
    let mut members = Vec::new();
    let mut checks = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let ident = field.ident.as_ref().expect("named field");
        let wgsl_name = ident.unraw().to_string();
        let options = field_options(field)?;
        let ty = &field.ty;
        let member = if options.padding || wgsl_name.starts_with("_pad") {
            if let Some(span) = options.layout_attribute {
                return Err(syn::Error::new(span, "a padding field is Rust-only and has no WGSL layout to adjust"));
            }
            quote!(::core::option::Option::None)
        } else {
            let mut member = match options.array {
                None => quote_spanned! {ty.span()=>
                    __gpu::Member::of::<#ty>(&<#ty as ::wasi_webgpu::GpuType>::WGSL)
                },
                Some(span) => {
                    let Type::Array(array) = ty else {
                        return Err(syn::Error::new(span, "#[gpu(array)] is for fields of type [T; N]"));
                    };
                    let (element, length) = (&array.elem, &array.len);
                    quote_spanned! {ty.span()=>
                        __gpu::Member::array::<#element>(
                            &::wasi_webgpu::WgslType::Array {
                                element: &<#element as ::wasi_webgpu::GpuType>::WGSL,
                                length: #length,
                            },
                            #length,
                        )
                    }
                }
            };
            if let Some(align) = options.align {
                member.extend(quote!(.align(#align)));
            }
            if let Some(size) = options.size {
                member.extend(quote!(.size(#size)));
            }
            members.push(quote!(__gpu::wgsl_member(__FIELDS, #index)));
            // At the field's name, not its first attribute.
            checks.push(quote_spanned! {ident.span()=>
                const _: () = if let ::core::option::Option::Some(message) =
                    __gpu::check_field(#name_str, __FIELDS, #index, #uniform)
                {
                    ::core::panic!("{}", message.as_str())
                };
            });
            quote!(::core::option::Option::Some(#member))
        };
        descriptors.push(quote! {
            __gpu::Field {
                name: #wgsl_name,
                rust_offset: ::core::mem::offset_of!(#name, #ident),
                rust_size: ::core::mem::size_of::<#ty>(),
                member: #member,
            }
        });
    }
    if members.is_empty() {
        return Err(syn::Error::new(
            name.span(),
            "#[derive(GpuType)] needs a field that is not padding: WGSL has no empty structs",
        ));
    }
    let struct_check = quote_spanned! {name.span()=>
        const _: () = if let ::core::option::Option::Some(message) =
            __gpu::check_struct(#name_str, __FIELDS, ::core::mem::size_of::<#name>(), #uniform)
        {
            ::core::panic!("{}", message.as_str())
        };
    };

    // Hands the struct's source to `#[wasi_webgpu::kernel]`s that use it, through a hidden macro of
    // the same name (macro namespace), like `#[wasi_webgpu::gpu]` helpers do.
    let hidden = quote::format_ident!("__wasi_webgpu_struct_{}", name);
    let kernel_callback = quote! {
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #hidden {
            ($($rest:tt)*) => { ::wasi_webgpu::__private::kernel_continue! { { #input } $($rest)* } };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #hidden as #name;
    };

    Ok(quote! {
        const _: () = {
            use ::wasi_webgpu::__private::gpu_type as __gpu;

            const __FIELDS: &[__gpu::Field] = &[#(#descriptors),*];
            const __LAYOUT: __gpu::Layout = __gpu::layout(__FIELDS);

            #[automatically_derived]
            impl ::wasi_webgpu::GpuType for #name {
                const WGSL: ::wasi_webgpu::WgslType = ::wasi_webgpu::WgslType::Struct {
                    name: #name_str,
                    members: &[#(#members),*],
                };
                const WGSL_SIZE: u32 = __LAYOUT.size;
                const WGSL_ALIGN: u32 = __LAYOUT.align;
                const UNIFORM_ALIGN: u32 = __LAYOUT.uniform_align;
                const UNIFORM_COMPATIBLE: bool = __LAYOUT.uniform_compatible;
            }

            #(#checks)*
            #struct_check
        };

        #kernel_callback
    })
}

/// `offset_of!` and the WGSL rules only line up with a C layout; Rust's
/// default layout may reorder fields.
fn check_repr_c(input: &DeriveInput) -> syn::Result<()> {
    for attr in &input.attrs {
        if attr.path().is_ident("repr") {
            let mut c = false;
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("C") {
                    c = true;
                }
                // Skip arguments such as `align(16)`.
                if meta.input.peek(syn::token::Paren) {
                    let _content;
                    syn::parenthesized!(_content in meta.input);
                }
                Ok(())
            })?;
            if c {
                return Ok(());
            }
        }
    }
    Err(syn::Error::new(
        input.ident.span(),
        "#[derive(GpuType)] needs #[repr(C)], so the Rust field order and offsets are fixed",
    ))
}

/// The struct's `#[gpu(...)]`: whether `uniform` is set.
fn struct_options(input: &DeriveInput) -> syn::Result<bool> {
    let mut uniform = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("gpu")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("uniform") {
                uniform = true;
                Ok(())
            } else {
                Err(meta.error("unknown #[gpu] option for a struct; the one there is `uniform`"))
            }
        })?;
    }
    Ok(uniform)
}

#[derive(Default)]
struct FieldOptions {
    padding: bool,
    array: Option<Span>,
    align: Option<LitInt>,
    size: Option<LitInt>,
    /// Where `align` or `size` was given.
    layout_attribute: Option<Span>,
}

fn field_options(field: &syn::Field) -> syn::Result<FieldOptions> {
    let mut options = FieldOptions::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("gpu")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("padding") {
                options.padding = true;
            } else if meta.path.is_ident("array") {
                options.array = Some(meta.path.span());
            } else if meta.path.is_ident("align") || meta.path.is_ident("size") {
                let value: LitInt = meta.value()?.parse()?;
                let n: u32 = value.base10_parse()?;
                let is_align = meta.path.is_ident("align");
                if is_align && !n.is_power_of_two() {
                    return Err(syn::Error::new(value.span(), "WGSL's @align takes a power of two"));
                }
                if n == 0 {
                    return Err(syn::Error::new(value.span(), "WGSL's @size takes a positive size"));
                }
                options.layout_attribute = Some(meta.path.span());
                let value = LitInt::new(&format!("{n}u32"), value.span());
                if is_align {
                    options.align = Some(value);
                } else {
                    options.size = Some(value);
                }
            } else {
                let path = meta.path.to_token_stream().to_string();
                return Err(meta.error(format!(
                    "unknown #[gpu] option `{path}` for a field; the options are `padding`, `array`, \
                     `align = N` and `size = N`"
                )));
            }
            Ok(())
        })?;
    }
    Ok(options)
}

//! Rust code for a reflected [`Shader`]: the items `#[wasi_webgpu::shader]`
//! puts in its module. The contract is documented on the attribute in the
//! `wasi-webgpu` crate.

mod kernel;
mod names;
mod types;
mod vertex;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::{BindingKind, EntryPoint, Scalar, Shader, Stage};
use names::Names;

/// The SDK crate, as every generated path names it.
fn sdk() -> TokenStream {
    quote!(::wasi_webgpu)
}

/// A primitive type by a path no item of the shader's module can shadow (a WGSL struct may be
/// named `u32` or `bool` in Rust's eyes).
fn primitive(name: &str) -> TokenStream {
    let name = Ident::new(name, Span::call_site());
    quote!(::core::primitive::#name)
}

/// Generates the module's items. `source` is an expression of type
/// `&'static str` holding the WGSL (an `include_str!` for files, so editing
/// the file rebuilds the crate); `label` names the shader in errors.
pub fn generate(shader: &Shader, source: TokenStream, label: &str) -> TokenStream {
    let sdk = sdk();
    let computes: Vec<&EntryPoint> = shader
        .entry_points
        .iter()
        .filter(|e| e.stage == Stage::Compute)
        // Entry points using external textures get no typed API: the SDK cannot bind them.
        .filter(|e| e.globals.iter().all(|&g| !matches!(shader.globals[g].kind, BindingKind::Other(_))))
        .collect();
    let struct_names: Vec<&str> =
        shader.structs.iter().filter(|s| !s.is_array_wrapper()).map(|s| s.name.as_str()).collect();
    let names = Names::new(shader, &struct_names, &computes);
    let structs = shader.structs.iter().map(|def| types::struct_item(shader, def));
    let overrides = overrides_items(shader, &names);
    let kernels = computes.iter().map(|e| kernel::kernel_items(shader, e, label, &names));
    let vertex_layouts = shader
        .entry_points
        .iter()
        .filter(|e| e.stage == Stage::Vertex)
        .filter_map(|e| vertex::vertex_items(e, names.vertex(&e.name)));
    let (pipeline, bindings_alias, overrides_ty) = (&names.pipeline, &names.bindings, &names.overrides);
    let single = match computes.as_slice() {
        [only] => {
            let entry = names.entry(&only.name);
            let (ty, bindings) = (&entry.kernel, &entry.bindings);
            quote! {
                /// Compiles the shader's only compute entry point.
                pub async fn #pipeline(device: &#sdk::Device, overrides: &#overrides_ty) -> #sdk::Result<#ty> {
                    #ty::pipeline(device, overrides).await
                }
                /// The bindings of the shader's only compute entry point.
                #[allow(non_camel_case_types)]
                pub type #bindings_alias<'a> = #bindings<'a>;
            }
        }
        _ => quote!(),
    };
    let source_name = &names.source;
    let str_ = primitive("str");
    quote! {
        /// The WGSL source, validated against WebGPU when the crate was compiled.
        pub const #source_name: &#str_ = #source;
        #(#structs)*
        #overrides
        #(#kernels)*
        #single
        #(#vertex_layouts)*
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A Rust identifier for a WGSL name, raw where the name is a Rust keyword.
fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) { Ident::new_raw(name, Span::call_site()) } else { Ident::new(name, Span::call_site()) }
}

/// `saxpy_step` → `SaxpyStep`, the stem of the types named after an entry point.
fn type_ident(name: &str) -> Ident {
    let camel: String = name
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
        })
        .collect();
    // `_0` is a WGSL name, `0` no Rust one; nor is `·x` (from `_·x`) or `٣` (from `_٣`): after an
    // underscore WGSL allows any identifier-continuing character, Rust starts only with XID_Start.
    let camel = if !camel.starts_with(unicode_ident::is_xid_start) { format!("Entry{camel}") } else { camel };
    Ident::new(&camel, Span::call_site())
}

fn overrides_items(shader: &Shader, names: &Names) -> TokenStream {
    let sdk = sdk();
    let (overrides, specs_name) = (&names.overrides, &names.override_specs);
    let fields = shader.overrides.iter().map(|o| {
        let name = ident(&o.name);
        let ty = types::override_value(o.ty);
        let doc = match &o.initializer {
            Some(init) => format!("`override {}`; `None` keeps the shader's default, `{init}`.", o.name),
            None => format!("`override {}`, which has no default: set it.", o.name),
        };
        quote!(#[doc = #doc] pub #name: ::core::option::Option<#ty>)
    });
    let f64_ = primitive("f64");
    let values = shader.overrides.iter().map(|o| {
        let name = ident(&o.name);
        match o.ty {
            Scalar::Bool => quote!(self.#name.map(|v| if v { 1.0 } else { 0.0 })),
            _ => quote!(self.#name.map(|v| v as #f64_)),
        }
    });
    let count = Literal::usize_unsuffixed(shader.overrides.len());
    let specs = shader.overrides.iter().map(|o| {
        let name = &o.name;
        let key = o.id.map_or_else(|| o.name.clone(), |id| id.to_string());
        let default = match o.default {
            Some(d) => quote!(::core::option::Option::Some(#d)),
            None => quote!(::core::option::Option::None),
        };
        let has_default = o.initializer.is_some();
        quote!(#sdk::__private::OverrideSpec { name: #name, key: #key, default: #default, has_default: #has_default })
    });
    quote! {
        /// Values for the shader's `override` declarations.
        // The fields are the WGSL names, as written.
        #[allow(non_snake_case, non_camel_case_types)]
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        pub struct #overrides { #(#fields,)* }

        impl #overrides {
            #[doc(hidden)]
            pub fn values(&self) -> [::core::option::Option<#f64_>; #count] {
                [#(#values),*]
            }
        }

        const #specs_name: &[#sdk::__private::OverrideSpec] = &[#(#specs),*];
    }
}

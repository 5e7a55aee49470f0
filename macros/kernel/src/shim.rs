//! What a kernel expands to besides its modules, or instead of them after an error: uses of the
//! names it mentions, and stand-ins for its modules, so that an error is the only one.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;
use syn::{Ident, ItemFn};

use crate::{Options, instances};

/// An error, plus what keeps it the only one: the shim that keeps the kernel's imports used, and
/// stand-ins for the modules the kernel would have expanded to, so that code using them resolves.
/// A name that nothing declares stays out of the shim, where it would be a second error.
pub(crate) fn with_shim(
    error: syn::Error,
    attr: &TokenStream,
    item: &TokenStream,
    undeclared: Option<&str>,
) -> TokenStream {
    let mut out = error.into_compile_error();
    let Ok(func) = syn::parse2::<ItemFn>(item.clone()) else { return out };
    out.extend(uses_shim(&func, undeclared));
    let Ok(options) = syn::parse2::<Options>(attr.clone()) else { return out };
    let Ok(instances) = instances(&func, &options) else { return out };
    let vis = &func.vis;
    // `launch` and `dispatch` take the device or pass, the parameters and the thread count, of whatever types.
    let args: Vec<Ident> = (0..func.sig.inputs.len() + 2).map(|i| format_ident!("A{i}")).collect();
    for name in instances.iter().map(|f| &f.sig.ident) {
        out.extend(quote! {
            #[allow(dead_code, non_snake_case, clippy::all)]
            #vis mod #name {
                pub const WGSL: &str = "";
                pub const WORKGROUP_SIZE: [u32; 3] = [1, 1, 1];
                pub async fn launch<#(#args),*>(#(_: #args),*) -> ::wasi_webgpu::Result<()> {
                    ::core::unreachable!("the kernel did not compile")
                }
                pub async fn dispatch<#(#args),*>(#(_: #args),*) -> ::wasi_webgpu::Result<()> {
                    ::core::unreachable!("the kernel did not compile")
                }
            }
        });
    }
    out
}

/// `const _: () = { use Name as _; .. };` for the first segment of every path the kernel names
/// (types, called functions, constants, `Ordering::Relaxed`): the kernel function itself is not
/// emitted, so without this the user's imports for it would be reported unused, and a name that
/// does not resolve is reported at its use like in any Rust function.
pub(crate) fn uses_shim(func: &ItemFn, except: Option<&str>) -> TokenStream {
    struct Paths {
        names: Vec<Ident>,
        generics: Vec<String>,
    }
    impl Paths {
        fn add(&mut self, path: &syn::Path) {
            if path.leading_colon.is_some() {
                return;
            }
            let Some(first) = path.segments.first() else { return };
            let name = first.ident.to_string();
            const SKIP: &[&str] = &[
                "f32", "f16", "f64", "i32", "u32", "usize", "isize", "bool", "i8", "i16", "i64", "u8", "u16", "u64",
                "char", "str", "Self", "self", "crate", "super",
            ];
            let is_local = path.segments.len() == 1 && name.starts_with(|c: char| c.is_lowercase());
            if SKIP.contains(&name.as_str()) || self.generics.contains(&name) || is_local {
                return;
            }
            if !self.names.contains(&first.ident) {
                self.names.push(first.ident.clone());
            }
        }
    }
    impl VisitMut for Paths {
        fn visit_type_path_mut(&mut self, t: &mut syn::TypePath) {
            if t.qself.is_none() {
                self.add(&t.path);
            }
            syn::visit_mut::visit_type_path_mut(self, t);
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            // Called functions, including lower-case single names (`global_id()`).
            if let syn::Expr::Path(p) = &*call.func
                && p.qself.is_none()
                && p.path.leading_colon.is_none()
                && let Some(first) = p.path.segments.first()
                && !self.names.contains(&first.ident)
                && p.path.segments.len() == 1
            {
                self.names.push(first.ident.clone());
            }
            syn::visit_mut::visit_expr_call_mut(self, call);
        }
        fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
            if e.qself.is_none() && e.path.segments.len() > 1 {
                self.add(&e.path);
            }
            syn::visit_mut::visit_expr_path_mut(self, e);
        }
        fn visit_item_fn_mut(&mut self, f: &mut ItemFn) {
            // Only the signature's types and the body: not the attributes.
            for input in &mut f.sig.inputs {
                self.visit_fn_arg_mut(input);
            }
            self.visit_return_type_mut(&mut f.sig.output);
            self.visit_block_mut(&mut f.block);
        }
    }
    let generics = func
        .sig
        .generics
        .params
        .iter()
        .filter_map(|g| match g {
            syn::GenericParam::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut paths = Paths { names: Vec::new(), generics };
    paths.visit_item_fn_mut(&mut func.clone());
    let names: Vec<&Ident> = paths.names.iter().filter(|n| except.is_none_or(|e| *n != e)).collect();
    quote! {
        const _: () = {
            #(#[allow(unused_imports)] use #names as _;)*
        };
    }
}

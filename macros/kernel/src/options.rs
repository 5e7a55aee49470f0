//! The kernel attribute's options (`workgroup_size`, `types(..)`) and the
//! instances of a generic kernel they ask for.

use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::visit_mut::VisitMut;
use syn::{Ident, ItemFn, Token};

use crate::ir::*;

/// `#[kernel(workgroup_size = 64, types(T = [f32, u32]))]`.
pub(crate) struct Options {
    pub(crate) workgroup_size: Option<([u32; 3], Sp)>,
    pub(crate) types: Vec<(Ident, Vec<syn::Type>)>,
    pub(crate) span: Span,
}

impl Parse for Options {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let span = input.span();
        let mut options = Options { workgroup_size: None, types: Vec::new(), span };
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "workgroup_size" => {
                    input.parse::<Token![=]>()?;
                    let expr: syn::Expr = input.parse()?;
                    let dims: Vec<&syn::Expr> = match &expr {
                        syn::Expr::Tuple(t) => t.elems.iter().collect(),
                        syn::Expr::Array(a) => a.elems.iter().collect(),
                        syn::Expr::Paren(p) => vec![&*p.expr],
                        other => vec![other],
                    };
                    if dims.is_empty() || dims.len() > 3 {
                        return Err(Sp::of(&expr).error("`workgroup_size` is `x`, `(x, y)` or `(x, y, z)`"));
                    }
                    let mut size = [1u32; 3];
                    for (slot, dim) in size.iter_mut().zip(dims) {
                        let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(lit), .. }) = dim else {
                            return Err(Sp::of(&dim).error("workgroup sizes are integer literals"));
                        };
                        *slot = lit.base10_parse()?;
                        if *slot == 0 {
                            return Err(Sp::of(&dim).error("a workgroup size is at least 1"));
                        }
                    }
                    if options.workgroup_size.replace((size, Sp::of(&expr))).is_some() {
                        return Err(Sp::of(&key).error("`workgroup_size` is given twice"));
                    }
                }
                "types" => {
                    let content;
                    syn::parenthesized!(content in input);
                    while !content.is_empty() {
                        let param: Ident = content.parse()?;
                        content.parse::<Token![=]>()?;
                        let list;
                        syn::bracketed!(list in content);
                        let tys = list.parse_terminated(syn::Type::parse, Token![,])?;
                        if tys.is_empty() {
                            return Err(Sp::of(&param).error("list at least one type: `T = [f32, u32]`"));
                        }
                        options.types.push((param, tys.into_iter().collect()));
                        if !content.is_empty() {
                            content.parse::<Token![,]>()?;
                        }
                    }
                }
                other => {
                    return Err(Sp::of(&key).error(format!(
                        "unknown kernel option `{other}`; expected `workgroup_size = ..` or `types(T = [..])`"
                    )));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(options)
    }
}

/// The kernel's concrete instances: the function itself, or one per combination of `types(..)`,
/// with the generic parameters substituted and the name suffixed (`add_f32`).
pub(crate) fn instances(func: &ItemFn, options: &Options) -> syn::Result<Vec<ItemFn>> {
    let generics: Vec<&syn::GenericParam> = func.sig.generics.params.iter().collect();
    if generics.is_empty() {
        if let Some((param, _)) = options.types.first() {
            return Err(Sp::of(&param).error(format!("`types({param} = ..)` but the kernel has no `<{param}>`")));
        }
        return Ok(vec![func.clone()]);
    }
    let mut names = Vec::new();
    for g in &generics {
        match g {
            syn::GenericParam::Type(t) => names.push(t.ident.clone()),
            other => {
                return Err(Sp::of(&other).error("kernels are generic over types only, listed in `types(..)`"));
            }
        }
    }
    for name in &names {
        if !options.types.iter().any(|(p, _)| p == name) {
            return Err(Sp::of(&name).error(format!(
                "list the types to instantiate `{name}` with: `#[kernel(.., types({name} = [f32, u32]))]`"
            )));
        }
    }
    if let Some((p, _)) = options.types.iter().find(|(p, _)| !names.contains(p)) {
        return Err(Sp::of(&p).error(format!("the kernel has no type parameter `{p}`")));
    }
    // Cartesian product over the listed types.
    let mut combos: Vec<Vec<(Ident, syn::Type)>> = vec![Vec::new()];
    for (param, tys) in &options.types {
        combos = combos
            .into_iter()
            .flat_map(|c| {
                tys.iter().map(move |t| {
                    let mut c = c.clone();
                    c.push((param.clone(), t.clone()));
                    c
                })
            })
            .collect();
    }
    Ok(combos
        .into_iter()
        .map(|combo| {
            let mut f = func.clone();
            f.sig.generics = syn::Generics::default();
            let suffix: Vec<String> = combo.iter().map(|(_, t)| type_suffix(t)).collect();
            f.sig.ident = format_ident!("{}_{}", func.sig.ident, suffix.join("_"), span = func.sig.ident.span());
            Substitute(combo).visit_item_fn_mut(&mut f);
            f
        })
        .collect())
}

pub(crate) fn type_suffix(ty: &syn::Type) -> String {
    quote!(#ty).to_string().chars().filter(|c| c.is_alphanumeric() || *c == '_').collect::<String>().to_lowercase()
}

pub(crate) struct Substitute(Vec<(Ident, syn::Type)>);

impl VisitMut for Substitute {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(p) = ty
            && p.qself.is_none()
            && p.path.segments.len() == 1
            && p.path.segments[0].arguments.is_empty()
            && let Some((_, concrete)) = self.0.iter().find(|(name, _)| p.path.segments[0].ident == *name)
        {
            *ty = concrete.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
        // `T::MAX` and the like.
        if e.qself.is_none()
            && e.path.segments.len() == 2
            && let Some((_, concrete)) = self.0.iter().find(|(name, _)| e.path.segments[0].ident == *name)
            && let syn::Type::Path(tp) = concrete
            && let Some(seg) = tp.path.segments.last()
        {
            e.path.segments[0].ident = seg.ident.clone();
        }
        syn::visit_mut::visit_expr_path_mut(self, e);
    }
}

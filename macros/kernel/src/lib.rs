//! Compute kernels written in a subset of Rust, for the wasi-webgpu SDK: the translator behind
//! `#[wasi_webgpu::kernel]` and `#[wasi_webgpu::gpu]`.
//!
//! A kernel is lowered to a typed IR (`ir`), with every node keeping its Rust span. From the IR the
//! crate emits WGSL (`wgsl`), validated at compile time by [`wasi_webgpu_shader`] (naga 29 with
//! WebGPU's capabilities and default limits, the same check as `#[wasi_webgpu::shader]`), and a
//! CPU translation (`cpu`) that the SDK runs on its CPU device. Constructs outside the subset are
//! errors at their Rust span saying what to write instead; a naga error on the generated WGSL is
//! mapped back through the WGSL-to-Rust span map to the Rust code that produced it.
//!
//! Helpers marked `#[gpu]` reach the kernel macro through "callback" macros: `#[gpu] fn sq` also
//! defines a hidden `macro_rules!` named `sq` (macro namespace, so `use m::sq;` imports both) that
//! hands its own tokens to the next step. A kernel that calls `sq(..)` expands to `sq! { .. }`,
//! which ends in [`continue_kernel`] with all helper sources, so naga validates the whole module.
//!
//! The supported subset is documented on `wasi_webgpu::kernel`.

#![deny(missing_docs)]

mod callee;
mod cpu;
mod expand;
mod ir;
mod lower;
mod options;
mod shim;
mod uniformity;
mod wgsl;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::rc::Rc;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::visit_mut::VisitMut;
use syn::{Ident, ItemFn, Token};

use ir::*;
use options::{Options, instances};
use shim::{uses_shim, with_shim};

/// Expands `#[kernel(..)]` on `item`. Errors come back as `compile_error!` tokens.
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut undeclared = None;
    let result = (|| {
        let options: Options = syn::parse2(attr.clone())?;
        let func: ItemFn = syn::parse2(item.clone())
            .map_err(|e| syn::Error::new(e.span(), "#[wasi_webgpu::kernel] goes on a `fn`"))?;
        let mut pending = Vec::new();
        let mut first_span = Span::call_site();
        let instances = instances(&func, &options)?;
        let calls: Vec<(String, Span)> = instances.iter().flat_map(|f| callee_spans(&f.block)).collect();
        if let Some(not_gpu) = callee::not_gpu(&func, &calls) {
            undeclared = not_gpu.undeclared;
            return Err(not_gpu.error);
        }
        for f in instances {
            for (name, span) in deps(&f) {
                if !pending.contains(&name) && f.sig.ident != name {
                    if pending.is_empty() {
                        first_span = span;
                    }
                    pending.push(name);
                }
            }
        }
        if pending.is_empty() {
            return expand_all(&options, &func, &[]);
        }
        let rest = |names: TokenStream, fns: TokenStream| quote!({ #attr } { #item } { #names } { #fns });
        Ok(next_callback(rest, pending, &[], first_span))
    })();
    result.unwrap_or_else(|e| with_shim(e, &attr, &item, undeclared.as_deref()))
}

/// The step after a helper's callback macro: `{ helper bundle } <rest>`, where the bundle is the
/// helper with every helper it calls (transitively), and `<rest>` is either
/// `{ attr } { kernel fn } { pending names } { collected fns }` while expanding a kernel, or
/// `@define { helper fn } { pending names } { collected fns }` while defining the callback of a
/// helper that calls other helpers (resolved where that helper is defined, so its callees need
/// not be in scope at the kernel).
pub fn continue_kernel(input: TokenStream) -> TokenStream {
    let mut item = None;
    let result = (|| {
        let step: Step = syn::parse2(input)?;
        let mut collected = step.collected;
        for item in step.bundle {
            if !collected.iter().any(|c| item_name(c) == item_name(&item)) {
                collected.push(item);
            }
        }
        let mut pending = step.pending;
        pending.retain(|n| !collected.iter().any(|c| item_name(c).is_some_and(|i| i == n)));
        match step.target {
            Target::Kernel { attr, item: kernel } => {
                item = Some((attr.clone(), kernel.clone()));
                if pending.is_empty() {
                    let options: Options = syn::parse2(attr)?;
                    let func: ItemFn = syn::parse2(kernel)?;
                    return expand_all(&options, &func, &collected);
                }
                let rest = |names: TokenStream, fns: TokenStream| quote!({ #attr } { #kernel } { #names } { #fns });
                Ok(next_callback(rest, pending, &collected, Span::call_site()))
            }
            Target::Define { helper } => {
                if pending.is_empty() {
                    let name = helper.sig.ident.clone();
                    collected.push(syn::Item::Fn(*helper));
                    return Ok(callback_macro(&name, &collected));
                }
                let rest = |names: TokenStream, fns: TokenStream| quote!(@define { #helper } { #names } { #fns });
                Ok(next_callback(rest, pending, &collected, Span::call_site()))
            }
        }
    })();
    result.unwrap_or_else(|e| match &item {
        Some((attr, item)) => with_shim(e, attr, item, None),
        None => e.into_compile_error(),
    })
}

/// Expands `#[gpu]` on a helper: the function itself (callable from normal Rust too) plus its
/// callback macro, whose bundle also holds the helpers it calls. Those are looked up here, where
/// the helper is defined, through their own callbacks.
pub fn gpu(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut keep_fn = true;
    let result = (|| {
        if !attr.is_empty() {
            return Err(Sp::of(&attr).error("#[wasi_webgpu::gpu] takes no arguments"));
        }
        let func: ItemFn =
            syn::parse2(item.clone()).map_err(|e| syn::Error::new(e.span(), "#[wasi_webgpu::gpu] goes on a `fn`"))?;
        if let Some(not_gpu) = callee::not_gpu(&func, &callee_spans(&func.block)) {
            // A function that calls an undeclared one would be a second error.
            keep_fn = not_gpu.undeclared.is_none();
            return Err(not_gpu.error);
        }
        let calls: Vec<(String, Span)> = deps(&func).into_iter().filter(|(n, _)| func.sig.ident != n).collect();
        if calls.is_empty() {
            // Check the helper on its own, so its errors appear even when no kernel calls it.
            // With callees, the kernel that has their sources checks it.
            lower_helper(&func, &HashMap::new(), &[], true)?;
            let callback = callback_macro(&func.sig.ident, &[syn::Item::Fn(func.clone())]);
            return Ok(quote!(#func #callback));
        }
        let span = calls[0].1;
        let pending = calls.into_iter().map(|(n, _)| n).collect();
        let rest = |names: TokenStream, fns: TokenStream| quote!(@define { #item } { #names } { #fns });
        let chain = next_callback(rest, pending, &[], span);
        Ok(quote!(#func #chain))
    })();
    // The function stays, for its Rust callers: the error is then the only one.
    result.unwrap_or_else(|e| {
        let mut out = e.into_compile_error();
        if let Ok(func) = syn::parse2::<ItemFn>(item)
            && keep_fn
        {
            out.extend(quote!(#[allow(dead_code)] #func));
        }
        out
    })
}

/// `macro_rules! name` (in the macro namespace, beside the function) handing `bundle` over.
fn callback_macro(name: &Ident, bundle: &[syn::Item]) -> TokenStream {
    let hidden = format_ident!("__wasi_webgpu_gpu_{}", name);
    quote! {
        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #hidden {
            ($($rest:tt)*) => { ::wasi_webgpu::__private::kernel_continue! { { #(#bundle)* } $($rest)* } };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #hidden as #name;
    }
}

/// Invokes the callback macro of the first pending helper. `span` is where that helper is
/// called, so that a function which is not a `#[gpu]` helper in scope, and which the source check
/// of `callee` could not tell (one from another crate), is still reported there (as rustc's
/// "cannot find macro").
fn next_callback(
    rest: impl Fn(TokenStream, TokenStream) -> TokenStream,
    pending: Vec<String>,
    collected: &[syn::Item],
    span: Span,
) -> TokenStream {
    let next = Ident::new(&pending[0], span);
    let names: TokenStream = pending.iter().map(|n| Ident::new(n, Span::call_site())).map(|i| quote!(#i)).collect();
    let fns: TokenStream = collected.iter().map(|f| quote!(#f)).collect();
    let rest = rest(names, fns);
    quote!(#next! { #rest })
}

enum Target {
    Kernel { attr: TokenStream, item: TokenStream },
    Define { helper: Box<ItemFn> },
}

struct Step {
    bundle: Vec<syn::Item>,
    target: Target,
    pending: Vec<String>,
    collected: Vec<syn::Item>,
}

/// Helper functions and `#[derive(GpuType)]` structs, as handed over by callbacks.
fn parse_items(tokens: TokenStream) -> syn::Result<Vec<syn::Item>> {
    syn::parse::Parser::parse2(
        |input: ParseStream<'_>| {
            let mut items = Vec::new();
            while !input.is_empty() {
                items.push(input.parse::<syn::Item>()?);
            }
            Ok(items)
        },
        tokens,
    )
}

fn item_name(item: &syn::Item) -> Option<&Ident> {
    match item {
        syn::Item::Fn(f) => Some(&f.sig.ident),
        syn::Item::Struct(s) => Some(&s.ident),
        _ => None,
    }
}

/// What a function needs from elsewhere: the helpers it calls and the structs it names (types
/// that are not the subset's own), each with the span of its first use.
fn deps(f: &ItemFn) -> Vec<(String, Span)> {
    struct Types(Vec<(String, Span)>);
    impl VisitMut for Types {
        fn visit_type_path_mut(&mut self, t: &mut syn::TypePath) {
            if t.qself.is_none()
                && t.path.segments.len() == 1
                && let Some(seg) = t.path.segments.first()
                && seg.arguments.is_empty()
                && seg.ident.to_string().starts_with(|c: char| c.is_ascii_uppercase())
                && !KNOWN_TYPES.contains(&seg.ident.to_string().as_str())
                && !self.0.iter().any(|(n, _)| seg.ident == n)
            {
                self.0.push((seg.ident.to_string(), seg.ident.span()));
            }
            syn::visit_mut::visit_type_path_mut(self, t);
        }
        fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
            if let Some(seg) = e.path.segments.last()
                && !self.0.iter().any(|(n, _)| seg.ident == n)
            {
                self.0.push((seg.ident.to_string(), seg.ident.span()));
            }
            syn::visit_mut::visit_expr_struct_mut(self, e);
        }
    }
    let mut types = Types(Vec::new());
    let mut copy = f.clone();
    for input in &mut copy.sig.inputs {
        types.visit_fn_arg_mut(input);
    }
    types.visit_return_type_mut(&mut copy.sig.output);
    types.visit_block_mut(&mut copy.block);
    let generics: Vec<String> = f.sig.generics.type_params().map(|t| t.ident.to_string()).collect();
    let mut all = callee_spans(&f.block);
    for (name, span) in types.0 {
        if !generics.contains(&name) && !all.iter().any(|(n, _)| *n == name) {
            all.push((name, span));
        }
    }
    all
}

/// Capitalized type names the subset knows (or rejects with its own message): not structs.
const KNOWN_TYPES: &[&str] = &[
    "Vec2",
    "Vec3",
    "Vec4",
    "UVec2",
    "UVec3",
    "UVec4",
    "IVec2",
    "IVec3",
    "IVec4",
    "BVec2",
    "BVec3",
    "BVec4",
    "AtomicU32",
    "AtomicI32",
    "Workgroup",
    "Vec",
    "String",
    "Option",
    "Result",
    "Box",
    "Rc",
    "Arc",
    "Self",
];

impl Parse for Step {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let group = |input: ParseStream<'_>| -> syn::Result<TokenStream> {
            let content;
            syn::braced!(content in input);
            content.parse()
        };
        let bundle = parse_items(group(input)?)?;
        let target = if input.peek(Token![@]) {
            input.parse::<Token![@]>()?;
            let _define: Ident = input.parse()?;
            Target::Define { helper: Box::new(syn::parse2(group(input)?)?) }
        } else {
            Target::Kernel { attr: group(input)?, item: group(input)? }
        };
        let pending = group(input)?.into_iter().map(|t| t.to_string()).collect();
        let collected = parse_items(group(input)?)?;
        Ok(Step { bundle, target, pending, collected })
    }
}

/// Names a body calls as plain functions that are not builtins (the candidate `#[gpu]` helpers),
/// with the span of each one's first call.
fn callee_spans(block: &syn::Block) -> Vec<(String, Span)> {
    struct Calls(Vec<(String, Span)>);
    impl syn::visit_mut::VisitMut for Calls {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            if let syn::Expr::Path(p) = &*call.func
                && p.path.segments.len() == 1
                && p.path.leading_colon.is_none()
            {
                let name = p.path.segments[0].ident.to_string();
                if !BUILTIN_FNS.contains(&name.as_str()) && !self.0.iter().any(|(n, _)| *n == name) {
                    self.0.push((name, p.path.segments[0].ident.span()));
                }
            }
            syn::visit_mut::visit_expr_call_mut(self, call);
        }
    }
    let mut calls = Calls(Vec::new());
    calls.visit_block_mut(&mut block.clone());
    calls.0
}

/// Functions the kernel language itself provides.
const BUILTIN_FNS: &[&str] = &[
    "global_id",
    "local_id",
    "workgroup_id",
    "num_workgroups",
    "local_index",
    "workgroup_barrier",
    "storage_barrier",
    "vec2",
    "vec3",
    "vec4",
    "select",
    "min",
    "max",
    "clamp",
    "dot",
    "Some",
    "Ok",
    "Err",
];

/// Lowers the helpers (callees before callers), then every kernel instance, and generates the
/// modules.
fn expand_all(options: &Options, func: &ItemFn, items: &[syn::Item]) -> syn::Result<TokenStream> {
    let Some((workgroup_size, workgroup_size_span)) = options.workgroup_size else {
        return Err(syn::Error::new(
            options.span,
            "missing `workgroup_size`: write `#[wasi_webgpu::kernel(workgroup_size = 64)]` \
             (or `(x, y)` / `(x, y, z)`)",
        ));
    };
    let structs = struct_defs(items)?;
    let helper_fns: Vec<ItemFn> = items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Fn(f) => Some(f.clone()),
            _ => None,
        })
        .collect();
    let helpers = lower_helpers(&helper_fns, &structs)?;
    let mut out = uses_shim(func, None);
    let generic = !func.sig.generics.params.is_empty();
    for instance in instances(func, options)? {
        let kernel = lower_kernel(&instance, workgroup_size, workgroup_size_span, &helpers, &structs)?;
        let wgsl = validate(&kernel)?;
        out.extend(expand::module(&instance, &kernel, &wgsl, generic));
    }
    Ok(out)
}

/// A validated kernel's WGSL.
fn validate(kernel: &Kernel) -> syn::Result<String> {
    uniformity::check(kernel)?;
    let emitted = wgsl::emit(kernel);
    if let Err(d) = wasi_webgpu_shader::validate(&emitted.source) {
        let shared_limit = d.message.contains("workgroup storage");
        let span = match kernel.shared.iter().max_by_key(|s| s.ty.size_align().0) {
            Some(biggest) if shared_limit => biggest.span,
            _ => d.span.as_ref().and_then(|r| emitted.rust_span(r)).unwrap_or(kernel.workgroup_size_span),
        };
        let line = d
            .line
            .and_then(|l| emitted.source.lines().nth(l as usize - 1))
            .map(|l| format!("\n  in the generated WGSL: `{}`", l.trim()))
            .unwrap_or_default();
        return Err(span.error(format!("{}{line}", explain(&d.message))));
    }
    Ok(emitted.source)
}

/// naga's message, with a Rust-side explanation for the errors users hit in kernels.
fn explain(message: &str) -> String {
    if message.contains("non-uniform control flow") || message.contains("NonUniformControlFlow") {
        return format!(
            "this barrier may run in non-uniform control flow: every invocation of a workgroup must reach the same \
             barriers, so do not put them under a condition that depends on the invocation (e.g. on \
             `global_id()`) or on buffer contents (naga: {message})"
        );
    }
    if message.contains("workgroup") && (message.contains("exceeds") || message.contains("limit")) {
        return format!("{message} (WebGPU's default limits: 256 invocations, 256×256×64, 16 KiB of shared memory)");
    }
    message.to_string()
}

struct LoweredHelpers {
    sigs: HashMap<String, lower::Signature>,
    /// Callees before callers.
    functions: Vec<(Function, Vec<String>)>,
}

fn lower_helpers(fns: &[ItemFn], structs: &[Rc<StructDef>]) -> syn::Result<LoweredHelpers> {
    let mut sigs = HashMap::new();
    for f in fns {
        sigs.insert(f.sig.ident.to_string(), helper_signature(f, structs)?);
    }
    let mut lowered = Vec::new();
    for f in fns {
        lowered.push(lower_helper(f, &sigs, structs, false)?);
    }
    // Order callees first; a cycle is recursion, which WGSL forbids.
    let mut ordered: Vec<(Function, Vec<String>)> = Vec::new();
    let mut remaining = lowered;
    while !remaining.is_empty() {
        let before = remaining.len();
        let mut i = 0;
        while i < remaining.len() {
            let ready = remaining[i].1.iter().all(|c| ordered.iter().any(|(f, _)| &f.name == c));
            if ready {
                ordered.push(remaining.remove(i));
            } else {
                i += 1;
            }
        }
        if remaining.len() == before {
            let f = &remaining[0].0;
            return Err(f
                .span
                .error(format!("`{}` is part of a recursive cycle of `#[gpu]` calls: WGSL has no recursion", f.name)));
        }
    }
    Ok(LoweredHelpers { sigs, functions: ordered })
}

fn helper_signature(f: &ItemFn, structs: &[Rc<StructDef>]) -> syn::Result<lower::Signature> {
    check_plain_fn(f, "#[wasi_webgpu::gpu]")?;
    let mut cx = lower::TyCx { uses_f16: false, structs };
    let mut args = Vec::new();
    for input in &f.sig.inputs {
        let syn::FnArg::Typed(pt) = input else {
            return Err(Sp::of(&input).error("`#[gpu]` helpers are free functions, without `self`"));
        };
        args.push(lower::parse_ty(&pt.ty, &mut cx)?);
    }
    let ret = match &f.sig.output {
        syn::ReturnType::Default => Ty::Unit,
        syn::ReturnType::Type(_, t) => lower::parse_ty(t, &mut cx)?,
    };
    Ok(lower::Signature { args, ret })
}

fn lower_helper(
    f: &ItemFn,
    sigs: &HashMap<String, lower::Signature>,
    structs: &[Rc<StructDef>],
    standalone: bool,
) -> syn::Result<(Function, Vec<String>)> {
    let sig = helper_signature(f, structs)?;
    let name = f.sig.ident.to_string();
    let mut own;
    let sigs = if standalone {
        // Alone, the helper knows only itself (so that recursion is reported).
        own = sigs.clone();
        own.insert(name.clone(), sig.clone());
        &own
    } else {
        sigs
    };
    let mut lowerer = lower::Lowerer::new(&name, false, &[], sigs, structs, sig.ret.clone());
    let mut args = Vec::new();
    let mut stmts = Vec::new();
    for (input, ty) in f.sig.inputs.iter().zip(&sig.args) {
        let syn::FnArg::Typed(pt) = input else { unreachable!("checked by helper_signature") };
        let syn::Pat::Ident(pi) = &*pt.pat else {
            return Err(Sp::of(&pt.pat).error("helper arguments bind one name each"));
        };
        let rust = pi.ident.to_string();
        let span = Sp::of(pi);
        if pi.mutability.is_some() {
            // WGSL arguments are immutable: a `mut` argument is copied into a `var`.
            let arg = lowerer.declare_with("", &format!("{rust}_arg"), ty.clone(), false);
            let local = lowerer.declare_with(&rust, &rust, ty.clone(), true);
            let init = Expr { kind: ExprKind::Var(Place::Local(arg.clone())), ty: ty.clone(), span };
            stmts.push(Stmt::Let { name: local, mutable: true, ty: ty.clone(), init: Some(init), span });
            args.push((arg, ty.clone(), span));
        } else {
            args.push((lowerer.declare_with(&rust, &rust, ty.clone(), false), ty.clone(), span));
        }
    }
    let mut body = lowerer.lower_block(&f.block, sig.ret != Ty::Unit)?;
    if sig.ret != Ty::Unit && !ends_in_return(&body) {
        return Err(Sp::of(&f.block).error(format!(
            "`{name}` must end with its `{}` value (WGSL needs a return on every path)",
            sig.ret.rust_name()
        )));
    }
    stmts.append(&mut body.stmts);
    let mut body = Block { stmts };
    lowerer.resolve_block(&mut body)?;
    let calls = lowerer.calls.clone();
    let function =
        Function { name, args, ret: sig.ret, body, span: Sp::of(&f.sig.ident), uses_barrier: lowerer.uses_barrier };
    Ok((function, calls))
}

fn ends_in_return(block: &Block) -> bool {
    match block.stmts.last() {
        Some(Stmt::Return(..)) => true,
        Some(Stmt::If { then, otherwise: Some(other), .. }) => ends_in_return(then) && ends_in_return(other),
        Some(Stmt::Loop { .. }) => true,
        _ => false,
    }
}

fn check_plain_fn(f: &ItemFn, what: &str) -> syn::Result<()> {
    let sig = &f.sig;
    if let Some(a) = &sig.asyncness {
        return Err(Sp::of(&a).error(format!("{what} functions are not `async`")));
    }
    if let Some(u) = &sig.unsafety {
        return Err(Sp::of(&u).error(format!("{what} functions are not `unsafe`")));
    }
    if let Some(c) = &sig.constness {
        return Err(Sp::of(&c).error(format!("{what} functions are not `const`")));
    }
    if let Some(v) = &sig.variadic {
        return Err(Sp::of(&v).error(format!("{what} functions are not variadic")));
    }
    Ok(())
}

fn lower_kernel(
    f: &ItemFn,
    workgroup_size: [u32; 3],
    workgroup_size_span: Sp,
    helpers: &LoweredHelpers,
    structs: &[Rc<StructDef>],
) -> syn::Result<Kernel> {
    check_plain_fn(f, "#[wasi_webgpu::kernel]")?;
    if let syn::ReturnType::Type(_, t) = &f.sig.output {
        return Err(Sp::of(&t).error("kernels return nothing: write results into a `&mut [T]` parameter"));
    }
    let mut params = Vec::new();
    let mut cx = lower::TyCx { uses_f16: false, structs };
    for input in &f.sig.inputs {
        let syn::FnArg::Typed(pt) = input else {
            return Err(Sp::of(&input).error("kernels are free functions, without `self`"));
        };
        let syn::Pat::Ident(pi) = &*pt.pat else {
            return Err(Sp::of(&pt.pat).error("kernel parameters bind one name each"));
        };
        if let Some(m) = &pi.mutability {
            return Err(Sp::of(&m).error("kernel parameters are read-only: copy into a `let mut` instead"));
        }
        let name = pi.ident.to_string();
        if name == "device" || name == "threads" {
            return Err(Sp::of(&pi).error(format!(
                "rename the parameter `{name}`: the generated `launch(device, .., threads)` takes `device` and \
                 `threads` itself"
            )));
        }
        if name == "pass" {
            return Err(Sp::of(&pi).error(
                "rename the parameter `pass`: the generated `dispatch(pass, .., threads)` takes `pass` itself",
            ));
        }
        if name.starts_with('_') {
            return Err(
                Sp::of(&pi).error(format!("rename the parameter `{name}`: names starting with `_` are reserved"))
            );
        }
        let kind = param_kind(&pt.ty, &mut cx)?;
        params.push(Param { name, kind, span: Sp::of(pi), rust_ty: (*pt.ty).clone() });
    }
    let name = f.sig.ident.to_string();
    let mut lowerer = lower::Lowerer::new(&name, true, &params, &helpers.sigs, structs, Ty::Unit);
    let mut body = lowerer.lower_block(&f.block, false)?;
    lowerer.resolve_block(&mut body)?;
    // Only the helpers this kernel reaches, callees first.
    let mut reached: Vec<String> = lowerer.calls.clone();
    let mut i = 0;
    while i < reached.len() {
        if let Some((_, calls)) = helpers.functions.iter().find(|(f, _)| f.name == reached[i]) {
            for c in calls {
                if !reached.contains(c) {
                    reached.push(c.clone());
                }
            }
        }
        i += 1;
    }
    let helper_fns: Vec<Function> =
        helpers.functions.iter().filter(|(f, _)| reached.contains(&f.name)).map(|(f, _)| f.clone()).collect();
    let uses_barrier = lowerer.uses_barrier || helper_fns.iter().any(|f| f.uses_barrier);
    let uses_f16 = cx.uses_f16 || lowerer.uses_f16;
    let (shared, builtins) = (lowerer.shared, lowerer.builtins);
    Ok(Kernel {
        workgroup_size,
        workgroup_size_span,
        params,
        shared,
        builtins,
        body,
        helpers: helper_fns,
        uses_barrier,
        uses_f16,
        structs: structs.to_vec(),
    })
}

fn param_kind(ty: &syn::Type, cx: &mut lower::TyCx<'_>) -> syn::Result<ParamKind> {
    match ty {
        syn::Type::Reference(r) => {
            let syn::Type::Slice(slice) = &*r.elem else {
                return Err(Sp::of(&ty).error(
                    "kernel parameters are values (`f32`), `&[T]` (read-only buffer) or `&mut [T]` (read-write \
                     buffer); pass other values by value",
                ));
            };
            if let Some(s) = lower::atomic_scalar(&slice.elem) {
                if r.mutability.is_some() {
                    let (atomic, scalar) = if s == Scalar::I32 { ("AtomicI32", "i32") } else { ("AtomicU32", "u32") };
                    return Err(Sp::of(&ty).error(format!(
                        "atomics are written through a shared `&[{atomic}]`, as in Rust: drop the `mut`; `launch` \
                         still takes the buffer as `&mut Buffer<{scalar}>`, because an atomic needs a read_write \
                         storage binding"
                    )));
                }
                return Ok(ParamKind::Atomics(s));
            }
            let elem = lower::parse_ty(&slice.elem, cx)?;
            if !elem.host_shareable() {
                return Err(Sp::of(&slice.elem).error(format!(
                    "`{}` cannot live in a buffer (WGSL bools are not host-shareable): use `u32`",
                    elem.rust_name()
                )));
            }
            if matches!(elem, Ty::Vector(3, _)) {
                return Err(Sp::of(&slice.elem).error(
                    "a WGSL `array<vec3<T>>` has a 16-byte stride but Rust's `Vec3<T>` is 12 bytes: use `Vec4<T>` \
                     or a flat `[T]`",
                ));
            }
            if matches!(elem, Ty::Array(..)) {
                return Err(
                    Sp::of(&slice.elem).error("buffers of arrays are not in the kernel subset: use a flat `[T]`")
                );
            }
            Ok(if r.mutability.is_some() { ParamKind::SliceMut(elem) } else { ParamKind::Slice(elem) })
        }
        _ => {
            let t = lower::parse_ty(ty, cx)?;
            match t {
                Ty::Scalar(_) | Ty::Vector(..) => Ok(ParamKind::Value(t)),
                Ty::Struct(def) => Err(Sp::of(ty).error(format!(
                    "pass structs in buffers (`&[{0}]`, `&mut [{0}]`); value parameters are scalars and vectors",
                    def.name
                ))),
                _ => Err(Sp::of(&ty).error(format!(
                    "`{}` cannot be a kernel parameter: use scalars, vectors or buffers (`&[T]`)",
                    t.rust_name()
                ))),
            }
        }
    }
}

/// Translates a kernel (no helpers) to validated WGSL, for tests and benchmarks.
#[doc(hidden)]
pub fn translate(
    attr: TokenStream,
    item: TokenStream,
    helpers: &[ItemFn],
    structs: &[syn::Item],
) -> syn::Result<Vec<String>> {
    let options: Options = syn::parse2(attr)?;
    let func: ItemFn = syn::parse2(item)?;
    let Some((size, span)) = options.workgroup_size else {
        return Err(syn::Error::new(options.span, "missing `workgroup_size`"));
    };
    let structs = struct_defs(structs)?;
    let helpers = lower_helpers(helpers, &structs)?;
    instances(&func, &options)?.iter().map(|f| validate(&lower_kernel(f, size, span, &helpers, &structs)?)).collect()
}

/// The `#[derive(GpuType)]` structs handed over by their callbacks. Their layout was checked by
/// the derive; kernels take structs of scalars, vectors and arrays, whose WGSL layout is then
/// the natural one.
fn struct_defs(items: &[syn::Item]) -> syn::Result<Vec<Rc<StructDef>>> {
    let mut defs: Vec<Rc<StructDef>> = Vec::new();
    for item in items {
        let syn::Item::Struct(s) = item else { continue };
        let syn::Fields::Named(named) = &s.fields else {
            return Err(Sp::of(&s.fields).error("kernel structs have named fields"));
        };
        let mut fields = Vec::new();
        for field in &named.named {
            let name = field.ident.as_ref().expect("named field").to_string();
            let mut padding = name.starts_with("_pad");
            for attr in field.attrs.iter().filter(|a| a.path().is_ident("gpu")) {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("padding") {
                        padding = true;
                        Ok(())
                    } else {
                        Err(meta.error(format!(
                            "field `{name}` of `{}`: kernels take GpuType structs with the natural WGSL layout; \
                             `#[gpu(align/size/array)]` fields are for `#[shader]` structs",
                            s.ident
                        )))
                    }
                })?;
            }
            let mut cx = lower::TyCx { uses_f16: false, structs: &[] };
            let ty = match lower::parse_ty(&field.ty, &mut cx) {
                Ok(ty) => ty,
                Err(_) if padding => Ty::Unit,
                Err(e) => return Err(e),
            };
            fields.push(FieldDef { name, ty, padding });
        }
        defs.push(Rc::new(StructDef { name: s.ident.to_string(), fields }));
    }
    Ok(defs)
}

//! Why a function a kernel calls is no `#[gpu]` helper, worded before rustc would word it.
//!
//! A kernel reaches its helpers through the callback macros `#[gpu]` defines (see the crate docs),
//! so a call to anything else fails to resolve as a macro: "cannot find macro `top_byte`", about a
//! name the user never wrote as a macro. The macro cannot ask rustc what a name is, but it can read
//! the kernel's source file: a plain function declared beside the kernel, or a name that nothing
//! beside the kernel declares or imports, is reported at the call with the fix.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{Item, ItemFn, UseTree};

/// A callee that is no `#[gpu]` helper.
pub(crate) struct NotGpu {
    pub error: syn::Error,
    /// The callee's name where nothing declares it: Rust code that names it fails too.
    pub undeclared: Option<String>,
}

/// The error for the first of `callees` (names and call spans of `caller`) that the caller's own
/// scope shows is not a `#[gpu]` helper. `None` where the source is not available (outside a
/// compiler) or does not settle it, e.g. for a callee imported from another file.
pub(crate) fn not_gpu(caller: &ItemFn, callees: &[(String, Span)]) -> Option<NotGpu> {
    if callees.is_empty() {
        return None;
    }
    let file = caller.sig.ident.span().local_file()?;
    let source = std::fs::read_to_string(file).ok()?;
    let parsed = syn::parse_file(&source).ok()?;
    let scope = scope_of(parsed.items.iter().collect(), &caller.sig.ident.to_string())?;
    let locals = bound_names(caller);
    callees.iter().filter(|(name, _)| !locals.contains(name)).find_map(|(name, span)| {
        let (message, undeclared) = match scope.iter().find(|item| declares(item, name)) {
            Some(Item::Fn(f)) if !f.attrs.iter().any(|a| is_attr(a, "gpu")) => {
                (format!("`{name}` is not a GPU function: mark it with `#[wasi_webgpu::gpu]`"), None)
            }
            // A helper, or a tuple struct's constructor and the like: for the kernel to judge.
            Some(_) => return None,
            None if scope.iter().any(|item| may_bring(item, name)) => return None,
            None => (
                format!(
                    "cannot find function `{name}`: kernels call builtins and functions marked `#[wasi_webgpu::gpu]`"
                ),
                Some(name.clone()),
            ),
        };
        Some(NotGpu { error: syn::Error::new(*span, message), undeclared })
    })
}

/// The items beside the `#[kernel]` or `#[gpu]` function named `name`: those of its module, or of
/// the function body it is declared in.
fn scope_of<'a>(items: Vec<&'a Item>, name: &str) -> Option<Vec<&'a Item>> {
    let marked = |f: &ItemFn| f.sig.ident == name && f.attrs.iter().any(|a| is_attr(a, "kernel") || is_attr(a, "gpu"));
    if items.iter().any(|item| matches!(item, Item::Fn(f) if marked(f))) {
        return Some(items);
    }
    items.iter().find_map(|item| match item {
        Item::Mod(m) => scope_of(m.content.as_ref()?.1.iter().collect(), name),
        Item::Fn(f) => scope_of(
            f.block
                .stmts
                .iter()
                .filter_map(|s| match s {
                    syn::Stmt::Item(item) => Some(item),
                    _ => None,
                })
                .collect(),
            name,
        ),
        _ => None,
    })
}

/// Whether `item` declares `name` in the value namespace (or, for a `struct`, may).
fn declares(item: &Item, name: &str) -> bool {
    match item {
        Item::Fn(f) => f.sig.ident == name,
        Item::Struct(s) => s.ident == name,
        Item::Static(s) => s.ident == name,
        Item::Const(c) => c.ident == name,
        _ => false,
    }
}

/// Whether `item` may put `name` in scope other than by declaring it: an import of it, a glob
/// import, or an item macro (which may expand to anything).
fn may_bring(item: &Item, name: &str) -> bool {
    fn tree(t: &UseTree, name: &str) -> bool {
        match t {
            UseTree::Path(p) => tree(&p.tree, name),
            UseTree::Name(n) => n.ident == name,
            UseTree::Rename(r) => r.rename == name,
            UseTree::Glob(_) => true,
            UseTree::Group(g) => g.items.iter().any(|t| tree(t, name)),
        }
    }
    match item {
        Item::Use(u) => tree(&u.tree, name),
        Item::Macro(_) | Item::ExternCrate(_) | Item::ForeignMod(_) | Item::Verbatim(_) => true,
        _ => false,
    }
}

/// Names the caller binds itself (parameters, `let`s): calling one is calling a closure, which
/// the kernel subset reports where it is made.
fn bound_names(caller: &ItemFn) -> Vec<String> {
    struct Bound(Vec<String>);
    impl VisitMut for Bound {
        fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
            self.0.push(p.ident.to_string());
            syn::visit_mut::visit_pat_ident_mut(self, p);
        }
    }
    let mut bound = Bound(Vec::new());
    bound.visit_item_fn_mut(&mut caller.clone());
    bound.0
}

/// `#[name]` or `#[path::to::name]`.
fn is_attr(attr: &syn::Attribute, name: &str) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == name)
}

//! Why a function a kernel calls is no `#[gpu]` helper, worded before rustc would word it.
//!
//! A kernel reaches its helpers through the callback macros `#[gpu]` defines (see the crate docs),
//! so a call to anything else fails to resolve as a macro: "cannot find macro `top_byte`", about a
//! name the user never wrote as a macro. The macro cannot ask rustc what a name is, but it can read
//! the kernel's source file: a plain function declared beside the kernel, one it imports from a
//! module of the same crate (followed through `mod` declarations to their files), or a name that
//! nothing beside the kernel declares or imports, is reported at the call with the fix.

use std::path::{Path, PathBuf};

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
    // Relative to rustc's working directory, which is this process's.
    let file = std::fs::canonicalize(caller.sig.ident.span().local_file()?).ok()?;
    let source = std::fs::read_to_string(&file).ok()?;
    let parsed = syn::parse_file(&source).ok()?;
    let scope = scope_of(parsed.items.iter().collect(), &caller.sig.ident.to_string())?;
    let locals = bound_names(caller);
    let module = Module { file: file.clone(), dir: child_dir(&file) };
    callees.iter().filter(|(name, _)| !locals.contains(name)).find_map(|(name, span)| {
        let (message, undeclared) = match scope.iter().find(|item| declares(item, name)) {
            Some(Item::Fn(f)) if !is_gpu(f) => {
                (format!("`{name}` is not a GPU function: mark it with `#[wasi_webgpu::gpu]`"), None)
            }
            // A helper, or a tuple struct's constructor and the like: for the kernel to judge.
            Some(_) => return None,
            None if scope.iter().any(|item| may_bring(item, name)) => {
                let path = scope.iter().find_map(|item| import_path(item, name))?;
                let (at, f) = imported_fn(&scope, &module, &path)?;
                if is_gpu(&f) {
                    return None;
                }
                let shown = at.strip_prefix(file.parent().unwrap_or(Path::new(""))).unwrap_or(&at);
                let message = format!(
                    "`{name}` is not a GPU function: mark it with `#[wasi_webgpu::gpu]` where it is \
                     declared ({})",
                    shown.display()
                );
                (message, None)
            }
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

fn is_gpu(f: &ItemFn) -> bool {
    f.attrs.iter().any(|a| is_attr(a, "gpu"))
}

/// The path `item` imports `name` by, when it is a plain `use a::b::name;` (a rename or glob
/// settles nothing).
fn import_path(item: &Item, name: &str) -> Option<Vec<String>> {
    fn tree(t: &UseTree, name: &str, prefix: &mut Vec<String>) -> Option<Vec<String>> {
        match t {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                let found = tree(&p.tree, name, prefix);
                prefix.pop();
                found
            }
            UseTree::Name(n) if n.ident == name => Some([prefix.as_slice(), &[name.to_string()]].concat()),
            UseTree::Group(g) => g.items.iter().find_map(|t| tree(t, name, prefix)),
            _ => None,
        }
    }
    match item {
        Item::Use(u) if u.leading_colon.is_none() => tree(&u.tree, name, &mut Vec::new()),
        _ => None,
    }
}

/// A module whose items live in `file` (inline modules within it are followed as items), with its
/// child modules' files in `dir`.
#[derive(Clone)]
struct Module {
    file: PathBuf,
    dir: PathBuf,
}

/// Where the files of a file's child modules are: beside a crate root or `mod.rs`, else in the
/// directory named after the file. A file outside the package's `src/` is taken as a crate root
/// (a test, an example, a trybuild case).
fn child_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let src = manifest_src();
    let in_src = src.as_ref().is_some_and(|src| file.starts_with(src) && !file.starts_with(src.join("bin")));
    if matches!(name, "mod.rs" | "lib.rs" | "main.rs") || !in_src {
        return dir;
    }
    dir.join(file.file_stem().unwrap_or_default())
}

/// The function `path` (`self::`, `crate::` or a module in `scope`, then modules, then the name)
/// names, with the file it is declared in; `None` wherever resolving it would be a guess
/// (`super`, other crates, re-exports, `#[cfg]`-chosen modules, macros).
fn imported_fn(scope: &[&Item], here: &Module, path: &[String]) -> Option<(PathBuf, ItemFn)> {
    let (name, modules) = path.split_last()?;
    let (mut items, mut module, rest): (Vec<Item>, Module, &[String]) = match modules.first()?.as_str() {
        "crate" => {
            let root = crate_root(&here.file)?;
            let parsed = syn::parse_file(&std::fs::read_to_string(&root).ok()?).ok()?;
            (parsed.items, Module { dir: root.parent()?.to_path_buf(), file: root }, &modules[1..])
        }
        "super" => return None,
        first => {
            let rest = if first == "self" { &modules[1..] } else { modules };
            (scope.iter().map(|i| (*i).clone()).collect(), here.clone(), rest)
        }
    };
    for segment in rest {
        (items, module) = child(&items, &module, segment)?;
    }
    let found = items.into_iter().find_map(|item| match item {
        Item::Fn(f) if f.sig.ident == name => Some(f),
        _ => None,
    })?;
    Some((module.file, found))
}

/// The package's `src/`, as a canonical path like the files'.
fn manifest_src() -> Option<PathBuf> {
    std::fs::canonicalize(PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?).join("src")).ok()
}

/// The crate root of the package being compiled, where `file` lies within its `src/`.
fn crate_root(file: &Path) -> Option<PathBuf> {
    let src = manifest_src()?;
    if !file.starts_with(&src) {
        return Some(file.to_path_buf()).filter(|_| child_dir(file) == file.parent().unwrap_or(Path::new("")));
    }
    ["lib.rs", "main.rs"].iter().map(|n| src.join(n)).find(|p| p.is_file())
}

/// The items of module `name` declared among `items` (inline, or `mod name;` with its file found
/// as rustc finds it, `#[path]` included), and where its own children live.
fn child(items: &[Item], parent: &Module, name: &str) -> Option<(Vec<Item>, Module)> {
    let m = items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name && !m.attrs.iter().any(|a| a.path().is_ident("cfg")) => Some(m),
        _ => None,
    })?;
    if let Some((_, inline)) = &m.content {
        let module = Module { file: parent.file.clone(), dir: parent.dir.join(name) };
        return Some((inline.clone(), module));
    }
    let explicit = m.attrs.iter().find(|a| a.path().is_ident("path")).map(|a| match &a.meta {
        syn::Meta::NameValue(nv) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    });
    let file = match explicit {
        // `#[path]` is relative to the directory of the file that declares the module.
        Some(path) => parent.file.parent()?.join(path?),
        None => [parent.dir.join(format!("{name}.rs")), parent.dir.join(name).join("mod.rs")]
            .into_iter()
            .find(|p| p.is_file())?,
    };
    let parsed = syn::parse_file(&std::fs::read_to_string(&file).ok()?).ok()?;
    let dir = if file.file_name().is_some_and(|n| n == "mod.rs") {
        file.parent()?.to_path_buf()
    } else {
        file.with_extension("")
    };
    Some((parsed.items, Module { file, dir }))
}

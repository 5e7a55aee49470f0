//! Rust (syn) to the typed IR. Everything outside the subset is rejected here, at its own span,
//! with what to write instead; types are inferred the way Rust does for literals (from context,
//! else `i32`/`f32`).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::ir::*;

mod call;
mod expr;
mod infer;
mod reserved;
mod stmt;
mod ty;

pub use reserved::{WGSL_RESERVED, wgsl_ident};
pub use ty::{TyCx, array_len, atomic_scalar, parse_ty};
use ty::{int_hint, vector_of, workgroup_inner};

type Result<T> = std::result::Result<T, syn::Error>;

fn err<T>(span: impl Into<Sp>, message: impl std::fmt::Display) -> Result<T> {
    Err(span.into().error(message))
}

/// The signature of a `#[gpu]` helper, as callers see it.
#[derive(Clone, Debug)]
pub struct Signature {
    pub args: Vec<Ty>,
    pub ret: Ty,
}

#[derive(Clone, Copy, Debug)]
enum Var {
    Int,
    Float,
    Link(u32),
    Bound(Scalar),
}

struct Local {
    rust: String,
    wgsl: String,
    ty: Ty,
    mutable: bool,
}

/// Lowers one function body.
pub struct Lowerer<'a> {
    params: &'a [Param],
    structs: &'a [Rc<StructDef>],
    helpers: &'a HashMap<String, Signature>,
    /// The function being lowered, to reject recursion.
    current: String,
    in_kernel: bool,
    pub shared: Vec<Shared>,
    pub builtins: Vec<Builtin>,
    pub uses_barrier: bool,
    pub uses_f16: bool,
    pub calls: Vec<String>,
    scopes: Vec<Vec<Local>>,
    used: HashSet<String>,
    vars: Vec<Var>,
    loops: u32,
    ret: Ty,
}

impl<'a> Lowerer<'a> {
    pub fn new(
        current: &str,
        in_kernel: bool,
        params: &'a [Param],
        helpers: &'a HashMap<String, Signature>,
        structs: &'a [Rc<StructDef>],
        ret: Ty,
    ) -> Self {
        let mut used: HashSet<String> = WGSL_RESERVED.iter().map(|s| s.to_string()).collect();
        used.extend(params.iter().map(|p| wgsl_ident(&p.name)));
        used.extend(helpers.keys().map(|h| wgsl_ident(h)));
        Lowerer {
            params,
            structs,
            helpers,
            current: current.into(),
            in_kernel,
            shared: Vec::new(),
            builtins: Vec::new(),
            uses_barrier: false,
            uses_f16: false,
            calls: Vec::new(),
            scopes: vec![Vec::new()],
            used,
            vars: Vec::new(),
            loops: 0,
            ret,
        }
    }

    fn declare(&mut self, rust: &str, ty: Ty, mutable: bool) -> String {
        self.declare_with(rust, rust, ty, mutable)
    }

    /// Declares a local that Rust code calls `rust` (empty: unnamed) and WGSL calls `base` or, when
    /// that is taken, `base_N`.
    pub fn declare_with(&mut self, rust: &str, base: &str, ty: Ty, mutable: bool) -> String {
        let mut wgsl = base.trim_start_matches("r#").trim_start_matches('_').to_string();
        if wgsl.is_empty() || wgsl.starts_with(|c: char| c.is_ascii_digit()) {
            wgsl = format!("v{wgsl}");
        }
        let base = wgsl.clone();
        let mut n = 0;
        while self.used.contains(&wgsl) {
            n += 1;
            wgsl = format!("{base}_{n}");
        }
        self.used.insert(wgsl.clone());
        let scope = self.scopes.last_mut().expect("a scope");
        scope.push(Local { rust: rust.to_string(), wgsl: wgsl.clone(), ty, mutable });
        wgsl
    }

    fn lookup(&self, name: &str) -> Option<&Local> {
        self.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|l| l.rust == name)
    }

    // ---- inference -------------------------------------------------------------------------------
}

fn single_ident(path: &syn::Path) -> Option<String> {
    (path.segments.len() == 1 && path.leading_colon.is_none()).then(|| path.segments[0].ident.to_string())
}

/// Builtins are `wasi_webgpu::name()` or the bare `name()` after a `use`.
fn is_sdk_path(segments: &[String]) -> bool {
    segments.len() == 1 || (segments.len() == 2 && segments[0] == "wasi_webgpu")
}

/// `Some(false)` for `workgroup_barrier`, `Some(true)` for `storage_barrier`.
fn barrier_kind(func: &syn::Expr) -> Option<bool> {
    let syn::Expr::Path(p) = func else { return None };
    let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
    if !is_sdk_path(&segments) {
        return None;
    }
    match segments.last()?.as_str() {
        "workgroup_barrier" => Some(false),
        "storage_barrier" => Some(true),
        _ => None,
    }
}

fn is_block_like(e: &syn::Expr) -> bool {
    matches!(
        e,
        syn::Expr::If(_) | syn::Expr::ForLoop(_) | syn::Expr::While(_) | syn::Expr::Loop(_) | syn::Expr::Block(_)
    )
}

fn macro_message(mac: &syn::Macro) -> String {
    let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
    match name.as_str() {
        "println" | "print" | "eprintln" | "format" | "dbg" => {
            format!("`{name}!` is not in the kernel subset: GPUs have no text output; write results to a buffer")
        }
        "vec" => "`vec!` is not in the kernel subset: use a fixed array `[T; N]`".into(),
        "assert" | "assert_eq" | "panic" | "debug_assert" | "unreachable" => {
            format!("`{name}!` is not in the kernel subset: kernels cannot panic; check with `if` and return")
        }
        _ => format!("macros (`{name}!`) are not in the kernel subset"),
    }
}

fn compound_op(op: &syn::BinOp) -> Option<BinOp> {
    Some(match op {
        syn::BinOp::AddAssign(_) => BinOp::Add,
        syn::BinOp::SubAssign(_) => BinOp::Sub,
        syn::BinOp::MulAssign(_) => BinOp::Mul,
        syn::BinOp::DivAssign(_) => BinOp::Div,
        syn::BinOp::RemAssign(_) => BinOp::Rem,
        syn::BinOp::BitAndAssign(_) => BinOp::BitAnd,
        syn::BinOp::BitOrAssign(_) => BinOp::BitOr,
        syn::BinOp::BitXorAssign(_) => BinOp::BitXor,
        syn::BinOp::ShlAssign(_) => BinOp::Shl,
        syn::BinOp::ShrAssign(_) => BinOp::Shr,
        _ => return None,
    })
}

fn bin_op(op: &syn::BinOp) -> BinOp {
    match op {
        syn::BinOp::Add(_) => BinOp::Add,
        syn::BinOp::Sub(_) => BinOp::Sub,
        syn::BinOp::Mul(_) => BinOp::Mul,
        syn::BinOp::Div(_) => BinOp::Div,
        syn::BinOp::Rem(_) => BinOp::Rem,
        syn::BinOp::And(_) => BinOp::And,
        syn::BinOp::Or(_) => BinOp::Or,
        syn::BinOp::BitXor(_) => BinOp::BitXor,
        syn::BinOp::BitAnd(_) => BinOp::BitAnd,
        syn::BinOp::BitOr(_) => BinOp::BitOr,
        syn::BinOp::Shl(_) => BinOp::Shl,
        syn::BinOp::Shr(_) => BinOp::Shr,
        syn::BinOp::Eq(_) => BinOp::Eq,
        syn::BinOp::Lt(_) => BinOp::Lt,
        syn::BinOp::Le(_) => BinOp::Le,
        syn::BinOp::Ne(_) => BinOp::Ne,
        syn::BinOp::Ge(_) => BinOp::Ge,
        syn::BinOp::Gt(_) => BinOp::Gt,
        // Compound assignments are handled before.
        _ => BinOp::Add,
    }
}

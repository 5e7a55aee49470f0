//! Rust (syn) to the typed IR. Everything outside the subset is rejected here, at its own span,
//! with what to write instead; types are inferred the way Rust does for literals (from context,
//! else `i32`/`f32`).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::ir::*;

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

/// Names a Rust identifier may have that WGSL reserves (keywords and reserved words of the WGSL
/// spec), or that the generated code uses for builtins and math functions. Locals with such names
/// get a `_N` suffix in WGSL; other names (parameters, helpers, structs) go through
/// [`wgsl_ident`].
pub const WGSL_RESERVED: &[&str] = &[
    // Keywords.
    "alias",
    "break",
    "case",
    "const",
    "const_assert",
    "continue",
    "continuing",
    "default",
    "diagnostic",
    "discard",
    "else",
    "enable",
    "false",
    "fn",
    "for",
    "if",
    "let",
    "loop",
    "override",
    "requires",
    "return",
    "struct",
    "switch",
    "true",
    "var",
    "while",
    // Reserved words.
    "NULL",
    "Self",
    "abstract",
    "active",
    "alignas",
    "alignof",
    "as",
    "asm",
    "asm_fragment",
    "async",
    "attribute",
    "auto",
    "await",
    "become",
    "binding_array",
    "cast",
    "catch",
    "class",
    "co_await",
    "co_return",
    "co_yield",
    "coherent",
    "column_major",
    "common",
    "compile",
    "compile_fragment",
    "concept",
    "const_cast",
    "consteval",
    "constexpr",
    "constinit",
    "crate",
    "debugger",
    "decltype",
    "delete",
    "demote",
    "demote_to_helper",
    "do",
    "dynamic_cast",
    "enum",
    "explicit",
    "export",
    "extends",
    "extern",
    "external",
    "fallthrough",
    "filter",
    "final",
    "finally",
    "friend",
    "from",
    "fxgroup",
    "get",
    "goto",
    "groupshared",
    "highp",
    "impl",
    "implements",
    "import",
    "inline",
    "instanceof",
    "interface",
    "layout",
    "lowp",
    "macro",
    "macro_rules",
    "match",
    "mediump",
    "meta",
    "mod",
    "module",
    "move",
    "mut",
    "mutable",
    "namespace",
    "new",
    "nil",
    "noexcept",
    "noinline",
    "nointerpolation",
    "non_coherent",
    "noncoherent",
    "noperspective",
    "null",
    "nullptr",
    "of",
    "operator",
    "package",
    "packoffset",
    "partition",
    "pass",
    "patch",
    "pixelfragment",
    "precise",
    "precision",
    "premerge",
    "priv",
    "protected",
    "pub",
    "public",
    "readonly",
    "ref",
    "regardless",
    "register",
    "reinterpret_cast",
    "require",
    "resource",
    "restrict",
    "self",
    "set",
    "shared",
    "sizeof",
    "smooth",
    "snorm",
    "static",
    "static_assert",
    "static_cast",
    "std",
    "subroutine",
    "super",
    "target",
    "template",
    "this",
    "thread_local",
    "throw",
    "trait",
    "try",
    "type",
    "typedef",
    "typeid",
    "typename",
    "typeof",
    "union",
    "unless",
    "unorm",
    "unsafe",
    "unsized",
    "use",
    "using",
    "varying",
    "virtual",
    "volatile",
    "wgsl",
    "where",
    "with",
    "writeonly",
    "yield",
    // Predeclared names and what the generated code itself declares.
    "array",
    "atomic",
    "bitcast",
    "bool",
    "f16",
    "f32",
    "i32",
    "u32",
    "mat2x2",
    "mat3x3",
    "mat4x4",
    "ptr",
    "sampler",
    "texture",
    "vec2",
    "vec3",
    "vec4",
    "main",
    "params",
    "Params",
    "global_id",
    "local_id",
    "workgroup_id",
    "num_workgroups",
    "local_index",
    "select",
    "min",
    "max",
    "clamp",
    "abs",
    "dot",
    "fma",
    "sqrt",
    "exp",
    "exp2",
    "log",
    "log2",
    "pow",
    "sin",
    "cos",
    "tan",
    "tanh",
    "floor",
    "ceil",
    "trunc",
    "length",
    "normalize",
    "all",
    "any",
    "arrayLength",
    "workgroupBarrier",
    "storageBarrier",
];

/// The WGSL spelling of a parameter, helper, struct, field or shared-memory name: the Rust name,
/// with `_` appended when WGSL reserves it.
pub fn wgsl_ident(name: &str) -> String {
    if WGSL_RESERVED.contains(&name) { format!("{name}_") } else { name.to_string() }
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

    fn fresh(&mut self, float: bool) -> Ty {
        self.vars.push(if float { Var::Float } else { Var::Int });
        Ty::Infer(self.vars.len() as u32 - 1)
    }

    fn root(&self, mut id: u32) -> u32 {
        while let Var::Link(next) = self.vars[id as usize] {
            id = next;
        }
        id
    }

    /// The type with its inference variable followed, if it is bound.
    fn shallow(&self, ty: &Ty) -> Ty {
        match ty {
            Ty::Infer(id) => {
                let root = self.root(*id);
                match self.vars[root as usize] {
                    Var::Bound(s) => Ty::Scalar(s),
                    _ => Ty::Infer(root),
                }
            }
            other => other.clone(),
        }
    }

    fn is_float_var(&self, ty: &Ty) -> Option<bool> {
        match self.shallow(ty) {
            Ty::Infer(id) => Some(matches!(self.vars[id as usize], Var::Float)),
            _ => None,
        }
    }

    fn unify(&mut self, a: &Ty, b: &Ty, span: Sp) -> Result<Ty> {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Ty::Infer(x), Ty::Infer(y)) => {
                if x != y {
                    if self.is_float_var(&a) != self.is_float_var(&b) {
                        return err(span, "mismatched types: expected `{integer}`, found `{float}`");
                    }
                    self.vars[*x as usize] = Var::Link(*y);
                }
                Ok(b)
            }
            (Ty::Infer(x), Ty::Scalar(s)) | (Ty::Scalar(s), Ty::Infer(x)) => {
                let float = matches!(self.vars[*x as usize], Var::Float);
                if (float && !s.is_float()) || (!float && !s.is_int()) {
                    let lit = if float { "{float}" } else { "{integer}" };
                    return err(span, format!("mismatched types: expected `{}`, found `{lit}`", s.rust()));
                }
                self.vars[*x as usize] = Var::Bound(*s);
                Ok(Ty::Scalar(*s))
            }
            (Ty::Array(x, n), Ty::Array(y, m)) if n == m => {
                let elem = self.unify(x, y, span)?;
                Ok(Ty::Array(Box::new(elem), *n))
            }
            _ if a == b => Ok(a),
            _ => err(
                span,
                format!(
                    "mismatched types: expected `{}`, found `{}`; kernels do not convert implicitly, use `as`",
                    self.name(&a),
                    self.name(&b)
                ),
            ),
        }
    }

    fn name(&self, ty: &Ty) -> String {
        match self.shallow(ty) {
            Ty::Infer(id) if matches!(self.vars[id as usize], Var::Float) => "{float}".into(),
            other => other.rust_name(),
        }
    }

    fn resolve_ty(&self, ty: &mut Ty) {
        match ty {
            Ty::Infer(_) => {
                *ty = match self.shallow(ty) {
                    Ty::Infer(id) if matches!(self.vars[id as usize], Var::Float) => Ty::Scalar(Scalar::F32),
                    Ty::Infer(_) => Ty::Scalar(Scalar::I32),
                    other => other,
                }
            }
            Ty::Array(e, _) => self.resolve_ty(e),
            _ => {}
        }
    }

    /// Replaces every inference variable in `block` by its type (defaulting like Rust), and checks
    /// literals against their final types.
    pub fn resolve_block(&self, block: &mut Block) -> Result<()> {
        for stmt in &mut block.stmts {
            match stmt {
                Stmt::Let { ty, init, .. } => {
                    self.resolve_ty(ty);
                    if let Some(init) = init {
                        self.resolve_expr(init)?;
                    }
                }
                Stmt::Assign { place, value, .. } => {
                    self.resolve_expr(place)?;
                    self.resolve_expr(value)?;
                }
                Stmt::Expr(e) => self.resolve_expr(e)?,
                Stmt::If { cond, then, otherwise, .. } => {
                    self.resolve_expr(cond)?;
                    self.resolve_block(then)?;
                    if let Some(o) = otherwise {
                        self.resolve_block(o)?;
                    }
                }
                Stmt::For { ty, start, end, body, .. } => {
                    self.resolve_ty(ty);
                    self.resolve_expr(start)?;
                    self.resolve_expr(end)?;
                    self.resolve_block(body)?;
                }
                Stmt::While { cond, body, .. } => {
                    self.resolve_expr(cond)?;
                    self.resolve_block(body)?;
                }
                Stmt::Loop { body, .. } => self.resolve_block(body)?,
                Stmt::Return(Some(e), _) => self.resolve_expr(e)?,
                Stmt::Return(None, _) | Stmt::Break(_) | Stmt::Continue(_) | Stmt::Barrier { .. } => {}
            }
        }
        Ok(())
    }

    fn resolve_expr(&self, expr: &mut Expr) -> Result<()> {
        self.resolve_ty(&mut expr.ty);
        match &mut expr.kind {
            ExprKind::Lit(Lit::Int(v)) => {
                let (min, max) = match expr.ty {
                    Ty::Scalar(Scalar::U32) => (0, i128::from(u32::MAX)),
                    // `-2147483648` is folded into one literal by `lower_expr`.
                    _ => (i128::from(i32::MIN), i128::from(i32::MAX)),
                };
                if *v < min || *v > max {
                    return err(
                        expr.span,
                        format!("literal out of range for `{}` (WGSL integers are 32-bit)", expr.ty.rust_name()),
                    );
                }
            }
            ExprKind::Lit(_) | ExprKind::Var(_) | ExprKind::Builtin(_) | ExprKind::Len(_) => {}
            ExprKind::Unary(_, e)
            | ExprKind::Cast(e)
            | ExprKind::Component(e, _)
            | ExprKind::Field(e, _)
            | ExprKind::ArrayRepeat(e, _) => self.resolve_expr(e)?,
            ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
                self.resolve_expr(a)?;
                self.resolve_expr(b)?;
            }
            ExprKind::Math(_, args)
            | ExprKind::Construct(args)
            | ExprKind::ArrayList(args)
            | ExprKind::StructLit(_, args)
            | ExprKind::Call(_, args) => {
                for a in args {
                    self.resolve_expr(a)?;
                }
            }
            ExprKind::Atomic(_, place, value) => {
                self.resolve_expr(place)?;
                if let Some(v) = value {
                    self.resolve_expr(v)?;
                }
            }
        }
        Ok(())
    }

    // ---- statements ------------------------------------------------------------------------------

    pub fn lower_block(&mut self, block: &syn::Block, tail_returns: bool) -> Result<Block> {
        self.scopes.push(Vec::new());
        let result = self.lower_stmts(&block.stmts, tail_returns);
        self.scopes.pop();
        result
    }

    fn lower_stmts(&mut self, stmts: &[syn::Stmt], tail_returns: bool) -> Result<Block> {
        let mut out = Vec::new();
        for (index, stmt) in stmts.iter().enumerate() {
            let last = index + 1 == stmts.len();
            match stmt {
                syn::Stmt::Local(local) => out.push(self.lower_let(local)?),
                syn::Stmt::Item(item) => self.lower_item(item)?,
                syn::Stmt::Macro(m) => return err(Sp::of(&m), macro_message(&m.mac)),
                syn::Stmt::Expr(expr, semi) => {
                    if semi.is_none() && last && tail_returns && !is_block_like(expr) {
                        let value = self.lower_expr(expr)?;
                        let ret = self.ret.clone();
                        self.unify(&ret, &value.ty, Sp::of(&expr))?;
                        out.push(Stmt::Return(Some(value), Sp::of(&expr)));
                    } else {
                        self.lower_stmt_expr(expr, semi.is_some(), &mut out)?;
                    }
                }
            }
        }
        Ok(Block { stmts: out })
    }

    fn lower_let(&mut self, local: &syn::Local) -> Result<Stmt> {
        let (ident, mutable, annotated) = match &local.pat {
            syn::Pat::Ident(p) => (p, p.mutability.is_some(), None),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) => (p, p.mutability.is_some(), Some(&*t.ty)),
                other => return err(Sp::of(&other), "patterns are not in the kernel subset: bind one name per `let`"),
            },
            other => return err(Sp::of(&other), "patterns are not in the kernel subset: bind one name per `let`"),
        };
        if let Some(r) = &ident.by_ref {
            return err(Sp::of(&r), "`ref` bindings are not in the kernel subset: bind the value");
        }
        let annotated = annotated.map(|t| self.parse_ty(t)).transpose()?;
        let init = match &local.init {
            Some(init) => {
                if let Some((_, diverge)) = &init.diverge {
                    return err(Sp::of(&diverge), "`let ... else` is not in the kernel subset: use `if`");
                }
                Some(self.lower_expr(&init.expr)?)
            }
            None => None,
        };
        let ty = match (&annotated, &init) {
            (Some(a), Some(i)) => self.unify(a, &i.ty, i.span)?,
            (Some(a), None) => a.clone(),
            (None, Some(i)) => i.ty.clone(),
            (None, None) => {
                return err(Sp::of(&ident), "a `let` without a value needs a type: `let x: f32;`");
            }
        };
        if matches!(ty, Ty::Unit) {
            return err(Sp::of(&local), "this `let` binds `()`; kernels only bind values");
        }
        if matches!(ty, Ty::Atomic(_)) {
            return err(Sp::of(&local), "atomics cannot be copied into a local; call the atomic's method in place");
        }
        let name = self.declare(&ident.ident.to_string(), ty.clone(), mutable);
        Ok(Stmt::Let { name, mutable, ty, init, span: Sp::of(&local) })
    }

    fn lower_item(&mut self, item: &syn::Item) -> Result<()> {
        match item {
            syn::Item::Static(s) if self.in_kernel => {
                let ty = workgroup_inner(&s.ty).ok_or_else(|| {
                    Sp::of(&s.ty).error(
                        "a static in a kernel is workgroup shared memory: \
                         `static NAME: Workgroup<[T; N]> = Workgroup::new();`",
                    )
                })?;
                if let syn::StaticMutability::Mut(m) = &s.mutability {
                    return err(
                        Sp::of(&m),
                        "write `static NAME: Workgroup<..>` without `mut`: shared memory is written through it",
                    );
                }
                let ty = self.parse_shared_ty(ty)?;
                let ok_init = matches!(&*s.expr, syn::Expr::Call(c) if matches!(&*c.func, syn::Expr::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "new")) && c.args.is_empty());
                if !ok_init {
                    return err(Sp::of(&s.expr), "shared memory starts zeroed: initialize it with `Workgroup::new()`");
                }
                let name = s.ident.to_string();
                if self.params.iter().any(|p| p.name == name) || self.shared.iter().any(|s| s.name == name) {
                    return err(Sp::of(&s.ident), format!("the name `{name}` is already used in this kernel"));
                }
                self.used.insert(wgsl_ident(&name));
                self.shared.push(Shared { name, ty, span: Sp::of(&s.ident) });
                Ok(())
            }
            syn::Item::Fn(f) => err(
                Sp::of(&f.sig.ident),
                "nested functions are not in the kernel subset: move it out of the kernel and mark it \
                 `#[wasi_webgpu::gpu]`",
            ),
            syn::Item::Use(_) => Ok(()),
            other => {
                err(Sp::of(&other), "items inside a kernel are not in the subset (only `static NAME: Workgroup<..>`)")
            }
        }
    }

    fn parse_shared_ty(&mut self, ty: &syn::Type) -> Result<Ty> {
        if let syn::Type::Array(a) = ty {
            let len = array_len(&a.len)?;
            if let Some(s) = atomic_scalar(&a.elem) {
                return Ok(Ty::Array(Box::new(Ty::Atomic(s)), len));
            }
        }
        let parsed = self.parse_ty(ty)?;
        match &parsed {
            Ty::Array(..) => Ok(parsed),
            _ => err(Sp::of(&ty), "workgroup shared memory is an array: `Workgroup<[T; N]>`"),
        }
    }

    fn lower_stmt_expr(&mut self, expr: &syn::Expr, semi: bool, out: &mut Vec<Stmt>) -> Result<()> {
        let span = Sp::of(&expr);
        match expr {
            syn::Expr::If(e) => {
                let stmt = self.lower_if(e)?;
                out.push(stmt);
            }
            syn::Expr::ForLoop(e) => out.push(self.lower_for(e)?),
            syn::Expr::While(e) => {
                if let Some(l) = &e.label {
                    return err(
                        Sp::of(&l),
                        "loop labels are not in the kernel subset (WGSL breaks the innermost loop)",
                    );
                }
                let cond = self.lower_bool(&e.cond)?;
                self.loops += 1;
                let body = self.lower_block(&e.body, false)?;
                self.loops -= 1;
                out.push(Stmt::While { cond, body, span });
            }
            syn::Expr::Loop(e) => {
                if let Some(l) = &e.label {
                    return err(
                        Sp::of(&l),
                        "loop labels are not in the kernel subset (WGSL breaks the innermost loop)",
                    );
                }
                self.loops += 1;
                let body = self.lower_block(&e.body, false)?;
                self.loops -= 1;
                out.push(Stmt::Loop { body, span });
            }
            syn::Expr::Block(b) => {
                if b.label.is_some() || !b.attrs.is_empty() {
                    return err(span, "labeled blocks are not in the kernel subset");
                }
                let block = self.lower_block(&b.block, false)?;
                out.push(Stmt::If {
                    cond: Expr { kind: ExprKind::Lit(Lit::Bool(true)), ty: Ty::Scalar(Scalar::Bool), span },
                    then: block,
                    otherwise: None,
                    span,
                });
            }
            syn::Expr::Unsafe(u) => return err(u.unsafe_token.span, "`unsafe` is not in the kernel subset"),
            syn::Expr::Break(b) => {
                if b.label.is_some() || b.expr.is_some() {
                    return err(span, "`break` with a label or value is not in the kernel subset: plain `break;`");
                }
                if self.loops == 0 {
                    return err(span, "`break` outside of a loop");
                }
                out.push(Stmt::Break(span));
            }
            syn::Expr::Continue(c) => {
                if c.label.is_some() {
                    return err(span, "`continue` with a label is not in the kernel subset");
                }
                if self.loops == 0 {
                    return err(span, "`continue` outside of a loop");
                }
                out.push(Stmt::Continue(span));
            }
            syn::Expr::Return(r) => {
                let value = r.expr.as_ref().map(|e| self.lower_expr(e)).transpose()?;
                let ret = self.ret.clone();
                match &value {
                    Some(v) => {
                        self.unify(&ret, &v.ty, v.span)?;
                    }
                    None if ret != Ty::Unit => {
                        return err(span, format!("this function returns `{}`: `return value;`", ret.rust_name()));
                    }
                    None => {}
                }
                out.push(Stmt::Return(value, span));
            }
            syn::Expr::Assign(a) => {
                let place = self.lower_place(&a.left)?;
                let value = self.lower_expr(&a.right)?;
                self.unify(&place.ty, &value.ty, Sp::of(&a.right))?;
                out.push(Stmt::Assign { place, op: None, value, span });
            }
            syn::Expr::Binary(b) if compound_op(&b.op).is_some() => {
                let op = compound_op(&b.op).expect("checked");
                let place = self.lower_place(&b.left)?;
                let value = self.lower_expr(&b.right)?;
                let result = self.binary_ty(op, &place, &value, Sp::of(&b.op))?;
                let value = if op == BinOp::Shl || op == BinOp::Shr { self.shift_rhs(value)? } else { value };
                self.unify(&place.ty, &result, span)?;
                out.push(Stmt::Assign { place, op: Some(op), value, span });
            }
            syn::Expr::Call(c) if barrier_kind(&c.func).is_some() => {
                if !self.in_kernel {
                    return err(span, "barriers belong in the kernel body, not in a `#[gpu]` helper");
                }
                if !c.args.is_empty() {
                    return err(Sp::of(&c.args), "barriers take no arguments");
                }
                self.uses_barrier = true;
                out.push(Stmt::Barrier { storage: barrier_kind(&c.func) == Some(true), span });
            }
            _ => {
                let value = self.lower_expr(expr)?;
                let unit_ok = matches!(value.kind, ExprKind::Call(..) | ExprKind::Atomic(..));
                if value.ty != Ty::Unit && !unit_ok {
                    return err(span, "this value is unused: bind it with `let` or remove it");
                }
                if value.ty == Ty::Unit && !semi && !matches!(value.kind, ExprKind::Call(..) | ExprKind::Atomic(..)) {
                    return err(span, "expected a statement");
                }
                out.push(Stmt::Expr(value));
            }
        }
        Ok(())
    }

    fn lower_if(&mut self, e: &syn::ExprIf) -> Result<Stmt> {
        if let syn::Expr::Let(l) = &*e.cond {
            return err(
                Sp::of(&l),
                "`if let` is not in the kernel subset: kernels have no enums; use a `bool` condition",
            );
        }
        let cond = self.lower_bool(&e.cond)?;
        let then = self.lower_block(&e.then_branch, false)?;
        let otherwise = match &e.else_branch {
            None => None,
            Some((_, other)) => Some(match &**other {
                syn::Expr::If(inner) => Block { stmts: vec![self.lower_if(inner)?] },
                syn::Expr::Block(b) => self.lower_block(&b.block, false)?,
                other => return err(Sp::of(&other), "expected `else { .. }` or `else if`"),
            }),
        };
        Ok(Stmt::If { cond, then, otherwise, span: Sp::of(&e) })
    }

    fn lower_for(&mut self, e: &syn::ExprForLoop) -> Result<Stmt> {
        const RANGE_ONLY: &str = "`for` in a kernel runs over a range, `for i in a..b` or `a..=b`; \
                                  for other steps or directions write a `while` loop";
        if let Some(l) = &e.label {
            return err(Sp::of(&l), "loop labels are not in the kernel subset (WGSL breaks the innermost loop)");
        }
        let syn::Pat::Ident(var) = &*e.pat else {
            return err(Sp::of(&e.pat), "`for` binds one name: `for i in 0..n`");
        };
        let range = match &*e.expr {
            syn::Expr::Range(r) => r,
            syn::Expr::Paren(p) => match &*p.expr {
                syn::Expr::Range(r) => r,
                other => return err(Sp::of(&other), RANGE_ONLY),
            },
            other => return err(Sp::of(&other), RANGE_ONLY),
        };
        let (Some(start), Some(end)) = (&range.start, &range.end) else {
            return err(Sp::of(&range), "a kernel `for` needs both ends of the range: `a..b`");
        };
        let start = self.lower_expr(start)?;
        let end = self.lower_expr(end)?;
        let ty = self.unify(&start.ty, &end.ty, end.span)?;
        if !matches!(self.shallow(&ty), Ty::Infer(_)) && !ty.scalar().is_some_and(Scalar::is_int) {
            return err(Sp::of(&range), "a kernel `for` runs over an integer range");
        }
        if self.is_float_var(&ty) == Some(true) {
            return err(Sp::of(&range), "a kernel `for` runs over an integer range");
        }
        let inclusive = matches!(range.limits, syn::RangeLimits::Closed(_));
        self.scopes.push(Vec::new());
        let name = self.declare(&var.ident.to_string(), ty.clone(), false);
        self.loops += 1;
        let body = self.lower_block(&e.body, false);
        self.loops -= 1;
        self.scopes.pop();
        Ok(Stmt::For { var: name, ty, start, end, inclusive, body: body?, span: Sp::of(&e) })
    }

    fn lower_bool(&mut self, e: &syn::Expr) -> Result<Expr> {
        let cond = self.lower_expr(e)?;
        self.unify(&Ty::Scalar(Scalar::Bool), &cond.ty, Sp::of(&e))?;
        Ok(cond)
    }

    /// An assignable place: a mutable local, a component of one, or an element of a writable array.
    fn lower_place(&mut self, e: &syn::Expr) -> Result<Expr> {
        match e {
            syn::Expr::Path(p) => {
                let name = single_ident(&p.path).ok_or_else(|| Sp::of(&e).error("cannot assign to this"))?;
                if let Some(local) = self.lookup(&name) {
                    if !local.mutable {
                        return err(
                            Sp::of(&e),
                            format!("cannot assign twice to immutable variable `{name}`: declare it `let mut {name}`"),
                        );
                    }
                } else if self.params.iter().any(|p| p.name == name) {
                    return err(
                        Sp::of(&e),
                        format!("kernel parameter `{name}` is read-only: copy it into a `let mut` to change it"),
                    );
                }
                self.lower_expr(e)
            }
            syn::Expr::Index(i) => {
                self.check_writable(&i.expr)?;
                self.lower_expr(e)
            }
            syn::Expr::Field(f) => {
                self.lower_place(&f.base)?;
                self.lower_expr(e)
            }
            syn::Expr::Paren(p) => self.lower_place(&p.expr),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                err(Sp::of(&u), "kernels have no references to write through: assign to the place itself")
            }
            other => err(Sp::of(&other), "cannot assign to this: assign to a `let mut` local or an element `y[i]`"),
        }
    }

    fn check_writable(&mut self, base: &syn::Expr) -> Result<()> {
        let syn::Expr::Path(p) = base else { return self.lower_place(base).map(drop) };
        let Some(name) = single_ident(&p.path) else { return Ok(()) };
        if self.lookup(&name).is_some() {
            return self.lower_place(base).map(drop);
        }
        if let Some(param) = self.params.iter().find(|p| p.name == name) {
            return match param.kind {
                ParamKind::SliceMut(_) => Ok(()),
                ParamKind::Slice(_) => err(
                    Sp::of(&base),
                    format!("`{name}` is a read-only `&[T]`: declare the parameter `{name}: &mut [T]` to write it"),
                ),
                ParamKind::Atomics(_) => err(
                    Sp::of(&base),
                    format!("`{name}` holds atomics: write with `{name}[i].store(v, Ordering::Relaxed)`"),
                ),
                ParamKind::Value(_) => err(Sp::of(&base), format!("kernel parameter `{name}` is read-only")),
            };
        }
        if let Some(shared) = self.shared.iter().find(|s| s.name == name)
            && matches!(&shared.ty, Ty::Array(e, _) if matches!(**e, Ty::Atomic(_)))
        {
            return err(Sp::of(&base), format!("`{name}` holds atomics: write with `.store(v, Ordering::Relaxed)`"));
        }
        Ok(())
    }

    // ---- expressions -----------------------------------------------------------------------------

    pub fn lower_expr(&mut self, e: &syn::Expr) -> Result<Expr> {
        let span = Sp::of(&e);
        let mk = |kind, ty| Ok(Expr { kind, ty, span });
        match e {
            syn::Expr::Lit(l) => self.lower_lit(&l.lit),
            syn::Expr::Paren(p) => self.lower_expr(&p.expr),
            syn::Expr::Group(g) => self.lower_expr(&g.expr),
            syn::Expr::Path(p) => self.lower_path(p),
            syn::Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => {
                    if let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(_) | syn::Lit::Float(_), .. }) = &*u.expr {
                        let mut lit = self.lower_expr(&u.expr)?;
                        if let ExprKind::Lit(Lit::Int(v)) = &mut lit.kind {
                            *v = -*v;
                        } else if let ExprKind::Lit(Lit::Float(v)) = &mut lit.kind {
                            *v = -*v;
                        }
                        if lit.ty == Ty::Scalar(Scalar::U32) {
                            return err(span, "cannot negate an unsigned integer");
                        }
                        lit.span = span;
                        return Ok(lit);
                    }
                    let inner = self.lower_expr(&u.expr)?;
                    let ty = self.shallow(&inner.ty);
                    match ty.scalar() {
                        Some(Scalar::U32) => return err(span, "cannot negate an unsigned integer"),
                        Some(Scalar::Bool) => return err(span, "cannot negate a `bool`: use `!`"),
                        None if !matches!(ty, Ty::Infer(_)) => {
                            return err(span, format!("cannot negate `{}`", ty.rust_name()));
                        }
                        _ => {}
                    }
                    mk(ExprKind::Unary(UnOp::Neg, Box::new(inner)), ty)
                }
                syn::UnOp::Not(_) => {
                    let inner = self.lower_expr(&u.expr)?;
                    let ty = self.shallow(&inner.ty);
                    if ty.scalar().is_some_and(Scalar::is_float) || self.is_float_var(&ty) == Some(true) {
                        return err(span, "cannot apply `!` to a float");
                    }
                    mk(ExprKind::Unary(UnOp::Not, Box::new(inner)), ty)
                }
                syn::UnOp::Deref(_) => err(span, "kernels have no references: use the value directly, without `*`"),
                _ => err(span, "this operator is not in the kernel subset"),
            },
            syn::Expr::Binary(b) => {
                if compound_op(&b.op).is_some() {
                    return err(span, "compound assignment is a statement: end it with `;`");
                }
                let op = bin_op(&b.op);
                let lhs = self.lower_expr(&b.left)?;
                let rhs = self.lower_expr(&b.right)?;
                let ty = self.binary_ty(op, &lhs, &rhs, Sp::of(&b.op))?;
                let rhs = if op == BinOp::Shl || op == BinOp::Shr { self.shift_rhs(rhs)? } else { rhs };
                mk(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), ty)
            }
            syn::Expr::Cast(c) => {
                let inner = self.lower_expr(&c.expr)?;
                let target = self.parse_ty(&c.ty)?;
                let Ty::Scalar(to) = target else {
                    return err(Sp::of(&c.ty), "`as` converts scalars; convert a vector component by component");
                };
                match self.shallow(&inner.ty) {
                    Ty::Scalar(from) => {
                        if from != Scalar::Bool && to == Scalar::Bool {
                            return err(span, "cannot cast to `bool`: compare instead, e.g. `x != 0`");
                        }
                    }
                    Ty::Infer(_) => {}
                    other => {
                        return err(Sp::of(&c.expr), format!("`as` converts scalars, not `{}`", other.rust_name()));
                    }
                }
                mk(ExprKind::Cast(Box::new(inner)), target)
            }
            syn::Expr::Index(i) => self.lower_index(i),
            syn::Expr::Field(f) => {
                let base = self.lower_expr(&f.base)?;
                let syn::Member::Named(field) = &f.member else {
                    return err(Sp::of(&f.member), "tuples are not in the kernel subset");
                };
                if let Ty::Struct(def) = self.shallow(&base.ty) {
                    let name = field.to_string();
                    let Some(fd) = def.fields.iter().find(|fd| fd.name == name) else {
                        return err(Sp::of(field), format!("no field `{name}` on `{}`", def.name));
                    };
                    if fd.padding {
                        return err(
                            Sp::of(field),
                            format!("`{name}` is padding: it exists only in Rust, not on the GPU"),
                        );
                    }
                    return mk(ExprKind::Field(Box::new(base), name), fd.ty.clone());
                }
                let Ty::Vector(n, s) = self.shallow(&base.ty) else {
                    return err(
                        Sp::of(&f.member),
                        format!(
                            "no field `{field}` on `{}`; kernels read `.x .y .z .w` of vectors",
                            self.name(&base.ty)
                        ),
                    );
                };
                let index = match field.to_string().as_str() {
                    "x" => 0,
                    "y" => 1,
                    "z" => 2,
                    "w" => 3,
                    other => return err(Sp::of(&field), format!("no field `{other}` on a vector: `.x .y .z .w`")),
                };
                if index >= n {
                    return err(Sp::of(&field), format!("`Vec{n}` has no component `{field}`"));
                }
                mk(ExprKind::Component(Box::new(base), index), Ty::Scalar(s))
            }
            syn::Expr::MethodCall(m) => self.lower_method(m),
            syn::Expr::Call(c) => self.lower_call(c),
            syn::Expr::Array(a) => {
                if a.elems.is_empty() {
                    return err(span, "an array needs at least one element");
                }
                let mut elems = Vec::new();
                let mut ty: Option<Ty> = None;
                for el in &a.elems {
                    let el = self.lower_expr(el)?;
                    ty = Some(match ty {
                        Some(t) => self.unify(&t, &el.ty, el.span)?,
                        None => el.ty.clone(),
                    });
                    elems.push(el);
                }
                let n = elems.len() as u32;
                mk(ExprKind::ArrayList(elems), Ty::Array(Box::new(ty.expect("non-empty")), n))
            }
            syn::Expr::Repeat(r) => {
                let value = self.lower_expr(&r.expr)?;
                let n = array_len(&r.len)?;
                let ty = Ty::Array(Box::new(value.ty.clone()), n);
                mk(ExprKind::ArrayRepeat(Box::new(value), n), ty)
            }
            syn::Expr::If(_) => err(
                span,
                "`if` as a value is not in the kernel subset: use `select(if_false, if_true, cond)` \
                 or assign a `let mut` in both branches",
            ),
            syn::Expr::Closure(_) => err(
                span,
                "closures are not in the kernel subset: write a function marked `#[wasi_webgpu::gpu]` and call it",
            ),
            syn::Expr::Reference(_) => err(
                span,
                "references are not in the kernel subset (WGSL has no pointers to locals here): pass the value itself",
            ),
            syn::Expr::Macro(m) => err(span, macro_message(&m.mac)),
            syn::Expr::Tuple(_) => err(span, "tuples are not in the kernel subset: use a vector or separate `let`s"),
            syn::Expr::Struct(lit) => self.lower_struct_lit(lit),
            syn::Expr::Range(_) => err(span, "ranges only appear in `for i in a..b`"),
            syn::Expr::Try(_) => err(span, "`?` is not in the kernel subset: kernels cannot fail"),
            syn::Expr::Await(_) | syn::Expr::Async(_) => err(span, "`async`/`.await` are not in the kernel subset"),
            syn::Expr::Match(_) => err(span, "`match` is not in the kernel subset: use `if`/`else if`"),
            syn::Expr::Block(_) | syn::Expr::Loop(_) | syn::Expr::While(_) | syn::Expr::ForLoop(_) => {
                err(span, "blocks and loops are statements in a kernel, not values")
            }
            syn::Expr::Let(_) => err(span, "`let` expressions are not in the kernel subset"),
            _ => err(span, "this expression is not in the kernel subset"),
        }
    }

    fn lower_lit(&mut self, lit: &syn::Lit) -> Result<Expr> {
        let span = Sp::of(&lit);
        let (kind, ty) = match lit {
            syn::Lit::Int(i) => {
                let value: i128 = i.base10_parse().map_err(|_| span.error("integer literal too large"))?;
                let ty = match i.suffix() {
                    "" => self.fresh(false),
                    "u32" | "usize" => Ty::Scalar(Scalar::U32),
                    "i32" | "isize" => Ty::Scalar(Scalar::I32),
                    "f32" => Ty::Scalar(Scalar::F32),
                    "f16" => self.f16_ty(span)?,
                    other => return err(span, format!("`{other}` is not a kernel type: {}", int_hint(other))),
                };
                if matches!(ty, Ty::Scalar(s) if s.is_float()) {
                    (Lit::Float(value as f64), ty)
                } else {
                    (Lit::Int(value), ty)
                }
            }
            syn::Lit::Float(f) => {
                let value: f64 = f.base10_parse().map_err(|_| span.error("bad float literal"))?;
                let ty = match f.suffix() {
                    "" => self.fresh(true),
                    "f32" => Ty::Scalar(Scalar::F32),
                    "f16" => self.f16_ty(span)?,
                    "f64" => return err(span, "WGSL has no `f64`: use `f32`"),
                    other => return err(span, format!("unknown suffix `{other}`")),
                };
                (Lit::Float(value), ty)
            }
            syn::Lit::Bool(b) => (Lit::Bool(b.value), Ty::Scalar(Scalar::Bool)),
            syn::Lit::Str(_) | syn::Lit::ByteStr(_) | syn::Lit::CStr(_) => {
                return err(span, "strings are not in the kernel subset: GPUs have no text; pass numbers");
            }
            syn::Lit::Char(_) | syn::Lit::Byte(_) => {
                return err(span, "`char`/`u8` are not in the kernel subset: use `u32`");
            }
            _ => return err(span, "this literal is not in the kernel subset"),
        };
        Ok(Expr { kind: ExprKind::Lit(kind), ty, span })
    }

    fn f16_ty(&mut self, span: Sp) -> Result<Ty> {
        if cfg!(feature = "f16") {
            self.uses_f16 = true;
            Ok(Ty::Scalar(Scalar::F16))
        } else {
            err(span, "`f16` in kernels needs the `f16` cargo feature of wasi-webgpu (and a device with `shader-f16`)")
        }
    }

    fn lower_path(&mut self, p: &syn::ExprPath) -> Result<Expr> {
        let span = Sp::of(&p);
        let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.len() == 1 {
            let name = &segments[0];
            if let Some(local) = self.lookup(name) {
                return Ok(Expr { kind: ExprKind::Var(Place::Local(local.wgsl.clone())), ty: local.ty.clone(), span });
            }
            if let Some(index) = self.params.iter().position(|p| &p.name == name) {
                let ty = match &self.params[index].kind {
                    ParamKind::Value(ty) => ty.clone(),
                    _ => {
                        return err(
                            span,
                            format!("`{name}` is a buffer: index it (`{name}[i]`) or call `{name}.len()`"),
                        );
                    }
                };
                return Ok(Expr { kind: ExprKind::Var(Place::Param(index)), ty, span });
            }
            if self.shared.iter().any(|s| &s.name == name) {
                return err(span, format!("`{name}` is shared memory: index it, `{name}[i]`"));
            }
            if !self.in_kernel && self.params.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                return err(span, format!("cannot find `{name}`: `#[gpu]` helpers see only their arguments"));
            }
            return err(span, format!("cannot find value `{name}` in this kernel"));
        }
        // Numeric constants: `u32::MAX`, `f32::EPSILON`, `core::f32::consts::PI`.
        let last = segments.last().expect("non-empty path").as_str();
        let ty_name = segments[segments.len() - 2].as_str();
        let constant = match (ty_name, last) {
            ("u32" | "usize", "MAX") => Some((Lit::Int(i128::from(u32::MAX)), Scalar::U32)),
            ("u32" | "usize", "MIN") => Some((Lit::Int(0), Scalar::U32)),
            ("i32" | "isize", "MAX") => Some((Lit::Int(i128::from(i32::MAX)), Scalar::I32)),
            ("i32" | "isize", "MIN") => Some((Lit::Int(i128::from(i32::MIN)), Scalar::I32)),
            ("f32", "MAX") => Some((Lit::Float(f64::from(f32::MAX)), Scalar::F32)),
            ("f32", "MIN") => Some((Lit::Float(f64::from(f32::MIN)), Scalar::F32)),
            ("f32", "MIN_POSITIVE") => Some((Lit::Float(f64::from(f32::MIN_POSITIVE)), Scalar::F32)),
            ("f32", "EPSILON") => Some((Lit::Float(f64::from(f32::EPSILON)), Scalar::F32)),
            ("consts", "PI") => Some((Lit::Float(std::f64::consts::PI), Scalar::F32)),
            ("consts", "TAU") => Some((Lit::Float(std::f64::consts::TAU), Scalar::F32)),
            ("consts", "E") => Some((Lit::Float(std::f64::consts::E), Scalar::F32)),
            ("f32", "INFINITY" | "NEG_INFINITY" | "NAN") => {
                return err(span, "WGSL has no infinity or NaN constants: use `f32::MAX`");
            }
            _ => None,
        };
        match constant {
            Some((lit, s)) => Ok(Expr { kind: ExprKind::Lit(lit), ty: Ty::Scalar(s), span }),
            None => err(span, format!("`{}` is not in the kernel subset", segments.join("::"))),
        }
    }

    fn lower_index(&mut self, i: &syn::ExprIndex) -> Result<Expr> {
        let span = Sp::of(&i);
        if let syn::Expr::Range(_) = &*i.index {
            return err(Sp::of(&i.index), "sub-slices are not in the kernel subset: index one element, `x[i]`");
        }
        let index = self.lower_expr(&i.index)?;
        match self.shallow(&index.ty) {
            Ty::Scalar(Scalar::U32) => {}
            Ty::Infer(_) if self.is_float_var(&index.ty) == Some(false) => {
                self.unify(&Ty::Scalar(Scalar::U32), &index.ty, index.span)?;
            }
            other => {
                return err(
                    index.span,
                    format!(
                        "indices are `usize` (`u32` on the GPU), found `{}`: convert with `as usize`",
                        other.rust_name()
                    ),
                );
            }
        }
        // Buffers and shared arrays are named directly; locals are arrays.
        if let syn::Expr::Path(p) = &*i.expr
            && let Some(name) = single_ident(&p.path)
            && self.lookup(&name).is_none()
        {
            if let Some(pi) = self.params.iter().position(|p| p.name == name) {
                let elem = match &self.params[pi].kind {
                    ParamKind::Slice(t) | ParamKind::SliceMut(t) => t.clone(),
                    ParamKind::Atomics(s) => Ty::Atomic(*s),
                    ParamKind::Value(t) => return err(Sp::of(&i.expr), format!("cannot index `{}`", t.rust_name())),
                };
                let base = Expr { kind: ExprKind::Var(Place::Param(pi)), ty: Ty::Unit, span: Sp::of(&i.expr) };
                return Ok(Expr { kind: ExprKind::Index(Box::new(base), Box::new(index)), ty: elem, span });
            }
            if let Some(si) = self.shared.iter().position(|s| s.name == name) {
                let Ty::Array(elem, _) = self.shared[si].ty.clone() else { unreachable!("shared memory is an array") };
                let base = Expr {
                    kind: ExprKind::Var(Place::Shared(si)),
                    ty: self.shared[si].ty.clone(),
                    span: Sp::of(&i.expr),
                };
                return Ok(Expr { kind: ExprKind::Index(Box::new(base), Box::new(index)), ty: *elem, span });
            }
        }
        let base = self.lower_expr(&i.expr)?;
        match self.shallow(&base.ty) {
            Ty::Array(elem, _) => Ok(Expr { kind: ExprKind::Index(Box::new(base), Box::new(index)), ty: *elem, span }),
            other => err(Sp::of(&i.expr), format!("cannot index `{}`; use `.x`..`.w` on vectors", other.rust_name())),
        }
    }

    fn lower_method(&mut self, m: &syn::ExprMethodCall) -> Result<Expr> {
        let span = Sp::of(&m);
        let method = m.method.to_string();
        if m.turbofish.is_some() {
            return err(Sp::of(&m.method), "turbofish is not in the kernel subset");
        }
        // `buffer.len()`.
        if method == "len"
            && let syn::Expr::Path(p) = &*m.receiver
            && let Some(name) = single_ident(&p.path)
            && self.lookup(&name).is_none()
        {
            if let Some(pi) = self.params.iter().position(|p| p.name == name)
                && !matches!(self.params[pi].kind, ParamKind::Value(_))
            {
                return Ok(Expr { kind: ExprKind::Len(Place::Param(pi)), ty: Ty::Scalar(Scalar::U32), span });
            }
            if let Some(si) = self.shared.iter().position(|s| s.name == name) {
                let Ty::Array(_, n) = self.shared[si].ty else { unreachable!("shared memory is an array") };
                return Ok(Expr { kind: ExprKind::Lit(Lit::Int(n.into())), ty: Ty::Scalar(Scalar::U32), span });
            }
        }
        let receiver = self.lower_expr(&m.receiver)?;
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        let rty = self.shallow(&receiver.ty);
        if let Ty::Atomic(s) = rty {
            return self.lower_atomic(m, &method, receiver, s);
        }
        if let Ty::Array(_, n) = rty
            && method == "len"
        {
            return Ok(Expr { kind: ExprKind::Lit(Lit::Int(n.into())), ty: Ty::Scalar(Scalar::U32), span });
        }
        let scalar = match &rty {
            Ty::Scalar(s) | Ty::Vector(_, s) => Some(*s),
            Ty::Infer(_) => None,
            other => {
                return err(
                    Sp::of(&m.method),
                    format!("no method `{method}` on `{}` in the kernel subset", other.rust_name()),
                );
            }
        };
        let is_float = scalar.map_or(self.is_float_var(&rty) == Some(true), Scalar::is_float);
        let is_vector = matches!(rty, Ty::Vector(..));
        let (math, arity, float_only) = match method.as_str() {
            "abs" => (Math::Abs, 0, false),
            "min" => (Math::Min, 1, false),
            "max" => (Math::Max, 1, false),
            "clamp" => (Math::Clamp, 2, false),
            "sqrt" => (Math::Sqrt, 0, true),
            "exp" => (Math::Exp, 0, true),
            "exp2" => (Math::Exp2, 0, true),
            "ln" => (Math::Log, 0, true),
            "log2" => (Math::Log2, 0, true),
            "powf" => (Math::Pow, 1, true),
            "sin" => (Math::Sin, 0, true),
            "cos" => (Math::Cos, 0, true),
            "tan" => (Math::Tan, 0, true),
            "tanh" => (Math::Tanh, 0, true),
            "floor" => (Math::Floor, 0, true),
            "ceil" => (Math::Ceil, 0, true),
            "trunc" => (Math::Trunc, 0, true),
            "mul_add" => (Math::Fma, 2, true),
            "dot" if is_vector => (Math::Dot, 1, false),
            "length" if is_vector => (Math::Length, 0, true),
            "normalize" if is_vector => (Math::Normalize, 0, true),
            "log" | "log10" => return err(Sp::of(&m.method), "use `.ln()` (natural log) or `.log2()`"),
            "powi" => return err(Sp::of(&m.method), "`powi` is not in the kernel subset: use `.powf(n as f32)`"),
            "round" => {
                return err(
                    Sp::of(&m.method),
                    "`round` is not in the kernel subset: WGSL rounds halfway cases to even, Rust away from zero; \
                     use `(x + 0.5).floor()` or `.trunc()`",
                );
            }
            "wrapping_add" | "wrapping_sub" | "wrapping_mul" => {
                return err(Sp::of(&m.method), "kernel integer arithmetic already wraps like WGSL: use `+`, `-`, `*`");
            }
            "clone" => return err(Sp::of(&m.method), "kernel values are copied: remove `.clone()`"),
            _ => {
                return err(
                    Sp::of(&m.method),
                    format!(
                        "method `{method}` is not in the kernel subset; available: abs, min, max, clamp, sqrt, exp, \
                         exp2, ln, log2, powf, sin, cos, tan, tanh, floor, ceil, trunc, mul_add, and on vectors dot, \
                         length, normalize; buffers have len"
                    ),
                );
            }
        };
        if float_only && !is_float {
            return err(Sp::of(&m.method), format!("`{method}` needs a float, found `{}`", self.name(&rty)));
        }
        if scalar == Some(Scalar::Bool) {
            return err(Sp::of(&m.method), format!("`{method}` needs a number, found `bool`"));
        }
        if args.len() != arity {
            return err(Sp::of(&m), format!("`{method}` takes {arity} argument(s)"));
        }
        let mut all = vec![receiver];
        for a in args {
            let a = self.lower_expr(a)?;
            self.unify(&rty, &a.ty, a.span)?;
            all.push(a);
        }
        let ty = match (math, &rty) {
            (Math::Dot | Math::Length, Ty::Vector(_, s)) => Ty::Scalar(*s),
            _ => rty.clone(),
        };
        if math == Math::Abs && scalar == Some(Scalar::U32) {
            return err(Sp::of(&m.method), "`abs` of a `u32` is the value itself");
        }
        Ok(Expr { kind: ExprKind::Math(math, all), ty, span })
    }

    fn lower_atomic(&mut self, m: &syn::ExprMethodCall, method: &str, place: Expr, s: Scalar) -> Result<Expr> {
        let span = Sp::of(&m);
        let (op, has_value) = match method {
            "load" => (AtomicOp::Load, false),
            "store" => (AtomicOp::Store, true),
            "swap" => (AtomicOp::Swap, true),
            "fetch_add" => (AtomicOp::Add, true),
            "fetch_sub" => (AtomicOp::Sub, true),
            "fetch_max" => (AtomicOp::Max, true),
            "fetch_min" => (AtomicOp::Min, true),
            "fetch_and" => (AtomicOp::And, true),
            "fetch_or" => (AtomicOp::Or, true),
            "fetch_xor" => (AtomicOp::Xor, true),
            _ => {
                return err(
                    Sp::of(&m.method),
                    format!(
                        "atomic method `{method}` is not in the kernel subset; available: load, store, swap, \
                         fetch_add, fetch_sub, fetch_max, fetch_min, fetch_and, fetch_or, fetch_xor"
                    ),
                );
            }
        };
        let expected = usize::from(has_value) + 1;
        if m.args.len() != expected {
            return err(Sp::of(&m), format!("`{method}` takes {expected} argument(s), the last an `Ordering`"));
        }
        let ordering = m.args.last().expect("checked");
        let relaxed =
            matches!(ordering, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Relaxed"));
        if !relaxed {
            return err(
                Sp::of(&ordering),
                "WGSL atomics are relaxed: pass `Ordering::Relaxed` (use barriers to order)",
            );
        }
        let value = if has_value {
            let v = self.lower_expr(&m.args[0])?;
            self.unify(&Ty::Scalar(s), &v.ty, v.span)?;
            Some(Box::new(v))
        } else {
            None
        };
        let ty = if op == AtomicOp::Store { Ty::Unit } else { Ty::Scalar(s) };
        Ok(Expr { kind: ExprKind::Atomic(op, Box::new(place), value), ty, span })
    }

    fn lower_call(&mut self, c: &syn::ExprCall) -> Result<Expr> {
        let span = Sp::of(&c);
        let syn::Expr::Path(p) = &*c.func else {
            return err(Sp::of(&c.func), "only named functions can be called in a kernel");
        };
        let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let last = segments.last().expect("non-empty path").as_str();
        let owner = segments.len().checked_sub(2).map(|i| segments[i].as_str());
        let args: Vec<&syn::Expr> = c.args.iter().collect();
        let builtin = match last {
            "global_id" => Some(Builtin::GlobalId),
            "local_id" => Some(Builtin::LocalId),
            "workgroup_id" => Some(Builtin::WorkgroupId),
            "num_workgroups" => Some(Builtin::NumWorkgroups),
            "local_index" => Some(Builtin::LocalIndex),
            _ => None,
        };
        if let Some(b) = builtin
            && is_sdk_path(&segments)
        {
            if !self.in_kernel {
                return err(
                    span,
                    format!("`{last}()` is only available in the kernel body: pass it to the helper as an argument"),
                );
            }
            if !args.is_empty() {
                return err(Sp::of(&c.args), format!("`{last}()` takes no arguments"));
            }
            if !self.builtins.contains(&b) {
                self.builtins.push(b);
            }
            return Ok(Expr { kind: ExprKind::Builtin(b), ty: b.ty(), span });
        }
        if barrier_kind(&c.func).is_some() {
            return err(span, "a barrier is a statement: `workgroup_barrier();`");
        }
        // Vector constructors.
        let ctor = match (owner, last) {
            (_, "vec2") | (Some("Vec2" | "UVec2" | "IVec2" | "BVec2"), "new") => Some((2, None)),
            (_, "vec3") | (Some("Vec3" | "UVec3" | "IVec3" | "BVec3"), "new") => Some((3, None)),
            (_, "vec4") | (Some("Vec4" | "UVec4" | "IVec4" | "BVec4"), "new") => Some((4, None)),
            (Some(v), "splat") => vector_of(v).map(|(n, _)| (n, Some(()))),
            _ => None,
        };
        if let Some((n, splat)) = ctor {
            let hinted = owner.and_then(vector_of).and_then(|(_, s)| s);
            let wanted = if splat.is_some() { 1 } else { n as usize };
            if args.len() != wanted {
                return err(span, format!("this constructor takes {wanted} argument(s)"));
            }
            let mut lowered = Vec::new();
            let mut ty = hinted.map(Ty::Scalar);
            for a in args {
                let a = self.lower_expr(a)?;
                ty = Some(match ty {
                    Some(t) => self.unify(&t, &a.ty, a.span)?,
                    None => a.ty.clone(),
                });
                lowered.push(a);
            }
            // The component type must be known now: Rust picks it from the arguments too.
            let component = match self.shallow(&ty.expect("has arguments")) {
                Ty::Scalar(s) => s,
                t @ Ty::Infer(_) => {
                    let s = if self.is_float_var(&t) == Some(true) { Scalar::F32 } else { Scalar::I32 };
                    self.unify(&Ty::Scalar(s), &t, span)?;
                    s
                }
                other => return err(span, format!("vectors hold scalars, not `{}`", other.rust_name())),
            };
            return Ok(Expr { kind: ExprKind::Construct(lowered), ty: Ty::Vector(n, component), span });
        }
        // Free math functions.
        let free = match last {
            "select" => Some((Math::Select, 3)),
            "min" if owner.is_none_or(|o| o == "wasi_webgpu") => Some((Math::Min, 2)),
            "max" if owner.is_none_or(|o| o == "wasi_webgpu") => Some((Math::Max, 2)),
            "clamp" if owner.is_none_or(|o| o == "wasi_webgpu") => Some((Math::Clamp, 3)),
            "dot" if owner.is_none_or(|o| o == "wasi_webgpu") => Some((Math::Dot, 2)),
            _ => None,
        };
        if let Some((math, arity)) = free
            && !self.helpers.contains_key(last)
        {
            if args.len() != arity {
                return err(span, format!("`{last}` takes {arity} arguments"));
            }
            let mut lowered = Vec::new();
            for a in &args {
                lowered.push(self.lower_expr(a)?);
            }
            let ty = if math == Math::Select {
                self.unify(&Ty::Scalar(Scalar::Bool), &lowered[2].ty, lowered[2].span)?;
                self.unify(&lowered[0].ty.clone(), &lowered[1].ty.clone(), lowered[1].span)?
            } else {
                let mut ty = lowered[0].ty.clone();
                for a in &lowered[1..] {
                    ty = self.unify(&ty, &a.ty, a.span)?;
                }
                if math == Math::Dot {
                    match self.shallow(&ty) {
                        Ty::Vector(_, s) => Ty::Scalar(s),
                        other => return err(span, format!("`dot` takes vectors, found `{}`", other.rust_name())),
                    }
                } else {
                    ty
                }
            };
            return Ok(Expr { kind: ExprKind::Math(math, lowered), ty, span });
        }
        if segments.len() == 1
            && let Some(sig) = self.helpers.get(last).cloned()
        {
            if last == self.current {
                return err(span, format!("`{last}` calls itself: WGSL has no recursion; rewrite it as a loop"));
            }
            if args.len() != sig.args.len() {
                return err(span, format!("`{last}` takes {} argument(s)", sig.args.len()));
            }
            let mut lowered = Vec::new();
            for (a, ty) in args.iter().zip(&sig.args) {
                let a = self.lower_expr(a)?;
                self.unify(ty, &a.ty, a.span)?;
                lowered.push(a);
            }
            if !self.calls.iter().any(|c| c == last) {
                self.calls.push(last.to_string());
            }
            return Ok(Expr { kind: ExprKind::Call(last.to_string(), lowered), ty: sig.ret, span });
        }
        let path = segments.join("::");
        let hint = match (owner, last) {
            (Some("String"), _) | (_, "to_string") | (_, "format") => {
                "`String` is not in the kernel subset: GPUs have no text; compute numbers"
            }
            (Some("Vec"), _) => {
                "`Vec` is not in the kernel subset: take a buffer parameter (`&[T]`/`&mut [T]`) or use a fixed array `[T; N]`"
            }
            (Some("Box" | "Rc" | "Arc"), _) => "heap allocation is not in the kernel subset",
            (Some("Some" | "Ok" | "Err"), _) | (None, "Some" | "Ok" | "Err") => {
                "`Option`/`Result` are not in the kernel subset"
            }
            _ => "",
        };
        if !hint.is_empty() {
            return err(span, hint);
        }
        if segments.len() == 1 && last == self.current {
            return err(span, format!("`{last}` calls itself: WGSL has no recursion; rewrite it as a loop"));
        }
        err(
            Sp::of(&c.func),
            format!(
                "`{path}` is not callable from a kernel: call builtins (`wasi_webgpu::global_id()` ...), math methods, \
                 or functions marked `#[wasi_webgpu::gpu]` and listed in `helpers(..)` on the kernel"
            ),
        )
    }

    fn lower_struct_lit(&mut self, lit: &syn::ExprStruct) -> Result<Expr> {
        let span = Sp::of(lit);
        let name = lit.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let Some(def) = self.structs.iter().find(|d| d.name == name).cloned() else {
            return err(
                Sp::of(&lit.path),
                format!("`{name}` is not a `#[derive(GpuType)]` struct this kernel knows: kernels use GpuType structs"),
            );
        };
        if let Some(rest) = &lit.rest {
            return err(Sp::of(rest), "write every field: `..` is not in the kernel subset");
        }
        let mut values = Vec::new();
        for fd in &def.fields {
            let Some(value) = lit.fields.iter().find(|fv| matches!(&fv.member, syn::Member::Named(m) if *m == fd.name))
            else {
                return err(span, format!("missing field `{}` in `{name}`", fd.name));
            };
            let v = self.lower_expr(&value.expr)?;
            self.unify(&fd.ty, &v.ty, v.span)?;
            values.push(v);
        }
        if let Some(extra) = lit
            .fields
            .iter()
            .find(|fv| !def.fields.iter().any(|fd| matches!(&fv.member, syn::Member::Named(m) if *m == fd.name)))
        {
            return err(Sp::of(&extra.member), format!("`{name}` has no such field"));
        }
        Ok(Expr { kind: ExprKind::StructLit(def.clone(), values), ty: Ty::Struct(def), span })
    }

    fn shift_rhs(&mut self, rhs: Expr) -> Result<Expr> {
        match self.shallow(&rhs.ty) {
            Ty::Infer(_) => {
                self.unify(&Ty::Scalar(Scalar::U32), &rhs.ty, rhs.span)?;
                Ok(rhs)
            }
            Ty::Scalar(Scalar::U32) => Ok(rhs),
            Ty::Scalar(Scalar::I32) => {
                let span = rhs.span;
                Ok(Expr { kind: ExprKind::Cast(Box::new(rhs)), ty: Ty::Scalar(Scalar::U32), span })
            }
            other => err(rhs.span, format!("shift amounts are integers, found `{}`", other.rust_name())),
        }
    }

    fn binary_ty(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Sp) -> Result<Ty> {
        let (l, r) = (self.shallow(&lhs.ty), self.shallow(&rhs.ty));
        let bool_ty = Ty::Scalar(Scalar::Bool);
        match op {
            BinOp::And | BinOp::Or => {
                self.unify(&bool_ty, &l, lhs.span)?;
                self.unify(&bool_ty, &r, rhs.span)?;
                Ok(bool_ty)
            }
            BinOp::Shl | BinOp::Shr => {
                let int = matches!(l, Ty::Scalar(s) if s.is_int()) || self.is_float_var(&l) == Some(false);
                if !int {
                    return err(span, format!("shifts need an integer, found `{}`", self.name(&l)));
                }
                Ok(l)
            }
            _ if op.is_comparison() => {
                let ty = self.unify(&l, &r, span)?;
                match ty {
                    Ty::Vector(..) if matches!(op, BinOp::Eq | BinOp::Ne) => Ok(bool_ty),
                    Ty::Vector(..) => err(span, "vectors are not ordered: compare their components"),
                    Ty::Array(..) => err(span, "arrays cannot be compared: compare their elements"),
                    Ty::Struct(_) => err(span, "structs cannot be compared: compare their fields"),
                    Ty::Scalar(Scalar::Bool) if !matches!(op, BinOp::Eq | BinOp::Ne) => {
                        err(span, "`bool`s are not ordered")
                    }
                    _ => Ok(bool_ty),
                }
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                let ty = self.unify(&l, &r, span)?;
                if ty.scalar().is_some_and(Scalar::is_float) || self.is_float_var(&ty) == Some(true) {
                    return err(span, "bitwise operators need integers or `bool`s");
                }
                Ok(ty)
            }
            _ => {
                // Arithmetic, with vector-scalar mixes like WGSL.
                let ty = match (&l, &r) {
                    (Ty::Vector(_, s), Ty::Scalar(_) | Ty::Infer(_)) => {
                        self.unify(&Ty::Scalar(*s), &r, rhs.span)?;
                        l.clone()
                    }
                    (Ty::Scalar(_) | Ty::Infer(_), Ty::Vector(_, s)) => {
                        self.unify(&Ty::Scalar(*s), &l, lhs.span)?;
                        r.clone()
                    }
                    _ => self.unify(&l, &r, span)?,
                };
                match &ty {
                    Ty::Scalar(Scalar::Bool) | Ty::Vector(_, Scalar::Bool) => {
                        err(span, format!("cannot do arithmetic on `{}`", ty.rust_name()))
                    }
                    Ty::Array(..) | Ty::Atomic(_) | Ty::Unit | Ty::Struct(_) => {
                        err(span, format!("cannot do arithmetic on `{}`", ty.rust_name()))
                    }
                    _ => Ok(ty),
                }
            }
        }
    }

    /// A type of the subset, from Rust syntax.
    pub fn parse_ty(&mut self, ty: &syn::Type) -> Result<Ty> {
        let mut cx = TyCx { uses_f16: self.uses_f16, structs: self.structs };
        let ty = parse_ty(ty, &mut cx);
        self.uses_f16 = cx.uses_f16;
        ty
    }
}

/// What parsing a type needs: the structs in scope, and a flag set when `f16` is used.
pub struct TyCx<'a> {
    pub uses_f16: bool,
    pub structs: &'a [Rc<StructDef>],
}

/// A type of the subset, from Rust syntax; sets `cx.uses_f16` when it mentions `f16`.
pub fn parse_ty(ty: &syn::Type, cx: &mut TyCx<'_>) -> Result<Ty> {
    let span = Sp::of(&ty);
    match ty {
        syn::Type::Array(a) => {
            let elem = parse_ty(&a.elem, cx)?;
            if matches!(elem, Ty::Array(..)) {
                // Allowed by WGSL, but keep the CPU translation and layout rules simple and explicit.
            }
            Ok(Ty::Array(Box::new(elem), array_len(&a.len)?))
        }
        syn::Type::Paren(p) => parse_ty(&p.elem, cx),
        syn::Type::Group(g) => parse_ty(&g.elem, cx),
        syn::Type::Tuple(t) if t.elems.is_empty() => Ok(Ty::Unit),
        syn::Type::Path(p) if p.qself.is_none() => {
            let seg = p.path.segments.last().expect("non-empty path");
            let name = seg.ident.to_string();
            let scalar = match name.as_str() {
                "f32" => Some(Scalar::F32),
                "i32" | "isize" => Some(Scalar::I32),
                "u32" | "usize" => Some(Scalar::U32),
                "bool" => Some(Scalar::Bool),
                "f16" => {
                    if !cfg!(feature = "f16") {
                        return err(
                            span,
                            "`f16` in kernels needs the `f16` cargo feature of wasi-webgpu (and a device with \
                             `shader-f16`)",
                        );
                    }
                    cx.uses_f16 = true;
                    Some(Scalar::F16)
                }
                _ => None,
            };
            if let Some(s) = scalar {
                return Ok(Ty::Scalar(s));
            }
            if let Some((n, s)) = vector_of(&name) {
                let s = match s {
                    Some(s) => s,
                    None => {
                        let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
                            return err(span, format!("`{name}` needs its component type: `{name}<f32>`"));
                        };
                        let Some(syn::GenericArgument::Type(inner)) = args.args.first() else {
                            return err(span, format!("`{name}` needs its component type: `{name}<f32>`"));
                        };
                        match parse_ty(inner, cx)? {
                            Ty::Scalar(s) => s,
                            other => {
                                return err(
                                    Sp::of(&inner),
                                    format!("vectors hold scalars, not `{}`", other.rust_name()),
                                );
                            }
                        }
                    }
                };
                return Ok(Ty::Vector(n, s));
            }
            if let Some(def) = cx.structs.iter().find(|d| d.name == name) {
                return Ok(Ty::Struct(def.clone()));
            }
            let hint = match name.as_str() {
                "f64" => "WGSL has no `f64`: use `f32`".to_string(),
                "u8" | "u16" | "u64" | "u128" | "i8" | "i16" | "i64" | "i128" => int_hint(&name).to_string(),
                "String" | "str" => "`String` is not in the kernel subset: GPUs have no text".into(),
                "Vec" => "`Vec` is not in the kernel subset: take `&[T]`/`&mut [T]` or use `[T; N]`".into(),
                "Option" | "Result" => "`Option`/`Result` are not in the kernel subset".into(),
                "char" => "`char` is not in the kernel subset: use `u32`".into(),
                _ => format!(
                    "`{name}` is not a kernel type; use f32, i32, u32, bool, usize/isize (32-bit), Vec2/3/4<T>, \
                     [T; N]"
                ),
            };
            err(span, hint)
        }
        syn::Type::Reference(_) => {
            err(span, "references are only kernel parameters (`&[T]`, `&mut [T]`); pass values by value")
        }
        syn::Type::Slice(_) => err(span, "slices are kernel parameters: `&[T]` or `&mut [T]`"),
        _ => err(span, "this type is not in the kernel subset"),
    }
}

fn int_hint(name: &str) -> &'static str {
    match name {
        "u8" | "u16" | "u64" | "u128" => "WGSL integers are 32-bit: use `u32`",
        "i8" | "i16" | "i64" | "i128" => "WGSL integers are 32-bit: use `i32`",
        "f64" => "WGSL has no `f64`: use `f32`",
        _ => "use f32, i32, u32 or usize",
    }
}

/// `VecN` names: size, and the component when the alias fixes it.
fn vector_of(name: &str) -> Option<(u8, Option<Scalar>)> {
    let (prefix, n) = name.split_at(name.len().checked_sub(1)?);
    let n: u8 = n.parse().ok().filter(|n| (2..=4).contains(n))?;
    let scalar = match prefix {
        "Vec" => None,
        "UVec" => Some(Scalar::U32),
        "IVec" => Some(Scalar::I32),
        "BVec" => Some(Scalar::Bool),
        _ => return None,
    };
    Some((n, scalar))
}

/// `AtomicU32` / `AtomicI32`.
pub fn atomic_scalar(ty: &syn::Type) -> Option<Scalar> {
    let syn::Type::Path(p) = ty else { return None };
    match p.path.segments.last()?.ident.to_string().as_str() {
        "AtomicU32" => Some(Scalar::U32),
        "AtomicI32" => Some(Scalar::I32),
        _ => None,
    }
}

/// The `T` of `Workgroup<T>`.
fn workgroup_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Workgroup" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

pub fn array_len(e: &syn::Expr) -> Result<u32> {
    match e {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => {
            let n: u32 = i.base10_parse().map_err(|_| Sp::of(&i).error("array length too large"))?;
            if n == 0 {
                return err(Sp::of(&i), "WGSL arrays have at least one element");
            }
            Ok(n)
        }
        other => err(Sp::of(&other), "array lengths in kernels are integer literals"),
    }
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

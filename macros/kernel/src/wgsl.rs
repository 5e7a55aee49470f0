//! IR to WGSL. Every expression and statement records the byte range it was written to, with its
//! Rust span, so a naga error on the WGSL is reported at the Rust code that produced it.

use std::fmt::Write;
use std::ops::Range;

use crate::ir::*;
use crate::lower::wgsl_ident;

/// The uniform block's WGSL variable.
pub const UNIFORMS: &str = "params";
/// The uniform block's WGSL struct.
pub const UNIFORMS_STRUCT: &str = "Params";

/// Emitted WGSL and its span map.
pub struct Wgsl {
    pub source: String,
    /// Ranges of the source with the Rust span that produced them, in emission order (outer nodes
    /// are pushed after their children).
    pub spans: Vec<(Range<usize>, Sp)>,
}

impl Wgsl {
    /// The Rust span of the innermost node that covers `range`.
    pub fn rust_span(&self, range: &Range<usize>) -> Option<Sp> {
        self.spans
            .iter()
            .filter(|(r, _)| r.start <= range.start && range.end <= r.end.max(range.start + 1))
            .min_by_key(|(r, _)| r.end - r.start)
            .map(|(_, span)| *span)
    }
}

/// The binding index of each parameter: slices in order, then the uniform block.
pub fn bindings(kernel: &Kernel) -> (Vec<Option<u32>>, Option<u32>) {
    let mut next = 0;
    let mut slots = Vec::new();
    for p in &kernel.params {
        slots.push(match p.kind {
            ParamKind::Value(_) => None,
            _ => {
                next += 1;
                Some(next - 1)
            }
        });
    }
    let uniform = kernel.params.iter().any(|p| matches!(p.kind, ParamKind::Value(_))).then_some(next);
    (slots, uniform)
}

/// The type of a value parameter inside the uniform block (`bool` is stored as `u32`).
pub fn uniform_member_ty(ty: &Ty) -> Ty {
    match ty {
        Ty::Scalar(Scalar::Bool) => Ty::Scalar(Scalar::U32),
        Ty::Vector(n, Scalar::Bool) => Ty::Vector(*n, Scalar::U32),
        other => other.clone(),
    }
}

struct Emitter<'k> {
    out: String,
    spans: Vec<(Range<usize>, Sp)>,
    kernel: &'k Kernel,
    indent: usize,
}

pub fn emit(kernel: &Kernel) -> Wgsl {
    let mut e = Emitter { out: String::new(), spans: Vec::new(), kernel, indent: 0 };
    if kernel.uses_f16 {
        e.out.push_str("enable f16;\n\n");
    }
    for def in &kernel.structs {
        let _ = writeln!(e.out, "struct {} {{", wgsl_ident(&def.name));
        for f in def.fields.iter().filter(|f| !f.padding) {
            let _ = writeln!(e.out, "    {}: {},", wgsl_ident(&f.name), f.ty.wgsl());
        }
        e.out.push_str("}\n\n");
    }
    let (slots, uniform) = bindings(kernel);
    let values: Vec<&Param> = kernel.params.iter().filter(|p| matches!(p.kind, ParamKind::Value(_))).collect();
    if !values.is_empty() {
        let _ = writeln!(e.out, "struct {UNIFORMS_STRUCT} {{");
        for p in &values {
            let ParamKind::Value(ty) = &p.kind else { continue };
            let start = e.out.len();
            let _ = writeln!(e.out, "    {}: {},", wgsl_ident(&p.name), uniform_member_ty(ty).wgsl());
            e.spans.push((start..e.out.len(), p.span));
        }
        e.out.push_str("}\n\n");
    }
    for (p, slot) in kernel.params.iter().zip(&slots) {
        let Some(binding) = slot else { continue };
        let (access, elem) = match &p.kind {
            ParamKind::Slice(t) => ("read", t.wgsl()),
            ParamKind::SliceMut(t) => ("read_write", t.wgsl()),
            ParamKind::Atomics(s) => ("read_write", Ty::Atomic(*s).wgsl()),
            ParamKind::Value(_) => continue,
        };
        let start = e.out.len();
        let name = wgsl_ident(&p.name);
        let _ = writeln!(e.out, "@group(0) @binding({binding}) var<storage, {access}> {name}: array<{elem}>;");
        e.spans.push((start..e.out.len(), p.span));
    }
    if let Some(binding) = uniform {
        let _ = writeln!(e.out, "@group(0) @binding({binding}) var<uniform> {UNIFORMS}: {UNIFORMS_STRUCT};");
    }
    for s in &kernel.shared {
        let start = e.out.len();
        let _ = writeln!(e.out, "var<workgroup> {}: {};", wgsl_ident(&s.name), s.ty.wgsl());
        e.spans.push((start..e.out.len(), s.span));
    }
    e.out.push('\n');
    for helper in &kernel.helpers {
        e.function(helper);
    }
    let [x, y, z] = kernel.workgroup_size;
    let start = e.out.len();
    let _ = write!(e.out, "@compute @workgroup_size({x}, {y}, {z})");
    e.spans.push((start..e.out.len(), kernel.workgroup_size_span));
    e.out.push_str("\nfn main(");
    let builtins: Vec<String> =
        kernel.builtins.iter().map(|b| format!("@builtin({}) {}: {}", b.wgsl_attr(), b.var(), b.ty().wgsl())).collect();
    e.out.push_str(&builtins.join(", "));
    e.out.push_str(") {\n");
    e.indent = 1;
    e.block_body(&kernel.body);
    e.out.push_str("}\n");
    Wgsl { source: e.out, spans: e.spans }
}

impl Emitter<'_> {
    fn function(&mut self, f: &Function) {
        let start = self.out.len();
        let args: Vec<String> = f.args.iter().map(|(n, t, _)| format!("{n}: {}", t.wgsl())).collect();
        let _ = write!(self.out, "fn {}({})", wgsl_ident(&f.name), args.join(", "));
        if f.ret != Ty::Unit {
            let _ = write!(self.out, " -> {}", f.ret.wgsl());
        }
        self.spans.push((start..self.out.len(), f.span));
        self.out.push_str(" {\n");
        self.indent = 1;
        self.block_body(&f.body);
        self.out.push_str("}\n\n");
    }

    fn pad(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    fn block_body(&mut self, block: &Block) {
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
    }

    fn block(&mut self, block: &Block) {
        self.out.push_str("{\n");
        self.indent += 1;
        self.block_body(block);
        self.indent -= 1;
        self.pad();
        self.out.push('}');
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.pad();
        let start = self.out.len();
        let span = match stmt {
            Stmt::Let { name, mutable, ty, init, span } => {
                // Arrays are `var`s so that they can be indexed dynamically.
                let keyword = if *mutable || init.is_none() || matches!(ty, Ty::Array(..)) { "var" } else { "let" };
                let _ = write!(self.out, "{keyword} {name}: {}", ty.wgsl());
                if let Some(init) = init {
                    self.out.push_str(" = ");
                    self.expr(init);
                }
                self.out.push(';');
                *span
            }
            Stmt::Assign { place, op, value, span } => {
                self.expr(place);
                match op {
                    Some(op) => {
                        let _ = write!(self.out, " {}= ", op.wgsl());
                    }
                    None => self.out.push_str(" = "),
                }
                self.expr(value);
                self.out.push(';');
                *span
            }
            Stmt::Expr(e) => {
                // WGSL only allows calls as statements; a discarded atomic result is a `let _`.
                if e.ty != Ty::Unit {
                    self.out.push_str("_ = ");
                }
                self.expr(e);
                self.out.push(';');
                e.span
            }
            Stmt::If { cond, then, otherwise, span } => {
                self.out.push_str("if ");
                self.expr(cond);
                self.out.push(' ');
                self.block(then);
                if let Some(other) = otherwise {
                    self.out.push_str(" else ");
                    self.block(other);
                }
                *span
            }
            Stmt::For { var, ty, start: from, end, inclusive, body, span } => {
                // The end is evaluated once, like Rust's range.
                let end_name = format!("{var}_end");
                let t = ty.wgsl();
                let _ = writeln!(self.out, "{{");
                self.indent += 1;
                self.pad();
                let _ = write!(self.out, "let {end_name}: {t} = ");
                self.expr(end);
                self.out.push_str(";\n");
                self.pad();
                let _ = write!(self.out, "var {var}: {t} = ");
                self.expr(from);
                self.out.push_str(";\n");
                self.pad();
                if *inclusive {
                    // `a..=b` must stop at `b` without incrementing past the type's maximum.
                    let _ = write!(self.out, "if {var} <= {end_name} {{ loop ");
                    self.out.push_str("{\n");
                    self.indent += 1;
                    self.block_body(body);
                    self.pad();
                    let _ = writeln!(
                        self.out,
                        "continuing {{ let {var}_last = {var} == {end_name}; {var} = {var} + 1{}; break if {var}_last; }}",
                        lit_suffix(ty)
                    );
                    self.indent -= 1;
                    self.pad();
                    self.out.push_str("} }\n");
                } else {
                    let _ = write!(self.out, "for (; {var} < {end_name}; {var} = {var} + 1{}) ", lit_suffix(ty));
                    self.block(body);
                    self.out.push('\n');
                }
                self.indent -= 1;
                self.pad();
                self.out.push('}');
                *span
            }
            Stmt::While { cond, body, span } => {
                self.out.push_str("while ");
                self.expr(cond);
                self.out.push(' ');
                self.block(body);
                *span
            }
            Stmt::Loop { body, span } => {
                self.out.push_str("loop ");
                self.block(body);
                *span
            }
            Stmt::Break(span) => {
                self.out.push_str("break;");
                *span
            }
            Stmt::Continue(span) => {
                self.out.push_str("continue;");
                *span
            }
            Stmt::Return(value, span) => {
                self.out.push_str("return");
                if let Some(v) = value {
                    self.out.push(' ');
                    self.expr(v);
                }
                self.out.push(';');
                *span
            }
            Stmt::Barrier { storage, span } => {
                self.out.push_str(if *storage { "storageBarrier();" } else { "workgroupBarrier();" });
                *span
            }
        };
        self.spans.push((start..self.out.len(), span));
        self.out.push('\n');
    }

    fn expr(&mut self, e: &Expr) {
        let start = self.out.len();
        match &e.kind {
            ExprKind::Lit(lit) => self.lit(lit, &e.ty),
            ExprKind::Var(Place::Local(name)) => self.out.push_str(name),
            ExprKind::Var(Place::Param(i)) => {
                let p = &self.kernel.params[*i];
                match &p.kind {
                    ParamKind::Value(Ty::Scalar(Scalar::Bool)) => {
                        let _ = write!(self.out, "({UNIFORMS}.{} != 0u)", wgsl_ident(&p.name));
                    }
                    ParamKind::Value(Ty::Vector(n, Scalar::Bool)) => {
                        let _ = write!(self.out, "({UNIFORMS}.{} != vec{n}<u32>())", wgsl_ident(&p.name));
                    }
                    ParamKind::Value(_) => {
                        let _ = write!(self.out, "{UNIFORMS}.{}", wgsl_ident(&p.name));
                    }
                    _ => self.out.push_str(&wgsl_ident(&p.name)),
                }
            }
            ExprKind::Var(Place::Shared(i)) => self.out.push_str(&wgsl_ident(&self.kernel.shared[*i].name)),
            ExprKind::Builtin(b) => self.out.push_str(b.var()),
            ExprKind::Unary(op, inner) => {
                let int_not = *op == UnOp::Not && inner.ty.scalar() != Some(Scalar::Bool);
                self.out.push_str(match op {
                    UnOp::Neg => "-(",
                    UnOp::Not if int_not => "~(",
                    UnOp::Not => "!(",
                });
                self.expr(inner);
                self.out.push(')');
            }
            ExprKind::Binary(op, a, b) => {
                let vector_eq = matches!(a.ty, Ty::Vector(..)) && matches!(op, BinOp::Eq | BinOp::Ne);
                if vector_eq {
                    self.out.push_str(if *op == BinOp::Eq { "all(" } else { "any(" });
                }
                self.out.push('(');
                self.expr(a);
                let _ = write!(self.out, " {} ", op.wgsl());
                self.expr(b);
                self.out.push(')');
                if vector_eq {
                    self.out.push(')');
                }
            }
            ExprKind::Cast(inner) => {
                let _ = write!(self.out, "{}(", e.ty.wgsl());
                self.expr(inner);
                self.out.push(')');
            }
            ExprKind::Index(base, index) => {
                self.expr(base);
                self.out.push('[');
                self.expr(index);
                self.out.push(']');
            }
            ExprKind::Component(base, i) => {
                self.expr(base);
                self.out.push('.');
                self.out.push(['x', 'y', 'z', 'w'][usize::from(*i)]);
            }
            ExprKind::Field(base, name) => {
                self.expr(base);
                self.out.push('.');
                self.out.push_str(&wgsl_ident(name));
            }
            ExprKind::StructLit(def, values) => {
                let _ = write!(self.out, "{}(", wgsl_ident(&def.name));
                let kept: Vec<Expr> =
                    def.fields.iter().zip(values).filter(|(f, _)| !f.padding).map(|(_, v)| v.clone()).collect();
                self.args(&kept);
                self.out.push(')');
            }
            ExprKind::Len(Place::Param(i)) => {
                let _ = write!(self.out, "arrayLength(&{})", wgsl_ident(&self.kernel.params[*i].name));
            }
            ExprKind::Len(_) => self.out.push_str("0u"),
            ExprKind::Math(m, args) => {
                let _ = write!(self.out, "{}(", m.wgsl());
                self.args(args);
                self.out.push(')');
            }
            ExprKind::Construct(args) => {
                let _ = write!(self.out, "{}(", e.ty.wgsl());
                self.args(args);
                self.out.push(')');
            }
            ExprKind::ArrayList(args) => {
                let _ = write!(self.out, "{}(", e.ty.wgsl());
                self.args(args);
                self.out.push(')');
            }
            ExprKind::ArrayRepeat(value, n) => {
                let _ = write!(self.out, "{}(", e.ty.wgsl());
                for i in 0..*n {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(value);
                }
                self.out.push(')');
            }
            ExprKind::Call(name, args) => {
                let _ = write!(self.out, "{}(", wgsl_ident(name));
                self.args(args);
                self.out.push(')');
            }
            ExprKind::Atomic(op, place, value) => {
                let _ = write!(self.out, "{}(&", op.wgsl());
                self.expr(place);
                if let Some(v) = value {
                    self.out.push_str(", ");
                    self.expr(v);
                }
                self.out.push(')');
            }
        }
        self.spans.push((start..self.out.len(), e.span));
    }

    fn args(&mut self, args: &[Expr]) {
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(a);
        }
    }

    fn lit(&mut self, lit: &Lit, ty: &Ty) {
        let scalar = ty.scalar().unwrap_or(Scalar::I32);
        match lit {
            Lit::Bool(b) => {
                let _ = write!(self.out, "{b}");
            }
            Lit::Int(v) => match scalar {
                Scalar::U32 => {
                    let _ = write!(self.out, "{v}u");
                }
                // i32::MIN has no positive literal.
                Scalar::I32 if *v == i128::from(i32::MIN) => self.out.push_str("i32(-2147483647 - 1)"),
                Scalar::I32 => {
                    let _ = write!(self.out, "{v}i");
                }
                Scalar::F32 => {
                    let _ = write!(self.out, "{:?}f", *v as f32);
                }
                Scalar::F16 => {
                    let _ = write!(self.out, "{:?}h", *v as f32);
                }
                Scalar::Bool => {
                    let _ = write!(self.out, "{}", *v != 0);
                }
            },
            Lit::Float(v) => {
                let suffix = if scalar == Scalar::F16 { "h" } else { "f" };
                let _ = write!(self.out, "{:?}{suffix}", *v as f32);
            }
        }
    }
}

/// The suffix that makes `1` a literal of the loop variable's type.
fn lit_suffix(ty: &Ty) -> &'static str {
    if ty.scalar() == Some(Scalar::U32) { "u" } else { "i" }
}

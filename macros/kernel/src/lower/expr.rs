//! Expressions: operators, literals, paths, indexing and struct literals.

use super::*;

impl Lowerer<'_> {
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

    pub(super) fn lower_lit(&mut self, lit: &syn::Lit) -> Result<Expr> {
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

    pub(super) fn f16_ty(&mut self, span: Sp) -> Result<Ty> {
        if cfg!(feature = "f16") {
            self.uses_f16 = true;
            Ok(Ty::Scalar(Scalar::F16))
        } else {
            err(span, "`f16` in kernels needs the `f16` cargo feature of wasi-webgpu (and a device with `shader-f16`)")
        }
    }

    pub(super) fn lower_path(&mut self, p: &syn::ExprPath) -> Result<Expr> {
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

    pub(super) fn lower_index(&mut self, i: &syn::ExprIndex) -> Result<Expr> {
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

    pub(super) fn lower_struct_lit(&mut self, lit: &syn::ExprStruct) -> Result<Expr> {
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
}

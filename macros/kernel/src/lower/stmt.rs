//! Statements: blocks, `let`, items inside bodies (workgroup memory), assignments, `if`,
//! loops, and places that may be written.

use super::*;

impl Lowerer<'_> {
    pub fn lower_block(&mut self, block: &syn::Block, tail_returns: bool) -> Result<Block> {
        self.scopes.push(Vec::new());
        let result = self.lower_stmts(&block.stmts, tail_returns);
        self.scopes.pop();
        result
    }

    pub(super) fn lower_stmts(&mut self, stmts: &[syn::Stmt], tail_returns: bool) -> Result<Block> {
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

    pub(super) fn lower_let(&mut self, local: &syn::Local) -> Result<Stmt> {
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

    pub(super) fn lower_item(&mut self, item: &syn::Item) -> Result<()> {
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

    pub(super) fn parse_shared_ty(&mut self, ty: &syn::Type) -> Result<Ty> {
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

    pub(super) fn lower_stmt_expr(&mut self, expr: &syn::Expr, semi: bool, out: &mut Vec<Stmt>) -> Result<()> {
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

    pub(super) fn lower_if(&mut self, e: &syn::ExprIf) -> Result<Stmt> {
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

    pub(super) fn lower_for(&mut self, e: &syn::ExprForLoop) -> Result<Stmt> {
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

    pub(super) fn lower_bool(&mut self, e: &syn::Expr) -> Result<Expr> {
        let cond = self.lower_expr(e)?;
        self.unify(&Ty::Scalar(Scalar::Bool), &cond.ty, Sp::of(&e))?;
        Ok(cond)
    }

    /// An assignable place: a mutable local, a component of one, or an element of a writable array.
    pub(super) fn lower_place(&mut self, e: &syn::Expr) -> Result<Expr> {
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

    pub(super) fn check_writable(&mut self, base: &syn::Expr) -> Result<()> {
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
}

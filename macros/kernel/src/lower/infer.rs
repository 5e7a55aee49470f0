//! Type inference: unification of inference variables, the types of binary operators, and
//! resolving every expression's type once a body is lowered.

use super::*;

impl Lowerer<'_> {
    pub(super) fn fresh(&mut self, float: bool) -> Ty {
        self.vars.push(if float { Var::Float } else { Var::Int });
        Ty::Infer(self.vars.len() as u32 - 1)
    }

    pub(super) fn root(&self, mut id: u32) -> u32 {
        while let Var::Link(next) = self.vars[id as usize] {
            id = next;
        }
        id
    }

    /// The type with its inference variable followed, if it is bound.
    pub(super) fn shallow(&self, ty: &Ty) -> Ty {
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

    pub(super) fn is_float_var(&self, ty: &Ty) -> Option<bool> {
        match self.shallow(ty) {
            Ty::Infer(id) => Some(matches!(self.vars[id as usize], Var::Float)),
            _ => None,
        }
    }

    pub(super) fn unify(&mut self, a: &Ty, b: &Ty, span: Sp) -> Result<Ty> {
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
                    return err(span, format!("mismatched types: expected `{}`, found `{lit}`", s.wgsl()));
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

    pub(super) fn name(&self, ty: &Ty) -> String {
        match self.shallow(ty) {
            Ty::Infer(id) if matches!(self.vars[id as usize], Var::Float) => "{float}".into(),
            other => other.rust_name(),
        }
    }

    pub(super) fn resolve_ty(&self, ty: &mut Ty) {
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

    pub(super) fn resolve_expr(&self, expr: &mut Expr) -> Result<()> {
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

    pub(super) fn shift_rhs(&mut self, rhs: Expr) -> Result<Expr> {
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

    pub(super) fn binary_ty(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, span: Sp) -> Result<Ty> {
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
}

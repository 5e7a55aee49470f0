//! Barriers must be reached by every invocation of a workgroup or by none (WGSL's uniformity rule).
//! naga 29 does not check this for barriers, and a GPU may hang on such a kernel, so the kernel
//! macro checks it on the IR, conservatively: a value is uniform when it comes only from literals,
//! value parameters, `workgroup_id()`, `num_workgroups()`, buffer lengths, reads of read-only
//! buffers at uniform indices, and uniform locals; control flow is uniform when every enclosing
//! condition is, and no early `return` (or `break`/`continue` in the enclosing loop) before it
//! depended on a non-uniform condition.

use std::collections::HashSet;

use crate::ir::*;

/// Checks the kernel body; the error points at the barrier and at the condition that makes it
/// non-uniform.
pub fn check(kernel: &Kernel) -> syn::Result<()> {
    if !kernel.uses_barrier {
        return Ok(());
    }
    // Fixpoint: a local is non-uniform once any assignment to it is, or happens under non-uniform
    // control flow.
    let mut analysis = Analysis { kernel, varying: HashSet::new(), changed: true, error: None };
    while analysis.changed {
        analysis.changed = false;
        analysis.block(&kernel.body, None, &mut None);
    }
    analysis.error.map_or(Ok(()), Err)
}

struct Analysis<'k> {
    kernel: &'k Kernel,
    varying: HashSet<String>,
    changed: bool,
    error: Option<syn::Error>,
}

impl Analysis<'_> {
    /// `cause` is the span of the condition that made this point non-uniform, if any. A
    /// non-uniform `return` sets `*after` for the rest of the function.
    fn block(&mut self, block: &Block, cause: Option<Sp>, after: &mut Option<Sp>) {
        for stmt in &block.stmts {
            let cause = cause.or(*after);
            match stmt {
                Stmt::Let { name, init, .. } => {
                    let uniform = init.as_ref().is_none_or(|e| self.uniform(e));
                    if !uniform || cause.is_some() {
                        self.mark(name);
                    }
                }
                Stmt::Assign { place, value, .. } => {
                    if let Some(name) = root_local(place)
                        && (!self.uniform(value) || !self.uniform(place) || cause.is_some())
                    {
                        self.mark(&name);
                    }
                }
                Stmt::Expr(_) => {}
                Stmt::If { cond, then, otherwise, .. } => {
                    let inner = if self.uniform(cond) { cause } else { cause.or(Some(cond.span)) };
                    self.block(then, inner, after);
                    if let Some(o) = otherwise {
                        self.block(o, inner, after);
                    }
                }
                Stmt::For { var, start, end, body, .. } => {
                    let bounds = self.uniform(start) && self.uniform(end);
                    let inner = if bounds { cause } else { cause.or(Some(end.span)) };
                    if inner.is_some() {
                        self.mark(var);
                    }
                    self.loop_body(body, inner, after);
                }
                Stmt::While { cond, body, .. } => {
                    // The condition may use locals the body changes: one pass of the fixpoint later
                    // sees them.
                    let inner = if self.uniform(cond) { cause } else { cause.or(Some(cond.span)) };
                    self.loop_body(body, inner, after);
                }
                Stmt::Loop { body, .. } => self.loop_body(body, cause, after),
                Stmt::Return(_, span) => {
                    if let Some(c) = cause {
                        after.get_or_insert(c);
                        let _ = span;
                    }
                }
                Stmt::Break(_) | Stmt::Continue(_) => {}
                Stmt::Barrier { storage, span } => {
                    if let Some(c) = cause
                        && self.error.is_none()
                    {
                        let name = if *storage { "storage_barrier()" } else { "workgroup_barrier()" };
                        let mut e = span.error(format!(
                            "`{name}` in non-uniform control flow: every invocation of a workgroup must reach \
                                 the same barriers, but whether this one runs depends on the invocation; move it \
                                 out of the condition (compute under the condition, then synchronize)"
                        ));
                        e.combine(c.error(
                            "this condition differs between invocations (it depends on `global_id()`, \
                             `local_id()`, `local_index()`, or on writable buffer or shared-memory contents)",
                        ));
                        self.error = Some(e);
                    }
                }
            }
        }
    }

    /// A loop body: a non-uniform `break`/`continue` anywhere in it makes the whole body non-uniform.
    fn loop_body(&mut self, body: &Block, cause: Option<Sp>, after: &mut Option<Sp>) {
        let exit = cause.is_none().then(|| self.non_uniform_exit(body, None)).flatten();
        self.block(body, cause.or(exit), after);
    }

    /// The condition under which the loop body (not nested loops) breaks or continues non-uniformly.
    fn non_uniform_exit(&self, block: &Block, cause: Option<Sp>) -> Option<Sp> {
        for stmt in &block.stmts {
            match stmt {
                Stmt::Break(_) | Stmt::Continue(_) if cause.is_some() => return cause,
                Stmt::If { cond, then, otherwise, .. } => {
                    let inner = if self.uniform(cond) { cause } else { cause.or(Some(cond.span)) };
                    if let Some(c) = self.non_uniform_exit(then, inner) {
                        return Some(c);
                    }
                    if let Some(o) = otherwise
                        && let Some(c) = self.non_uniform_exit(o, inner)
                    {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn mark(&mut self, name: &str) {
        if self.varying.insert(name.to_string()) {
            self.changed = true;
        }
    }

    fn uniform(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Len(_) => true,
            ExprKind::Var(Place::Local(name)) => !self.varying.contains(name),
            ExprKind::Var(Place::Param(_)) => true,
            ExprKind::Var(Place::Shared(_)) => false,
            ExprKind::Builtin(b) => matches!(b, Builtin::WorkgroupId | Builtin::NumWorkgroups),
            ExprKind::Unary(_, a)
            | ExprKind::Cast(a)
            | ExprKind::Component(a, _)
            | ExprKind::Field(a, _)
            | ExprKind::ArrayRepeat(a, _) => self.uniform(a),
            ExprKind::Binary(_, a, b) => self.uniform(a) && self.uniform(b),
            ExprKind::Index(base, index) => {
                let readable = match &base.kind {
                    ExprKind::Var(Place::Param(i)) => matches!(self.kernel.params[*i].kind, ParamKind::Slice(_)),
                    ExprKind::Var(Place::Shared(_)) => false,
                    _ => self.uniform(base),
                };
                readable && self.uniform(index)
            }
            ExprKind::Math(_, args)
            | ExprKind::Construct(args)
            | ExprKind::ArrayList(args)
            | ExprKind::StructLit(_, args)
            | ExprKind::Call(_, args) => args.iter().all(|a| self.uniform(a)),
            ExprKind::Atomic(..) => false,
        }
    }
}

/// The local an assignment writes, if it writes one (`x`, `x.y`, `arr[i]`).
fn root_local(place: &Expr) -> Option<String> {
    match &place.kind {
        ExprKind::Var(Place::Local(name)) => Some(name.clone()),
        ExprKind::Component(inner, _) | ExprKind::Field(inner, _) | ExprKind::Index(inner, _) => root_local(inner),
        _ => None,
    }
}

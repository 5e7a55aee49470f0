//! Calls: methods (vector and math methods, atomics) and functions (builtins, constructors,
//! casts and `#[gpu]` helpers).

use super::*;

impl Lowerer<'_> {
    pub(super) fn lower_method(&mut self, m: &syn::ExprMethodCall) -> Result<Expr> {
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

    pub(super) fn lower_atomic(
        &mut self,
        m: &syn::ExprMethodCall,
        method: &str,
        place: Expr,
        s: Scalar,
    ) -> Result<Expr> {
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

    pub(super) fn lower_call(&mut self, c: &syn::ExprCall) -> Result<Expr> {
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
}

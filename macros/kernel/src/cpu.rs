//! IR to Rust: the CPU translation the SDK's CPU device runs.
//!
//! It follows WGSL's semantics rather than Rust's where they differ: integer arithmetic wraps,
//! integer division by zero gives the dividend and remainder by zero gives 0, shift amounts are
//! taken modulo 32, out-of-bounds reads give zero and out-of-bounds writes are dropped (WGSL's
//! robust buffer access never traps; a guest must not either), `clamp` is `min(max(x, lo), hi)`.
//! Writable buffers and shared memory are `&[Cell<T>]`, which is sound however invocations alias.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use crate::ir::*;

/// `::wasi_webgpu`'s runtime hooks.
pub fn rt() -> TokenStream {
    quote!(::wasi_webgpu::__private::kernel_rt)
}

fn zeroed() -> TokenStream {
    quote!(::wasi_webgpu::__private::bytemuck::Zeroable::zeroed())
}

pub struct Cpu<'k> {
    kernel: &'k Kernel,
}

fn ident(name: &str) -> Ident {
    format_ident!("{}", name)
}

pub fn rust_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::Unit => quote!(()),
        Ty::Scalar(s) | Ty::Atomic(s) => scalar_ty(*s),
        Ty::Vector(n, s) => {
            let v = format_ident!("Vec{}", n);
            let s = scalar_ty(*s);
            quote!(::wasi_webgpu::#v<#s>)
        }
        Ty::Array(e, n) => {
            let e = rust_ty(e);
            let n = Literal::usize_unsuffixed(*n as usize);
            quote!([#e; #n])
        }
        Ty::Infer(_) => quote!(i32),
        // The user's struct, from the module the kernel is defined in.
        Ty::Struct(def) => {
            let name = ident(&def.name);
            quote!(super::#name)
        }
    }
}

pub fn scalar_ty(s: Scalar) -> TokenStream {
    // Rust's `f16` is nightly-only: `launch` and the CPU translation use the SDK's stable bit-wrapper,
    // whose operators round each result to f16 like WGSL.
    if s == Scalar::F16 {
        return quote!(::wasi_webgpu::F16);
    }
    let s = ident(s.wgsl());
    quote!(#s)
}

const COMPONENTS: [&str; 4] = ["x", "y", "z", "w"];

impl<'k> Cpu<'k> {
    pub fn new(kernel: &'k Kernel) -> Self {
        Cpu { kernel }
    }

    /// The CPU entry: `fn __cpu(__inv, [__shared,] params..)`, `async` when it has barriers.
    pub fn entry(&self) -> TokenStream {
        let rt = rt();
        let mut args = vec![quote!(__inv: #rt::Invocation)];
        if self.per_workgroup() {
            args.push(quote!(__shared: &__Shared));
        }
        for p in &self.kernel.params {
            let name = ident(&p.name);
            args.push(match &p.kind {
                ParamKind::Value(t) => {
                    let t = rust_ty(t);
                    quote!(#name: #t)
                }
                ParamKind::Slice(t) => {
                    let t = rust_ty(t);
                    quote!(#name: &[#t])
                }
                ParamKind::SliceMut(t) => {
                    let t = rust_ty(t);
                    quote!(#name: &[::core::cell::Cell<#t>])
                }
                ParamKind::Atomics(s) => {
                    let t = scalar_ty(*s);
                    quote!(#name: &[::core::cell::Cell<#t>])
                }
            });
        }
        let body = self.block(&self.kernel.body);
        let asyncness = self.kernel.uses_barrier.then(|| quote!(async));
        let helpers = self.kernel.helpers.iter().map(|f| self.helper(f));
        let shared = self.shared_struct();
        quote! {
            #[allow(unused_parens, unused_mut, unused_variables, unused_braces, unused_assignments, unreachable_code,
                    non_snake_case, clippy::all)]
            #asyncness fn __cpu(#(#args),*) #body
            #(#helpers)*
            #shared
        }
    }

    /// Whether invocations run workgroup by workgroup, with a `__Shared` per workgroup.
    fn per_workgroup(&self) -> bool {
        !self.kernel.shared.is_empty() || self.kernel.uses_barrier
    }

    fn shared_struct(&self) -> TokenStream {
        if !self.per_workgroup() {
            return TokenStream::new();
        }
        let zero = zeroed();
        let fields = self.kernel.shared.iter().map(|s| {
            let name = ident(&s.name);
            let (elem, n) = match &s.ty {
                Ty::Array(e, n) => (rust_ty(e), Literal::usize_unsuffixed(*n as usize)),
                _ => unreachable!("shared memory is an array"),
            };
            quote!(#name: [::core::cell::Cell<#elem>; #n])
        });
        let inits = self.kernel.shared.iter().map(|s| {
            let name = ident(&s.name);
            quote!(#name: ::core::array::from_fn(|_| ::core::cell::Cell::new(#zero)))
        });
        quote! {
            /// One workgroup's shared memory, zeroed like WGSL's.
            #[allow(non_snake_case)]
            struct __Shared { #(#fields),* }
            impl __Shared {
                fn new() -> Self {
                    __Shared { #(#inits),* }
                }
            }
        }
    }

    fn helper(&self, f: &Function) -> TokenStream {
        let name = format_ident!("__gpu_{}", f.name);
        let args = f.args.iter().map(|(n, t, _)| {
            let n = ident(n);
            let t = rust_ty(t);
            quote!(#n: #t)
        });
        let ret = rust_ty(&f.ret);
        let body = self.block(&f.body);
        quote! {
            #[allow(unused_parens, unused_mut, unused_variables, unused_braces, unused_assignments, unreachable_code,
                    non_snake_case, clippy::all)]
            fn #name(#(#args),*) -> #ret #body
        }
    }

    fn block(&self, block: &Block) -> TokenStream {
        let stmts = block.stmts.iter().map(|s| self.stmt(s));
        quote!({ #(#stmts)* })
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let { name, mutable, ty, init, .. } => {
                let name = ident(name);
                let t = rust_ty(ty);
                let mutability = (*mutable || init.is_none()).then(|| quote!(mut));
                let init = match init {
                    Some(e) => self.expr(e),
                    None => zeroed(),
                };
                quote!(let #mutability #name: #t = #init;)
            }
            Stmt::Assign { place, op, value, .. } => {
                let v = self.expr(value);
                let value_ty = value.ty.clone();
                let place_ty = place.ty.clone();
                let op = *op;
                let update = self.modify(place, &|lv: TokenStream| match op {
                    None => quote!(#lv = __value;),
                    Some(op) => {
                        let combined = self.binary(op, quote!(#lv), &place_ty, quote!(__value), &value_ty, &place_ty);
                        quote!(#lv = #combined;)
                    }
                });
                quote!({ let __value = #v; #update })
            }
            Stmt::Expr(e) => {
                let e = self.expr(e);
                quote!(#e;)
            }
            Stmt::If { cond, then, otherwise, .. } => {
                let c = self.expr(cond);
                let t = self.block(then);
                match otherwise {
                    Some(o) => {
                        let o = self.block(o);
                        quote!(if #c #t else #o)
                    }
                    None => quote!(if #c #t),
                }
            }
            Stmt::For { var, ty, start, end, inclusive, body, .. } => {
                let var = ident(var);
                let t = rust_ty(ty);
                let (s, e) = (self.expr(start), self.expr(end));
                let b = self.block(body);
                if *inclusive {
                    quote!(for #var in (#s as #t)..=(#e as #t) #b)
                } else {
                    quote!(for #var in (#s as #t)..(#e as #t) #b)
                }
            }
            Stmt::While { cond, body, .. } => {
                let c = self.expr(cond);
                let b = self.block(body);
                quote!(while #c #b)
            }
            Stmt::Loop { body, .. } => {
                let b = self.block(body);
                quote!(loop #b)
            }
            Stmt::Break(_) => quote!(break;),
            Stmt::Continue(_) => quote!(continue;),
            Stmt::Return(None, _) => quote!(return;),
            Stmt::Return(Some(e), _) => {
                let e = self.expr(e);
                quote!(return #e;)
            }
            Stmt::Barrier { .. } => {
                let rt = rt();
                quote!(#rt::barrier().await;)
            }
        }
    }

    /// Code that runs `update` on the place's storage (an lvalue token stream), reading and writing
    /// cells back and dropping out-of-bounds writes.
    fn modify(&self, place: &Expr, update: &dyn Fn(TokenStream) -> TokenStream) -> TokenStream {
        match &place.kind {
            ExprKind::Var(Place::Local(name)) => {
                let name = ident(name);
                update(quote!(#name))
            }
            ExprKind::Component(inner, c) => {
                let c = ident(COMPONENTS[usize::from(*c)]);
                self.modify(inner, &|lv| update(quote!(#lv.#c)))
            }
            ExprKind::Field(inner, name) => {
                let f = ident(name);
                self.modify(inner, &|lv| update(quote!(#lv.#f)))
            }
            ExprKind::Index(base, index) => {
                let i = self.expr(index);
                if let Some(cells) = self.cells(base) {
                    let body = update(quote!(__t));
                    quote! {
                        if let ::core::option::Option::Some(__c) = #cells.get((#i) as usize) {
                            let mut __t = __c.get();
                            #body
                            __c.set(__t);
                        }
                    }
                } else {
                    self.modify(base, &|lv| {
                        let body = update(quote!(*__e));
                        quote! {
                            if let ::core::option::Option::Some(__e) = #lv.get_mut((#i) as usize) { #body }
                        }
                    })
                }
            }
            _ => {
                // Lowering only produces the places above.
                let e = self.expr(place);
                quote!({ let _ = #e; })
            }
        }
    }

    /// The `&[Cell<T>]` an indexed base stands for, when it is a writable buffer or shared memory.
    fn cells(&self, base: &Expr) -> Option<TokenStream> {
        match &base.kind {
            ExprKind::Var(Place::Param(i)) => match &self.kernel.params[*i].kind {
                ParamKind::SliceMut(_) | ParamKind::Atomics(_) => {
                    let name = ident(&self.kernel.params[*i].name);
                    Some(quote!(#name))
                }
                _ => None,
            },
            ExprKind::Var(Place::Shared(i)) => {
                let name = ident(&self.kernel.shared[*i].name);
                Some(quote!(__shared.#name))
            }
            _ => None,
        }
    }

    fn expr(&self, e: &Expr) -> TokenStream {
        match &e.kind {
            ExprKind::Lit(lit) => lit_tokens(lit, &e.ty),
            ExprKind::Var(Place::Local(name)) => {
                let name = ident(name);
                quote!(#name)
            }
            ExprKind::Var(Place::Param(i)) => {
                let name = ident(&self.kernel.params[*i].name);
                quote!(#name)
            }
            ExprKind::Var(Place::Shared(i)) => {
                let name = ident(&self.kernel.shared[*i].name);
                quote!(__shared.#name)
            }
            ExprKind::Builtin(b) => {
                let field = ident(b.var());
                quote!(__inv.#field)
            }
            ExprKind::Unary(op, inner) => {
                let x = self.expr(inner);
                self.map_components(&e.ty, &[(x, inner.ty.clone())], &|parts, s| {
                    let x = &parts[0];
                    match (op, s.is_int()) {
                        (UnOp::Neg, true) => quote!((#x).wrapping_neg()),
                        (UnOp::Neg, false) => quote!(-(#x)),
                        (UnOp::Not, _) => quote!(!(#x)),
                    }
                })
            }
            ExprKind::Binary(op, a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                self.binary(*op, x, &a.ty, y, &b.ty, &e.ty)
            }
            ExprKind::Cast(inner) => {
                let x = self.expr(inner);
                let t = rust_ty(&e.ty);
                // WGSL clamps a float converted to an integer to the largest float that fits, not
                // to the integer's maximum: u32(4e9f) is 4294967040 (2^32 - 256), i32(3e9f) is
                // 2147483520. Rust's `as` saturates to u32::MAX / i32::MAX, so clamp first. (NaN
                // compares false and becomes 0 through `as`; WGSL leaves it unspecified.)
                match (inner.ty.scalar(), e.ty.scalar()) {
                    (Some(from), Some(to)) if from == to => quote!((#x)),
                    // Every finite f16 fits both integer types; only the infinities clamp, to ±65504.
                    (Some(Scalar::F16), Some(Scalar::U32 | Scalar::I32)) => {
                        quote!(((#x).to_f32().clamp(-65504.0f32, 65504.0f32) as #t))
                    }
                    (Some(Scalar::F16), _) => quote!(((#x).to_f32() as #t)),
                    // Integers up to 2^24 are exact in f32, and larger ones round to f16's infinity either
                    // way, so going through f32 rounds once. (`bool` converts to 0 or 1.)
                    (Some(Scalar::Bool), Some(Scalar::F16)) => {
                        quote!(::wasi_webgpu::F16::from_f32(u8::from(#x) as f32))
                    }
                    (_, Some(Scalar::F16)) => quote!(::wasi_webgpu::F16::from_f32((#x) as f32)),
                    (Some(Scalar::F32), Some(Scalar::U32)) => {
                        quote!({ let __f: f32 = #x; if __f > 4294967040.0f32 { 4294967040u32 } else { __f as u32 } })
                    }
                    (Some(Scalar::F32), Some(Scalar::I32)) => {
                        quote!({ let __f: f32 = #x; if __f > 2147483520.0f32 { 2147483520i32 } else { __f as i32 } })
                    }
                    _ => quote!(((#x) as #t)),
                }
            }
            ExprKind::Index(base, index) => {
                let i = self.expr(index);
                let zero = zeroed();
                if let Some(cells) = self.cells(base) {
                    quote!(#cells.get((#i) as usize).map_or_else(|| #zero, ::core::cell::Cell::get))
                } else {
                    let b = self.expr(base);
                    quote!((#b).get((#i) as usize).copied().unwrap_or_else(|| #zero))
                }
            }
            ExprKind::Component(base, c) => {
                let b = self.expr(base);
                let c = ident(COMPONENTS[usize::from(*c)]);
                quote!((#b).#c)
            }
            ExprKind::Len(Place::Param(i)) => {
                let name = ident(&self.kernel.params[*i].name);
                quote!((#name.len() as u32))
            }
            ExprKind::Field(base, name) => {
                let b = self.expr(base);
                let f = ident(name);
                quote!((#b).#f)
            }
            ExprKind::StructLit(def, values) => {
                let t = rust_ty(&Ty::Struct(def.clone()));
                let fields = def.fields.iter().map(|f| ident(&f.name));
                let values = values.iter().map(|v| self.expr(v));
                quote!(#t { #(#fields: #values),* })
            }
            ExprKind::Len(_) => quote!(0u32),
            ExprKind::Math(m, args) => self.math(*m, args, &e.ty),
            ExprKind::Construct(args) => {
                let Ty::Vector(n, s) = &e.ty else { unreachable!("constructors build vectors") };
                let v = format_ident!("Vec{}", n);
                let s = scalar_ty(*s);
                let fields: Vec<Ident> = COMPONENTS[..usize::from(*n)].iter().map(|c| ident(c)).collect();
                if args.len() == 1 {
                    let a = self.expr(&args[0]);
                    quote!({ let __s = #a; ::wasi_webgpu::#v::<#s> { #(#fields: __s),* } })
                } else {
                    let values = args.iter().map(|a| self.expr(a));
                    quote!(::wasi_webgpu::#v::<#s> { #(#fields: #values),* })
                }
            }
            ExprKind::ArrayList(args) => {
                let values = args.iter().map(|a| self.expr(a));
                quote!([#(#values),*])
            }
            ExprKind::ArrayRepeat(value, n) => {
                let v = self.expr(value);
                let n = Literal::usize_unsuffixed(*n as usize);
                quote!([#v; #n])
            }
            ExprKind::Call(name, args) => {
                let f = format_ident!("__gpu_{}", name);
                let values = args.iter().map(|a| self.expr(a));
                quote!(#f(#(#values),*))
            }
            ExprKind::Atomic(op, place, value) => self.atomic(*op, place, value.as_deref()),
        }
    }

    fn atomic(&self, op: AtomicOp, place: &Expr, value: Option<&Expr>) -> TokenStream {
        let ExprKind::Index(base, index) = &place.kind else { unreachable!("atomics are indexed") };
        let cells = self.cells(base).expect("atomics live in cells");
        let i = self.expr(index);
        let v = value.map(|v| self.expr(v)).unwrap_or_default();
        let get = quote!(#cells.get((#i) as usize));
        match op {
            AtomicOp::Load => quote!(#get.map_or(0, ::core::cell::Cell::get)),
            AtomicOp::Store => quote!({
                let __v = #v;
                if let ::core::option::Option::Some(__c) = #get { __c.set(__v) }
            }),
            _ => {
                let new = match op {
                    AtomicOp::Swap => quote!(__v),
                    AtomicOp::Add => quote!(__old.wrapping_add(__v)),
                    AtomicOp::Sub => quote!(__old.wrapping_sub(__v)),
                    AtomicOp::Max => quote!(::core::cmp::Ord::max(__old, __v)),
                    AtomicOp::Min => quote!(::core::cmp::Ord::min(__old, __v)),
                    AtomicOp::And => quote!(__old & __v),
                    AtomicOp::Or => quote!(__old | __v),
                    AtomicOp::Xor => quote!(__old ^ __v),
                    AtomicOp::Load | AtomicOp::Store => unreachable!("handled above"),
                };
                quote!({
                    let __v = #v;
                    match #get {
                        ::core::option::Option::Some(__c) => { let __old = __c.get(); __c.set(#new); __old }
                        ::core::option::Option::None => 0,
                    }
                })
            }
        }
    }

    /// Applies `f` per component when `result` is a vector (operands that are vectors are split,
    /// scalars are reused), or once for scalars. Operands are evaluated once, in order.
    fn map_components(
        &self,
        result: &Ty,
        operands: &[(TokenStream, Ty)],
        f: &dyn Fn(&[TokenStream], Scalar) -> TokenStream,
    ) -> TokenStream {
        let names: Vec<Ident> = (0..operands.len()).map(|i| format_ident!("__o{}", i)).collect();
        let values = operands.iter().map(|(t, _)| t);
        let vector_operand = operands.iter().find_map(|(_, t)| match t {
            Ty::Vector(n, s) => Some((*n, *s)),
            _ => None,
        });
        let body = match (result, vector_operand) {
            (&Ty::Vector(n, rs), _) | (&Ty::Scalar(rs), Some((n, _))) => {
                let component_scalar =
                    vector_operand.map(|(_, s)| s).or(operands.first().and_then(|(_, t)| t.scalar())).unwrap_or(rs);
                let parts: Vec<TokenStream> = COMPONENTS[..usize::from(n)]
                    .iter()
                    .map(|c| {
                        let c = ident(c);
                        let args: Vec<TokenStream> = names
                            .iter()
                            .zip(operands)
                            .map(|(name, (_, t))| match t {
                                Ty::Vector(..) => quote!(#name.#c),
                                _ => quote!(#name),
                            })
                            .collect();
                        f(&args, component_scalar)
                    })
                    .collect();
                if let Ty::Vector(_, s) = result {
                    let v = format_ident!("Vec{}", n);
                    let s = scalar_ty(*s);
                    let fields = COMPONENTS[..usize::from(n)].iter().map(|c| ident(c));
                    quote!(::wasi_webgpu::#v::<#s> { #(#fields: #parts),* })
                } else {
                    // Only `==`/`!=` reduce vectors to one bool; the caller combines the parts.
                    quote!([#(#parts),*])
                }
            }
            (_, None) => {
                let s = result.scalar().or(operands.first().and_then(|(_, t)| t.scalar())).unwrap_or(Scalar::I32);
                let args: Vec<TokenStream> = names.iter().map(|n| quote!(#n)).collect();
                f(&args, s)
            }
            _ => unreachable!("results are scalars or vectors"),
        };
        quote!({ let (#(#names,)*) = (#(#values,)*); #body })
    }

    fn binary(&self, op: BinOp, x: TokenStream, xt: &Ty, y: TokenStream, yt: &Ty, result: &Ty) -> TokenStream {
        let operands = [(x, xt.clone()), (y, yt.clone())];
        // A comparison's result is `bool`: the operands' scalar decides how they compare.
        let operand_scalar = xt.scalar().or(yt.scalar()).unwrap_or(Scalar::I32);
        if op.is_comparison() && matches!(xt, Ty::Vector(..)) {
            let parts = self.map_components(&Ty::Scalar(Scalar::Bool), &operands, &|a, _| {
                let (l, r) = ieee(&a[0], &a[1], operand_scalar);
                quote!(#l == #r)
            });
            return if op == BinOp::Eq {
                quote!(#parts.iter().all(|__b| *__b))
            } else {
                quote!(!#parts.iter().all(|__b| *__b))
            };
        }
        if matches!(op, BinOp::And | BinOp::Or) {
            // Short-circuit, like both languages.
            let [(x, _), (y, _)] = operands;
            return if op == BinOp::And { quote!((#x && #y)) } else { quote!((#x || #y)) };
        }
        let result = if op.is_comparison() { Ty::Scalar(Scalar::Bool) } else { result.clone() };
        self.map_components(&result, &operands, &|a, s| {
            let (l, r) =
                if op.is_comparison() { ieee(&a[0], &a[1], operand_scalar) } else { (a[0].clone(), a[1].clone()) };
            let int = s.is_int();
            match op {
                BinOp::Add if int => quote!(#l.wrapping_add(#r)),
                BinOp::Sub if int => quote!(#l.wrapping_sub(#r)),
                BinOp::Mul if int => quote!(#l.wrapping_mul(#r)),
                // WGSL: x / 0 == x and x % 0 == 0 for integers; MIN / -1 wraps to MIN.
                BinOp::Div if int => quote!(if #r == 0 { #l } else { #l.wrapping_div(#r) }),
                BinOp::Rem if int => quote!(if #r == 0 { 0 } else { #l.wrapping_rem(#r) }),
                BinOp::Shl => quote!(#l.wrapping_shl(#r)),
                BinOp::Shr => quote!(#l.wrapping_shr(#r)),
                BinOp::Add => quote!(#l + #r),
                BinOp::Sub => quote!(#l - #r),
                BinOp::Mul => quote!(#l * #r),
                BinOp::Div => quote!(#l / #r),
                BinOp::Rem => quote!(#l % #r),
                BinOp::BitAnd => quote!(#l & #r),
                BinOp::BitOr => quote!(#l | #r),
                BinOp::BitXor => quote!(#l ^ #r),
                BinOp::Eq => quote!(#l == #r),
                BinOp::Ne => quote!(#l != #r),
                BinOp::Lt => quote!(#l < #r),
                BinOp::Le => quote!(#l <= #r),
                BinOp::Gt => quote!(#l > #r),
                BinOp::Ge => quote!(#l >= #r),
                BinOp::And | BinOp::Or => unreachable!("handled above"),
            }
        })
    }

    fn math(&self, m: Math, args: &[Expr], result: &Ty) -> TokenStream {
        let operands: Vec<(TokenStream, Ty)> = args.iter().map(|a| (self.expr(a), a.ty.clone())).collect();
        match m {
            Math::Dot | Math::Length => {
                let Ty::Vector(n, s) = &args[0].ty else { unreachable!("dot of vectors") };
                let operands =
                    if m == Math::Length { vec![operands[0].clone(), operands[0].clone()] } else { operands.clone() };
                let terms: Vec<TokenStream> = COMPONENTS[..usize::from(*n)]
                    .iter()
                    .map(|c| {
                        let c = ident(c);
                        if s.is_int() { quote!(__a.#c.wrapping_mul(__b.#c)) } else { quote!(__a.#c * __b.#c) }
                    })
                    .collect();
                let sum = terms
                    .into_iter()
                    .reduce(|acc, t| if s.is_int() { quote!(#acc.wrapping_add(#t)) } else { quote!(#acc + #t) });
                let (a, b) = (&operands[0].0, &operands[1].0);
                let dot = quote!({ let (__a, __b) = (#a, #b); #sum });
                if m == Math::Length { quote!((#dot).sqrt()) } else { dot }
            }
            Math::Normalize => {
                let a = &operands[0].0;
                let Ty::Vector(n, s) = result else { unreachable!("normalize of vectors") };
                let v = format_ident!("Vec{}", n);
                let st = scalar_ty(*s);
                let fields: Vec<Ident> = COMPONENTS[..usize::from(*n)].iter().map(|c| ident(c)).collect();
                quote!({
                    let __a = #a;
                    let __len = (#(__a.#fields * __a.#fields)+*).sqrt();
                    ::wasi_webgpu::#v::<#st> { #(#fields: __a.#fields / __len),* }
                })
            }
            Math::Select => {
                let (f, t, c) = (&operands[0].0, &operands[1].0, &operands[2].0);
                quote!({ let (__f, __t, __c) = (#f, #t, #c); if __c { __t } else { __f } })
            }
            _ => self.map_components(result, &operands, &|a, s| {
                let x = &a[0];
                match m {
                    Math::Abs if s.is_int() => quote!(#x.wrapping_abs()),
                    Math::Abs => quote!(#x.abs()),
                    Math::Min => {
                        let y = &a[1];
                        if s.is_int() { quote!(::core::cmp::Ord::min(#x, #y)) } else { quote!(#x.min(#y)) }
                    }
                    Math::Max => {
                        let y = &a[1];
                        if s.is_int() { quote!(::core::cmp::Ord::max(#x, #y)) } else { quote!(#x.max(#y)) }
                    }
                    Math::Clamp => {
                        let (lo, hi) = (&a[1], &a[2]);
                        if s.is_int() {
                            quote!(::core::cmp::Ord::min(::core::cmp::Ord::max(#x, #lo), #hi))
                        } else {
                            quote!(#x.max(#lo).min(#hi))
                        }
                    }
                    Math::Pow => {
                        let y = &a[1];
                        quote!(#x.powf(#y))
                    }
                    Math::Fma => {
                        let (y, z) = (&a[1], &a[2]);
                        quote!(#x.mul_add(#y, #z))
                    }
                    other => {
                        let method = ident(match other {
                            Math::Sqrt => "sqrt",
                            Math::Exp => "exp",
                            Math::Exp2 => "exp2",
                            Math::Log => "ln",
                            Math::Log2 => "log2",
                            Math::Sin => "sin",
                            Math::Cos => "cos",
                            Math::Tan => "tan",
                            Math::Tanh => "tanh",
                            Math::Floor => "floor",
                            Math::Ceil => "ceil",
                            _ => "trunc",
                        });
                        quote!(#x.#method())
                    }
                }
            }),
        }
    }
}

/// Comparison operands: `F16`'s `PartialEq` compares bits, so f16 values compare as their exact `f32`
/// values (`-0.0 == 0.0`, a NaN equals nothing), like WGSL.
fn ieee(l: &TokenStream, r: &TokenStream, s: Scalar) -> (TokenStream, TokenStream) {
    if s == Scalar::F16 { (quote!((#l).to_f32()), quote!((#r).to_f32())) } else { (l.clone(), r.clone()) }
}

fn lit_tokens(lit: &Lit, ty: &Ty) -> TokenStream {
    let s = ty.scalar().unwrap_or(Scalar::I32);
    if s == Scalar::F16 {
        // A const fn, so literals cost nothing at run time. (Through f32: a literal with more than 24
        // significant bits may round differently from naga's direct conversion by one f16 ulp at a tie.)
        let v = match lit {
            Lit::Int(v) => float_tokens(*v as f64),
            Lit::Float(v) => float_tokens(*v),
            Lit::Bool(b) => float_tokens(f64::from(u8::from(*b))),
        };
        return quote!(::wasi_webgpu::F16::from_f32(#v));
    }
    match lit {
        Lit::Bool(b) => quote!(#b),
        Lit::Int(v) => match s {
            Scalar::U32 => Literal::u32_suffixed(*v as u32).into_token_stream_(),
            Scalar::I32 => {
                let v = *v as i32;
                if v < 0 {
                    let l = Literal::i64_unsuffixed(i64::from(v));
                    quote!((#l as i32))
                } else {
                    Literal::i32_suffixed(v).into_token_stream_()
                }
            }
            _ => float_tokens(*v as f64),
        },
        Lit::Float(v) => float_tokens(*v),
    }
}

fn float_tokens(v: f64) -> TokenStream {
    let l = Literal::f32_suffixed((v as f32).abs());
    if v < 0.0 { quote!((-#l)) } else { quote!(#l) }
}

trait IntoTokens {
    fn into_token_stream_(self) -> TokenStream;
}

impl IntoTokens for Literal {
    fn into_token_stream_(self) -> TokenStream {
        quote!(#self)
    }
}

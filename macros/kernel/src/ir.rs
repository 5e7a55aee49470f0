//! The typed intermediate form both back ends read: every node keeps the Rust span it came from,
//! and every type is resolved (literal types are inferred before the back ends run).

use std::rc::Rc;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// A Rust source range: the spans of its first and last tokens. Stable proc macros cannot join
/// spans, but an error built from both covers the whole range, like `syn::Error::new_spanned`.
#[derive(Clone, Copy, Debug)]
pub struct Sp {
    pub start: Span,
    pub end: Span,
}

impl Sp {
    pub fn of(node: &impl ToTokens) -> Sp {
        let mut tokens = node.to_token_stream().into_iter();
        let first = tokens.next();
        let start = first.as_ref().map_or_else(Span::call_site, |t| t.span());
        let end = tokens.last().map_or(start, |t| t.span());
        Sp { start, end }
    }

    pub fn error(self, message: impl std::fmt::Display) -> syn::Error {
        let mut tokens = TokenStream::new();
        tokens.extend([
            proc_macro2::TokenTree::Punct(proc_macro2::Punct::new('#', proc_macro2::Spacing::Alone)),
            proc_macro2::TokenTree::Punct(proc_macro2::Punct::new('#', proc_macro2::Spacing::Alone)),
        ]);
        let mut it = tokens.into_iter();
        let (mut a, mut b) = (it.next().expect("two tokens"), it.next().expect("two tokens"));
        a.set_span(self.start);
        b.set_span(self.end);
        syn::Error::new_spanned(TokenStream::from_iter([a, b]), message)
    }
}

impl From<Span> for Sp {
    fn from(span: Span) -> Sp {
        Sp { start: span, end: span }
    }
}

/// A WGSL scalar: the one model of WGSL types and layouts that `#[shader]` and `GpuType` share.
pub use wasi_webgpu_shader::layout::Scalar;
use wasi_webgpu_shader::layout::{Layout, StructLayout};

/// A type of the subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    Unit,
    Scalar(Scalar),
    Vector(u8, Scalar),
    /// `[T; N]`.
    Array(Box<Ty>, u32),
    /// `atomic<T>`: the element of `&[AtomicU32]` and of shared atomic arrays.
    Atomic(Scalar),
    /// A literal whose type is not known yet: index into the inference table.
    Infer(u32),
    /// A `#[derive(GpuType)]` struct.
    Struct(Rc<StructDef>),
}

/// A `#[derive(GpuType)]` struct a kernel uses. Its Rust layout was checked against WGSL's by the
/// derive, so the WGSL struct (without the padding fields) has the same size and offsets.
#[derive(Debug, PartialEq, Eq)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    /// Rust-only padding (`_pad*` or `#[gpu(padding)]`): absent from the WGSL struct.
    pub padding: bool,
}

impl StructDef {
    pub fn size_align(&self) -> (u32, u32) {
        let mut layout = StructLayout::new();
        for f in self.fields.iter().filter(|f| !f.padding) {
            let (size, align) = f.ty.size_align();
            layout.push(size, align);
        }
        let Layout { size, align } = layout.finish();
        (size, align)
    }
}

impl Ty {
    pub fn scalar(&self) -> Option<Scalar> {
        match self {
            Ty::Scalar(s) | Ty::Vector(_, s) => Some(*s),
            _ => None,
        }
    }

    pub fn wgsl(&self) -> String {
        match self {
            Ty::Unit => "void".into(),
            Ty::Scalar(s) => s.wgsl().into(),
            Ty::Vector(n, s) => format!("vec{n}<{}>", s.wgsl()),
            Ty::Array(e, n) => format!("array<{}, {n}>", e.wgsl()),
            Ty::Atomic(s) => format!("atomic<{}>", s.wgsl()),
            Ty::Infer(_) => "i32".into(),
            Ty::Struct(def) => crate::lower::wgsl_ident(&def.name),
        }
    }

    /// Size and alignment under WGSL's layout rules.
    pub fn size_align(&self) -> (u32, u32) {
        let layout = match self {
            Ty::Scalar(s) | Ty::Atomic(s) => Layout::scalar(*s),
            Ty::Vector(n, s) => Layout::vector(u32::from(*n), s.size()),
            Ty::Array(e, n) => {
                let (size, align) = e.size_align();
                Layout { size, align }.array(*n)
            }
            Ty::Struct(def) => {
                let (size, align) = def.size_align();
                Layout { size, align }
            }
            Ty::Unit | Ty::Infer(_) => Layout { size: 0, align: 1 },
        };
        (layout.size, layout.align)
    }

    /// Whether values of this type can live in a buffer (WGSL "host-shareable").
    pub fn host_shareable(&self) -> bool {
        match self {
            Ty::Scalar(s) | Ty::Vector(_, s) | Ty::Atomic(s) => *s != Scalar::Bool,
            Ty::Array(e, _) => e.host_shareable(),
            Ty::Struct(_) => true,
            Ty::Unit | Ty::Infer(_) => false,
        }
    }

    /// How a Rust user spells it, for messages.
    pub fn rust_name(&self) -> String {
        match self {
            Ty::Unit => "()".into(),
            // Kernels spell scalars as WGSL does (`usize`/`isize` are `u32`/`i32` in kernels).
            Ty::Scalar(s) => s.wgsl().into(),
            Ty::Vector(n, s) => format!("Vec{n}<{}>", s.wgsl()),
            Ty::Array(e, n) => format!("[{}; {n}]", e.rust_name()),
            Ty::Atomic(Scalar::I32) => "AtomicI32".into(),
            Ty::Atomic(_) => "AtomicU32".into(),
            Ty::Infer(_) => "{integer}".into(),
            Ty::Struct(def) => def.name.clone(),
        }
    }
}

/// How a kernel parameter is bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A plain value: a member of the generated uniform block.
    Value(Ty),
    /// `&[T]`: read-only storage.
    Slice(Ty),
    /// `&mut [T]`: read-write storage.
    SliceMut(Ty),
    /// `&[AtomicU32]` / `&[AtomicI32]`: read-write storage of atomics.
    Atomics(Scalar),
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub span: Sp,
    /// The Rust type as written (for the generated `launch` signature).
    pub rust_ty: syn::Type,
}

/// A `static NAME: Workgroup<[T; N]> = Workgroup::new();` in the kernel body.
#[derive(Clone, Debug)]
pub struct Shared {
    pub name: String,
    pub ty: Ty,
    pub span: Sp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    GlobalId,
    LocalId,
    WorkgroupId,
    NumWorkgroups,
    LocalIndex,
}

impl Builtin {
    pub fn wgsl_attr(self) -> &'static str {
        match self {
            Builtin::GlobalId => "global_invocation_id",
            Builtin::LocalId => "local_invocation_id",
            Builtin::WorkgroupId => "workgroup_id",
            Builtin::NumWorkgroups => "num_workgroups",
            Builtin::LocalIndex => "local_invocation_index",
        }
    }

    pub fn var(self) -> &'static str {
        match self {
            Builtin::GlobalId => "global_id",
            Builtin::LocalId => "local_id",
            Builtin::WorkgroupId => "workgroup_id",
            Builtin::NumWorkgroups => "num_workgroups",
            Builtin::LocalIndex => "local_index",
        }
    }

    pub fn ty(self) -> Ty {
        match self {
            Builtin::LocalIndex => Ty::Scalar(Scalar::U32),
            _ => Ty::Vector(3, Scalar::U32),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    pub fn wgsl(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// Atomic read-modify-write operations, by their Rust method name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomicOp {
    Load,
    Store,
    Swap,
    Add,
    Sub,
    Max,
    Min,
    And,
    Or,
    Xor,
}

impl AtomicOp {
    pub fn wgsl(self) -> &'static str {
        match self {
            AtomicOp::Load => "atomicLoad",
            AtomicOp::Store => "atomicStore",
            AtomicOp::Swap => "atomicExchange",
            AtomicOp::Add => "atomicAdd",
            AtomicOp::Sub => "atomicSub",
            AtomicOp::Max => "atomicMax",
            AtomicOp::Min => "atomicMin",
            AtomicOp::And => "atomicAnd",
            AtomicOp::Or => "atomicOr",
            AtomicOp::Xor => "atomicXor",
        }
    }
}

/// Math functions; the WGSL name, with the Rust method it comes from in `lower`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Math {
    Abs,
    Min,
    Max,
    Clamp,
    Sqrt,
    Exp,
    Exp2,
    Log,
    Log2,
    Pow,
    Sin,
    Cos,
    Tan,
    Tanh,
    Floor,
    Ceil,
    Trunc,
    Fma,
    Dot,
    Length,
    Normalize,
    Select,
}

impl Math {
    pub fn wgsl(self) -> &'static str {
        match self {
            Math::Abs => "abs",
            Math::Min => "min",
            Math::Max => "max",
            Math::Clamp => "clamp",
            Math::Sqrt => "sqrt",
            Math::Exp => "exp",
            Math::Exp2 => "exp2",
            Math::Log => "log",
            Math::Log2 => "log2",
            Math::Pow => "pow",
            Math::Sin => "sin",
            Math::Cos => "cos",
            Math::Tan => "tan",
            Math::Tanh => "tanh",
            Math::Floor => "floor",
            Math::Ceil => "ceil",
            Math::Trunc => "trunc",
            Math::Fma => "fma",
            Math::Dot => "dot",
            Math::Length => "length",
            Math::Normalize => "normalize",
            Math::Select => "select",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Lit {
    Int(i128),
    Float(f64),
    Bool(bool),
}

/// Where a name refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Local(String),
    /// Kernel parameter (uniform member or storage buffer), by index.
    Param(usize),
    Shared(usize),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Sp,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(Lit),
    Var(Place),
    Builtin(Builtin),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cast(Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `.x`, `.y`, `.z`, `.w` of a vector.
    Component(Box<Expr>, u8),
    /// A field of a struct.
    Field(Box<Expr>, String),
    /// `S { a: .., b: .. }`: every field, in declaration order (padding included).
    StructLit(Rc<StructDef>, Vec<Expr>),
    /// `slice.len()`.
    Len(Place),
    Math(Math, Vec<Expr>),
    /// `vecN(..)` (components) or `VecN::splat(v)` (one argument).
    Construct(Vec<Expr>),
    /// `[a, b, c]`.
    ArrayList(Vec<Expr>),
    /// `[v; N]`.
    ArrayRepeat(Box<Expr>, u32),
    /// A call to a `#[gpu]` helper.
    Call(String, Vec<Expr>),
    /// `slice[i].fetch_add(v, Relaxed)` and friends: the atomic place, then the value, if any.
    Atomic(AtomicOp, Box<Expr>, Option<Box<Expr>>),
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        name: String,
        mutable: bool,
        ty: Ty,
        init: Option<Expr>,
        span: Sp,
    },
    Assign {
        place: Expr,
        op: Option<BinOp>,
        value: Expr,
        span: Sp,
    },
    Expr(Expr),
    If {
        cond: Expr,
        then: Block,
        otherwise: Option<Block>,
        span: Sp,
    },
    /// `for var in start..end` (exclusive) or `start..=end`.
    For {
        var: String,
        ty: Ty,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
        span: Sp,
    },
    While {
        cond: Expr,
        body: Block,
        span: Sp,
    },
    Loop {
        body: Block,
        span: Sp,
    },
    Break(Sp),
    Continue(Sp),
    Return(Option<Expr>, Sp),
    /// `workgroup_barrier()` (`false`) or `storage_barrier()` (`true`).
    Barrier {
        storage: bool,
        span: Sp,
    },
}

/// A lowered function: the kernel's entry or a helper.
#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub args: Vec<(String, Ty, Sp)>,
    pub ret: Ty,
    pub body: Block,
    pub span: Sp,
    pub uses_barrier: bool,
}

/// A lowered kernel.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub workgroup_size: [u32; 3],
    pub workgroup_size_span: Sp,
    pub params: Vec<Param>,
    pub shared: Vec<Shared>,
    pub builtins: Vec<Builtin>,
    pub body: Block,
    pub helpers: Vec<Function>,
    pub uses_barrier: bool,
    pub uses_f16: bool,
    pub structs: Vec<Rc<StructDef>>,
}

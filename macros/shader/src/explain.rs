//! naga's validation errors in the words of WGSL: types spelled as WGSL spells them (`u32`,
//! `vec3<f32>`, `array<u32, 4>`, struct names), declarations by name, and no arena handles
//! (`[3]`) or Rust `Debug` output (`Scalar { kind: Uint, width: 4 }`).
//!
//! The wording of the errors this crate knows comes from their fields; any other error's text is
//! rewritten: `Debug`-printed naga types become WGSL types and handles are dropped.

mod debug;
mod ops;
pub(crate) mod parse;

use std::error::Error as _;
use std::ops::Range;

use naga::common::wgsl::TypeContext;
use naga::valid::{
    CallError, Disalignment, EntryPointError, ExpressionError, FunctionError, GlobalVariableError, LocalVariableError,
    TypeError, TypeFlags, ValidationError, VaryingError,
};
use naga::{Handle, Module, ShaderStage, TypeInner};

use crate::front;
use crate::valid::span_of_global;
use debug::{Debug, DebugParser, handle_len};

/// A span of the source with its text, as `Diagnostic::at` renders it.
pub(crate) type Label = (Option<Range<usize>>, String);

/// The one-line message, and the labels to render, for a validation error.
pub(crate) fn explain(error: &naga::WithSpan<ValidationError>, module: &Module, source: &str) -> (String, Vec<Label>) {
    let top = error.as_inner();
    let cx = Context { module, function: function_of(module, top), source };
    let mut parts: Vec<String> = context(top, module).into_iter().collect();
    let mut link: Option<&(dyn std::error::Error + 'static)> = if parts.is_empty() { Some(top) } else { top.source() };
    while let Some(error) = link {
        if let Some(part) = cx.explain(error, top) {
            parts.push(part);
        }
        link = error.source();
    }
    let mut message = parts.join(": ");
    if let Some(hint) = capability_hint(top) {
        message.push_str(&hint);
    }

    let mut labels: Vec<_> = error
        .spans()
        .filter_map(|(span, label)| {
            let span = span.to_range()?;
            // naga labels a span with the IR item it belongs to ("naga::ir::Expression [1]").
            let label = if label.starts_with("naga::") { String::new() } else { cx.rewrite(label) };
            Some((Some(span), label))
        })
        .collect();
    if labels.is_empty()
        && let Some(span) = declaration_span(top, module, source)
    {
        labels.push((Some(span), "declared here".to_string()));
    }
    // The smallest span is the most precise (the expression rather than its function), so it
    // leads and gives the line and column.
    labels.sort_by_key(|(span, _)| span.as_ref().map_or(usize::MAX, |s| s.len()));
    (message, labels)
}

/// [`Context::rewrite`] on its own, for tests of naga texts no error case here produces.
#[cfg(test)]
pub(crate) fn rewrite(text: &str) -> String {
    Context { module: &Module::default(), function: None, source: "" }.rewrite(text)
}

/// What the error is about: the declaration that is invalid, with its name.
fn context(error: &ValidationError, module: &Module) -> Option<String> {
    Some(match error {
        ValidationError::Type { handle, .. } => format!("type `{}`", module.to_ctx().type_to_string(*handle)),
        ValidationError::ConstExpression { .. } => "in a constant expression".to_string(),
        ValidationError::ArraySizeError { .. } => "an array size is not strictly positive".to_string(),
        ValidationError::Constant { name, .. } => format!("constant `{name}`"),
        ValidationError::Override { name, .. } => format!("override `{name}`"),
        ValidationError::GlobalVariable { name, .. } => format!("variable `{name}`"),
        ValidationError::Function { name, .. } => format!("in function `{name}`"),
        ValidationError::EntryPoint { name, stage, .. } => format!("in {} entry point `{name}`", stage_name(*stage)),
        _ => return None,
    })
}

fn stage_name(stage: ShaderStage) -> &'static str {
    match stage {
        ShaderStage::Vertex => "vertex",
        ShaderStage::Fragment => "fragment",
        ShaderStage::Compute => "compute",
        _ => "mesh or task",
    }
}

/// The function an error inside a function body belongs to, whose expressions its handles name.
fn function_of<'m>(module: &'m Module, error: &ValidationError) -> Option<&'m naga::Function> {
    match error {
        ValidationError::Function { handle, .. } => module.functions.try_get(*handle).ok(),
        ValidationError::EntryPoint { name, stage, .. } => {
            module.entry_points.iter().find(|ep| ep.name == *name && ep.stage == *stage).map(|ep| &ep.function)
        }
        _ => None,
    }
}

struct Context<'m> {
    module: &'m Module,
    function: Option<&'m naga::Function>,
    source: &'m str,
}

impl Context<'_> {
    fn ty(&self, handle: Handle<naga::Type>) -> String {
        let Ok(ty) = self.module.types.get_handle(handle) else {
            return "a type".to_string();
        };
        // naga spells an override-sized array `array<N>`, without its element type.
        if let TypeInner::Array { base, size: naga::ArraySize::Pending(size), .. } = ty.inner {
            let size = self.module.overrides.try_get(size).ok().and_then(|o| o.name.as_deref());
            return format!("array<{}, {}>", self.ty(base), size.unwrap_or("an override expression"));
        }
        self.module.to_ctx().type_to_string(handle)
    }

    /// The type a `Debug`-printed handle `[index]` names.
    fn ty_at(&self, index: usize) -> Option<String> {
        self.module.types.iter().nth(index).map(|(handle, _)| self.ty(handle))
    }

    fn inner(&self, inner: &TypeInner) -> String {
        let mut out = String::new();
        match self.module.to_ctx().write_type_inner(inner, &mut out) {
            Ok(()) => out,
            Err(_) => "a type".to_string(),
        }
    }

    /// The source text of expression `expr` of the function the error is in.
    /// A `let`'s value is its initializer's expression: the name is what the user wrote there.
    fn expr_text(&self, expr: Handle<naga::Expression>) -> Option<&str> {
        let function = self.function?;
        if let Some(name) = function.named_expressions.get(&expr) {
            return Some(name);
        }
        self.source.get(function.expressions.get_span(expr).to_range()?)
    }

    /// The WGSL type of expression `expr` of the function the error is in, if it resolves.
    fn expr_type(&self, expr: Option<Handle<naga::Expression>>) -> Option<String> {
        self.expr_type_of(expr, false)
    }

    /// Like [`expr_type`](Self::expr_type); with `deref`, a pointer's store type.
    fn expr_type_of(&self, expr: Option<Handle<naga::Expression>>, deref: bool) -> Option<String> {
        let (function, expr) = (self.function?, expr?);
        function.expressions.try_get(expr).ok()?;
        let resolve =
            naga::proc::ResolveContext::with_locals(self.module, &function.local_variables, &function.arguments);
        let mut typifier = naga::front::Typifier::new();
        typifier.grow(expr, &function.expressions, &resolve).ok()?;
        Some(match typifier.get(expr, &self.module.types) {
            TypeInner::Pointer { base, .. } if deref => self.ty(*base),
            inner => self.inner(inner),
        })
    }

    /// One link of the error chain, or `None` for a link that only says where the next one is
    /// ("Expression [1] is invalid").
    fn explain(&self, error: &(dyn std::error::Error + 'static), top: &ValidationError) -> Option<String> {
        if let Some(error) = error.downcast_ref::<EntryPointError>() {
            match error {
                // Transparent: the chain goes on with the inner error's cause.
                EntryPointError::Function(inner) => return self.explain(inner, top),
                EntryPointError::Result(inner) => {
                    return self.explain(inner, top).map(|text| format!("the return value: {text}"));
                }
                EntryPointError::Argument(index, _) => {
                    let name = self.function.and_then(|f| f.arguments.get(*index as usize)?.name.as_deref());
                    return Some(match name {
                        Some(name) => format!("argument `{name}`"),
                        None => format!("argument {index}"),
                    });
                }
                _ => {}
            }
        }
        if error.is::<Disalignment>() {
            // Worded with its type by the `Alignment` error it is the cause of.
            return None;
        }
        if let Some(error) = error.downcast_ref::<FunctionError>() {
            match error {
                FunctionError::InvalidCall { function, .. } => {
                    let name = self.module.functions.try_get(*function).ok().and_then(|f| f.name.as_deref());
                    return Some(name.map_or_else(|| "in a call".to_string(), |name| format!("call to `{name}`")));
                }
                FunctionError::Expression { .. } => return None,
                FunctionError::LocalVariable { name, .. } => return Some(format!("local variable `{name}`")),
                FunctionError::InvalidReturnType { expression, expected_ty } => {
                    let expected = expected_ty.map_or_else(|| "none".to_string(), |t| format!("`{}`", self.ty(t)));
                    return Some(match (expression, self.expr_type(*expression)) {
                        (None, _) => format!("`return` has no value, but the declared return type is {expected}"),
                        (Some(_), Some(found)) => {
                            format!("`return` gives a `{found}`, but the declared return type is {expected}")
                        }
                        (Some(_), None) => {
                            format!("the `return` value does not have the declared return type {expected}")
                        }
                    });
                }
                FunctionError::InvalidStorePointer(_) => {
                    return Some("this location cannot be written (a `let`, a read-only `var<storage, read>` or a `var<uniform>`)".to_string());
                }
                FunctionError::InvalidStoreTypes { pointer, value } => {
                    // The pointer is the place written: its store type is what the user assigns to.
                    let (to, from) = (self.expr_type_of(Some(*pointer), true), self.expr_type(Some(*value)));
                    if let (Some(to), Some(from)) = (to, from) {
                        let hint = ops::cast(&to, self.expr_text(*value))
                            .filter(|_| ops::same_shape(&from, &to))
                            .map(|c| format!(" (write {c})"))
                            .unwrap_or_default();
                        return Some(format!("cannot assign a `{from}` to a `{to}`{hint}"));
                    }
                }
                FunctionError::InvalidArgumentPointerSpace { name, space, .. } => {
                    return Some(format!(
                        "argument `{name}` is a pointer into the `{}` address space, which cannot be passed to a function",
                        space_name(*space)
                    ));
                }
                FunctionError::InvalidIfType(expr) | FunctionError::InvalidSwitchType(expr) => {
                    let what = if matches!(error, FunctionError::InvalidIfType(_)) {
                        "an `if` condition must be a `bool`"
                    } else {
                        "a `switch` selector must be an `i32` or `u32`"
                    };
                    return Some(match self.expr_type(Some(*expr)) {
                        Some(found) => format!("{what}, not a `{found}`"),
                        None => what.to_string(),
                    });
                }
                _ => {}
            }
        }
        if let Some(LocalVariableError::InvalidType(ty)) = error.downcast_ref() {
            let ty = self.ty(*ty);
            let note = if ty.starts_with("array<") && !ty.contains(',') {
                " (a runtime-sized array is only allowed in `var<storage>`)"
            } else {
                ""
            };
            return Some(format!("`{ty}` cannot be the type of a local variable{note}"));
        }
        if let Some(CallError::ArgumentType { index, required, seen_expression }) = error.downcast_ref() {
            // naga names both by handle, which would leave "doesn't match the type" dangling.
            let required = self.ty(*required);
            return Some(match self.expr_type(Some(*seen_expression)) {
                Some(seen) => format!("argument {index} is a `{seen}`, but the parameter is a `{required}`"),
                None => format!("argument {index} is not a `{required}`"),
            });
        }
        if let Some(error) = error.downcast_ref::<ExpressionError>()
            && let Some(text) = self.expression(error)
        {
            return Some(text);
        }
        if let Some(error) = error.downcast_ref::<GlobalVariableError>() {
            let var_ty = match top {
                ValidationError::GlobalVariable { handle, .. } => {
                    self.module.global_variables.try_get(*handle).ok().map(|v| self.ty(v.ty))
                }
                _ => None,
            };
            match error {
                GlobalVariableError::MissingTypeFlags { required, seen } => {
                    let missing = *required - *seen;
                    let ty = var_ty.map_or_else(|| "its type".to_string(), |t| format!("`{t}`"));
                    let note = if missing.contains(TypeFlags::SIZED) {
                        " (a runtime-sized array is only allowed in `var<storage>`)"
                    } else {
                        ""
                    };
                    return Some(format!("{ty} must be {} here{note}", flag_words(missing)));
                }
                GlobalVariableError::Alignment(space, ty, why) => {
                    return Some(format!(
                        "`{}` breaks the layout rules of the `{}` address space: {}",
                        self.ty(*ty),
                        space_name(*space),
                        self.disalignment(*ty, why)
                    ));
                }
                GlobalVariableError::InvalidType(space) | GlobalVariableError::InvalidUsage(space) => {
                    let ty = var_ty.map_or_else(|| "its type".to_string(), |t| format!("`{t}`"));
                    return Some(format!("{ty} cannot be used in the `{}` address space", space_name(*space)));
                }
                _ => {}
            }
        }
        if let Some(error) = error.downcast_ref::<TypeError>()
            && let Some(text) = self.type_error(error)
        {
            return Some(text);
        }
        if let Some(error) = error.downcast_ref::<VaryingError>() {
            match error {
                VaryingError::InvalidBuiltInType(builtin, inner) => {
                    return Some(format!("`@builtin({})` cannot have type `{}`", snake(builtin), self.inner(inner)));
                }
                VaryingError::InvalidBuiltInStage(builtin) => {
                    return Some(format!("`@builtin({})` is not available in this stage", snake(builtin)));
                }
                VaryingError::DuplicateBuiltIn(builtin) => {
                    return Some(format!("`@builtin({})` appears more than once", snake(builtin)));
                }
                _ => {}
            }
        }
        let text = self.rewrite(&error.to_string());
        // What is left of "Expression [1] is invalid" once the handle is gone says nothing.
        if text.ends_with(" is invalid") && text.split(' ').count() <= 4 {
            return None;
        }
        Some(text)
    }

    /// The type errors that name a type by handle, which the generic rewrite would drop and leave
    /// "found" or "has type" with nothing after it.
    fn type_error(&self, error: &TypeError) -> Option<String> {
        Some(match error {
            TypeError::InvalidData(ty) => {
                let override_sized = matches!(
                    self.module.types.get_handle(*ty).map(|t| &t.inner),
                    Ok(TypeInner::Array { size: naga::ArraySize::Pending(_), .. })
                );
                let note =
                    if override_sized { " (an override-sized array can only be a `var<workgroup>`)" } else { "" };
                format!("`{}` cannot be used here: it is not a data type{note}", self.ty(*ty))
            }
            TypeError::InvalidDynamicArray(member, ty) => format!(
                "member `{member}` has the runtime-sized type `{}`: only the last member of a struct may be a \
                 runtime-sized array, and a struct that ends in one cannot be a member of another type",
                self.ty(*ty)
            ),
            TypeError::InvalidPointerBase(ty) => format!("a pointer cannot point to `{}`", self.ty(*ty)),
            TypeError::InvalidArrayBaseType(ty) => format!("`{}` cannot be an array element", self.ty(*ty)),
            TypeError::UnresolvedOverride(ty) => {
                format!("the size of `{}` is an override expression that did not resolve to a constant", self.ty(*ty))
            }
            TypeError::InvalidArraySize(ty) => {
                format!("the override-sized array `{}` does not have a positive size", self.ty(*ty))
            }
            _ => return None,
        })
    }

    /// Why a type breaks an address space's layout rules, with members by name.
    fn disalignment(&self, ty: Handle<naga::Type>, why: &Disalignment) -> String {
        let member = |index: u32| match self.module.types.get_handle(ty).map(|t| &t.inner) {
            Ok(TypeInner::Struct { members, .. }) => {
                match members.get(index as usize).and_then(|m| m.name.as_deref()) {
                    Some(name) => format!("member `{name}`"),
                    None => format!("member {index}"),
                }
            }
            _ => format!("member {index}"),
        };
        match why {
            Disalignment::MemberOffset { index, offset, alignment } => {
                format!(
                    "{} is at offset {offset}, which is not a multiple of the required alignment {alignment}",
                    member(*index)
                )
            }
            Disalignment::MemberOffsetAfterStruct { index, offset, expected } => format!(
                "{} is at offset {offset}, but after a struct member it must be at offset {expected} or more",
                member(*index)
            ),
            Disalignment::UnsizedMember { index } => format!("{} is not sized", member(*index)),
            other => self.rewrite(&other.to_string()),
        }
    }

    /// The expression errors whose operands' types say what went wrong.
    fn expression(&self, error: &ExpressionError) -> Option<String> {
        let of = |expr| self.expr_type(Some(expr)).map(|t| format!("`{t}`"));
        Some(match error {
            ExpressionError::IndexOutOfBounds(base, index) => {
                // Indexing goes through a pointer; its store type is what has the bounds.
                let base = self.expr_type_of(Some(*base), true);
                format!(
                    "index {index} is out of bounds for {}",
                    base.map_or_else(|| "the value".into(), |t| format!("`{t}`"))
                )
            }
            ExpressionError::InvalidArrayType(expr) => {
                format!("`arrayLength` needs a pointer to a runtime-sized array, not {}", of(*expr)?)
            }
            ExpressionError::InvalidPointerType(expr) => format!("cannot load from {}", of(*expr)?),
            ExpressionError::InvalidSplatType(expr) => format!("cannot make a vector of {}", of(*expr)?),
            ExpressionError::InvalidVectorType(expr) => format!("cannot swizzle {}", of(*expr)?),
            ExpressionError::InvalidBooleanVector(expr) => {
                format!("`all` and `any` need a `bool` or a vector of `bool`, not {}", of(*expr)?)
            }
            ExpressionError::NegativeIndex(base) => format!("negative index into {}", of(*base)?),
            ExpressionError::InvalidZeroValue(ty) => {
                format!("`{}` has no zero value: it is not constructible", self.ty(*ty))
            }
            ExpressionError::InvalidBaseType(base) => format!("{} cannot be indexed or accessed this way", of(*base)?),
            ExpressionError::InvalidIndexType(index) => {
                format!("an index must be an `i32` or `u32`, not {}", of(*index)?)
            }
            ExpressionError::InvalidUnaryOperandType(op, expr) => {
                format!("`{}` cannot be applied to {}", ops::unary_symbol(*op), of(*expr)?)
            }
            ExpressionError::InvalidBinaryOperandTypes { op, lhs_expr, lhs_type, rhs_expr, rhs_type } => ops::binary(
                *op,
                (&self.inner(lhs_type), self.expr_text(*lhs_expr)),
                (&self.inner(rhs_type), self.expr_text(*rhs_expr)),
            ),
            _ => return None,
        })
    }

    /// Rewrites naga's text: `Debug`-printed types become WGSL types, handles go, and capability
    /// flags lose their Rust path.
    fn rewrite(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut in_word = false;
        while !rest.is_empty() {
            if !in_word && let Some((wgsl, len)) = self.debug_value(rest) {
                out.push_str(&wgsl);
                rest = &rest[len..];
                in_word = false;
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(c);
                rest = &rest[c.len_utf8()..];
                in_word = c.is_alphanumeric() || c == '_';
            }
        }
        let out = out
            .replace("` flag", "` capability")
            .replace("`naga::valid::Capabilities::", "`")
            .replace("naga::valid::Capabilities::", "");
        // Dropped handles leave doubled or dangling spaces.
        let mut tidy = String::with_capacity(out.len());
        for word in out.split(' ').filter(|w| !w.is_empty()) {
            if !tidy.is_empty() {
                tidy.push(' ');
            }
            tidy.push_str(word);
        }
        let tidy = tidy.replace(" .", ".").replace(" ,", ",").replace(" :", ":");
        let mut chars = tidy.chars();
        match chars.next() {
            // Lower case, as the parts are joined into one sentence.
            Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
                first.to_lowercase().chain(chars).collect()
            }
            _ => tidy,
        }
    }

    /// A `Debug`-printed naga value at the start of `text` and its replacement: a handle (`[3]`,
    /// `Some([3])`) becomes nothing, a `TypeInner` its WGSL spelling, `Capabilities(..)` and
    /// `TypeFlags(..)` their flags. `None` when `text` does not start with one.
    fn debug_value(&self, text: &str) -> Option<(String, usize)> {
        if let Some(len) = handle_len(text) {
            return Some((String::new(), len));
        }
        if let Some(inner) = text.strip_prefix("Some(")
            && let Some(len) = handle_len(inner)
            && inner[len..].starts_with(')')
        {
            return Some((String::new(), "Some(".len() + len + 1));
        }
        // Bitflags print as `Name(A | B)`: keep the flags.
        let name_len = text.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(text.len());
        if name_len > 0
            && text.starts_with(|c: char| c.is_ascii_uppercase())
            && let Some(inner) = text[name_len..].strip_prefix('(')
            && let Some(end) = inner.find(')')
            && end > 0
            && inner[..end]
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '_' | '|' | ' '))
        {
            return Some((format!("`{}`", &inner[..end]), name_len + 1 + end + 1));
        }
        let starts = [
            "Scalar {",
            "Scalar(",
            "Vector {",
            "Matrix {",
            "Atomic(",
            "Pointer {",
            "ValuePointer {",
            "Array {",
            "Storage {",
        ];
        if !starts.iter().any(|s| text.starts_with(s)) {
            return None;
        }
        let mut parser = DebugParser { text, at: 0 };
        let value = parser.value()?;
        let wgsl = self.debug_type(&value)?;
        Some((format!("`{wgsl}`"), parser.at))
    }

    fn debug_type(&self, value: &Debug<'_>) -> Option<String> {
        let scalar = |v: &Debug<'_>| -> Option<String> {
            let kind = v.field("kind")?.word()?;
            let width = v.field("width")?.word()?;
            Some(match (kind, width) {
                ("Bool", _) => "bool".to_string(),
                ("AbstractInt", _) => "AbstractInt".to_string(),
                ("AbstractFloat", _) => "AbstractFloat".to_string(),
                ("Sint", w) => format!("i{}", w.parse::<u32>().ok()? * 8),
                ("Uint", w) => format!("u{}", w.parse::<u32>().ok()? * 8),
                ("Float", w) => format!("f{}", w.parse::<u32>().ok()? * 8),
                _ => return None,
            })
        };
        let size = |v: &Debug<'_>| -> Option<u8> {
            Some(match v.word()? {
                "Bi" => 2,
                "Tri" => 3,
                "Quad" => 4,
                _ => return None,
            })
        };
        Some(match value.name {
            // An address space, where naga prints one on its own.
            "Storage" => value.space()?,
            // `TypeInner::Scalar(Scalar { .. })`.
            "Scalar" => match value.items.first() {
                Some(inner) => self.debug_type(inner)?,
                None => scalar(value)?,
            },
            "Vector" => format!("vec{}<{}>", size(value.field("size")?)?, scalar(value.field("scalar")?)?),
            "Matrix" => format!(
                "mat{}x{}<{}>",
                size(value.field("columns")?)?,
                size(value.field("rows")?)?,
                scalar(value.field("scalar")?)?
            ),
            "Atomic" => format!("atomic<{}>", scalar(value.items.first()?)?),
            "Pointer" => {
                let base = self.ty_at(value.field("base")?.handle()?)?;
                format!("ptr<{}, {base}>", value.field("space")?.space()?)
            }
            "ValuePointer" => {
                let scalar = scalar(value.field("scalar")?)?;
                let ty = match value.field("size")?.items.first() {
                    Some(s) => format!("vec{}<{scalar}>", size(s)?),
                    None => scalar,
                };
                format!("ptr<{}, {ty}>", value.field("space")?.space()?)
            }
            "Array" => {
                let base = self.ty_at(value.field("base")?.handle()?)?;
                match value.field("size")? {
                    Debug { name: "Constant", items, .. } => format!("array<{base}, {}>", items.first()?.word()?),
                    _ => format!("array<{base}>"),
                }
            }
            _ => return None,
        })
    }
}

fn space_name(space: naga::AddressSpace) -> &'static str {
    match space {
        naga::AddressSpace::Function => "function",
        naga::AddressSpace::Private => "private",
        naga::AddressSpace::WorkGroup => "workgroup",
        naga::AddressSpace::Uniform => "uniform",
        naga::AddressSpace::Storage { .. } => "storage",
        naga::AddressSpace::Handle => "handle",
        _ => "non-WebGPU",
    }
}

/// `GlobalInvocationId` → `global_invocation_id`, the WGSL name of a built-in.
fn snake(value: &impl std::fmt::Debug) -> String {
    let debug = format!("{value:?}");
    let name = debug.split(['{', '(', ' ']).next().unwrap_or_default();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// What type flags mean, for a type that lacks them.
fn flag_words(missing: TypeFlags) -> String {
    let words: Vec<&str> = [
        (TypeFlags::SIZED, "sized"),
        (TypeFlags::HOST_SHAREABLE, "host-shareable"),
        (TypeFlags::CONSTRUCTIBLE, "constructible"),
        (TypeFlags::COPY, "copyable"),
        (TypeFlags::DATA, "plain data"),
        (TypeFlags::IO_SHAREABLE, "usable as shader stage input or output"),
        (TypeFlags::ARGUMENT, "usable as a function argument"),
    ]
    .into_iter()
    .filter(|(flag, _)| missing.contains(*flag))
    .map(|(_, word)| word)
    .collect();
    if words.is_empty() { "allowed".to_string() } else { words.join(" and ") }
}

/// The WGSL `enable` directive that grants a capability, for the ones WebGPU has.
fn enable_for(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "SHADER_FLOAT16" => "f16",
        "CLIP_DISTANCE" => "clip_distances",
        "DUAL_SOURCE_BLENDING" => "dual_source_blending",
        "PRIMITIVE_INDEX" => "primitive_index",
        _ => return None,
    })
}

/// For an error about a missing capability: the `enable` directive that grants it, or that WebGPU
/// has none. Only directives the parser accepts are suggested.
fn capability_hint(error: &ValidationError) -> Option<String> {
    let mut flags = Vec::new();
    let mut link: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = link {
        if let Some(naga::valid::WidthError::MissingCapability { flag, .. }) = e.downcast_ref() {
            flags.push(flag.to_string());
        }
        let caps = [
            e.downcast_ref::<naga::valid::TypeError>().and_then(|e| match e {
                naga::valid::TypeError::MissingCapability(c) => Some(*c),
                _ => None,
            }),
            e.downcast_ref::<GlobalVariableError>().and_then(|e| match e {
                GlobalVariableError::UnsupportedCapability(c) => Some(*c),
                _ => None,
            }),
        ];
        for caps in caps.into_iter().flatten() {
            flags.extend(caps.iter_names().map(|(name, _)| name.to_string()));
        }
        link = e.source();
    }
    if flags.is_empty() {
        let mut link: Option<&(dyn std::error::Error + 'static)> = Some(error);
        let mut mentioned = false;
        while let Some(e) = link {
            mentioned |= e.to_string().contains("apabilit");
            link = e.source();
        }
        if !mentioned {
            return None;
        }
    }
    let enables: Vec<_> = flags.iter().filter_map(|f| enable_for(f)).collect();
    Some(match enables.as_slice() {
        [] => " (WebGPU has no extension that provides this)".to_string(),
        _ => {
            let directives: Vec<_> = enables.iter().map(|e| format!("`enable {e};`")).collect();
            format!(
                " (add {} at the top of the shader; the device needs the matching feature)",
                directives.join(" and ")
            )
        }
    })
}

/// Where a declaration that naga gives no span is: a type's variables, or the struct it is in.
fn declaration_span(error: &ValidationError, module: &Module, source: &str) -> Option<Range<usize>> {
    let handle = match error {
        ValidationError::Type { handle, .. } => *handle,
        ValidationError::GlobalVariable { handle, .. } => return span_of_global(module, *handle),
        ValidationError::Constant { handle, .. } => return module.constants.get_span(*handle).to_range(),
        ValidationError::Override { handle, .. } => return module.overrides.get_span(*handle).to_range(),
        ValidationError::Function { name, .. } | ValidationError::EntryPoint { name, .. } => {
            let decl = front::find_fn(source, name)?;
            // An argument's error points at the argument.
            let mut link = std::error::Error::source(error);
            while let Some(e) = link {
                if let Some(EntryPointError::Argument(index, _)) = e.downcast_ref() {
                    let function = function_of(module, error)?;
                    let arg = function.arguments.get(*index as usize)?.name.as_deref()?;
                    let after = decl.name.end;
                    let at = front::identifiers_at(&source[after..]).find(|(ident, _)| *ident == arg)?.1;
                    return Some(after + at.start..after + at.end);
                }
                link = e.source();
            }
            return Some(decl.name);
        }
        _ => return None,
    };
    let uses = |ty: Handle<naga::Type>| contains_type(module, ty, handle, 0);
    // The innermost declaration first: the struct member of that type, by its name inside the
    // struct's span (naga keeps no member spans).
    for (h, t) in module.types.iter() {
        let TypeInner::Struct { members, .. } = &t.inner else { continue };
        let Some(member) = members.iter().find(|m| uses(m.ty)) else { continue };
        let Some(span) = module.types.get_span(h).to_range().filter(|s| source.get(s.clone()).is_some()) else {
            continue;
        };
        let name = member.name.as_deref().unwrap_or_default();
        let at = front::identifiers_at(&source[span.clone()]).skip(1).find(|(ident, _)| *ident == name);
        return Some(at.map_or(span.clone(), |(_, r)| span.start + r.start..span.start + r.end));
    }
    if let Some((h, _)) = module.global_variables.iter().find(|(_, v)| uses(v.ty)) {
        return span_of_global(module, h);
    }
    // A type used nowhere else: find where it is written.
    let wgsl = module.to_ctx().type_to_string(handle);
    source.find(&wgsl).map(|at| at..at + wgsl.len())
}

fn contains_type(module: &Module, ty: Handle<naga::Type>, wanted: Handle<naga::Type>, depth: usize) -> bool {
    if ty == wanted {
        return true;
    }
    if depth > 32 {
        return false;
    }
    match module.types.get_handle(ty).map(|t| &t.inner) {
        Ok(TypeInner::Array { base, .. } | TypeInner::BindingArray { base, .. }) => {
            contains_type(module, *base, wanted, depth + 1)
        }
        Ok(TypeInner::Struct { members, .. }) => members.iter().any(|m| contains_type(module, m.ty, wanted, depth + 1)),
        _ => false,
    }
}

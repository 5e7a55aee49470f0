//! The guard's evaluator: `const` and `override` expressions, and the size
//! and alignment of types by WGSL's layout rules.
//!
//! Nothing here recurses from one declaration into another: a value that
//! needs another declaration's returns [`Eval::Need`], and
//! [`Evaluator::resolve`] works through such chains with a heap stack, so a
//! chain of 10,000 `const`s costs no guest stack.

use std::cell::RefCell;
use std::ops::Range;

use super::decl::{ItemKind, Module};
use super::lex::Kind;

/// A constant value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Int(i128),
    Float(f64),
    Bool(bool),
}

/// Size and alignment of a type, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) size: u64,
    pub(crate) align: u64,
}

const NO_LAYOUT: Layout = Layout { size: 0, align: 1 };

/// Why a value has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Eval {
    /// The guard cannot evaluate the expression at this token.
    Unknown(usize),
    /// It depends on an override, and no pipeline gives overrides yet.
    Deferred,
    /// It needs this declaration resolved first.
    Need(usize),
}

#[derive(Debug, Clone, Copy)]
enum State {
    Fresh,
    Busy,
    Value(Result<Value, Eval>),
    Layout(Result<Layout, Eval>),
}

/// Evaluates a module's declarations, once each, for one set of override
/// values (`None`: at module creation, before any pipeline gives them).
pub(crate) struct Evaluator<'m, 's> {
    pub(crate) module: &'m Module<'s>,
    constants: Option<&'m [(&'m str, f64)]>,
    memo: RefCell<Vec<State>>,
}

fn round_up(align: u64, size: u64) -> u64 {
    size.div_ceil(align.max(1)).saturating_mul(align.max(1))
}

impl<'m, 's> Evaluator<'m, 's> {
    pub(crate) fn new(module: &'m Module<'s>, constants: Option<&'m [(&'m str, f64)]>) -> Self {
        Self { module, constants, memo: RefCell::new(vec![State::Fresh; module.items.len()]) }
    }

    /// Runs `f` until it no longer needs a declaration resolved first.
    pub(crate) fn with<T>(&self, mut f: impl FnMut() -> Result<T, Eval>) -> Result<T, Eval> {
        loop {
            match f() {
                Err(Eval::Need(item)) => self.resolve(item),
                other => return other,
            }
        }
    }

    /// Resolves `item` and what it needs, depth first on a heap stack. A
    /// declaration that needs itself (a cycle, a host error) is unknown.
    fn resolve(&self, item: usize) {
        let mut stack = vec![item];
        while let Some(&top) = stack.last() {
            if !matches!(self.memo.borrow()[top], State::Fresh | State::Busy) {
                stack.pop();
                continue;
            }
            self.memo.borrow_mut()[top] = State::Busy;
            let kind = self.module.items[top].kind;
            let result = match kind {
                ItemKind::Const | ItemKind::Override => self.compute_value(top).map(Some),
                _ => self.compute_layout(top).map(|layout| {
                    self.memo.borrow_mut()[top] = State::Layout(Ok(layout));
                    None
                }),
            };
            match result {
                Err(Eval::Need(dep)) if !matches!(self.memo.borrow()[dep], State::Busy) => stack.push(dep),
                Err(Eval::Need(_)) => {
                    self.set(top, Err(Eval::Unknown(self.module.items[top].at)));
                    stack.pop();
                }
                Ok(None) => {
                    stack.pop();
                }
                Ok(Some(value)) => {
                    self.set(top, Ok(value));
                    stack.pop();
                }
                Err(e) => {
                    self.set(top, Err(e));
                    stack.pop();
                }
            }
        }
    }

    fn set(&self, item: usize, result: Result<Value, Eval>) {
        let state = match self.module.items[item].kind {
            ItemKind::Const | ItemKind::Override => State::Value(result),
            _ => State::Layout(result.map(|_| NO_LAYOUT)),
        };
        self.memo.borrow_mut()[item] = state;
    }

    fn compute_value(&self, item: usize) -> Result<Value, Eval> {
        let decl = &self.module.items[item];
        if decl.kind == ItemKind::Override {
            let Some(constants) = self.constants else { return Err(Eval::Deferred) };
            let id = match &decl.id {
                Some(range) => Some(self.value(range.clone())?),
                None => None,
            };
            let given = constants.iter().find(|(key, _)| {
                *key == decl.name || matches!(id, Some(Value::Int(id)) if key.parse::<i128>() == Ok(id))
            });
            if let Some((_, value)) = given {
                let ty = decl.ty.as_ref().map_or("", |ty| self.module.text(ty.start));
                return match ty {
                    "bool" => Ok(Value::Bool(*value != 0.0)),
                    "f32" | "f16" => Ok(Value::Float(*value)),
                    // Integers (and an untyped override, which an integer
                    // default makes i32): WebGPU rejects fractions and values
                    // out of range, so the guard cannot size anything by them.
                    _ if value.fract() == 0.0 && value.abs() < 4_294_967_296.0 => Ok(Value::Int(*value as i128)),
                    _ if ty.is_empty() => Ok(Value::Float(*value)),
                    _ => Err(Eval::Unknown(decl.at)),
                };
            }
        }
        match &decl.init {
            Some(init) => self.value(init.clone()),
            None => Err(Eval::Unknown(decl.at)),
        }
    }

    fn compute_layout(&self, item: usize) -> Result<Layout, Eval> {
        let decl = &self.module.items[item];
        match decl.kind {
            ItemKind::Alias => decl.ty.clone().map_or(Ok(NO_LAYOUT), |ty| self.layout(ty)),
            ItemKind::Struct => {
                let (mut offset, mut align) = (0u64, 1u64);
                for member in &decl.members {
                    let layout = self.layout(member.ty.clone())?;
                    let member_align = match &member.align {
                        Some(range) => self.count(range.clone())?,
                        None => layout.align,
                    };
                    let size = match &member.size {
                        Some(range) => self.count(range.clone())?,
                        None => layout.size,
                    };
                    offset = round_up(member_align, offset).saturating_add(size);
                    align = align.max(member_align);
                }
                Ok(Layout { size: round_up(align, offset), align })
            }
            _ => Ok(NO_LAYOUT),
        }
    }

    /// A non-negative integer (an array's element count, `@size`,
    /// `@align`, a workgroup size).
    pub(crate) fn count(&self, range: Range<usize>) -> Result<u64, Eval> {
        match self.value(range.clone())? {
            Value::Int(n) if n >= 0 => Ok(u64::try_from(n).unwrap_or(u64::MAX)),
            _ => Err(Eval::Unknown(range.start)),
        }
    }

    /// The value of the expression in `range`.
    pub(crate) fn value(&self, range: Range<usize>) -> Result<Value, Eval> {
        let mut parser = Expr { ev: self, pos: range.start, end: range.end };
        let value = parser.binary(0)?;
        if parser.pos != parser.end {
            return Err(Eval::Unknown(parser.pos));
        }
        Ok(value)
    }

    /// The layout of the type starting at `range.start`.
    pub(crate) fn layout(&self, range: Range<usize>) -> Result<Layout, Eval> {
        let m = self.module;
        let at = range.start;
        let name = m.text(at);
        if let Some(size) = scalar_width(name) {
            return Ok(Layout { size, align: size });
        }
        // The template arguments after `name`, or none.
        let args = if m.text(at + 1) == "<" {
            let close = m.template_end(at + 1).min(range.end.max(at + 2));
            m.split(at + 2..close)
        } else {
            Vec::new()
        };
        // A vector's or matrix's component: a scalar, or an alias of one.
        let element = |index: usize| -> Result<u64, Eval> {
            let arg = args.get(index).ok_or(Eval::Unknown(at))?;
            match scalar_width(m.text(arg.start)) {
                Some(size) => Ok(size),
                None => self.layout(arg.clone()).map(|layout| layout.size),
            }
        };
        let suffix = |name: &str| match name.as_bytes().last() {
            Some(b'f' | b'i' | b'u') => Some(4),
            Some(b'h') => Some(2),
            _ => None,
        };
        let bytes = name.as_bytes();
        if bytes.len() >= 4 && name.starts_with("vec") && bytes[3].is_ascii_digit() {
            let n = u64::from(bytes[3] - b'0');
            let s = if bytes.len() == 4 { element(0)? } else { suffix(name).ok_or(Eval::Unknown(at))? };
            return Ok(Layout { size: n * s, align: if n == 2 { 2 * s } else { 4 * s } });
        }
        if bytes.len() >= 6 && name.starts_with("mat") && bytes[3].is_ascii_digit() && bytes[5].is_ascii_digit() {
            let (columns, rows) = (u64::from(bytes[3] - b'0'), u64::from(bytes[5] - b'0'));
            let s = if bytes.len() == 6 { element(0)? } else { suffix(name).ok_or(Eval::Unknown(at))? };
            let align = if rows == 2 { 2 * s } else { 4 * s };
            return Ok(Layout { size: columns * align, align });
        }
        match name {
            "atomic" => Ok(Layout { size: 4, align: 4 }),
            "array" => {
                let Some(element) = args.first() else { return Ok(NO_LAYOUT) };
                let inner = self.layout(element.clone())?;
                let stride = round_up(inner.align, inner.size);
                let count = match args.get(1) {
                    Some(count) => self.count(count.clone())?,
                    // Runtime-sized: only storage buffers have them.
                    None => 0,
                };
                Ok(Layout { size: stride.saturating_mul(count), align: inner.align })
            }
            _ => match m.item(name) {
                Some(item) if matches!(m.items[item].kind, ItemKind::Struct | ItemKind::Alias) => {
                    match self.memo.borrow()[item] {
                        State::Layout(result) => result,
                        _ => Err(Eval::Need(item)),
                    }
                }
                // Pointers, textures, samplers (no memory of their own) and
                // what the host will reject as no type.
                _ => Ok(NO_LAYOUT),
            },
        }
    }

    /// The value of the `const` or `override` `item`, resolved or needed.
    fn item_value(&self, item: usize) -> Result<Value, Eval> {
        match self.memo.borrow()[item] {
            State::Value(result) => result,
            _ => Err(Eval::Need(item)),
        }
    }
}

/// The size (and alignment) of a scalar type.
fn scalar_width(name: &str) -> Option<u64> {
    match name {
        "bool" | "i32" | "u32" | "f32" => Some(4),
        "f16" => Some(2),
        _ => None,
    }
}

/// A precedence-climbing parser over a token range that evaluates as it
/// goes. Its recursion is bounded by the brackets of one expression, which
/// the nesting scan has bounded.
struct Expr<'e, 'm, 's> {
    ev: &'e Evaluator<'m, 's>,
    pos: usize,
    end: usize,
}

fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | ">" | "<=" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        _ => return None,
    })
}

impl<'s> Expr<'_, '_, 's> {
    fn text(&self) -> &'s str {
        if self.pos < self.end { self.ev.module.text(self.pos) } else { "" }
    }

    fn binary(&mut self, min: u8) -> Result<Value, Eval> {
        let mut lhs = self.unary()?;
        while let Some(prec) = precedence(self.text()).filter(|&p| p >= min) {
            let (op, at) = (self.ev.module.text(self.pos), self.pos);
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = apply(op, lhs, rhs).ok_or(Eval::Unknown(at))?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Value, Eval> {
        let at = self.pos;
        let module = self.ev.module;
        let text = self.text();
        match text {
            "-" | "!" | "~" => {
                self.pos += 1;
                let v = self.unary()?;
                return match (text, v) {
                    ("-", Value::Int(i)) => Ok(Value::Int(-i)),
                    ("-", Value::Float(f)) => Ok(Value::Float(-f)),
                    ("!", Value::Bool(b)) => Ok(Value::Bool(!b)),
                    ("~", Value::Int(i)) => Ok(Value::Int(!i)),
                    _ => Err(Eval::Unknown(at)),
                };
            }
            "(" => {
                self.pos += 1;
                let v = self.binary(0)?;
                return self.expect(")", v);
            }
            "true" => {
                self.pos += 1;
                return Ok(Value::Bool(true));
            }
            "false" => {
                self.pos += 1;
                return Ok(Value::Bool(false));
            }
            _ => {}
        }
        let Some(token) = module.tokens.get(at).filter(|_| at < self.end) else { return Err(Eval::Unknown(at)) };
        self.pos += 1;
        match token.kind {
            Kind::Number => number(text).ok_or(Eval::Unknown(at)),
            Kind::Ident if self.text() == "(" => {
                self.pos += 1;
                let mut args = Vec::new();
                while self.text() != ")" {
                    if args.len() == 3 {
                        return Err(Eval::Unknown(at));
                    }
                    args.push(self.binary(0)?);
                    if self.text() == "," {
                        self.pos += 1;
                    } else if self.text() != ")" {
                        return Err(Eval::Unknown(self.pos));
                    }
                }
                self.pos += 1;
                call(text, &args).ok_or(Eval::Unknown(at))
            }
            Kind::Ident => match module.item(text) {
                Some(item) if matches!(module.items[item].kind, ItemKind::Const | ItemKind::Override) => {
                    self.ev.item_value(item)
                }
                _ => Err(Eval::Unknown(at)),
            },
            Kind::Punct => Err(Eval::Unknown(at)),
        }
    }

    fn expect(&mut self, close: &str, v: Value) -> Result<Value, Eval> {
        if self.text() != close {
            return Err(Eval::Unknown(self.pos));
        }
        self.pos += 1;
        Ok(v)
    }
}

/// A WGSL numeric literal: integers with an optional `i`/`u` suffix,
/// decimal floats with an optional `f`/`h`.
fn number(text: &str) -> Option<Value> {
    let digits = text.trim_end_matches(['i', 'u']);
    if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        return i128::from_str_radix(hex, 16).ok().map(Value::Int);
    }
    if let Ok(i) = digits.parse::<i128>() {
        return Some(Value::Int(i));
    }
    text.trim_end_matches(['f', 'h']).parse::<f64>().ok().map(Value::Float)
}

fn apply(op: &str, a: Value, b: Value) -> Option<Value> {
    use Value::*;
    Some(match (a, b) {
        (Int(a), Int(b)) => match op {
            "+" => Int(a.checked_add(b)?),
            "-" => Int(a.checked_sub(b)?),
            "*" => Int(a.checked_mul(b)?),
            "/" => Int(a.checked_div(b)?),
            "%" => Int(a.checked_rem(b)?),
            "<<" => Int(a.checked_mul(1i128.checked_shl(u32::try_from(b).ok().filter(|&b| b < 64)?)?)?),
            ">>" => Int(a >> u32::try_from(b).ok().filter(|&b| b < 64)?),
            "&" => Int(a & b),
            "|" => Int(a | b),
            "^" => Int(a ^ b),
            _ => Bool(compare(op, a.partial_cmp(&b)?)?),
        },
        (Float(a), Float(b)) => match op {
            "+" => Float(a + b),
            "-" => Float(a - b),
            "*" => Float(a * b),
            "/" => Float(a / b),
            _ => Bool(compare(op, a.partial_cmp(&b)?)?),
        },
        (Bool(a), Bool(b)) => match op {
            "&&" | "&" => Bool(a && b),
            "||" | "|" => Bool(a || b),
            "==" => Bool(a == b),
            "!=" => Bool(a != b),
            _ => return None,
        },
        _ => return None,
    })
}

fn compare(op: &str, ordering: std::cmp::Ordering) -> Option<bool> {
    use std::cmp::Ordering::*;
    Some(match op {
        "==" => ordering == Equal,
        "!=" => ordering != Equal,
        "<" => ordering == Less,
        ">" => ordering == Greater,
        "<=" => ordering != Greater,
        ">=" => ordering != Less,
        _ => return None,
    })
}

/// The built-in functions and conversions array sizes and workgroup sizes
/// are commonly written with.
fn call(name: &str, args: &[Value]) -> Option<Value> {
    use Value::*;
    Some(match (name, args) {
        ("u32" | "i32", [Int(i)]) => Int(*i),
        ("u32" | "i32", [Float(f)]) if f.is_finite() => Int(f.trunc() as i128),
        ("u32" | "i32", [Bool(b)]) => Int(i128::from(*b)),
        ("f32" | "f16", [Int(i)]) => Float(*i as f64),
        ("f32" | "f16", [Float(f)]) => Float(*f),
        ("bool", [v]) => Bool(*v != Int(0) && *v != Float(0.0) && *v != Bool(false)),
        ("min", [Int(a), Int(b)]) => Int(*a.min(b)),
        ("max", [Int(a), Int(b)]) => Int(*a.max(b)),
        ("min", [Float(a), Float(b)]) => Float(a.min(*b)),
        ("max", [Float(a), Float(b)]) => Float(a.max(*b)),
        ("abs", [Int(a)]) => Int(a.abs()),
        ("abs", [Float(a)]) => Float(a.abs()),
        ("clamp", [Int(x), Int(lo), Int(hi)]) if lo <= hi => Int(*x.clamp(lo, hi)),
        ("select", [f, t, Bool(c)]) => {
            if *c {
                *t
            } else {
                *f
            }
        }
        _ => return None,
    })
}

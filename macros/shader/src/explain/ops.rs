//! Operator and conversion errors in words: what the operation does, on which WGSL types, and,
//! where two numeric types differ, the cast that fixes it (WGSL converts no concrete type
//! implicitly, which surprises users of C-like languages).

use naga::{BinaryOperator as B, UnaryOperator};

/// "cannot add `u32` and `i32` (cast one side: `i32(a)` or `u32(b)`)": each side is its WGSL
/// type and, where naga knows it, its source text.
pub(crate) fn binary(op: B, lhs: (&str, Option<&str>), rhs: (&str, Option<&str>)) -> String {
    let ((a, a_text), (b, b_text)) = (lhs, rhs);
    let what = match op {
        B::Add => format!("cannot add `{a}` and `{b}`"),
        B::Subtract => format!("cannot subtract `{b}` from `{a}`"),
        B::Multiply => format!("cannot multiply `{a}` by `{b}`"),
        B::Divide => format!("cannot divide `{a}` by `{b}`"),
        B::Modulo => format!("cannot take the remainder of `{a}` divided by `{b}`"),
        B::ShiftLeft | B::ShiftRight => format!("cannot shift `{a}` by `{b}`"),
        B::Equal | B::NotEqual | B::Less | B::LessEqual | B::Greater | B::GreaterEqual => {
            format!("cannot compare `{a}` with `{b}` using `{}`", binary_symbol(op))
        }
        _ => format!("cannot apply `{}` to `{a}` and `{b}`", binary_symbol(op)),
    };
    let hint = match op {
        // The shift amount is a `u32` (of the same width as the value), whatever the value is.
        B::ShiftLeft | B::ShiftRight => {
            let amount = if a.starts_with("vec") { a.replace(numeric(a).unwrap_or(a), "u32") } else { "u32".into() };
            numeric(b).and(cast(&amount, b_text)).map(|c| format!(" (the shift amount is a `{amount}`: write {c})"))
        }
        B::LogicalAnd | B::LogicalOr => None,
        _ if same_shape(a, b) => match (cast(b, a_text), cast(a, b_text)) {
            (Some(x), Some(y)) => Some(format!(" (cast one side: {x} or {y})")),
            _ => None,
        },
        _ => None,
    };
    what + hint.as_deref().unwrap_or_default()
}

/// `` `f32(x)` ``: a conversion of `text` to the concrete numeric scalar or vector type `ty`, or
/// `None` where that is no plain conversion (or the text is too long to quote).
pub(crate) fn cast(ty: &str, text: Option<&str>) -> Option<String> {
    numeric(ty)?;
    let text = text.map(str::trim).filter(|t| !t.is_empty() && t.len() <= 40 && !t.contains('\n'));
    Some(format!("`{ty}({})`", text.unwrap_or("..")))
}

/// The element type of a concrete numeric scalar or vector type: `u32`, `vec3<f32>` → `f32`.
fn numeric(ty: &str) -> Option<&str> {
    let scalar = match ty.strip_prefix("vec") {
        Some(rest) => rest.get(1..)?.strip_prefix('<')?.strip_suffix('>')?,
        None => ty,
    };
    matches!(scalar, "i32" | "u32" | "f32" | "f16").then_some(scalar)
}

/// Both numeric with the same number of components, and different: a cast fixes that.
pub(crate) fn same_shape(a: &str, b: &str) -> bool {
    fn components(t: &str) -> Option<&str> {
        if t.starts_with("vec") { t.get(3..4) } else { Some("1") }
    }
    a != b && numeric(a).is_some() && numeric(b).is_some() && components(a) == components(b)
}

pub(crate) fn unary_symbol(op: UnaryOperator) -> &'static str {
    match op {
        UnaryOperator::Negate => "-",
        UnaryOperator::LogicalNot => "!",
        UnaryOperator::BitwiseNot => "~",
    }
}

fn binary_symbol(op: B) -> &'static str {
    match op {
        B::Add => "+",
        B::Subtract => "-",
        B::Multiply => "*",
        B::Divide => "/",
        B::Modulo => "%",
        B::Equal => "==",
        B::NotEqual => "!=",
        B::Less => "<",
        B::LessEqual => "<=",
        B::Greater => ">",
        B::GreaterEqual => ">=",
        B::And => "&",
        B::ExclusiveOr => "^",
        B::InclusiveOr => "|",
        B::LogicalAnd => "&&",
        B::LogicalOr => "||",
        B::ShiftLeft => "<<",
        B::ShiftRight => ">>",
    }
}

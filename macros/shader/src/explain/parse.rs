//! naga's parse errors in WGSL's words. naga words the type errors its front end catches (a
//! conversion WGSL does not make, a builtin's argument, a declaration's type) around its own type
//! spellings and leaves out the fix; these say which types, and the cast that fixes a numeric
//! mismatch. Only the message, the spans and naga's own labels and notes are public, so the
//! rewording works from those.

use std::ops::Range;

use super::Label;
use super::ops::{cast, same_shape};

/// The reworded message and labels, or `None` to keep naga's. `labels` are naga's, primary first;
/// `rendered` is naga's rendering, whose notes list what a builtin accepts.
pub(crate) fn explain(
    message: &str,
    labels: &[(Range<usize>, &str)],
    rendered: &str,
    source: &str,
) -> Option<(String, Vec<Label>)> {
    // A `let`'s value is labelled where the `let` is: quote only what is written at the error.
    let start = labels.first()?.0.start;
    let text = |i: usize| {
        let span = labels.get(i)?.0.clone();
        let line = source.get(start.min(span.start)..span.end)?;
        (span.start >= start && !line.contains('\n')).then(|| source.get(span)).flatten()
    };
    let label_type = |i: usize| labels.get(i).and_then(|(_, l)| after(l, "has type "));
    let relabel = |texts: &[String]| -> Vec<Label> {
        labels.iter().zip(texts).map(|((span, _), t)| (Some(span.clone()), t.clone())).collect()
    };
    if let Some(rest) = message.strip_prefix("automatic conversions cannot convert elements of `") {
        let (from, to) = rest.strip_suffix('`')?.split_once("` to `")?;
        let at = labels.iter().position(|(_, l)| l.starts_with("this expression has type"))?;
        let target = match from.split_once('<') {
            Some((vec, _)) if from.starts_with("vec") => format!("{vec}<{to}>"),
            _ => to.to_string(),
        };
        let hint = convert(from, &target, text(at));
        let texts: Vec<String> = (0..labels.len())
            .map(|i| if i == at { format!("this is a `{from}`") } else { format!("a `{to}` is needed here") })
            .collect();
        return Some((format!("WGSL does not convert `{from}` to `{to}` implicitly{hint}"), relabel(&texts)));
    }
    if let Some(rest) = message.strip_prefix("inconsistent type passed as argument #") {
        let (index, function) = rest.split_once(" to ")?;
        let find = |prefix: &str| labels.iter().position(|(_, l)| l.starts_with(prefix));
        let (seen_at, wanted_at) = (find("argument #")?, find("this argument has type")?);
        let (seen, wanted) = (label_type(seen_at)?, label_type(wanted_at)?.split(',').next()?);
        let hint = convert(seen, wanted, text(seen_at));
        let texts: Vec<String> = (0..labels.len())
            .map(|i| match i {
                _ if i == seen_at => format!("this is a `{}`", wgsl(seen)),
                _ if i == wanted_at => format!("this is a `{}`", wgsl(wanted)),
                _ => String::new(),
            })
            .collect();
        return Some((
            format!(
                "argument {index} of {function} is a `{}`, but must be a `{}` like the argument before it{hint}",
                wgsl(seen),
                wgsl(wanted)
            ),
            relabel(&texts),
        ));
    }
    if let Some(rest) = message.strip_prefix("wrong type passed as argument #") {
        let (index, function) = rest.split_once(" to ")?;
        let seen = label_type(1)?.trim_matches('`');
        let allowed = allowed_types(rendered);
        let scalars: Vec<&str> = allowed.iter().filter(|t| !t.contains('<')).copied().collect();
        let vectors = if allowed.iter().any(|t| t.starts_with("vec")) { " (or a vector of them)" } else { "" };
        let hint = scalars.first().map(|t| convert(seen, t, text(1))).unwrap_or_default();
        let takes = match scalars.as_slice() {
            [] => "another type".to_string(),
            [one] => format!("a `{one}`"),
            [init @ .., last] => format!("`{}` or `{last}`", init.join("`, `")),
        };
        let texts = [String::new(), format!("this is a `{seen}`")];
        return Some((
            format!("argument {index} of {function} must be {takes}{vectors}, not a `{seen}`{hint}"),
            relabel(&texts),
        ));
    }
    if let Some(rest) = message.strip_prefix("wrong number of arguments: expected ") {
        let (expected, found) = rest.split_once(", found ")?;
        let name = text(0)?;
        let was = if found == "1" { "was" } else { "were" };
        let plural = if expected == "1" { "" } else { "s" };
        let texts = [format!("`{name}` called with {found}")];
        return Some((format!("`{name}` takes {expected} argument{plural}, but {found} {was} given"), relabel(&texts)));
    }
    if let Some(rest) = message.strip_prefix("the type of `") {
        let (name, rest) = rest.split_once("` is expected to be `")?;
        let (wanted, seen) = rest.strip_suffix('`')?.split_once("`, but got `")?;
        let init = initializer(source, labels.first()?.0.end);
        let hint = match seen {
            "{AbstractFloat}" | "{AbstractInt}" => convert("f32", wanted, init),
            other => convert(other, wanted, init),
        };
        let seen = value(seen);
        let texts = [format!("`{name}` is declared here")];
        return Some((format!("`{name}` is declared as `{wanted}`, but its value is {seen}{hint}"), relabel(&texts)));
    }
    if message.starts_with("type mismatch for reject and accept values in `select`") {
        let find = |prefix: &str| labels.iter().position(|(_, l)| l.starts_with(prefix));
        let (reject, accept) = (find("reject value of type")?, find("accept value of type")?);
        let of_type = |i: usize| after(labels.get(i)?.1, "of type ");
        let (first, second) = (of_type(reject)?, of_type(accept)?);
        let hint = convert(second, first, text(accept));
        let texts: Vec<String> = (0..labels.len())
            .map(|i| {
                if i == reject {
                    value(first)
                } else if i == accept {
                    value(second)
                } else {
                    String::new()
                }
            })
            .collect();
        return Some((
            format!(
                "the two values of `select` must have the same type, but the first is {} and the second {}{hint}",
                value(first),
                value(second)
            ),
            relabel(&texts),
        ));
    }
    if let Some(name) = message.strip_prefix("too many arguments passed to ") {
        let at_most = rendered.split_once("accepts at most ")?.1.split_once(' ')?.0;
        let extra = labels.iter().find_map(|(_, l)| l.strip_prefix("unexpected argument #"))?;
        let plural = if at_most == "1" { "" } else { "s" };
        let texts = [String::new(), "one too many".to_string()];
        return Some((
            format!("{name} takes at most {at_most} argument{plural}: argument {extra} is one too many"),
            relabel(&texts),
        ));
    }
    if message == "atomic operation is done on a pointer to a non-atomic" {
        let pointer = text(0)?;
        let before = source.get(..labels.first()?.0.start)?.trim_end().strip_suffix('(')?.trim_end();
        let function = &before[before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1)..];
        let texts = ["a pointer to a plain value".to_string()];
        return Some((
            format!(
                "`{function}` needs a pointer to an `atomic<u32>` or `atomic<i32>`, and `{pointer}` points to a plain \
                 value: declare the variable with an atomic type, e.g. `array<atomic<u32>>`"
            ),
            relabel(&texts),
        ));
    }
    if let Some(name) = message.strip_prefix("no definition in scope for identifier: ") {
        let span = labels.first()?.0.clone();
        let (before, after) = (source.get(..span.start)?, source.get(span.end..)?);
        let what = if after.trim_start().starts_with('(') {
            "function"
        } else if before.ends_with('<') || before.trim_end().ends_with([':', '>']) || after.starts_with('<') {
            // `array<vec5<f32>>`, `x: vec5f`, `-> vec5f`: where a type is written.
            "type"
        } else {
            "variable, constant or function"
        };
        let texts = ["unknown identifier".to_string()];
        return Some((format!("{name} is not declared: no {what} of this name is in scope"), relabel(&texts)));
    }
    None
}

/// " (write `f32(x)`)" for a value `text` of numeric type `from` where a `to` of as many
/// components is needed (WGSL converts between those only), quoting
/// `text` only where it is one operand: naga's span may cover the whole expression around it.
fn convert(from: &str, to: &str, text: Option<&str>) -> String {
    if !same_shape(from, to) {
        return String::new();
    }
    let mut depth = 0i32;
    let operand = text.filter(|t| {
        t.char_indices().all(|(i, c)| {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == 0 || !(c.is_whitespace() || "+-*/%&|^=!".contains(c))
        })
    });
    cast(to, operand).map(|c| format!(" (write {c})")).unwrap_or_default()
}

/// "a `u32`", or what an abstract type is: the type of a literal.
fn value(ty: &str) -> String {
    match ty {
        "{AbstractFloat}" | "AbstractFloat" => "a float literal".to_string(),
        "{AbstractInt}" | "AbstractInt" => "an integer literal".to_string(),
        other => format!("a `{}`", wgsl(other)),
    }
}

/// naga's spelling of abstract types, `{AbstractFloat}`, as WGSL's specification names them.
pub(crate) fn wgsl(text: &str) -> String {
    text.replace("{AbstractFloat}", "AbstractFloat").replace("{AbstractInt}", "AbstractInt")
}

/// The text after `prefix` in `label`, without quotes.
fn after<'a>(label: &'a str, prefix: &str) -> Option<&'a str> {
    Some(label.split_once(prefix)?.1.trim_matches('`'))
}

/// The types naga's notes list as accepted, less those WebGPU lacks (`f64`) and the abstract
/// ones (no value has them at run time).
fn allowed_types(rendered: &str) -> Vec<&str> {
    rendered
        .lines()
        .filter_map(|line| line.split_once("allowed type: ").map(|(_, t)| t.trim()))
        .filter(|t| !t.contains("f64") && !t.contains('{'))
        .collect()
}

/// The initializer of the declaration whose name ends at `name_end`: from after `=` to the `;`.
fn initializer(source: &str, name_end: usize) -> Option<&str> {
    let rest = source.get(name_end..)?;
    let end = rest.find(';')?;
    let value = rest[..end].split_once('=')?.1.trim();
    (!value.is_empty()).then_some(value)
}

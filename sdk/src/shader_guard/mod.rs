//! The guard every runtime WGSL shader passes before the host (or the
//! guest's own naga, with the cargo feature `validate`) sees it.
//!
//! The reference host compiles WGSL with naga, whose recursive-descent
//! parser and lowerer use stack in proportion to how deeply an expression
//! nests: 1,000 nested parentheses overflow the host's stack and end the
//! whole host process, as do very long operator chains, and workgroup,
//! private or function-scope arrays larger than the driver can allocate
//! crash or hang it. A shader that could do that is refused here with
//! [`Error::ShaderRefused`](crate::Error::ShaderRefused), which says which
//! call, what was over which bound, and where (line:column).
//!
//! The guard is a lexer, one scan over the tokens for nesting and
//! expression depth, and a parser of module-scope declarations (`const`,
//! `override`, `alias`, `struct`, `var`, `fn` signatures) with an evaluator
//! of the `const` and `override` expressions that size arrays and
//! workgroups. It needs no naga, runs in time linear in the source
//! (tests/BAD_INPUTS.md has its measured cost) and never recurses more
//! deeply than the bounds below allow.
//!
//! What it checks, and when:
//!
//! | check | bound | at |
//! |---|---|---|
//! | source size | [`MAX_SOURCE_BYTES`] | `create_shader_module` |
//! | brackets `( [ { <` and unary operators nested | [`MAX_NESTING_DEPTH`] | `create_shader_module` |
//! | braces (blocks) nested | [`MAX_BLOCK_DEPTH`] | `create_shader_module` |
//! | depth of one expression (operators, calls, indices, members) | [`MAX_EXPRESSION_DEPTH`] | `create_shader_module` |
//! | workgroup memory of an entry point (each variable rounded up to 16 bytes, as WebGPU counts it) | the device's `maxComputeWorkgroupStorageSize` | module creation where no override sizes it; pipeline creation with the pipeline's constants and the overrides' defaults |
//! | private and function-scope memory of an entry point | [`MAX_PRIVATE_MEMORY_BYTES`] | module creation |
//! | `@workgroup_size` | `maxComputeWorkgroupSizeX/Y/Z`, `maxComputeInvocationsPerWorkgroup` | module creation where it is constant; pipeline creation where an override sets it |
//!
//! An array length or workgroup size that the guard cannot evaluate (it
//! knows literals, `const`s, `override`s, the arithmetic, bit and
//! comparison operators, `min`, `max`, `abs`, `clamp`, `select` and the
//! scalar conversions) is refused too, with `value: None`: the host does
//! not check override-sized workgroups itself, so letting it judge could
//! crash it. Memory is counted per entry point over the functions and
//! module-scope variables it names (an identifier shadowed by a local still
//! counts: the count errs high), and in functions every occurrence of an
//! array or struct type counts (a `var a: T = T();` counts `T` twice). A
//! value whose array type is only inferred from a call or another variable
//! (`let a = f();`) is counted in `f`'s signature, where the type is
//! written.

mod decl;
mod eval;
mod lex;

use std::fmt;

use crate::Limits;
use decl::{ItemKind, Module};
use eval::{Eval, Evaluator, Layout};

/// The most bytes of WGSL source a runtime shader module may have: far
/// above any real shader (the largest in this repository is 6 KB), and it
/// keeps the guard's token list (12 bytes a token) small in a guest.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// The most brackets (`(`, `[`, `{` and template lists `<…>`) and unary
/// operators that may be open at once. Without the guard, the reference
/// host's stack (wasmtime's 2 MiB async fiber stack, which naga and the
/// driver's compiler run on) overflowed, ending the host process, at 225–255
/// nested calls, 257–319 nested parentheses and 257–511 nested template
/// lists, indices or unary operators; the guest's own naga (feature
/// `validate`, on the guest's 1 MiB stack) trapped at 129–255 nested calls,
/// template lists or indices and 193–255 parentheses. Real shaders nest
/// fewer than 12 deep.
pub const MAX_NESTING_DEPTH: usize = 64;

/// The most braces (blocks: function bodies, `if`, loops, struct bodies)
/// that may be open at once. Blocks cost the host far more stack than
/// brackets: it died at 53–55 nested blocks. Real shaders nest fewer than 8.
pub const MAX_BLOCK_DEPTH: usize = 16;

/// The deepest one expression's tree may be, estimated as the operators,
/// calls, indices and member accesses of one comma- or
/// semicolon-separated element plus its deepest bracket: a chain `1+1+…+1`
/// is as deep as it is long (the estimate errs high for balanced trees).
/// The host died at 321–383 terms of `1u+1u+…`.
pub const MAX_EXPRESSION_DEPTH: usize = 128;

/// The most bytes of `var<private>`, function-scope variables and
/// constant arrays an entry point may use. Drivers keep them in registers
/// or per-invocation scratch: lavapipe's compiler hung on a 64 KiB
/// function-scope array and a 16 MiB one crashed the host, while 32 KiB
/// still compiled; a quarter of the size that hung leaves room for a slower
/// driver. Real shaders keep such arrays to a few hundred bytes.
pub const MAX_PRIVATE_MEMORY_BYTES: u64 = 16 * 1024;

/// Why the guard refused a shader, and where. The public face is
/// [`ShaderRefusal`]; `limit` empty means the guard's own memory ran out.
#[derive(Debug)]
pub(crate) struct Refusal {
    offset: u32,
    what: String,
    value: Option<u64>,
    limit: &'static str,
    max: u64,
}

/// The guard's own bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    Nesting,
    BlockDepth,
    ExpressionDepth,
}

impl Bound {
    pub(crate) fn max(self) -> u64 {
        match self {
            Self::Nesting => MAX_NESTING_DEPTH as u64,
            Self::BlockDepth => MAX_BLOCK_DEPTH as u64,
            Self::ExpressionDepth => MAX_EXPRESSION_DEPTH as u64,
        }
    }
}

impl Refusal {
    pub(crate) fn at(offset: u32, bound: Bound, value: u64) -> Self {
        let (what, limit) = match bound {
            Bound::Nesting => ("brackets and unary operators nested", "MAX_NESTING_DEPTH"),
            Bound::BlockDepth => ("braces nested", "MAX_BLOCK_DEPTH"),
            Bound::ExpressionDepth => ("expression depth", "MAX_EXPRESSION_DEPTH"),
        };
        Self { offset, what: what.to_owned(), value: Some(value), limit, max: bound.max() }
    }

    pub(crate) fn out_of_memory(bytes: usize) -> Self {
        Self {
            offset: 0,
            what: format!("the guard's tokens for {bytes} bytes of WGSL"),
            value: None,
            limit: "",
            max: 0,
        }
    }

    /// The SDK error for `operation`, with the line and column of the
    /// refused code in `source`.
    pub(crate) fn into_error(self, source: &str, operation: &'static str) -> crate::Error {
        if self.limit.is_empty() {
            return crate::Error::OutOfMemory(format!("{operation}: {}", self.what));
        }
        let before = &source[..(self.offset as usize).min(source.len())];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
        crate::Error::ShaderRefused(ShaderRefusal {
            operation,
            what: self.what,
            value: self.value,
            limit: self.limit,
            max: self.max,
            line: line as u32,
            column: column as u32,
        })
    }
}

/// Runtime WGSL the SDK refused before any compiler saw it, because it is
/// over a bound past which the host's compiler or driver may crash or
/// hang. The [module docs](crate::shader_guard) list the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShaderRefusal {
    /// The call that refused it: `create_shader_module`,
    /// `create_compute_pipeline` or `create_render_pipeline`.
    pub operation: &'static str,
    /// What was too large, in words.
    pub what: String,
    /// Its value; `None` when the guard could not evaluate it (an
    /// expression beyond the guard's evaluator), which it refuses rather
    /// than let the host judge.
    pub value: Option<u64>,
    /// The bound's name: a device limit (`maxComputeWorkgroupStorageSize`)
    /// or one of this module's constants (`MAX_NESTING_DEPTH`).
    pub limit: &'static str,
    /// The bound's value.
    pub max: u64,
    /// 1-based line of the refused code.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for ShaderRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { operation, what, value, limit, max, line, column } = self;
        match value {
            Some(value) => write!(f, "{operation}: WGSL at {line}:{column}: {what} = {value} exceeds {limit} = {max}"),
            None => write!(
                f,
                "{operation}: WGSL at {line}:{column}: {what} is beyond what the SDK can evaluate before \
                 compiling, so it cannot be checked against {limit} = {max}"
            ),
        }
    }
}

impl std::error::Error for ShaderRefusal {}

/// What a pipeline stage asks of a module.
pub(crate) struct Stage<'a> {
    /// `compute`, `vertex` or `fragment`.
    pub(crate) stage: &'static str,
    /// The entry point; `None`: the module's only one of that stage.
    pub(crate) entry_point: Option<&'a str>,
    pub(crate) constants: &'a [(&'a str, f64)],
}

/// Runs the checks `create_shader_module` makes on `source` for a device
/// with `limits`, without a device: `Err(Error::ShaderRefused)` for what it
/// would refuse. What depends on overrides is checked at pipeline creation
/// and passes here.
pub fn check(source: &str, limits: &Limits) -> crate::Result<()> {
    check_module(source, limits).map(|_| ())
}

/// Checks a shader module's source at `create_shader_module`. `Ok(true)`
/// when something depends on overrides, so that pipeline creation must
/// check again with the pipeline's constants.
pub(crate) fn check_module(source: &str, limits: &Limits) -> Result<bool, crate::Error> {
    const OP: &str = "create_shader_module";
    if source.len() > MAX_SOURCE_BYTES {
        return Err(crate::Error::ShaderRefused(ShaderRefusal {
            operation: OP,
            what: "source size in bytes".to_owned(),
            value: Some(source.len() as u64),
            limit: "MAX_SOURCE_BYTES",
            max: MAX_SOURCE_BYTES as u64,
            line: 1,
            column: 1,
        }));
    }
    let checked = (|| {
        let tokens = lex::tokens(source)?;
        lex::scan_nesting(source, &tokens)?;
        let module = Module::parse(source, tokens)?;
        check_entries(&module, None, limits)?;
        Ok(module.items.iter().any(|item| item.kind == ItemKind::Override))
    })();
    checked.map_err(|refusal: Refusal| refusal.into_error(source, OP))
}

/// Checks, at pipeline creation, what overrides decide in a module that
/// [`check_module`] accepted: workgroup sizes and override-sized workgroup
/// arrays, with the pipeline's constants.
pub(crate) fn check_stage(
    source: &str,
    stage: &Stage<'_>,
    limits: &Limits,
    operation: &'static str,
) -> crate::Result<()> {
    let checked = (|| {
        let module = Module::parse(source, lex::tokens(source)?)?;
        check_entries(&module, Some(stage), limits)
    })();
    checked.map_err(|refusal| refusal.into_error(source, operation))
}

/// Checks the entry points `stage` selects (all of them when `None`, at
/// module creation, where what depends on overrides is left for later).
fn check_entries(module: &Module<'_>, stage: Option<&Stage<'_>>, limits: &Limits) -> Result<(), Refusal> {
    let ev = Evaluator::new(module, stage.map(|s| s.constants));
    for (index, item) in module.items.iter().enumerate() {
        let Some(item_stage) = item.stage else { continue };
        if let Some(stage) = stage
            && (item_stage != stage.stage || stage.entry_point.is_some_and(|name| name != item.name))
        {
            continue;
        }
        check_entry(&ev, index, limits)?;
    }
    Ok(())
}

/// Sizes a layout, or says why not: `Ok(None)` for what waits for
/// overrides.
fn sized(
    ev: &Evaluator<'_, '_>,
    result: Result<Layout, Eval>,
    what: &str,
    limit: &'static str,
    max: u64,
) -> Result<Option<u64>, Refusal> {
    match result {
        Ok(layout) => Ok(Some(layout.size)),
        Err(Eval::Deferred) => Ok(None),
        Err(Eval::Unknown(at) | Eval::Need(at)) => {
            Err(Refusal { offset: ev.module.offset(at), what: what.to_owned(), value: None, limit, max })
        }
    }
}

/// Checks one entry point: the memory of what it reaches, and its
/// workgroup size.
fn check_entry(ev: &Evaluator<'_, '_>, entry: usize, limits: &Limits) -> Result<(), Refusal> {
    let m = ev.module;
    let name = m.items[entry].name;
    let workgroup_max = u64::from(limits.max_compute_workgroup_storage_size);
    let (mut workgroup, mut private) = (0u64, 0u64);
    let private_what = format!("private and function-scope memory of entry point `{name}`, in bytes");
    let workgroup_what = format!("workgroup memory of entry point `{name}`, in bytes");
    let over_private = |at: usize, total: u64| Refusal {
        offset: m.offset(at),
        what: private_what.clone(),
        value: Some(total),
        limit: "MAX_PRIVATE_MEMORY_BYTES",
        max: MAX_PRIVATE_MEMORY_BYTES,
    };
    // The functions and module-scope declarations the entry point reaches,
    // walked with a heap stack (WGSL forbids recursion, but a hostile
    // module's cycle must not hang the guard).
    let mut seen = vec![false; m.items.len()];
    let mut stack = vec![entry];
    seen[entry] = true;
    while let Some(function) = stack.pop() {
        let body = m.items[function].body.clone();
        let mut j = body.start;
        while j < body.end {
            let text = m.text(j);
            let after_dot = j > 0 && m.text(j - 1) == ".";
            let templated = m.text(j + 1) == "<";
            if text == "ptr" && templated {
                j = m.template_end(j + 1) + 1;
                continue;
            }
            let item = m.item(text).filter(|_| !after_dot);
            let is_type = (text == "array" && templated)
                || item.is_some_and(|i| matches!(m.items[i].kind, ItemKind::Struct | ItemKind::Alias));
            // A struct value needs memory of its own only where it is
            // declared (`var r: Ray`, `let r = Ray(…)`); elsewhere its
            // constructor is an expression, which a renderer may write
            // hundreds of times. Arrays count wherever they are made, since
            // indexing an array value dynamically spills it to memory.
            let struct_value = text != "array";
            let declared = j >= 1 && m.text(j - 1) == ":"
                || j >= 3 && m.text(j - 1) == "=" && matches!(m.text(j - 3), "var" | "let" | ">");
            if is_type && struct_value && !declared {
                j += 1;
                continue;
            }
            if is_type {
                let layout = ev.with(|| ev.layout(j..body.end));
                let what = "the size of this function-scope type";
                if let Some(size) = sized(ev, layout, what, "MAX_PRIVATE_MEMORY_BYTES", MAX_PRIVATE_MEMORY_BYTES)? {
                    private = private.saturating_add(size);
                    if private > MAX_PRIVATE_MEMORY_BYTES {
                        return Err(over_private(j, private));
                    }
                }
                j = if templated { m.template_end(j + 1) + 1 } else { j + 1 };
                continue;
            }
            if let Some(i) = item
                && !seen[i]
            {
                seen[i] = true;
                let decl = &m.items[i];
                match decl.kind {
                    ItemKind::Fn => stack.push(i),
                    ItemKind::Var | ItemKind::Const => {
                        // The declared type, or the type the initializer
                        // constructs (`var<private> t = array<u32, 4>(…)`).
                        let ty = decl.ty.clone().or_else(|| {
                            decl.init.clone().filter(|init| {
                                let head = m.text(init.start);
                                (head == "array" && m.text(init.start + 1) == "<")
                                    || m.item(head).is_some_and(|h| m.items[h].kind == ItemKind::Struct)
                            })
                        });
                        let space = if decl.kind == ItemKind::Const { "private" } else { decl.space };
                        if let Some(ty) = ty
                            && matches!(space, "private" | "workgroup")
                        {
                            let layout = ev.with(|| ev.layout(ty.clone()));
                            if space == "workgroup" {
                                let what = format!("the size of workgroup variable `{}`", decl.name);
                                if let Some(size) =
                                    sized(ev, layout, &what, "maxComputeWorkgroupStorageSize", workgroup_max)?
                                {
                                    // WebGPU counts each variable rounded up to 16 bytes.
                                    workgroup = workgroup.saturating_add(size.div_ceil(16).saturating_mul(16));
                                    if workgroup > workgroup_max {
                                        return Err(Refusal {
                                            offset: m.offset(decl.at),
                                            what: workgroup_what,
                                            value: Some(workgroup),
                                            limit: "maxComputeWorkgroupStorageSize",
                                            max: workgroup_max,
                                        });
                                    }
                                }
                            } else {
                                let what = format!("the size of `{}`", decl.name);
                                if let Some(size) =
                                    sized(ev, layout, &what, "MAX_PRIVATE_MEMORY_BYTES", MAX_PRIVATE_MEMORY_BYTES)?
                                {
                                    private = private.saturating_add(size);
                                    if private > MAX_PRIVATE_MEMORY_BYTES {
                                        return Err(over_private(decl.at, private));
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            j += 1;
        }
    }
    if m.items[entry].stage == Some("compute") {
        check_workgroup_size(ev, entry, limits)?;
    }
    Ok(())
}

/// Checks `@workgroup_size` of the compute entry point `entry` against the
/// per-dimension limits and `maxComputeInvocationsPerWorkgroup`.
fn check_workgroup_size(ev: &Evaluator<'_, '_>, entry: usize, limits: &Limits) -> Result<(), Refusal> {
    let m = ev.module;
    let item = &m.items[entry];
    let dims = [
        ("x", "maxComputeWorkgroupSizeX", limits.max_compute_workgroup_size_x),
        ("y", "maxComputeWorkgroupSizeY", limits.max_compute_workgroup_size_y),
        ("z", "maxComputeWorkgroupSizeZ", limits.max_compute_workgroup_size_z),
    ];
    let mut invocations = 1u64;
    for (arg, (axis, limit, max)) in item.workgroup_size.iter().zip(dims) {
        let max = u64::from(max);
        let what = format!("workgroup size {axis} of entry point `{}`", item.name);
        let size = match ev.with(|| ev.count(arg.clone())) {
            Ok(size) => size,
            Err(Eval::Deferred) => return Ok(()),
            Err(Eval::Unknown(at) | Eval::Need(at)) => {
                return Err(Refusal { offset: m.offset(at), what, value: None, limit, max });
            }
        };
        if size > max {
            return Err(Refusal { offset: m.offset(arg.start), what, value: Some(size), limit, max });
        }
        invocations = invocations.saturating_mul(size);
    }
    let max = u64::from(limits.max_compute_invocations_per_workgroup);
    if invocations > max {
        return Err(Refusal {
            offset: m.offset(item.workgroup_size_at),
            what: format!("invocations per workgroup of entry point `{}`", item.name),
            value: Some(invocations),
            limit: "maxComputeInvocationsPerWorkgroup",
            max,
        });
    }
    Ok(())
}

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

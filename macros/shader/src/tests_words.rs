//! The type errors users hit most, each with its exact words: WGSL type names, which operation or
//! argument, and the cast that fixes a numeric mismatch. naga's own wording ("Operation Add can't
//! work with [28] (of type Scalar(..))", "automatic conversions cannot convert elements of ..")
//! must not come back.

use crate::tests::{assert_at, err};

const HEAD: &str = "@group(0) @binding(0) var<storage, read_write> o: array<u32>;\n\
                    @group(0) @binding(1) var<storage, read_write> f: array<f32>;\n";

/// The message for `body` inside a compute entry point, checked to be at `at`.
fn message(body: &str, at: &str) -> String {
    let src = format!("{HEAD}@compute @workgroup_size(1) fn main() {{\n    {body}\n}}\n");
    let d = err(&src);
    assert_at(&d, &src, at);
    for old in ["Operation", "can't work", "Scalar", "automatic conversions", "{Abstract", "no definition in scope"] {
        assert!(!d.rendered.contains(old), "{old:?} in:\n{d}");
    }
    d.message
}

#[test]
fn binary_operators_on_mismatched_types_say_the_operation_and_the_cast() {
    let m = message("let a = o[0]; let b = 2i; o[1] = a + b;", "a + b");
    assert_eq!(m, "in compute entry point `main`: cannot add `u32` and `i32` (cast one side: `i32(a)` or `u32(b)`)");
    let m = message("let b = -1i; o[0] = u32(o[1] / b);", "o[1] / b");
    assert_eq!(
        m,
        "in compute entry point `main`: cannot divide `u32` by `i32` (cast one side: `i32(o[1])` or `u32(b)`)"
    );
    let m = message("let a = 1i; if o[0] < a { o[1] = 1u; }", "o[0] < a");
    assert_eq!(
        m,
        "in compute entry point `main`: cannot compare `u32` with `i32` using `<` (cast one side: `i32(o[0])` or `u32(a)`)"
    );
    // No cast makes a `vec3` of a `vec2`.
    let m = message("let v = vec3f(1.0) - vec2f(1.0);", "vec3f(1.0) - vec2f(1.0)");
    assert_eq!(m, "in compute entry point `main`: cannot subtract `vec2<f32>` from `vec3<f32>`");
}

#[test]
fn implicit_conversions_name_both_types_and_the_conversion() {
    let m = message("f[0] = o[0];", "f[0]");
    assert_eq!(m, "WGSL does not convert `u32` to `f32` implicitly (write `f32(o[0])`)");
    // naga's span covers the whole product, so the cast is not quoted around it.
    let m = message("f[0] = f32(o[0]) * 2u;", "f[0] = f32");
    assert_eq!(m, "WGSL does not convert `u32` to `f32` implicitly (write `f32(..)`)");
    let m = message("let b = true; f[0] = b + 1.0;", "f[0] = b");
    assert_eq!(m, "WGSL does not convert `bool` to `f32` implicitly");
}

#[test]
fn builtin_arguments_of_the_wrong_type_or_count_say_which() {
    let m = message("f[0] = sqrt(o[0]);", "sqrt");
    assert_eq!(m, "argument 1 of `sqrt` must be `f32` or `f16` (or a vector of them), not a `u32` (write `f32(o[0])`)");
    let m = message("f[0] = max(f[0], 1u);", "max");
    assert_eq!(m, "argument 2 of `max` is a `u32`, but must be a `f32` like the argument before it (write `f32(1u)`)");
    let m = message("let n = o[0];\n    f[0] = sqrt(n);", "sqrt");
    assert_eq!(m, "argument 1 of `sqrt` must be `f32` or `f16` (or a vector of them), not a `u32` (write `f32(..)`)");
    let m = message("f[0] = max(f[0]);", "max");
    assert_eq!(m, "`max` takes 2 arguments, but 1 was given");
    let m = message("f[0] = clamp(f[0], 0.0);", "clamp");
    assert_eq!(m, "`clamp` takes 3 arguments, but 2 were given");
}

#[test]
fn assignments_of_the_wrong_type_say_both_types() {
    let m = message("let v = vec3f(1.0);\n    f[0] = v;", "f[0] = v");
    assert_eq!(m, "in compute entry point `main`: cannot assign a `vec3<f32>` to a `f32`");
    // naga labels `y` by its `let`'s value, which is not what is written at the assignment.
    let m = message("var x = 1u;\n    let y = 2i;\n    x = y;", "x = y");
    assert_eq!(m, "WGSL does not convert `i32` to `u32` implicitly (write `u32(..)`)");
}

#[test]
fn declarations_of_the_wrong_type_say_both_types() {
    let m = message("let x: u32 = f[0];\n    o[0] = x;", "x: u32");
    assert_eq!(m, "`x` is declared as `u32`, but its value is a `f32` (write `u32(f[0])`)");
    let m = message("var x: u32 = 1.5;\n    o[0] = x;", "x: u32");
    assert_eq!(m, "`x` is declared as `u32`, but its value is a float literal (write `u32(1.5)`)");
    let m = message("let v: vec4<f32> = vec3<f32>(1.0);", "v: vec4");
    assert_eq!(m, "`v` is declared as `vec4<f32>`, but its value is a `vec3<f32>`");
}

#[test]
fn unknown_identifiers_say_what_is_missing() {
    let m = message("f[0] = scale * f[0];", "scale");
    assert_eq!(m, "`scale` is not declared: no variable, constant or function of this name is in scope");
    let m = message("f[0] = square(f[0]);", "square");
    assert_eq!(m, "`square` is not declared: no function of this name is in scope");
    let m = message("var v: vec5<f32>;", "vec5");
    assert_eq!(m, "`vec5` is not declared: no type of this name is in scope");
}

/// Pointer types are spelled as WGSL spells them.
#[test]
fn pointer_types_are_spelled_in_wgsl() {
    let m = message("let p = &o[0]; o[1] = p + 1u;", "o[1] = p");
    assert_eq!(m, "WGSL does not convert `ptr<storage, u32, read_write>` to `u32` implicitly");
}

/// naga's `Debug` text for a type, as the issue quotes it, in any message the cases above miss.
#[test]
fn debug_printed_scalar_types_are_rewritten() {
    let text = crate::explain::rewrite(
        "Operation Add can't work with [28] (of type Scalar(Scalar { kind: Uint, width: 4 })) and [29] \
         (of type Scalar(Scalar { kind: Sint, width: 4 }))",
    );
    assert_eq!(text, "operation Add can't work with (of type `u32`) and (of type `i32`)");
}

#[test]
fn select_extra_arguments_and_atomics_say_what_is_wrong() {
    let m = message("f[0] = select(1.0, 2u, true);", "1.0");
    assert_eq!(
        m,
        "the two values of `select` must have the same type, but the first is a float literal and the second a `u32`"
    );
    let m = message("let a = 1i; o[0] = select(o[1], a, true);", "o[1], a");
    assert_eq!(
        m,
        "the two values of `select` must have the same type, but the first is a `u32` and the second a `i32` (write `u32(a)`)"
    );
    let m = message("f[0] = abs(f[0], 1.0);", "abs");
    assert_eq!(m, "`abs` takes at most 1 argument: argument 2 is one too many");
    let m = message("atomicAdd(&o[0], 1u);", "&o[0]");
    assert_eq!(
        m,
        "`atomicAdd` needs a pointer to an `atomic<u32>` or `atomic<i32>`, and `&o[0]` points to a plain value: \
         declare the variable with an atomic type, e.g. `array<atomic<u32>>`"
    );
}

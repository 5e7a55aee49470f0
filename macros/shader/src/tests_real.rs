//! Shapes of real shaders (issue 13): arrays sized by override expressions, runtime-sized arrays
//! in structs, and validation errors worded in WGSL rather than naga's internals.

use crate::tests::{assert_at, err, ok};
use crate::{Diagnostic, Type};

// ---- override-sized arrays ----

#[test]
fn unnamed_overrides_of_array_sizes_are_not_reflected() {
    let shader = ok("override BLOCK: u32 = 64;\nvar<workgroup> tile: array<u32, BLOCK * 2u>;\n\
         @compute @workgroup_size(BLOCK) fn main(@builtin(local_invocation_index) i: u32) { tile[i] = i; }\n");
    let names: Vec<_> = shader.overrides.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["BLOCK"]);
    assert_eq!(shader.overrides[0].default, Some(64.0));
}

/// The macro used to panic here: `Ident::new("")` for naga's unnamed override.
#[cfg(feature = "back")]
#[test]
fn generated_overrides_leave_out_unnamed_ones() {
    let shader = ok("override BLOCK: u32 = 64;\nvar<workgroup> tile: array<u32, BLOCK * 2u>;\n\
         @compute @workgroup_size(BLOCK) fn main(@builtin(local_invocation_index) i: u32) { tile[i] = i; }\n");
    let generated = crate::back::generate(&shader, quote::quote!(""), "x").to_string();
    let overrides = generated.split("pub struct Overrides").nth(1).and_then(|s| s.split('}').next()).expect("struct");
    assert_eq!(overrides.matches("pub ").count(), 1, "one field: {overrides}");
    assert!(overrides.contains("BLOCK"), "{overrides}");
}

/// Every WGSL name becomes a Rust name: `Ident::new` panics on `0`, which `_0` camel-cased to.
#[cfg(feature = "back")]
#[test]
fn entry_points_named_with_leading_underscores_and_digits_generate() {
    let shader = ok("@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n\
         @compute @workgroup_size(1) fn _0() { a[0] = 1u; }\n@compute @workgroup_size(1) fn _1_x() { a[1] = 1u; }\n");
    let generated = crate::back::generate(&shader, quote::quote!(""), "x").to_string();
    assert!(generated.contains("pub struct Entry0 "), "{generated}");
    assert!(generated.contains("pub struct Entry1X "), "{generated}");
}

// ---- runtime-sized arrays in structs ----

#[test]
fn structs_ending_in_runtime_arrays_reflect_their_offset() {
    let shader = ok("struct P { a: vec3f, b: f32 }\nstruct Ps { ps: array<P> }\n\
         struct Data { count: u32, pad: vec3u, items: array<vec4f> }\n\
         @group(0) @binding(0) var<storage, read_write> ps: Ps;\n\
         @group(0) @binding(1) var<storage, read> data: Data;\n\
         @compute @workgroup_size(1) fn main() { ps.ps[0].b = f32(data.count) + data.items[0].x; }\n");
    let def = |name: &str| shader.structs.iter().find(|s| s.name == name).expect("reflected");
    let items = def("Data").members.last().expect("members");
    assert_eq!((items.name.as_str(), items.offset), ("items", 32));
    assert!(matches!(items.ty, Type::Array { length: None, stride: 16, .. }));
    // WebGPU's minimum binding sizes count one element.
    assert_eq!(shader.globals[0].min_binding_size, 16);
    assert_eq!(shader.globals[1].min_binding_size, 48);
}

// ---- errors in WGSL's words ----

/// No naga handle, Rust path or `Debug` output in the message or the rendering.
fn assert_wgsl_only(d: &Diagnostic) {
    for text in [&d.message, &d.rendered] {
        for leak in ["naga::", "Scalar {", "Vector {", "Some(", "TypeFlags(", "Capabilities(", " at Compute", "kind:"] {
            assert!(!text.contains(leak), "{leak:?} leaks into:\n{text}");
        }
    }
    // The rendering quotes the source, where `a[0]` is WGSL; the message must have no handle.
    let text = &d.message;
    let handle = text.char_indices().any(|(i, c)| {
        c == '['
            && text[i + 1..]
                .find(']')
                .is_some_and(|n| n > 0 && text[i + 1..i + 1 + n].bytes().all(|b| b.is_ascii_digit()))
    });
    assert!(!handle, "a handle leaks into:\n{text}");
    assert!(!d.message.contains('\n'), "message is not one line: {}", d.message);
}

fn assert_says(d: &Diagnostic, words: &[&str]) {
    assert_wgsl_only(d);
    for word in words {
        assert!(d.message.contains(word), "message lacks {word:?}: {}", d.message);
    }
}

#[test]
fn return_type_mismatch_names_both_types() {
    let src = "fn half(x: u32) -> u32 {\n    return f32(x) / 2.0;\n}\n@compute @workgroup_size(1) fn main() { _ = half(1u); }\n";
    let d = err(src);
    assert_says(&d, &["function `half`", "`f32`", "`u32`"]);
    // At the returned expression, the most precise of naga's spans.
    assert_at(&d, src, "f32(x) / 2.0");
}

#[test]
fn builtin_of_the_wrong_type_is_spelled_in_wgsl() {
    let src = "@compute @workgroup_size(1)\nfn main(@builtin(global_invocation_id) id: u32) {}\n";
    let d = err(src);
    assert_says(&d, &["compute entry point `main`", "global_invocation_id", "`u32`"]);
}

#[test]
fn address_space_errors_name_the_type() {
    let d = err(
        "@group(0) @binding(0) var<uniform> w: array<vec4<f32>>;\n@compute @workgroup_size(1) fn main() { _ = w[0]; }\n",
    );
    assert_says(&d, &["`w`", "`array<vec4<f32>>`", "sized"]);
    assert_eq!((d.line, d.column), (Some(1), Some(23)));
    let d = err(
        "@group(0) @binding(0) var<uniform> w: array<f32, 4>;\n@compute @workgroup_size(1) fn main() { _ = w[0]; }\n",
    );
    assert_says(&d, &["`array<f32, 4>`", "`uniform`", "stride 4"]);
}

#[test]
fn store_errors_say_what_cannot_be_written() {
    let src = "@group(0) @binding(0) var<storage, read> data: array<u32>;\n@compute @workgroup_size(1) fn main() {\n    data[0] = 0u;\n}\n";
    let d = err(src);
    assert_says(&d, &["cannot be written"]);
    assert_at(&d, src, "data[0] =");
}

#[test]
fn atomic_f32_points_at_its_declaration() {
    let src = "struct S { n: u32 }\n@group(0) @binding(0)\nvar<storage, read_write> total: atomic<f32>;\n@compute @workgroup_size(1) fn main() { atomicStore(&total, 1.0); }\n";
    let d = err(src);
    assert_wgsl_only(&d);
    assert!(d.line.is_some() && d.column.is_some(), "no position:\n{d}");
    assert!(d.rendered.contains("atomic<f32>"), "the snippet shows the declaration:\n{d}");
    // Inside a struct, the struct is where it is declared.
    let src = "struct Acc {\n    n: u32,\n    total: atomic<f32>,\n}\n@group(0) @binding(0) var<storage, read_write> acc: Acc;\n@compute @workgroup_size(1) fn main() { atomicStore(&acc.total, 1.0); }\n";
    let d = err(src);
    assert_wgsl_only(&d);
    assert_at(&d, src, "total: atomic<f32>");
}

#[test]
fn capability_hints_offer_only_enables_that_parse() {
    // f64 has no WebGPU extension: no `enable` is suggested.
    let d = err("@compute @workgroup_size(1) fn main() {\n    let x: f64 = 1.0lf;\n}\n");
    assert_says(&d, &["`f64`", "FLOAT64"]);
    assert!(!d.message.contains("enable"), "suggests an enable: {}", d.message);
    // naga 29 cannot parse `enable subgroups;`, so it is not suggested either.
    let d = err(
        "@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@compute @workgroup_size(64) fn main() {\n    a[0] = subgroupAdd(1.0);\n}\n",
    );
    assert_says(&d, &["SUBGROUP"]);
    assert!(!d.message.contains("`enable"), "suggests an enable: {}", d.message);
}

#[test]
fn runtime_validate_words_errors_the_same() {
    let src = "@compute @workgroup_size(1)\nfn main(@builtin(global_invocation_id) id: u32) {}\n";
    let d = crate::validate(src).expect_err("invalid");
    assert_says(&d, &["global_invocation_id", "`u32`"]);
}

#[test]
/// Validation errors of many kinds (address spaces, bindings, stages, pointers, operators, bounds):
/// none leaks naga's internals, each has a position.
fn a_sweep_of_validation_errors_speaks_wgsl() {
    let cases = [
        "var<private> x: array<u32>;\n@compute @workgroup_size(1) fn main() { _ = x[0]; }\n",
        "@fragment fn fs() -> vec4f { return vec4f(1.0); }\n",
        "@fragment fn fs(@builtin(position) a: vec4f, @builtin(position) b: vec4f) -> @location(0) vec4f { return a + b; }\n",
        "@group(0) @binding(0) var t: texture_2d<f32>;\n@group(0) @binding(1) var s: sampler;\n@group(0) @binding(2) var<storage, read_write> o: array<vec4f>;\n@compute @workgroup_size(1) fn main() { o[0] = textureSample(t, s, vec2f(0.0)); }\n",
        "@vertex fn vs() -> @builtin(position) vec4f { workgroupBarrier(); return vec4f(0.0); }\n",
        "@compute @workgroup_size(1) fn main(@builtin(position) p: vec4f) {}\n",
        "@group(0) @binding(0) var<storage, read_write> o: array<u32>;\nvar<private> a: array<u32, 4>;\n@compute @workgroup_size(1) fn main() { o[0] = arrayLength(&a); }\n",
        "@group(0) @binding(0) var<storage, read_write> o: array<u32>;\n@compute @workgroup_size(1) fn main() { var x = 1u; let p = &x; o[0] = *p; o[1] = select(1u, 2i, true); }\n",
        "struct S { a: u32 }\n@group(0) @binding(0) var<storage, read_write> o: array<S>;\n@compute @workgroup_size(1) fn main() { o[0] = 1u; }\n",
        "@group(0) @binding(0) var<storage, read_write> o: array<u32>;\nfn f(p: ptr<storage, array<u32>, read_write>) { (*p)[0] = 1u; }\n@compute @workgroup_size(1) fn main() { f(&o); }\n",
        "@group(0) @binding(0) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1) fn main() { o[0] = o[0] << 1u; }\n",
        "@group(0) @binding(0) var<storage, read_write> o: array<u32>;\n@compute @workgroup_size(1) fn main() { var m: mat2x2<f32>; o[0] = u32(m[0].x); let i = 3; o[1] = u32(m[i].x); }\n",
        "@vertex fn vs(@location(0) a: vec4f, @location(0) b: vec4f) -> @builtin(position) vec4f { return a + b; }\n",
    ];
    for src in cases {
        let d = err(src);
        assert_wgsl_only(&d);
        assert!(d.line.is_some() && d.column.is_some(), "no position:\n{d}");
    }
}

/// Generated padding is `__padN` because no WGSL member can have that name.
#[test]
fn wgsl_reserves_double_underscore_names() {
    let d = err(
        "struct S { __pad0: u32 }\n@group(0) @binding(0) var<storage, read_write> s: S;\n@compute @workgroup_size(1) fn main() { s.__pad0 = 1u; }\n",
    );
    assert!(d.message.contains("__pad0"), "{d}");
}

/// Type errors name their type by handle; dropping the handle used to leave "expected data type,
/// found" and "can't be dynamically-sized, has type" with nothing after them.
#[test]
fn type_errors_name_the_type_they_are_about() {
    let src = "override N: u32 = 4u;\nstruct S { a: array<u32, N> }\nvar<workgroup> w: S;\n@compute @workgroup_size(1) fn main() { w.a[0] = 1u; }\n";
    let d = err(src);
    assert_says(&d, &["type `S`", "`array<u32, N>`", "var<workgroup>"]);
    assert!(!d.message.ends_with("found"), "{d}");
    assert_at(&d, src, "struct S");

    let src = "struct D { items: array<u32>, n: u32 }\n@group(0) @binding(0) var<storage, read_write> d: D;\n@compute @workgroup_size(1) fn main() { d.n = 1u; }\n";
    let d = err(src);
    assert_says(&d, &["type `D`", "member `items`", "`array<u32>`", "last member"]);
    assert_at(&d, src, "struct D");

    let src = "struct I { items: array<u32> }\nstruct D { n: u32, i: I }\n@group(0) @binding(0) var<storage, read_write> d: D;\n@compute @workgroup_size(1) fn main() { d.n = 1u; }\n";
    let d = err(src);
    assert_says(&d, &["type `D`", "member `i`", "`I`"]);
    assert_at(&d, src, "struct D");
}

/// After `_`, WGSL allows any identifier-continuing character, which cannot start a Rust name:
/// `Ident::new` panicked in the macro on `·x` and `٣`.
#[cfg(feature = "back")]
#[test]
fn entry_points_starting_with_continuing_characters_generate() {
    let shader = ok("@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n\
         @compute @workgroup_size(1) fn _\u{b7}x() { a[0] = 1u; }\n@compute @workgroup_size(1) fn _\u{663}() { a[1] = 1u; }\n\
         @compute @workgroup_size(1) fn _\u{e9}t\u{e9}() { a[2] = 1u; }\n");
    let generated = crate::back::generate(&shader, quote::quote!(""), "x").to_string();
    assert!(generated.contains("pub struct Entry\u{b7}x "), "{generated}");
    assert!(generated.contains("pub struct Entry\u{663} "), "{generated}");
    assert!(generated.contains("pub struct \u{e9}t\u{e9} "), "{generated}");
}

/// A call whose argument has the wrong type: naga names both by handle, which left "argument 0
/// value doesn't match the type" with no types.
#[test]
fn argument_type_errors_name_both_types() {
    let src = "fn f(p: ptr<function, u32>) { *p = 1u; }\n@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n@compute @workgroup_size(1) fn main() { f(&a[0]); }\n";
    let d = err(src);
    assert_says(&d, &["call to `f`", "argument 0", "`ptr<storage, u32, read_write>`", "`ptr<function, u32>`"]);
    assert_at(&d, src, "a[0]); }");
    let src = "fn g(x: f32) -> f32 { return x; }\n@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@compute @workgroup_size(1) fn main() { a[0] = g(1u); }\n";
    let d = err(src);
    assert_says(&d, &["call to `g`", "`u32`", "`f32`"]);
}

/// naga names a variable that lacks `@group` or `@binding` by the text of its other attributes:
/// "variable `@binding(0)` needs a 'group' attribute".
#[test]
fn missing_group_or_binding_names_the_variable() {
    let src = "@binding(0) var<storage, read_write> data: array<u32>;\n@compute @workgroup_size(1) fn main() { data[0] = 1u; }\n";
    let d = err(src);
    assert_eq!(d.message, "variable `data` needs a `@group` attribute");
    assert_at(&d, src, "data: array");
    let src = "@group(1)\nvar<uniform> params: vec4f;\n@compute @workgroup_size(1) fn main() { _ = params; }\n";
    let d = err(src);
    assert_eq!(d.message, "variable `params` needs a `@binding` attribute");
    assert_at(&d, src, "params: vec4f");
}

/// Errors naga words around a handle: a local variable of a type it cannot have, `all` of a
/// non-boolean vector.
#[test]
fn local_variable_and_relational_errors_name_the_type() {
    let src = "@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n@compute @workgroup_size(1) fn main() { var x: array<u32>; a[0] = 1u; }\n";
    let d = err(src);
    assert_says(&d, &["local variable `x`", "`array<u32>`", "var<storage>"]);
    assert!(!d.message.contains("has a type that"), "{d}");
    let src = "@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n@compute @workgroup_size(1) fn main() { let v = vec3f(1.0); if all(v) { a[0] = 1u; } }\n";
    let d = err(src);
    assert_says(&d, &["`all`", "`vec3<f32>`"]);
    assert_at(&d, src, "all(v)");
}

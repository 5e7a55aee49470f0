//! Unit tests of the shader guard: each bound at and past its value, the
//! layout rules against hand-computed sizes, and every WGSL file of the
//! repository accepted.

use super::*;
use crate::Error;

fn module(source: &str) -> Result<bool, Error> {
    check_module(source, &Limits::default())
}

fn stage(source: &str, constants: &[(&str, f64)]) -> Result<(), Error> {
    assert!(module(source).is_ok(), "the module itself passes: {:?}", module(source));
    check_stage(
        source,
        &Stage { stage: "compute", entry_point: None, constants },
        &Limits::default(),
        "create_compute_pipeline",
    )
}

/// The refusal, or a panic naming what came instead.
fn refusal(result: Result<impl std::fmt::Debug, Error>) -> ShaderRefusal {
    match result {
        Err(Error::ShaderRefused(refusal)) => refusal,
        other => panic!("expected Error::ShaderRefused, got {other:?}"),
    }
}

fn compute(body: &str) -> String {
    format!("@compute @workgroup_size(1) fn main() {{\n{body}\n}}\n")
}

#[test]
fn parentheses_past_the_bound_are_refused_where_they_cross_it() {
    let depth = MAX_NESTING_DEPTH;
    // `let x = ` then the brackets; the function body's brace is one level.
    let ok = compute(&format!("let x = {}1{};", "(".repeat(depth - 1), ")".repeat(depth - 1)));
    assert_eq!(module(&ok), Ok(false));
    let bad = compute(&format!("let x = {}1{};", "(".repeat(depth), ")".repeat(depth)));
    let r = refusal(module(&bad));
    assert_eq!((r.operation, r.limit, r.max), ("create_shader_module", "MAX_NESTING_DEPTH", depth as u64));
    assert_eq!(r.value, Some(depth as u64 + 1));
    // Line 2 (after the signature), column of the parenthesis that crosses it.
    assert_eq!((r.line, r.column), (2, 9 + depth as u32 - 1), "{r}");
    assert!(r.to_string().starts_with("create_shader_module: WGSL at 2:"), "{r}");
}

#[test]
fn every_nesting_kind_is_bounded() {
    let n = 1000;
    let cases = [
        ("parentheses", compute(&format!("let x = {}1{};", "(".repeat(n), ")".repeat(n)))),
        ("brackets", compute(&format!("var a: array<u32, 2>; let x = {}0{};", "a[".repeat(n), "]".repeat(n)))),
        ("braces", compute(&format!("{}{}", "{".repeat(n), "}".repeat(n)))),
        ("templates", format!("alias T = {}u32{};", "array<".repeat(n), ", 1>".repeat(n))),
        ("unary", compute(&format!("let x = {}1;", "-".repeat(n)))),
        ("negations", compute(&format!("let x = {}true;", "!".repeat(n)))),
        (
            "calls",
            format!(
                "fn f(x: u32) -> u32 {{ return x; }}\n{}",
                compute(&format!("let x = {}1u{};", "f(".repeat(n), ")".repeat(n)))
            ),
        ),
        ("index chain", compute(&format!("var a: array<u32, 2>; let x = a{};", "[0]".repeat(n)))),
        ("member chain", compute(&format!("let v = vec4f(); let x = v{};", ".x".repeat(n)))),
        ("sum", compute(&format!("let x = 1{};", "+1".repeat(n)))),
        ("product in call", compute(&format!("let x = max(1, 1{});", "*1".repeat(n)))),
    ];
    for (kind, source) in cases {
        let Err(Error::ShaderRefused(r)) = module(&source) else { panic!("{kind}: not refused") };
        assert!(matches!(r.limit, "MAX_NESTING_DEPTH" | "MAX_BLOCK_DEPTH" | "MAX_EXPRESSION_DEPTH"), "{kind}: {r}");
        assert!(r.value.is_some_and(|v| v > r.max), "{kind}: {r}");
    }
}

#[test]
fn blocks_are_bounded_more_tightly_than_brackets() {
    // The function body is the first block.
    let ok = compute(&format!("{}_ = 1;{}", "{".repeat(MAX_BLOCK_DEPTH - 1), "}".repeat(MAX_BLOCK_DEPTH - 1)));
    assert_eq!(module(&ok), Ok(false));
    let bad = compute(&format!("{}_ = 1;{}", "{".repeat(MAX_BLOCK_DEPTH), "}".repeat(MAX_BLOCK_DEPTH)));
    let r = refusal(module(&bad));
    assert_eq!((r.limit, r.value, r.line), ("MAX_BLOCK_DEPTH", Some(MAX_BLOCK_DEPTH as u64 + 1), 2));
    // Closed blocks do not add up.
    let siblings = compute(&"if true { if true { _ = 1; } }\n".repeat(100));
    assert_eq!(module(&siblings), Ok(false));
}

#[test]
fn long_expressions_within_the_bound_pass() {
    // Terms separated by commas or statements are separate elements.
    let wide = compute(&format!("let a = array<i32, 600>({});", vec!["-1"; 600].join(", ")));
    assert_eq!(module(&wide), Ok(false));
    let sum = compute(&format!("let x = 1{};", "+1".repeat(MAX_EXPRESSION_DEPTH - 1)));
    assert_eq!(module(&sum), Ok(false));
    let many = compute(&"let x = 1 + 2 * 3;\n".repeat(2000).replace("let x", "_ "));
    assert_eq!(module(&many), Ok(false));
    let r = refusal(module(&compute(&format!("let x = 1{};", "+1".repeat(MAX_EXPRESSION_DEPTH + 1)))));
    assert_eq!((r.limit, r.value), ("MAX_EXPRESSION_DEPTH", Some(MAX_EXPRESSION_DEPTH as u64 + 1)));
}

#[test]
fn comments_strings_of_brackets_and_templates_do_not_count() {
    let source = format!(
        "// {}\n/* {} /* nested {} */ */\nvar<workgroup> t: array<array<vec4<f32>, 4>, 4>;\n{}",
        "(".repeat(5000),
        "[".repeat(5000),
        "{".repeat(5000),
        compute("let a = 1 < 2; let b = 3 > 2; let c = vec2<u32>(1u >> 1u, 2u);")
    );
    assert_eq!(module(&source), Ok(false));
}

#[test]
fn source_size_is_bounded() {
    let big = format!("{}{}", " ".repeat(MAX_SOURCE_BYTES), compute(""));
    let r = refusal(module(&big));
    assert_eq!((r.limit, r.value, r.line), ("MAX_SOURCE_BYTES", Some(big.len() as u64), 1));
}

#[test]
fn workgroup_memory_follows_wgsl_layout_and_the_device_limit() {
    let wg = |decls: &str| format!("{decls}\n@compute @workgroup_size(1) fn main() {{ _ = &a; }}\n");
    // 4096 u32 are exactly the default 16384 bytes; one more is over, and
    // WebGPU counts each variable rounded up to 16 bytes.
    assert_eq!(module(&wg("var<workgroup> a: array<u32, 4096>;")), Ok(false));
    let r = refusal(module(&wg("var<workgroup> a: array<u32, 4097>;")));
    assert_eq!((r.limit, r.value, r.max), ("maxComputeWorkgroupStorageSize", Some(16400), 16384));
    assert_eq!((r.line, r.column), (1, 16), "at the variable's name: {r}");
    // vec3<f32> has a 16-byte stride in arrays: 1025 of them are 16400 bytes.
    let r = refusal(module(&wg("var<workgroup> a: array<vec3<f32>, 1025>;")));
    assert_eq!(r.value, Some(16400));
    // A vector of an alias of a scalar: vec4<h> with h = f16 is 8 bytes, so
    // 2049 of them are over (16392, counted as 16400); vec4<w> with w = f32,
    // 16 bytes, 1025 of them.
    let r = refusal(module(&wg("enable f16;\nalias h = f16;\nvar<workgroup> a: array<vec4<h>, 2049>;")));
    assert_eq!(r.value, Some(16400));
    assert_eq!(module(&wg("enable f16;\nalias h = f16;\nvar<workgroup> a: array<vec4<h>, 2048>;")), Ok(false));
    let r = refusal(module(&wg("alias w = f32;\nvar<workgroup> a: array<vec4<w>, 1025>;")));
    assert_eq!(r.value, Some(16400));
    // A struct { f32, vec3f } is 32 bytes (the vec3 aligned to 16); 513 of them: 16416.
    let r = refusal(module(&wg("struct S { a: f32, b: vec3f }\nvar<workgroup> a: array<S, 513>;")));
    assert_eq!(r.value, Some(16416));
    // @size pads (1025 of a 4-byte member padded to 16: 16400 bytes); `b`,
    // which only a function that main does not call uses, does not count.
    let r = refusal(module(&wg(
        "struct P { @size(16) x: u32 }\nvar<workgroup> a: array<P, 1025>;\nvar<workgroup> b: array<u32, 4096>;\nfn g() { _ = &b; }",
    )));
    assert_eq!(r.value, Some(16400));
    assert_eq!(
        module(&wg(
            "struct P { @size(16) x: u32 }\nvar<workgroup> a: array<P, 1024>;\nvar<workgroup> b: array<u32, 4096>;\nfn g() { _ = &b; }"
        )),
        Ok(false)
    );
    // Consts, aliases and arithmetic size arrays; what main calls counts.
    let uses_both = "const N = 2u * 1024u;\nalias Row = array<u32, N>;\nvar<workgroup> a: array<u32, 2048>;\nvar<workgroup> b: Row;\nfn g() { _ = &b; }\n@compute @workgroup_size(1) fn main() { _ = &a; g(); }\n";
    assert_eq!(module(uses_both), Ok(false));
    let over = uses_both.replace("2u * 1024u", "2u * 1024u + 1u");
    let r = refusal(module(&over));
    assert_eq!(r.value, Some(8192 + 8208), "8196 rounded up to 16");
    // 100,000,000 u32 (the host dies on it) saturate no arithmetic.
    assert!(refusal(module(&wg("var<workgroup> a: array<u32, 100000000>;"))).value > Some(16384));
}

#[test]
fn override_sized_workgroup_memory_is_checked_at_pipeline_creation() {
    let source = "override n: u32 = 64;\nvar<workgroup> a: array<u32, n * 2>;\n@compute @workgroup_size(1) fn main() { _ = &a; }\n";
    assert_eq!(module(source), Ok(true), "deferred to the pipeline");
    assert_eq!(stage(source, &[]), Ok(()));
    assert_eq!(stage(source, &[("n", 2048.0)]), Ok(()));
    let r = refusal(stage(source, &[("n", 2049.0)]));
    assert_eq!(
        (r.operation, r.value, r.limit),
        ("create_compute_pipeline", Some(16400), "maxComputeWorkgroupStorageSize")
    );
    let r = refusal(stage(source, &[("n", 50_000_000.0)]));
    assert_eq!(r.value, Some(400_000_000));
    // By @id, and a default that is over.
    let by_id = source.replace("override n", "@id(7) override n");
    assert!(refusal(stage(&by_id, &[("7", 4096.0)])).value == Some(32768));
    let r = refusal(stage(&source.replace("= 64", "= 4096"), &[]));
    assert_eq!(r.value, Some(32768));
}

#[test]
fn private_and_function_memory_is_bounded() {
    let limit = MAX_PRIVATE_MEMORY_BYTES;
    let words = limit / 4;
    let private =
        |n: u64| format!("var<private> p: array<f32, {n}>;\n@compute @workgroup_size(1) fn main() {{ p[0] = 1.0; }}\n");
    assert_eq!(module(&private(words)), Ok(false));
    let r = refusal(module(&private(words + 1)));
    assert_eq!((r.limit, r.value), ("MAX_PRIVATE_MEMORY_BYTES", Some(limit + 4)));
    let function = compute(&format!("var a: array<f32, {}>; a[0] = 1.0;", words + 1));
    assert_eq!(refusal(module(&function)).value, Some(limit + 4));
    let constructed = compute(&format!("let a = array<f32, {}>(); _ = a[0];", 4 * words));
    assert_eq!(refusal(module(&constructed)).value, Some(4 * limit));
    // In a helper the entry point calls, through a struct.
    let helper = format!(
        "struct Big {{ a: array<vec4f, {}> }}\nfn f() -> f32 {{ var b: Big; return b.a[0].x; }}\n{}",
        limit / 16 + 1,
        compute("_ = f();")
    );
    assert_eq!(refusal(module(&helper)).value, Some(limit + 16));
    // A constant array the entry point indexes is private memory too.
    let table = format!(
        "const T = array<u32, {}>();\n@compute @workgroup_size(1) fn main(@builtin(local_invocation_index) i: u32) {{ _ = T[i]; }}\n",
        words + 1
    );
    assert_eq!(refusal(module(&table)).value, Some(limit + 4));
    // A struct constructed in expressions many times (a renderer's
    // `Material(…)`) is counted only where a variable holds it.
    let materials = format!(
        "struct M {{ a: vec4f, b: vec4f, c: vec4f, d: vec4f }}\nfn pick(m: M) -> f32 {{ return m.a.x; }}\n{}",
        compute(&"_ = pick(M(vec4f(), vec4f(), vec4f(), vec4f()));\n".repeat(2 * (limit as usize) / 64))
    );
    assert_eq!(module(&materials), Ok(false));
    let held = compute("{ let m = Big(); _ = m.a[0].x; }");
    let held = format!("struct Big {{ a: array<vec4f, {}> }}\n{held}", limit / 16 + 1);
    assert_eq!(refusal(module(&held)).value, Some(limit + 16));
    // Storage and uniform arrays are the buffer's memory, not the shader's.
    let storage = format!(
        "struct U {{ t: array<vec4u, 4096> }}\n@group(0) @binding(0) var<uniform> u: U;\n@group(0) @binding(1) var<storage, read_write> s: array<u32, 1000000>;\n{}",
        compute("s[0] = u.t[0].x;")
    );
    assert_eq!(module(&storage), Ok(false));
}

#[test]
fn workgroup_sizes_are_checked_against_the_device_limits() {
    assert_eq!(module("@compute @workgroup_size(16, 16) fn main() {}"), Ok(false));
    let r = refusal(module("@compute @workgroup_size(257) fn main() {}"));
    assert_eq!((r.limit, r.value, r.column), ("maxComputeWorkgroupSizeX", Some(257), 26));
    let r = refusal(module("@compute @workgroup_size(16, 32) fn main() {}"));
    assert_eq!((r.limit, r.value), ("maxComputeInvocationsPerWorkgroup", Some(512)));
    let r = refusal(module("@compute @workgroup_size(1, 1, 65) fn main() {}"));
    assert_eq!(r.limit, "maxComputeWorkgroupSizeZ");
    let source = "override wg: u32 = 64;\n@compute @workgroup_size(wg) fn main() {}\n";
    assert_eq!(stage(source, &[("wg", 256.0)]), Ok(()));
    for bad in [257.0, 1024.0, 1025.0] {
        let r = refusal(stage(source, &[("wg", bad)]));
        assert_eq!((r.operation, r.value), ("create_compute_pipeline", Some(bad as u64)));
    }
    let two = "const T = 8u;\noverride rows = 4u;\n@compute @workgroup_size(T * 4u, rows) fn main() {}\n";
    assert_eq!(stage(two, &[]), Ok(()));
    assert_eq!(refusal(stage(two, &[("rows", 9.0)])).value, Some(288));
}

#[test]
fn what_the_guard_cannot_evaluate_is_refused_not_guessed() {
    let source = "override n: u32 = 4;\nvar<workgroup> a: array<u32, countOneBits(n)>;\n@compute @workgroup_size(1) fn main() { _ = &a; }\n";
    let r = refusal(stage(source, &[]));
    assert_eq!((r.value, r.limit, r.line), (None, "maxComputeWorkgroupStorageSize", 2), "{r}");
    assert!(r.to_string().contains("beyond what the SDK can evaluate"), "{r}");
    // Cycles and long chains end without recursion.
    let cycle = "const a = b;\nconst b = a;\nvar<private> p: array<u32, a>;\n@compute @workgroup_size(1) fn main() { p[0] = 1u; }\n";
    assert_eq!(refusal(module(cycle)).value, None);
    let mut chain = String::from("const c0 = 1u;\n");
    for i in 1..20_000 {
        chain += &format!("const c{i} = c{} + 0u;\n", i - 1);
    }
    chain += "var<private> p: array<u32, c19999 * 8000u>;\n@compute @workgroup_size(1) fn main() { p[0] = 1u; }\n";
    assert_eq!(refusal(module(&chain)).value, Some(32000));
}

/// Every WGSL file in the repository passes, with its overrides' defaults.
#[test]
fn the_repositorys_shaders_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("sdk/ has a parent");
    let mut stack = vec![root.to_path_buf()];
    let mut count = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() && !name.starts_with('.') && !name.contains("target") {
                stack.push(path);
            } else if name.ends_with(".wgsl") {
                let source = std::fs::read_to_string(&path).expect("UTF-8");
                let check = module(&source).and_then(|_| {
                    ["compute", "vertex", "fragment"].iter().try_for_each(|stage| {
                        let stage = Stage { stage, entry_point: None, constants: &[] };
                        check_stage(&source, &stage, &Limits::default(), "create_compute_pipeline")
                    })
                });
                assert_eq!(check, Ok(()), "{}", path.display());
                count += 1;
            }
        }
    }
    assert!(count >= 30, "found only {count} WGSL files");
}

/// The guard's cost on the largest shader of the repository, printed for
/// tests/BAD_INPUTS.md (`cargo test -p wasi-webgpu --lib --release guard_cost -- --nocapture`).
#[test]
fn guard_cost() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("ops/src/wgsl/matmul.wgsl")).expect("matmul.wgsl");
    let runs = 200;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        module(&source).expect("accepted");
    }
    let per = start.elapsed() / runs;
    let big = format!("{}{}", source, compute(&"_ = 1 + 2 * 3;\n".repeat(60_000)));
    let start = std::time::Instant::now();
    module(&big).expect("accepted");
    println!("guard: {} bytes in {per:?}; {} bytes in {:?}", source.len(), big.len(), start.elapsed());
}

/// The generator's bounds: the guard's, and the default device limits.
fn fuzz_bounds() -> super::fuzz::Bounds {
    let limits = Limits::default();
    super::fuzz::Bounds {
        nesting: MAX_NESTING_DEPTH,
        blocks: MAX_BLOCK_DEPTH,
        expression_depth: MAX_EXPRESSION_DEPTH,
        private_bytes: MAX_PRIVATE_MEMORY_BYTES,
        workgroup_bytes: limits.max_compute_workgroup_storage_size.into(),
        invocations: limits.max_compute_invocations_per_workgroup.into(),
    }
}

/// Cases per fuzz property: `WASI_WEBGPU_FUZZ_CASES` (256 by default, which
/// runs in seconds; tests/BAD_INPUTS.md has a longer run's figures).
fn fuzz_config() -> proptest::test_runner::Config {
    let cases = std::env::var("WASI_WEBGPU_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    proptest::test_runner::Config { cases, failure_persistence: None, ..Default::default() }
}

/// The guard's answer, checked against what the generator meant.
fn judge(source: &str, expect: &super::fuzz::Expect) -> Result<(), String> {
    use super::fuzz::Expect;
    let answer = module(source).and_then(|overrides| {
        let stage = Stage { stage: "compute", entry_point: None, constants: &[] };
        if overrides { check_stage(source, &stage, &Limits::default(), "create_compute_pipeline") } else { Ok(()) }
    });
    match (expect, answer) {
        (Expect::Within, Ok(())) => {
            // The generator's "valid" must be valid: naga (the host's compiler) agrees.
            wasi_webgpu_shader::validate(source).map_err(|e| format!("generated invalid WGSL: {e:?}\n{source}"))
        }
        (Expect::Over(limit), Err(Error::ShaderRefused(r)))
            if r.limit == *limit && r.value.is_none_or(|v| v > r.max) =>
        {
            Ok(())
        }
        (Expect::Anything, Ok(()) | Err(Error::ShaderRefused(_))) => Ok(()),
        (expect, answer) => Err(format!("expected {expect:?}, got {answer:?}\n{source}")),
    }
}

proptest::proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn fuzz_programs_within_the_bounds_are_accepted((source, expect) in super::fuzz::within(fuzz_bounds())) {
        judge(&source, &expect).map_err(proptest::test_runner::TestCaseError::fail)?;
    }

    #[test]
    fn fuzz_programs_over_a_bound_are_refused_with_it((source, expect) in super::fuzz::over(fuzz_bounds())) {
        judge(&source, &expect).map_err(proptest::test_runner::TestCaseError::fail)?;
    }

    #[test]
    fn fuzz_random_bytes_and_edits_never_panic((source, expect) in super::fuzz::anything(fuzz_bounds())) {
        judge(&source, &expect).map_err(proptest::test_runner::TestCaseError::fail)?;
    }
}

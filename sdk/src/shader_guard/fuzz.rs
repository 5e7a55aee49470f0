//! Generated WGSL for fuzzing the shader guard (proptest strategies). The
//! SDK's unit tests use it (`shader_guard::tests::fuzz_*`), and so does
//! tests/tests/hostile.rs (through `#[path]`), which sends a sample of the
//! programs to the real host. It needs only proptest.
//!
//! Programs come from a small grammar that stays within every bound of the
//! guard by construction ([`Expect::Within`]), and mutations that push
//! exactly one bound over ([`Expect::Over`] names it), plus random bytes
//! and random edits of valid programs ([`Expect::Anything`]).

#![allow(dead_code)]

use proptest::prelude::*;

/// What the guard must answer to a generated program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Valid WGSL within every bound: accepted.
    Within,
    /// Over the bound of this name (`MAX_NESTING_DEPTH`,
    /// `maxComputeWorkgroupStorageSize`, …): refused with it.
    Over(&'static str),
    /// Anything but a panic.
    Anything,
}

/// The bounds the grammar stays within and the mutations exceed; they are
/// the guard's (and the default device limits), passed in so that this file
/// needs nothing of the SDK.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub nesting: usize,
    pub blocks: usize,
    pub expression_depth: usize,
    pub private_bytes: u64,
    pub workgroup_bytes: u64,
    pub invocations: u64,
}

/// A `u32` expression of bounded depth over `out[1]` (which is 0), the
/// helper `f` and the consts `K` and `T` of [`program`].
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u32..1000).prop_map(|n| format!("{n}u")),
        Just("out[1]".to_owned()),
        Just("K".to_owned()),
        Just("T[out[1] % 4u]".to_owned()),
    ];
    leaf.prop_recursive(5, 48, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(&["+", "-", "*", "&", "|", "^", "<<", ">>"][..]), inner.clone())
                .prop_map(|(a, op, b)| {
                    // `| out[1]` keeps the operation out of constant
                    // evaluation, where an overflow is a compile error.
                    // Shifts take an amount below 32.
                    if op.len() == 2 {
                        format!("({a} {op} (({b} | out[1]) % 32u))")
                    } else {
                        format!("({a} {op} ({b} | out[1]))")
                    }
                }),
            inner.clone().prop_map(|a| format!("~{a}")),
            inner.clone().prop_map(|a| format!("f({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("select({a}, {b}, {a} < {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("vec4u({a}, {b}, 1u, 2u).yx.y")),
            inner.clone().prop_map(|a| format!("max({a}, min({a}, 7u))")),
        ]
    })
}

/// A statement of the entry point's body, braces and loops included.
fn statement() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        expression().prop_map(|e| format!("out[0] = {e};")),
        expression().prop_map(|e| format!("{{\nlet l = {e};\nout[2] = l;\n}}")),
        expression().prop_map(|e| format!("if {e} > 3u {{ out[3] = 1u; }}")),
    ];
    simple.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3).prop_map(|s| format!("{{\n{}\n}}", s.join("\n"))),
            inner.clone().prop_map(|s| format!("for (var i = 0u; i < 4u; i++) {{\n{s}\n}}")),
        ]
    })
}

/// Declarations and the entry point's workgroup size, all within `bounds`.
#[derive(Debug, Clone)]
pub struct Parts {
    pub workgroup_words: u64,
    pub private_words: u64,
    pub function_words: u64,
    pub workgroup_size: (u64, u64, u64),
    pub override_size: bool,
    pub body: Vec<String>,
}

fn parts(bounds: Bounds) -> impl Strategy<Value = Parts> {
    // The private budget is split between the private and the function
    // array, less what the const table `T` takes (16 bytes).
    let words = bounds.private_bytes / 4 - 4;
    (
        1u64..=bounds.workgroup_bytes / 4,
        1u64..=words / 2,
        1u64..=words / 2,
        (1u64..=16, 1u64..=16, 1u64..=1),
        any::<bool>(),
        prop::collection::vec(statement(), 1..4),
    )
        .prop_map(move |(wg, private, function, (x, y, z), override_size, body)| {
            let y = y.min(bounds.invocations / x).max(1);
            Parts {
                workgroup_words: wg,
                private_words: private,
                function_words: function,
                workgroup_size: (x, y, z),
                override_size,
                body,
            }
        })
}

/// The WGSL of `parts`.
pub fn program(parts: &Parts) -> String {
    let (x, y, z) = parts.workgroup_size;
    let size = if parts.override_size {
        format!("override WX: u32 = {x}u;\nconst WY = {y}u;\n")
    } else {
        format!("const WX = {x}u;\nconst WY = {y}u;\n")
    };
    format!(
        "@group(0) @binding(0) var<storage, read_write> out: array<u32, 4>;\n\
         const K = 3u;\nconst T = array<u32, 4>(1u, 2u, 3u, 4u);\n{size}\
         var<workgroup> w: array<u32, {wg}>;\nvar<private> p: array<u32, {pw}>;\n\
         fn f(x: u32) -> u32 {{ return x ^ K; }}\n\
         @compute @workgroup_size(WX, WY, {z})\n\
         fn main(@builtin(local_invocation_index) lid: u32) {{\n\
         var v: array<u32, {fw}>;\n\
         w[lid % {wg}u] = lid;\np[lid % {pw}u] = lid;\nv[lid % {fw}u] = lid;\nworkgroupBarrier();\n\
         if lid == 0u {{\n{body}\nout[1] = w[0] + p[0] + v[0];\n}}\n}}\n",
        wg = parts.workgroup_words,
        pw = parts.private_words,
        fw = parts.function_words,
        body = parts.body.join("\n"),
    )
}

/// Valid programs within the bounds.
pub fn within(bounds: Bounds) -> impl Strategy<Value = (String, Expect)> {
    parts(bounds).prop_map(|parts| (program(&parts), Expect::Within))
}

/// Valid programs with exactly one bound exceeded.
pub fn over(bounds: Bounds) -> impl Strategy<Value = (String, Expect)> {
    let nest = bounds.nesting;
    let blocks = bounds.blocks;
    let depth = bounds.expression_depth;
    (parts(bounds), 0usize..6, 1usize..200).prop_map(move |(mut parts, which, extra)| {
        let limit = match which {
            0 => {
                let n = nest + extra;
                parts.body.push(format!("out[0] = {}1u{};", "(".repeat(n), ")".repeat(n)));
                "MAX_NESTING_DEPTH"
            }
            1 => {
                parts.body.push(format!("out[0] = 1u{};", "+1u".repeat(depth + extra)));
                "MAX_EXPRESSION_DEPTH"
            }
            2 => {
                let n = blocks + extra;
                parts.body.push(format!("{}out[0] = 1u;{}", "{".repeat(n), "}".repeat(n)));
                "MAX_BLOCK_DEPTH"
            }
            3 => {
                parts.workgroup_words = bounds.workgroup_bytes / 4 + extra as u64 * 97;
                "maxComputeWorkgroupStorageSize"
            }
            4 => {
                parts.private_words = bounds.private_bytes / 4 + extra as u64 * 97;
                "MAX_PRIVATE_MEMORY_BYTES"
            }
            _ => {
                parts.override_size = false;
                parts.workgroup_size = (bounds.invocations + extra as u64, 1, 1);
                "maxComputeWorkgroupSizeX"
            }
        };
        (program(&parts), Expect::Over(limit))
    })
}

/// Random bytes (weighted towards WGSL's punctuation) and random edits of
/// valid programs.
pub fn anything(bounds: Bounds) -> impl Strategy<Value = (String, Expect)> {
    let alphabet: Vec<char> = "()[]{}<>-+*/%&|^!~=;:,.@ \n_0123456789abcuxyzfn\u{e9}\u{1F600}".chars().collect();
    prop_oneof![
        prop::collection::vec(prop::sample::select(alphabet.clone()), 0..3000)
            .prop_map(|chars| (chars.into_iter().collect::<String>(), Expect::Anything)),
        prop::collection::vec(any::<u8>(), 0..2000)
            .prop_map(|bytes| (String::from_utf8_lossy(&bytes).into_owned(), Expect::Anything)),
        (
            within(bounds),
            prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(alphabet), 0usize..200), 1..8)
        )
            .prop_map(|((source, _), edits)| {
                let mut chars: Vec<char> = source.chars().collect();
                for (at, c, repeat) in edits {
                    let at = at.index(chars.len() + 1);
                    chars.splice(at..at, std::iter::repeat_n(c, repeat));
                }
                (chars.into_iter().collect(), Expect::Anything)
            }),
    ]
}

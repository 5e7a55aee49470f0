//! Hostile WGSL, by kind and size. Every program is valid WGSL whose entry
//! point `main` writes `out[0]`, so that at a size the host survives it runs
//! and gives a known answer ([`expected`]).

/// What a kind of program makes hostile, for the usage message.
pub const KINDS: &[&str] = &[
    "parens",
    "sum",
    "let_chain",
    "unary",
    "not",
    "template",
    "call",
    "index",
    "swizzle",
    "braces",
    "workgroup",
    "workgroup_override",
    "private",
    "function",
    "wgsize",
    "combined",
];

const OUT: &str = "@group(0) @binding(0) var<storage, read_write> out: array<u32, 4>;\n";

fn main_fn(workgroup_size: &str, body: &str) -> String {
    format!(
        "@compute @workgroup_size({workgroup_size}) fn main(@builtin(local_invocation_index) lid: u32) {{\n{body}\n}}\n"
    )
}

/// The program of `kind` at size `n`, and the override constants its
/// pipeline takes.
pub fn program(kind: &str, n: usize) -> Option<(String, Vec<(&'static str, f64)>)> {
    let mut constants = Vec::new();
    let source = match kind {
        "parens" => format!("{OUT}{}", main_fn("1", &format!("out[0] = {}7u{};", "(".repeat(n), ")".repeat(n)))),
        "sum" => format!("{OUT}{}", main_fn("1", &format!("out[0] = 1u{};", "+1u".repeat(n.saturating_sub(1))))),
        "let_chain" => {
            let mut body = String::from("let x0 = out[1] + 1u;\n");
            for i in 1..n {
                body += &format!("let x{i} = x{} + 1u;\n", i - 1);
            }
            body += &format!("out[0] = x{};", n.saturating_sub(1));
            format!("{OUT}{}", main_fn("1", &body))
        }
        // `~` twice is the identity; `- -` would lex as a decrement.
        "unary" => format!("{OUT}{}", main_fn("1", &format!("out[0] = {}7u;", "~".repeat(2 * n.div_ceil(2))))),
        "not" => format!(
            "{OUT}{}",
            main_fn("1", &format!("out[0] = select(0u, 7u, {}true);", "!".repeat(2 * n.div_ceil(2))))
        ),
        "template" => {
            format!("{OUT}alias T = {}u32{};\n{}", "array<".repeat(n), ", 1>".repeat(n), main_fn("1", "out[0] = 7u;"))
        }
        "call" => format!(
            "{OUT}fn f(x: u32) -> u32 {{ return x; }}\n{}",
            main_fn("1", &format!("out[0] = {}7u{};", "f(".repeat(n), ")".repeat(n)))
        ),
        // out[1] is 0, so each index reads out[0] = 0 ... then adds 7.
        "index" => format!("{OUT}{}", main_fn("1", &format!("out[0] = {}1u{} + 7u;", "out[".repeat(n), "]".repeat(n)))),
        "swizzle" => format!(
            "{OUT}{}",
            main_fn("1", &format!("let v = vec4u(7u, 1u, 2u, 3u);\nout[0] = v{}.x;", ".xyzw".repeat(n)))
        ),
        "braces" => format!("{OUT}{}", main_fn("1", &format!("{}out[0] = 7u;{}", "{".repeat(n), "}".repeat(n)))),
        "workgroup" => format!(
            "{OUT}var<workgroup> w: array<u32, {n}>;\n{}",
            main_fn("1", &format!("w[{}] = 7u;\nworkgroupBarrier();\nout[0] = w[{}];", n - 1, n - 1))
        ),
        "workgroup_override" => {
            constants.push(("n", n as f64));
            format!(
                "{OUT}override n: u32 = 1u;\nvar<workgroup> w: array<u32, n>;\n{}",
                main_fn("1", "w[n - 1u] = 7u;\nworkgroupBarrier();\nout[0] = w[n - 1u];")
            )
        }
        "private" => format!(
            "{OUT}var<private> p: array<u32, {n}>;\n{}",
            main_fn("1", &format!("p[out[1] % {n}u] = 7u;\nout[0] = p[out[1] % {n}u];"))
        ),
        "function" => format!(
            "{OUT}{}",
            main_fn("1", &format!("var p: array<u32, {n}>;\np[out[1] % {n}u] = 7u;\nout[0] = p[out[1] % {n}u];"))
        ),
        "wgsize" => {
            constants.push(("wg", n as f64));
            format!(
                "@group(0) @binding(0) var<storage, read_write> out: array<atomic<u32>, 4>;\noverride wg: u32 = 1u;\n{}",
                main_fn("wg", "atomicAdd(&out[0], 1u);")
            )
        }
        // Blocks, parentheses and a sum at once: n = blocks * 1e6 +
        // parens * 1e3 + terms, the blocks inside the entry point's body.
        "combined" => {
            let (blocks, parens, terms) = (n / 1_000_000, n / 1000 % 1000, n % 1000);
            let sum =
                format!("{}1u{}{}", "(".repeat(parens), "+1u".repeat(terms.saturating_sub(1)), ")".repeat(parens));
            format!("{OUT}{}", main_fn("1", &format!("{}out[0] = {sum};{}", "{".repeat(blocks), "}".repeat(blocks))))
        }
        _ => return None,
    };
    Some((source, constants))
}

/// What `out[0]` holds after one workgroup of `kind`'s program at size
/// `n` ran, computed from the program's meaning.
pub fn expected(kind: &str, n: usize) -> u32 {
    match kind {
        "sum" | "let_chain" | "wgsize" => n as u32,
        "combined" => (n % 1000) as u32,
        _ => 7,
    }
}

//! The CPU matrix product: a cache-blocked GEMM over packed panels (the
//! BLIS / GotoBLAS loop nest) with a 4 × 8 register-tile micro-kernel, in
//! f32x4 SIMD128 on wasm32.
//!
//! Every operand layout (transposed, strided, batched, PyTorch's `[out, in]`
//! weights) goes through the same packing: A's block is copied into 4-row
//! panels and B's into 8-column panels, k-major, so the micro-kernel streams
//! both contiguously whatever the layout. Packing costs `O(mk + kn)` per
//! block against the block's `O(mnk)` products.

use std::cell::RefCell;

use crate::Activation;
use crate::cpu::elementwise::{gelu_erf, gelu_tanh};

/// Rows of the register tile.
const MR: usize = 4;
/// Columns of the register tile: two f32x4 vectors.
const NR: usize = 8;
/// Depth of a packed block: a 4-row A panel and an 8-column B panel of 256
/// are 12 KiB, well inside L1 beside the tile.
const KC: usize = 256;
/// Rows of A per packed block (64 KiB at `KC`: L2).
const MC: usize = 64;
/// Columns of B per packed block (512 KiB at `KC`: L2 or L3).
const NC: usize = 512;

/// A matrix over a slice: element `(i, j)` is `data[i * row_stride + j * col_stride]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    pub(crate) data: &'a [f32],
    pub(crate) row_stride: usize,
    pub(crate) col_stride: usize,
}

impl<'a> View<'a> {
    /// A row-major `rows × cols` matrix, or its transpose when `transposed`
    /// (then `data` holds the `cols × rows` matrix).
    pub(crate) fn new(data: &'a [f32], cols: usize, rows: usize, transposed: bool) -> Self {
        if transposed {
            Self { data, row_stride: 1, col_stride: rows }
        } else {
            Self { data, row_stride: cols, col_stride: 1 }
        }
    }

    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.row_stride + j * self.col_stride]
    }
}

/// `act` applied to `x`, as the `linear` kernel's epilogue does.
fn apply(act: Activation, x: f32) -> f32 {
    match act {
        Activation::None => x,
        Activation::Relu => x.max(0.0),
        Activation::GeluErf => gelu_erf(x),
        Activation::GeluTanh => gelu_tanh(x),
    }
}

/// What is done to each element of C once its dot product is complete.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Epilogue<'a> {
    /// Added to column `j`.
    pub(crate) bias: Option<&'a [f32]>,
    pub(crate) act: Activation,
}

impl Epilogue<'_> {
    pub(crate) const NONE: Epilogue<'static> = Epilogue { bias: None, act: Activation::None };
}

thread_local! {
    /// The packed blocks of A and B, reused by every product (ops run one at
    /// a time; a guest has one thread).
    static PACKS: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// `c = epilogue(a · b)` for `a` `m × k` and `b` `k × n`; row `i` of C starts
/// at `c[i * ldc]`. `k = 0` gives `epilogue(0)`.
// The product's three sizes, two operands, C and its row stride, and the
// epilogue: a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: View<'_>,
    b: View<'_>,
    c: &mut [f32],
    ldc: usize,
    epi: Epilogue<'_>,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for i in 0..m {
            for (j, out) in c[i * ldc..i * ldc + n].iter_mut().enumerate() {
                *out = apply(epi.act, epi.bias.map_or(0.0, |bias| bias[j]));
            }
        }
        return;
    }
    PACKS.with(|packs| {
        let mut packs = packs.borrow_mut();
        let (packed_a, packed_b) = &mut *packs;
        packed_a.resize(MC * KC, 0.0);
        packed_b.resize(KC * NC, 0.0);
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                pack_b(&b, pc, jc, kc, nc, packed_b);
                let (first, last) = (pc == 0, pc + kc == k);
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    pack_a(&a, ic, pc, mc, kc, packed_a);
                    for jr in (0..nc).step_by(NR) {
                        let panel_b = &packed_b[jr * kc..(jr + NR) * kc];
                        for ir in (0..mc).step_by(MR) {
                            let mut tile = [0.0f32; MR * NR];
                            micro(kc, &packed_a[ir * kc..(ir + MR) * kc], panel_b, &mut tile);
                            let block = Block {
                                row: ic + ir,
                                col: jc + jr,
                                rows: MR.min(mc - ir),
                                cols: NR.min(nc - jr),
                                first,
                                last,
                            };
                            store(&tile, c, ldc, block, epi);
                        }
                    }
                }
            }
        }
    });
}

/// Copies rows `i0..i0 + mc`, columns `p0..p0 + kc` of A into `MR`-row
/// panels, k-major (`out[panel][p][r]`), zero-padding the last panel.
fn pack_a(a: &View<'_>, i0: usize, p0: usize, mc: usize, kc: usize, out: &mut [f32]) {
    for (panel, rows) in out.chunks_exact_mut(MR * kc).zip((0..mc).step_by(MR)) {
        let live = MR.min(mc - rows);
        for r in 0..MR {
            if r >= live {
                panel.iter_mut().skip(r).step_by(MR).for_each(|x| *x = 0.0);
                continue;
            }
            let row = i0 + rows + r;
            for p in 0..kc {
                panel[p * MR + r] = a.at(row, p0 + p);
            }
        }
    }
}

/// Copies rows `p0..p0 + kc`, columns `j0..j0 + nc` of B into `NR`-column
/// panels, k-major (`out[panel][p][c]`), zero-padding the last panel.
fn pack_b(b: &View<'_>, p0: usize, j0: usize, kc: usize, nc: usize, out: &mut [f32]) {
    for (panel, cols) in out.chunks_exact_mut(NR * kc).zip((0..nc).step_by(NR)) {
        let live = NR.min(nc - cols);
        if b.col_stride == 1 && live == NR {
            // Row-major B: each panel row is a contiguous run of NR.
            for p in 0..kc {
                let start = (p0 + p) * b.row_stride + j0 + cols;
                panel[p * NR..(p + 1) * NR].copy_from_slice(&b.data[start..start + NR]);
            }
            continue;
        }
        // Column by column, so a transposed B (`[out, in]` weights) is read
        // along its contiguous rows.
        for c in 0..NR {
            if c >= live {
                panel.iter_mut().skip(c).step_by(NR).for_each(|x| *x = 0.0);
                continue;
            }
            let col = j0 + cols + c;
            for p in 0..kc {
                panel[p * NR + c] = b.at(p0 + p, col);
            }
        }
    }
}

/// Where a register tile goes in C, and which part of the k loop it ends.
#[derive(Clone, Copy)]
struct Block {
    row: usize,
    col: usize,
    rows: usize,
    cols: usize,
    first: bool,
    last: bool,
}

/// Writes (first k block) or adds a tile into C, applying the epilogue
/// after the last k block.
fn store(tile: &[f32; MR * NR], c: &mut [f32], ldc: usize, at: Block, epi: Epilogue<'_>) {
    for r in 0..at.rows {
        let start = (at.row + r) * ldc + at.col;
        let out = &mut c[start..start + at.cols];
        for (j, (out, &v)) in out.iter_mut().zip(&tile[r * NR..]).enumerate() {
            let mut v = if at.first { v } else { *out + v };
            if at.last {
                if let Some(bias) = epi.bias {
                    v += bias[at.col + j];
                }
                v = apply(epi.act, v);
            }
            *out = v;
        }
    }
}

/// The 4 × 8 tile of `Σ_p a[p] ⊗ b[p]` over a packed A panel and B panel.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn micro(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32; MR * NR]) {
    use core::arch::wasm32::*;
    assert!(a.len() >= kc * MR && b.len() >= kc * NR);
    let zero = f32x4_splat(0.0);
    let mut acc = [[zero; 2]; MR];
    let (a, b) = (a.as_ptr(), b.as_ptr());
    for p in 0..kc {
        // SAFETY: p < kc and the asserted lengths keep every load in the
        // slices; wasm loads need no alignment.
        unsafe {
            let b0 = v128_load(b.add(p * NR).cast());
            let b1 = v128_load(b.add(p * NR + 4).cast());
            for (r, acc) in acc.iter_mut().enumerate() {
                let x = v128_load32_splat(a.add(p * MR + r).cast());
                acc[0] = f32x4_add(acc[0], f32x4_mul(x, b0));
                acc[1] = f32x4_add(acc[1], f32x4_mul(x, b1));
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        // SAFETY: the tile holds MR rows of NR = 8.
        unsafe {
            v128_store(tile.as_mut_ptr().add(r * NR).cast(), acc[0]);
            v128_store(tile.as_mut_ptr().add(r * NR + 4).cast(), acc[1]);
        }
    }
}

/// The portable micro-kernel: fixed-size arrays LLVM keeps in vector
/// registers.
#[cfg(not(target_arch = "wasm32"))]
fn micro(kc: usize, a: &[f32], b: &[f32], tile: &mut [f32; MR * NR]) {
    let mut acc = [[0.0f32; NR]; MR];
    for (a, b) in a.chunks_exact(MR).zip(b.chunks_exact(NR)).take(kc) {
        for r in 0..MR {
            for c in 0..NR {
                acc[r][c] += a[r] * b[c];
            }
        }
    }
    for r in 0..MR {
        tile[r * NR..(r + 1) * NR].copy_from_slice(&acc[r]);
    }
}

/// The matrix product of [`crate::MatmulDesc`], already checked: `batch`
/// products, operand `i` starting `i * stride` elements in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Matmul {
    pub(crate) m: usize,
    pub(crate) n: usize,
    pub(crate) k: usize,
    pub(crate) batch: usize,
    pub(crate) transpose_a: bool,
    pub(crate) transpose_b: bool,
    pub(crate) strides: [usize; 3],
}

impl Matmul {
    pub(crate) fn run(&self, a: &[f32], b: &[f32], c: &mut [f32]) {
        let Self { m, n, k, batch, transpose_a, transpose_b, strides: [sa, sb, sc] } = *self;
        for i in 0..batch {
            let a = View::new(&a[i * sa..], k, m, transpose_a);
            let b = View::new(&b[i * sb..], n, k, transpose_b);
            gemm(m, n, k, a, b, &mut c[i * sc..], n, Epilogue::NONE);
        }
    }
}

/// `y = act(x · wᵀ + bias)`: `x` is `[rows, inputs]`, `w` `[outputs, inputs]`
/// (PyTorch's `nn.Linear` layout), `y` `[rows, outputs]`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn linear(
    rows: usize,
    inputs: usize,
    outputs: usize,
    act: Activation,
    x: &[f32],
    w: &[f32],
    bias: &[f32],
    y: &mut [f32],
) {
    let x = View { data: x, row_stride: inputs, col_stride: 1 };
    let w = View { data: w, row_stride: 1, col_stride: inputs };
    gemm(rows, outputs, inputs, x, w, y, outputs, Epilogue { bias: Some(bias), act });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u32) -> f32 {
        *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (*seed >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    }

    fn reference(m: usize, n: usize, k: usize, a: View<'_>, b: View<'_>) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| f64::from(a.at(i, p)) * f64::from(b.at(p, j))).sum();
            }
        }
        c
    }

    #[test]
    fn every_layout_and_block_edge() {
        let mut seed = 7;
        for (m, n, k) in [(1, 1, 1), (5, 9, 3), (65, 513, 257), (4, 8, 256), (130, 17, 600), (3, 1030, 2)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a: Vec<f32> = (0..m * k).map(|_| lcg(&mut seed)).collect();
                let b: Vec<f32> = (0..k * n).map(|_| lcg(&mut seed)).collect();
                let (va, vb) = (View::new(&a, k, m, ta), View::new(&b, n, k, tb));
                let mut c = vec![f32::NAN; m * n];
                gemm(m, n, k, va, vb, &mut c, n, Epilogue::NONE);
                for (i, (&got, want)) in c.iter().zip(reference(m, n, k, va, vb)).enumerate() {
                    assert!((f64::from(got) - want).abs() <= 1e-6 + k as f64 * 1.2e-7, "{m}x{n}x{k} {ta} {tb} [{i}]");
                }
            }
        }
    }

    #[test]
    fn linear_adds_bias_and_activates() {
        let mut seed = 3;
        let (rows, inputs, outputs) = (7, 300, 19);
        let x: Vec<f32> = (0..rows * inputs).map(|_| lcg(&mut seed)).collect();
        let w: Vec<f32> = (0..outputs * inputs).map(|_| lcg(&mut seed)).collect();
        let bias: Vec<f32> = (0..outputs).map(|_| lcg(&mut seed)).collect();
        for act in [Activation::None, Activation::Relu, Activation::GeluErf, Activation::GeluTanh] {
            let mut y = vec![f32::NAN; rows * outputs];
            linear(rows, inputs, outputs, act, &x, &w, &bias, &mut y);
            for r in 0..rows {
                for o in 0..outputs {
                    let dot: f64 =
                        (0..inputs).map(|p| f64::from(x[r * inputs + p]) * f64::from(w[o * inputs + p])).sum();
                    let want = apply(act, (dot + f64::from(bias[o])) as f32);
                    assert!((y[r * outputs + o] - want).abs() < 1e-4, "{act:?} [{r}, {o}]");
                }
            }
        }
    }

    /// Median seconds of `f` over about half a second of runs.
    fn time(mut f: impl FnMut()) -> f64 {
        f();
        let mut samples = Vec::new();
        let start = std::time::Instant::now();
        while samples.len() < 5 || (start.elapsed().as_secs_f64() < 0.5 && samples.len() < 200) {
            let t = std::time::Instant::now();
            f();
            samples.push(t.elapsed().as_secs_f64());
        }
        samples.sort_by(f64::total_cmp);
        samples[samples.len() / 2]
    }

    /// The native side of `tests/bench/guests/ops-cpu`: the same products
    /// natively (this GEMM, and a plain i-p-j loop LLVM vectorises), in
    /// GFLOPS. `cargo test --release -p wasi-webgpu-ops --lib -- --ignored --nocapture cpu_speed`
    #[test]
    #[ignore = "a benchmark"]
    fn cpu_speed() {
        let tokens = 128;
        for (name, out, inp) in
            [("qkv", 1152, 384), ("attn out", 384, 384), ("ffn up", 1536, 384), ("ffn down", 384, 1536)]
        {
            let x: Vec<f32> = (0..tokens * inp).map(|i| (i % 13) as f32).collect();
            let w: Vec<f32> = (0..out * inp).map(|i| (i % 7) as f32).collect();
            let mut y = vec![0.0; tokens * out];
            let flops = 2.0 * (tokens * out * inp) as f64;
            let secs = time(|| {
                let (vx, vw) = (View::new(&x, inp, tokens, false), View::new(&w, out, inp, true));
                gemm(tokens, out, inp, vx, vw, &mut y, out, Epilogue::NONE)
            });
            let naive = time(|| {
                for i in 0..tokens {
                    for o in 0..out {
                        y[i * out + o] =
                            x[i * inp..(i + 1) * inp].iter().zip(&w[o * inp..(o + 1) * inp]).map(|(a, b)| a * b).sum();
                    }
                }
            });
            println!(
                "{name:>9} {tokens}x{inp} . ({out}x{inp})T: {:8.3} ms {:6.2} GFLOPS; plain dot loops {:8.3} ms {:6.2} GFLOPS",
                secs * 1e3,
                flops / secs / 1e9,
                naive * 1e3,
                flops / naive / 1e9
            );
        }
        for n in [256, 512, 1024] {
            let a: Vec<f32> = (0..n * n).map(|i| (i % 13) as f32).collect();
            let mut c = vec![0.0; n * n];
            let flops = 2.0 * (n * n * n) as f64;
            let secs = time(|| {
                gemm(n, n, n, View::new(&a, n, n, false), View::new(&a, n, n, false), &mut c, n, Epilogue::NONE)
            });
            let naive = time(|| {
                c.fill(0.0);
                for i in 0..n {
                    for p in 0..n {
                        let x = a[i * n + p];
                        for (c, &b) in c[i * n..(i + 1) * n].iter_mut().zip(&a[p * n..(p + 1) * n]) {
                            *c += x * b;
                        }
                    }
                }
            });
            println!(
                "   square {n}^3: {:8.3} ms {:6.2} GFLOPS; plain i-p-j loops {:8.3} ms {:6.2} GFLOPS",
                secs * 1e3,
                flops / secs / 1e9,
                naive * 1e3,
                flops / naive / 1e9
            );
        }
    }
}

// Batched matrix product C[b] = op(A[b]) * op(B[b]) over row-major
// matrices of `elem` (f32.wgsl, or f16.wgsl's f16 storage: loads widen to
// f32, all arithmetic is f32, the store rounds once; with
// matmul_epilogue.wgsl and erf.wgsl), where op transposes when TRANSPOSE_A / TRANSPOSE_B is set:
// op(A) is m x k (A is stored m x k, or k x m when transposed), op(B) is
// k x n (stored k x n, or n x k), C is m x n. Batch b starts at
// b * stride_* elements; a stride of 0 shares one matrix across the batch.
//
// Each workgroup of 16 x 8 invocations computes a 64 x 64 tile of C, each
// invocation an 8 x 4 block of it held in registers (register blocking). Per
// step along k, the workgroup stages a 64 x 16 slice of op(A) and a 16 x 64
// slice of op(B) in workgroup memory, so every element of A and B is read
// from storage once per tile rather than once per product term. Loads past
// the matrices' edges read zeros, so no size needs to be a multiple of the
// tile.
//
// `linear` is the same product with a bias and an activation applied to the
// registers before the store (nn.Linear with TRANSPOSE_B: B is [out, in]).

const TILE_M: u32 = 64u;
const TILE_N: u32 = 64u;
const TILE_K: u32 = 16u;

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<elem>;
@group(0) @binding(2) var<storage, read> b: array<elem>;
@group(0) @binding(3) var<storage, read_write> c: array<elem>;
@group(0) @binding(4) var<storage, read> bias: array<elem>;

// tile_a[kk * 16 + r] holds op(A) rows 4r..4r+3 at column kk of the slice;
// tile_b[kk * 16 + q] holds op(B) columns 4q..4q+3 at row kk. The inner loop
// then reads two vec4s of A and one of B per step for 32 multiply-adds: on
// lavapipe, which runs 8 invocations per SIMD vector and gathers their
// workgroup loads, this measured faster than 4 x 4 blocks (1.3 against 1.1
// GFLOPS at 512^3 on 2 shared cores).
var<workgroup> tile_a: array<vec4<f32>, 256>;
var<workgroup> tile_b: array<vec4<f32>, 256>;

// The 8 x 4 block of C an invocation computes, in registers.
struct Block {
    r0: vec4<f32>,
    r1: vec4<f32>,
    r2: vec4<f32>,
    r3: vec4<f32>,
    r4: vec4<f32>,
    r5: vec4<f32>,
    r6: vec4<f32>,
    r7: vec4<f32>,
}

@compute @workgroup_size(16, 8)
fn matmul(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
) {
    let acc = product(wid, lid, flat);
    let base_c = wid.z * params.stride_c;
    let row = wid.y * TILE_M + lid.y * 8u;
    let col = wid.x * TILE_N + lid.x * 4u;
    store_row(base_c, row, col, acc.r0);
    store_row(base_c, row + 1u, col, acc.r1);
    store_row(base_c, row + 2u, col, acc.r2);
    store_row(base_c, row + 3u, col, acc.r3);
    store_row(base_c, row + 4u, col, acc.r4);
    store_row(base_c, row + 5u, col, acc.r5);
    store_row(base_c, row + 6u, col, acc.r6);
    store_row(base_c, row + 7u, col, acc.r7);
}

// nn.Linear: C = A * B^T + bias, then ACTIVATION, fused into the product's
// epilogue so the pre-activation never goes through memory. A separate entry
// point (rather than an override of `matmul`) keeps `bias` out of matmul's
// bindings.
@compute @workgroup_size(16, 8)
fn linear(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
) {
    let acc = product(wid, lid, flat);
    let base_c = wid.z * params.stride_c;
    let row = wid.y * TILE_M + lid.y * 8u;
    let col = wid.x * TILE_N + lid.x * 4u;
    let bias4 = load_bias(col);
    store_row(base_c, row, col, activate(acc.r0 + bias4));
    store_row(base_c, row + 1u, col, activate(acc.r1 + bias4));
    store_row(base_c, row + 2u, col, activate(acc.r2 + bias4));
    store_row(base_c, row + 3u, col, activate(acc.r3 + bias4));
    store_row(base_c, row + 4u, col, activate(acc.r4 + bias4));
    store_row(base_c, row + 5u, col, activate(acc.r5 + bias4));
    store_row(base_c, row + 6u, col, activate(acc.r6 + bias4));
    store_row(base_c, row + 7u, col, activate(acc.r7 + bias4));
}

fn load_bias(col: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    for (var j = 0u; j < 4u; j++) {
        if col + j < params.n {
            v[j] = f32(bias[col + j]);
        }
    }
    return v;
}

// The product's tile, shared by both entry points.
fn product(wid: vec3<u32>, lid: vec3<u32>, flat: u32) -> Block {
    let row0 = wid.y * TILE_M;
    let col0 = wid.x * TILE_N;
    let base_a = wid.z * params.stride_a;
    let base_b = wid.z * params.stride_b;

    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var acc4 = vec4<f32>(0.0);
    var acc5 = vec4<f32>(0.0);
    var acc6 = vec4<f32>(0.0);
    var acc7 = vec4<f32>(0.0);

    let steps = (params.k + TILE_K - 1u) / TILE_K;
    for (var step = 0u; step < steps; step++) {
        let k0 = step * TILE_K;
        // Each invocation fills two vec4s of each tile: 4 rows of op(A) at
        // one k, and 4 columns of op(B) at one k. Whole-vector stores keep
        // the stores free of dynamically indexed components, which
        // SIMD-across-invocations drivers (lavapipe) would scalarise.
        // Consecutive invocations take consecutive elements of the stored
        // matrix where they can: along k for A, along n for B, and the
        // other way round when transposed.
        for (var half = 0u; half < 2u; half++) {
            let slot = flat + half * 128u;
            let minor = slot % 16u;
            let major = slot / 16u;
            let a_k = select(minor, major, TRANSPOSE_A);
            let a_quad = select(major, minor, TRANSPOSE_A);
            let row = row0 + a_quad * 4u;
            tile_a[a_k * 16u + a_quad] = vec4<f32>(
                load_a(base_a, row, k0 + a_k),
                load_a(base_a, row + 1u, k0 + a_k),
                load_a(base_a, row + 2u, k0 + a_k),
                load_a(base_a, row + 3u, k0 + a_k),
            );
            let b_k = select(major, minor, TRANSPOSE_B);
            let b_quad = select(minor, major, TRANSPOSE_B);
            let col = col0 + b_quad * 4u;
            tile_b[b_k * 16u + b_quad] = vec4<f32>(
                load_b(base_b, k0 + b_k, col),
                load_b(base_b, k0 + b_k, col + 1u),
                load_b(base_b, k0 + b_k, col + 2u),
                load_b(base_b, k0 + b_k, col + 3u),
            );
        }
        workgroupBarrier();

        for (var kk = 0u; kk < TILE_K; kk++) {
            let a_low = tile_a[kk * 16u + lid.y * 2u];
            let a_high = tile_a[kk * 16u + lid.y * 2u + 1u];
            let bv = tile_b[kk * 16u + lid.x];
            acc0 += a_low.x * bv;
            acc1 += a_low.y * bv;
            acc2 += a_low.z * bv;
            acc3 += a_low.w * bv;
            acc4 += a_high.x * bv;
            acc5 += a_high.y * bv;
            acc6 += a_high.z * bv;
            acc7 += a_high.w * bv;
        }
        workgroupBarrier();
    }

    return Block(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
}

// op(A)[row][col] of the batch entry at `base`, or 0 past the edges.
fn load_a(base: u32, row: u32, col: u32) -> f32 {
    if row >= params.m || col >= params.k {
        return 0.0;
    }
    if TRANSPOSE_A {
        return f32(a[base + col * params.m + row]);
    }
    return f32(a[base + row * params.k + col]);
}

// op(B)[row][col] of the batch entry at `base`, or 0 past the edges.
fn load_b(base: u32, row: u32, col: u32) -> f32 {
    if row >= params.k || col >= params.n {
        return 0.0;
    }
    if TRANSPOSE_B {
        return f32(b[base + col * params.k + row]);
    }
    return f32(b[base + row * params.n + col]);
}

fn store_row(base: u32, row: u32, col: u32, values: vec4<f32>) {
    if row >= params.m {
        return;
    }
    let at = base + row * params.n + col;
    for (var j = 0u; j < 4u; j++) {
        if col + j < params.n {
            c[at + j] = elem(values[j]);
        }
    }
}

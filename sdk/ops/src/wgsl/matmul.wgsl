// Batched matrix product C[b] = op(A[b]) * op(B[b]) over row-major f32
// matrices, where op transposes when TRANSPOSE_A / TRANSPOSE_B is set:
// op(A) is m x k (A is stored m x k, or k x m when transposed), op(B) is
// k x n (stored k x n, or n x k), C is m x n. Batch b starts at
// b * stride_* elements; a stride of 0 shares one matrix across the batch.
//
// Each workgroup of 16 x 16 invocations computes a 64 x 64 tile of C, each
// invocation a 4 x 4 block of it held in registers (register blocking). Per
// step along k, the workgroup stages a 64 x 16 slice of op(A) and a 16 x 64
// slice of op(B) in workgroup memory, so every element of A and B is read
// from storage once per tile rather than once per product term. Loads past
// the matrices' edges read zeros, so no size needs to be a multiple of the
// tile.

const TILE_M: u32 = 64u;
const TILE_N: u32 = 64u;
const TILE_K: u32 = 16u;
// Invocations per workgroup: 16 x 16, each with 4 x 4 outputs.
const THREADS: u32 = 256u;

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;

struct MatmulParams {
    m: u32,
    n: u32,
    k: u32,
    stride_a: u32,
    stride_b: u32,
    stride_c: u32,
}

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// tile_a[kk * 16 + r] holds op(A) rows 4r..4r+3 at column kk of the slice;
// tile_b[kk * 16 + q] holds op(B) columns 4q..4q+3 at row kk. The inner loop
// then reads one vec4 of each per step.
var<workgroup> tile_a: array<vec4<f32>, 256>;
var<workgroup> tile_b: array<vec4<f32>, 256>;

@compute @workgroup_size(16, 16)
fn matmul(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) flat: u32,
) {
    let row0 = wid.y * TILE_M;
    let col0 = wid.x * TILE_N;
    let base_a = wid.z * params.stride_a;
    let base_b = wid.z * params.stride_b;
    let base_c = wid.z * params.stride_c;
    let m = params.m;
    let n = params.n;
    let k = params.k;

    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);

    let steps = (k + TILE_K - 1u) / TILE_K;
    for (var step = 0u; step < steps; step++) {
        let k0 = step * TILE_K;
        // 1024 elements of each slice, 4 per invocation; consecutive
        // invocations walk the stored matrix's contiguous dimension.
        for (var l = 0u; l < 4u; l++) {
            let idx = flat + l * THREADS;
            var r: u32;
            var kk: u32;
            if TRANSPOSE_A {
                r = idx % TILE_M;
                kk = idx / TILE_M;
            } else {
                r = idx / TILE_K;
                kk = idx % TILE_K;
            }
            let row = row0 + r;
            let col = k0 + kk;
            var value = 0.0;
            if row < m && col < k {
                if TRANSPOSE_A {
                    value = a[base_a + col * m + row];
                } else {
                    value = a[base_a + row * k + col];
                }
            }
            tile_a[kk * 16u + r / 4u][r % 4u] = value;
        }
        for (var l = 0u; l < 4u; l++) {
            let idx = flat + l * THREADS;
            var q: u32;
            var kk: u32;
            if TRANSPOSE_B {
                q = idx / TILE_K;
                kk = idx % TILE_K;
            } else {
                q = idx % TILE_N;
                kk = idx / TILE_N;
            }
            let row = k0 + kk;
            let col = col0 + q;
            var value = 0.0;
            if row < k && col < n {
                if TRANSPOSE_B {
                    value = b[base_b + col * k + row];
                } else {
                    value = b[base_b + row * n + col];
                }
            }
            tile_b[kk * 16u + q / 4u][q % 4u] = value;
        }
        workgroupBarrier();

        for (var kk = 0u; kk < TILE_K; kk++) {
            let av = tile_a[kk * 16u + lid.y];
            let bv = tile_b[kk * 16u + lid.x];
            acc0 += av.x * bv;
            acc1 += av.y * bv;
            acc2 += av.z * bv;
            acc3 += av.w * bv;
        }
        workgroupBarrier();
    }

    let row = row0 + lid.y * 4u;
    let col = col0 + lid.x * 4u;
    store_row(base_c, row, col, acc0);
    store_row(base_c, row + 1u, col, acc1);
    store_row(base_c, row + 2u, col, acc2);
    store_row(base_c, row + 3u, col, acc3);
}

fn store_row(base: u32, row: u32, col: u32, values: vec4<f32>) {
    if row >= params.m {
        return;
    }
    let at = base + row * params.n + col;
    for (var j = 0u; j < 4u; j++) {
        if col + j < params.n {
            c[at + j] = values[j];
        }
    }
}

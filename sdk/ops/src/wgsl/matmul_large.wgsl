// The large-tile matrix product: C[b] = op(A[b]) * op(B[b]) (+ bias, then
// ACTIVATION, for `linear`), the layouts and strides of matmul.wgsl, for
// operands whose contiguous dimensions are multiples of 4, so that every
// global load and store is a whole vec4: A's k (or m, transposed), B's n
// (or k, transposed), C's n and every batch stride. With
// matmul_epilogue.wgsl and erf.wgsl, after one of the element type files:
// f32.wgsl (f32 storage and sums), f16.wgsl (f16 storage widened to f32
// slices and sums) or f16_sums.wgsl (f16 slices and sums, rounding every
// partial sum). Either way the bias and activation are applied in f32 and C
// is rounded to `elem` once, at the store.
//
// Each workgroup of 16 x 16 invocations computes a 128 x 128 tile of C, each
// invocation an 8 x 8 block (rows 8 * ty.., columns 4 * tx.. and 64 + 4 * tx..)
// in sixteen named vec4 accumulators: 16 FMAs of vec4 per four vec4 reads of
// workgroup memory. Slices of BK columns of op(A) and BK rows of op(B) are
// staged in workgroup memory twice over (double buffering): while the
// invocations multiply out one slice, the global loads of the next are in
// flight in registers and land in the other buffer, so each step along k
// needs one barrier instead of two and the loads' latency hides behind the
// arithmetic. f32 slices take 16 KiB at BK = 8 (WebGPU's default limit) and
// 32 KiB at BK = 16 (the limit NVIDIA, AMD and lavapipe adapters offer); f16
// slices half that, so BK = 16 and 32. Each invocation fetches BK / 8 vec4s
// of each slice per step.
//
// With CHECKED, loads past the matrices' edges read zeros and stores past
// them are dropped, per vec4; the host turns it off when m and n are
// multiples of 128 and k of BK, so the loop carries no bounds checks.

const TILE: u32 = 128u;
// vec4s across a tile row.
const Q: u32 = 32u;

override BK: u32 = 8u;
// Both buffers of both slices: 2 * BK rows of Q vec4s.
override SLOTS: u32 = 2u * BK * Q;
// vec4s of each slice one invocation fetches per step: 1 to 4.
override LOADS: u32 = BK / 8u;
override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override CHECKED: bool = true;
@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<vec4<elem>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<elem>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<elem>>;
@group(0) @binding(4) var<storage, read> bias: array<vec4<elem>>;

// tile_a[buffer * BK * Q + kk * Q + r] holds op(A) rows 4r..4r+3 at column kk
// of the slice; tile_b likewise op(B) columns 4q..4q+3 at row kk.
var<workgroup> tile_a: array<vec4<accum>, SLOTS>;
var<workgroup> tile_b: array<vec4<accum>, SLOTS>;

// The 8 x 8 block of C an invocation computes: row r's left and right quads.
struct Block {
    r00: vec4<f32>, r01: vec4<f32>,
    r10: vec4<f32>, r11: vec4<f32>,
    r20: vec4<f32>, r21: vec4<f32>,
    r30: vec4<f32>, r31: vec4<f32>,
    r40: vec4<f32>, r41: vec4<f32>,
    r50: vec4<f32>, r51: vec4<f32>,
    r60: vec4<f32>, r61: vec4<f32>,
    r70: vec4<f32>, r71: vec4<f32>,
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let acc = product(wid, lid);
    let row = wid.y * TILE + lid.y * 8u;
    let col = wid.x * TILE + lid.x * 4u;
    let base = wid.z * params.stride_c;
    store(base, row, col, acc.r00, acc.r01);
    store(base, row + 1u, col, acc.r10, acc.r11);
    store(base, row + 2u, col, acc.r20, acc.r21);
    store(base, row + 3u, col, acc.r30, acc.r31);
    store(base, row + 4u, col, acc.r40, acc.r41);
    store(base, row + 5u, col, acc.r50, acc.r51);
    store(base, row + 6u, col, acc.r60, acc.r61);
    store(base, row + 7u, col, acc.r70, acc.r71);
}

// nn.Linear: C = A * B^T + bias, then ACTIVATION, in registers.
@compute @workgroup_size(16, 16)
fn linear(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let acc = product(wid, lid);
    let row = wid.y * TILE + lid.y * 8u;
    let col = wid.x * TILE + lid.x * 4u;
    let b0 = load_bias(col);
    let b1 = load_bias(col + 64u);
    store(0u, row, col, activate(acc.r00 + b0), activate(acc.r01 + b1));
    store(0u, row + 1u, col, activate(acc.r10 + b0), activate(acc.r11 + b1));
    store(0u, row + 2u, col, activate(acc.r20 + b0), activate(acc.r21 + b1));
    store(0u, row + 3u, col, activate(acc.r30 + b0), activate(acc.r31 + b1));
    store(0u, row + 4u, col, activate(acc.r40 + b0), activate(acc.r41 + b1));
    store(0u, row + 5u, col, activate(acc.r50 + b0), activate(acc.r51 + b1));
    store(0u, row + 6u, col, activate(acc.r60 + b0), activate(acc.r61 + b1));
    store(0u, row + 7u, col, activate(acc.r70 + b0), activate(acc.r71 + b1));
}

fn load_bias(col: u32) -> vec4<f32> {
    if CHECKED && col >= params.n {
        return vec4<f32>(0.0);
    }
    return vec4<f32>(bias[col / 4u]);
}

// Row `row` of C, columns col..col+3 and col+64..col+67, rounded to `elem`.
fn store(base: u32, row: u32, col: u32, left: vec4<f32>, right: vec4<f32>) {
    if CHECKED && row >= params.m {
        return;
    }
    let at = (base + row * params.n + col) / 4u;
    if !CHECKED || col < params.n {
        c[at] = vec4<elem>(left);
    }
    if !CHECKED || col + 64u < params.n {
        c[at + 16u] = vec4<elem>(right);
    }
}

// One vec4 of op(A)'s slice at k0: `slot` numbers the slice's BK * Q vec4s in
// the order that makes consecutive invocations read consecutive memory.
// Along k (A stored m x k): row slot / (BK / 4), k quad slot % (BK / 4);
// along m (A stored k x m): k slot / Q, row quad slot % Q.
fn fetch_a(base: u32, row0: u32, k0: u32, slot: u32) -> vec4<elem> {
    if TRANSPOSE_A {
        let kk = slot / Q;
        let quad = slot % Q;
        if CHECKED && (k0 + kk >= params.k || row0 + quad * 4u >= params.m) {
            return vec4<elem>(0.0);
        }
        return a[(base + (k0 + kk) * params.m + row0) / 4u + quad];
    }
    let row = slot / (BK / 4u);
    let quad = slot % (BK / 4u);
    if CHECKED && (row0 + row >= params.m || k0 + quad * 4u >= params.k) {
        return vec4<elem>(0.0);
    }
    return a[(base + (row0 + row) * params.k + k0) / 4u + quad];
}

// One vec4 of op(B)'s slice at k0, as `fetch_a`: along n (B stored k x n):
// k slot / Q, column quad slot % Q; along k (B stored n x k): column
// slot / (BK / 4), k quad slot % (BK / 4).
fn fetch_b(base: u32, col0: u32, k0: u32, slot: u32) -> vec4<elem> {
    if TRANSPOSE_B {
        let col = slot / (BK / 4u);
        let quad = slot % (BK / 4u);
        if CHECKED && (col0 + col >= params.n || k0 + quad * 4u >= params.k) {
            return vec4<elem>(0.0);
        }
        return b[(base + (col0 + col) * params.k + k0) / 4u + quad];
    }
    let kk = slot / Q;
    let quad = slot % Q;
    if CHECKED && (k0 + kk >= params.k || col0 + quad * 4u >= params.n) {
        return vec4<elem>(0.0);
    }
    return b[(base + (k0 + kk) * params.n + col0) / 4u + quad];
}

// Puts a vec4 `fetch_a` read, as `accum`, into the slice buffer at `at`:
// whole when it runs along m, else spread over 4 k rows (one component each).
fn put_a(at: u32, slot: u32, v: vec4<elem>) {
    if TRANSPOSE_A {
        tile_a[at + slot] = vec4<accum>(v);
        return;
    }
    let row = slot / (BK / 4u);
    let kk = (slot % (BK / 4u)) * 4u;
    let i = at + kk * Q + row / 4u;
    let lane = row % 4u;
    tile_a[i][lane] = accum(v.x);
    tile_a[i + Q][lane] = accum(v.y);
    tile_a[i + 2u * Q][lane] = accum(v.z);
    tile_a[i + 3u * Q][lane] = accum(v.w);
}

fn put_b(at: u32, slot: u32, v: vec4<elem>) {
    if !TRANSPOSE_B {
        tile_b[at + slot] = vec4<accum>(v);
        return;
    }
    let col = slot / (BK / 4u);
    let kk = (slot % (BK / 4u)) * 4u;
    let i = at + kk * Q + col / 4u;
    let lane = col % 4u;
    tile_b[i][lane] = accum(v.x);
    tile_b[i + Q][lane] = accum(v.y);
    tile_b[i + 2u * Q][lane] = accum(v.z);
    tile_b[i + 3u * Q][lane] = accum(v.w);
}

fn product(wid: vec3<u32>, lid: vec3<u32>) -> Block {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let base_a = wid.z * params.stride_a;
    let base_b = wid.z * params.stride_b;
    let flat = lid.y * 16u + lid.x;

    var r00 = vec4<accum>(0.0); var r01 = vec4<accum>(0.0);
    var r10 = vec4<accum>(0.0); var r11 = vec4<accum>(0.0);
    var r20 = vec4<accum>(0.0); var r21 = vec4<accum>(0.0);
    var r30 = vec4<accum>(0.0); var r31 = vec4<accum>(0.0);
    var r40 = vec4<accum>(0.0); var r41 = vec4<accum>(0.0);
    var r50 = vec4<accum>(0.0); var r51 = vec4<accum>(0.0);
    var r60 = vec4<accum>(0.0); var r61 = vec4<accum>(0.0);
    var r70 = vec4<accum>(0.0); var r71 = vec4<accum>(0.0);

    let steps = (params.k + BK - 1u) / BK;
    // One register per load: the `if`s on LOADS fold away with the override.
    var next_a0 = vec4<elem>(0.0); var next_b0 = vec4<elem>(0.0);
    var next_a1 = vec4<elem>(0.0); var next_b1 = vec4<elem>(0.0);
    var next_a2 = vec4<elem>(0.0); var next_b2 = vec4<elem>(0.0);
    var next_a3 = vec4<elem>(0.0); var next_b3 = vec4<elem>(0.0);
    if steps > 0u {
        for (var i = 0u; i < LOADS; i++) {
            put_a(0u, flat + i * 256u, fetch_a(base_a, row0, 0u, flat + i * 256u));
            put_b(0u, flat + i * 256u, fetch_b(base_b, col0, 0u, flat + i * 256u));
        }
    }
    workgroupBarrier();

    for (var step = 0u; step < steps; step++) {
        let cur = (step % 2u) * BK * Q;
        let other = BK * Q - cur;
        let more = step + 1u < steps;
        let k1 = (step + 1u) * BK;
        if more {
            next_a0 = fetch_a(base_a, row0, k1, flat);
            next_b0 = fetch_b(base_b, col0, k1, flat);
            if LOADS > 1u {
                next_a1 = fetch_a(base_a, row0, k1, flat + 256u);
                next_b1 = fetch_b(base_b, col0, k1, flat + 256u);
            }
            if LOADS > 2u {
                next_a2 = fetch_a(base_a, row0, k1, flat + 512u);
                next_b2 = fetch_b(base_b, col0, k1, flat + 512u);
                next_a3 = fetch_a(base_a, row0, k1, flat + 768u);
                next_b3 = fetch_b(base_b, col0, k1, flat + 768u);
            }
        }
        for (var kk = 0u; kk < BK; kk++) {
            let at = cur + kk * Q;
            let a0 = tile_a[at + lid.y * 2u];
            let a1 = tile_a[at + lid.y * 2u + 1u];
            let b0 = tile_b[at + lid.x];
            let b1 = tile_b[at + lid.x + 16u];
            r00 = fma(vec4(a0.x), b0, r00); r01 = fma(vec4(a0.x), b1, r01);
            r10 = fma(vec4(a0.y), b0, r10); r11 = fma(vec4(a0.y), b1, r11);
            r20 = fma(vec4(a0.z), b0, r20); r21 = fma(vec4(a0.z), b1, r21);
            r30 = fma(vec4(a0.w), b0, r30); r31 = fma(vec4(a0.w), b1, r31);
            r40 = fma(vec4(a1.x), b0, r40); r41 = fma(vec4(a1.x), b1, r41);
            r50 = fma(vec4(a1.y), b0, r50); r51 = fma(vec4(a1.y), b1, r51);
            r60 = fma(vec4(a1.z), b0, r60); r61 = fma(vec4(a1.z), b1, r61);
            r70 = fma(vec4(a1.w), b0, r70); r71 = fma(vec4(a1.w), b1, r71);
        }
        // The other buffer was last read in the previous step, before the
        // barrier that ended it.
        if more {
            put_a(other, flat, next_a0);
            put_b(other, flat, next_b0);
            if LOADS > 1u {
                put_a(other, flat + 256u, next_a1);
                put_b(other, flat + 256u, next_b1);
            }
            if LOADS > 2u {
                put_a(other, flat + 512u, next_a2);
                put_b(other, flat + 512u, next_b2);
                put_a(other, flat + 768u, next_a3);
                put_b(other, flat + 768u, next_b3);
            }
        }
        workgroupBarrier();
    }

    // Widening f16 sums to f32 is exact.
    return Block(
        vec4<f32>(r00), vec4<f32>(r01), vec4<f32>(r10), vec4<f32>(r11),
        vec4<f32>(r20), vec4<f32>(r21), vec4<f32>(r30), vec4<f32>(r31),
        vec4<f32>(r40), vec4<f32>(r41), vec4<f32>(r50), vec4<f32>(r51),
        vec4<f32>(r60), vec4<f32>(r61), vec4<f32>(r70), vec4<f32>(r71),
    );
}

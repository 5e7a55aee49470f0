enable f16;

// The f16-storage variant of matmul_large.wgsl (keep them in step): operands,
// bias and results are f16 in memory (vec4<f16>: the contiguous dimensions
// and strides are multiples of 4), and the product comes in two
// accumulations. `matmul` and `linear` widen each loaded vec4 to f32 and
// multiply and sum in f32, as matmul_large.wgsl does; `matmul_h` and
// `linear_h` stage f16 slices and multiply-add in vec4<f16> (two packed half2
// FMAs each on GPUs that have them, twice f32's rate), so every partial sum
// is rounded to f16. Both round C once to f16 at the store; the bias and
// activation are applied in f32.
//
// Each workgroup of 16 x 16 invocations computes a 128 x 128 tile of C, each
// invocation an 8 x 8 block (rows 8 * ty.., columns 4 * tx.. and 64 + 4 * tx..)
// in sixteen named vec4 accumulators. Slices of BK columns of op(A) and BK
// rows of op(B) are staged in workgroup memory twice over (double buffering):
// while the invocations multiply out one slice, the next one's global loads
// are in flight in registers and land in the other buffer, one barrier per
// step. f32 slices take 16 KiB at BK = 8, 32 KiB at BK = 16; f16 slices half
// that, so `matmul_h` runs BK = 16 within WebGPU's default 16 KiB and BK = 32
// in 32 KiB. Each invocation fetches BK / 8 vec4s of each slice per step.
//
// With CHECKED, loads past the matrices' edges read zeros and stores past
// them are dropped, per vec4; the host turns it off when m and n are
// multiples of 128 and k of BK.

const TILE: u32 = 128u;
// vec4s across a tile row.
const Q: u32 = 32u;

override BK: u32 = 8u;
// Both buffers of both slices: 2 * BK rows of Q vec4s.
override SLOTS: u32 = 2u * BK * Q;
// vec4s of each slice one invocation fetches per step.
override LOADS: u32 = BK / 8u;
override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override CHECKED: bool = true;
// 0: none, 1: GELU (erf), 2: GELU (tanh), 3: ReLU.
override ACTIVATION: u32 = 0u;

struct MatmulParams {
    m: u32,
    n: u32,
    k: u32,
    stride_a: u32,
    stride_b: u32,
    stride_c: u32,
}

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> a: array<vec4<f16>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<f16>>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f16>>;
@group(0) @binding(4) var<storage, read> bias: array<vec4<f16>>;

// tile_a[buffer * BK * Q + kk * Q + r] holds op(A) rows 4r..4r+3 at column kk
// of the slice; tile_b likewise op(B) columns 4q..4q+3 at row kk. The f16
// accumulation stages f16 (tile_ah, tile_bh); an entry point counts only the
// pair it uses.
var<workgroup> tile_a: array<vec4<f32>, SLOTS>;
var<workgroup> tile_b: array<vec4<f32>, SLOTS>;
var<workgroup> tile_ah: array<vec4<f16>, SLOTS>;
var<workgroup> tile_bh: array<vec4<f16>, SLOTS>;

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
    store_block(wid, product(wid, lid), lid);
}

@compute @workgroup_size(16, 16)
fn matmul_h(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    store_block(wid, product_h(wid, lid), lid);
}

// nn.Linear: C = A * B^T + bias, then ACTIVATION, in registers.
@compute @workgroup_size(16, 16)
fn linear(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    store_linear(wid, product(wid, lid), lid);
}

@compute @workgroup_size(16, 16)
fn linear_h(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    store_linear(wid, product_h(wid, lid), lid);
}

fn store_block(wid: vec3<u32>, acc: Block, lid: vec3<u32>) {
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

fn store_linear(wid: vec3<u32>, acc: Block, lid: vec3<u32>) {
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

// Row `row` of C, columns col..col+3 and col+64..col+67, rounded to f16.
fn store(base: u32, row: u32, col: u32, left: vec4<f32>, right: vec4<f32>) {
    if CHECKED && row >= params.m {
        return;
    }
    let at = (base + row * params.n + col) / 4u;
    if !CHECKED || col < params.n {
        c[at] = vec4<f16>(left);
    }
    if !CHECKED || col + 64u < params.n {
        c[at + 16u] = vec4<f16>(right);
    }
}

fn activate(v: vec4<f32>) -> vec4<f32> {
    switch ACTIVATION {
        case 1u: {
            return 0.5 * v * (vec4<f32>(1.0) + erf4(v * 0.7071067811865476));
        }
        case 2u: {
            let u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
            return v / (vec4<f32>(1.0) + exp(-2.0 * u));
        }
        case 3u: {
            return max(v, vec4<f32>(0.0));
        }
        default: {
            return v;
        }
    }
}

fn erf4(v: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(erf(v.x), erf(v.y), erf(v.z), erf(v.w));
}

// erf in f32, as in matmul.wgsl (N. Juffa's minimax approximation, 1 ulp).
fn erf(a: f32) -> f32 {
    let t = abs(a);
    let s = a * a;
    if t > 0.927734375 {
        var r = fma(-1.72853470e-5, t, 3.83197126e-4);
        let u = fma(-3.88396438e-3, t, 2.42546219e-2);
        r = fma(r, s, u);
        r = fma(r, t, -1.06777877e-1);
        r = fma(r, t, -6.34846687e-1);
        r = fma(r, t, -1.28717512e-1);
        r = fma(r, t, -t);
        return sign(a) * (1.0 - exp(r));
    }
    var r = -5.96761703e-4;
    r = fma(r, s, 4.99119423e-3);
    r = fma(r, s, -2.67681349e-2);
    r = fma(r, s, 1.12819925e-1);
    r = fma(r, s, -3.76125336e-1);
    r = fma(r, s, 1.28379166e-1);
    return fma(r, a, a);
}

// One vec4 of op(A)'s slice at k0: `slot` numbers the slice's BK * Q vec4s in
// the order that makes consecutive invocations read consecutive memory.
// Along k (A stored m x k): row slot / (BK / 4), k quad slot % (BK / 4);
// along m (A stored k x m): k slot / Q, row quad slot % Q.
fn fetch_a(base: u32, row0: u32, k0: u32, slot: u32) -> vec4<f16> {
    if TRANSPOSE_A {
        let kk = slot / Q;
        let quad = slot % Q;
        if CHECKED && (k0 + kk >= params.k || row0 + quad * 4u >= params.m) {
            return vec4<f16>(0.0);
        }
        return a[(base + (k0 + kk) * params.m + row0) / 4u + quad];
    }
    let row = slot / (BK / 4u);
    let quad = slot % (BK / 4u);
    if CHECKED && (row0 + row >= params.m || k0 + quad * 4u >= params.k) {
        return vec4<f16>(0.0);
    }
    return a[(base + (row0 + row) * params.k + k0) / 4u + quad];
}

// One vec4 of op(B)'s slice at k0, as `fetch_a`: along n (B stored k x n):
// k slot / Q, column quad slot % Q; along k (B stored n x k): column
// slot / (BK / 4), k quad slot % (BK / 4).
fn fetch_b(base: u32, col0: u32, k0: u32, slot: u32) -> vec4<f16> {
    if TRANSPOSE_B {
        let col = slot / (BK / 4u);
        let quad = slot % (BK / 4u);
        if CHECKED && (col0 + col >= params.n || k0 + quad * 4u >= params.k) {
            return vec4<f16>(0.0);
        }
        return b[(base + (col0 + col) * params.k + k0) / 4u + quad];
    }
    let kk = slot / Q;
    let quad = slot % Q;
    if CHECKED && (k0 + kk >= params.k || col0 + quad * 4u >= params.n) {
        return vec4<f16>(0.0);
    }
    return b[(base + (k0 + kk) * params.n + col0) / 4u + quad];
}

// Puts a vec4 `fetch_a` read, widened to f32, into the slice buffer at `at`:
// whole when it runs along m, else spread over 4 k rows (one component each).
// put_b likewise for `fetch_b`; put_ah and put_bh keep them f16.
fn put_a(at: u32, slot: u32, v: vec4<f16>) {
    if TRANSPOSE_A {
        tile_a[at + slot] = vec4<f32>(v);
        return;
    }
    let row = slot / (BK / 4u);
    let kk = (slot % (BK / 4u)) * 4u;
    let i = at + kk * Q + row / 4u;
    let lane = row % 4u;
    tile_a[i][lane] = f32(v.x);
    tile_a[i + Q][lane] = f32(v.y);
    tile_a[i + 2u * Q][lane] = f32(v.z);
    tile_a[i + 3u * Q][lane] = f32(v.w);
}

fn put_b(at: u32, slot: u32, v: vec4<f16>) {
    if !TRANSPOSE_B {
        tile_b[at + slot] = vec4<f32>(v);
        return;
    }
    let col = slot / (BK / 4u);
    let kk = (slot % (BK / 4u)) * 4u;
    let i = at + kk * Q + col / 4u;
    let lane = col % 4u;
    tile_b[i][lane] = f32(v.x);
    tile_b[i + Q][lane] = f32(v.y);
    tile_b[i + 2u * Q][lane] = f32(v.z);
    tile_b[i + 3u * Q][lane] = f32(v.w);
}

fn put_ah(at: u32, slot: u32, v: vec4<f16>) {
    if TRANSPOSE_A {
        tile_ah[at + slot] = v;
        return;
    }
    let row = slot / (BK / 4u);
    let kk = (slot % (BK / 4u)) * 4u;
    let i = at + kk * Q + row / 4u;
    let lane = row % 4u;
    tile_ah[i][lane] = v.x;
    tile_ah[i + Q][lane] = v.y;
    tile_ah[i + 2u * Q][lane] = v.z;
    tile_ah[i + 3u * Q][lane] = v.w;
}

fn put_bh(at: u32, slot: u32, v: vec4<f16>) {
    if !TRANSPOSE_B {
        tile_bh[at + slot] = v;
        return;
    }
    let col = slot / (BK / 4u);
    let kk = (slot % (BK / 4u)) * 4u;
    let i = at + kk * Q + col / 4u;
    let lane = col % 4u;
    tile_bh[i][lane] = v.x;
    tile_bh[i + Q][lane] = v.y;
    tile_bh[i + 2u * Q][lane] = v.z;
    tile_bh[i + 3u * Q][lane] = v.w;
}

// The product with f32 slices and sums, as matmul_large.wgsl's.
fn product(wid: vec3<u32>, lid: vec3<u32>) -> Block {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let base_a = wid.z * params.stride_a;
    let base_b = wid.z * params.stride_b;
    let flat = lid.y * 16u + lid.x;

    var r00 = vec4<f32>(0.0); var r01 = vec4<f32>(0.0);
    var r10 = vec4<f32>(0.0); var r11 = vec4<f32>(0.0);
    var r20 = vec4<f32>(0.0); var r21 = vec4<f32>(0.0);
    var r30 = vec4<f32>(0.0); var r31 = vec4<f32>(0.0);
    var r40 = vec4<f32>(0.0); var r41 = vec4<f32>(0.0);
    var r50 = vec4<f32>(0.0); var r51 = vec4<f32>(0.0);
    var r60 = vec4<f32>(0.0); var r61 = vec4<f32>(0.0);
    var r70 = vec4<f32>(0.0); var r71 = vec4<f32>(0.0);

    let steps = (params.k + BK - 1u) / BK;
    // LOADS is at most 4 (BK = 32); the loops over it unroll with the override.
    var next_a: array<vec4<f16>, 4>;
    var next_b: array<vec4<f16>, 4>;
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
            for (var i = 0u; i < LOADS; i++) {
                next_a[i] = fetch_a(base_a, row0, k1, flat + i * 256u);
                next_b[i] = fetch_b(base_b, col0, k1, flat + i * 256u);
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
            for (var i = 0u; i < LOADS; i++) {
                put_a(other, flat + i * 256u, next_a[i]);
                put_b(other, flat + i * 256u, next_b[i]);
            }
        }
        workgroupBarrier();
    }

    return Block(r00, r01, r10, r11, r20, r21, r30, r31, r40, r41, r50, r51, r60, r61, r70, r71);
}

// `product` with f16 slices and sums: each FMA rounds its sum to f16. The
// block is widened (exactly) to f32 for the shared epilogue.
fn product_h(wid: vec3<u32>, lid: vec3<u32>) -> Block {
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    let base_a = wid.z * params.stride_a;
    let base_b = wid.z * params.stride_b;
    let flat = lid.y * 16u + lid.x;

    var r00 = vec4<f16>(0.0); var r01 = vec4<f16>(0.0);
    var r10 = vec4<f16>(0.0); var r11 = vec4<f16>(0.0);
    var r20 = vec4<f16>(0.0); var r21 = vec4<f16>(0.0);
    var r30 = vec4<f16>(0.0); var r31 = vec4<f16>(0.0);
    var r40 = vec4<f16>(0.0); var r41 = vec4<f16>(0.0);
    var r50 = vec4<f16>(0.0); var r51 = vec4<f16>(0.0);
    var r60 = vec4<f16>(0.0); var r61 = vec4<f16>(0.0);
    var r70 = vec4<f16>(0.0); var r71 = vec4<f16>(0.0);

    let steps = (params.k + BK - 1u) / BK;
    // LOADS is at most 4 (BK = 32); the loops over it unroll with the override.
    var next_a: array<vec4<f16>, 4>;
    var next_b: array<vec4<f16>, 4>;
    if steps > 0u {
        for (var i = 0u; i < LOADS; i++) {
            put_ah(0u, flat + i * 256u, fetch_a(base_a, row0, 0u, flat + i * 256u));
            put_bh(0u, flat + i * 256u, fetch_b(base_b, col0, 0u, flat + i * 256u));
        }
    }
    workgroupBarrier();

    for (var step = 0u; step < steps; step++) {
        let cur = (step % 2u) * BK * Q;
        let other = BK * Q - cur;
        let more = step + 1u < steps;
        let k1 = (step + 1u) * BK;
        if more {
            for (var i = 0u; i < LOADS; i++) {
                next_a[i] = fetch_a(base_a, row0, k1, flat + i * 256u);
                next_b[i] = fetch_b(base_b, col0, k1, flat + i * 256u);
            }
        }
        for (var kk = 0u; kk < BK; kk++) {
            let at = cur + kk * Q;
            let a0 = tile_ah[at + lid.y * 2u];
            let a1 = tile_ah[at + lid.y * 2u + 1u];
            let b0 = tile_bh[at + lid.x];
            let b1 = tile_bh[at + lid.x + 16u];
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
            for (var i = 0u; i < LOADS; i++) {
                put_ah(other, flat + i * 256u, next_a[i]);
                put_bh(other, flat + i * 256u, next_b[i]);
            }
        }
        workgroupBarrier();
    }

    return Block(
        vec4<f32>(r00), vec4<f32>(r01), vec4<f32>(r10), vec4<f32>(r11),
        vec4<f32>(r20), vec4<f32>(r21), vec4<f32>(r30), vec4<f32>(r31),
        vec4<f32>(r40), vec4<f32>(r41), vec4<f32>(r50), vec4<f32>(r51),
        vec4<f32>(r60), vec4<f32>(r61), vec4<f32>(r70), vec4<f32>(r71),
    );
}

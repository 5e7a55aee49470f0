// Multi-head self-attention over a padded batch, flash-attention style, over
// `elem` storage (f32.wgsl or f16.wgsl; the arithmetic is f32 either way):
// scores, mask, softmax and the product with V in one kernel, without the
// [seq, seq] score matrix ever reaching memory.
//
// qkv is [batch * seq, 3 * hidden]: token t's row holds q, then k, then v,
// each `hidden` wide with head h at columns h * HEAD_DIM... The output is
// [batch * seq, hidden], heads side by side.
//
// One workgroup per (batch entry, head, block of QUERIES queries), one
// invocation per query, holding its q and its output accumulator in
// registers. The workgroup walks the keys in tiles of KEYS, staging their k
// and v rows in workgroup memory, where every invocation reads the same key
// at the same time (a broadcast). Softmax is online: per tile, each query
// takes the tile's scores, rescales its accumulator and running sum to the
// new maximum once, and adds the tile's exp-weighted v rows. Scores are in
// base 2 (q is scaled by scale * log2(e) on load) so each weight is one
// exp2. Padded keys (mask 0) and keys past seq score -inf and weigh exactly
// 0; a query whose keys are all masked keeps a zero sum and writes zeros.

// -inf's bits, read at run time: a const-expression that evaluates to an
// infinity is a shader-creation error in WGSL (Dawn enforces it; naga does not).
var<private> NEG_INF_BITS: u32 = 0xff800000u;

const QUERIES: u32 = 32u;
// vec4s of q and of the accumulator per invocation: head_dim <= 64.
const MAX_D4: u32 = 16u;
// vec4s of each of the k and v tiles: KEYS * D4 <= TILE.
const TILE: u32 = 256u;
const MAX_KEYS: u32 = 32u;

override HEAD_DIM: u32 = 32u;
override D4: u32 = (HEAD_DIM + 3u) / 4u;
override KEYS: u32 = 32u;

struct AttentionParams {
    batch: u32,
    seq: u32,
    hidden: u32,
    heads: u32,
    // The score scale times log2(e).
    scale: f32,
    // Blocks of QUERIES queries per sequence.
    blocks: u32,
}

@group(0) @binding(0) var<uniform> params: AttentionParams;
@group(0) @binding(1) var<storage, read> qkv: array<elem>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<elem>;

var<workgroup> k_tile: array<vec4<f32>, TILE>;
var<workgroup> v_tile: array<vec4<f32>, TILE>;
// 0 for a real key, -inf for padding or past seq.
var<workgroup> key_bias: array<f32, MAX_KEYS>;

// Four elements of a row of qkv from column `col` of a head, zeros past
// HEAD_DIM (so any head_dim works, not only multiples of 4).
fn load4(at: u32, col: u32) -> vec4<f32> {
    var v = vec4<f32>(0.0);
    if col + 3u < HEAD_DIM {
        return vec4<f32>(f32(qkv[at]), f32(qkv[at + 1u]), f32(qkv[at + 2u]), f32(qkv[at + 3u]));
    }
    for (var j = 0u; j < 4u; j++) {
        if col + j < HEAD_DIM {
            v[j] = f32(qkv[at + j]);
        }
    }
    return v;
}

@compute @workgroup_size(QUERIES)
fn attention(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let NEG_INF = bitcast<f32>(NEG_INF_BITS);
    let group = wid.y * groups.x + wid.x;
    let block = group % params.blocks;
    let head = (group / params.blocks) % params.heads;
    let entry = group / params.blocks / params.heads;
    // Uniform across the workgroup: past the last (batch, head, block).
    if entry >= params.batch {
        return;
    }
    let seq = params.seq;
    let stride = 3u * params.hidden;
    let first = entry * seq;
    let head_col = head * HEAD_DIM;
    let query = block * QUERIES + local;
    let q_at = (first + min(query, seq - 1u)) * stride + head_col;

    var q: array<vec4<f32>, MAX_D4>;
    var acc: array<vec4<f32>, MAX_D4>;
    for (var i = 0u; i < D4; i++) {
        q[i] = load4(q_at + 4u * i, 4u * i) * params.scale;
        acc[i] = vec4<f32>(0.0);
    }
    var peak = NEG_INF;
    var total = 0.0;

    let tiles = (seq + KEYS - 1u) / KEYS;
    for (var t = 0u; t < tiles; t++) {
        let key0 = t * KEYS;
        for (var slot = local; slot < KEYS * D4; slot += QUERIES) {
            let j = slot / D4;
            let i = slot % D4;
            let key = key0 + j;
            var kv = vec4<f32>(0.0);
            var vv = vec4<f32>(0.0);
            if key < seq {
                let at = (first + key) * stride + head_col + 4u * i;
                kv = load4(at + params.hidden, 4u * i);
                vv = load4(at + 2u * params.hidden, 4u * i);
            }
            k_tile[slot] = kv;
            v_tile[slot] = vv;
        }
        if local < KEYS {
            let key = key0 + local;
            var real = false;
            if key < seq {
                real = mask[first + key] != 0u;
            }
            key_bias[local] = select(NEG_INF, 0.0, real);
        }
        workgroupBarrier();

        var scores: array<f32, MAX_KEYS>;
        var tile_peak = NEG_INF;
        for (var j = 0u; j < KEYS; j++) {
            var dot4 = vec4<f32>(0.0);
            for (var i = 0u; i < D4; i++) {
                dot4 = fma(q[i], k_tile[j * D4 + i], dot4);
            }
            let score = dot4.x + dot4.y + dot4.z + dot4.w + key_bias[j];
            scores[j] = score;
            tile_peak = max(tile_peak, score);
        }
        let next = max(peak, tile_peak);
        // Skipped while every key so far is masked: -inf - -inf is NaN.
        if next > NEG_INF {
            let correction = exp2(peak - next);
            total *= correction;
            for (var i = 0u; i < D4; i++) {
                acc[i] *= correction;
            }
            for (var j = 0u; j < KEYS; j++) {
                let p = exp2(scores[j] - next);
                total += p;
                for (var i = 0u; i < D4; i++) {
                    acc[i] = fma(vec4<f32>(p), v_tile[j * D4 + i], acc[i]);
                }
            }
            peak = next;
        }
        // The next tile overwrites k_tile and v_tile.
        workgroupBarrier();
    }

    if query < seq {
        let inverse = select(0.0, 1.0 / total, total > 0.0);
        let at = (first + query) * params.hidden + head_col;
        for (var i = 0u; i < D4; i++) {
            let v = acc[i] * inverse;
            for (var j = 0u; j < 4u; j++) {
                if 4u * i + j < HEAD_DIM {
                    out[at + 4u * i + j] = elem(v[j]);
                }
            }
        }
    }
}

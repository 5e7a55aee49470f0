// Sum or max of a row-major [rows, cols] f32 matrix along one axis, by
// workgroup tree reductions. A pass reduces chunks of `chunk` elements to one
// value each; the host side repeats passes over the partial results until
// one value per output is left, so rows of any length take a few passes of
// full workgroups rather than one long loop.
//
// MAX selects the operation: false sums, true takes the maximum (with
// -infinity as the identity, so a max over -inf values is -inf).

// -inf's bits, read at run time: a const-expression that evaluates to an
// infinity is a shader-creation error in WGSL (Dawn enforces it; naga does not).
var<private> NEG_INF_BITS: u32 = 0xff800000u;

const BLOCK: u32 = 256u;

override MAX: bool = false;

struct ReduceParams {
    rows: u32,
    cols: u32,
    // Elements along the reduced axis per workgroup.
    chunk: u32,
    // Chunks per reduced line: ceil(length of the axis / chunk).
    chunks: u32,
}

@group(0) @binding(0) var<uniform> params: ReduceParams;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

var<workgroup> scratch: array<f32, BLOCK>;

fn identity() -> f32 {
    if MAX {
        return bitcast<f32>(NEG_INF_BITS);
    }
    return 0.0;
}

fn combine(p: f32, q: f32) -> f32 {
    if MAX {
        return max(p, q);
    }
    return p + q;
}

// Reduces `scratch` to scratch[0]; every invocation of the workgroup calls it.
fn tree(local: u32) {
    for (var stride = BLOCK / 2u; stride > 0u; stride /= 2u) {
        if local < stride {
            scratch[local] = combine(scratch[local], scratch[local + stride]);
        }
        workgroupBarrier();
    }
}

// Along axis 1: each row to one value. Workgroup f reduces chunk f % chunks
// of row f / chunks and writes output[f], so the partials of a pass form a
// [rows, chunks] matrix for the next.
//
// The loads are what costs: each step an invocation issues UNROLL
// independent loads BLOCK elements apart, so a step of the workgroup reads
// UNROLL * BLOCK consecutive elements, every load instruction of a
// subgroup covers contiguous memory, and UNROLL loads per invocation are in
// flight at once instead of one. Chunks are multiples of UNROLL * BLOCK, so
// only a row's last chunk takes the one-load tail loop.
const UNROLL: u32 = 8u;

@compute @workgroup_size(BLOCK)
fn reduce_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let f = wid.y * groups.x + wid.x;
    let live = f < params.rows * params.chunks;
    var acc = identity();
    if live {
        let row = f / params.chunks;
        let start = (f % params.chunks) * params.chunk;
        let end = min(start + params.chunk, params.cols);
        let base = row * params.cols;
        var i = start + local;
        // `end - i > (UNROLL - 1) * BLOCK`, written so that it cannot wrap.
        for (; i < end && end - i > (UNROLL - 1u) * BLOCK; i += UNROLL * BLOCK) {
            let at = base + i;
            let v0 = input[at];
            let v1 = input[at + BLOCK];
            let v2 = input[at + 2u * BLOCK];
            let v3 = input[at + 3u * BLOCK];
            let v4 = input[at + 4u * BLOCK];
            let v5 = input[at + 5u * BLOCK];
            let v6 = input[at + 6u * BLOCK];
            let v7 = input[at + 7u * BLOCK];
            let low = combine(combine(v0, v1), combine(v2, v3));
            let high = combine(combine(v4, v5), combine(v6, v7));
            acc = combine(acc, combine(low, high));
        }
        for (; i < end; i += BLOCK) {
            acc = combine(acc, input[base + i]);
        }
    }
    scratch[local] = acc;
    workgroupBarrier();
    tree(local);
    if live && local == 0u {
        output[f] = scratch[0];
    }
}

// Along axis 0: each column to one value. A workgroup of 64 x 4 invocations
// takes 64 adjacent columns (so loads are contiguous along rows) and one
// chunk of `chunk` rows, 4 rows at a time, and writes row `chunk index` of a
// [chunks, cols] matrix of partials for the next pass.
const COLS_PER_GROUP: u32 = 64u;
const LANES: u32 = 4u;

@compute @workgroup_size(COLS_PER_GROUP, LANES)
fn reduce_cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let col_groups = (params.cols + COLS_PER_GROUP - 1u) / COLS_PER_GROUP;
    let f = wid.y * groups.x + wid.x;
    let chunk = f / col_groups;
    let col = (f % col_groups) * COLS_PER_GROUP + lid.x;
    let live = chunk < params.chunks && col < params.cols;
    var acc = identity();
    if live {
        let start = chunk * params.chunk;
        let end = min(start + params.chunk, params.rows);
        for (var r = start + lid.y; r < end; r += LANES) {
            acc = combine(acc, input[r * params.cols + col]);
        }
    }
    scratch[local] = acc;
    workgroupBarrier();
    if live && lid.y == 0u {
        var total = scratch[lid.x];
        for (var lane = 1u; lane < LANES; lane++) {
            total = combine(total, scratch[lane * COLS_PER_GROUP + lid.x]);
        }
        output[chunk * params.cols + col] = total;
    }
}

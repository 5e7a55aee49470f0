// Row kernels of a transformer over row-major matrices of `elem` (f32.wgsl,
// or f16.wgsl's f16 storage: all arithmetic, the statistics included, is
// f32): the BERT embedding sum and residual add, each fused with its
// LayerNorm, and masked mean pooling. One workgroup per row (numbered over a
// 2D grid, so more rows than one dispatch dimension holds still fit); its
// invocations stride along the row. Each pass first writes the row's
// pre-normalisation values to `output`, and the statistics passes read them
// back there: every invocation rereads only the elements it wrote, so no
// barrier is needed, and the sums of the gathered rows are formed once. In
// f16 that row is rounded once before the statistics, as PyTorch's f16
// residual add rounds it. With tree_sum.wgsl.

const BLOCK: u32 = 128u;

struct RowParams {
    // Rows of the output (tokens, or batch entries for mean_pool).
    rows: u32,
    // Their length (hidden).
    cols: u32,
    eps: f32,
    // The sequence length: embedding's position is row % seq, mean_pool
    // averages seq rows.
    seq: u32,
    // embedding: rows of the word and token-type tables.
    vocab: u32,
    types: u32,
    // mean_pool: 1 to L2-normalise.
    normalize: u32,
}

@group(0) @binding(0) var<uniform> params: RowParams;
@group(0) @binding(1) var<storage, read> input: array<elem>;
@group(0) @binding(2) var<storage, read> residual: array<elem>;
@group(0) @binding(3) var<storage, read> gamma: array<elem>;
@group(0) @binding(4) var<storage, read> beta: array<elem>;
@group(0) @binding(5) var<storage, read_write> output: array<elem>;
@group(0) @binding(6) var<storage, read> ids: array<u32>;
@group(0) @binding(7) var<storage, read> type_ids: array<u32>;
@group(0) @binding(8) var<storage, read> word: array<elem>;
@group(0) @binding(9) var<storage, read> position: array<elem>;
@group(0) @binding(10) var<storage, read> token_type: array<elem>;
@group(0) @binding(11) var<storage, read> mask: array<u32>;
@group(0) @binding(12) var<storage, read_write> pooled: array<f32>;

var<workgroup> scratch: array<f32, BLOCK>;

// LayerNorm of the row of `output` starting at `base` (`end` is cols, or 0
// for a workgroup past the last row), in place: two passes for the
// statistics (mean, then squared deviations), which stay accurate where
// E[x^2] - E[x]^2 would cancel.
fn normalize_row(local: u32, base: u32, end: u32, zero: bool) {
    let count = f32(params.cols);
    var sum = 0.0;
    for (var i = local; i < end; i += BLOCK) {
        sum += f32(output[base + i]);
    }
    let mean = tree_sum(local, sum) / count;
    var squares = 0.0;
    for (var i = local; i < end; i += BLOCK) {
        let d = f32(output[base + i]) - mean;
        squares += d * d;
    }
    let scale = inverseSqrt(tree_sum(local, squares) / count + params.eps);
    for (var i = local; i < end; i += BLOCK) {
        let y = (f32(output[base + i]) - mean) * scale * f32(gamma[i]) + f32(beta[i]);
        output[base + i] = elem(select(y, 0.0, zero));
    }
}

// output = LN(input + residual) * gamma + beta, per row.
@compute @workgroup_size(BLOCK)
fn add_layer_norm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = wid.y * groups.x + wid.x;
    let base = row * params.cols;
    let end = select(0u, params.cols, row < params.rows);
    for (var i = local; i < end; i += BLOCK) {
        output[base + i] = elem(f32(input[base + i]) + f32(residual[base + i]));
    }
    normalize_row(local, base, end, false);
}

// output[t] = LN(word[ids[t]] + position[t % seq] + token_type[type_ids[t]]).
// A token whose id or type is past its table reads nothing and is written
// as zeros. The check is per workgroup, but storage reads are not uniform to
// WGSL, so the row still runs the reductions' barriers.
@compute @workgroup_size(BLOCK)
fn embedding(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = wid.y * groups.x + wid.x;
    let live = row < params.rows;
    let base = row * params.cols;
    let end = select(0u, params.cols, live);
    var id = 0u;
    var kind = 0u;
    if live {
        id = ids[row];
        kind = type_ids[row];
    }
    let valid = id < params.vocab && kind < params.types;
    let word_base = select(0u, id, valid) * params.cols;
    let type_base = select(0u, kind, valid) * params.cols;
    let position_base = (row % max(params.seq, 1u)) * params.cols;
    for (var i = local; i < end; i += BLOCK) {
        var v = 0.0;
        if valid {
            v = f32(word[word_base + i]) + f32(position[position_base + i]) + f32(token_type[type_base + i]);
        }
        output[base + i] = elem(v);
    }
    normalize_row(local, base, end, !valid);
}

// pooled[b] = sum_s mask[b, s] x[b, s] / max(sum_s mask[b, s], 1e-9), then,
// with `normalize`, divided by max(|pooled[b]|_2, 1e-12): sentence-
// transformers' mean pooling and L2 normalisation. One workgroup per batch
// entry; each invocation sums its columns down the sequence. The pooled
// rows stay f32: they are the model's output, and f16 would round them.
@compute @workgroup_size(BLOCK)
fn mean_pool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = wid.y * groups.x + wid.x;
    let live = row < params.rows;
    let base = row * params.cols;
    let end = select(0u, params.cols, live);
    let first = row * params.seq;
    var count = 0.0;
    if live {
        for (var s = 0u; s < params.seq; s++) {
            count += select(0.0, 1.0, mask[first + s] != 0u);
        }
    }
    let inverse = 1.0 / max(count, 1e-9);
    var squares = 0.0;
    for (var i = local; i < end; i += BLOCK) {
        var sum = 0.0;
        for (var s = 0u; s < params.seq; s++) {
            if mask[first + s] != 0u {
                sum += f32(input[(first + s) * params.cols + i]);
            }
        }
        let mean = sum * inverse;
        pooled[base + i] = mean;
        squares += mean * mean;
    }
    if params.normalize != 0u {
        let norm = sqrt(tree_sum(local, squares));
        let scale = 1.0 / max(norm, 1e-12);
        for (var i = local; i < end; i += BLOCK) {
            pooled[base + i] *= scale;
        }
    }
}

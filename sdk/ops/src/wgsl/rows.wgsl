// Row-wise kernels over a row-major [rows, cols] f32 matrix: softmax and
// layer normalisation. One workgroup per row (numbered over a 2D grid, so
// more than 65535 rows fit the dispatch limits); the workgroup's invocations
// stride along the row and combine through tree reductions in workgroup
// memory. With tree_sum.wgsl.

// -inf's bits, read at run time: a const-expression that evaluates to an
// infinity is a shader-creation error in WGSL (Dawn enforces it; naga does not).
var<private> NEG_INF_BITS: u32 = 0xff800000u;

const BLOCK: u32 = 256u;

struct RowParams {
    rows: u32,
    cols: u32,
    // layer_norm's epsilon, added to the variance.
    eps: f32,
}

@group(0) @binding(0) var<uniform> params: RowParams;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;

var<workgroup> scratch: array<f32, BLOCK>;

fn tree_max(local: u32, value: f32) -> f32 {
    scratch[local] = value;
    workgroupBarrier();
    for (var stride = BLOCK / 2u; stride > 0u; stride /= 2u) {
        if local < stride {
            scratch[local] = max(scratch[local], scratch[local + stride]);
        }
        workgroupBarrier();
    }
    let total = scratch[0];
    workgroupBarrier();
    return total;
}

// Numerically stable softmax: exp(x - max(row)) / sum(exp(x - max(row))),
// so no exp overflows and the largest term is exactly 1.
@compute @workgroup_size(BLOCK)
fn softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = wid.y * groups.x + wid.x;
    let live = row < params.rows;
    let base = row * params.cols;
    let end = select(0u, params.cols, live);

    var peak = bitcast<f32>(NEG_INF_BITS);
    for (var i = local; i < end; i += BLOCK) {
        peak = max(peak, input[base + i]);
    }
    peak = tree_max(local, peak);

    var sum = 0.0;
    for (var i = local; i < end; i += BLOCK) {
        sum += exp(input[base + i] - peak);
    }
    let inverse = 1.0 / tree_sum(local, sum);

    for (var i = local; i < end; i += BLOCK) {
        output[base + i] = exp(input[base + i] - peak) * inverse;
    }
}

// Layer normalisation: (x - mean) / sqrt(variance + eps) * gamma + beta, with
// the biased variance, computed in two passes over the row (mean first, then
// squared deviations) rather than from E[x^2] - E[x]^2, which cancels.
@compute @workgroup_size(BLOCK)
fn layer_norm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = wid.y * groups.x + wid.x;
    let live = row < params.rows;
    let base = row * params.cols;
    let end = select(0u, params.cols, live);
    let count = f32(params.cols);

    var sum = 0.0;
    for (var i = local; i < end; i += BLOCK) {
        sum += input[base + i];
    }
    let mean = tree_sum(local, sum) / count;

    var squares = 0.0;
    for (var i = local; i < end; i += BLOCK) {
        let d = input[base + i] - mean;
        squares += d * d;
    }
    let scale = inverseSqrt(tree_sum(local, squares) / count + params.eps);

    for (var i = local; i < end; i += BLOCK) {
        output[base + i] = (input[base + i] - mean) * scale * gamma[i] + beta[i];
    }
}

// Rows of at most NARROW columns take one invocation each, with no
// workgroup memory or barriers: a workgroup per row would leave most of its
// invocations idle and pay for every barrier of its reductions.
const ROWS_PER_GROUP: u32 = 64u;

fn narrow_row(wid: vec3<u32>, groups: vec3<u32>, local: u32) -> u32 {
    return (wid.y * groups.x + wid.x) * ROWS_PER_GROUP + local;
}

@compute @workgroup_size(ROWS_PER_GROUP)
fn softmax_narrow(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = narrow_row(wid, groups, local);
    if row >= params.rows {
        return;
    }
    let base = row * params.cols;
    var peak = bitcast<f32>(NEG_INF_BITS);
    for (var i = 0u; i < params.cols; i++) {
        peak = max(peak, input[base + i]);
    }
    var sum = 0.0;
    for (var i = 0u; i < params.cols; i++) {
        sum += exp(input[base + i] - peak);
    }
    let inverse = 1.0 / sum;
    for (var i = 0u; i < params.cols; i++) {
        output[base + i] = exp(input[base + i] - peak) * inverse;
    }
}

@compute @workgroup_size(ROWS_PER_GROUP)
fn layer_norm_narrow(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) local: u32) {
    let row = narrow_row(wid, groups, local);
    if row >= params.rows {
        return;
    }
    let base = row * params.cols;
    let count = f32(params.cols);
    var sum = 0.0;
    for (var i = 0u; i < params.cols; i++) {
        sum += input[base + i];
    }
    let mean = sum / count;
    var squares = 0.0;
    for (var i = 0u; i < params.cols; i++) {
        let d = input[base + i] - mean;
        squares += d * d;
    }
    let scale = inverseSqrt(squares / count + params.eps);
    for (var i = 0u; i < params.cols; i++) {
        output[base + i] = (input[base + i] - mean) * scale * gamma[i] + beta[i];
    }
}

// Elementwise kernels over f32 arrays of `len` elements, one element per
// invocation. Workgroups are numbered over a 2D grid (x first) so that
// arrays past 65535 workgroups still fit the dispatch limits.

const BLOCK: u32 = 256u;

struct ElementwiseParams {
    len: u32,
    // Row length for `bias_add`: x is [len / cols, cols] and the bias has cols elements.
    cols: u32,
    // The scalar of `axpy` and `scale`.
    alpha: f32,
}

@group(0) @binding(0) var<uniform> params: ElementwiseParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn index(wid: vec3<u32>, groups: vec3<u32>, lid: vec3<u32>) -> u32 {
    return (wid.y * groups.x + wid.x) * BLOCK + lid.x;
}

@compute @workgroup_size(BLOCK)
fn add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = x[i] + y[i];
    }
}

@compute @workgroup_size(BLOCK)
fn mul(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = x[i] * y[i];
    }
}

// out = y where x > 0, else 0: the gradient of relu(x) given the gradient y
// of its output.
@compute @workgroup_size(BLOCK)
fn relu_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = select(0.0, y[i], x[i] > 0.0);
    }
}

// GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))),
// computed as x * sigmoid(2 u) (the same function), because exp saturates
// cleanly to 0 or infinity where tanh's usual (e^2u - 1) / (e^2u + 1) form
// gives infinity / infinity = NaN for large |x|.
fn gelu_tanh(v: f32) -> f32 {
    let u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
    return v / (1.0 + exp(-2.0 * u));
}

// Exact GELU, 0.5 x (1 + erf(x / sqrt(2))): what BERT uses.
fn gelu_exact(v: f32) -> f32 {
    return 0.5 * v * (1.0 + erf(v * 0.7071067811865476));
}

// The one-input functions, picked by UNARY: 0 ReLU, 1 GELU (tanh),
// 2 GELU (erf). Each op is its own pipeline, so the switch folds away.
override UNARY: u32 = 0u;

fn unary_op(v: f32) -> f32 {
    switch UNARY {
        case 1u: {
            return gelu_tanh(v);
        }
        case 2u: {
            return gelu_exact(v);
        }
        default: {
            return max(v, 0.0);
        }
    }
}

@compute @workgroup_size(BLOCK)
fn unary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = unary_op(x[i]);
    }
}

// The in-place form reads and writes `out` alone: one buffer cannot be
// bound both as `x` and as `out` in one dispatch.
@compute @workgroup_size(BLOCK)
fn unary_in_place(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = unary_op(out[i]);
    }
}

// out[r][c] = x[r][c] + y[c]: the bias broadcast over rows.
@compute @workgroup_size(BLOCK)
fn bias_add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = x[i] + y[i % params.cols];
    }
}

// out += alpha * x, in place.
@compute @workgroup_size(BLOCK)
fn axpy(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = fma(params.alpha, x[i], out[i]);
    }
}

// out *= alpha, in place.
@compute @workgroup_size(BLOCK)
fn scale(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = params.alpha * out[i];
    }
}

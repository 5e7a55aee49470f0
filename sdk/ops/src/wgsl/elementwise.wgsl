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

@compute @workgroup_size(BLOCK)
fn relu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = max(x[i], 0.0);
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

@compute @workgroup_size(BLOCK)
fn gelu(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = gelu_tanh(x[i]);
    }
}

@compute @workgroup_size(BLOCK)
fn gelu_erf(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = gelu_exact(x[i]);
    }
}

// The in-place forms read and write `out` alone: one buffer cannot be
// bound both as `x` and as `out` in one dispatch.
@compute @workgroup_size(BLOCK)
fn relu_in_place(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = max(out[i], 0.0);
    }
}

@compute @workgroup_size(BLOCK)
fn gelu_in_place(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = gelu_tanh(out[i]);
    }
}

@compute @workgroup_size(BLOCK)
fn gelu_erf_in_place(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = index(wid, groups, lid);
    if i < params.len {
        out[i] = gelu_exact(out[i]);
    }
}

// erf in f32 (WGSL has none), N. Juffa's minimax approximation: within
// 1 ulp (about 6e-8 absolute), against 1.5e-7 for Abramowitz-Stegun 7.1.26.
// The same function as matmul.wgsl's (WGSL has no includes).
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

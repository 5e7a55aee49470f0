// f32 math builtins on a range of inputs: each invocation evaluates a row of
// functions for one x. The arguments are kept where each function's WebGPU
// accuracy bound applies (sin / cos on [-pi, pi], log on positive numbers).

struct Row {
    exp_x: f32,
    log_x: f32,
    sqrt_x: f32,
    sin_x: f32,
    cos_x: f32,
    tanh_x: f32,
    pow_x: f32,
    atan2_x: f32,
}

@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read_write> rows: array<Row>;

const PI: f32 = 3.14159265358979;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&xs) {
        return;
    }
    let x = xs[i];                // in [-4, 4]
    let positive = abs(x) + 0.125; // in [0.125, 4.125]
    var r: Row;
    r.exp_x = exp(x);
    r.log_x = log(positive);
    r.sqrt_x = sqrt(positive);
    r.sin_x = sin(x * (PI / 4.0));
    r.cos_x = cos(x * (PI / 4.0));
    r.tanh_x = tanh(x);
    r.pow_x = pow(positive, 1.5);
    r.atan2_x = atan2(x, positive);
    rows[i] = r;
}

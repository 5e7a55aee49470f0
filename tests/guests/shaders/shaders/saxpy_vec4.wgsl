// Elementwise kernel over array<vec4<f32>>: a fused multiply-add, then the
// result's fractional part and absolute value, four lanes per invocation.

struct Coefficients {
    alpha: vec4<f32>,
}

@group(0) @binding(0) var<uniform> coefficients: Coefficients;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> y: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> sum: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> parts: array<vec4<f32>>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&x) {
        return;
    }
    let s = fma(coefficients.alpha, x[i], y[i]);
    sum[i] = s;
    parts[i] = vec4<f32>(fract(s.x), floor(s.y), abs(s.z), sign(s.w));
}

// What matmul.wgsl and matmul_large.wgsl share: the shape uniform, and the
// activation `linear` applies to its registers before the store. With
// erf.wgsl.

struct MatmulParams {
    m: u32,
    n: u32,
    k: u32,
    stride_a: u32,
    stride_b: u32,
    stride_c: u32,
}

// 0: none, 1: GELU (erf), 2: GELU (tanh), 3: ReLU.
override ACTIVATION: u32 = 0u;

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

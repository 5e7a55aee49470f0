// A uniform block mixing scalars and vectors of every alignment (4, 8, 16):
// the host struct needs 12 bytes of padding before `delta`, a 16-aligned
// vec3<i32>, and `flip` then fills the vec3's last 4 bytes (64 bytes in all).
//
// Each invocation maps one input sample through the parameters: a weighted,
// scaled and offset sum for the float output, and a masked, shifted code for
// the integer output.

struct Params {
    count: u32,
    scale: f32,
    offset: vec2<f32>,
    weights: vec4<f32>,
    mask: u32,
    delta: vec3<i32>,
    flip: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> samples: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> weighted: array<f32>;
@group(0) @binding(3) var<storage, read_write> codes: array<i32>;

@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.count {
        return;
    }
    let s = samples[i] * params.scale + vec4<f32>(params.offset, params.offset);
    weighted[i] = dot(s, params.weights);

    let component = i % 3u;
    var code = i32(i & params.mask) + params.delta[component];
    if params.flip != 0u {
        code = -code;
    }
    codes[i] = code;
}
